"""Floor 2: the activation functions, each with its derivative beside it, and a name registry.

Every class is a ``Module`` with no parameters (except ``PReLU``'s learnable slope)
that maps ``(N, features)`` to the same shape. Names, arguments, defaults and
numerics follow ``torch.nn``. Inputs up to ±1e4 give finite values and finite
gradients in float32 and float64 without a floating-point warning: softmax and
log-softmax subtract the maximum, softplus works on ``-|βx|``, and sigmoid keeps
PyTorch's ``1 / (1 + e⁻ˣ)``, whose one overflow (e⁻ˣ → inf, giving the right 0) is
silenced. Float32 stays float32 throughout (constants are Python floats), and the
arithmetic is branch-free where it can be: NumPy's masked operations on random signs
cost more than the arithmetic itself.

``backward`` uses what the last ``forward`` kept (calling it before any forward raises
``RuntimeError``; a ``grad_output`` of another shape raises ``ShapeError``).

``ACTIVATIONS`` maps snake_case names (``"relu"``, ``"leaky_relu"``, ...) to the
classes; :func:`get_activation` builds one by name, as ``fcnn.mlp(activation=...)``
does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import Module, Parameter, ShapeError, register_module

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
    "SELU",
    "Identity",
    "LeakyReLU",
    "LogSoftmax",
    "PReLU",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "get_activation",
]

# Python floats, never NumPy scalars: a Python float takes the dtype of the array it meets
# (NEP 50), so float32 data stays float32.
_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_KAPPA = 0.044715
# SELU's constants (Klambauer et al., 2017), to the digits PyTorch uses.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# --------------------------------------------------------------------------- argument checks


def _real(owner: str, name: str, value: Any) -> float:
    """``value`` as a finite Python float, or a TypeError/ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(
            f"{owner}({name}={value!r}): {name} must be a real number, got {type(value).__name__}"
        )
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{owner}({name}={value!r}): {name} must be finite")
    return value


def _dim(owner: str, dim: Any) -> int:
    if dim is None:
        raise ValueError(
            f"{owner}(dim=None): dim must be 0, 1 or -1; PyTorch's dim=None picks dim=1 "
            f"for 2-D input, so pass dim=1"
        )
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{owner}(dim={dim!r}): dim must be an integer (0, 1 or -1)")
    if dim not in (0, 1, -1):
        raise ValueError(
            f"{owner}(dim={dim!r}): dim must be 0 (across the batch), 1 or -1 (across features)"
        )
    return int(dim)


# --------------------------------------------------------------------------- numerics


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e⁻ˣ), PyTorch's formula, which keeps full relative precision in both
    tails. Its one overflow is harmless: for x below about -88 (float32) or -709 (float64)
    e⁻ˣ becomes inf and 1 / (1 + inf) = 0, the true value rounded; it is silenced here."""
    y = np.negative(x)
    with np.errstate(over="ignore"):
        np.exp(y, out=y)
    y += 1.0
    np.reciprocal(y, out=y)
    return y


def _positive_part(x: np.ndarray) -> np.ndarray:
    """max(x, 0) as a fresh array (against a zero array: NumPy's scalar-operand loop for
    maximum is about twice as slow)."""
    out = np.zeros_like(x)
    np.maximum(x, out, out=out)
    return out


_ZEROS: dict[np.dtype, np.ndarray] = {}


def _zeros_like_shared(x: np.ndarray) -> np.ndarray:
    """A read-only array of zeros shaped like ``x``, a view of one flat array per dtype
    that grows to the largest size asked for. Never written, so it costs no memory beyond
    the zero page (``np.zeros`` maps untouched pages to it) and is safe to share."""
    flat = _ZEROS.get(x.dtype)
    if flat is None or flat.size < x.size:
        flat = np.zeros(x.size, x.dtype)
        flat.flags.writeable = False
        _ZEROS[x.dtype] = flat
    return flat[: x.size].reshape(x.shape)


def _negative_part(x: np.ndarray) -> np.ndarray:
    """min(x, 0) as a fresh array."""
    out = np.zeros_like(x)
    np.minimum(x, out, out=out)
    return out


def _horner(coeffs: tuple[float, ...], v: np.ndarray) -> np.ndarray:
    """``coeffs[0] + coeffs[1]·v + coeffs[2]·v² + ...`` in v's dtype."""
    out = np.full_like(v, coeffs[-1])
    for c in coeffs[-2::-1]:
        out *= v
        out += c
    return out


