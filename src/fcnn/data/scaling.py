"""Feature scaling: the :class:`Standardizer` (zero mean, unit variance per column),
whose fitted state is saved beside a model and applied to new data the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..checks import check_finite
from ..i18n import N_, Message

__all__ = ["Standardizer"]


class Standardizer:
    """Scale each feature to zero mean and unit variance: z = (x - mean) / scale.

    ``scale`` is the population standard deviation of the training data (ddof=0, as
    scikit-learn's ``StandardScaler``); a column that is constant (standard deviation 0,
    or below rounding noise of its mean) gets scale 1, so it maps to 0 rather than
    to NaN.

    The fitted state is a JSON-able dict (:meth:`state_dict`), so it can be saved beside
    a model and applied to new data later.
    """

    def __init__(self) -> None:
        self.mean: np.ndarray | None = None
        self.scale: np.ndarray | None = None

    @property
    def n_features(self) -> int | None:
        return None if self.mean is None else len(self.mean)

    def _input(self, method: str, X: Any) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            template = N_("Standardizer.{method}: X has dtype {dtype}; expected numbers")
            raise TypeError(Message("data", template, method=method, dtype=X.dtype))
        if X.ndim != 2:
            template = N_("Standardizer.{method}: X must be 2-D (N, features), got shape {shape}")
            raise ValueError(Message("data", template, method=method, shape=X.shape))
        check_finite("X", X)
        if method != "fit":
            if self.mean is None:
                template = N_("Standardizer.{method}: not fitted; call fit(X) first")
                raise RuntimeError(Message("data", template, method=method))
            if X.shape[1] != len(self.mean):
                template = N_(
                    "Standardizer.{method}: X has {features} features, "
                    "the Standardizer was fitted on {fitted}"
                )
                sizes = {"features": X.shape[1], "fitted": len(self.mean)}
                raise ValueError(Message("data", template, method=method, **sizes))
        return X

    def fit(self, X: Any, *, feature_names: Sequence[str] | None = None) -> Standardizer:
        """Learn each column's mean and scale from ``X`` (N, features), N >= 1.

        A column whose mean or standard deviation overflows float64 (values near 1e300:
        their squares do) is a ValueError naming it (``feature_names`` gives the names),
        rather than a scale of infinity that would turn the column into zeros.
        """
        X = self._input("fit", X)
        if X.shape[0] == 0:
            raise ValueError(Message("data", N_("Standardizer.fit: X has no rows")))
        data = X.astype(np.float64, copy=False)
        with np.errstate(over="ignore", invalid="ignore"):  # checked just below, by column
            # A column with one value keeps it exactly as its mean (so it maps to exactly 0).
            mean = np.where(data.min(axis=0) == data.max(axis=0), data[0], data.mean(axis=0))
            std = data.std(axis=0)
        return self.fit_moments(
            mean,
            std,
            largest=lambda j: float(np.max(np.abs(data[:, j]))),
            feature_names=feature_names,
        )

    def fit_moments(
        self,
        mean: np.ndarray,
        std: np.ndarray,
        *,
        largest: Any,
        feature_names: Sequence[str] | None = None,
    ) -> Standardizer:
        """Set each column's mean and scale from moments computed elsewhere (a pass over
        data streamed in batches: :func:`fcnn.data.stream.stream_statistics`).

        ``mean`` and ``std`` (population, ``ddof=0``) are float64 per column, a constant
        column's mean its exact value; ``largest(j)`` is column j's largest magnitude,
        asked only to word the error of a column that overflowed.
        """
        overflowed = ~(np.isfinite(mean) & np.isfinite(std))
        if overflowed.any():
            j = int(np.argmax(overflowed))
            name = j if feature_names is None else repr(feature_names[j])
            template = N_(
                "Standardizer.fit: column {name} holds values up to {largest:.3g}, too large "
                "to standardise (its mean or variance overflows float64); rescale it first, "
                "e.g. divide it by a power of ten or take its logarithm"
            )
            raise ValueError(Message("data", template, name=name, largest=largest(j)))
        constant = std <= 10 * np.finfo(np.float64).eps * np.abs(mean)
        self.mean, self.scale = mean, np.where(constant, 1.0, std)
        return self

    @staticmethod
    def _dtype(X: np.ndarray) -> np.dtype:
        return X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)

    def transform(self, X: Any) -> np.ndarray:
        """``(X - mean) / scale``; float input keeps its dtype, integers become float64."""
        X = self._input("transform", X)
        return ((X - self.mean) / self.scale).astype(self._dtype(X), copy=False)

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """``Z * scale + mean``: back to the original units."""
        Z = self._input("inverse_transform", Z)
        return (Z * self.scale + self.mean).astype(self._dtype(Z), copy=False)

    def state_dict(self) -> dict[str, list[float]]:
        """``{"mean": [...], "scale": [...]}``, plain floats (JSON-able)."""
        if self.mean is None:
            template = N_("Standardizer.{method}: not fitted; call fit(X) first")
            raise RuntimeError(Message("data", template, method="state_dict"))
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist()}

    def load_state_dict(self, state: dict[str, Any]) -> Standardizer:
        """Restore from :meth:`state_dict`'s dict; checks its keys and values."""
        if not isinstance(state, dict) or set(state) != {"mean", "scale"}:
            keys = sorted(state) if isinstance(state, dict) else type(state).__name__
            template = N_("Standardizer state: expected keys ['mean', 'scale'], got {keys}")
            raise ValueError(Message("data", template, keys=keys))
        mean = np.asarray(state["mean"], dtype=np.float64)
        scale = np.asarray(state["scale"], dtype=np.float64)
        if mean.ndim != 1 or mean.shape != scale.shape or mean.size == 0:
            template = N_(
                "Standardizer state: mean and scale must be equal-length non-empty lists, "
                "got shapes {mean} and {scale}"
            )
            raise ValueError(Message("data", template, mean=mean.shape, scale=scale.shape))
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(scale)) and np.all(scale > 0)):
            template = N_("Standardizer state: mean must be finite and scale finite and > 0")
            raise ValueError(Message("data", template))
        self.mean, self.scale = mean, scale
        return self

    @classmethod
    def from_state_dict(cls, state: dict[str, Any]) -> Standardizer:
        return cls().load_state_dict(state)

    def __repr__(self) -> str:
        fitted = "unfitted" if self.mean is None else f"n_features={len(self.mean)}"
        return f"Standardizer({fitted})"
