"""A trace as plain Unicode text, laid out as the course notes write the worked example:
the forward pass, the loss, the backward pass layer by layer from the output, a summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import render_common as common
from .render_common import _

if TYPE_CHECKING:
    from .records import ParamTrace, Trace, UnitTrace


def render(trace: Trace, digits: int = 9) -> str:
    """The trace as text, the numbers to ``digits`` decimals (``Trace.to_text``)."""
    f = common.number_format("Trace.to_text", digits)
    col = max(5, *(len(name) + 1 for name in [*trace.units, *trace.params]))
    lines: list[str] = []
    add = lines.append

    def heading(text: str) -> None:
        add("")
        add(text)
        add("─" * common.width(text))

    def labelled(pairs: list[tuple[str, str]], at_least: int) -> None:
        """Lines of ``label  text``, the texts aligned whatever the labels' language."""
        indent = max(at_least, *(common.width(label) + 2 for label, _text in pairs))
        for label, text in pairs:
            add(common.pad(label, indent) + text)

    sizes, layers = common.network(trace)
    add(_("Backprop trace: one sample, one forward pass, one backward pass, one SGD step"))
    labelled(
        [
            (_("network"), f"{sizes}: {layers}"),
            ("", common.parameters_line(trace)),
            (_("loss"), trace.loss_formula),
            (_("rate"), f"η = {f(trace.lr)}"),
        ],
        at_least=10,
    )

    heading(_("1. Forward pass"))
    labelled(
        [
            (_("inputs"), ", ".join(f"{k} = {f(v)}" for k, v in trace.inputs.items())),
            (_("targets"), ", ".join(f"target_{k} = {f(v)}" for k, v in trace.targets.items())),
        ],
        at_least=9,
    )
    for layer in range(1, trace.n_layers + 1):
        add("")
        for unit in trace.layer_units(layer):
            add(f"{unit.name:<{col}}{_net(trace, unit, f)}")
            out = common.formula(unit.out_formula)
            add(f"{'':<{col}}out_{unit.name} = {out} = {f(unit.out)}")

    heading(_("2. Loss"))
    lines += _loss(trace, f)

    for number, layer in enumerate(range(trace.n_layers, 0, -1), start=3):
        heading(common.backward_heading(trace, number, layer))
        for unit in trace.layer_units(layer):
            for i, line in enumerate(_unit_backward(trace, unit, f)):
                add(f"{unit.name if i == 0 else '':<{col}}{line}")
        for param in trace.layer_params(layer):
            add("")
            add(f"{param.name:<{col}}{common.param_label(param)}")
            for line in _param(trace, param, f):
                add(" " * col + line)

    heading(_("Summary"))
    rows = [common.summary_header()]
    for p in trace.params.values():
        rows.append(
            [
                p.name,
                common.connects(p),
                f(p.value),
                f(p.chain_rule),
                f(p.gradient),
                f(p.updated) + common.kept(p),
            ]
        )
    widths = [max(common.width(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        add("  ".join(common.pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip())
    add("")
    add(
        _(
            "check: every chain-rule product equals model.backward's gradient "
            "(largest relative difference {difference:.1e})"
        ).format(difference=trace.max_discrepancy)
    )
    return "\n".join(lines) + "\n"


def _net(trace: Trace, u: UnitTrace, f: common.Format) -> str:
    """``net_h1 = w1·i1 + w2·i2 + b1 = 0.15×0.05 + … = 0.3775``; a long sum by its ends."""
    symbols = [
        f"{w}·{s if s in trace.inputs else 'out_' + s}"
        for w, s in zip(u.weights, u.inputs, strict=True)
    ]
    numbers = [
        f"{f(trace.params[w].value, True)}×{f(trace.value_of(s), True)}"
        for w, s in zip(u.weights, u.inputs, strict=True)
    ]
    if u.bias:
        symbols.append(u.bias)
        numbers.append(f(trace.params[u.bias].value, True))
    if len(symbols) > 5:  # a long sum: the ends only, and the value
        return f"net_{u.name} = {symbols[0]} + … + {symbols[-1]} = {f(u.net)}"
    return f"net_{u.name} = {' + '.join(symbols)} = {' + '.join(numbers)} = {f(u.net)}"


def _loss(trace: Trace, f: common.Format) -> list[str]:
    """The loss per output unit and in total; the notes' ½(target − out)² term by term."""
    if trace.loss_name != "mse_half":
        lines = [f"E_{name} = {f(term)}" for name, term in trace.loss_terms.items()]
        return [*lines, f"E = {f(trace.loss)}"]
    lines = []
    for name, term in trace.loss_terms.items():
        out, target = trace.units[name].out, trace.targets[name]
        lines.append(
            f"E_{name} = ½(target_{name} − out_{name})² = ½({f(target)} − {f(out)})² = {f(term)}"
        )
    total = " + ".join("E_" + k for k in trace.loss_terms)
    return [*lines, f"E_total = {total} = {f(trace.loss)}"]


def _unit_backward(trace: Trace, u: UnitTrace, f: common.Format) -> list[str]:
    """∂E/∂out, ∂out/∂net and δ = ∂E/∂net of one unit, a line or two each."""
    head = f"∂E/∂out_{u.name} = "
    cont = " " * (len(head) - 2) + "= "
    if u.downstream:  # a hidden unit: the sum over the units it feeds
        lines = [
            head
            + f"Σₖ δₖ·∂net_k/∂out_{u.name} = "
            + " + ".join(f"δ_{d.unit}·{d.weight}" for d in u.downstream),
            cont
            + " + ".join(f"{f(d.delta, True)}×{f(d.weight_value, True)}" for d in u.downstream),
        ]
        if len(u.downstream) > 1:  # each term is the notes' ∂E_k/∂out_j
            lines.append(cont + " + ".join(f(d.product, True) for d in u.downstream))
        lines[-1] += f" = {f(u.dE_dout)}"
    elif trace.loss_name == "mse_half":
        target = f(trace.targets[u.name], True)
        lines = [f"{head}out_{u.name} − target_{u.name} = {f(u.out)} − {target} = {f(u.dE_dout)}"]
    elif u.loss_gradient_formula:
        lines = [f"{head}{u.loss_gradient_formula} = {f(u.dE_dout)}"]
    else:
        lines = [head + _("{value}  (from the loss's backward)").format(value=f(u.dE_dout))]
    d_name = f"∂out_{u.name}/∂net_{u.name}"
    slope = f(u.dout_dnet)
    formula = "" if u.derivative_formula == slope else f"{common.formula(u.derivative_formula)} = "
    lines.append(f"{d_name} = {formula}{slope}")
    lines.append(
        f"δ_{u.name} = ∂E/∂net_{u.name} = ∂E/∂out_{u.name} · {d_name} = "
        f"{f(u.dE_dout, True)} × {f(u.dout_dnet, True)} = {f(u.delta)}"
    )
    return lines


def _param(trace: Trace, p: ParamTrace, f: common.Format) -> list[str]:
    """A parameter's chain rule, its numbers, and its step (or why it has none)."""
    name = p.name
    chains = [
        f"∂E/∂out_{c.unit} · ∂out_{c.unit}/∂net_{c.unit} · ∂net_{c.unit}/∂{name}" for c in p.factors
    ]
    lines = [f"∂E/∂{name} = {' + '.join(chains)}"]
    pad = " " * (len(name) + 5)
    if len(p.factors) > 1:  # a shared bias: one chain per unit it feeds
        units = ", ".join(c.unit for c in p.factors)
        lines[0] = f"∂E/∂{name} = Σⱼ ∂E/∂out_j · ∂out_j/∂net_j · ∂net_j/∂{name}  (j = {units})"
        lines.append(f"{pad}= {' + '.join(f'δ_{c.unit}·1' for c in p.factors)}")
        lines.append(
            f"{pad}= {' + '.join(f(c.product, True) for c in p.factors)} = {f(p.chain_rule)}"
        )
    else:
        (c,) = p.factors
        numbers = f"{f(c.dE_dout, True)} × {f(c.dout_dnet, True)} × {f(c.dnet_dparam, True)}"
        lines.append(f"{pad}= {numbers} = {f(p.chain_rule)}")
    if p.is_updated:
        lines.append(
            f"{name}⁺ = {name} − η·∂E/∂{name} = {f(p.value)} − {f(trace.lr, True)} × "
            f"{f(p.gradient, True)} = {f(p.updated)}"
        )
    else:
        lines.append(
            _("{name} is not updated (update_biases=False): stays {value}").format(
                name=name, value=f(p.value)
            )
        )
    return lines
