"""Two-dimensional toy data sets: the course's planar "flower" and its extra sets, and more.

Every generator returns ``(X, y)``: ``X`` float64 of shape ``(n, 2)`` and ``y`` int64
class labels of shape ``(n,)``.

Two families, by where their randomness comes from:

- ``planar`` keeps the course's exact points (NumPy's legacy ``RandomState(seed)``).
- ``circles``, ``moons``, ``blobs``, ``gaussian_quantiles`` (and the course's
  ``noisy_circles``, ``noisy_moons``, ``no_structure``) follow scikit-learn's
  ``make_*`` algorithms draw for draw. Like scikit-learn's ``random_state``, an int
  ``seed`` seeds a fresh legacy ``RandomState``, and ``random_state=`` takes a
  ``RandomState`` (or a ``Generator``) as it is; so ``circles(300, noise=0.05, seed=1)``
  is the "Initialization" notebook's ``np.random.seed(1); make_circles(300, noise=.05)``.
- ``xor`` and ``spirals`` draw from an ``np.random.Generator`` (``seed=`` / ``rng=``).

With no seed at all, the library's default generator is used (see ``fcnn.seed``);
NumPy's global random state never is.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..i18n import N_, Message
from ._checks import (
    check_n,
    check_noise,
    generator,
    integer_at_least,
    legacy_seed,
    legacy_state,
    refuse,
    split_counts,
)

__all__ = [
    "blobs",
    "circles",
    "gaussian_quantiles",
    "moons",
    "no_structure",
    "noisy_circles",
    "noisy_moons",
    "planar",
    "spirals",
    "xor",
]


def planar(n: int = 400, noise: float = 0.2, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The planar "flower" data set of the course notes: two classes, eight petals.

    For class j ∈ {0, 1}, n/2 points with angle t = linspace(3.12 j, 3.12 (j+1)) + N(0, noise²)
    and radius r = 4 sin(4t) + N(0, noise²), at (r sin t, r cos t). Drawn from NumPy's
    legacy ``RandomState(seed)`` in the course's order, so with the defaults the points
    are exactly the course's 400 (its ``X.T`` and ``Y.T``).

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0 / 1
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2 or n % 2:
        raise refuse(N_("an even integer >= {minimum}"), "planar", "n", n, minimum=2)
    if not isinstance(noise, (int, float)) or noise < 0:
        raise refuse(N_("a non-negative number"), "planar", "noise", noise)
    state = np.random.RandomState(legacy_seed("planar", "seed", seed))  # the course's points
    per_class = n // 2
    X = np.zeros((n, 2))
    y = np.zeros(n, dtype=np.int64)
    for j in range(2):
        rows = slice(per_class * j, per_class * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, per_class) + state.randn(per_class) * noise
        r = 4 * np.sin(4 * t) + state.randn(per_class) * noise
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[rows] = j
    return X, y


# --------------------------------------------------------------------------- scikit-learn's sets


def _optional_noise(who: str, noise: Any) -> float | None:
    return None if noise is None else check_noise(who, noise)


def _shuffle_then_noise(
    X: np.ndarray, y: np.ndarray, shuffle: bool, noise: float | None, source: Any
) -> tuple[np.ndarray, np.ndarray]:
    # scikit-learn's order: one shuffle of arange(n) (utils.shuffle), then the noise draw.
    if shuffle:
        order = np.arange(len(y))
        source.shuffle(order)
        X, y = X[order], y[order]
    if noise is not None:
        X = X + source.normal(scale=noise, size=X.shape)
    return X, y


def circles(
    n: int = 100,
    noise: float | None = None,
    factor: float = 0.8,
    seed: int | None = None,
    *,
    shuffle: bool = True,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A large circle (class 0) around a smaller one (class 1): scikit-learn's ``make_circles``.

    ``n // 2`` points at angles ``linspace(0, 2π, endpoint=False)`` on the unit circle,
    the other ``n - n // 2`` on the circle of radius ``factor``; the rows are shuffled
    (``shuffle``), then, when ``noise`` is not None, N(0, noise²) is added to every
    coordinate. The draws and their order are scikit-learn's, so with the same legacy
    ``RandomState`` the points are identical to ``make_circles``.

    Parameters
    ----------
    n : int
        Number of points (>= 2).
    noise : float or None
        Standard deviation of the Gaussian noise; None draws no noise at all.
    factor : float
        Radius of the inner circle, in [0, 1).
    seed : int, optional
        Seeds a legacy ``RandomState`` (as scikit-learn's ``random_state=int`` does).
    shuffle : bool
        Shuffle the rows (as scikit-learn does by default).
    random_state : RandomState, Generator or int, optional
        The random source itself, e.g. ``np.random.RandomState(1)`` to replay the
        course's ``np.random.seed(1)``. Give ``seed`` or ``random_state``, not both.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0 (outer) / 1 (inner)
    """
    n = check_n("circles", n, 2)
    noise = _optional_noise("circles", noise)
    if not isinstance(factor, numbers.Real) or not 0 <= factor < 1:
        raise refuse(N_("in [0, 1)"), "circles", "factor", factor)
    source = legacy_state("circles", seed, random_state)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.empty((n, 2))
    X[:n_out, 0], X[:n_out, 1] = np.cos(t_out), np.sin(t_out)
    X[n_out:, 0], X[n_out:, 1] = np.cos(t_in) * factor, np.sin(t_in) * factor
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_out, n_in])
    return _shuffle_then_noise(X, y, shuffle, noise, source)


