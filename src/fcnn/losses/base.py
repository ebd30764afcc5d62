"""The base class every loss derives from, the reductions, and the checks losses share.

A loss is not a ``Module``: it has no parameters. ``loss(pred, target)`` returns a
Python float (``reduction='mean'`` or ``'sum'``) or an array of per-element losses
(``'none'``) and keeps what ``loss.backward()`` needs to return dL/dpred. A subclass
writes only ``_forward`` and ``_backward``; :class:`Loss` does the reduction, the dtype
and the checks on ``backward``'s argument.

dtype: the loss computes in pred's dtype (float32 or float64; anything else becomes
float32); targets and weights are cast to it, never the other way round.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from .. import checks
from ..core import ShapeError, resolve_dtype
from ..i18n import N_, Message

__all__ = ["Loss"]

_REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- checks


def _as_pred(owner: str, pred: Any) -> np.ndarray:
    """``pred`` as a float32/float64 array: its own dtype when it is one, else float32."""
    array = np.asarray(pred)
    if array.dtype in checks.FLOAT_DTYPES:
        return array
    if array.dtype.kind not in "biuf":
        template = N_("{owner}: pred must be a real numeric array, got dtype {dtype}")
        raise TypeError(Message("checks", template, owner=owner, dtype=array.dtype))
    return array.astype(np.float32)


def _numeric(owner: str, name: str, value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        template = N_("{owner}: {name} must be a real numeric array, got dtype {dtype}")
        raise TypeError(Message("checks", template, owner=owner, name=name, dtype=array.dtype))
    return array


def _target_like(owner: str, pred: np.ndarray, target: Any) -> np.ndarray:
    """An elementwise loss's target: pred's shape exactly, cast to pred's dtype."""
    target = _numeric(owner, "target", target)
    if target.shape != pred.shape:
        hint = ""
        if target.ndim == 1 and pred.shape == (target.shape[0], 1):
            hint = Message("checks", N_("; for a 1-D target y use y.reshape(-1, 1)"))
        elif pred.ndim == 1 and target.shape == (pred.shape[0], 1):
            hint = Message("checks", N_("; for a 1-D pred use pred.reshape(-1, 1)"))
        template = N_(
            "{owner}: pred has shape {pred} but target has shape {target}; "
            "they must be the same{hint}"
        )
        raise ShapeError(
            Message(
                "checks", template, owner=owner, pred=pred.shape, target=target.shape, hint=hint
            )
        )
    if pred.size == 0:
        template = N_("{owner} got an empty batch, pred shape {shape}")
        raise ShapeError(Message("checks", template, owner=owner, shape=pred.shape))
    return target.astype(pred.dtype, copy=False)


def _reduction(owner: str, reduction: Any) -> str:
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        template = N_("{owner}(reduction={reduction!r}): reduction must be 'mean', 'sum' or 'none'")
        raise ValueError(Message("checks", template, owner=owner, reduction=reduction))
    return reduction


def _weight_array(owner: str, name: str, value: Any, *, per_class: bool) -> np.ndarray | None:
    """A weight argument as a private float array (float32 kept, anything else float64)."""
    if value is None:
        return None
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        template = N_("{owner}({name}=...): {name} must be numeric, got dtype {dtype}")
        raise TypeError(Message("checks", template, owner=owner, name=name, dtype=array.dtype))
    array = np.array(array, dtype=array.dtype if array.dtype in checks.FLOAT_DTYPES else np.float64)
    if per_class and (array.ndim != 1 or array.size == 0):
        template = N_(
            "{owner}({name}=...): {name} must be a 1-D array with one entry per class, "
            "got shape {shape}"
        )
        raise ValueError(Message("checks", template, owner=owner, name=name, shape=array.shape))
    if not np.all(np.isfinite(array)):
        template = N_("{owner}({name}=...): {name} must be finite, got {values}")
        raise ValueError(Message("checks", template, owner=owner, name=name, values=array.tolist()))
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
        template = N_("{owner}: {name} of shape {shape} does not broadcast to pred's shape {pred}")
        raise ShapeError(
            Message("checks", template, owner=owner, name=name, shape=array.shape, pred=pred.shape)
        )
    return array.astype(pred.dtype, copy=False)


def _reduce(reduction: str, losses: np.ndarray) -> Any:
    return losses if reduction == "none" else losses.sum()


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
            template = N_(
                "{name}.backward() called before forward(): compute loss(pred, target) first"
            )
            raise RuntimeError(Message("checks", template, name=name))
        if self.reduction == "none":
            if grad_output is None:
                template = N_(
                    "{name}(reduction='none').backward needs grad_output of the losses' "
                    "shape {shape}"
                )
                raise ValueError(Message("checks", template, name=name, shape=self._loss_shape))
            scale = np.asarray(grad_output, dtype=self._dtype)
            if scale.shape != self._loss_shape:
                template = N_(
                    "{name}(reduction='none').backward: grad_output has shape {shape}, "
                    "expected the losses' shape {losses}"
                )
                raise ShapeError(
                    Message(
                        "checks", template, name=name, shape=scale.shape, losses=self._loss_shape
                    )
                )
        else:
            if grad_output is None:
                factor = 1.0
            elif np.ndim(grad_output) == 0:
                factor = float(grad_output)
            else:
                template = N_(
                    "{name}(reduction={reduction!r}).backward: grad_output must be a "
                    "scalar, got shape {shape}"
                )
                said = {"reduction": self.reduction, "shape": np.shape(grad_output)}
                raise ValueError(Message("checks", template, name=name, **said))
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