# erfc(z)·exp(z²) ≈ P(z) / Q(z) for 0 ≤ z ≤ 6: rational approximations fitted for this file
# (by tools/erf_fit.py, against 40-digit mpmath values)
# (weighted least squares with Lawson reweighting against 40-digit mpmath values). Relative
# error of the fit: 8e-18 for float64 (degrees 8/9), 1.6e-9 for float32 (degrees 4/5), so
# rounding dominates. Beyond z = 6, erfc(z) < 2.2e-17 and e^(-z²)·P(6)/Q(6) stays within
# 1.1e-17 of it.
_ERFCX = {
    np.dtype(np.float64): (
        (
            1.0, 1.8700868403865372, 1.7444644828625904, 1.0217827022488155,
            0.40551635810804015, 0.11100800415978986, 0.02045354466409499,
            0.002327211193206191, 0.00012626257279303252,
        ),
        (
            1.0, 2.9984660074820524, 4.127871058949273, 3.4333731802076386, 1.9073964526036606,
            0.7367718236773783, 0.19881913860092482, 0.03636485378627315, 0.004124874704044673,
            0.00022379457897523408,
        ),
    ),
    np.dtype(np.float32): (
        (
            1.0000000015786825, 1.1883585435222297, 0.6803372756316256, 0.205188336214915,
            0.027888803860635174,
        ),
        (
            1.0, 2.3167378861403214, 2.29449290282118, 1.2297832437110108, 0.36374749654520105,
            0.04942954130015862,
        ),
    ),
}  # fmt: skip


def _normal_cdf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Φ(x) = ½ erfc(-x/√2), the standard normal CDF, and e^(-x²/2) (for φ in backward).

    Computes the lower tail h = ½ erfc(|x|/√2) = ½ e^(-x²/2) P(z)/Q(z) and returns h for
    x < 0 and 1 - h for x ≥ 0. So Φ keeps its relative precision down to x ≈ -8.5
    (Φ ≈ 1e-17), where ``1 + erf(x/√2)`` has lost every digit; further out it stays
    within 1.1e-17 of the truth.
    """
    z = np.abs(x)
    z *= _SQRT1_2
    gauss = np.square(z)
    np.negative(gauss, out=gauss)
    np.exp(gauss, out=gauss)  # e^(-z²) = e^(-x²/2); underflows to 0 far out, as it should
    np.minimum(z, 6.0, out=z)
    numerator, denominator = _ERFCX[x.dtype]
    h = _horner(numerator, z)
    h /= _horner(denominator, z)
    h *= gauss
    h *= 0.5
    cdf = h * -2.0  # h + [x ≥ 0]·(1 - 2h): h below 0, 1 - h from 0 on
    cdf += 1.0
    cdf *= x >= 0
    cdf += h
    return cdf, gauss


# --------------------------------------------------------------------------- base


class _Activation(Module):
    """Shared plumbing: the arrays forward keeps for backward, and the checks on them."""

    def __init__(self, *, dtype: Any = None) -> None:
        super().__init__(dtype=dtype)
        self._saved: tuple | None = None

    def _restore(self, grad_output: Any) -> tuple[np.ndarray, tuple]:
        """``grad_output`` in the dtype the last forward ran in, and what it saved."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward()")
        grad_output = np.asarray(grad_output, dtype=saved[0].dtype)
        if grad_output.shape != saved[0].shape:
            raise ShapeError(
                f"{type(self).__name__}.backward expects grad_output of shape "
                f"{saved[0].shape} (the shape of the last forward), got {grad_output.shape}"
            )
        return grad_output, saved


# --------------------------------------------------------------------------- elementwise