def moons(
    n: int = 100,
    noise: float | None = None,
    seed: int | None = None,
    *,
    shuffle: bool = True,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: scikit-learn's ``make_moons``.

    Class 0: ``n // 2`` points (cos s, sin s), s = linspace(0, π); class 1: the other
    points at (1 - cos s, 0.5 - sin s). Rows shuffled, then N(0, noise²) added when
    ``noise`` is not None, in scikit-learn's draw order (see :func:`circles` for
    ``seed`` and ``random_state``): ``moons(300, noise=0.2, seed=3)`` is the
    "Optimization" notebook's ``np.random.seed(3); make_moons(300, noise=.2)``.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0 / 1
    """
    n = check_n("moons", n, 2)
    noise = _optional_noise("moons", noise)
    source = legacy_state("moons", seed, random_state)
    n_out = n // 2
    n_in = n - n_out
    s_out = np.linspace(0, np.pi, n_out)
    s_in = np.linspace(0, np.pi, n_in)
    X = np.empty((n, 2))
    X[:n_out, 0], X[:n_out, 1] = np.cos(s_out), np.sin(s_out)
    X[n_out:, 0], X[n_out:, 1] = 1 - np.cos(s_in), 1 - np.sin(s_in) - 0.5
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_out, n_in])
    return _shuffle_then_noise(X, y, shuffle, noise, source)


def noisy_circles(
    n: int = 200,
    noise: float | None = 0.3,
    factor: float = 0.5,
    seed: int | None = None,
    *,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The course's "noisy_circles": :func:`circles` with ``factor=0.5, noise=0.3``, 200 points.

    (``planar_utils.load_extra_datasets``: ``make_circles(N, factor=.5, noise=.3)``.)
    """
    return circles(n, noise, factor, seed, random_state=random_state)


