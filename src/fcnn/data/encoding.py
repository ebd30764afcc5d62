"""Class labels as numbers a network trains on: ``one_hot`` (a row of zeros with a one
at each label, the target of a softmax output)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..i18n import N_, Message

__all__ = ["one_hot"]


def one_hot(y: Any, num_classes: int | None = None, dtype: Any = np.float64) -> np.ndarray:
    """Rows of zeros with a one at each label: ``out[i, y[i]] = 1``.

    Parameters
    ----------
    y : array_like of int, shape (N,)
        Class labels 0 .. num_classes-1.
    num_classes : int, optional
        Default ``max(y) + 1``.
    dtype : dtype
        Of the result (float64 by default).

    Returns
    -------
    ndarray, shape (N, num_classes)
    """
    labels = np.asarray(y)
    if labels.ndim != 1:
        template = N_("one_hot: y must be 1-D (N,), got shape {shape}")
        raise ValueError(Message("data", template, shape=labels.shape))
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            template = N_("one_hot: y must hold integer class labels, got non-integer floats")
            raise ValueError(Message("data", template))
    elif labels.dtype.kind not in "biu":
        template = N_("one_hot: y has dtype {dtype}; expected integer class labels")
        raise TypeError(Message("data", template, dtype=labels.dtype))
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        i = int(np.argmin(labels))
        template = N_("one_hot: y[{index}] = {label}: class labels must be >= 0")
        raise ValueError(Message("data", template, index=i, label=labels[i]))
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, numbers.Integral)
        or num_classes < 1
    ):
        template = N_("one_hot(num_classes={num_classes!r}): expected an integer >= 1")
        raise ValueError(Message("data", template, num_classes=num_classes))
    elif labels.size and labels.max() >= num_classes:
        i = int(np.argmax(labels))
        template = N_("one_hot: y[{index}] = {label} is not below num_classes={num_classes}")
        fields = {"index": i, "label": labels[i], "num_classes": num_classes}
        raise ValueError(Message("data", template, **fields))
    out = np.zeros((labels.size, int(num_classes)), dtype=dtype)
    out[np.arange(labels.size), labels] = 1
    return out
