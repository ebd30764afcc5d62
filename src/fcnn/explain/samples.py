"""The one sample a trace follows: its input row and its target, checked and in float64."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import N_, Message
from .loss_rules import LossRule


def one_row(name: str, value: Any, width: int | None, dtype: Any) -> np.ndarray:
    """One sample as a 1-D float array, or a ValueError that says what was expected."""
    array = np.asarray(value, dtype=dtype)
    if array.ndim == 2 and array.shape[0] > 1:
        template = N_(
            "explain traces one sample at a time: {name} has shape {shape}, a batch of "
            "{n} samples; pass one row, e.g. {name}[0]"
        )
        said = {"shape": array.shape, "n": array.shape[0]}
        raise ValueError(Message("explain", template, name=name, **said))
    if array.ndim > 2:
        template = N_("explain: {name} must be one sample (a 1-D array), got {shape}")
        raise ValueError(Message("explain", template, name=name, shape=array.shape))
    array = array.reshape(-1)
    if width is not None and array.size != width:
        template = N_("explain: {name} has {size} values; the model has {width} outputs")
        if name == "x":
            template = N_("explain: {name} has {size} values; the model takes {width} inputs")
        said = {"size": array.size, "width": width}
        raise ValueError(Message("explain", template, name=name, **said))
    if not np.all(np.isfinite(array)):
        template = N_("explain: {name} must be finite, got {values}")
        raise ValueError(Message("explain", template, name=name, values=array.tolist()))
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
                template = N_(
                    "explain: a class target must be one class index from 0 to {last}, "
                    "got {target!r}"
                )
                raise ValueError(Message("explain", template, last=k - 1, target=target))
            return np.array([index]), np.eye(k)[index], index
    row = one_row("target", target, k, np.float64)
    return row.reshape(1, -1), row, None
