"""Argument checks shared by the data-set generators and loaders (private)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..core import default_rng, get_rng

RandomSource = np.random.Generator | np.random.RandomState


def check_n(who: str, n: Any, minimum: int = 1) -> int:
    """``n`` as a Python int, or a ValueError naming the call."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < minimum:
        raise ValueError(f"{who}(n={n!r}): n must be an integer >= {minimum}")
    return int(n)


def check_noise(who: str, noise: Any, *, name: str = "noise", upper: float | None = None) -> float:
    """``noise`` as a finite float >= 0 (and <= ``upper`` when given)."""
    if (
        isinstance(noise, bool)
        or not isinstance(noise, numbers.Real)
        or not np.isfinite(noise)
        or noise < 0
        or (upper is not None and noise > upper)
    ):
        bound = "a finite number >= 0" if upper is None else f"a number in [0, {upper:g}]"
        raise ValueError(f"{who}({name}={noise!r}): {name} must be {bound}")
    return float(noise)


def generator(who: str, seed: Any, rng: Any) -> np.random.Generator:
    """The ``np.random.Generator`` for the ``seed=`` / ``rng=`` pair (see ``fcnn.core.get_rng``)."""
    try:
        return get_rng(rng, seed)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{who}: {error}") from None


def legacy_state(who: str, seed: Any, random_state: Any) -> RandomSource:
    """The random source of the scikit-learn-compatible generators.

    Follows scikit-learn's ``check_random_state``: an int seeds a fresh legacy
    ``RandomState`` (so the draws are scikit-learn's), a ``RandomState`` or a
    ``Generator`` is used as it is. With neither ``seed`` nor ``random_state`` the
    library's default generator is used (``fcnn.seed``), never NumPy's global state.
    """
    if seed is not None and random_state is not None:
        raise ValueError(f"{who}: pass either seed= or random_state=, not both")
    source = seed if random_state is None else random_state
    if source is None:
        return default_rng()
    if isinstance(source, (np.random.RandomState, np.random.Generator)):
        return source
    if isinstance(source, bool) or not isinstance(source, numbers.Integral) or source < 0:
        raise ValueError(
            f"{who}: seed/random_state={source!r}: expected a non-negative integer, "
            "a numpy.random.RandomState or a numpy.random.Generator"
        )
    return np.random.RandomState(int(source))


def split_counts(n: int, parts: int) -> list[int]:
    """``n`` items shared among ``parts`` as evenly as possible, the first ones one larger."""
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]