@register_module
class Identity(_Activation):
    """The identity, ``y = x`` (``"linear"`` in the registry).

    Returns its input unchanged (the same array when it already has the module's dtype).

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        self._saved = (x,)
        return x

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, _ = self._restore(grad_output)
        return grad_output  # y = x  ⇒  dx = dy


@register_module
class Sigmoid(_Activation):
    """Logistic sigmoid, ``y = σ(x) = 1 / (1 + e⁻ˣ)``.

    PyTorch's formula, which keeps full relative precision in the lower tail; below
    x ≈ -88 (float32) or -709 (float64) e⁻ˣ overflows to inf and the output is the
    correctly rounded 0, with that overflow silenced. The derivative is taken from the
    output, ``y (1 - y)``.

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        y = _sigmoid(x)
        self._saved = (y,)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y,) = self._restore(grad_output)
        grad = 1.0 - y  # y = σ(x)  ⇒  dx = dy · y (1 - y)
        grad *= y
        grad *= grad_output
        return grad


@register_module
class Tanh(_Activation):
    """Hyperbolic tangent, ``y = tanh(x) = (eˣ - e⁻ˣ) / (eˣ + e⁻ˣ)``.

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        y = np.tanh(x)
        self._saved = (y,)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y,) = self._restore(grad_output)
        grad = np.square(y)  # y = tanh x  ⇒  dx = dy · (1 - y²)
        np.subtract(1.0, grad, out=grad)
        grad *= grad_output
        return grad


@register_module
class ReLU(_Activation):
    """Rectified linear unit, ``y = max(x, 0)``.

    The derivative at exactly 0 is taken as 0, as in PyTorch.

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        y = _positive_part(x)
        self._saved = (y,)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y,) = self._restore(grad_output)
        return grad_output * (y > 0)  # y = max(x, 0)  ⇒  dx = dy · [x > 0]

    # The same two computations, overwriting an array that Sequential says nothing else
    # holds (a Linear's output or input gradient): no allocation, no fresh memory to touch.
    def _forward_owned(self, x: np.ndarray) -> np.ndarray:
        x = self._as_input(x)
        np.maximum(x, _zeros_like_shared(x), out=x)
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
        slope = _real("LeakyReLU", "negative_slope", negative_slope)
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
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, (int, np.integer)):
            raise TypeError(
                f"PReLU(num_parameters={num_parameters!r}): num_parameters must be an integer"
            )
        if num_parameters < 1:
            raise ValueError(
                f"PReLU(num_parameters={num_parameters!r}): num_parameters must be at least 1 "
                f"(1 shared slope, or one per input feature)"
            )
        value = _real("PReLU", "init", init)
        super().__init__(dtype=dtype)
        self.num_parameters = int(num_parameters)
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
        value = _real("ELU", "alpha", alpha)
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
        self._alpha, self._scale = _SELU_ALPHA, _SELU_SCALE


