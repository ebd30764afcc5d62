"""What the text and Markdown renderings share: numbers to so many decimals, and the
words that head a section or name what a parameter connects."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import checks

if TYPE_CHECKING:
    from .records import ParamTrace, Trace

MAX_DIGITS = 17
"""Decimals a float64 can mean; more would print noise."""

Format = Callable[..., str]
"""``f(value, wrap=False)``: a number as a rendering prints it."""


def number_format(where: str, digits: int, tex: bool = False) -> Format:
    """``f(v, wrap=False)``: ``v`` to ``digits`` decimals, trailing zeros trimmed; tiny or huge
    values in scientific notation; negatives in parentheses when ``wrap`` (inside a product).
    The minus sign is U+2212 in text and ASCII in LaTeX."""
    digits = checks.positive_int(where, "digits", digits)
    if digits > MAX_DIGITS:  # fcnn.checks has no integer range; its wording, by hand
        raise ValueError(f"{where}(digits={digits}): digits must be in [1, {MAX_DIGITS}]")

    def f(v: float, wrap: bool = False) -> str:
        v = float(v)
        if not math.isfinite(v):
            text = str(v)
        elif v != 0 and (abs(v) < 10.0 ** -(digits // 2 + 1) or abs(v) >= 1e7):
            text = f"{v:.{max(digits - 3, 2)}e}"
        else:
            text = f"{v:.{digits}f}".rstrip("0").rstrip(".")
            if text == "-0":
                text = "0"
        if not tex:
            text = text.replace("-", "−")
        return f"({text})" if wrap and text.startswith("−") else text

    return f


def network(trace: Trace) -> tuple[str, str]:
    """``("2-2-2", "Linear(2→2) → Sigmoid → …")``."""
    return "-".join(map(str, trace.sizes)), " → ".join(trace.layers)


def bias_note(trace: Trace) -> str:
    """``"8 weights, 2 biases (one per layer, shared by its units; not updated)"``."""
    n_w = sum(p.kind == "weight" for p in trace.params.values())
    n_b = len(trace.params) - n_w
    notes = ["one per layer, shared by its units"] if trace.shared_biases else []
    notes += [] if trace.update_biases else ["not updated"]
    note = f" ({'; '.join(notes)})" if notes else ""
    weights = f"{n_w} weight{'s' if n_w != 1 else ''}"
    return f"{weights}, {n_b} bias{'es' if n_b != 1 else ''}{note}" if n_b else weights


def section_title(trace: Trace, layer: int) -> str:
    """``"output layer (o1, o2)"``, ``"hidden layer (h1, h2)"`` or ``"hidden layer 2 (…)"``."""
    names = ", ".join(u.name for u in trace.layer_units(layer))
    if layer == trace.n_layers:
        return f"output layer ({names})"
    return f"hidden layer {layer} ({names})" if trace.n_layers > 2 else f"hidden layer ({names})"


def connects(p: ParamTrace) -> str:
    """``"h1 → o1"`` for a weight, ``"bias of o1, o2"`` for a bias."""
    if p.kind == "weight":
        return f"{p.source} → {p.units[0]}"
    return "bias of " + ", ".join(p.units)


def param_label(p: ParamTrace) -> str:
    """What a parameter connects and where it sits: ``"h1 → o1; 2.weight[0, 0]"``."""
    where = ", ".join(f"{p.tensor}[{', '.join(map(str, e))}]" for e in p.entries)
    return f"{connects(p)}; {where}"


def kept(p: ParamTrace) -> str:
    """The summary's mark on a parameter the step left alone."""
    return "" if p.is_updated else " (kept)"
