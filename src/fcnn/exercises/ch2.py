"""Chapter 2's exercises, on the notes' 2-2-2 example (``fcnn.explain.classic_example``):
∂E/∂w5 (output layer), ∂E/∂w1 (hidden layer) and the first layer's whole gradient; then
a Linear layer's whole backward pass, ``(dx, dW, db)``, for any batch.

The reference is fcnn's own backward pass, run when the check runs; the chain-rule
factors are taken from the same forward pass only to recognise the typical mistakes (a
factor left out, one path of two, the sign, the step instead of the gradient, a missing
transpose, a forgotten bias gradient).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..diagnose import gradcheck
from ..explain import classic_example
from ..layers import Linear
from ..losses import MSELoss
from .ch1 import linear_layer
from .verdict import (
    Wrong,
    array,
    close,
    compare,
    described,
    exercise,
    first_match,
    function,
    miss,
    number,
    run,
    translator,
)

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


# (samples, in_features, out_features) of linear_backward's hidden cases: the first has as
# many inputs as outputs, so a transposed W or dW keeps its shape and is recognised by its
# values; the others are not square, so a shape mistake shows as a shape
LINEAR_CASES = [(4, 3, 3), (5, 3, 2), (1, 4, 6), (7, 2, 5)]

#: what a gradient check's relative error stays under when the backward pass is right
GRADCHECK_TOLERANCE = 1e-6
#: gradcheck's names for the gradients, and the exercise's
GRADIENT_OF = {"input": "dx", "weight": "dW", "bias": "db"}


class _YourLinear(Linear):
    """A Linear layer whose backward pass is the learner's function, for fcnn.gradcheck."""

    def __init__(self, fn, W: np.ndarray, b: np.ndarray) -> None:
        super().__init__(W.shape[1], W.shape[0], dtype=np.float64)
        self.load_state_dict({"weight": W, "bias": b})
        self.fn = fn

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        dx, dW, db = self.fn(self._x.copy(), self.weight.data.copy(), grad_output.copy())
        self.weight.grad += np.asarray(dW)
        self.bias.grad += np.asarray(db)
        return np.asarray(dx)


def _three(result: Any, case: int) -> list[np.ndarray]:
    """The learner's (dx, dW, db) as three float arrays, or Wrong saying what came back."""
    try:
        dx, dW, db = result
    except (TypeError, ValueError) as error:
        raise Wrong(
            _(
                "On hidden case {case} your function did not return three arrays "
                "(dx, dW, db): {error}"
            ).format(case=case, error=f"{type(error).__name__}: {error}")
        ) from None
    arrays = []
    for part, value in zip(("dx", "dW", "db"), (dx, dW, db), strict=True):
        if value is None:  # np.asarray(None, dtype=float) would be a quiet nan
            raise Wrong(
                _("On hidden case {case} your {part} is None.").format(case=case, part=part),
                _("the bias has a gradient too: b is added to every sample's output")
                if part == "db"
                else "",
            )
        try:
            arrays.append(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError):
            raise Wrong(
                _("On hidden case {case} your {part} is not an array of numbers: {what}.").format(
                    case=case, part=part, what=described(value)
                )
            ) from None
    return arrays


@exercise("ch2.linear_backward")
def linear_backward(answer: Any) -> str:
    """``f(x, W, grad_out)`` must return fcnn.Linear's ``(dx, dW, db)`` for
    ``y = x Wᵀ + b``; once it does on every hidden case, fcnn.gradcheck holds the
    function against finite differences of the forward pass."""
    fn = function(answer)
    shapes_hint = _(
        "mind the shapes: x is (N, in_features), W (out_features, in_features), grad_out "
        "(N, out_features); each gradient has the shape of what it is the gradient of"
    )
    rng = np.random.default_rng(21)
    for case, (n, fan_in, fan_out) in enumerate(LINEAR_CASES, start=1):
        x, W = rng.normal(size=(n, fan_in)), rng.normal(size=(fan_out, fan_in))
        b, g = rng.normal(size=fan_out), rng.normal(size=(n, fan_out))
        layer = linear_layer(W, b)
        layer.forward(x)
        layer.zero_grad()
        want = [layer.backward(g), layer.weight.grad, layer.bias.grad]
        got = _three(run(fn, case, x, W, g, hint=shapes_hint), case)
        shapes = f"x {x.shape}, W {W.shape}, grad_out {g.shape}"
        dx_mistakes = [
            (g, _("dx is missing W: each input reaches every output through its weight"))
        ]
        if fan_in == fan_out:  # else grad_out Wᵀ is undefined (the learner's raises)
            dx_mistakes.append(
                (g @ W.T, _("dx goes back through W itself: the forward pass multiplied by Wᵀ"))
            )
        mistakes = {
            "dx": dx_mistakes,
            "dW": [
                (
                    x.T @ g,
                    _(
                        "dW is transposed: like W it has one row per output unit, shape "
                        "(out_features, in_features); xᵀ grad_out has one row per input"
                    ),
                ),
            ],
            "db": [
                (np.zeros(fan_out), _("db is zero: the bias gradient is forgotten")),
                (
                    g,
                    _(
                        "db has one row per sample: the batch shares one b, so the samples' "
                        "gradients add up"
                    ),
                ),
                (
                    g.mean(axis=0),
                    _("db is averaged over the batch: the samples' gradients add up"),
                ),
                (
                    g.sum(axis=1),
                    _(
                        "db is summed over the wrong axis: one entry per output unit, "
                        "not per sample"
                    ),
                ),
            ],
        }
        for part, mine, fcnns in zip(("dx", "dW", "db"), got, want, strict=True):
            compare(mine, fcnns, case, shapes, mistakes[part], part=part)
    errors = gradcheck(_YourLinear(fn, W, b), x)
    worst = max(errors, key=errors.get)
    if errors[worst] > GRADCHECK_TOLERANCE:  # only a function that is not the same each call
        raise Wrong(
            _(
                "fcnn.gradcheck's finite differences disagree with your function "
                "(relative error {error:.1e} on {part}): does it depend on more than its "
                "arguments?"
            ).format(error=errors[worst], part=GRADIENT_OF[worst])
        )
    return _(
        "Your dx, dW and db are fcnn.Linear's on {n} hidden cases, and fcnn.gradcheck's "
        "finite differences agree with them."
    ).format(n=len(LINEAR_CASES))
