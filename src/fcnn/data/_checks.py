"""Argument checks shared by the data-set generators and loaders (private)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import checks
from ..core import default_rng, get_rng
from ..i18n import N_, Message

RandomSource = np.random.Generator | np.random.RandomState


def refuse(what: str, who: str, name: str, value: Any, **fields: Any) -> ValueError:
    """The ValueError (not raised) ``who(name=value): name must be <what>``, ``what`` a
    phrase of the data catalog marked ``N_`` by the caller (its fields in ``fields``)."""
    return checks.refusal(ValueError, who, name, value, Message("data", what, **fields))


def integer_at_least(who: str, name: str, value: Any, minimum: int) -> int:
    """``value`` as a Python int >= ``minimum``, or a ValueError naming the call."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise refuse(N_("an integer >= {minimum}"), who, name, value, minimum=minimum)
    return int(value)


def check_n(who: str, n: Any, minimum: int = 1) -> int:
    """``n`` as a Python int, or a ValueError naming the call."""
    return integer_at_least(who, "n", n, minimum)


def check_noise(who: str, noise: Any, *, name: str = "noise", upper: float | None = None) -> float:
    """``noise`` as a finite float >= 0 (and <= ``upper`` when given)."""
    if (
        isinstance(noise, bool)
        or not isinstance(noise, numbers.Real)
        or not np.isfinite(noise)
        or noise < 0
        or (upper is not None and noise > upper)
    ):
        if upper is None:
            raise refuse(N_("a finite number >= 0"), who, name, noise)
        raise refuse(N_("a number in [0, {upper:g}]"), who, name, noise, upper=upper)
    return float(noise)


def generator(who: str, seed: Any, rng: Any) -> np.random.Generator:
    """The ``np.random.Generator`` for the ``seed=`` / ``rng=`` pair (see ``fcnn.core.get_rng``)."""
    return get_rng(rng, seed, where=who)


def legacy_seed(who: str, name: str, seed: Any) -> int:
    """A seed for NumPy's legacy ``RandomState``: an integer in [0, 2**32)."""
    seed = checks.non_negative_int(who, name, seed)
    if seed >= 2**32:  # RandomState's own limit
        raise checks.refusal(ValueError, who, name, seed, "an integer in [0, 2**32)")
    return seed


def legacy_state(who: str, seed: Any, random_state: Any) -> RandomSource:
    """The random source of the scikit-learn-compatible generators.

    Follows scikit-learn's ``check_random_state``: an int seeds a fresh legacy
    ``RandomState`` (so the draws are scikit-learn's), a ``RandomState`` or a
    ``Generator`` is used as it is. With neither ``seed`` nor ``random_state`` the
    library's default generator is used (``fcnn.seed``), never NumPy's global state.
    """
    if seed is not None and random_state is not None:
        template = N_("{who}: pass either seed= or random_state=, not both")
        raise ValueError(Message("data", template, who=who))
    source = seed if random_state is None else random_state
    if source is None:
        return default_rng()
    if isinstance(source, (np.random.RandomState, np.random.Generator)):
        return source
    name = "seed" if random_state is None else "random_state"
    if not checks.is_int(source):
        raise checks.refusal(
            TypeError,
            who,
            name,
            source,
            "an integer, a numpy.random.RandomState or a numpy.random.Generator",
        )
    return np.random.RandomState(legacy_seed(who, name, source))


def split_counts(n: int, parts: int) -> list[int]:
    """``n`` items shared among ``parts`` as evenly as possible, the first ones one larger."""
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]
