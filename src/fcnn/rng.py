"""Floor 1: the library's default random generator and the ``rng=`` / ``seed=`` rule.

Every layer that draws random numbers (initialisation, dropout masks) and is given
neither ``rng=`` nor ``seed=`` draws from one ``numpy.random.Generator`` that
:func:`seed` resets, as ``torch.manual_seed`` resets PyTorch's. NumPy's global state is
never used.
"""

from __future__ import annotations

import numpy as np

from . import checks
from .i18n import N_, Message

__all__ = ["default_rng", "get_rng", "seed"]

_default_generator = np.random.default_rng()


def seed(n: int) -> np.random.Generator:
    """Reset the library's default generator to ``np.random.default_rng(n)`` and return it.

    Every layer that draws random numbers and is given neither ``rng=`` nor ``seed=``
    draws from this generator.
    """
    global _default_generator
    _default_generator = np.random.default_rng(checks.non_negative_int("seed", "n", n))
    return _default_generator


def default_rng() -> np.random.Generator:
    """The library's default generator (see :func:`seed`)."""
    return _default_generator


def get_rng(
    rng: np.random.Generator | None = None, seed: int | None = None, *, where: str = "get_rng"
) -> np.random.Generator:
    """Resolve the ``rng=`` / ``seed=`` pair every random-drawing API accepts.

    ``rng`` wins when given; ``seed`` makes a fresh ``default_rng(seed)``; neither means
    the library default generator. ``where`` names the caller in error messages.
    """
    if rng is not None and seed is not None:
        template = N_("{where}: pass either rng= or seed=, not both")
        raise ValueError(Message("checks", template, where=where))
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            template = N_("{where}(rng={rng!r}): rng must be a numpy.random.Generator, got {type}")
            raise TypeError(
                Message("checks", template, where=where, rng=rng, type=type(rng).__name__)
            )
        return rng
    if seed is not None:
        return np.random.default_rng(checks.non_negative_int(where, "seed", seed))
    return _default_generator
