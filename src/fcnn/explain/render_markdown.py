"""A trace as Markdown: the numbers in tables, the equations in LaTeX (from
``render_tex``) as ``$…$`` and ``$$…$$`` blocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import render_common as common
from . import render_tex as tex
from .render_common import _

if TYPE_CHECKING:
    from .records import Trace


def render(trace: Trace, digits: int = 9) -> str:
    """The trace as Markdown, the numbers to ``digits`` decimals (``Trace.to_markdown``)."""
    f = common.number_format("Trace.to_markdown", digits, tex=True)
    md: list[str] = []
    add = md.append
    sizes, layers = common.network(trace)
    value = _("value")
    add("# " + _("Backprop trace: one sample, one SGD step"))
    add("")
    add("- " + _("network: {sizes}, {layers}").format(sizes=sizes, layers=layers))
    add("- " + common.parameters_line(trace))
    add("- " + _("loss: {formula}").format(formula=f"${trace.loss_tex}$"))
    add("- " + _("learning rate: {rate}").format(rate=f"$\\eta = {f(trace.lr)}$"))
    add("")
    add("## " + _("1. Forward pass"))
    add("")
    add(f"| | {value} |")
    add("| --- | --- |")
    for k, v in trace.inputs.items():
        add("| " + _("{symbol} (input)").format(symbol=f"${tex.name(k)}$") + f" | {f(v)} |")
    for k, v in trace.targets.items():
        add(f"| $target_{{{k}}}$ | {f(v)} |")
    add("")
    add("| " + " | ".join([_("unit"), _("net input"), value, _("output"), value]) + " |")
    add("| --- | --- | --- | --- | --- |")
    for layer in range(1, trace.n_layers + 1):
        for u in trace.layer_units(layer):
            add(
                f"| {u.name} | ${tex.net_input(u)}$ | {f(u.net)} | ${tex.output(u)}$ | {f(u.out)} |"
            )
    add("")
    add("## " + _("2. Loss"))
    add("")
    add(f"$${trace.loss_tex}$$")
    add("")
    if trace.loss_terms:
        add("| " + _("term") + f" | {value} |")
        add("| --- | --- |")
        for name, term in trace.loss_terms.items():
            add(f"| $E_{{{name}}}$ | {f(term)} |")
        add(f"| $E_{{total}}$ | {f(trace.loss)} |")
    else:
        add(f"$E = {f(trace.loss)}$")
    for number, layer in enumerate(range(trace.n_layers, 0, -1), start=3):
        add("")
        add("## " + common.backward_heading(trace, number, layer))
        for u in trace.layer_units(layer):
            add("")
            add(f"**{u.name}**")
            add("")
            add(f"$${tex.dE_dout(trace, u, f)}$$")
            add(f"$${tex.dout_dnet(u, f)}$$")
            add(f"$${tex.delta(u, f)}$$")
        for p in trace.layer_params(layer):
            add("")
            add(_("{name} ({where})").format(name=f"**{p.name}**", where=common.param_label(p)))
            add("")
            add(f"$${tex.gradient(p, f)}$$")
            add(f"$${tex.update(trace, p, f)}$$")
    add("")
    add("## " + _("Summary"))
    add("")
    add("| " + " | ".join(common.summary_header()) + " |")
    add("| --- | --- | --- | --- | --- | --- |")
    for p in trace.params.values():
        add(
            f"| {p.name} | {common.connects(p)} | {f(p.value)} | {f(p.chain_rule)} | "
            f"{f(p.gradient)} | {f(p.updated)}{common.kept(p)} |"
        )
    add("")
    add(
        _(
            "Every chain-rule product equals the gradient of fcnn's own backward pass "
            "(largest relative difference {difference:.1e})."
        ).format(difference=trace.max_discrepancy)
    )
    return "\n".join(md) + "\n"
