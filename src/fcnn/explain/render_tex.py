"""A trace's equations in LaTeX, one function per equation, without the ``$…$`` around
them: the Markdown rendering places them in its tables and display blocks.

``f`` is a number format with an ASCII minus (``number_format(..., tex=True)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .render_common import Format, _, formula

if TYPE_CHECKING:
    from .records import ParamTrace, Trace, UnitTrace


def name(name: str) -> str:
    """``w5`` → ``w_{5}``, ``i1`` → ``i_{1}``, ``h1`` → ``out_{h1}`` (a unit's output)."""
    if name[0] in "wbi" and name[1:].isdigit():
        return f"{name[0]}_{{{name[1:]}}}"
    return f"out_{{{name}}}"


def partial(top: str, bottom: str) -> str:
    """``∂top/∂bottom`` as a fraction."""
    return f"\\frac{{\\partial {top}}}{{\\partial {bottom}}}"


def net_input(u: UnitTrace) -> str:
    """``net_{h1} = w_{1} i_{1} + w_{2} i_{2} + b_{1}``."""
    net = " + ".join(f"{name(w)} {name(s)}" for w, s in zip(u.weights, u.inputs, strict=True))
    if u.bias:
        net += f" + {name(u.bias)}"
    return f"net_{{{u.name}}} = {net}"


def output(u: UnitTrace) -> str:
    """``out_{h1} = \\sigma(net_{h1})``."""
    return f"out_{{{u.name}}} = {formula(u.out_tex)}"


def dE_dout(trace: Trace, u: UnitTrace, f: Format) -> str:
    """∂E/∂out of a unit: the sum over the units it feeds, or the loss's derivative."""
    head = f"{partial('E', f'out_{{{u.name}}}')} = "
    if u.downstream:
        symbols = " + ".join(f"\\delta_{{{d.unit}}} {name(d.weight)}" for d in u.downstream)
        numbers = " + ".join(
            f"{f(d.delta, True)} \\times {f(d.weight_value, True)}" for d in u.downstream
        )
        return f"{head}\\sum_k \\delta_k w_k = {symbols} = {numbers} = {f(u.dE_dout)}"
    if trace.loss_name == "mse_half":
        return (
            f"{head}out_{{{u.name}}} - target_{{{u.name}}} = {f(u.out)} - "
            f"{f(trace.targets[u.name], True)} = {f(u.dE_dout)}"
        )
    formula = f"{u.loss_gradient_tex} = " if u.loss_gradient_tex else ""
    return f"{head}{formula}{f(u.dE_dout)}"


def dout_dnet(u: UnitTrace, f: Format) -> str:
    """The activation's derivative, its formula left out where it is just the number."""
    slope = f(u.dout_dnet)
    rule = "" if u.derivative_tex == slope else f"{formula(u.derivative_tex)} = "
    return f"{partial(f'out_{{{u.name}}}', f'net_{{{u.name}}}')} = {rule}{slope}"


def delta(u: UnitTrace, f: Format) -> str:
    """``δ = ∂E/∂net = ∂E/∂out × ∂out/∂net``."""
    return (
        f"\\delta_{{{u.name}}} = {partial('E', f'net_{{{u.name}}}')}"
        f" = {f(u.dE_dout, True)} \\times {f(u.dout_dnet, True)} = {f(u.delta)}"
    )


def gradient(p: ParamTrace, f: Format) -> str:
    """∂E/∂p as the sum of its chain-rule products, symbols then numbers."""
    p_name = name(p.name)
    chains = " + ".join(
        partial("E", f"out_{{{c.unit}}}")
        + partial(f"out_{{{c.unit}}}", f"net_{{{c.unit}}}")
        + partial(f"net_{{{c.unit}}}", p_name)
        for c in p.factors
    )
    numbers = " + ".join(
        f"{f(c.dE_dout, True)} \\times {f(c.dout_dnet, True)} \\times {f(c.dnet_dparam, True)}"
        for c in p.factors
    )
    return f"{partial('E', p_name)} = {chains} = {numbers} = {f(p.chain_rule)}"


def update(trace: Trace, p: ParamTrace, f: Format) -> str:
    """The SGD step ``p⁺ = p − η ∂E/∂p``, or the value kept."""
    p_name = name(p.name)
    if not p.is_updated:
        kept = _(" (not updated)")
        return f"{p_name} = {f(p.value)} \\text{{{kept}}}"
    return (
        f"{p_name}^{{+}} = {p_name} - \\eta {partial('E', p_name)} = "
        f"{f(p.value)} - {f(trace.lr, True)} \\times {f(p.gradient, True)} = {f(p.updated)}"
    )
