"""Floor 2: loss functions, each with its derivative beside it, and a name registry.

``MSELoss``, ``L1Loss``, ``HuberLoss``, ``BCELoss``, ``BCEWithLogitsLoss``,
``CrossEntropyLoss`` and ``NLLLoss``, with PyTorch's names, arguments, defaults and
numerics: a loss built here and its ``torch.nn`` namesake give the same value and the
same gradient.

A loss is not a ``Module``: it has no parameters. ``loss(pred, target)`` returns a
Python float (``reduction='mean'`` or ``'sum'``) or an array of per-element losses
(``'none'``) and keeps what ``loss.backward()`` needs to return dL/dpred. Where a fused
form is stabler the loss takes logits: ``CrossEntropyLoss`` is log-softmax + NLL in one
pass, ``BCEWithLogitsLoss`` is sigmoid + BCE.

dtype: the loss computes in pred's dtype (float32 or float64; anything else becomes
float32); targets and weights are cast to it, never the other way round.

NaN and inf propagate quietly into the loss and the gradient, as in PyTorch (check
``math.isfinite(loss)``), except in ``BCELoss``, which refuses a pred or target outside
[0, 1], NaN included, as PyTorch does.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from .core import ShapeError, resolve_dtype

__all__ = [
    "LOSSES",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "L1Loss",
    "Loss",
    "MSELoss",
    "NLLLoss",
    "get_loss",
]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_REDUCTIONS = ("mean", "sum", "none")
# PyTorch's floor on x(1-x) in BCE's gradient: the float32 constant 1e-12f, in every dtype.
_BCE_EPSILON = float(np.float32(1e-12))
_LOG_FLOOR = -100.0  # PyTorch clamps each log in BCE at -100


# --------------------------------------------------------------------------- checks


def _as_pred(owner: str, pred: Any) -> np.ndarray:
    """``pred`` as a float32/float64 array: its own dtype when it is one, else float32."""
    array = np.asarray(pred)
    if array.dtype in _FLOATS:
        return array
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: pred must be a real numeric array, got dtype {array.dtype}")
    return array.astype(np.float32)


def _numeric(owner: str, name: str, value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: {name} must be a real numeric array, got dtype {array.dtype}")
    return array


def _target_like(owner: str, pred: np.ndarray, target: Any) -> np.ndarray:
    """An elementwise loss's target: pred's shape exactly, cast to pred's dtype."""
    target = _numeric(owner, "target", target)
    if target.shape != pred.shape:
        hint = ""
        if target.ndim == 1 and pred.shape == (target.shape[0], 1):
            hint = "; for a 1-D target y use y.reshape(-1, 1)"
        elif pred.ndim == 1 and target.shape == (pred.shape[0], 1):
            hint = "; for a 1-D pred use pred.reshape(-1, 1)"
        raise ShapeError(
            f"{owner}: pred has shape {pred.shape} but target has shape {target.shape}; "
            f"they must be the same{hint}"
        )
    if pred.size == 0:
        raise ShapeError(f"{owner} got an empty batch, pred shape {pred.shape}")
    return target.astype(pred.dtype, copy=False)


def _where(name: str, array: np.ndarray, flat_index: int) -> str:
    index = np.unravel_index(flat_index, array.shape)
    return f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name


def _check_unit_interval(owner: str, name: str, array: np.ndarray, hint: str = "") -> None:
    """Refuse values outside [0, 1] (NaN included), naming the first one."""
    if array.min() >= 0 and array.max() <= 1:  # NaN fails both comparisons
        return
    bad = int(np.argmax(~((array >= 0) & (array <= 1))))
    value = array.reshape(-1)[bad]
    raise ValueError(
        f"{owner}: {name} must lie in [0, 1], got {_where(name, array, bad)} = {value}{hint}"
    )


def _as_logits(owner: str, pred: np.ndarray, what: str) -> np.ndarray:
    if pred.ndim != 2:
        hint = " (a single sample needs pred.reshape(1, -1))" if pred.ndim == 1 else ""
        raise ShapeError(f"{owner} expects {what} of shape (N, C), got shape {pred.shape}{hint}")
    if pred.shape[0] == 0 or pred.shape[1] == 0:
        raise ShapeError(f"{owner} got an empty batch or no classes, pred shape {pred.shape}")
    return pred


def _reduction(owner: str, reduction: Any) -> str:
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(
            f"{owner}(reduction={reduction!r}): reduction must be 'mean', 'sum' or 'none'"
        )
    return reduction


