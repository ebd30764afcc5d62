"""How each fcnn layer becomes ONNX operators: :class:`Graph` collects the nodes and
initializers, :func:`lower` adds one layer (a ``Sequential`` layer by layer).

Each layer becomes the operators that compute its eval-mode function:

========================  ==========================================================
fcnn                      ONNX
========================  ==========================================================
Linear                    Gemm (transB=1)
BatchNorm1d               folded into the Linear before it (``fold_batchnorm``), else
                          BatchNormalization; without running statistics, the batch
                          statistics (ReduceMean) as fcnn's eval mode uses them
Dropout                   nothing (the identity in eval mode)
Flatten                   Flatten (axis=1)
Maxout                    Gemm → Reshape (N, out, pieces) → ReduceMax over pieces
Sequential                its layers, in order (nested ones too)
Identity, ReLU, Sigmoid,  Identity, Relu, Sigmoid, Tanh, LeakyRelu (alpha = slope),
Tanh, LeakyReLU, PReLU    PRelu (slopes as an initializer); float64: LeakyReLU as
                          Where(x > 0, x, slope·x), PReLU as relu(x) + a·min(x, 0)
ELU, SELU                 Elu, Selu (float32); the same formula in Exp/Min/Relu (float64)
GELU                      Gelu (opset ≥ 20, float32); below 20, ``½x(1 + erf(x/√2))``
                          with Erf, or ``½x(1 + tanh(√(2/π)(x + 0.044715x³)))``;
                          float64 uses fcnn's own rational approximation of Φ
SiLU                      x · Sigmoid(x)
Softplus                  Softplus of βx, divided by β, and ``x`` where βx > threshold
                          (Where); float64 spells Softplus as ``relu(z) + log(1 + e^-|z|)``
Softmax, LogSoftmax       Softmax, LogSoftmax (axis = dim)
========================  ==========================================================

Float64 models use only operators that onnxruntime implements in double precision
(1.31 has no double Elu, Selu, Softplus, Erf or Gelu kernels, and double LeakyRelu and
PRelu at some opsets only), so both dtypes run there.

A layer's lowering is found in ``_LOWERINGS``, a table keyed by its class: a new layer
gets its ONNX conversion by adding one function and one row there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import activations
from ..activations import ERFCX_COEFFICIENTS, SELU_ALPHA, SELU_SCALE
from ..core import Module
from ..i18n import N_, Message
from ..layers import BatchNorm1d, Dropout, Flatten, Linear, Maxout, Sequential

__all__ = ["Graph", "lower"]


class Graph:
    """Nodes and initializers under construction, with fresh tensor names."""

    def __init__(self, onnx: Any, dtype: np.dtype, opset: int) -> None:
        self.onnx = onnx
        self.dtype = dtype
        self.opset = opset
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def _name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, value: Any, hint: str, dtype: Any = None) -> str:
        """An initializer holding ``value`` (in the graph's dtype unless ``dtype`` says)."""
        array = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        name = self._name(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def scalar(self, value: float, hint: str = "c") -> str:
        return self.const(value, hint)

    def node(self, op: str, inputs: Sequence[str], hint: str | None = None, **attrs: Any) -> str:
        output = self._name(hint or op.lower())
        self.nodes.append(self.onnx.helper.make_node(op, list(inputs), [output], **attrs))
        return output

    def reduce(self, op: str, x: str, axis: int, keepdims: int) -> str:
        """ReduceMax/ReduceMean over one axis: ``axes`` is an attribute before opset 18 and
        an input from 18 on."""
        if self.opset >= 18:
            axes = self.const([axis], "axes", np.int64)
            return self.node(op, [x, axes], keepdims=keepdims)
        return self.node(op, [x], axes=[axis], keepdims=keepdims)

    @property
    def float64(self) -> bool:
        return self.dtype == np.float64


# --------------------------------------------------------------------------- layers


def _gemm(g: Graph, x: str, weight: np.ndarray, bias: np.ndarray | None, hint: str) -> str:
    inputs = [x, g.const(weight, f"{hint}.weight")]
    if bias is not None:
        inputs.append(g.const(bias, f"{hint}.bias"))
    return g.node("Gemm", inputs, hint, transB=1)


def _linear(g: Graph, m: Linear, x: str, path: str) -> str:
    bias = None if m.bias is None else m.bias.data
    return _gemm(g, x, m.weight.data, bias, path)


def _folded_linear(g: Graph, linear: Linear, bn: BatchNorm1d, x: str, path: str) -> str:
    # bn(x Wᵀ + b) = (x Wᵀ + b - μ)·s + β with s = γ/√(σ² + ε)  ⇒  W' = s·W, b' = (b - μ)·s + β
    scale = 1.0 / np.sqrt(bn.running_var.astype(np.float64) + bn.eps)
    shift = -bn.running_mean.astype(np.float64) * scale
    if bn.affine:
        scale = scale * bn.weight.data.astype(np.float64)
        shift = shift * bn.weight.data.astype(np.float64) + bn.bias.data.astype(np.float64)
    weight = linear.weight.data.astype(np.float64) * scale[:, None]
    bias = shift
    if linear.bias is not None:
        bias = bias + linear.bias.data.astype(np.float64) * scale
    return _gemm(g, x, weight, bias, path)


def _batchnorm(g: Graph, m: BatchNorm1d, x: str, path: str) -> str:
    n = m.num_features
    gamma = m.weight.data if m.affine else np.ones(n)
    beta = m.bias.data if m.affine else np.zeros(n)
    if m.track_running_stats:
        inputs = [x, g.const(gamma, f"{path}.weight"), g.const(beta, f"{path}.bias")]
        inputs += [g.const(m.running_mean, f"{path}.running_mean")]
        inputs += [g.const(m.running_var, f"{path}.running_var")]
        return g.node("BatchNormalization", inputs, path, epsilon=m.eps)
    # No running statistics: eval mode normalises with the batch's own mean and biased
    # variance, as fcnn (and PyTorch) do.
    mean = g.reduce("ReduceMean", x, axis=0, keepdims=1)
    centered = g.node("Sub", [x, mean])
    var = g.reduce("ReduceMean", g.node("Mul", [centered, centered]), axis=0, keepdims=1)
    std = g.node("Sqrt", [g.node("Add", [var, g.scalar(m.eps, "eps")])])
    y = g.node("Div", [centered, std])
    if m.affine:
        y = g.node("Mul", [y, g.const(gamma, f"{path}.weight")])
        y = g.node("Add", [y, g.const(beta, f"{path}.bias")])
    return y


def _maxout(g: Graph, m: Maxout, x: str, path: str) -> str:
    bias = None if m.bias is None else m.bias.data
    z = _gemm(g, x, m.weight.data, bias, path)
    shape = g.const([0, m.out_features, m.pieces], f"{path}.shape", np.int64)
    z = g.node("Reshape", [z, shape])
    return g.reduce("ReduceMax", z, axis=2, keepdims=0)


def _elu_formula(g: Graph, x: str, alpha: float, scale: float) -> str:
    """``scale·(relu(x) + alpha·(e^min(x, 0) - 1))``, from operators with double kernels."""
    negative = g.node("Min", [x, g.scalar(0.0)])
    expm1 = g.node("Sub", [g.node("Exp", [negative]), g.scalar(1.0)])
    y = g.node("Add", [g.node("Relu", [x]), g.node("Mul", [expm1, g.scalar(alpha)])])
    return y if scale == 1.0 else g.node("Mul", [y, g.scalar(scale)])


def _elu(g: Graph, m: activations.ELU, x: str, path: str) -> str:
    if g.float64:
        return _elu_formula(g, x, m.alpha, 1.0)
    return g.node("Elu", [x], path, alpha=m.alpha)


def _selu(g: Graph, m: activations.SELU, x: str, path: str) -> str:
    if g.float64:
        return _elu_formula(g, x, SELU_ALPHA, SELU_SCALE)
    return g.node("Selu", [x], path, alpha=SELU_ALPHA, gamma=SELU_SCALE)


def _horner(g: Graph, coeffs: Sequence[float], v: str) -> str:
    out = g.scalar(coeffs[-1])
    for c in coeffs[-2::-1]:
        out = g.node("Add", [g.node("Mul", [out, v]), g.scalar(c)])
    return out


def _normal_cdf_rational(g: Graph, x: str) -> str:
    """Φ(x) by fcnn's own rational approximation (see ``activations._normal_cdf``):
    h = ½·e^(-z²)·P(z)/Q(z), z = |x|/√2 capped at 6; Φ = h for x < 0, 1 - h otherwise."""
    z = g.node("Mul", [g.node("Abs", [x]), g.scalar(math.sqrt(0.5))])
    gauss = g.node("Exp", [g.node("Neg", [g.node("Mul", [z, z])])])
    zc = g.node("Min", [z, g.scalar(6.0)])
    numerator, denominator = ERFCX_COEFFICIENTS[np.dtype(g.dtype)]
    ratio = g.node("Div", [_horner(g, numerator, zc), _horner(g, denominator, zc)])
    h = g.node("Mul", [g.node("Mul", [ratio, gauss]), g.scalar(0.5)])
    upper = g.node("Sub", [g.scalar(1.0), h])
    non_negative = g.node("GreaterOrEqual", [x, g.scalar(0.0)])
    return g.node("Where", [non_negative, upper, h])


def _gelu(g: Graph, m: activations.GELU, x: str, path: str) -> str:
    if g.opset >= 20 and not g.float64:
        return g.node("Gelu", [x], path, approximate=m.approximate)
    if m.approximate == "tanh":
        # ½x(1 + tanh(√(2/π)·(x + κx³)))
        cube = g.node("Mul", [g.node("Mul", [x, x]), x])
        inner = g.node("Add", [x, g.node("Mul", [cube, g.scalar(0.044715)])])
        t = g.node("Tanh", [g.node("Mul", [inner, g.scalar(math.sqrt(2.0 / math.pi))])])
        cdf = g.node("Mul", [g.node("Add", [t, g.scalar(1.0)]), g.scalar(0.5)])
    elif g.float64:
        cdf = _normal_cdf_rational(g, x)
    else:
        # ½(1 + erf(x/√2))
        erf = g.node("Erf", [g.node("Mul", [x, g.scalar(math.sqrt(0.5))])])
        cdf = g.node("Mul", [g.node("Add", [erf, g.scalar(1.0)]), g.scalar(0.5)])
    return g.node("Mul", [x, cdf], path)


def _softplus(g: Graph, m: activations.Softplus, x: str, path: str) -> str:
    z = x if m.beta == 1.0 else g.node("Mul", [x, g.scalar(m.beta)])
    if g.float64:  # relu(z) + log(1 + e^-|z|): no overflow for any z
        tail = g.node("Exp", [g.node("Neg", [g.node("Abs", [z])])])
        soft = g.node(
            "Add", [g.node("Relu", [z]), g.node("Log", [g.node("Add", [tail, g.scalar(1.0)])])]
        )
    else:
        soft = g.node("Softplus", [z])
    if m.beta != 1.0:
        soft = g.node("Div", [soft, g.scalar(m.beta)])
    limit = float(np.finfo(g.dtype).max)  # as fcnn compares: in the data's dtype
    threshold = min(max(m.threshold, -limit), limit)
    linear = g.node("Greater", [z, g.scalar(threshold)])
    return g.node("Where", [linear, x, soft], path)


def _simple(op: str, **attrs: Callable[[Module], Any]) -> Callable[[Graph, Module, str, str], str]:
    def lower(g: Graph, m: Module, x: str, path: str) -> str:
        return g.node(op, [x], path, **{key: fn(m) for key, fn in attrs.items()})

    return lower


def _leaky_relu(g: Graph, m: activations.LeakyReLU, x: str, path: str) -> str:
    if g.float64:  # x where x > 0, slope·x elsewhere
        positive = g.node("Greater", [x, g.scalar(0.0)])
        scaled = g.node("Mul", [x, g.scalar(m.negative_slope)])
        return g.node("Where", [positive, x, scaled], path)
    return g.node("LeakyRelu", [x], path, alpha=m.negative_slope)


def _prelu(g: Graph, m: activations.PReLU, x: str, path: str) -> str:
    slopes = g.const(m.weight.data, f"{path}.weight")
    if g.float64:  # max(x, 0) + a·min(x, 0), as fcnn computes it
        negative = g.node("Mul", [g.node("Min", [x, g.scalar(0.0)]), slopes])
        return g.node("Add", [g.node("Relu", [x]), negative], path)
    return g.node("PRelu", [x, slopes], path)


def _silu(g: Graph, m: activations.SiLU, x: str, path: str) -> str:
    return g.node("Mul", [x, g.node("Sigmoid", [x])], path)


def _dropout(g: Graph, m: Dropout, x: str, path: str) -> str:
    return x  # the identity in eval mode


def _sequential(g: Graph, m: Sequential, x: str, path: str, fold: bool = True) -> str:
    layers = list(m)
    i = 0
    while i < len(layers):
        layer, where = layers[i], _child_path(path, i)
        nxt = layers[i + 1] if i + 1 < len(layers) else None
        if fold and type(layer) is Linear and type(nxt) is BatchNorm1d and nxt.track_running_stats:
            x = _folded_linear(g, layer, nxt, x, where)
            i += 2
            continue
        x = lower(g, layer, x, where, fold)
        i += 1
    return x


def _child_path(path: str, index: int) -> str:
    return f"{path}.{index}" if path else str(index)


_LOWERINGS: dict[type, Callable[..., str]] = {
    Linear: _linear,
    BatchNorm1d: _batchnorm,
    Dropout: _dropout,
    Flatten: _simple("Flatten", axis=lambda m: 1),
    Maxout: _maxout,
    activations.Identity: _simple("Identity"),
    activations.ReLU: _simple("Relu"),
    activations.Sigmoid: _simple("Sigmoid"),
    activations.Tanh: _simple("Tanh"),
    activations.LeakyReLU: _leaky_relu,
    activations.PReLU: _prelu,
    activations.ELU: _elu,
    activations.SELU: _selu,
    activations.GELU: _gelu,
    activations.SiLU: _silu,
    activations.Softplus: _softplus,
    activations.Softmax: _simple("Softmax", axis=lambda m: m.dim),
    activations.LogSoftmax: _simple("LogSoftmax", axis=lambda m: m.dim),
}


def lower(g: Graph, m: Module, x: str, path: str, fold: bool) -> str:
    """Add the operators of ``m`` applied to tensor ``x`` to ``g``; return the output tensor.

    ``path`` is the layer's place in the model (``"2.0"``), for names and messages;
    ``fold`` folds each BatchNorm1d after a Linear into it.
    """
    if type(m) is Sequential:
        return _sequential(g, m, x, path, fold)
    convert = _LOWERINGS.get(type(m))
    if convert is None:
        supported = ", ".join(["Sequential", *(cls.__name__ for cls in _LOWERINGS)])
        template = (
            N_(
                "to_onnx: cannot export layer {path} ({kind}): it has no ONNX conversion. "
                "Supported: {supported}"
            )
            if path
            else N_(
                "to_onnx: cannot export ({kind}): it has no ONNX conversion. Supported: {supported}"
            )
        )
        said = {"kind": type(m).__name__, "supported": supported}
        raise TypeError(Message("files", template, path=path, **said))
    return convert(g, m, x, path or type(m).__name__.lower())
