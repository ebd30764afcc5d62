"""What every activation shares: the base classes, the numerics several of them use, and
``Identity``, the simplest activation and the template for writing one.

An activation is a ``Module`` without parameters (``PReLU`` excepted) that maps
``(N, features)`` to the same shape. ``forward`` keeps in ``self._saved`` what the
derivative needs; ``backward`` reads it back through ``_restore``, which refuses a
backward before any forward (``RuntimeError``) or a ``grad_output`` of another shape
(``ShapeError``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core import Module, ShapeError, register_module
from ..i18n import N_, Message

__all__ = ["Identity"]


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


def _negative_part(x: np.ndarray) -> np.ndarray:
    """min(x, 0) as a fresh array."""
    out = np.zeros_like(x)
    np.minimum(x, out, out=out)
    return out


# --------------------------------------------------------------------------- base classes


class _Activation(Module):
    """Shared plumbing: the arrays forward keeps for backward, and the checks on them."""

    def __init__(self, *, dtype: Any = None) -> None:
        super().__init__(dtype=dtype)
        self._saved: tuple | None = None

    def _restore(self, grad_output: Any) -> tuple[np.ndarray, tuple]:
        """``grad_output`` in the dtype the last forward ran in, and what it saved."""
        saved = self._saved
        if saved is None:
            template = N_("{name}.backward() called before forward()")
            raise RuntimeError(Message("checks", template, name=type(self).__name__))
        grad_output = np.asarray(grad_output, dtype=saved[0].dtype)
        if grad_output.shape != saved[0].shape:
            template = N_(
                "{name}.backward expects grad_output of shape {expected} "
                "(the shape of the last forward), got {shape}"
            )
            said = {"expected": saved[0].shape, "shape": grad_output.shape}
            raise ShapeError(Message("checks", template, name=type(self).__name__, **said))
        return grad_output, saved


class _FromOutput(_Activation):
    """An activation whose derivative is a function of its output ``y`` alone (sigmoid,
    tanh, ReLU): forward computes ``y = _function(x)`` and keeps it; each subclass writes
    its ``backward`` from ``y``."""

    _function: Callable[[np.ndarray], np.ndarray]  # a fresh array, never x itself

    def forward(self, x: Any) -> np.ndarray:
        x = self._as_input(x)
        y = self._function(x)
        self._saved = (y,)
        return y


# --------------------------------------------------------------------------- identity


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