def noisy_moons(
    n: int = 200,
    noise: float | None = 0.2,
    seed: int | None = None,
    *,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The course's "noisy_moons": :func:`moons` with ``noise=0.2``, 200 points."""
    return moons(n, noise, seed, random_state=random_state)


def blobs(
    n: int = 200,
    noise: float = 1.0,
    centers: int = 6,
    seed: int | None = 5,
    *,
    box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs: scikit-learn's ``make_blobs`` for two features.

    ``centers`` centres drawn uniformly in ``box``², then for centre i (label i) its
    share of the points (``n // centers``, the first ``n % centers`` one more) from
    N(centre, noise² I), then the rows shuffled. The defaults are the course's
    ``make_blobs(n_samples=200, random_state=5, n_features=2, centers=6)``; the course
    then made it a two-class problem with ``y % 2``.

    Parameters
    ----------
    noise : float
        The standard deviation of every blob (scikit-learn's ``cluster_std``).
    centers : int
        Number of blobs, i.e. of classes.
    seed, random_state
        As in :func:`circles`; the default ``seed=5`` is the course's.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0 .. centers-1
    """
    n = check_n("blobs", n, 1)
    noise = check_noise("blobs", noise)
    integer_at_least("blobs", "centers", centers, 1)
    low, high = box
    if not low < high:
        template = N_("blobs(box={box!r}): expected (low, high) with low < high")
        raise ValueError(Message("data", template, box=box))
    source = legacy_state("blobs", seed, random_state)
    middles = source.uniform(low, high, size=(int(centers), 2))
    X = np.empty((n, 2))
    y = np.empty(n, dtype=np.int64)
    start = 0
    for label, count in enumerate(split_counts(n, int(centers))):
        X[start : start + count] = source.normal(loc=middles[label], scale=noise, size=(count, 2))
        y[start : start + count] = label
        start += count
    return _shuffle_then_noise(X, y, shuffle, None, source)


def gaussian_quantiles(
    n: int = 200,
    cov: float = 0.5,
    classes: int = 2,
    seed: int | None = None,
    *,
    shuffle: bool = True,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Classes cut from one Gaussian by distance quantiles (``make_gaussian_quantiles``).

    ``n`` points from N(0, cov·I₂), sorted by distance from the origin; the nearest
    ``n // classes`` are class 0, the next class 1, ..., the remainder joins the last
    class; then shuffled. Defaults are the course's (``cov=0.5``, two classes, 200 points).

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0 .. classes-1
    """
    if isinstance(classes, bool) or not isinstance(classes, numbers.Integral) or classes < 1:
        template = N_("gaussian_quantiles(classes={classes!r}): expected an integer >= 1")
        raise ValueError(Message("data", template, classes=classes))
    n = check_n("gaussian_quantiles", n, int(classes))
    cov = check_noise("gaussian_quantiles", cov, name="cov")
    source = legacy_state("gaussian_quantiles", seed, random_state)
    X = source.multivariate_normal(np.zeros(2), cov * np.identity(2), (n,))
    X = X[np.argsort(np.sum(X**2, axis=1))]
    step = n // int(classes)
    y = np.minimum(np.arange(n) // step, int(classes) - 1).astype(np.int64)
    return _shuffle_then_noise(X, y, shuffle, None, source)


def no_structure(
    n: int = 200, seed: int | None = None, *, random_state: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [0, 1)² with labels that have nothing to do with them.

    The course's "no_structure" (``np.random.rand(N, 2)``): a network can only memorise
    it, a useful sanity check. ``y`` is a fair coin per point, drawn after ``X``.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0 / 1
    """
    n = check_n("no_structure", n, 1)
    source = legacy_state("no_structure", seed, random_state)
    X = source.uniform(0.0, 1.0, size=(n, 2))
    y = (source.uniform(0.0, 1.0, size=n) < 0.5).astype(np.int64)
    return X, y


# --------------------------------------------------------------------------- Generator-based sets


def xor(
    n: int = 200, noise: float = 0.1, seed: int | None = None, *, rng: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: points uniform in [-1, 1]², class 1 where the two signs differ.

    Labels come from the clean point; then N(0, noise²) is added to each coordinate,
    so points near the axes may cross into the other class's quadrant.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0 (same signs) / 1 (signs differ)
    """
    n = check_n("xor", n, 1)
    noise = check_noise("xor", noise)
    source = generator("xor", seed, rng)
    X = source.uniform(-1.0, 1.0, size=(n, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    return X + source.normal(scale=noise, size=(n, 2)), y


def spirals(
    n: int = 200,
    noise: float = 0.05,
    seed: int | None = None,
    classes: int = 2,
    *,
    rng: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class.

    Arm k holds its share of the points (``n // classes``, the first ``n % classes`` one
    more) at s = linspace(0, 1): radius r = s and angle θ = 3π s + 2πk / classes (one
    and a half turns), at (r cos θ, r sin θ), plus N(0, noise²) on each coordinate.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0 .. classes-1
    """
    integer_at_least("spirals", "classes", classes, 2)
    n = check_n("spirals", n, int(classes))
    noise = check_noise("spirals", noise)
    source = generator("spirals", seed, rng)
    X = np.empty((n, 2))
    y = np.empty(n, dtype=np.int64)
    start = 0
    for k, count in enumerate(split_counts(n, int(classes))):
        s = np.linspace(0.0, 1.0, count)
        theta = 3 * np.pi * s + 2 * np.pi * k / classes
        X[start : start + count, 0] = s * np.cos(theta)
        X[start : start + count, 1] = s * np.sin(theta)
        y[start : start + count] = k
        start += count
    return X + source.normal(scale=noise, size=(n, 2)), y