def _weight_array(owner: str, name: str, value: Any, *, per_class: bool) -> np.ndarray | None:
    """A weight argument as a private float array (float32 kept, anything else float64)."""
    if value is None:
        return None
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{owner}({name}=...): {name} must be numeric, got dtype {array.dtype}")
    array = np.array(array, dtype=array.dtype if array.dtype in _FLOATS else np.float64)
    if per_class and (array.ndim != 1 or array.size == 0):
        raise ValueError(
            f"{owner}({name}=...): {name} must be a 1-D array with one entry per class, "
            f"got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{owner}({name}=...): {name} must be finite, got {array.tolist()}")
    return array


def _broadcast_to_pred(owner: str, name: str, array: np.ndarray | None, pred: np.ndarray):
    """``array`` cast to pred's dtype, after checking it broadcasts to pred's shape."""
    if array is None:
        return None
    try:
        shape = np.broadcast_shapes(array.shape, pred.shape)
    except ValueError:
        shape = None
    if shape != pred.shape:
        raise ShapeError(
            f"{owner}: {name} of shape {array.shape} does not broadcast to pred's shape "
            f"{pred.shape}"
        )
    return array.astype(pred.dtype, copy=False)


def _reduce(reduction: str, losses: np.ndarray) -> Any:
    return losses if reduction == "none" else losses.sum()


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


def _log1p_unit(e: np.ndarray) -> np.ndarray:
    """``log(1 + e)`` for ``e`` in [0, 1], a few times faster than ``np.log1p`` and as exact.

    With ``u = 1 + e`` rounded, ``u - 1`` is exact and ``δ = e - (u - 1)`` is the rounding
    error, so ``log(1 + e) = log u + log(1 + δ/u) = log u + δ/u`` to within ``(δ/u)²``,
    far below one ulp (Goldberg's trick). Tiny ``e`` gives ``u = 1`` and ``log(1 + e) = e``.
    """
    u = e + 1.0
    correction = u - 1.0
    np.subtract(e, correction, out=correction)
    correction /= u
    np.log(u, out=u)
    u += correction
    return u


# --------------------------------------------------------------------------- base class


