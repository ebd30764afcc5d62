"""The regression losses, on values: ``MSELoss``, ``L1Loss`` and ``HuberLoss``.

Each compares ``pred`` and ``target`` of the same shape element by element.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import checks
from ..i18n import N_, Message
from .base import Loss, _reduce, _target_like

__all__ = ["HuberLoss", "L1Loss", "MSELoss"]


def _scaled(array: np.ndarray, factor: float, scale: float | np.ndarray) -> np.ndarray:
    """``factor · scale · array`` in one new array of array's dtype."""
    if isinstance(scale, np.ndarray):
        out = array * scale
        if factor != 1.0:
            out *= factor
        return out
    return array * (factor * scale)


class MSELoss(Loss):
    """Mean squared error: ``ℓ = (pred - target)²`` per element.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}

    Shapes: ``pred`` and ``target`` the same shape, e.g. ``(N, out_features)``; the
    losses for ``reduction='none'`` have that shape too.
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def _forward(self, pred: np.ndarray, target: Any) -> tuple[Any, float]:
        diff = pred - _target_like("MSELoss", pred, target)
        self._diff = diff
        if self.reduction == "none":
            return diff * diff, diff.size
        flat = diff.reshape(-1)
        return np.dot(flat, flat), diff.size

    def _backward(self, scale: float | np.ndarray) -> np.ndarray:
        # ℓ = d², d = pred - target  ⇒  dℓ/dpred = 2d
        return _scaled(self._diff, 2.0, scale)


class L1Loss(Loss):
    """Mean absolute error: ``ℓ = |pred - target|`` per element.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}

    Shapes: ``pred`` and ``target`` the same shape. The gradient at ``pred == target`` is
    0, as in PyTorch.
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def _forward(self, pred: np.ndarray, target: Any) -> tuple[Any, float]:
        diff = pred - _target_like("L1Loss", pred, target)
        self._diff = diff
        return _reduce(self.reduction, np.abs(diff)), diff.size

    def _backward(self, scale: float | np.ndarray) -> np.ndarray:
        # ℓ = |d|  ⇒  dℓ/dpred = sign(d)  (0 at d = 0)
        grad = np.sign(self._diff)
        grad *= scale
        return grad


class HuberLoss(Loss):
    """Huber loss: ``ℓ = ½r²`` where ``|r| < delta``, else ``delta·(|r| - ½delta)``, with
    ``r = pred - target``: squared near the target, linear (robust to outliers) far away.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}
    delta : float, default 1.0
        Where the quadratic part turns linear; must be positive.

    Shapes: ``pred`` and ``target`` the same shape.
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        if not checks.is_real(delta) or not 0 < delta < math.inf:
            template = N_("HuberLoss(delta={delta!r}): delta must be a positive number")
            raise ValueError(Message("checks", template, delta=delta))
        self.delta = float(delta)

    def _forward(self, pred: np.ndarray, target: Any) -> tuple[Any, float]:
        residual = pred - _target_like("HuberLoss", pred, target)
        self._residual = residual
        # With m = min(|r|, δ): ℓ = m(|r| - ½m), which is ½r² inside and δ(|r| - ½δ) outside.
        size = np.abs(residual)
        m = np.minimum(size, self.delta)
        size -= 0.5 * m
        if self.reduction == "none":
            size *= m
            return size, residual.size
        return np.dot(size.reshape(-1), m.reshape(-1)), residual.size

    def _backward(self, scale: float | np.ndarray) -> np.ndarray:
        # dℓ/dpred = r inside, δ·sign(r) outside  =  clip(r, -δ, δ)
        grad = np.clip(self._residual, -self.delta, self.delta)
        grad *= scale
        return grad

    def config(self) -> dict[str, Any]:
        return {"reduction": self.reduction, "delta": self.delta}
