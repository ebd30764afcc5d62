"""What ``fit``, ``evaluate`` and the learning-rate finder accept as data, checked and
converted: features as a finite 2-D array of the model's dtype, targets as numbers, and
the validation rows split off."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import checks
from ..checks import check_finite
from ..i18n import N_, Message

__all__: list[str] = []


def _said(template: str, **fields: Any) -> Message:
    """A refusal of the train catalog, said in the language current when it is read."""
    return Message("train", template, **fields)


def _rows_differ(x_rows: int, y_rows: int) -> ValueError:
    """The error (not raised) for features and targets of different lengths."""
    template = N_("X has {x_rows} rows but y has {y_rows}")
    return ValueError(_said(template, x_rows=x_rows, y_rows=y_rows))


def _refuse_complex(name: str, array: np.ndarray) -> None:
    # NumPy's cast would keep the real part and only warn (ComplexWarning).
    if array.dtype.kind == "c":
        template = N_(
            "{name} is complex ({dtype}); fcnn trains on real numbers: pass "
            "{name}.real or abs({name}) if that is what you mean"
        )
        raise TypeError(_said(template, name=name, dtype=array.dtype))


def _as_features(where: str, name: str, X: Any, dtype: np.dtype) -> np.ndarray:
    """``X`` as a non-empty 2-D array of ``dtype``, every value finite after the cast."""
    given = np.asarray(X)
    _refuse_complex(name, given)
    try:
        with np.errstate(over="ignore"):  # an overflow is reported below, in words
            X = given.astype(dtype, copy=False)
    except (TypeError, ValueError) as err:
        raise ValueError(
            _said(N_("{name} is not numeric: {error}"), name=name, error=err)
        ) from None
    if X.ndim < 2:
        template = N_("{name} must be 2-D (samples, features), got shape {shape}")
        raise ValueError(_said(template, name=name, shape=X.shape))
    if len(X) == 0:
        template = N_("{where}: {name} has no rows (shape {shape}); there is nothing to {where}")
        raise ValueError(_said(template, where=where, name=name, shape=X.shape))
    if X is not given and given.dtype.kind == "f" and not np.isfinite(X).all():
        # Finite float64 values beyond float32's range become inf on the cast.
        overflow = np.isfinite(given) & ~np.isfinite(X)
        if overflow.any():
            at = tuple(int(i) for i in np.argwhere(overflow)[0])
            template = N_(
                "{name}[{index}] = {value:.6g} does not fit in {dtype} "
                "(largest {largest:.4g}); scale {name} down, or train a "
                "float64 model (dtype='float64')"
            )
            index = ", ".join(map(str, at))
            fields = {"value": given[at], "dtype": dtype, "largest": np.finfo(dtype).max}
            raise ValueError(_said(template, name=name, index=index, **fields))
    check_finite(name, X)
    return X


def _as_targets(name: str, y: Any) -> np.ndarray:
    """``y`` as an array; text and complex numbers are refused naming ``name``."""
    y = np.asarray(y)
    _refuse_complex(name, y)
    if y.dtype.kind in "US":
        template = N_(
            "{name} must be numeric, got text ({dtype}, e.g. {first!r}): map "
            "class names to labels 0, 1, ... first (fcnn.data.csv does)"
        )
        raise ValueError(_said(template, name=name, dtype=y.dtype, first=str(y.flat[0])))
    return y


def _split_validation(X, y, validation_data, validation_split, rng):
    if validation_data is not None and validation_split:
        raise ValueError(_said(N_("pass validation_data or validation_split, not both")))
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError(_said(N_("validation_data must be a pair (X_val, y_val)")))
        return X, y, validation_data[0], validation_data[1]
    if validation_split:
        validation_split = checks.real(
            "fit",
            "validation_split",
            validation_split,
            low=0,
            high=1,
            low_open=True,
            high_open=True,
        )
        n_val = round(len(X) * validation_split)
        if n_val < 1 or n_val >= len(X):
            template = N_(
                "validation_split={validation_split} leaves no training or no validation rows"
            )
            raise ValueError(_said(template, validation_split=validation_split))
        # Unlike Keras (which holds out the last rows), a random subset drawn with fit's
        # seed: data sorted by class would otherwise validate on a single class.
        order = rng.permutation(len(X))
        train, val = np.sort(order[n_val:]), np.sort(order[:n_val])
        return X[train], y[train], X[val], y[val]
    return X, y, None, None
