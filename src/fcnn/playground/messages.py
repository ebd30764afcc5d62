"""The check of every frame the page sends over the WebSocket, and the frames' JSON.

:func:`check_message` parses one text frame and checks its shape: a JSON object (no
NaN or Infinity) of a known ``type`` with exactly the keys that type takes
(:data:`MESSAGES`), and the fields of a ``set_weight`` and a ``backprop``. A bad frame raises
:class:`MessageError`, which the server answers with an ``error`` message. The values of
a ``config`` message are checked by the session (``config.validate``).
"""

from __future__ import annotations

import json
from typing import Any

from .. import checks
from ..i18n import LANGUAGES, translator
from .config import LIMITS

_ = translator("playground")

__all__ = ["MESSAGES", "MessageError", "check_message", "dumps", "error"]

# Message types and the keys each may carry besides "type": required, optional.
MESSAGES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "config": (frozenset({"config"}), frozenset()),
    "play": (frozenset(), frozenset()),
    "pause": (frozenset(), frozenset()),
    "step": (frozenset(), frozenset()),
    "reset": (frozenset(), frozenset()),
    "regenerate": (frozenset(), frozenset()),
    "set_weight": (frozenset({"layer", "kind", "to", "value"}), frozenset({"from"})),
    "ping": (frozenset(), frozenset()),
    "language": (frozenset({"lang"}), frozenset()),
    "backprop": (frozenset({"source"}), frozenset({"index"})),
    "draw": (frozenset({"task", "x", "y"}), frozenset()),  # checked by drawn.py
    "surface": (frozenset({"directions"}), frozenset({"a", "b"})),  # by surface.py
}


class MessageError(ValueError):
    """A frame the server refuses; ``field`` is the config key at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _reject_constant(name: str) -> Any:
    raise MessageError(
        _("The message contains {name}, which is not a JSON number.").format(name=name)
    )


def check_message(text: str) -> dict[str, Any]:
    """Parse and check one text frame; return the message object.

    Raises
    ------
    MessageError
        For a frame over 2 MB, text that is not JSON (NaN and Infinity included), a
        value that is not an object, a missing or unknown ``type``, an unknown or missing
        key, and a ``set_weight`` field of the wrong type. Config values are checked by
        the session (``config.validate``).
    """
    limit = LIMITS["frame_bytes"]
    if len(text) > limit or len(text.encode("utf-8")) > limit:
        megabytes = limit // (1024 * 1024)
        raise MessageError(_("The message is larger than {mb} MB.").format(mb=megabytes))
    try:
        message = json.loads(text, parse_constant=_reject_constant)
    except MessageError:
        raise
    except (ValueError, RecursionError) as err:
        raise MessageError(
            _("The message is not valid JSON ({error}).").format(error=err)
        ) from None
    if not isinstance(message, dict):
        got = type(message).__name__
        raise MessageError(_("A message must be a JSON object, got {got}.").format(got=got))
    kind = message.get("type")
    if not isinstance(kind, str):
        # no fields: the example's braces are literal
        raise MessageError(_('A message needs a "type" string, e.g. {"type": "ping"}.'))
    if kind not in MESSAGES:
        raise MessageError(
            _("Unknown message type {got}; known: {known}.").format(
                got=repr(kind[:40]), known=", ".join(MESSAGES)
            )
        )
    required, optional = MESSAGES[kind]
    for key in message:
        if key != "type" and key not in required and key not in optional:
            text = _("A {kind} message has no key {key}.")
            raise MessageError(text.format(kind=kind, key=repr(str(key)[:40])))
    for key in sorted(required):
        if key not in message:
            text = _("A {kind} message needs the key {key}.")
            raise MessageError(text.format(kind=kind, key=repr(key)))
    if kind == "config" and not isinstance(message["config"], dict):
        raise MessageError(_("config must be an object of config keys and values."))
    if kind == "language" and message["lang"] not in LANGUAGES:
        text = _("lang must be one of {choices}, got {got}.")
        raise MessageError(
            text.format(choices=", ".join(LANGUAGES), got=repr(message["lang"])[:40])
        )
    if kind == "set_weight":
        _check_set_weight(message)
    if kind == "backprop":
        _check_backprop(message)
    return message


def _check_set_weight(message: dict[str, Any]) -> None:
    for key in ("layer", "to"):
        if not checks.is_int(message[key]) or message[key] < 0:
            text = _("set_weight: {key} must be a non-negative integer.")
            raise MessageError(text.format(key=key))
    if message["kind"] not in ("weight", "bias"):
        raise MessageError(_('set_weight: kind must be "weight" or "bias".'))
    source = message.get("from")
    if message["kind"] == "weight":
        if not checks.is_int(source) or source < 0:
            raise MessageError(_("set_weight: from must be a non-negative integer for a weight."))
    elif source is not None:
        raise MessageError(_("set_weight: from must be omitted (or null) for a bias."))
    value = message["value"]
    if not checks.is_real(value):
        raise MessageError(_("set_weight: value must be a number."))
    bound = LIMITS["max_abs_weight"]
    if not abs(value) <= bound:  # also false for NaN
        text = _("set_weight: value must be within ±{bound}, got {got}.")
        raise MessageError(text.format(bound=bound, got=repr(value)))


def _check_backprop(message: dict[str, Any]) -> None:
    # "preset": the notes' 2-2-2 example; "point": training point `index` (backprop.py)
    if message["source"] not in ("preset", "point"):
        raise MessageError(_('backprop: source must be "preset" or "point".'))
    index = message.get("index")
    if message["source"] == "point":
        if not checks.is_int(index) or index < 0:
            raise MessageError(_("backprop: index must be a non-negative integer for a point."))
    elif index is not None:
        raise MessageError(_("backprop: index must be omitted (or null) for the preset."))


def dumps(message: dict[str, Any]) -> str:
    """A message as compact JSON text (NaN and infinity are refused: never sent)."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def error(message: str, field: str | None = None) -> dict[str, Any]:
    """The ``error`` message: one sentence for a person and the config key at fault."""
    return {"type": "error", "message": message, "field": field}