@register_module
class GELU(_Activation):
    """Gaussian error linear unit (Hendrycks & Gimpel, 2016): ``y = x · Φ(x)``, Φ the
    standard normal CDF.

    Parameters
    ----------
    approximate : {"none", "tanh"}, default "none"
        ``"none"``: the exact ``Φ(x) = ½ (1 + erf(x/√2))``, from a rational approximation
        accurate to float64 rounding (and, unlike ``1 + erf``, to full relative precision
        in the lower tail down to x ≈ -8.5). ``"tanh"``:
        ``Φ(x) ≈ ½ (1 + tanh(√(2/π) (x + 0.044715 x³)))``.
    dtype : float32 or float64, optional

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def __init__(self, approximate: str = "none", *, dtype: Any = None) -> None:
        if not isinstance(approximate, str):
            raise TypeError(
                f"GELU(approximate={approximate!r}): approximate must be the string 'none' "
                f"or 'tanh'"
            )
        if approximate not in ("none", "tanh"):
            raise ValueError(
                f"GELU(approximate={approximate!r}): approximate must be 'none' or 'tanh'"
            )
        super().__init__(dtype=dtype)
        self.approximate = approximate

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        if self.approximate == "tanh":
            th = x * x  # th = tanh(√(2/π) · x (1 + κx²))
            th *= _GELU_KAPPA
            th += 1.0
            th *= x
            th *= _SQRT_2_OVER_PI
            np.tanh(th, out=th)
            y = th + 1.0
            y *= x
            y *= 0.5
            self._saved = (x, th, None)
            return y
        cdf, gauss = _normal_cdf(x)
        self._saved = (x, cdf, gauss)
        return x * cdf

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (x, saved, gauss) = self._restore(grad_output)
        if self.approximate == "tanh":
            th = saved
            # y = ½x(1+th)  ⇒  dx = dy · (½(1+th) + ½x(1-th²)·√(2/π)(1+3κx²))
            grad = x * x
            grad *= 3.0 * _GELU_KAPPA
            grad += 1.0
            grad *= 0.5 * _SQRT_2_OVER_PI
            grad *= x
            part = np.square(th)
            np.subtract(1.0, part, out=part)
            grad *= part
            np.add(th, 1.0, out=part)
            part *= 0.5
            grad += part
            grad *= grad_output
            return grad
        cdf = saved
        grad = gauss * x  # y = x Φ(x)  ⇒  dx = dy · (Φ(x) + x φ(x)),  φ(x) = e^(-x²/2) / √(2π)
        grad *= _INV_SQRT_2PI
        grad += cdf
        grad *= grad_output
        return grad

    def config(self) -> dict[str, Any]:
        return {"approximate": self.approximate}


@register_module
class SiLU(_Activation):
    """Sigmoid linear unit, also called swish: ``y = x · σ(x)``.

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        s = _sigmoid(x)
        self._saved = (x, s)
        return x * s

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (x, s) = self._restore(grad_output)
        grad = 1.0 - s  # y = x σ(x)  ⇒  dx = dy · σ(x) (1 + x (1 - σ(x)))
        grad *= x
        grad += 1.0
        grad *= s
        grad *= grad_output
        return grad


@register_module
class Softplus(_Activation):
    """Smooth ReLU, ``y = log(1 + e^(βx)) / β``, and ``y = x`` where ``βx > threshold``.

    The switch to the identity is PyTorch's (it makes the function very slightly
    discontinuous at the threshold). Below it the value is computed as
    ``(max(βx, 0) + log1p(e^(-|βx|))) / β``, which cannot overflow whatever the threshold
    and keeps full relative precision in the lower tail.

    Parameters
    ----------
    beta : float > 0, default 1.0
    threshold : float, default 20.0
        Where ``βx`` exceeds it the output is ``x`` and the derivative 1.
    dtype : float32 or float64, optional

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0, *, dtype: Any = None) -> None:
        b = _real("Softplus", "beta", beta)
        if b <= 0:
            raise ValueError(f"Softplus(beta={beta!r}): beta must be positive")
        t = _real("Softplus", "threshold", threshold)
        super().__init__(dtype=dtype)
        self.beta = b
        self.threshold = t

    def _threshold(self, dtype: np.dtype) -> float:
        # Compared in the data's dtype, as PyTorch does; clipped so float32 cannot overflow.
        limit = float(np.finfo(dtype).max)
        return min(max(self.threshold, -limit), limit)

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        z = x * self.beta if self.beta != 1.0 else x
        e = np.abs(z)
        np.negative(e, out=e)
        np.exp(e, out=e)  # e = e^(-|z|) in (0, 1]
        # log1p(e) without NumPy's log1p (not vectorised, ~5x slower): with u = 1 + e rounded,
        # log1p(e) = log(u) - ((u - 1) - e) / u to within rounding; u - 1 and its difference
        # from e are exact, so this also holds where u rounds to 1 (it gives e).
        u = e + 1.0
        y = np.log(u)
        correction = u - 1.0
        correction -= e
        correction /= u
        y -= correction
        y += _positive_part(z)
        if self.beta != 1.0:
            y /= self.beta
        linear = z > self._threshold(z.dtype)
        if linear.any():
            np.copyto(y, x, where=linear)
        self._saved = (z, linear)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (z, linear) = self._restore(grad_output)
        grad = _sigmoid(z)  # y = log(1 + e^(βx))/β  ⇒  dx = dy · σ(βx);  linear part: dx = dy
        if linear.any():
            np.copyto(grad, 1.0, where=linear)
        grad *= grad_output
        return grad

    def config(self) -> dict[str, Any]:
        return {"beta": self.beta, "threshold": self.threshold}


# --------------------------------------------------------------------------- softmax


class _AlongAxis(_Activation):
    """Shared by Softmax and LogSoftmax: the ``dim`` argument and the axis it names."""

    def __init__(self, dim: int = 1, *, dtype: Any = None) -> None:
        value = _dim(type(self).__name__, dim)
        super().__init__(dtype=dtype)
        self.dim = value
        self._axis = 0 if value == 0 else 1

    def config(self) -> dict[str, Any]:
        return {"dim": self.dim}


@register_module
class Softmax(_AlongAxis):
    """Softmax along one axis: ``yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)``, computed as
    ``e^(xᵢ - max x)`` over its sum so that no exponential overflows.

    Parameters
    ----------
    dim : {1, -1, 0}, default 1
        1 or -1: over the features of each sample (the usual choice; PyTorch's default
        ``dim=None`` means the same for 2-D input). 0: over the batch, per feature.
    dtype : float32 or float64, optional

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        axis = self._axis
        y = x - x.max(axis=axis, keepdims=True)
        np.exp(y, out=y)
        total = y.sum(axis=axis, keepdims=True)
        np.reciprocal(total, out=total)
        y *= total
        self._saved = (y,)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y,) = self._restore(grad_output)
        axis = self._axis
        grad = grad_output * y  # y = softmax(x)  ⇒  dx = y ⊙ (dy - Σⱼ dyⱼ yⱼ)
        total = grad.sum(axis=axis, keepdims=True)
        np.subtract(grad_output, total, out=grad)
        grad *= y
        return grad


