"""What the text and Markdown renderings share: numbers to so many decimals, the words
that head a section or name what a parameter connects, and padding by display width.

Every sentence is a message of the ``explain`` catalog, looked up when the trace is
rendered (so ``fcnn.set_language("zh")`` changes the next ``to_text()``); the numbers are
formatted before they go into a message, by the same code in every language.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.cells import cell_len

from .. import checks
from ..i18n import N_, translator

if TYPE_CHECKING:
    from .records import ParamTrace, Trace

MAX_DIGITS = 17
"""Decimals a float64 can mean; more would print noise."""

_ = translator("explain")


def counted(n: int, one: str, many: str, **fields: object) -> str:
    """``one`` or ``many`` (both marked with ``N_``) for a count ``n``, said in the current
    language. fcnn speaks English (one and many) and Chinese (one form for every count),
    so two plain messages chosen by the count do what ``ngettext`` would."""
    return _(one if n == 1 else many).format(n=n, **fields)


Format = Callable[..., str]
"""``f(value, wrap=False)``: a number as a rendering prints it."""


def number_format(where: str, digits: int, tex: bool = False) -> Format:
    """``f(v, wrap=False)``: ``v`` to ``digits`` decimals, trailing zeros trimmed; tiny or huge
    values in scientific notation; negatives in parentheses when ``wrap`` (inside a product).
    The minus sign is U+2212 in text and ASCII in LaTeX."""
    digits = checks.positive_int(where, "digits", digits)
    checks.real(where, "digits", digits, low=1, high=MAX_DIGITS)  # an int within its range

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


# The only words inside the rules' formulas (a piecewise activation such as LeakyReLU:
# "net if net > 0, else 0.01·net", "\\text{ if }" in LaTeX).
FORMULA_WORDS = (N_(" if "), N_(", else "))


def formula(text: str) -> str:
    """A rule's formula (text or LaTeX) with its few words in the current language."""
    for word in FORMULA_WORDS:
        text = text.replace(word, _(word))
    return text


def network(trace: Trace) -> tuple[str, str]:
    """``("2-2-2", "Linear(2→2) → Sigmoid → …")``."""
    return "-".join(map(str, trace.sizes)), " → ".join(trace.layers)


def bias_note(trace: Trace) -> str:
    """``"8 weights, 2 biases (one per layer, shared by its units; not updated)"``."""
    n_w = sum(p.kind == "weight" for p in trace.params.values())
    n_b = len(trace.params) - n_w
    weights = counted(n_w, N_("{n} weight"), N_("{n} weights"))
    if not n_b:
        return weights
    biases = counted(n_b, N_("{n} bias"), N_("{n} biases"))
    notes = [_("one per layer, shared by its units")] if trace.shared_biases else []
    notes += [] if trace.update_biases else [_("not updated")]
    if not notes:
        return _("{weights}, {biases}").format(weights=weights, biases=biases)
    return _("{weights}, {biases} ({notes})").format(
        weights=weights, biases=biases, notes=_("; ").join(notes)
    )


def parameters_line(trace: Trace) -> str:
    """``"10 parameters: 8 weights, 2 biases (…)"``."""
    n = len(trace.params)
    return counted(
        n, N_("{n} parameter: {note}"), N_("{n} parameters: {note}"), note=bias_note(trace)
    )


def section_title(trace: Trace, layer: int) -> str:
    """``"output layer (o1, o2)"``, ``"hidden layer (h1, h2)"`` or ``"hidden layer 2 (…)"``."""
    names = ", ".join(u.name for u in trace.layer_units(layer))
    if layer == trace.n_layers:
        return _("output layer ({names})").format(names=names)
    if trace.n_layers > 2:
        return _("hidden layer {layer} ({names})").format(layer=layer, names=names)
    return _("hidden layer ({names})").format(names=names)


def backward_heading(trace: Trace, number: int, layer: int) -> str:
    """``"3. Backward pass, output layer (o1, o2)"``."""
    return _("{number}. Backward pass, {layer}").format(
        number=number, layer=section_title(trace, layer)
    )


def connects(p: ParamTrace) -> str:
    """``"h1 → o1"`` for a weight, ``"bias of o1, o2"`` for a bias."""
    if p.kind == "weight":
        return f"{p.source} → {p.units[0]}"
    return _("bias of {units}").format(units=", ".join(p.units))


def param_label(p: ParamTrace) -> str:
    """What a parameter connects and where it sits: ``"h1 → o1; 2.weight[0, 0]"``."""
    where = ", ".join(f"{p.tensor}[{', '.join(map(str, e))}]" for e in p.entries)
    return f"{connects(p)}; {where}"


def kept(p: ParamTrace) -> str:
    """The summary's mark on a parameter the step left alone."""
    return "" if p.is_updated else _(" (kept)")


def summary_header() -> list[str]:
    """The headings of the summary table, text and Markdown alike."""
    return [
        _("param"),
        _("connects"),
        _("value"),
        _("∂E/∂p chain rule"),
        _("∂E/∂p backward"),
        _("after step"),
    ]


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns; a Chinese character takes two."""
    return text + " " * max(width - cell_len(text), 0)


def width(text: str) -> int:
    """Terminal columns ``text`` takes (2 per CJK character)."""
    return cell_len(text)
