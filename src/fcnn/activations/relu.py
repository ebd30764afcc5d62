"""The rectifiers: ``ReLU``, ``LeakyReLU``, ``PReLU`` (a learnable slope) and the
exponential ones, ``ELU`` and ``SELU``.

Each is computed branch-free from ``max(x, 0)`` and ``min(x, 0)``: NumPy's masked
operations on random signs cost more than the arithmetic itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import checks
from ..core import Module, Parameter, register_module
from .base import _Activation, _FromOutput, _negative_part, _positive_part

__all__ = ["ELU", "SELU", "SELU_ALPHA", "SELU_SCALE", "LeakyReLU", "PReLU", "ReLU"]

#: SELU's constants α and λ (Klambauer et al., 2017), to the digits PyTorch uses; public
#: because the ONNX export writes them into the graph.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@register_module
class ReLU(_FromOutput):
    """Rectified linear unit, ``y = max(x, 0)``.

    The derivative at exactly 0 is taken as 0, as in PyTorch.

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    _function = staticmethod(_positive_part)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A subclass that computes something else must not be bypassed by the in-place pair
        # below: it falls back to Module's, which call its own forward and backward.
        if "forward" in vars(cls) or "_function" in vars(cls):
            cls._forward_owned = Module._forward_owned
        if "backward" in vars(cls):
            cls._backward_owned = Module._backward_owned

    def __init__(self, *, dtype: Any = None) -> None:
        super().__init__(dtype=dtype)
        # What the in-place path compares against: NumPy's maximum against a zero array
        # runs about twice as fast as against the scalar 0. Grown to the largest input seen
        # and never written, so np.zeros leaves it on the kernel's zero page: no memory.
        self._zeros = np.zeros(0, self.dtype)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y,) = self._restore(grad_output)
        return grad_output * (y > 0)  # y = max(x, 0)  ⇒  dx = dy · [x > 0]

    # The same two computations, overwriting an array that Sequential says nothing else
    # holds (a Linear's output or input gradient): no allocation, no fresh memory to touch.
    def _forward_owned(self, x: np.ndarray) -> np.ndarray:
        x = self._as_input(x)
        zeros = self._zeros
        if zeros.size < x.size or (zeros.dtype is not x.dtype and zeros.dtype != x.dtype):
            zeros = self._zeros = np.zeros(x.size, x.dtype)
            zeros.flags.writeable = False
        np.maximum(x, zeros[: x.size].reshape(x.shape), out=x)
        self._saved = (x,)
        return x

    def _backward_owned(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y,) = self._restore(grad_output)
        np.multiply(grad_output, y > 0, out=grad_output)
        return grad_output


