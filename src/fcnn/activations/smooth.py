"""The smooth activations: ``GELU`` (with fcnn's own normal CDF), ``SiLU`` and ``Softplus``.

Each stays finite and warning-free for inputs up to ±1e4 in float32 and float64: GELU's
Φ is a rational approximation of the scaled complementary error function, softplus works
on ``-|βx|``, and the sigmoid in SiLU keeps PyTorch's formula.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import checks
from ..core import register_module
from .base import _Activation, _positive_part, _sigmoid

__all__ = ["ERFCX_COEFFICIENTS", "GELU", "SiLU", "Softplus"]

# Python floats, never NumPy scalars: a Python float takes the dtype of the array it meets
# (NEP 50), so float32 data stays float32.
_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_KAPPA = 0.044715


# --------------------------------------------------------------------------- the normal CDF


def _horner(coeffs: tuple[float, ...], v: np.ndarray) -> np.ndarray:
    """``coeffs[0] + coeffs[1]·v + coeffs[2]·v² + ...`` in v's dtype."""
    out = np.full_like(v, coeffs[-1])
    for c in coeffs[-2::-1]:
        out *= v
        out += c
    return out


#: erfc(z)·exp(z²) ≈ P(z) / Q(z) for 0 ≤ z ≤ 6, per dtype: ``(P, Q)``, each coefficient
#: tuple lowest power first. Rational approximations fitted for fcnn by tools/erf_fit.py
#: (weighted least squares with Lawson reweighting against 40-digit mpmath values). Relative
#: error of the fit: 8e-18 for float64 (degrees 8/9), 1.6e-9 for float32 (degrees 4/5), so
#: rounding dominates. Beyond z = 6, erfc(z) < 2.2e-17 and e^(-z²)·P(6)/Q(6) stays within
#: 1.1e-17 of it. Public because the ONNX export writes the same polynomials into its graph.
ERFCX_COEFFICIENTS = {
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
    numerator, denominator = ERFCX_COEFFICIENTS[x.dtype]
    h = _horner(numerator, z)
    h /= _horner(denominator, z)
    h *= gauss
    h *= 0.5
    cdf = h * -2.0  # h + [x ≥ 0]·(1 - 2h): h below 0, 1 - h from 0 on
    cdf += 1.0
    cdf *= x >= 0
    cdf += h
    return cdf, gauss


# --------------------------------------------------------------------------- activations


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
        value = checks.choice("GELU", "approximate", approximate, ("none", "tanh"))
        super().__init__(dtype=dtype)
        self.approximate = value

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
        b = checks.real("Softplus", "beta", beta, low=0.0, low_open=True)
        t = checks.real("Softplus", "threshold", threshold)
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
