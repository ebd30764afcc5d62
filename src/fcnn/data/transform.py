"""Preparing arrays for training, in one import: the sanity check of a data set
(``check_dataset``, here) and, re-exported from their own modules, the splits
(``split``), the scaling (``scaling``) and one-hot targets (``encoding``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_finite
from ..i18n import N_, Message
from .encoding import one_hot
from .scaling import Standardizer
from .split import train_test_split, train_val_test_split

__all__ = ["Standardizer", "check_dataset", "one_hot", "train_test_split", "train_val_test_split"]


def check_dataset(X: Any, y: Any = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Check that ``X`` (and ``y``) can be trained on; return them as arrays.

    Parameters
    ----------
    X : array_like, shape (N, features)
        Numbers, all finite, N >= 1 and features >= 1.
    y : array_like, shape (N,) or (N, outputs), optional
        Integer class labels (>= 0), or finite float targets, or one-hot rows.

    Returns
    -------
    X, y : ndarray

    Raises
    ------
    ValueError
        A wrong shape, mismatched lengths, a NaN or infinity (naming its row and column,
        0-based), or a negative class label.
    TypeError
        Text or objects where numbers belong.
    """
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(Message("data", N_("X has dtype {dtype}; expected numbers"), dtype=X.dtype))
    if X.ndim != 2:
        template = (
            N_(
                "X must be 2-D (N, features), got shape {shape} (one feature per sample: "
                "X.reshape(-1, 1); one sample: X.reshape(1, -1))"
            )
            if X.ndim == 1
            else N_("X must be 2-D (N, features), got shape {shape}")
        )
        raise ValueError(Message("data", template, shape=X.shape))
    if X.shape[0] == 0 or X.shape[1] == 0:
        template = N_("X is empty: shape {shape}; expected N >= 1 rows and >= 1 features")
        raise ValueError(Message("data", template, shape=X.shape))
    check_finite("X", X)
    if y is None:
        return X, None
    y = np.asarray(y)
    if y.dtype.kind in "USO":
        template = N_(
            "y has dtype {dtype}; expected numbers (map class names to labels 0, 1, ... "
            "first: fcnn.data.csv does)"
        )
        raise TypeError(Message("data", template, dtype=y.dtype))
    if y.dtype.kind not in "biuf":
        raise TypeError(Message("data", N_("y has dtype {dtype}; expected numbers"), dtype=y.dtype))
    if y.ndim not in (1, 2):
        template = N_("y must be 1-D (N,) or 2-D (N, outputs), got shape {shape}")
        raise ValueError(Message("data", template, shape=y.shape))
    if len(y) != len(X):
        template = N_("X has {rows} rows but y has {labels}; they must match")
        raise ValueError(Message("data", template, rows=len(X), labels=len(y)))
    if y.dtype.kind == "f":
        check_finite("y", y)
    elif y.dtype.kind == "i" and y.size and y.min() < 0:
        where = np.argwhere(y < 0)[0]
        index = ", ".join(map(str, where))
        template = N_("y[{index}] = {label}: class labels must be >= 0")
        raise ValueError(Message("data", template, index=index, label=y[tuple(where)]))
    return X, y
