"""A trace as JSON: every field of the records, the floats at full precision."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .records import Trace

FORMAT, VERSION = "fcnn.explain", 1
"""What the ``format`` and ``version`` keys at the top of the JSON say."""


def to_dict(trace: Trace) -> dict[str, Any]:
    """Everything as plain JSON-able Python (``Trace.to_dict``)."""
    data = {"format": FORMAT, "version": VERSION, **dataclasses.asdict(trace)}
    for param in data["params"].values():
        param["entries"] = [list(e) for e in param["entries"]]  # JSON has no tuples
    return data


def to_json(trace: Trace, indent: int | None = 2) -> str:
    """:func:`to_dict` as JSON text (``Trace.to_json``)."""
    return json.dumps(to_dict(trace), indent=indent, ensure_ascii=False)
