"""Chapter 4's exercises: tanh's backward pass (from its output, as the planar network's
hidden layer uses it) and the gradient where backpropagation starts, the mean binary
cross-entropy's with respect to the logits; both checked against fcnn's modules."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import Tanh
from ..losses import BCEWithLogitsLoss
from .verdict import call, compare, exercise, function, translator

_ = translator("exercises")

SHAPES = [(4, 3), (1, 5), (6, 2)]


@exercise("ch4.tanh_backward")
def tanh_backward(answer: Any) -> str:
    """``f(a, grad_output)`` with ``a = tanh(z)`` must return ``grad_output · (1 − a²)``."""
    fn = function(answer)
    rng = np.random.default_rng(41)
    for case, shape in enumerate(SHAPES, start=1):
        z, g = rng.normal(scale=2.0, size=shape), rng.normal(size=shape)
        tanh = Tanh(dtype=np.float64)
        a = tanh.forward(z)
        want = tanh.backward(g)
        t = np.tanh(a)
        compare(
            call(fn, case, a, g),
            want,
            case,
            f"a {a.shape}, grad_output {g.shape}",
            [
                (
                    g * (1 - t**2),
                    _(
                        "your function receives the output a = tanh(z): tanh′ = 1 − "
                        "a², no second tanh"
                    ),
                ),
                (
                    1 - a**2,
                    _("multiply by grad_output: the chain rule passes the upstream gradient on"),
                ),
                (g * (1 - a), _("tanh′ = 1 − a²: the a is squared")),
                (g * a * (1 - a), _("that is sigmoid's derivative; tanh′ = 1 − a²")),
            ],
        )
    return _("Your tanh backward gives fcnn.Tanh's gradient on {n} hidden cases.").format(
        n=len(SHAPES)
    )


@exercise("ch4.bce_logits_grad")
def bce_logits_grad(answer: Any) -> str:
    """``f(z, y)`` must return ``(σ(z) − y) / m``, what ``BCEWithLogitsLoss`` (mean) gives."""
    fn = function(answer)
    rng = np.random.default_rng(42)
    sizes = [5, 1, 8]
    for case, m in enumerate(sizes, start=1):
        z = rng.normal(scale=3.0, size=(m, 1))
        y = rng.integers(0, 2, size=(m, 1)).astype(np.float64)
        loss = BCEWithLogitsLoss()
        loss.forward(z, y)
        want = loss.backward()
        s = 1 / (1 + np.exp(-z))
        mistakes = [
            (s - y, _("the loss is the mean over the m samples: divide by m")),
            ((y - s) / m, _("the sign: the gradient is σ(z) − y, not y − σ(z)")),
            ((z - y) / m, _("the output is σ(z), not z: the gradient is (σ(z) − y) / m")),
            (
                (s - y) * s * (1 - s) / m,
                _("with cross-entropy σ′ cancels: no factor σ(z)(1 − σ(z))"),
            ),
        ]
        if m > 1:
            compare(call(fn, case, z, y), want, case, f"z {z.shape}, y {y.shape}", mistakes)
        else:
            compare(call(fn, case, z, y), want, case, f"z {z.shape}, y {y.shape}", mistakes[1:])
    return _(
        "Your gradient is BCEWithLogitsLoss's on {n} hidden batches: σ(z) − y, over m."
    ).format(n=len(sizes))
