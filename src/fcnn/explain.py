"""Floor 3: the step-by-step backprop trace of a small network, for one sample.

``explain(model, x, target)`` does on a float64 copy of ``model`` what the course notes
do by hand: one forward pass, the loss, one backward pass and one SGD step. It records
the net input and output of every unit, the loss, and for every weight and bias the
chain-rule factors ``∂E/∂out · ∂out/∂net · ∂net/∂w`` (for a hidden unit ``∂E/∂out`` is
itself a sum over the units it feeds, ``Σₖ δₖ·wₖⱼ`` with ``δₖ = ∂E/∂netₖ``), the gradient
and the value after the step. The factors are computed explicitly, for display; their
products are then checked against the library's own ``model.backward`` and the steps
against ``fcnn.optim.SGD``, and any disagreement raises ``RuntimeError``. The trace
reports both, so a reader sees that the formula and the engine agree.

Names follow the notes: inputs ``i1, i2, …``; hidden units ``h1, h2, …`` (``h1.1, h1.2,
…, h2.1, …`` with several hidden layers); outputs ``o1, o2, …``; weights ``w1, w2, …``
numbered layer by layer in the order of ``Linear.weight`` (row = receiving unit, column
= sending unit, so ``net_h1 = w1·i1 + w2·i2 + b1``); biases ``b1, b2, …`` per unit, or
one per layer with ``shared_biases=True``.

``classic_example()`` builds the notes' worked 2-2-2 example (inputs 0.05, 0.10, targets
0.01, 0.99, sigmoid units, E = ½Σ(target − out)², η = 0.5). Its two biases are shared by
the units of their layer and left out of the update: in fcnn they are ``Linear`` biases
whose entries start equal, traced with ``shared_biases=True`` (one parameter per layer,
gradient ``Σⱼ δⱼ``) and ``update_biases=False``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .activations import (
    ELU,
    GELU,
    SELU,
    Identity,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from .core import Module
from .layers import BatchNorm1d, Dropout, Linear, Sequential
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Loss,
    MSELoss,
    NLLLoss,
    get_loss,
)
from .optim import SGD

__all__ = [
    "LOSS_NAMES",
    "MAX_PARAMETERS",
    "ClassicExample",
    "Downstream",
    "Factor",
    "ParamTrace",
    "Trace",
    "UnitTrace",
    "classic_example",
    "explain",
]

MAX_PARAMETERS = 100
"""The largest model ``explain`` traces by default: beyond it the trace stops being readable."""

LOSS_NAMES = ("mse_half", "mse", "bce", "bce_with_logits", "cross_entropy")
"""Loss names ``explain`` takes besides any fcnn ``Loss`` instance or registry name."""

_TRACED_ACTIVATIONS = (Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, SELU, GELU, SiLU, Softplus)
_RELATIVE_TOLERANCE = 1e-9  # float64 products against float64 backward: ~1e-16 expected


# --------------------------------------------------------------------------- the records


@dataclass(frozen=True)
class Downstream:
    """One term of a hidden unit's ``∂E/∂out_j = Σₖ δₖ·wₖⱼ``: a unit k it feeds."""

    unit: str  # the receiving unit k
    delta: float  # δₖ = ∂E/∂net_k
    weight: str  # the weight wₖⱼ from j to k
    weight_value: float
    product: float  # δₖ·wₖⱼ (the notes' ∂E_k/∂out_j when k is an output)


@dataclass(frozen=True)
class Factor:
    """The chain rule for one parameter through one unit: ``∂E/∂out · ∂out/∂net · ∂net/∂p``."""

    unit: str
    dE_dout: float
    dout_dnet: float
    dnet_dparam: float  # the sending unit's output for a weight, 1 for a bias
    source: str  # what ∂net/∂p is: "i1", "out_h1" or "1"
    product: float


@dataclass(frozen=True)
class UnitTrace:
    """Everything about one unit: forward values and its backward factors."""

    name: str
    layer: int  # 1 for the first Linear layer
    index: int  # row in that layer's weight
    activation: str
    net: float
    out: float
    dE_dout: float
    dout_dnet: float
    delta: float  # ∂E/∂net = ∂E/∂out · ∂out/∂net
    inputs: tuple[str, ...]  # the sending units (i1, i2 or h1, h2)
    weights: tuple[str, ...]  # the incoming weights, aligned with ``inputs``
    bias: str | None
    downstream: tuple[Downstream, ...]  # empty for an output unit
    out_formula: str  # "σ(net_h1)"
    derivative_formula: str  # "out_h1(1 − out_h1)"
    out_tex: str
    derivative_tex: str
    loss_gradient_formula: str  # an output unit's ∂E/∂out from the loss ("" if hidden or unknown)
    loss_gradient_tex: str


@dataclass(frozen=True)
class ParamTrace:
    """One weight or bias: value, chain-rule factors, gradient and value after the step."""

    name: str  # "w5", "b1"
    kind: str  # "weight" or "bias"
    layer: int
    tensor: str  # its array in the model's state_dict, e.g. "2.weight"
    entries: tuple[tuple[int, ...], ...]  # positions in that array (several for a shared bias)
    source: str | None  # sending unit of a weight; None for a bias
    units: tuple[str, ...]  # receiving unit(s)
    value: float
    factors: tuple[Factor, ...]  # one per receiving unit
    chain_rule: float  # Σ of the factors' products: the explicit gradient
    gradient: float  # what model.backward accumulated
    updated: float  # after one SGD step (= value when not updated)
    is_updated: bool


