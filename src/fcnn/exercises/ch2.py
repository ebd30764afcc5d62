"""Chapter 2's exercises, on the notes' 2-2-2 example (``fcnn.explain.classic_example``):
∂E/∂w5 (output layer), ∂E/∂w1 (hidden layer) and the first layer's whole gradient.

The reference is fcnn's own backward pass on the example, run when the check runs; the
chain-rule factors are taken from the same forward pass only to recognise the typical
mistakes (a factor left out, one path of two, the sign, the step instead of the gradient).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..explain import classic_example
from ..losses import MSELoss
from .verdict import Wrong, array, close, exercise, first_match, miss, number, translator

_ = translator("exercises")


class Pass(NamedTuple):
    """The example's numbers after one forward and one backward pass."""

    x: np.ndarray  # i1, i2
    hidden: np.ndarray  # out_h1, out_h2
    out: np.ndarray  # out_o1, out_o2
    target: np.ndarray
    w: dict[str, float]  # w1 … w8 by name
    grad: dict[str, np.ndarray]  # "0.weight", "2.weight", …: fcnn's gradients of E
    lr: float


def notes_pass() -> Pass:
    """Forward, E = ½Σ(target − out)², backward, through fcnn's modules."""
    model, x, target, options = classic_example()
    x, target = x[None, :], target[None, :]
    hidden = model[1].forward(model[0].forward(x))
    out = model.forward(x)
    loss = MSELoss(reduction="sum")
    loss.forward(out, target)
    model.zero_grad()
    model.backward(loss.backward() / 2)  # E is half the summed squared error
    grads = {name: p.grad.copy() for name, p in model.named_parameters()}
    W1, W2 = model[0].weight.data, model[2].weight.data
    names = [f"w{i}" for i in range(1, 9)]
    w = dict(zip(names, [*W1.ravel(), *W2.ravel()], strict=True))
    return Pass(x[0], hidden[0], out[0], target[0], w, grads, options["lr"])


@exercise("ch2.dE_dw5")
def dE_dw5(answer: Any) -> str:
    value = number(answer)
    p = notes_pass()
    want = p.grad["2.weight"][0, 0]
    error, slope, into = p.out[0] - p.target[0], p.out[0] * (1 - p.out[0]), p.hidden[0]
    if close(value, want):
        return _("∂E/∂w5 agrees with fcnn's backward pass.")
    raise Wrong(
        miss(value, want),
        first_match(
            value,
            [
                (-want, _("the sign: ∂E/∂out_o1 = out_o1 − target_o1")),
                (error * slope, _("that is δ_o1 = ∂E/∂net_o1; multiply by ∂net_o1/∂w5 = out_h1")),
                (
                    error * into,
                    _("the sigmoid's slope ∂out_o1/∂net_o1 = out_o1(1 − out_o1) is missing"),
                ),
                (slope * into, _("the error factor ∂E/∂out_o1 = out_o1 − target_o1 is missing")),
                (
                    p.w["w5"] - p.lr * want,
                    _("that is w5 after the step; the exercise asks for the gradient"),
                ),
            ],
        ),
    )


@exercise("ch2.dE_dw1")
def dE_dw1(answer: Any) -> str:
    value = number(answer)
    p = notes_pass()
    want = p.grad["0.weight"][0, 0]
    deltas = (p.out - p.target) * p.out * (1 - p.out)  # δ_o1, δ_o2
    slope, into = p.hidden[0] * (1 - p.hidden[0]), p.x[0]
    via_o1, via_o2 = deltas[0] * p.w["w5"], deltas[1] * p.w["w7"]
    both = _("h1 feeds both outputs: ∂E/∂out_h1 = δ_o1·w5 + δ_o2·w7, the sum of both paths")
    if close(value, want):
        return _("∂E/∂w1 agrees with fcnn's backward pass.")
    raise Wrong(
        miss(value, want),
        first_match(
            value,
            [
                (-want, _("the sign: each ∂E/∂out_o = out_o − target_o")),
                (
                    via_o1 * slope * into,
                    both,
                ),
                (
                    via_o2 * slope * into,
                    both,
                ),
                (
                    (via_o1 + via_o2) * into,
                    _("the hidden sigmoid's slope ∂out_h1/∂net_h1 = out_h1(1 − out_h1) is missing"),
                ),
                ((via_o1 + via_o2) * slope, _("∂net_h1/∂w1 = i1 is missing")),
                (
                    p.w["w1"] - p.lr * want,
                    _("that is w1 after the step; the exercise asks for the gradient"),
                ),
            ],
        ),
    )


@exercise("ch2.grad_W1")
def grad_W1(answer: Any) -> str:
    p = notes_pass()
    want = p.grad["0.weight"]
    values = array(answer, want.shape)
    if close(values, want):
        return _("Your 2×2 gradient is fcnn's model[0].weight.grad.")
    deltas = (p.out - p.target) * p.out * (1 - p.out)
    W2 = np.array([[p.w["w5"], p.w["w6"]], [p.w["w7"], p.w["w8"]]])
    delta_h = (deltas @ W2) * p.hidden * (1 - p.hidden)
    raise Wrong(
        miss(values, want),
        first_match(
            values,
            [
                (
                    want.T,
                    _("transposed: row j holds unit h_j's weights, column i input i_i (δ_hᵀ x)"),
                ),
                (
                    np.outer(deltas @ W2, p.x),
                    _("the hidden sigmoid's slope out_h(1 − out_h) is missing"),
                ),
                (
                    np.outer(delta_h, np.ones(2)),
                    _("each weight's gradient is multiplied by the input it carries"),
                ),
            ],
        ),
    )
