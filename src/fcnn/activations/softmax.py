"""Softmax and log-softmax along one axis, each computed from ``x - max x`` so that no
exponential overflows and no log sees 0."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import checks
from ..core import register_module
from ..i18n import N_, Message
from .base import _Activation

__all__ = ["LogSoftmax", "Softmax"]


def _dim(owner: str, dim: Any) -> int:
    """``dim`` as an int, 0, 1 or -1: the axes a 2-D input has."""
    if dim is None:
        template = N_(
            "{owner}(dim=None): dim must be 0, 1 or -1; PyTorch's dim=None picks dim=1 "
            "for 2-D input, so pass dim=1"
        )
        raise ValueError(Message("checks", template, owner=owner))
    if not checks.is_int(dim):
        template = N_("{owner}(dim={dim!r}): dim must be an integer (0, 1 or -1)")
        raise TypeError(Message("checks", template, owner=owner, dim=dim))
    if dim not in (0, 1, -1):
        template = N_(
            "{owner}(dim={dim!r}): dim must be 0 (across the batch), 1 or -1 (across features)"
        )
        raise ValueError(Message("checks", template, owner=owner, dim=dim))
    return int(dim)


class _AlongAxis(_Activation):
    """Shared by Softmax and LogSoftmax: the ``dim`` argument and the axis it names."""

    def __init__(self, dim: int = 1, *, dtype: Any = None) -> None:
        value = _dim(type(self).__name__, dim)
        super().__init__(dtype=dtype)
        self.dim = value
        self._axis = 0 if value == 0 else 1

    def _shifted(self, x: Any) -> np.ndarray:
        """``x - max x`` along the axis, a fresh array: ≤ 0, so no exponential overflows."""
        x = self._as_input(x)
        return x - x.max(axis=self._axis, keepdims=True)

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
        y = self._shifted(x)
        np.exp(y, out=y)
        total = y.sum(axis=self._axis, keepdims=True)
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

    Parameters and shapes as for :class:`Softmax`: ``dim`` 1 or -1 (over the features of
    each sample) or 0 (over the batch); ``dtype`` float32 or float64.
    """

    def forward(self, x: Any) -> np.ndarray:
        y = self._shifted(x)
        y -= np.log(np.exp(y).sum(axis=self._axis, keepdims=True))
        self._saved = (y,)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output, (y,) = self._restore(grad_output)
        axis = self._axis
        grad = np.exp(y)  # y = x - log Σ eˣ  ⇒  dx = dy - softmax(x) · Σⱼ dyⱼ
        grad *= grad_output.sum(axis=axis, keepdims=True)
        np.subtract(grad_output, grad, out=grad)
        return grad