class Loss:
    """Base class of every loss: ``forward(pred, target)``, an explicit ``backward``, a spec.

    A subclass writes ``_forward(pred, target)``, returning the summed loss (or, for
    ``reduction='none'``, the array of losses) and the denominator of the mean, and
    ``_backward(scale)``, returning dL/dpred for ``L = Σ scale ⊙ losses`` where ``scale``
    is a Python float (mean, sum) or an array of the losses' shape (none).

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}
        How the per-element (or per-sample) losses are combined.
    """

    _array_args: tuple[str, ...] = ()  # float array arguments, converted by ``to``

    #: What the targets are, declared by each loss so that training code asks the class
    #: instead of its name: ``"values"`` (regression), ``"binary"`` (0/1 or a probability
    #: per output) or ``"classes"`` (class indices, or a probability per class).
    target_kind: str = "values"
    #: What the network's output must be: ``"values"``, ``"logits"``, ``"probabilities"``
    #: or ``"log_probabilities"``.
    input_kind: str = "values"

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = _reduction(type(self).__name__, reduction)
        self._ready = False

    # ----------------------------------------------------------------- computation

    def forward(self, pred: Any, target: Any) -> float | np.ndarray:
        """The loss of ``pred`` against ``target``.

        Returns
        -------
        float or ndarray
            A Python float for ``reduction='mean'`` or ``'sum'``; for ``'none'`` an array
            of pred's dtype, one loss per element (per sample for the class losses).
        """
        self._ready = False
        name = type(self).__name__
        pred = _as_pred(name, pred)
        with np.errstate(all="ignore"):  # NaN/inf propagate quietly, as in PyTorch
            value, denominator = self._forward(pred, target)
        self._dtype = pred.dtype
        self._denominator = float(denominator)
        self._ready = True
        if self.reduction == "none":
            self._loss_shape = value.shape
            return value
        if self.reduction == "sum":
            return float(value)
        # An empty denominator (every target ignored) gives NaN, as in PyTorch.
        return float(value) / self._denominator if self._denominator else math.nan

    def backward(self, grad_output: Any = None) -> np.ndarray:
        """dL/dpred, of pred's shape and dtype, for the last ``forward``.

        Parameters
        ----------
        grad_output : float or ndarray, optional
            For ``reduction='none'`` required: dL/d(losses), of the losses' shape. For
            ``'mean'`` and ``'sum'`` an optional scalar multiplier (default 1).

        Calling backward twice returns the same gradient twice (a loss has nothing to
        accumulate into).
        """
        name = type(self).__name__
        if not self._ready:
            raise RuntimeError(
                f"{name}.backward() called before forward(): compute loss(pred, target) first"
            )
        if self.reduction == "none":
            if grad_output is None:
                raise ValueError(
                    f"{name}(reduction='none').backward needs grad_output of the losses' "
                    f"shape {self._loss_shape}"
                )
            scale = np.asarray(grad_output, dtype=self._dtype)
            if scale.shape != self._loss_shape:
                raise ShapeError(
                    f"{name}(reduction='none').backward: grad_output has shape {scale.shape}, "
                    f"expected the losses' shape {self._loss_shape}"
                )
        else:
            if grad_output is None:
                factor = 1.0
            elif np.ndim(grad_output) == 0:
                factor = float(grad_output)
            else:
                raise ValueError(
                    f"{name}(reduction={self.reduction!r}).backward: grad_output must be a "
                    f"scalar, got shape {np.shape(grad_output)}"
                )
            if self.reduction == "sum":
                scale = factor
            else:  # nothing counted (every target ignored): the gradient is zero, as in torch
                scale = factor / self._denominator if self._denominator else 0.0
        with np.errstate(all="ignore"):
            return self._backward(scale)

    def __call__(self, pred: Any, target: Any) -> float | np.ndarray:
        return self.forward(pred, target)

    def _forward(self, pred: np.ndarray, target: Any) -> tuple[Any, float]:
        raise NotImplementedError(f"{type(self).__name__} does not define _forward()")

    def _backward(self, scale: float | np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not define _backward()")

    # ----------------------------------------------------------------- description

    def to(self, dtype: Any) -> Loss:
        """Convert the float array arguments (``weight``, ``pos_weight``) to ``dtype``; return self.

        The loss always computes in pred's dtype; this only saves the cast per call.
        """
        target = resolve_dtype(dtype)
        for name in self._array_args:
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value.astype(target))
        return self

    def config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-able dict; ``type(loss)(**config())`` rebuilds it."""
        return {"reduction": self.reduction}

    def spec(self) -> dict[str, Any]:
        """``{"type": ClassName, **config()}``; ``get_loss(type, **rest)`` rebuilds the loss."""
        return {"type": type(self).__name__, **self.config()}

    def __repr__(self) -> str:
        """PyTorch-like: ``CrossEntropyLoss(label_smoothing=0.1)``, showing non-default args."""
        signature = inspect.signature(type(self).__init__).parameters
        shown = []
        for key, value in self.config().items():
            default = signature[key].default if key in signature else inspect.Parameter.empty
            if default is inspect.Parameter.empty or value != default:
                shown.append(f"{key}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


def _scaled(array: np.ndarray, factor: float, scale: float | np.ndarray) -> np.ndarray:
    """``factor · scale · array`` in one new array of array's dtype."""
    if isinstance(scale, np.ndarray):
        out = array * scale
        if factor != 1.0:
            out *= factor
        return out
    return array * (factor * scale)


# --------------------------------------------------------------------------- regression


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
        if (
            isinstance(delta, bool)
            or not isinstance(delta, (int, float, np.integer, np.floating))
            or not 0 < delta < math.inf
        ):
            raise ValueError(f"HuberLoss(delta={delta!r}): delta must be a positive number")
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


# --------------------------------------------------------------------------- binary


class BCELoss(Loss):
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

    target_kind = "binary"
    input_kind = "probabilities"

    _array_args = ("weight",)

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = _weight_array("BCELoss", "weight", weight, per_class=False)

    def _forward(self, pred: np.ndarray, target: Any) -> tuple[Any, float]:
        target = _target_like("BCELoss", pred, target)
        hint = " (apply a sigmoid first, or give the logits to BCEWithLogitsLoss)"
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
        if self._w is not None:
            grad *= self._w
        grad *= scale
        return grad

    def config(self) -> dict[str, Any]:
        weight = None if self.weight is None else self.weight.tolist()
        return {"weight": weight, "reduction": self.reduction}