@register_module
class LeakyReLU(_Activation):
    """Leaky ReLU, ``y = x`` for ``x > 0`` and ``negative_slope · x`` otherwise.

    Parameters
    ----------
    negative_slope : float, default 0.01
        Slope for ``x ≤ 0`` (any finite number; at exactly 0 the derivative is this slope,
        as in PyTorch).
    dtype : float32 or float64, optional

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def __init__(self, negative_slope: float = 0.01, *, dtype: Any = None) -> None:
        slope = checks.real("LeakyReLU", "negative_slope", negative_slope)
        super().__init__(dtype=dtype)
        self.negative_slope = slope

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        y = x * self.negative_slope
        # For a slope ≤ 1 the larger of x and slope·x is the right branch on both sides of 0;
        # for a slope > 1 it is the smaller one.
        if self.negative_slope <= 1.0:
            np.maximum(y, x, out=y)
        else:
            np.minimum(y, x, out=y)
        self._saved = (x,)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (x,) = self._restore(grad_output)
        grad = np.multiply(x <= 0, self.negative_slope, dtype=x.dtype)
        grad += x > 0  # dx = dy · (slope·[x ≤ 0] + [x > 0])
        grad *= grad_output
        return grad

    def config(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}


@register_module
class PReLU(_Activation):
    """Parametric ReLU (He et al., 2015): ``y = x`` for ``x > 0`` and ``a · x`` otherwise,
    with a learnable slope ``a``.

    Parameters
    ----------
    num_parameters : int, default 1
        1 for one slope shared by every feature, or the number of input features for one
        slope per feature (the input's feature count is then checked).
    init : float, default 0.25
        Initial value of every slope.
    dtype : float32 or float64, optional

    Attributes
    ----------
    weight : Parameter, shape (num_parameters,)
        The slopes (PyTorch's name, so state dicts carry over). ``backward`` adds
        ``dL/da = Σ dy · x`` over the entries with ``x ≤ 0`` into ``weight.grad``; calling
        it twice adds twice.

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, *, dtype: Any = None) -> None:
        count = checks.positive_int("PReLU", "num_parameters", num_parameters)
        value = checks.real("PReLU", "init", init)
        super().__init__(dtype=dtype)
        self.num_parameters = count
        self.init = value
        self.weight = Parameter(np.full(self.num_parameters, value), self.dtype)

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x, None if self.num_parameters == 1 else self.num_parameters)
        negative_part = _negative_part(x)
        y = _positive_part(x)  # max(x, 0) + a·min(x, 0): branch-free
        y += negative_part * self.weight.data
        self._saved = (negative_part, x > 0)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (negative_part, positive) = self._restore(grad_output)
        a = self.weight.data
        # y = max(x, 0) + a·min(x, 0)  ⇒  da = Σ dy·min(x, 0),  dx = dy · (a·[x ≤ 0] + [x > 0])
        slope_grad = negative_part * grad_output
        if self.num_parameters == 1:
            self.weight.grad += slope_grad.sum()
        else:
            self.weight.grad += slope_grad.sum(axis=0)
        grad = ~positive * a
        grad += positive
        grad *= grad_output
        return grad

    def config(self) -> dict[str, Any]:
        return {"num_parameters": self.num_parameters, "init": self.init}


class _ScaledELU(_Activation):
    """``y = scale · x`` for ``x > 0`` and ``scale · alpha · (eˣ - 1)`` otherwise.

    Computed branch-free as ``s·max(x, 0) + s·α·(e^min(x, 0) - 1)``; ``eˣ - 1`` rather than
    ``expm1`` (NumPy's is not vectorised and costs ten times more), which keeps the absolute
    error within one rounding of α·s.
    """

    _alpha: float
    _scale: float

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        negative_part = _negative_part(x)  # the exponential of x ≤ 0 only: e^1e4 would overflow
        np.exp(negative_part, out=negative_part)
        negative_part -= 1.0
        negative_part *= self._alpha * self._scale
        y = _positive_part(x)
        if self._scale != 1.0:
            y *= self._scale
        y += negative_part
        self._saved = (y, x <= 0)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y, non_positive) = self._restore(grad_output)
        s = self._scale
        grad = y + self._alpha * s  # dx = dy · (s·α·eˣ = y + s·α for x ≤ 0, s for x > 0)
        grad *= non_positive
        grad += np.multiply(~non_positive, s, dtype=y.dtype)
        grad *= grad_output
        return grad


@register_module
class ELU(_ScaledELU):
    """Exponential linear unit (Clevert et al., 2015): ``y = x`` for ``x > 0`` and
    ``alpha · (eˣ - 1)`` otherwise.

    Parameters
    ----------
    alpha : float, default 1.0
        The value ``-alpha`` is approached as ``x → -∞`` (any finite number, as PyTorch).
    dtype : float32 or float64, optional

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def __init__(self, alpha: float = 1.0, *, dtype: Any = None) -> None:
        value = checks.real("ELU", "alpha", alpha)
        super().__init__(dtype=dtype)
        self.alpha = value
        self._alpha, self._scale = value, 1.0

    def config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


@register_module
class SELU(_ScaledELU):
    """Scaled ELU (Klambauer et al., 2017): ``y = λ x`` for ``x > 0`` and
    ``λ α (eˣ - 1)`` otherwise, with α ≈ 1.6733 and λ ≈ 1.0507 fixed so that activations
    keep zero mean and unit variance.

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def __init__(self, *, dtype: Any = None) -> None:
        super().__init__(dtype=dtype)
        self._alpha, self._scale = SELU_ALPHA, SELU_SCALE
