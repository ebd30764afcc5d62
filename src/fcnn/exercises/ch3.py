"""Chapter 3's exercises: the backward pass of sigmoid (written from its output, as
fcnn's ``Sigmoid`` does) and of ReLU, checked against fcnn's modules on hidden inputs."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import ReLU, Sigmoid
from .verdict import call, compare, exercise, function, translator

_ = translator("exercises")

SHAPES = [(4, 3), (1, 5), (6, 2)]


def _cases(seed: int):
    """Hidden inputs spread over the flat and the steep parts, with an upstream gradient
    that is not all ones (so forgetting to multiply by it shows)."""
    rng = np.random.default_rng(seed)
    for case, shape in enumerate(SHAPES, start=1):
        yield case, rng.normal(scale=3.0, size=shape), rng.normal(size=shape)


@exercise("ch3.sigmoid_backward")
def sigmoid_backward(answer: Any) -> str:
    """``f(y, grad_output)`` with ``y = σ(x)`` must return ``grad_output · y(1 − y)``."""
    fn = function(answer)
    for case, x, g in _cases(3):
        sigmoid = Sigmoid(dtype=np.float64)
        y = sigmoid.forward(x)
        want = sigmoid.backward(g)
        got = call(fn, case, y, g)
        s = 1 / (1 + np.exp(-y))
        compare(
            got,
            want,
            case,
            f"y {y.shape}, grad_output {g.shape}",
            [
                (
                    g * s * (1 - s),
                    _(
                        "your function receives the output y = σ(x), not x: "
                        "σ′ = y(1 − y), no second σ"
                    ),
                ),
                (
                    y * (1 - y),
                    _("multiply by grad_output: the chain rule passes the upstream gradient on"),
                ),
                (g * y, _("σ′(x) = y(1 − y), not y")),
                (g * (1 - y), _("σ′(x) = y(1 − y): the factor y is missing")),
            ],
        )
    return _("Your sigmoid backward gives fcnn.Sigmoid's gradient on {n} hidden cases.").format(
        n=len(SHAPES)
    )


@exercise("ch3.relu_backward")
def relu_backward(answer: Any) -> str:
    """``f(x, grad_output)`` must return ``grad_output`` where ``x > 0`` and 0 elsewhere."""
    fn = function(answer)
    for case, x, g in _cases(4):
        relu = ReLU(dtype=np.float64)
        relu.forward(x)
        want = relu.backward(g)
        got = call(fn, case, x, g)
        compare(
            got,
            want,
            case,
            f"x {x.shape}, grad_output {g.shape}",
            [
                (
                    (x > 0).astype(float),
                    _("multiply by grad_output: the mask x > 0 only says where it passes"),
                ),
                (g, _("where x < 0 ReLU is flat (hard saturation): the gradient there is 0")),
                (g * np.maximum(x, 0), _("the slope of max(0, x) is 1 for x > 0, not x")),
            ],
        )
    return _("Your ReLU backward gives fcnn.ReLU's gradient on {n} hidden cases.").format(
        n=len(SHAPES)
    )
