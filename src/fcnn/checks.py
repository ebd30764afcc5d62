"""Floor 1: the argument checks every floor shares, with one wording.

Each check returns the value in its plain Python form (``int``, ``float``, ``bool``,
``np.dtype``) or raises with a message of one shape, the one docs/architecture.md asks for::

    Dropout(p=1.5): p must be in [0, 1)

``where`` names the call (a class, ``fit``, ``mlp``); ``name`` the argument. A value of
the wrong type raises ``TypeError``; a value of the right type but out of range,
``ValueError``. The message is an :class:`fcnn.i18n.Message` of the ``checks`` catalog,
so it reads in Chinese where fcnn speaks Chinese (``fcnn --lang zh``): what a value must
be (``a positive integer``, ``in [0, 1)``) is translated when it is one of the phrases
marked here; a phrase a caller wrote itself is shown as written.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from .i18n import N_, Message, get_language

__all__ = [
    "FLOAT_DTYPES",
    "check_finite",
    "choice",
    "flag",
    "float_dtype",
    "is_int",
    "is_real",
    "non_negative_int",
    "positive_int",
    "real",
    "refusal",
    "said_of",
]

# The two dtypes the engine's numerics are proven for.
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def is_int(value: Any) -> bool:
    """An integer (Python or NumPy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_real(value: Any) -> bool:
    """A real number (Python or NumPy int or float), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def refusal(error: type[Exception], where: str, name: str, value: Any, what: str) -> Exception:
    """The error (not raised) for ``value`` of argument ``name`` of ``where``, in the one
    wording: ``refusal(TypeError, "f", "x", "a", "a dict")`` says
    ``f(x='a'): x must be a dict, got str``. For checks this module has no function for."""
    call = f"{where}({name}={value!r})"
    if error is TypeError:
        template = N_("{call}: {name} must be {what}, got {type}")
        return error(
            Message(
                "checks",
                template,
                call=call,
                name=name,
                what=_what(what),
                type=type(value).__name__,
            )
        )
    return error(
        Message(
            "checks", N_("{call}: {name} must be {what}"), call=call, name=name, what=_what(what)
        )
    )


# The refusal said of a call whose name is the whole story (a command-line flag): no
# argument name after it. Keyed by the refusal's own template.
_WITHOUT_NAME = {
    N_("{call}: {name} must be {what}, got {type}"): N_("{call}: must be {what}, got {type}"),
    N_("{call}: {name} must be {what}"): N_("{call}: must be {what}"),
}


def said_of(error: Exception, call: str) -> Exception | None:
    """A refusal from this module said of ``call`` instead (``fcnn train`` names the flag
    the user typed: ``--dropout 1.5: must be in [0, 1)``), in the same language machinery;
    None for an error that is not such a refusal."""
    message = error.args[0] if error.args else None
    if not isinstance(message, Message) or message.template not in _WITHOUT_NAME:
        return None
    fields = dict(message.fields, call=call)
    return type(error)(Message("checks", _WITHOUT_NAME[message.template], **fields))


class _Phrase(Message):
    """What a value must be, as a caller wrote it: translated when the ``checks`` catalog
    has it, else kept in English and, in a language that writes no spaces between words,
    set off by a space from the translated sentence around it."""

    __slots__ = ()

    def __str__(self) -> str:
        said = super().__str__()
        return f" {said}" if said == self.template and get_language() != "en" else said


def _what(what: str | Message) -> Message:
    return what if isinstance(what, Message) else _Phrase("checks", what)


def _int_at_least(where: str, name: str, value: Any, minimum: int, what: str) -> int:
    if not is_int(value):
        raise refusal(TypeError, where, name, value, what)
    if value < minimum:
        raise refusal(ValueError, where, name, value, what)
    return int(value)


def positive_int(where: str, name: str, value: Any) -> int:
    """``value`` as an ``int`` >= 1."""
    return _int_at_least(where, name, value, 1, N_("a positive integer"))


def non_negative_int(where: str, name: str, value: Any) -> int:
    """``value`` as an ``int`` >= 0."""
    return _int_at_least(where, name, value, 0, N_("a non-negative integer"))


def _interval(
    low: float | None, high: float | None, low_open: bool, high_open: bool
) -> str | Message:
    if low is not None and high is not None:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        return Message("checks", N_("in {interval}"), interval=interval)
    if low is not None:
        return Message(
            "checks", N_("{relation} {bound}"), relation=">" if low_open else ">=", bound=f"{low:g}"
        )
    assert high is not None
    return Message(
        "checks", N_("{relation} {bound}"), relation="<" if high_open else "<=", bound=f"{high:g}"
    )


def real(
    where: str,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite ``float``, within ``[low, high]`` when they are given
    (``low_open`` / ``high_open`` leave out that end)."""
    if not is_real(value):
        raise refusal(TypeError, where, name, value, N_("a real number"))
    given, value = value, float(value)
    if not math.isfinite(value):
        raise refusal(ValueError, where, name, given, N_("finite"))
    if low is None and high is None:
        return value
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        raise refusal(ValueError, where, name, given, _interval(low, high, low_open, high_open))
    return value


def flag(where: str, name: str, value: Any) -> bool:
    """``value`` as a ``bool`` (Python's or NumPy's)."""
    if not isinstance(value, (bool, np.bool_)):
        raise refusal(TypeError, where, name, value, N_("True or False"))
    return bool(value)


def choice(where: str, name: str, value: Any, options: Iterable[str]) -> str:
    """``value``, one of the strings ``options``."""
    options = list(options)
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(option) for option in options)
        error = ValueError if isinstance(value, str) else TypeError
        raise refusal(
            error, where, name, value, Message("checks", N_("one of {options}"), options=listed)
        )
    return value


def float_dtype(where: str, name: str, value: Any) -> np.dtype:
    """``value`` as ``np.dtype(float32)`` or ``np.dtype(float64)``; None means float32.

    float16 and integer dtypes are refused: the engine's numerics are proven for these
    two only.
    """
    if value is None:
        return FLOAT_DTYPES[0]
    try:
        resolved = np.dtype(value)
    except TypeError:
        raise refusal(TypeError, where, name, value, N_("float32 or float64")) from None
    if resolved not in FLOAT_DTYPES:
        raise refusal(TypeError, where, name, value, N_("float32 or float64"))
    return resolved


# --------------------------------------------------------------------------- arrays


def check_finite(name: str, array: np.ndarray) -> None:
    """Raise ValueError naming the first NaN/inf of ``array`` by row and column."""
    if array.dtype.kind != "f":
        return
    bad = ~np.isfinite(array)
    if not bad.any():
        return
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    if len(where) == 2:
        place = Message(
            "checks", N_("row {row}, column {column} (0-based)"), row=where[0], column=where[1]
        )
    else:
        place = Message("checks", N_("row {row} (0-based)"), row=where[0])
    template = N_(
        "{name}[{index}] is {value} at {place}; {count} non-finite value(s) in {name}: "
        "NaN and infinity cannot be trained on"
    )
    raise ValueError(
        Message(
            "checks",
            template,
            name=name,
            index=", ".join(map(str, where)),
            value=array[where],
            place=place,
            count=int(bad.sum()),
        )
    )
