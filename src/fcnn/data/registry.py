"""The 2-D data sets by name, for the command line and the playground."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..i18n import N_, Message
from . import toy
from .tfplayground import PLAYGROUND_CLASSIFICATION, PLAYGROUND_REGRESSION, playground

__all__ = ["DATASETS", "REGRESSION", "load"]


def _playground_set(name: str) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    def make(
        n: int = 500, noise: float = 0, seed: int | None = None, *, rng: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        return playground(name, n, noise, seed, rng=rng)

    make.__name__ = make.__qualname__ = f"playground_{name}"
    make.__doc__ = f"The Neural Network Playground's {name!r} set: ``playground({name!r}, ...)``."
    return make


#: Every two-dimensional data set by name; each returns ``(X (n, 2) float64, y (n,))``.
DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "planar": toy.planar,
    "noisy_circles": toy.noisy_circles,
    "noisy_moons": toy.noisy_moons,
    "blobs": toy.blobs,
    "gaussian_quantiles": toy.gaussian_quantiles,
    "no_structure": toy.no_structure,
    "circles": toy.circles,
    "moons": toy.moons,
    "xor": toy.xor,
    "spirals": toy.spirals,
    **{
        f"playground_{name}": _playground_set(name)
        for name in PLAYGROUND_CLASSIFICATION + PLAYGROUND_REGRESSION
    },
}

#: The names in :data:`DATASETS` whose ``y`` is a float64 regression target.
REGRESSION: frozenset[str] = frozenset(f"playground_{name}" for name in PLAYGROUND_REGRESSION)


def load(name: str, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Make the data set ``name`` of :data:`DATASETS`, passing ``kwargs`` to its generator.

    >>> X, y = load("moons", n=300, noise=0.2, seed=3)
    """
    try:
        maker = DATASETS[name]
    except (KeyError, TypeError):
        template = N_("load(name={name!r}): unknown data set; expected one of {names}")
        names = ", ".join(DATASETS)
        raise ValueError(Message("data", template, name=name, names=names)) from None
    return maker(**kwargs)
