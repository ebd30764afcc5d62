"""The two squashing activations of the classic networks: ``Sigmoid`` and ``Tanh``.

Both keep their output and take the derivative from it: ``σ' = y (1 - y)``,
``tanh' = 1 - y²``.
"""

from __future__ import annotations

import numpy as np

from ..core import register_module
from .base import _FromOutput, _sigmoid

__all__ = ["Sigmoid", "Tanh"]


@register_module
class Sigmoid(_FromOutput):
    """Logistic sigmoid, ``y = σ(x) = 1 / (1 + e⁻ˣ)``.

    PyTorch's formula, which keeps full relative precision in the lower tail; below
    x ≈ -88 (float32) or -709 (float64) e⁻ˣ overflows to inf and the output is the
    correctly rounded 0, with that overflow silenced. The derivative is taken from the
    output, ``y (1 - y)``.

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    _function = staticmethod(_sigmoid)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y,) = self._restore(grad_output)
        grad = 1.0 - y  # y = σ(x)  ⇒  dx = dy · y (1 - y)
        grad *= y
        grad *= grad_output
        return grad


@register_module
class Tanh(_FromOutput):
    """Hyperbolic tangent, ``y = tanh(x) = (eˣ - e⁻ˣ) / (eˣ + e⁻ˣ)``.

    Shapes: input ``(N, features)``, output the same shape and dtype.
    """

    _function = staticmethod(np.tanh)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y,) = self._restore(grad_output)
        grad = np.square(y)  # y = tanh x  ⇒  dx = dy · (1 - y²)
        np.subtract(1.0, grad, out=grad)
        grad *= grad_output
        return grad