@register_module
class LogSoftmax(_AlongAxis):
    """Log of the softmax along one axis: ``yᵢ = xᵢ - log Σⱼ e^(xⱼ)``, computed as
    ``(xᵢ - m) - log Σⱼ e^(xⱼ - m)`` with ``m = max x``, which neither overflows nor
    takes the log of 0.

    Parameters
    ----------
    dim : {1, -1, 0}, default 1
        1 or -1: over the features of each sample (PyTorch's default ``dim=None`` means
        the same for 2-D input). 0: over the batch, per feature.
    dtype : float32 or float64, optional

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        axis = self._axis
        y = x - x.max(axis=axis, keepdims=True)
        y -= np.log(np.exp(y).sum(axis=axis, keepdims=True))
        self._saved = (y,)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y,) = self._restore(grad_output)
        axis = self._axis
        grad = np.exp(y)  # y = x - log Σ eˣ  ⇒  dx = dy - softmax(x) · Σⱼ dyⱼ
        grad *= grad_output.sum(axis=axis, keepdims=True)
        np.subtract(grad_output, grad, out=grad)
        return grad


# --------------------------------------------------------------------------- registry

ACTIVATIONS: dict[str, type[Module]] = {
    "identity": Identity,
    "linear": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "elu": ELU,
    "selu": SELU,
    "gelu": GELU,
    "silu": SiLU,
    "softplus": Softplus,
    "softmax": Softmax,
    "log_softmax": LogSoftmax,
}


def get_activation(name: str, **kwargs: Any) -> Module:
    """Build the activation registered as ``name`` (see ``ACTIVATIONS``) with ``kwargs``.

    >>> get_activation("leaky_relu", negative_slope=0.2)
    LeakyReLU(negative_slope=0.2)

    Raises
    ------
    ValueError
        For a name that is not registered; the message lists the known names.
    TypeError
        For a name that is not a string, or arguments the class does not take.
    """
    if not isinstance(name, str):
        raise TypeError(f"get_activation(name={name!r}): name must be a string")
    cls = ACTIVATIONS.get(name)
    if cls is None:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}")
    return cls(**kwargs)
