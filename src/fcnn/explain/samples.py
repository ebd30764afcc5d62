"""The one sample a trace follows: its input row and its target, checked and in float64."""

from __future__ import annotations

from typing import Any

import numpy as np

from .loss_rules import LossRule


def one_row(name: str, value: Any, width: int | None, dtype: Any) -> np.ndarray:
    """One sample as a 1-D float array, or a ValueError that says what was expected."""
    what = "takes {} inputs" if name == "x" else "has {} outputs"
    array = np.asarray(value, dtype=dtype)
    if array.ndim == 2 and array.shape[0] > 1:
        raise ValueError(
            f"explain traces one sample at a time: {name} has shape {array.shape}, a batch of "
            f"{array.shape[0]} samples; pass one row, e.g. {name}[0]"
        )
    if array.ndim > 2:
        raise ValueError(f"explain: {name} must be one sample (a 1-D array), got {array.shape}")
    array = array.reshape(-1)
    if width is not None and array.size != width:
        raise ValueError(f"explain: {name} has {array.size} values; the model {what.format(width)}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"explain: {name} must be finite, got {array.tolist()}")
    return array


def targets(rule: LossRule, target: Any, k: int) -> tuple[np.ndarray, np.ndarray, int | None]:
    """(target as the loss takes it, target per output unit, class index or None).

    A loss on classes takes one class index, traced as its one-hot row; or, like any
    other loss, one value per output unit.
    """
    if not rule.elementwise:
        array = np.asarray(target)
        if array.dtype.kind in "iu" or (array.dtype.kind == "f" and array.size == 1 and k > 1):
            index = int(array.reshape(-1)[0]) if array.size == 1 else -1
            if array.size != 1 or index != array.reshape(-1)[0] or not 0 <= index < k:
                raise ValueError(
                    f"explain: a class target must be one class index from 0 to {k - 1}, "
                    f"got {target!r}"
                )
            return np.array([index]), np.eye(k)[index], index
    row = one_row("target", target, k, np.float64)
    return row.reshape(1, -1), row, None
