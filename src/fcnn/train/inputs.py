"""What ``fit``, ``evaluate`` and the learning-rate finder accept as data, checked and
converted: features as a finite 2-D array of the model's dtype, targets as numbers, and
the validation rows split off."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import checks
from ..checks import check_finite

__all__: list[str] = []


def _refuse_complex(name: str, array: np.ndarray) -> None:
    # NumPy's cast would keep the real part and only warn (ComplexWarning).
    if array.dtype.kind == "c":
        raise TypeError(
            f"{name} is complex ({array.dtype}); fcnn trains on real numbers: pass "
            f"{name}.real or abs({name}) if that is what you mean"
        )


def _as_features(where: str, name: str, X: Any, dtype: np.dtype) -> np.ndarray:
    """``X`` as a non-empty 2-D array of ``dtype``, every value finite after the cast."""
    given = np.asarray(X)
    _refuse_complex(name, given)
    try:
        with np.errstate(over="ignore"):  # an overflow is reported below, in words
            X = given.astype(dtype, copy=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} is not numeric: {err}") from None
    if X.ndim < 2:
        raise ValueError(f"{name} must be 2-D (samples, features), got shape {X.shape}")
    if len(X) == 0:
        raise ValueError(
            f"{where}: {name} has no rows (shape {X.shape}); there is nothing to {where}"
        )
    if X is not given and given.dtype.kind == "f" and not np.isfinite(X).all():
        # Finite float64 values beyond float32's range become inf on the cast.
        overflow = np.isfinite(given) & ~np.isfinite(X)
        if overflow.any():
            at = tuple(int(i) for i in np.argwhere(overflow)[0])
            raise ValueError(
                f"{name}[{', '.join(map(str, at))}] = {given[at]:.6g} does not fit in {dtype} "
                f"(largest {np.finfo(dtype).max:.4g}); scale {name} down, or train a "
                "float64 model (dtype='float64')"
            )
    check_finite(name, X)
    return X


def _as_targets(name: str, y: Any) -> np.ndarray:
    """``y`` as an array; text and complex numbers are refused naming ``name``."""
    y = np.asarray(y)
    _refuse_complex(name, y)
    if y.dtype.kind in "US":
        raise ValueError(
            f"{name} must be numeric, got text ({y.dtype}, e.g. {str(y.flat[0])!r}): map "
            "class names to labels 0, 1, ... first (fcnn.data.csv does)"
        )
    return y


def _split_validation(X, y, validation_data, validation_split, rng):
    if validation_data is not None and validation_split:
        raise ValueError("pass validation_data or validation_split, not both")
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError("validation_data must be a pair (X_val, y_val)")
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
            raise ValueError(
                f"validation_split={validation_split} leaves no training or no validation rows"
            )
        # Unlike Keras (which holds out the last rows), a random subset drawn with fit's
        # seed: data sorted by class would otherwise validate on a single class.
        order = rng.permutation(len(X))
        train, val = np.sort(order[n_val:]), np.sort(order[:n_val])
        return X[train], y[train], X[val], y[val]
    return X, y, None, None
