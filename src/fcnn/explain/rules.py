"""What the trace knows about each layer, in one table keyed by class.

``ACTIVATIONS`` maps each element-wise activation the trace follows to a function that
gives, for one instance, its :class:`ActivationRule`: the output as a formula of the net
input, the derivative ``∂out/∂net`` as a formula and as code (computed explicitly, then
checked against the activation's own backward pass), each formula in text and in LaTeX.
To trace a new activation, add its entry here; nothing else changes. ``REFUSED`` says
why the layers the trace cannot follow are refused.

In the templates ``{net}`` and ``{out}`` stand for the unit's net input and output; the
trace puts in ``net_h1`` / ``net_{h1}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple, TypeVar

import numpy as np

from .. import activations, layers
from ..core import Module
from ..i18n import N_, Message


class ActivationRule(NamedTuple):
    """What the trace prints and computes for one element-wise activation."""

    out: str  # out as a function of {net}
    derivative: str  # ∂out/∂net in terms of {net} and {out}
    out_tex: str
    derivative_tex: str
    slope: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (net, out) -> ∂out/∂net


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z), quietly 0 where e^(−z) overflows."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


IDENTITY = ActivationRule("{net}", "1", "{net}", "1", lambda z, y: np.ones_like(z))
"""The rule of a Linear layer with no activation after it."""


def _sigmoid_rule(layer: Module) -> ActivationRule:
    return ActivationRule(
        "σ({net})",
        "{out}(1 − {out})",
        "\\sigma({net})",
        "{out}(1 - {out})",
        lambda z, y: y * (1.0 - y),
    )


def _tanh(layer: Module) -> ActivationRule:
    return ActivationRule(
        "tanh({net})", "1 − {out}²", "\\tanh({net})", "1 - {out}^2", lambda z, y: 1.0 - y * y
    )


def _relu(layer: Module) -> ActivationRule:
    return ActivationRule(
        "max({net}, 0)",
        "[{net} > 0]",
        "\\max({net}, 0)",
        "[{net} > 0]",
        lambda z, y: (z > 0).astype(z.dtype),
    )


def _leaky_relu(layer: activations.LeakyReLU) -> ActivationRule:
    a = layer.negative_slope
    return ActivationRule(
        f"{{net}} if {{net}} > 0, else {a}·{{net}}",
        f"1 if {{net}} > 0, else {a}",
        f"\\max({{net}}, {a}\\,{{net}})" if a <= 1 else f"\\mathrm{{LeakyReLU}}_{{{a}}}({{net}})",
        f"[{{net}} > 0] + {a}\\,[{{net}} \\le 0]",
        lambda z, y: np.where(z > 0, 1.0, a),
    )


def _scaled_elu(s: str, s_tex: str, k: str, k_tex: str) -> Callable[[Module], ActivationRule]:
    """ELU (``s`` empty, ``k`` = α) and SELU (``s`` = λ·, ``k`` = λα): one formula."""

    def rule(layer: Module) -> ActivationRule:
        alpha, scale = layer._alpha, layer._scale
        return ActivationRule(
            f"{s}{{net}} if {{net}} > 0, else {k}(e^{{net}} − 1)",
            f"{scale:g} if {{net}} > 0, else {{out}} + {k}",
            f"{s_tex}{{net}} \\text{{ if }} {{net}} > 0 "
            f"\\text{{, else }} {k_tex}(e^{{{{net}}}} - 1)",
            f"{scale:g} \\text{{ if }} {{net}} > 0 \\text{{, else }} {{out}} + {k_tex}",
            lambda z, y: np.where(z > 0, scale, y + alpha * scale),
        )

    return rule


def _gelu_tanh_slope(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    c, kappa = math.sqrt(2.0 / math.pi), 0.044715
    t = np.tanh(c * (z + kappa * z**3))
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * c * (1.0 + 3.0 * kappa * z * z)


def _gelu_slope(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in z.reshape(-1)])
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return cdf.reshape(z.shape) + z * pdf


def _gelu(layer: activations.GELU) -> ActivationRule:
    if layer.approximate == "tanh":
        return ActivationRule(
            "½{net}(1 + tanh(√(2/π)({net} + 0.044715{net}³)))",
            "½(1 + t) + ½{net}(1 − t²)√(2/π)(1 + 0.134145{net}²), t = tanh(…)",
            "\\tfrac12 {net}(1 + \\tanh(\\sqrt{2/\\pi}({net} + 0.044715\\,{net}^3)))",
            "\\tfrac12(1 + t) + \\tfrac12 {net}(1 - t^2)\\sqrt{2/\\pi}(1 + 0.134145\\,{net}^2)",
            _gelu_tanh_slope,
        )
    return ActivationRule(
        "{net}·Φ({net})",
        "Φ({net}) + {net}·φ({net})",
        "{net}\\,\\Phi({net})",
        "\\Phi({net}) + {net}\\,\\varphi({net})",
        _gelu_slope,
    )


def _silu_slope(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    s = sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


def _silu(layer: Module) -> ActivationRule:
    return ActivationRule(
        "{net}·σ({net})",
        "σ({net})(1 + {net}(1 − σ({net})))",
        "{net}\\,\\sigma({net})",
        "\\sigma({net})(1 + {net}(1 - \\sigma({net})))",
        _silu_slope,
    )


def _softplus(layer: activations.Softplus) -> ActivationRule:
    beta, threshold = layer.beta, layer.threshold
    return ActivationRule(
        f"log(1 + e^({beta:g}·{{net}}))/{beta:g}",
        f"σ({beta:g}·{{net}})",
        f"\\tfrac{{1}}{{{beta:g}}}\\log(1 + e^{{{beta:g}{{net}}}})",
        f"\\sigma({beta:g}\\,{{net}})",
        lambda z, y: np.where(beta * z > threshold, 1.0, sigmoid(beta * z)),
    )


# The activations the trace follows, in the order its messages list them.
ACTIVATIONS: dict[type[Module], Callable[..., ActivationRule]] = {
    activations.Identity: lambda layer: IDENTITY,
    activations.Sigmoid: _sigmoid_rule,
    activations.Tanh: _tanh,
    activations.ReLU: _relu,
    activations.LeakyReLU: _leaky_relu,
    activations.ELU: _scaled_elu("", "", "α", "\\alpha"),
    activations.SELU: _scaled_elu("λ·", "\\lambda ", "λα", "\\lambda\\alpha"),
    activations.GELU: _gelu,
    activations.SiLU: _silu,
    activations.Softplus: _softplus,
}

# The layers the trace refuses, and why (the message goes on "it …").
# Each reason is a template of the explain catalog, said after "it" in the refusal.
REFUSED: dict[type[Module], str] = {
    layers.BatchNorm1d: N_(
        "normalises each unit over the batch, and one sample has no batch statistics"
    ),
    layers.Dropout: N_(
        "zeroes random units, so the trace would depend on the draw; build the model "
        "without it (it is the identity in eval mode)"
    ),
    activations.Softmax: N_(
        "couples its units (each output depends on every net input), so "
        "∂out/∂net is a matrix, not one factor per unit; end the model at the logits and use "
        "loss='cross_entropy', which contains the softmax"
    ),
    activations.LogSoftmax: N_(
        "couples its units (each output depends on every net input); end the "
        "model at the logits and use loss='cross_entropy', which contains the log-softmax"
    ),
    activations.PReLU: N_("has a learnable slope, which the trace does not cover; use LeakyReLU"),
}

T = TypeVar("T")


def lookup(table: dict[type[Module], T], layer: Module) -> T | None:
    """The entry of ``layer``'s class, or of the nearest base class that has one (so a
    subclass of ``Tanh`` is traced as a tanh; its backward pass still checks that)."""
    return next((table[cls] for cls in type(layer).__mro__ if cls in table), None)


def activation_rule(layer: Module | None) -> ActivationRule:
    """The rule of an activation the trace follows; ``None`` (no activation) is the identity."""
    if layer is None:
        return IDENTITY
    make = lookup(ACTIVATIONS, layer)
    if make is None:  # structure.stages refuses such a model first
        template = N_("explain: no rule for {name}")
        raise TypeError(Message("explain", template, name=type(layer).__name__))
    return make(layer)
