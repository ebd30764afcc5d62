"""The class losses, over ``(N, C)`` scores: ``CrossEntropyLoss`` on logits
(log-softmax and NLL fused in one pass) and ``NLLLoss`` on log-probabilities.

Targets are class indices ``(N,)`` (with a per-class ``weight`` and an
``ignore_index``), or, for cross-entropy, class probabilities of pred's shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import checks
from ..core import ShapeError
from ..i18n import N_, Message
from .base import Loss, _numeric, _reduce, _weight_array

__all__ = ["CrossEntropyLoss", "NLLLoss"]


def _as_logits(owner: str, pred: np.ndarray, what: Message) -> np.ndarray:
    if pred.ndim != 2:
        hint = ""
        if pred.ndim == 1:
            hint = Message("checks", N_(" (a single sample needs pred.reshape(1, -1))"))
        template = N_("{owner} expects {what} of shape (N, C), got shape {shape}{hint}")
        said = {"what": what, "shape": pred.shape, "hint": hint}
        raise ShapeError(Message("checks", template, owner=owner, **said))
    if pred.shape[0] == 0 or pred.shape[1] == 0:
        template = N_("{owner} got an empty batch or no classes, pred shape {shape}")
        raise ShapeError(Message("checks", template, owner=owner, shape=pred.shape))
    return pred


# NumPy reduces a short last axis row by row (~50 ns a row): with few classes, a pass per
# column or a matrix-vector product is several times faster than .max(axis=1) / .sum(axis=1).
_FEW_CLASSES = 16


def _row_max(z: np.ndarray) -> np.ndarray:
    """The maximum of each row of ``z`` (N, C), shape (N, 1); NaN propagates."""
    if z.shape[1] > _FEW_CLASSES:
        return z.max(axis=1, keepdims=True)
    top = z[:, :1].copy()
    flat = top.reshape(-1)  # a view of top
    for j in range(1, z.shape[1]):
        np.maximum(flat, z[:, j], out=flat)
    return top


def _row_sum(z: np.ndarray) -> np.ndarray:
    """The sum of each row of ``z`` (N, C), shape (N,): a BLAS matrix-vector product."""
    return z @ np.ones(z.shape[1], dtype=z.dtype)


class _ClassLoss(Loss):
    """Shared by the losses over ``(N, C)`` scores with class-index targets: ``weight``
    per class, ``ignore_index``, and the validation of the targets."""

    _array_args = ("weight",)

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        name = type(self).__name__
        self.weight = _weight_array(name, "weight", weight, per_class=True)
        if not checks.is_int(ignore_index):
            template = N_("{name}(ignore_index={ignore_index!r}): expected an integer")
            raise TypeError(Message("checks", template, name=name, ignore_index=ignore_index))
        self.ignore_index = int(ignore_index)

    def _class_weight(self, pred: np.ndarray) -> np.ndarray | None:
        if self.weight is None:
            return None
        if self.weight.shape[0] != pred.shape[1]:
            template = N_(
                "{name}: weight has {entries} entries but pred of shape {shape} has "
                "{classes} classes"
            )
            said = {"entries": self.weight.shape[0], "shape": pred.shape, "classes": pred.shape[1]}
            raise ValueError(Message("checks", template, name=type(self).__name__, **said))
        return self.weight.astype(pred.dtype, copy=False)

    def _index_targets(self, target: np.ndarray, pred: np.ndarray, probabilities: bool) -> float:
        """Check class-index targets and keep, for the rows of the batch: ``_t`` the class
        (0 where ignored), ``_valid`` a 0/1 mask (None if nothing is ignored), ``_wy`` the
        class weights w[y] (0 where ignored; None without weights) and ``_weight_now`` the
        class weights in pred's dtype. Returns the mean's denominator: Σ w[y] over the rows
        not ignored (their count without weights)."""
        name = type(self).__name__
        n, c = pred.shape
        if target.dtype.kind not in "iu":
            also = ""
            if probabilities:
                also = Message(
                    "checks", N_(", or floats of pred's shape (N, C) for class probabilities")
                )
            template = N_(
                "{name}: class targets must be integers, got dtype {dtype}; "
                "use target.astype(np.int64){also}"
            )
            raise TypeError(Message("checks", template, name=name, dtype=target.dtype, also=also))
        if target.shape != (n,):
            hint: object = ""
            if target.shape == (n, 1):
                hint = Message("checks", N_("; use target.reshape(-1)"))
            elif target.shape == (n, c) and probabilities:
                hint = Message(
                    "checks",
                    N_(
                        "; for one-hot targets pass target.argmax(axis=1) "
                        "or float probabilities target.astype(pred.dtype)"
                    ),
                )
            elif target.shape == (n, c):
                hint = Message("checks", N_("; for one-hot targets pass target.argmax(axis=1)"))
            template = N_(
                "{name}: class targets must have shape (N,) = ({n},) for pred of shape "
                "{pred}, got shape {shape}{hint}"
            )
            said = {"n": n, "pred": pred.shape, "shape": target.shape, "hint": hint}
            raise ShapeError(Message("checks", template, name=name, **said))
        target = target.astype(np.intp, copy=False)
        low, high = target.min(), target.max()
        ignored = None
        if low <= self.ignore_index <= high:
            ignored = target == self.ignore_index
            if not ignored.any():
                ignored = None
        if low < 0 or high >= c:
            bad = (target < 0) | (target >= c)
            if ignored is not None:
                bad &= ~ignored
            if bad.any():
                row = int(np.argmax(bad))
                template = N_(
                    "{name}: target[{row}] = {value} is not a class index: "
                    "expected 0 <= target < {c} (pred has {c} classes) or "
                    "ignore_index={ignore_index}"
                )
                said = {"row": row, "value": int(target[row]), "c": c}
                raise ValueError(
                    Message("checks", template, name=name, ignore_index=self.ignore_index, **said)
                )
        weight = self._weight_now = self._class_weight(pred)
        if ignored is None:
            self._t, self._valid = target, None
        else:
            self._t = np.where(ignored, 0, target)
            self._valid = (~ignored).astype(pred.dtype)
        self._wy = None
        if weight is not None:
            self._wy = weight[self._t]
            if ignored is not None:
                self._wy[ignored] = 0.0
            return self._wy.sum()
        return n if ignored is None else n - int(np.count_nonzero(ignored))

    def _row_scale(self, scale: float | np.ndarray) -> float | np.ndarray:
        """The upstream factor of each row, 0 on ignored rows."""
        return scale if self._valid is None else self._valid * scale

    def config(self) -> dict[str, Any]:
        weight = None if self.weight is None else self.weight.tolist()
        return {"weight": weight, "ignore_index": self.ignore_index, "reduction": self.reduction}


class CrossEntropyLoss(_ClassLoss):
    """Cross-entropy on logits: log-softmax and negative log-likelihood fused, stable for
    any finite logits.

    With ``p = softmax(z)`` per row and smoothing ε, for class-index targets ``y``:
    ``ℓᵢ = -(1 - ε)·w[yᵢ]·log p[i, yᵢ] - (ε/C)·Σ_c w[c]·log p[i, c]``, 0 for rows whose
    target is ``ignore_index``; the mean divides by ``Σ w[yᵢ]`` over the rows not ignored.
    For class-probability targets ``t`` (floats of pred's shape):
    ``ℓᵢ = -Σ_c w[c]·q[i, c]·log p[i, c]`` with ``q = (1 - ε)·t + ε/C``; the mean divides
    by N and ``ignore_index`` does not apply. Probabilities need not sum to 1 (as in
    PyTorch). Without ``weight``, w = 1. If every target is ignored the mean is NaN and
    the gradient zero, as in PyTorch.

    Parameters
    ----------
    weight : array_like, optional
        One weight per class, shape ``(C,)``.
    ignore_index : int, default -100
        Rows with this class-index target add nothing to the loss or the gradient.
    reduction : {"mean", "sum", "none"}
        ``'none'`` returns one loss per row, shape ``(N,)``.
    label_smoothing : float in [0, 1], default 0.0
        Mixes the targets with the uniform distribution.

    Shapes: ``pred`` logits ``(N, C)``; ``target`` integers ``(N,)`` or floats ``(N, C)``.
    """

    target_kind = "classes"
    input_kind = "logits"

    def __init__(
        self,
        weight: Any = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, ignore_index, reduction)
        if not checks.is_real(label_smoothing) or not 0.0 <= label_smoothing <= 1.0:
            template = N_(
                "CrossEntropyLoss(label_smoothing={value!r}): label_smoothing must be in [0, 1]"
            )
            raise ValueError(Message("checks", template, value=label_smoothing))
        self.label_smoothing = float(label_smoothing)

    def _forward(self, pred: np.ndarray, target: Any) -> tuple[Any, float]:
        logits = _as_logits("CrossEntropyLoss", pred, Message("checks", N_("logits")))
        target = _numeric("CrossEntropyLoss", "target", target)
        if target.dtype.kind == "f" and target.ndim == 2:
            if target.shape != logits.shape:
                template = N_(
                    "CrossEntropyLoss: class-probability targets must have pred's shape "
                    "{pred}, got shape {shape}"
                )
                raise ShapeError(Message("checks", template, pred=logits.shape, shape=target.shape))
            return self._forward_probabilities(logits, target)
        denominator = self._index_targets(target, logits, probabilities=True)
        n, c = logits.shape
        eps = self.label_smoothing
        weight = self._weight_now
        rows = np.arange(n)
        shifted = logits - _row_max(logits)  # ≤ 0: exp cannot overflow
        losses = -shifted[rows, self._t]
        if eps:  # Σ_c w[c]·(z_c - max z), before shifted becomes exp(shifted)
            smooth = _row_sum(shifted) if weight is None else shifted @ weight
        exp = np.exp(shifted, out=shifted)
        sums = _row_sum(exp)
        log_sums = np.log(sums)
        losses += log_sums  # -log p[i, y] = log Σ exp(z - max) - (z_y - max)
        if self._wy is not None:
            losses *= self._wy
        if eps:
            total = float(c) if weight is None else float(weight.sum())
            # -Σ_c w[c]·log p[i, c] = Σw·log Σ exp(z - max) - Σ_c w[c]·(z_c - max)
            np.multiply(log_sums, total, out=log_sums)
            log_sums -= smooth
            losses *= 1.0 - eps
            log_sums *= eps / c
            losses += log_sums
            self._total_weight = total
        if self._valid is not None:
            losses[self._valid == 0] = 0.0
        self._exp, self._sums, self._soft = exp, sums, None
        return _reduce(self.reduction, losses), denominator

    def _forward_probabilities(self, logits: np.ndarray, target: np.ndarray):
        n, c = logits.shape
        eps = self.label_smoothing
        weight = self._class_weight(logits)
        soft = target.astype(logits.dtype, copy=False)
        if eps:
            soft = soft * (1.0 - eps)
            soft += eps / c
        if weight is not None:
            soft = soft * weight  # w[c]·q[i, c]
        mass = _row_sum(soft)  # Σ_c w[c]·q[i, c]
        shifted = logits - _row_max(logits)
        losses = np.einsum("ij,ij->i", soft, shifted)
        exp = np.exp(shifted, out=shifted)
        sums = _row_sum(exp)
        # -Σ_c w[c]·q[i, c]·log p[i, c] = mass·log Σ exp(z - max) - Σ_c w[c]·q[i, c]·(z_c - max)
        np.subtract(np.log(sums) * mass, losses, out=losses)
        self._exp, self._sums, self._soft, self._mass = exp, sums, soft, mass
        return _reduce(self.reduction, losses), n

    def _backward(self, scale: float | np.ndarray) -> np.ndarray:
        exp, sums = self._exp, self._sums
        if self._soft is not None:
            # dℓ/dz = p·Σ_c w[c]·q[c] - w ⊙ q   (= softmax(z) - q for a distribution q, no weight)
            grad = exp * (self._mass / sums)[:, None]
            grad -= self._soft
            grad *= scale[:, None] if isinstance(scale, np.ndarray) else scale
            return grad
        # dℓ/dz = a·p - (1 - ε)·w[y]·onehot(y) - (ε/C)·w,  a = (1 - ε)·w[y] + (ε/C)·Σw
        # (= softmax(z) - onehot(y) without weight or smoothing)
        n, c = exp.shape
        eps = self.label_smoothing
        row = self._row_scale(scale)
        onehot = (1.0 - eps) * row if self._wy is None else (1.0 - eps) * self._wy * row
        if eps:
            total_row = (eps / c) * self._total_weight * row
            coef = onehot + total_row
        else:
            coef = onehot
        grad = exp * (coef / sums)[:, None]
        grad[np.arange(n), self._t] -= onehot
        if eps:
            weight = self._weight_now
            if weight is None:
                grad -= (eps / c) * row[:, None] if isinstance(row, np.ndarray) else (eps / c) * row
            elif isinstance(row, np.ndarray):
                grad -= np.outer(row, weight * (eps / c))
            else:
                grad -= weight * ((eps / c) * row)
        return grad

    def config(self) -> dict[str, Any]:
        return {**super().config(), "label_smoothing": self.label_smoothing}


class NLLLoss(_ClassLoss):
    """Negative log-likelihood on log-probabilities (e.g. the output of a log-softmax):
    ``ℓᵢ = -w[yᵢ]·x[i, yᵢ]``, 0 for rows whose target is ``ignore_index``; the mean divides
    by ``Σ w[yᵢ]`` over the rows not ignored (NaN, with a zero gradient, if none is left).

    Parameters
    ----------
    weight : array_like, optional
        One weight per class, shape ``(C,)``.
    ignore_index : int, default -100
    reduction : {"mean", "sum", "none"}
        ``'none'`` returns one loss per row, shape ``(N,)``.

    Shapes: ``pred`` log-probabilities ``(N, C)``; ``target`` integers ``(N,)``.
    """

    target_kind = "classes"
    input_kind = "log_probabilities"

    def _forward(self, pred: np.ndarray, target: Any) -> tuple[Any, float]:
        log_probs = _as_logits("NLLLoss", pred, Message("checks", N_("log-probabilities")))
        target = _numeric("NLLLoss", "target", target)
        denominator = self._index_targets(target, log_probs, probabilities=False)
        losses = -log_probs[np.arange(log_probs.shape[0]), self._t]
        if self._wy is not None:
            losses *= self._wy
        if self._valid is not None:
            losses[self._valid == 0] = 0.0
        self._shape, self._dtype_now = log_probs.shape, log_probs.dtype
        return _reduce(self.reduction, losses), denominator

    def _backward(self, scale: float | np.ndarray) -> np.ndarray:
        # ℓ = -w[y]·x[y]  ⇒  dℓ/dx = -w[y]·onehot(y)
        row = self._row_scale(scale)
        grad = np.zeros(self._shape, dtype=self._dtype_now)
        values = -row if self._wy is None else -(self._wy * row)
        grad[np.arange(self._shape[0]), self._t] = values
        return grad
