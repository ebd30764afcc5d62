"""Floor 3: metrics of classification and regression results.

Kept out of ``train.py`` (where the original design placed them) so that the training
loop stays one readable file; ``fit`` and ``evaluate`` look metrics up here by name.
All functions take NumPy arrays and return Python floats or arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .activations import LogSoftmax, Sigmoid, Softmax
from .core import Module
from .i18n import N_, Message

__all__ = [
    "METRICS",
    "accuracy",
    "confusion_matrix",
    "labels_from_output",
    "last_module",
    "mae",
    "precision_recall_f1",
    "probabilities",
    "r2_score",
    "rmse",
]


def _pair(y_true, y_pred, what: str) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        template = N_("{what}: y_true has shape {true} but y_pred {pred}")
        raise ValueError(
            Message("train", template, what=what, true=y_true.shape, pred=y_pred.shape)
        )
    if y_true.size == 0:
        raise ValueError(Message("train", N_("{what}: no samples"), what=what))
    return y_true, y_pred


def labels_from_output(output: np.ndarray, *, logits: bool = True) -> np.ndarray:
    """Class labels from a network's output: argmax of ``(N, C)``; for ``(N, 1)`` the
    threshold 0 (logits) or 0.5 (probabilities)."""
    output = np.asarray(output)
    if output.ndim != 2:
        template = N_("labels_from_output: expected (N, C) outputs, got shape {shape}")
        raise ValueError(Message("train", template, shape=output.shape))
    if output.shape[1] == 1:
        return (output[:, 0] > (0.0 if logits else 0.5)).astype(np.int64)
    return output.argmax(axis=1)


def last_module(model: Module) -> Module:
    """The last leaf module of ``model`` in forward order (a Sequential's last layer)."""
    leaves = [m for m in model.modules() if not m._modules]
    return leaves[-1] if leaves else model


def probabilities(model: Module, output: np.ndarray) -> np.ndarray:
    """Class probabilities ``(N, C)`` from a classifier's raw output.

    A model ending in ``Sigmoid`` or ``Softmax`` already gives probabilities,
    ``LogSoftmax`` their logs; any other output is logits (sigmoid for one column,
    softmax for several). One column becomes ``[1 - p, p]``.
    """
    output = np.asarray(output, dtype=np.float64)
    last = last_module(model)
    if isinstance(last, (Sigmoid, Softmax)):
        p = output
    elif isinstance(last, LogSoftmax):
        p = np.exp(output)
    elif output.shape[1] == 1:
        p = 0.5 * (1.0 + np.tanh(0.5 * output))  # σ(z) without overflow
    else:
        shifted = np.exp(output - output.max(axis=1, keepdims=True))
        p = shifted / shifted.sum(axis=1, keepdims=True)
    return np.hstack([1.0 - p, p]) if p.shape[1] == 1 else p


def accuracy(y_true, y_pred) -> float:
    """Fraction of labels predicted exactly."""
    y_true, y_pred = _pair(y_true, y_pred, "accuracy")
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """``C[i, j]`` = number of samples of true class i predicted as class j."""
    y_true, y_pred = _pair(y_true, y_pred, "confusion_matrix")
    y_true, y_pred = y_true.astype(np.int64), y_pred.astype(np.int64)
    if (y_true < 0).any() or (y_pred < 0).any():
        template = N_("confusion_matrix: labels must be non-negative integers")
        raise ValueError(Message("train", template))
    k = int(max(y_true.max(), y_pred.max())) + 1 if num_classes is None else num_classes
    if max(y_true.max(), y_pred.max()) >= k:
        template = N_("confusion_matrix: a label exceeds num_classes={k}")
        raise ValueError(Message("train", template, k=k))
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def precision_recall_f1(
    y_true, y_pred, average: str | None = "macro", num_classes: int | None = None
) -> tuple:
    """Precision, recall and F1 per class (``average=None``) or averaged.

    ``macro``: unweighted mean over classes; ``weighted``: weighted by support;
    ``micro``: from the pooled counts (equals accuracy for single-label data). A class
    with no predicted (or no true) samples gets precision (recall) 0, as scikit-learn's
    ``zero_division=0``.
    """
    if average not in (None, "macro", "micro", "weighted"):
        template = N_(
            "precision_recall_f1(average={average!r}): expected None, macro, micro or weighted"
        )
        raise ValueError(Message("train", template, average=average))
    cm = confusion_matrix(y_true, y_pred, num_classes).astype(np.float64)
    return _precision_recall_f1_of(cm, average)


def _precision_recall_f1_of(cm: np.ndarray, average: str | None) -> tuple:
    """:func:`precision_recall_f1` from a confusion matrix (also one added batch by batch)."""
    tp = np.diag(cm)
    predicted, support = cm.sum(axis=0), cm.sum(axis=1)
    if average == "micro":
        p = r = float(tp.sum() / cm.sum())
        return p, r, p
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    if average is None:
        return precision, recall, f1
    weights = support / support.sum() if average == "weighted" else np.full(len(tp), 1 / len(tp))
    return float(precision @ weights), float(recall @ weights), float(f1 @ weights)


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination ``1 - Σ(y - ŷ)² / Σ(y - ȳ)²`` (averaged over outputs)."""
    y_true, y_pred = _pair(y_true, y_pred, "r2_score")
    y_true = y_true.reshape(len(y_true), -1).astype(np.float64)
    y_pred = y_pred.reshape(len(y_pred), -1).astype(np.float64)
    residual = np.sum((y_true - y_pred) ** 2, axis=0)
    total = np.sum((y_true - y_true.mean(axis=0)) ** 2, axis=0)
    return _r2_of(residual, total)


def _r2_of(residual: np.ndarray, total: np.ndarray) -> float:
    """R² from each output's residual and total sums of squares (a constant output: 0)."""
    scores = np.where(total > 0, 1 - residual / np.where(total > 0, total, 1), 0.0)
    return float(scores.mean())


def rmse(y_true, y_pred) -> float:
    """Root mean squared error."""
    y_true, y_pred = _pair(y_true, y_pred, "rmse")
    return float(np.sqrt(np.mean((y_true.astype(np.float64) - y_pred) ** 2)))


def mae(y_true, y_pred) -> float:
    """Mean absolute error."""
    y_true, y_pred = _pair(y_true, y_pred, "mae")
    return float(np.mean(np.abs(y_true.astype(np.float64) - y_pred)))


def _f1(y_true, y_pred) -> float:
    return precision_recall_f1(y_true, y_pred, "macro")[2]


# Scalar metrics ``fit``/``evaluate`` accept by name; ``kind`` says what they compare.
METRICS: dict[str, tuple[str, Callable]] = {
    "accuracy": ("labels", accuracy),
    "f1": ("labels", _f1),
    "r2": ("values", r2_score),
    "rmse": ("values", rmse),
    "mae": ("values", mae),
}