@dataclass(frozen=True)
class Trace:
    """A recorded forward pass, backward pass and SGD step of one sample.

    Render it with :meth:`to_text`, :meth:`to_markdown` or :meth:`to_json`; look numbers
    up in ``units``, ``params``, ``inputs``, ``targets`` and ``loss_terms`` by name.
    """

    sizes: tuple[int, ...]
    layers: tuple[str, ...]
    inputs: dict[str, float]
    targets: dict[str, float]  # per output unit (one-hot for a class-index target)
    target_class: int | None
    loss_name: str
    loss_formula: str
    loss_tex: str
    loss: float
    loss_terms: dict[str, float]  # E_o1, E_o2, … where the loss is a sum over outputs
    lr: float
    update_biases: bool
    shared_biases: bool
    units: dict[str, UnitTrace]
    params: dict[str, ParamTrace]
    max_discrepancy: float  # largest relative difference, chain rule vs model.backward

    # ----------------------------------------------------------------- data

    @property
    def outputs(self) -> dict[str, float]:
        """The network's outputs by unit name."""
        return {u.name: u.out for u in self.units.values() if u.layer == len(self.sizes) - 1}

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-able Python (floats at full precision)."""
        data = dataclasses.asdict(self)
        data = {"format": "fcnn.explain", "version": 1, **data}
        for param in data["params"].values():
            param["entries"] = [list(e) for e in param["entries"]]
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    # ----------------------------------------------------------------- rendering

    def _layer_units(self, layer: int) -> list[UnitTrace]:
        return [u for u in self.units.values() if u.layer == layer]

    def _layer_params(self, layer: int) -> list[ParamTrace]:
        return [p for p in self.params.values() if p.layer == layer]

    def _value_of(self, name: str) -> float:
        """The value a net input multiplies: an input or a unit's output."""
        return self.inputs[name] if name in self.inputs else self.units[name].out

    def _section_title(self, layer: int) -> str:
        n_layers = len(self.sizes) - 1
        names = ", ".join(u.name for u in self._layer_units(layer))
        if layer == n_layers:
            return f"output layer ({names})"
        return f"hidden layer {layer} ({names})" if n_layers > 2 else f"hidden layer ({names})"

    def to_text(self, digits: int = 9) -> str:
        """The trace as plain Unicode text, the numbers to ``digits`` decimals."""
        f = _formatter(digits)
        n_layers = len(self.sizes) - 1
        col = max(5, *(len(name) + 1 for name in [*self.units, *self.params]))
        lines: list[str] = []
        add = lines.append

        def heading(text: str) -> None:
            add("")
            add(text)
            add("─" * len(text))

        add("Backprop trace: one sample, one forward pass, one backward pass, one SGD step")
        add(f"network   {'-'.join(map(str, self.sizes))}: {' → '.join(self.layers)}")
        add(f"          {len(self.params)} parameters: {self._bias_note()}")
        add(f"loss      {self.loss_formula}")
        add(f"rate      η = {f(self.lr)}")

        heading("1. Forward pass")
        add("inputs   " + ", ".join(f"{k} = {f(v)}" for k, v in self.inputs.items()))
        add("targets  " + ", ".join(f"target_{k} = {f(v)}" for k, v in self.targets.items()))
        for layer in range(1, n_layers + 1):
            add("")
            for unit in self._layer_units(layer):
                add(f"{unit.name:<{col}}{self._net_text(unit, f)}")
                add(f"{'':<{col}}out_{unit.name} = {unit.out_formula} = {f(unit.out)}")

        heading("2. Loss")
        if self.loss_name == "mse_half":
            for name, term in self.loss_terms.items():
                out, target = self.units[name].out, self.targets[name]
                add(
                    f"E_{name} = ½(target_{name} − out_{name})² = ½({f(target)} − {f(out)})² "
                    f"= {f(term)}"
                )
            add(f"E_total = {' + '.join('E_' + k for k in self.loss_terms)} = {f(self.loss)}")
        else:
            for name, term in self.loss_terms.items():
                add(f"E_{name} = {f(term)}")
            add(f"E = {f(self.loss)}")

        for number, layer in enumerate(range(n_layers, 0, -1), start=3):
            heading(f"{number}. Backward pass, {self._section_title(layer)}")
            for unit in self._layer_units(layer):
                for i, line in enumerate(self._unit_backward_text(unit, f)):
                    add(f"{unit.name if i == 0 else '':<{col}}{line}")
            for param in self._layer_params(layer):
                add("")
                add(f"{param.name:<{col}}{self._param_label(param)}")
                for line in self._param_text(param, f):
                    add(" " * col + line)

        heading("Summary")
        rows = [["param", "connects", "value", "∂E/∂p chain rule", "∂E/∂p backward", "after step"]]
        for p in self.params.values():
            rows.append(
                [
                    p.name,
                    self._connects(p),
                    f(p.value),
                    f(p.chain_rule),
                    f(p.gradient),
                    f(p.updated) + ("" if p.is_updated else " (kept)"),
                ]
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            add("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        add("")
        add(
            "check: every chain-rule product equals model.backward's gradient "
            f"(largest relative difference {self.max_discrepancy:.1e})"
        )
        return "\n".join(lines) + "\n"

    def to_markdown(self, digits: int = 9) -> str:
        """The trace as Markdown: tables of numbers and the formulas in LaTeX (``$…$``)."""
        f = _formatter(digits, tex=True)
        n_layers = len(self.sizes) - 1
        md: list[str] = []
        add = md.append
        add("# Backprop trace: one sample, one SGD step")
        add("")
        add(f"- network: {'-'.join(map(str, self.sizes))}, {' → '.join(self.layers)}")
        add(f"- {len(self.params)} parameters: {self._bias_note()}")
        add(f"- loss: ${self.loss_tex}$")
        add(f"- learning rate: $\\eta = {f(self.lr)}$")
        add("")
        add("## 1. Forward pass")
        add("")
        add("| | value |")
        add("| --- | --- |")
        for k, v in self.inputs.items():
            add(f"| ${_tex_name(k)}$ (input) | {f(v)} |")
        for k, v in self.targets.items():
            add(f"| $target_{{{k}}}$ | {f(v)} |")
        add("")
        add("| unit | net input | value | output | value |")
        add("| --- | --- | --- | --- | --- |")
        for layer in range(1, n_layers + 1):
            for u in self._layer_units(layer):
                net = " + ".join(
                    f"{_tex_name(w)} {_tex_name(s)}"
                    for w, s in zip(u.weights, u.inputs, strict=True)
                )
                if u.bias:
                    net += f" + {_tex_name(u.bias)}"
                add(
                    f"| {u.name} | $net_{{{u.name}}} = {net}$ | {f(u.net)} | "
                    f"$out_{{{u.name}}} = {u.out_tex}$ | {f(u.out)} |"
                )
        add("")
        add("## 2. Loss")
        add("")
        add(f"$${self.loss_tex}$$")
        add("")
        if self.loss_terms:
            add("| term | value |")
            add("| --- | --- |")
            for name, term in self.loss_terms.items():
                add(f"| $E_{{{name}}}$ | {f(term)} |")
            add(f"| $E_{{total}}$ | {f(self.loss)} |")
        else:
            add(f"$E = {f(self.loss)}$")
        for number, layer in enumerate(range(n_layers, 0, -1), start=3):
            add("")
            add(f"## {number}. Backward pass, {self._section_title(layer)}")
            for u in self._layer_units(layer):
                add("")
                add(f"**{u.name}**")
                add("")
                add(f"$${self._dE_dout_tex(u, f)}$$")
                slope = f(u.dout_dnet)
                formula = "" if u.derivative_tex == slope else f"{u.derivative_tex} = "
                add(
                    f"$$\\frac{{\\partial out_{{{u.name}}}}}{{\\partial net_{{{u.name}}}}} = "
                    f"{formula}{slope}$$"
                )
                add(
                    f"$$\\delta_{{{u.name}}} = \\frac{{\\partial E}}{{\\partial net_{{{u.name}}}}}"
                    f" = {f(u.dE_dout, True)} \\times {f(u.dout_dnet, True)} = {f(u.delta)}$$"
                )
            for p in self._layer_params(layer):
                add("")
                add(f"**{p.name}** ({self._param_label(p)})")
                add("")
                add(f"$${self._param_tex(p, f)}$$")
                add(f"$${self._update_tex(p, f)}$$")
        add("")
        add("## Summary")
        add("")
        add("| param | connects | value | ∂E/∂p chain rule | ∂E/∂p backward | after step |")
        add("| --- | --- | --- | --- | --- | --- |")
        for p in self.params.values():
            kept = "" if p.is_updated else " (kept)"
            add(
                f"| {p.name} | {self._connects(p)} | {f(p.value)} | {f(p.chain_rule)} | "
                f"{f(p.gradient)} | {f(p.updated)}{kept} |"
            )
        add("")
        add(
            "Every chain-rule product equals the gradient of fcnn's own backward pass "
            f"(largest relative difference {self.max_discrepancy:.1e})."
        )
        return "\n".join(md) + "\n"

    # ----------------------------------------------------------------- rendering helpers

    def _bias_note(self) -> str:
        n_w = sum(p.kind == "weight" for p in self.params.values())
        n_b = len(self.params) - n_w
        notes = ["one per layer, shared by its units"] if self.shared_biases else []
        notes += [] if self.update_biases else ["not updated"]
        note = f" ({'; '.join(notes)})" if notes else ""
        weights = f"{n_w} weight{'s' if n_w != 1 else ''}"
        return f"{weights}, {n_b} bias{'es' if n_b != 1 else ''}{note}" if n_b else weights

    def _net_text(self, u: UnitTrace, f: Callable[..., str]) -> str:
        symbols = [
            f"{w}·{s if s in self.inputs else 'out_' + s}"
            for w, s in zip(u.weights, u.inputs, strict=True)
        ]
        numbers = [
            f"{f(self.params[w].value, True)}×{f(self._value_of(s), True)}"
            for w, s in zip(u.weights, u.inputs, strict=True)
        ]
        if u.bias:
            symbols.append(u.bias)
            numbers.append(f(self.params[u.bias].value, True))
        if len(symbols) > 5:  # a long sum: the ends only, and the value
            return f"net_{u.name} = {symbols[0]} + … + {symbols[-1]} = {f(u.net)}"
        return f"net_{u.name} = {' + '.join(symbols)} = {' + '.join(numbers)} = {f(u.net)}"

    def _unit_backward_text(self, u: UnitTrace, f: Callable[..., str]) -> list[str]:
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
        elif self.loss_name == "mse_half":
            target = f(self.targets[u.name], True)
            lines = [
                f"{head}out_{u.name} − target_{u.name} = {f(u.out)} − {target} = {f(u.dE_dout)}"
            ]
        elif u.loss_gradient_formula:
            lines = [f"{head}{u.loss_gradient_formula} = {f(u.dE_dout)}"]
        else:
            lines = [f"{head}{f(u.dE_dout)}  (from the loss's backward)"]
        d_name = f"∂out_{u.name}/∂net_{u.name}"
        slope = f(u.dout_dnet)
        formula = "" if u.derivative_formula == slope else f"{u.derivative_formula} = "
        lines.append(f"{d_name} = {formula}{slope}")
        lines.append(
            f"δ_{u.name} = ∂E/∂net_{u.name} = ∂E/∂out_{u.name} · {d_name} = "
            f"{f(u.dE_dout, True)} × {f(u.dout_dnet, True)} = {f(u.delta)}"
        )
        return lines

    def _dE_dout_tex(self, u: UnitTrace, f: Callable[..., str]) -> str:
        head = f"\\frac{{\\partial E}}{{\\partial out_{{{u.name}}}}} = "
        if u.downstream:
            symbols = " + ".join(
                f"\\delta_{{{d.unit}}} {_tex_name(d.weight)}" for d in u.downstream
            )
            numbers = " + ".join(
                f"{f(d.delta, True)} \\times {f(d.weight_value, True)}" for d in u.downstream
            )
            return f"{head}\\sum_k \\delta_k w_k = {symbols} = {numbers} = {f(u.dE_dout)}"
        if self.loss_name == "mse_half":
            return (
                f"{head}out_{{{u.name}}} - target_{{{u.name}}} = {f(u.out)} - "
                f"{f(self.targets[u.name], True)} = {f(u.dE_dout)}"
            )
        formula = f"{u.loss_gradient_tex} = " if u.loss_gradient_tex else ""
        return f"{head}{formula}{f(u.dE_dout)}"

    def _connects(self, p: ParamTrace) -> str:
        if p.kind == "weight":
            return f"{p.source} → {p.units[0]}"
        return "bias of " + ", ".join(p.units)

    def _param_label(self, p: ParamTrace) -> str:
        where = ", ".join(f"{p.tensor}[{', '.join(map(str, e))}]" for e in p.entries)
        return f"{self._connects(p)}; {where}"

    def _param_text(self, p: ParamTrace, f: Callable[..., str]) -> list[str]:
        name = p.name
        chains = [
            f"∂E/∂out_{c.unit} · ∂out_{c.unit}/∂net_{c.unit} · ∂net_{c.unit}/∂{name}"
            for c in p.factors
        ]
        numbers = [
            f"{f(c.dE_dout, True)} × {f(c.dout_dnet, True)} × {f(c.dnet_dparam, True)}"
            for c in p.factors
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
            lines.append(f"{pad}= {numbers[0]} = {f(p.chain_rule)}")
        if p.is_updated:
            lines.append(
                f"{name}⁺ = {name} − η·∂E/∂{name} = {f(p.value)} − {f(self.lr, True)} × "
                f"{f(p.gradient, True)} = {f(p.updated)}"
            )
        else:
            lines.append(f"{name} is not updated (update_biases=False): stays {f(p.value)}")
        return lines

    def _param_tex(self, p: ParamTrace, f: Callable[..., str]) -> str:
        name = _tex_name(p.name)
        chains = " + ".join(
            f"\\frac{{\\partial E}}{{\\partial out_{{{c.unit}}}}}"
            f"\\frac{{\\partial out_{{{c.unit}}}}}{{\\partial net_{{{c.unit}}}}}"
            f"\\frac{{\\partial net_{{{c.unit}}}}}{{\\partial {name}}}"
            for c in p.factors
        )
        numbers = " + ".join(
            f"{f(c.dE_dout, True)} \\times {f(c.dout_dnet, True)} \\times {f(c.dnet_dparam, True)}"
            for c in p.factors
        )
        return (
            f"\\frac{{\\partial E}}{{\\partial {name}}} = {chains} = {numbers} = {f(p.chain_rule)}"
        )

    def _update_tex(self, p: ParamTrace, f: Callable[..., str]) -> str:
        name = _tex_name(p.name)
        if not p.is_updated:
            return f"{name} = {f(p.value)} \\text{{ (not updated)}}"
        return (
            f"{name}^{{+}} = {name} - \\eta \\frac{{\\partial E}}{{\\partial {name}}} = "
            f"{f(p.value)} - {f(self.lr, True)} \\times {f(p.gradient, True)} = {f(p.updated)}"
        )


# --------------------------------------------------------------------------- formatting


def _formatter(digits: int, tex: bool = False) -> Callable[..., str]:
    """``f(v, wrap=False)``: ``v`` to ``digits`` decimals, trailing zeros trimmed; tiny or huge
    values in scientific notation; negatives in parentheses when ``wrap`` (inside a product).
    The minus sign is U+2212 in text and ASCII in LaTeX."""
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"digits={digits!r}: expected an integer from 1 to 17")

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


def _tex_name(name: str) -> str:
    """``w5`` → ``w_{5}``, ``i1`` → ``i_{1}``, ``h1`` → ``out_{h1}`` (a unit's output)."""
    if name[0] in "wbi" and name[1:].isdigit():
        return f"{name[0]}_{{{name[1:]}}}"
    return f"out_{{{name}}}"


# --------------------------------------------------------------------------- activations


class _Rule(NamedTuple):
    out: str  # out as a function of {net}
    derivative: str  # ∂out/∂net in terms of {net} and {out}
    out_tex: str
    derivative_tex: str
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (net, out) -> ∂out/∂net


def _sigmoid(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _rule(layer: Module | None) -> _Rule:
    """The formula of an element-wise activation and its derivative, computed explicitly."""
    if layer is None or isinstance(layer, Identity):
        return _Rule("{net}", "1", "{net}", "1", lambda z, y: np.ones_like(z))
    if isinstance(layer, Sigmoid):
        return _Rule(
            "σ({net})",
            "{out}(1 − {out})",
            "\\sigma({net})",
            "{out}(1 - {out})",
            lambda z, y: y * (1.0 - y),
        )
    if isinstance(layer, Tanh):
        return _Rule(
            "tanh({net})", "1 − {out}²", "\\tanh({net})", "1 - {out}^2", lambda z, y: 1.0 - y * y
        )
    if isinstance(layer, ReLU):
        return _Rule(
            "max({net}, 0)",
            "[{net} > 0]",
            "\\max({net}, 0)",
            "[{net} > 0]",
            lambda z, y: (z > 0).astype(z.dtype),
        )
    if isinstance(layer, LeakyReLU):
        a = layer.negative_slope
        return _Rule(
            f"{{net}} if {{net}} > 0, else {a}·{{net}}",
            f"1 if {{net}} > 0, else {a}",
            f"\\max({{net}}, {a}\\,{{net}})"
            if a <= 1
            else f"\\mathrm{{LeakyReLU}}_{{{a}}}({{net}})",
            f"[{{net}} > 0] + {a}\\,[{{net}} \\le 0]",
            lambda z, y: np.where(z > 0, 1.0, a),
        )
    if isinstance(layer, (ELU, SELU)):
        alpha, scale = layer._alpha, layer._scale
        s = "" if isinstance(layer, ELU) else "λ·"
        s_tex = "" if isinstance(layer, ELU) else "\\lambda "
        k = "α" if isinstance(layer, ELU) else "λα"
        k_tex = "\\alpha" if isinstance(layer, ELU) else "\\lambda\\alpha"
        return _Rule(
            f"{s}{{net}} if {{net}} > 0, else {k}(e^{{net}} − 1)",
            f"{scale:g} if {{net}} > 0, else {{out}} + {k}",
            f"{s_tex}{{net}} \\text{{ if }} {{net}} > 0 "
            f"\\text{{, else }} {k_tex}(e^{{{{net}}}} - 1)",
            f"{scale:g} \\text{{ if }} {{net}} > 0 \\text{{, else }} {{out}} + {k_tex}",
            lambda z, y: np.where(z > 0, scale, y + alpha * scale),
        )
    if isinstance(layer, GELU) and layer.approximate == "tanh":
        c, kappa = math.sqrt(2.0 / math.pi), 0.044715

        def gelu_tanh(z: np.ndarray, y: np.ndarray) -> np.ndarray:
            t = np.tanh(c * (z + kappa * z**3))
            return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * c * (1.0 + 3.0 * kappa * z * z)

        return _Rule(
            "½{net}(1 + tanh(√(2/π)({net} + 0.044715{net}³)))",
            "½(1 + t) + ½{net}(1 − t²)√(2/π)(1 + 0.134145{net}²), t = tanh(…)",
            "\\tfrac12 {net}(1 + \\tanh(\\sqrt{2/\\pi}({net} + 0.044715\\,{net}^3)))",
            "\\tfrac12(1 + t) + \\tfrac12 {net}(1 - t^2)\\sqrt{2/\\pi}(1 + 0.134145\\,{net}^2)",
            gelu_tanh,
        )
    if isinstance(layer, GELU):

        def gelu(z: np.ndarray, y: np.ndarray) -> np.ndarray:
            cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in z.reshape(-1)])
            pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
            return cdf.reshape(z.shape) + z * pdf

        return _Rule(
            "{net}·Φ({net})",
            "Φ({net}) + {net}·φ({net})",
            "{net}\\,\\Phi({net})",
            "\\Phi({net}) + {net}\\,\\varphi({net})",
            gelu,
        )
    if isinstance(layer, SiLU):

        def silu(z: np.ndarray, y: np.ndarray) -> np.ndarray:
            s = _sigmoid(z)
            return s * (1.0 + z * (1.0 - s))

        return _Rule(
            "{net}·σ({net})",
            "σ({net})(1 + {net}(1 − σ({net})))",
            "{net}\\,\\sigma({net})",
            "\\sigma({net})(1 + {net}(1 - \\sigma({net})))",
            silu,
        )
    if isinstance(layer, Softplus):
        beta, threshold = layer.beta, layer.threshold
        return _Rule(
            f"log(1 + e^({beta:g}·{{net}}))/{beta:g}",
            f"σ({beta:g}·{{net}})",
            f"\\tfrac{{1}}{{{beta:g}}}\\log(1 + e^{{{beta:g}{{net}}}})",
            f"\\sigma({beta:g}\\,{{net}})",
            lambda z, y: np.where(beta * z > threshold, 1.0, _sigmoid(beta * z)),
        )
    raise TypeError(f"explain: no rule for {type(layer).__name__}")  # _stages refuses it first


# --------------------------------------------------------------------------- structure

_REFUSALS: dict[type, str] = {
    BatchNorm1d: "normalises each unit over the batch, and one sample has no batch statistics",
    Dropout: "zeroes random units, so the trace would depend on the draw; build the model "
    "without it (it is the identity in eval mode)",
    Softmax: "couples its units (each output depends on every net input), so ∂out/∂net is a "
    "matrix, not one factor per unit; end the model at the logits and use "
    "loss='cross_entropy', which contains the softmax",
    LogSoftmax: "couples its units (each output depends on every net input); end the model at "
    "the logits and use loss='cross_entropy', which contains the log-softmax",
    PReLU: "has a learnable slope, which the trace does not cover; use LeakyReLU",
}


def _flatten(model: Module) -> list[Module]:
    if isinstance(model, Sequential):
        return [leaf for child in model for leaf in _flatten(child)]
    return [model]


def _stages(model: Module, max_parameters: int) -> list[tuple[Linear, Module | None]]:
    """The model as (Linear, element-wise activation or None) pairs, or a clear refusal."""
    if not isinstance(model, Module):
        raise TypeError(f"explain: model must be an fcnn Sequential, got {type(model).__name__}")
    traced = ", ".join(cls.__name__ for cls in _TRACED_ACTIVATIONS)
    stages: list[tuple[Linear, Module | None]] = []
    for i, layer in enumerate(_flatten(model)):
        where = f"layer {i} ({type(layer).__name__})"
        if isinstance(layer, Linear):
            stages.append((layer, None))
        elif type(layer) in _REFUSALS:
            raise ValueError(f"explain cannot trace {where}: it {_REFUSALS[type(layer)]}")
        elif isinstance(layer, _TRACED_ACTIVATIONS):
            if not stages:
                raise ValueError(
                    f"explain cannot trace {where}: the model must start with a Linear layer"
                )
            if stages[-1][1] is not None:
                raise ValueError(
                    f"explain cannot trace {where}: it follows another activation "
                    f"({type(stages[-1][1]).__name__}); each Linear layer may be followed by "
                    f"one element-wise activation"
                )
            stages[-1] = (stages[-1][0], layer)
        else:
            raise ValueError(
                f"explain cannot trace {where}: it traces Linear layers and the element-wise "
                f"activations {traced}"
            )
    if not stages:
        raise ValueError("explain: the model has no Linear layer to trace")
    n = model.num_parameters()
    if n > max_parameters:
        raise ValueError(
            f"explain: the model has {n} parameters; a trace stays readable up to "
            f"{max_parameters} (max_parameters={max_parameters}); try a smaller network"
        )
    return stages


def _unit_names(sizes: list[int]) -> list[list[str]]:
    """Names per layer: inputs i1…, hidden h1… (h1.1… with several hidden layers), outputs o1…"""
    hidden = len(sizes) - 2
    names = [[f"i{j + 1}" for j in range(sizes[0])]]
    for layer in range(1, len(sizes) - 1):
        prefix = "h" if hidden == 1 else f"h{layer}."
        names.append([f"{prefix}{j + 1}" for j in range(sizes[layer])])
    names.append([f"o{j + 1}" for j in range(sizes[-1])])
    return names


# --------------------------------------------------------------------------- losses


class _LossRule(NamedTuple):
    name: str
    loss: Loss
    scale: float  # E = scale · loss(out, target)
    formula: str
    tex: str
    grad_text: str  # ∂E/∂out_u with {u} for the unit; "" when only loss.backward() knows
    grad_tex: str
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray] | None  # explicit ∂E/∂out
    elementwise: bool


