"""The trace as data: plain frozen dataclasses, one per thing the notes write down.

``Trace`` holds the network, the sample, the loss and, by name, every unit
(:class:`UnitTrace`: net input, output, ``∂E/∂out``, ``∂out/∂net``, ``δ``) and every
parameter (:class:`ParamTrace`: value, chain-rule :class:`Factor` s, gradient, value
after the step). Nothing here computes or formats; ``build.py`` fills the records in and
the ``render_*`` modules print them. ``Trace.to_text`` and its siblings are kept as
methods because they are the public way to print a trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import render_json, render_markdown, render_text


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

    # ----------------------------------------------------------------- looking things up

    @property
    def outputs(self) -> dict[str, float]:
        """The network's outputs by unit name."""
        return {u.name: u.out for u in self.units.values() if u.layer == self.n_layers}

    @property
    def n_layers(self) -> int:
        """How many Linear layers the network has (the output layer's number)."""
        return len(self.sizes) - 1

    def layer_units(self, layer: int) -> list[UnitTrace]:
        """The units of Linear layer ``layer`` (1 for the first), in order."""
        return [u for u in self.units.values() if u.layer == layer]

    def layer_params(self, layer: int) -> list[ParamTrace]:
        """The weights, then the biases, of Linear layer ``layer``."""
        return [p for p in self.params.values() if p.layer == layer]

    def value_of(self, name: str) -> float:
        """The value a net input multiplies: an input (``i1``) or a unit's output (``h1``)."""
        return self.inputs[name] if name in self.inputs else self.units[name].out

    # ----------------------------------------------------------------- rendering

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-able Python (floats at full precision)."""
        return render_json.to_dict(self)

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return render_json.to_json(self, indent)

    def to_text(self, digits: int = 9) -> str:
        """The trace as plain Unicode text, the numbers to ``digits`` decimals."""
        return render_text.render(self, digits)

    def to_markdown(self, digits: int = 9) -> str:
        """The trace as Markdown: tables of numbers and the formulas in LaTeX (``$…$``)."""
        return render_markdown.render(self, digits)

    def _repr_markdown_(self) -> str:
        # A notebook renders the Markdown, its TeX formulas through MathJax. No
        # _repr_html_: a notebook would prefer it and lose the formulas.
        return self.to_markdown()
