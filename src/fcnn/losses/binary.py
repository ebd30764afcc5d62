"""The binary losses, one probability per output: ``BCELoss`` on probabilities and
``BCEWithLogitsLoss`` on logits (sigmoid and BCE fused, stable for any logit).

``BCELoss`` refuses a pred or target outside [0, 1], NaN included, as PyTorch does;
elsewhere NaN and inf propagate quietly into the loss and the gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import N_, Message
from .base import Loss, _broadcast_to_pred, _reduce, _target_like, _weight_array

__all__ = ["BCELoss", "BCEWithLogitsLoss"]

# PyTorch's floor on x(1-x) in BCE's gradient: the float32 constant 1e-12f, in every dtype.
_BCE_EPSILON = float(np.float32(1e-12))
_LOG_FLOOR = -100.0  # PyTorch clamps each log in BCE at -100


def _where(name: str, array: np.ndarray, flat_index: int) -> str:
    index = np.unravel_index(flat_index, array.shape)
    return f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name


def _check_unit_interval(owner: str, name: str, array: np.ndarray, hint: object = "") -> None:
    """Refuse values outside [0, 1] (NaN included), naming the first one."""
    if array.min() >= 0 and array.max() <= 1:  # NaN fails both comparisons
        return
    bad = int(np.argmax(~((array >= 0) & (array <= 1))))
    value = array.reshape(-1)[bad]
    template = N_("{owner}: {name} must lie in [0, 1], got {where} = {value}{hint}")
    where = _where(name, array, bad)
    raise ValueError(
        Message("checks", template, owner=owner, name=name, where=where, value=value, hint=hint)
    )


def _as_list(array: np.ndarray | None) -> list | None:
    return None if array is None else array.tolist()


class _BinaryLoss(Loss):
    """Shared by the two binary losses: the targets they take, the optional ``weight``
    that rescales each element, and the last step of their backward passes."""

    target_kind = "binary"

    _array_args: tuple[str, ...] = ("weight",)

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = _weight_array(type(self).__name__, "weight", weight, per_class=False)

    def _weighted(self, grad: np.ndarray, scale: float | np.ndarray) -> np.ndarray:
        """``grad · w · scale``, in place (w the weight broadcast by the last forward)."""
        if self._w is not None:
            grad *= self._w
        grad *= scale
        return grad

    def config(self) -> dict[str, Any]:
        return {"weight": _as_list(self.weight), "reduction": self.reduction}


class BCELoss(_BinaryLoss):
    """Binary cross-entropy on probabilities:
    ``ℓ = -w·[y·log x + (1 - y)·log(1 - x)]``, each log clamped at -100 as in PyTorch.

    Prefer ``BCEWithLogitsLoss`` on the logits: it is stabler than a sigmoid followed by
    this loss.

    Parameters
    ----------
    weight : array_like, optional
        A rescaling weight that broadcasts to pred's shape (e.g. one per sample,
        ``(N, 1)``).
    reduction : {"mean", "sum", "none"}

    Shapes: ``pred`` (probabilities in [0, 1]) and ``target`` (in [0, 1]) the same shape.
    """

    input_kind = "probabilities"

    def _forward(self, pred: np.ndarray, target: Any) -> tuple[Any, float]:
        target = _target_like("BCELoss", pred, target)
        hint = Message(
            "checks", N_(" (apply a sigmoid first, or give the logits to BCEWithLogitsLoss)")
        )
        _check_unit_interval("BCELoss", "pred", pred, hint)
        _check_unit_interval("BCELoss", "target", target)
        weight = _broadcast_to_pred("BCELoss", "weight", self.weight, pred)
        log_p = np.log(pred)
        np.maximum(log_p, _LOG_FLOOR, out=log_p)
        log_q = np.negative(pred)
        np.log1p(log_q, out=log_q)
        np.maximum(log_q, _LOG_FLOOR, out=log_q)
        # ℓ = -(log(1-x) + y·(log x - log(1-x)))
        losses = log_p
        losses -= log_q
        losses *= target
        losses += log_q
        np.negative(losses, out=losses)
        if weight is not None:
            losses *= weight
        self._pred, self._target, self._w = pred, target, weight
        return _reduce(self.reduction, losses), pred.size

    def _backward(self, scale: float | np.ndarray) -> np.ndarray:
        # dℓ/dx = w·(x - y) / max(x(1 - x), 1e-12)   (PyTorch's floor: finite at x = 0, 1)
        x = self._pred
        grad = x - self._target
        denominator = 1.0 - x
        denominator *= x
        np.maximum(denominator, _BCE_EPSILON, out=denominator)
        grad /= denominator
        return self._weighted(grad, scale)


class BCEWithLogitsLoss(_BinaryLoss):
    """Sigmoid + binary cross-entropy in one stable step, on logits ``x``:
    ``ℓ = w·[(1 - y)·x - lw·log σ(x)]`` with ``lw = 1 + (pos_weight - 1)·y``, and
    ``-log σ(x) = log(1 + e^-|x|) - min(x, 0)`` (no overflow for any x).

    Parameters
    ----------
    weight : array_like, optional
        A rescaling weight that broadcasts to pred's shape.
    reduction : {"mean", "sum", "none"}
    pos_weight : array_like, optional
        Weight of the positive term, broadcast along the last axis (one per output,
        ``(C,)``): > 1 raises recall, < 1 precision.

    Shapes: ``pred`` (logits) and ``target`` (in [0, 1]) the same shape.
    """

    input_kind = "logits"

    _array_args = ("weight", "pos_weight")

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(weight, reduction)
        self.pos_weight = _weight_array(
            type(self).__name__, "pos_weight", pos_weight, per_class=False
        )

    def _forward(self, pred: np.ndarray, target: Any) -> tuple[Any, float]:
        name = "BCEWithLogitsLoss"
        target = _target_like(name, pred, target)
        weight = _broadcast_to_pred(name, "weight", self.weight, pred)
        pos_weight = _broadcast_to_pred(name, "pos_weight", self.pos_weight, pred)
        x = pred
        e = np.abs(x)
        np.negative(e, out=e)
        np.exp(e, out=e)  # e^-|x| in (0, 1]: never overflows
        # NumPy's log1p, not a hand-made log(u) + correction: on NumPy 2.4 it is both
        # exact and 2-5x faster on these arrays (benchmarks/NOTES.md, change 7).
        losses = np.log1p(e)
        part = np.minimum(x, 0.0)
        losses -= part  # -log σ(x)
        log_weight = None
        if pos_weight is not None:
            log_weight = pos_weight - 1.0
            log_weight = log_weight * target
            log_weight += 1.0
            losses *= log_weight
        np.subtract(1.0, target, out=part)
        part *= x
        losses += part  # (1 - y)·x - lw·log σ(x)
        if weight is not None:
            losses *= weight
        self._pred, self._target, self._exp = x, target, e
        self._w, self._pw, self._lw = weight, pos_weight, log_weight
        return _reduce(self.reduction, losses), pred.size

    def _backward(self, scale: float | np.ndarray) -> np.ndarray:
        # dℓ/dx = w·(lw·σ(x) - pos_weight·y)   (= w·(σ(x) - y) without pos_weight)
        x, e = self._pred, self._exp
        grad = np.maximum(e, x >= 0)  # 1 where x ≥ 0, else e^-|x| (as e ≤ 1)
        grad /= 1.0 + e  # σ(x) = 1/(1 + e^-x) for x ≥ 0, e^x/(1 + e^x) below: both exact
        if self._pw is None:
            grad -= self._target
        else:
            grad *= self._lw
            grad -= self._pw * self._target
        return self._weighted(grad, scale)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "pos_weight": _as_list(self.pos_weight)}