def _bce_logits_grad(out: np.ndarray, target: np.ndarray, n: int) -> np.ndarray:
    return (_sigmoid(out) - target) / n


def _mse_grad(out: np.ndarray, target: np.ndarray, n: int) -> np.ndarray:
    return 2.0 * (out - target) / n


def _bce_grad(out: np.ndarray, target: np.ndarray, n: int) -> np.ndarray:
    # PyTorch's floor on out(1 − out) keeps the gradient finite at 0 and 1.
    return (out - target) / np.maximum(out * (1.0 - out), 1e-12) / n


def _cross_entropy_grad(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    # ∂E/∂z = softmax(z)·Σt − t  (= softmax(z) − t for a one-hot or probability target)
    e = np.exp(out - out.max())
    return e / e.sum() * target.sum() - target


def _half_squared_error_grad(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    return out - target


_NAMED_LOSSES: dict[str, type[Loss]] = {
    "mse": MSELoss,
    "bce": BCELoss,
    "bce_with_logits": BCEWithLogitsLoss,
    "cross_entropy": CrossEntropyLoss,
}


def _loss_rule(loss: Any, k: int) -> _LossRule:
    """What ``loss`` is: the fcnn loss computing it and, where known, its explicit gradient."""
    if isinstance(loss, str):
        if loss == "mse_half":
            return _LossRule(
                "mse_half",
                MSELoss(reduction="sum"),
                0.5,
                "E = ½ Σₖ (targetₖ − outₖ)²",
                "E = \\tfrac{1}{2}\\sum_k (target_k - out_k)^2",
                "out_{u} − target_{u}",
                "out_{{u}} - target_{{u}}",
                _half_squared_error_grad,
                True,
            )
        try:
            loss = _NAMED_LOSSES[loss]() if loss in _NAMED_LOSSES else get_loss(loss)
        except ValueError:
            raise ValueError(
                f"explain: unknown loss {loss!r}; expected one of {', '.join(LOSS_NAMES)}, "
                f"another fcnn loss name, or an fcnn Loss"
            ) from None
    if not isinstance(loss, Loss):
        raise TypeError(f"explain: loss must be a name or an fcnn Loss, got {type(loss).__name__}")
    if loss.reduction == "none":
        raise ValueError(f"explain: {loss!r} has reduction='none'; use 'mean' or 'sum'")
    elementwise = not isinstance(loss, (CrossEntropyLoss, NLLLoss))
    mean = loss.reduction == "mean"
    n = k if mean and elementwise else 1  # the divisor of a mean over the K outputs
    per, per_tex = (f"(1/{n})", f"\\frac{{1}}{{{n}}}") if n > 1 else ("", "")
    div, div_tex = (f"/{n}", f"\\cdot\\frac{{1}}{{{n}}}") if n > 1 else ("", "")
    cls = type(loss)
    plain = (
        cls in _NAMED_LOSSES.values() and loss.config() == cls(reduction=loss.reduction).config()
    )
    name = next((k_ for k_, c in _NAMED_LOSSES.items() if c is cls), "") if plain and mean else ""
    name = name or repr(loss)
    if not plain:
        return _LossRule(
            name,
            loss,
            1.0,
            f"E = {loss!r}(out, target)",
            f"E = \\mathrm{{{cls.__name__}}}(out, target)",
            "",
            "",
            None,
            elementwise,
        )
    # Templates: "{u}" stands for the output unit's name.
    if cls is MSELoss:
        texts = (
            f"E = {per}Σₖ (outₖ − targetₖ)²",
            rf"E = {per_tex}\sum_k (out_k - target_k)^2",
            "2(out_{u} − target_{u})" + div,
            "2(out_{{u}} - target_{{u}})" + div_tex,
        )
        grad = functools.partial(_mse_grad, n=n)
    elif cls is BCELoss:
        texts = (
            f"E = −{per}Σₖ [targetₖ·log outₖ + (1 − targetₖ)·log(1 − outₖ)]",
            rf"E = -{per_tex}\sum_k [target_k \log out_k + (1 - target_k)\log(1 - out_k)]",
            "(out_{u} − target_{u}) / (out_{u}(1 − out_{u}))" + div,
            r"\frac{out_{{u}} - target_{{u}}}{out_{{u}}(1 - out_{{u}})}" + div_tex,
        )
        grad = functools.partial(_bce_grad, n=n)
    elif cls is BCEWithLogitsLoss:
        texts = (
            f"E = −{per}Σₖ [targetₖ·log σ(outₖ) + (1 − targetₖ)·log(1 − σ(outₖ))]",
            rf"E = -{per_tex}\sum_k [target_k \log \sigma(out_k)"
            r" + (1 - target_k)\log(1 - \sigma(out_k))]",
            "(σ(out_{u}) − target_{u})" + div,
            r"(\sigma(out_{{u}}) - target_{{u}})" + div_tex,
        )
        grad = functools.partial(_bce_logits_grad, n=n)
    else:  # CrossEntropyLoss: one sample, so mean and sum agree
        texts = (
            "E = −Σₖ targetₖ·log softmax(out)ₖ",
            r"E = -\sum_k target_k \log \mathrm{softmax}(out)_k",
            "softmax(out)_{u} − target_{u}",
            r"\mathrm{softmax}(out)_{{u}} - target_{{u}}",
        )
        grad = _cross_entropy_grad
    return _LossRule(name, loss, 1.0, *texts, grad, elementwise)


# --------------------------------------------------------------------------- inputs


def _one_row(name: str, value: Any, width: int | None, dtype: Any) -> np.ndarray:
    """One sample as a 1-D float array, or a ValueError that says what was expected."""
    what = "takes {} inputs" if name == "x" else "has {} outputs"
    array = np.asarray(value, dtype=dtype)
    if array.ndim == 2 and array.shape[0] > 1:
        raise ValueError(
            f"explain traces one sample at a time: {name} has shape {array.shape}, a batch of "
            f"{array.shape[0]} samples; pass one row, e.g. {name}[0]"
        )
    if array.ndim > 2:
        raise ValueError(f"explain: {name} must be one sample (a 1-D array), got {array.shape}")
    array = array.reshape(-1)
    if width is not None and array.size != width:
        raise ValueError(f"explain: {name} has {array.size} values; the model {what.format(width)}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"explain: {name} must be finite, got {array.tolist()}")
    return array


def _targets(rule: _LossRule, target: Any, k: int) -> tuple[np.ndarray, np.ndarray, int | None]:
    """(target as the loss takes it, target per output unit, class index or None)."""
    if not rule.elementwise:
        array = np.asarray(target)
        if array.dtype.kind in "iu" or (array.dtype.kind == "f" and array.size == 1 and k > 1):
            index = int(array.reshape(-1)[0]) if array.size == 1 else -1
            if array.size != 1 or index != array.reshape(-1)[0] or not 0 <= index < k:
                raise ValueError(
                    f"explain: a class target must be one class index from 0 to {k - 1}, "
                    f"got {target!r}"
                )
            return np.array([index]), np.eye(k)[index], index
        row = _one_row("target", target, k, np.float64)
        return row.reshape(1, -1), row, None
    row = _one_row("target", target, k, np.float64)
    return row.reshape(1, -1), row, None


# --------------------------------------------------------------------------- explain


def explain(
    model: Module,
    x: Any,
    target: Any,
    *,
    loss: str | Loss = "mse_half",
    lr: float = 0.5,
    update_biases: bool = True,
    shared_biases: bool = False,
    max_parameters: int = MAX_PARAMETERS,
) -> Trace:
    """Trace one forward pass, backward pass and SGD step of ``model`` on one sample.

    Works on a float64 deep copy; ``model`` itself is left untouched.

    Parameters
    ----------
    model : Sequential
        ``Linear`` layers, each followed by at most one element-wise activation
        (Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, SELU, GELU, SiLU, Softplus);
        nested Sequentials are flattened. At most ``max_parameters`` parameters.
    x : array_like, shape (in_features,) or (1, in_features)
        One sample. A batch of several is refused.
    target : array_like
        The desired outputs, shape ``(out_features,)``; for ``cross_entropy`` a class
        index or a probability vector.
    loss : str or Loss, default "mse_half"
        ``"mse_half"`` is the notes' squared error ``E = ½ Σₖ (targetₖ − outₖ)²``;
        ``"mse"``, ``"bce"``, ``"bce_with_logits"``, ``"cross_entropy"`` are fcnn's
        losses with their defaults (mean over the outputs); any fcnn ``Loss`` (reduction
        mean or sum) or registry name also works, its ``∂E/∂out`` then taken from
        ``loss.backward()``.
    lr : float, default 0.5
        The learning rate η of the SGD step ``p⁺ = p − η·∂E/∂p``.
    update_biases : bool, default True
        False leaves the biases out of the step (their gradients are still traced), as
        the notes' example does.
    shared_biases : bool, default False
        Treat each layer's bias vector as one parameter shared by its units (named b1,
        b2, … per layer; its entries must be equal). Its gradient is then
        ``Σⱼ ∂E/∂net_j`` and its step moves every entry alike.
    max_parameters : int, default 100

    Returns
    -------
    Trace

    Raises
    ------
    ValueError
        For a model with other layers or too many parameters, a batch of samples, or
        inputs and targets of the wrong size.
    RuntimeError
        If an explicit chain-rule product disagreed with ``model.backward`` (a bug).
    """
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 <= lr < math.inf:
        raise ValueError(f"explain: lr={lr!r} must be a non-negative number")
    for flag_name, flag in (("update_biases", update_biases), ("shared_biases", shared_biases)):
        if not isinstance(flag, bool):
            raise TypeError(f"explain: {flag_name}={flag!r} must be True or False")
    _stages(model, max_parameters)  # refuse before copying anything
    net = copy.deepcopy(model).to(np.float64)
    stages = _stages(net, max_parameters)
    sizes = [stages[0][0].in_features] + [lin.out_features for lin, _ in stages]
    for i, (lin, _) in enumerate(stages[1:], start=1):
        if lin.in_features != sizes[i]:
            raise ValueError(
                f"explain: Linear layer {i + 1} takes {lin.in_features} inputs but layer {i} "
                f"gives {sizes[i]}"
            )
    k = sizes[-1]
    rule = _loss_rule(loss, k)
    xs = _one_row("x", x, sizes[0], np.float64)
    loss_target, target_row, target_class = _targets(rule, target, k)

    # Forward, layer by layer through the library's own modules; ∂out/∂net by its formula,
    # checked against the activation's own backward pass.
    outs, nets, slopes = [xs], [], []
    for lin, act in stages:
        z = lin.forward(outs[-1].reshape(1, -1))
        y = z if act is None else act.forward(z)
        slope = np.asarray(_rule(act).grad(z, y), dtype=np.float64)
        if act is not None:
            _check("∂out/∂net", slope, act.backward(np.ones_like(y)))
        nets.append(z[0].copy())
        outs.append(y[0].copy())
        slopes.append(slope[0])

    # The loss, and the library's backward pass from the loss's gradient.
    out = net.forward(xs.reshape(1, -1))
    _check("the output", outs[-1], out[0])
    value = rule.scale * float(rule.loss(out, loss_target))
    upstream = rule.scale * np.asarray(rule.loss.backward(), dtype=np.float64)
    net.zero_grad()
    net.backward(upstream)
    dE_dout = upstream[0]
    if rule.grad is not None:
        dE_dout = np.asarray(rule.grad(outs[-1], target_row), dtype=np.float64)
        _check("∂E/∂out", dE_dout, upstream[0])

    # The chain rule by hand, from the output layer down: δ = ∂E/∂out · ∂out/∂net, and for
    # a hidden unit ∂E/∂out_j = Σₖ δₖ·wₖⱼ over the units k it feeds.
    weights = [lin.weight.data.copy() for lin, _ in stages]  # as they were before the step
    dE_douts = [dE_dout] * len(stages)
    deltas = [dE_dout] * len(stages)
    for layer in range(len(stages) - 1, -1, -1):
        deltas[layer] = dE_douts[layer] * slopes[layer]
        if layer:
            dE_douts[layer - 1] = (deltas[layer][:, None] * weights[layer]).sum(axis=0)

    weight_names, bias_names = _parameter_names(stages, shared_biases)
    numbers = _Numbers(
        _unit_names(sizes), weight_names, bias_names, weights, nets, outs, slopes, dE_douts, deltas
    )
    params = _parameter_traces(net, stages, numbers, update_biases)
    worst = _compare_with_backward(params)
    params = _step(net, stages, params, lr, update_biases, shared_biases)
    units = _unit_traces(stages, numbers, rule)

    layers = []
    for lin, act in stages:
        layers.append(f"Linear({lin.in_features}→{lin.out_features})")
        if act is not None:
            layers.append(repr(act).removesuffix("()"))
    return Trace(
        sizes=tuple(sizes),
        layers=tuple(layers),
        inputs={n: float(v) for n, v in zip(numbers.names[0], xs, strict=True)},
        targets={n: float(v) for n, v in zip(numbers.names[-1], target_row, strict=True)},
        target_class=target_class,
        loss_name=rule.name,
        loss_formula=rule.formula,
        loss_tex=rule.tex,
        loss=value,
        loss_terms=_loss_terms(rule, out, loss_target, numbers.names[-1]),
        lr=float(lr),
        update_biases=update_biases,
        shared_biases=shared_biases,
        units=units,
        params=params,
        max_discrepancy=worst,
    )


class _Numbers(NamedTuple):
    """What one pass computed, per Linear layer (``outs`` starts with the input)."""

    names: list[list[str]]
    weight_names: list[np.ndarray]
    bias_names: list[list[str] | None]
    weights: list[np.ndarray]
    nets: list[np.ndarray]
    outs: list[np.ndarray]
    slopes: list[np.ndarray]  # ∂out/∂net
    dE_douts: list[np.ndarray]
    deltas: list[np.ndarray]  # ∂E/∂net


def _parameter_names(
    stages: list[tuple[Linear, Module | None]], shared_biases: bool
) -> tuple[list[np.ndarray], list[list[str] | None]]:
    """w1, w2, … row by row, layer by layer; b1, b2, … per unit, or per layer when shared."""
    weight_names: list[np.ndarray] = []
    bias_names: list[list[str] | None] = []
    w_count = b_count = 0
    for layer, (lin, _) in enumerate(stages, start=1):
        size = lin.weight.data.size
        grid = np.array([f"w{w_count + i + 1}" for i in range(size)], dtype=object)
        weight_names.append(grid.reshape(lin.weight.shape))
        w_count += size
        if lin.bias is None:
            bias_names.append(None)
        elif shared_biases:
            entries = lin.bias.data
            if np.any(entries != entries[0]):
                raise ValueError(
                    f"explain: shared_biases=True needs the bias entries of each layer to be "
                    f"equal; Linear layer {layer} has {entries.tolist()}"
                )
            b_count += 1
            bias_names.append([f"b{b_count}"] * lin.out_features)
        else:
            bias_names.append([f"b{b_count + j + 1}" for j in range(lin.out_features)])
            b_count += lin.out_features
    return weight_names, bias_names


def _parameter_traces(
    net: Module, stages: list[tuple[Linear, Module | None]], n: _Numbers, update_biases: bool
) -> dict[str, ParamTrace]:
    """Every weight and bias with its chain-rule factors and model.backward's gradient."""
    keys = {id(p): key for key, p in net.named_parameters()}
    params: dict[str, ParamTrace] = {}
    for layer, (lin, _) in enumerate(stages):
        units, sources = n.names[layer + 1], n.names[layer]
        labels = [s if layer == 0 else f"out_{s}" for s in sources]

        def factor(r: int, dnet: float, source: str, layer: int = layer) -> Factor:
            dE_dout, slope = float(n.dE_douts[layer][r]), float(n.slopes[layer][r])
            product = dE_dout * slope * float(dnet)
            return Factor(n.names[layer + 1][r], dE_dout, slope, float(dnet), source, product)

        for r in range(lin.out_features):
            for c in range(lin.in_features):
                f = factor(r, n.outs[layer][c], labels[c])
                name = str(n.weight_names[layer][r, c])
                params[name] = ParamTrace(
                    name=name,
                    kind="weight",
                    layer=layer + 1,
                    tensor=keys[id(lin.weight)],
                    entries=((r, c),),
                    source=sources[c],
                    units=(units[r],),
                    value=float(n.weights[layer][r, c]),
                    factors=(f,),
                    chain_rule=f.product,
                    gradient=float(lin.weight.grad[r, c]),
                    updated=math.nan,
                    is_updated=True,
                )
        if lin.bias is None:
            continue
        rows: dict[str, list[int]] = {}
        for r, b in enumerate(n.bias_names[layer] or []):
            rows.setdefault(b, []).append(r)
        for b, rs in rows.items():
            factors = tuple(factor(r, 1.0, "1") for r in rs)
            params[b] = ParamTrace(
                name=b,
                kind="bias",
                layer=layer + 1,
                tensor=keys[id(lin.bias)],
                entries=tuple((r,) for r in rs),
                source=None,
                units=tuple(units[r] for r in rs),
                value=float(lin.bias.data[rs[0]]),
                factors=factors,
                chain_rule=float(sum(f.product for f in factors)),
                gradient=float(sum(lin.bias.grad[r] for r in rs)),
                updated=math.nan,
                is_updated=update_biases,
            )
    return dict(sorted(params.items(), key=lambda item: (item[1].kind == "bias", _number(item[0]))))


def _number(name: str) -> int:
    return int(name[1:])


def _compare_with_backward(params: dict[str, ParamTrace]) -> float:
    """Raise unless every chain-rule product equals model.backward's gradient; return the
    largest difference relative to the gradients' scale (as ``fcnn.gradcheck`` measures)."""
    explicit = np.array([p.chain_rule for p in params.values()])
    library = np.array([p.gradient for p in params.values()])
    scale = float(np.max(np.abs(explicit)) + np.max(np.abs(library)))
    for p in params.values():
        allowed = _RELATIVE_TOLERANCE * max(abs(p.chain_rule), abs(p.gradient)) + 1e-12 * scale
        if not abs(p.chain_rule - p.gradient) <= allowed:
            raise RuntimeError(
                f"explain: the chain-rule product for {p.name} ({p.chain_rule!r}) differs from "
                f"model.backward's gradient ({p.gradient!r}); a layer's backward pass disagrees "
                f"with its forward pass"
            )
    return float(np.max(np.abs(explicit - library)) / max(scale, 1e-300))


def _unit_traces(
    stages: list[tuple[Linear, Module | None]], n: _Numbers, rule: _LossRule
) -> dict[str, UnitTrace]:
    units: dict[str, UnitTrace] = {}
    last = len(stages) - 1
    for layer, (_, act) in enumerate(stages):
        formulas = _rule(act)
        for j, name in enumerate(n.names[layer + 1]):
            downstream: tuple[Downstream, ...] = ()
            if layer < last:
                w, delta = n.weights[layer + 1], n.deltas[layer + 1]
                downstream = tuple(
                    Downstream(
                        unit=n.names[layer + 2][r],
                        delta=float(delta[r]),
                        weight=str(n.weight_names[layer + 1][r, j]),
                        weight_value=float(w[r, j]),
                        product=float(delta[r] * w[r, j]),
                    )
                    for r in range(w.shape[0])
                )
            net_text, out_text = f"net_{name}", f"out_{name}"
            net_tex, out_tex = f"net_{{{name}}}", f"out_{{{name}}}"
            units[name] = UnitTrace(
                name=name,
                layer=layer + 1,
                index=j,
                activation="Identity" if act is None else type(act).__name__,
                net=float(n.nets[layer][j]),
                out=float(n.outs[layer + 1][j]),
                dE_dout=float(n.dE_douts[layer][j]),
                dout_dnet=float(n.slopes[layer][j]),
                delta=float(n.deltas[layer][j]),
                inputs=tuple(n.names[layer]),
                weights=tuple(str(w) for w in n.weight_names[layer][j]),
                bias=None if n.bias_names[layer] is None else n.bias_names[layer][j],
                downstream=downstream,
                out_formula=formulas.out.replace("{net}", net_text),
                derivative_formula=formulas.derivative.replace("{net}", net_text).replace(
                    "{out}", out_text
                ),
                out_tex=formulas.out_tex.replace("{net}", net_tex),
                derivative_tex=formulas.derivative_tex.replace("{net}", net_tex).replace(
                    "{out}", out_tex
                ),
                loss_gradient_formula=rule.grad_text.replace("{u}", name) if layer == last else "",
                loss_gradient_tex=rule.grad_tex.replace("{u}", name) if layer == last else "",
            )
    return units


def _check(what: str, explicit: np.ndarray, library: np.ndarray) -> None:
    explicit = np.asarray(explicit, dtype=np.float64)
    library = np.asarray(library, dtype=np.float64).reshape(explicit.shape)
    tolerance = _RELATIVE_TOLERANCE * max(1.0, float(np.max(np.abs(library), initial=0.0)))
    if not np.all(np.abs(explicit - library) <= tolerance):
        raise RuntimeError(
            f"explain: {what} computed by the formula ({explicit.tolist()}) differs from "
            f"fcnn's ({library.tolist()})"
        )


def _loss_terms(rule: _LossRule, out: np.ndarray, target: np.ndarray, units: list[str]) -> dict:
    """E_o1, E_o2, …: the loss per output unit, where the loss is a sum (or mean) over them."""
    if not rule.elementwise:
        return {}
    spec = rule.loss.spec()
    per_element = get_loss(spec.pop("type"), **{**spec, "reduction": "none"})
    terms = np.asarray(per_element(out, target), dtype=np.float64)[0] * rule.scale
    if rule.loss.reduction == "mean":
        terms = terms / terms.size
    return {u: float(t) for u, t in zip(units, terms, strict=True)}


def _step(
    net: Module,
    stages: list[tuple[Linear, Module | None]],
    params: dict[str, ParamTrace],
    lr: float,
    update_biases: bool,
    shared_biases: bool,
) -> dict[str, ParamTrace]:
    """Fill in the values after one SGD step, taken by ``fcnn.optim.SGD`` where it can be.

    A shared bias is one parameter spread over several entries, which SGD would move
    apart; its step ``b − η·Σⱼ δⱼ`` is taken here.
    """
    stepped = [lin.weight for lin, _ in stages]
    if update_biases and not shared_biases:
        stepped += [lin.bias for lin, _ in stages if lin.bias is not None]
    SGD(stepped, lr=lr).step()
    tensors = dict(net.named_parameters())
    result = {}
    for name, p in params.items():
        if not p.is_updated:
            updated = p.value
        elif p.kind == "bias" and shared_biases:
            updated = p.value - lr * p.gradient
        else:
            updated = float(tensors[p.tensor].data[p.entries[0]])
            manual = p.value - lr * p.gradient
            if abs(updated - manual) > 1e-12 * max(1.0, abs(manual)):
                raise RuntimeError(
                    f"explain: SGD moved {name} to {updated!r}, but {name} − η·∂E/∂{name} is "
                    f"{manual!r}"
                )
        result[name] = dataclasses.replace(p, updated=float(updated))
    return result


# --------------------------------------------------------------------------- the notes' example


class ClassicExample(NamedTuple):
    """The notes' worked example: ``explain(model, x, target, **options)`` traces it."""

    model: Sequential
    x: np.ndarray
    target: np.ndarray
    options: dict[str, Any]


def classic_example() -> ClassicExample:
    """The 2-2-2 sigmoid network of the course notes' worked backprop example.

    ``net_h1 = w1·i1 + w2·i2 + b1``, ``net_h2 = w3·i1 + w4·i2 + b1``,
    ``net_o1 = w5·out_h1 + w6·out_h2 + b2``, ``net_o2 = w7·out_h1 + w8·out_h2 + b2``, with
    w1…w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55, b1 = 0.35, b2 = 0.60;
    inputs 0.05, 0.10; targets 0.01, 0.99; E = ½Σ(target − out)²; η = 0.5.

    In the example each layer has one bias shared by its units, which the step leaves
    alone. Here each is a ``Linear`` bias with both entries equal, and ``options`` asks
    ``explain`` for ``shared_biases=True`` (one parameter per layer) and
    ``update_biases=False``.

    Returns
    -------
    ClassicExample
        ``(model, x, target, options)``; the model is float64.
    """
    model = Sequential(
        Linear(2, 2, dtype=np.float64, seed=0),
        Sigmoid(dtype=np.float64),
        Linear(2, 2, dtype=np.float64, seed=0),
        Sigmoid(dtype=np.float64),
    )
    model.load_state_dict(
        {
            "0.weight": np.array([[0.15, 0.20], [0.25, 0.30]]),
            "0.bias": np.array([0.35, 0.35]),
            "2.weight": np.array([[0.40, 0.45], [0.50, 0.55]]),
            "2.bias": np.array([0.60, 0.60]),
        }
    )
    options = {"loss": "mse_half", "lr": 0.5, "update_biases": False, "shared_biases": True}
    return ClassicExample(model, np.array([0.05, 0.10]), np.array([0.01, 0.99]), options)