class BCEWithLogitsLoss(Loss):
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

    target_kind = "binary"
    input_kind = "logits"

    _array_args = ("weight", "pos_weight")

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.weight = _weight_array("BCEWithLogitsLoss", "weight", weight, per_class=False)
        self.pos_weight = _weight_array(
            "BCEWithLogitsLoss", "pos_weight", pos_weight, per_class=False
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
        losses = _log1p_unit(e)
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
        if self._w is not None:
            grad *= self._w
        grad *= scale
        return grad

    def config(self) -> dict[str, Any]:
        weight = None if self.weight is None else self.weight.tolist()
        pos_weight = None if self.pos_weight is None else self.pos_weight.tolist()
        return {"weight": weight, "reduction": self.reduction, "pos_weight": pos_weight}


# --------------------------------------------------------------------------- classes


class _ClassLoss(Loss):
    """Shared by the losses over ``(N, C)`` scores with class-index targets: ``weight``
    per class, ``ignore_index``, and the validation of the targets."""

    _array_args = ("weight",)

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        name = type(self).__name__
        self.weight = _weight_array(name, "weight", weight, per_class=True)
        if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
            raise TypeError(f"{name}(ignore_index={ignore_index!r}): expected an integer")
        self.ignore_index = int(ignore_index)

    def _class_weight(self, pred: np.ndarray) -> np.ndarray | None:
        if self.weight is None:
            return None
        if self.weight.shape[0] != pred.shape[1]:
            raise ValueError(
                f"{type(self).__name__}: weight has {self.weight.shape[0]} entries but pred "
                f"of shape {pred.shape} has {pred.shape[1]} classes"
            )
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
            also = ", or floats of pred's shape (N, C) for class probabilities"
            also = also if probabilities else ""
            raise TypeError(
                f"{name}: class targets must be integers, got dtype {target.dtype}; "
                f"use target.astype(np.int64){also}"
            )
        if target.shape != (n,):
            hint = ""
            if target.shape == (n, 1):
                hint = "; use target.reshape(-1)"
            elif target.shape == (n, c):
                hint = "; for one-hot targets pass target.argmax(axis=1)"
                if probabilities:
                    hint += " or float probabilities target.astype(pred.dtype)"
            raise ShapeError(
                f"{name}: class targets must have shape (N,) = ({n},) for pred of shape "
                f"{pred.shape}, got shape {target.shape}{hint}"
            )
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
                raise ValueError(
                    f"{name}: target[{row}] = {int(target[row])} is not a class index: "
                    f"expected 0 <= target < {c} (pred has {c} classes) or "
                    f"ignore_index={self.ignore_index}"
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
        if (
            isinstance(label_smoothing, bool)
            or not isinstance(label_smoothing, (int, float, np.integer, np.floating))
            or not 0.0 <= label_smoothing <= 1.0
        ):
            raise ValueError(
                f"CrossEntropyLoss(label_smoothing={label_smoothing!r}): "
                "label_smoothing must be in [0, 1]"
            )
        self.label_smoothing = float(label_smoothing)

    def _forward(self, pred: np.ndarray, target: Any) -> tuple[Any, float]:
        logits = _as_logits("CrossEntropyLoss", pred, "logits")
        target = _numeric("CrossEntropyLoss", "target", target)
        if target.dtype.kind == "f" and target.ndim == 2:
            if target.shape != logits.shape:
                raise ShapeError(
                    f"CrossEntropyLoss: class-probability targets must have pred's shape "
                    f"{logits.shape}, got shape {target.shape}"
                )
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
        log_probs = _as_logits("NLLLoss", pred, "log-probabilities")
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


# --------------------------------------------------------------------------- registry

LOSSES: dict[str, type[Loss]] = {
    "mse": MSELoss,
    "l1": L1Loss,
    "huber": HuberLoss,
    "bce": BCELoss,
    "bce_with_logits": BCEWithLogitsLoss,
    "cross_entropy": CrossEntropyLoss,
    "nll": NLLLoss,
}


def get_loss(name: str, **kwargs: Any) -> Loss:
    """Build a loss by its registry name (``"cross_entropy"``) or class name
    (``"CrossEntropyLoss"``, as in a spec), passing ``kwargs`` to the constructor.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known ones.
    """
    if not isinstance(name, str):
        raise TypeError(f"get_loss: name must be a string, got {type(name).__name__}")
    cls = LOSSES.get(name)
    if cls is None:
        cls = next((c for c in LOSSES.values() if c.__name__ == name), None)
    if cls is None:
        raise ValueError(f"unknown loss {name!r}; known losses: {', '.join(LOSSES)}")
    accepted = list(inspect.signature(cls).parameters)
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise TypeError(
            f"get_loss({name!r}): {cls.__name__} has no argument {', '.join(unknown)}; "
            f"it takes {', '.join(accepted)}"
        )
    return cls(**kwargs)
