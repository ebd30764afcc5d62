"""The data sets of the TensorFlow Neural Network Playground (playground.tensorflow.org).

The formulas are those of the playground's ``dataset.ts``; the random numbers come from
an ``np.random.Generator`` (``seed=`` / ``rng=``), not from JavaScript's, so the
shapes of the sets are the playground's while the individual points are not.

``noise`` is on the playground's slider scale, 0 to 50 (percent); the formulas use
``noise / 100``. As the playground does, the points are shuffled before they are
returned, so the first ``k`` rows are a fair training split.

Classification sets (labels 0 / 1, the playground's -1 / +1):

- ``circle``: class 1 inside radius 2.5, class 0 in the ring 3.5..5; the label is taken
  at the point moved by uniform noise, the point itself is returned unmoved.
- ``xor``: uniform in [-5, 5]² pushed 0.3 away from both axes; class 1 where x·y >= 0
  (at the noisy point).
- ``gauss``: two Gaussians at (2, 2) (class 1) and (-2, -2) (class 0) whose variance
  grows from 0.5 to 4 as noise goes from 0 to 50.
- ``spiral``: two arms, radius 0..5 over 1.75 turns, the second arm turned by π, with
  uniform noise in [-noise, noise] on each coordinate.

Regression sets (float64 targets):

- ``plane``: uniform in [-6, 6]², target (x + y) / 10 at the noisy point (the
  playground's unclamped scale: within ±1.2 without noise, a little wider with it).
- ``multi_gauss``: six signed bumps at (±4 or 0, ±2.5); the target, in [-1, 1], is the
  bump of largest absolute value, sign · max(0, 1 - d / 2), at the noisy point.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import N_, Message
from ._checks import check_n, check_noise, generator, split_counts

__all__ = ["PLAYGROUND_CLASSIFICATION", "PLAYGROUND_REGRESSION", "playground"]

PLAYGROUND_CLASSIFICATION = ("circle", "xor", "gauss", "spiral")
PLAYGROUND_REGRESSION = ("plane", "multi_gauss")


def _circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    parts = []
    rings = [(0, radius * 0.5), (radius * 0.7, radius)]  # class 1 inside, class 0 outside
    for count, (r_low, r_high) in zip(split_counts(n, 2), rings, strict=True):
        r = rng.uniform(r_low, r_high, count)
        angle = rng.uniform(0, 2 * np.pi, count)
        parts.append(np.c_[r * np.sin(angle), r * np.cos(angle)])
    X = np.concatenate(parts)
    moved = X + rng.uniform(-radius, radius, size=X.shape) * noise
    y = (np.hypot(moved[:, 0], moved[:, 1]) < radius * 0.5).astype(np.int64)
    return X, y


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-5, 5, size=(n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # padding: keep the points off the axes
    moved = X + rng.uniform(-5, 5, size=X.shape) * noise
    y = (moved[:, 0] * moved[:, 1] >= 0).astype(np.int64)
    return X, y


def _gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    variance = 0.5 + noise / 0.5 * 3.5  # d3 linear scale [0, 0.5] -> [0.5, 4]
    parts, labels = [], []
    for count, (centre, label) in zip(split_counts(n, 2), [(2.0, 1), (-2.0, 0)], strict=True):
        parts.append(rng.normal(centre, np.sqrt(variance), size=(count, 2)))
        labels.append(np.full(count, label, dtype=np.int64))
    return np.concatenate(parts), np.concatenate(labels)


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    parts, labels = [], []
    for count, (delta, label) in zip(split_counts(n, 2), [(0.0, 1), (np.pi, 0)], strict=True):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * np.pi + delta
        arm = np.c_[r * np.sin(t), r * np.cos(t)]
        parts.append(arm + rng.uniform(-1, 1, size=arm.shape) * noise)
        labels.append(np.full(count, label, dtype=np.int64))
    return np.concatenate(parts), np.concatenate(labels)


def _plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-6, 6, size=(n, 2))
    moved = X + rng.uniform(-6, 6, size=X.shape) * noise
    return X, (moved[:, 0] + moved[:, 1]) / 10  # d3 linear scale [-10, 10] -> [-1, 1]


_BUMPS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]]
)


def _multi_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-6, 6, size=(n, 2))
    moved = X + rng.uniform(-6, 6, size=X.shape) * noise
    d = np.hypot(moved[:, None, 0] - _BUMPS[:, 0], moved[:, None, 1] - _BUMPS[:, 1])
    values = _BUMPS[:, 2] * np.clip(1 - d / 2, 0, 1)  # clamped scale [0, 2] -> [1, 0]
    # The bump of largest |value|; the first one wins a tie, as in the playground.
    pick = np.argmax(np.abs(values), axis=1)
    return X, values[np.arange(n), pick]


_MAKERS = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "plane": _plane,
    "multi_gauss": _multi_gauss,
}


def playground(
    name: str, n: int = 500, noise: float = 0, seed: int | None = None, *, rng: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """One of the Neural Network Playground's data sets (see the module docstring).

    Parameters
    ----------
    name : str
        ``"circle"``, ``"xor"``, ``"gauss"``, ``"spiral"`` (classification) or
        ``"plane"``, ``"multi_gauss"`` (regression).
    n : int
        Number of points (the playground uses 500). For the two-class sets the first
        class gets ``ceil(n / 2)`` of them.
    noise : float
        The playground's noise slider, 0 to 50.
    seed, rng
        The random source: ``np.random.default_rng(seed)``, or the generator ``rng``;
        neither means the library's default generator.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,)
        int64 labels 0 / 1 for the classification sets, float64 targets for the
        regression sets.
    """
    if name not in _MAKERS:
        template = N_("playground(name={name!r}): expected one of {expected}")
        raise ValueError(Message("data", template, name=name, expected=", ".join(_MAKERS)))
    n = check_n("playground", n, 2 if name in PLAYGROUND_CLASSIFICATION else 1)
    level = check_noise("playground", noise, upper=50)
    source = generator("playground", seed, rng)
    X, y = _MAKERS[name](n, level / 100, source)
    order = source.permutation(n)
    return X[order], y[order]
