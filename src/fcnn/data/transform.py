"""Splits, scaling, one-hot targets and a sanity check of a data set before training."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..checks import check_finite
from ..i18n import N_, Message
from ._checks import generator

__all__ = ["Standardizer", "check_dataset", "one_hot", "train_test_split", "train_val_test_split"]


# --------------------------------------------------------------------------- checks


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


# --------------------------------------------------------------------------- one-hot


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


# --------------------------------------------------------------------------- splits


def _count(who: str, name: str, size: Any, n: int) -> int:
    """A split's size as a count: a fraction of n (rounded up) or a number of samples."""
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        template = N_("{who}({name}={size!r}): expected a fraction in (0, 1) or a count")
        raise TypeError(Message("data", template, who=who, name=name, size=size))
    if isinstance(size, numbers.Integral):
        if not 1 <= size < n:
            template = N_("{who}({name}={size}): a count must be in [1, {most}] for {n} samples")
            fields = {"who": who, "name": name, "size": size, "most": n - 1, "n": n}
            raise ValueError(Message("data", template, **fields))
        return int(size)
    if not 0 < size < 1:
        template = N_("{who}({name}={size!r}): a fraction must be in (0, 1)")
        raise ValueError(Message("data", template, who=who, name=name, size=size))
    return math.ceil(size * n)


def _spread(m: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """A mask picking exactly k of m positions, evenly spaced (random phase).

    Position p is picked when floor(((p+1)k + s)/m) > floor((pk + s)/m); over p = 0..m-1
    these steps add up to exactly k. Laid over indices grouped by class, every class
    gets its proportional share, to within one.
    """
    p = np.arange(m, dtype=np.int64)
    s = int(rng.integers(m)) if m else 0
    return ((p + 1) * k + s) // m > (p * k + s) // m


def _split_indices(
    who: str, n: int, counts: list[int], y: np.ndarray | None, stratify: bool, rng
) -> list[np.ndarray]:
    """Index arrays for the parts of sizes ``counts`` and the rest (last), each shuffled."""
    order = rng.permutation(n)
    parts = []
    if stratify:
        if y is None:
            raise ValueError(Message("data", N_("{who}: stratify=True needs y"), who=who))
        if y.ndim != 1:
            template = N_("{who}: stratify=True needs 1-D class labels y, got shape {shape}")
            raise ValueError(Message("data", template, who=who, shape=y.shape))
        order = order[np.argsort(y[order], kind="stable")]  # grouped by class, random within
        for k in counts:
            take = _spread(len(order), k, rng)
            parts.append(order[take])
            order = order[~take]
        parts.append(order)
        return [rng.permutation(part) for part in parts]
    start = 0
    for k in counts:
        parts.append(order[start : start + k])
        start += k
    parts.append(order[start:])
    return parts


def _prepare(who: str, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray | None]:
    X = np.asarray(X)
    if X.ndim == 0:
        template = N_("{who}: X must be an array of samples, got a scalar")
        raise ValueError(Message("data", template, who=who))
    if y is not None:
        y = np.asarray(y)
        if y.ndim == 0:
            template = N_("{who}: X has {n} samples but y has a scalar")
            raise ValueError(Message("data", template, who=who, n=len(X)))
        if len(y) != len(X):
            template = N_("{who}: X has {n} samples but y has {entries} entries")
            raise ValueError(Message("data", template, who=who, n=len(X), entries=len(y)))
    return X, y


def train_test_split(
    X: Any,
    y: Any = None,
    test_size: float | int = 0.2,
    seed: int | None = None,
    stratify: bool = False,
    *,
    rng: Any = None,
) -> tuple[np.ndarray, ...]:
    """Split samples at random into a training and a test part.

    Parameters
    ----------
    X : array_like, shape (N, ...)
    y : array_like, shape (N, ...), optional
    test_size : float or int
        A fraction in (0, 1) of N (rounded up, as scikit-learn does) or a count.
    seed, rng
        The random source (``np.random.default_rng(seed)`` or ``rng``); neither means
        the library's default generator.
    stratify : bool
        Keep each class's share of the samples in both parts (to within one sample);
        needs 1-D labels ``y``.

    Returns
    -------
    X_train, X_test, y_train, y_test
        (only ``X_train, X_test`` when ``y`` is None), rows in random order.
    """
    who = "train_test_split"
    X, y = _prepare(who, X, y)
    n = len(X)
    if n < 2:
        template = N_("{who}: need at least {least} samples, got {n}")
        raise ValueError(Message("data", template, who=who, least=2, n=n))
    n_test = _count(who, "test_size", test_size, n)
    if n_test >= n:
        template = N_("{who}(test_size={test_size!r}): leaves no training sample of {n}")
        raise ValueError(Message("data", template, who=who, test_size=test_size, n=n))
    test, train = _split_indices(who, n, [n_test], y, stratify, generator(who, seed, rng))
    if y is None:
        return X[train], X[test]
    return X[train], X[test], y[train], y[test]


def train_val_test_split(
    X: Any,
    y: Any = None,
    val_size: float | int = 0.1,
    test_size: float | int = 0.2,
    seed: int | None = None,
    stratify: bool = False,
    *,
    rng: Any = None,
) -> tuple[np.ndarray, ...]:
    """Split samples at random into training, validation and test parts.

    ``val_size`` and ``test_size`` are each a fraction of all N samples (rounded up) or
    a count; the training part is the rest and must not be empty. Other arguments as in
    :func:`train_test_split`.

    Returns
    -------
    X_train, X_val, X_test, y_train, y_val, y_test
        (only the three X parts when ``y`` is None), rows in random order.
    """
    who = "train_val_test_split"
    X, y = _prepare(who, X, y)
    n = len(X)
    if n < 3:
        template = N_("{who}: need at least {least} samples, got {n}")
        raise ValueError(Message("data", template, who=who, least=3, n=n))
    n_val = _count(who, "val_size", val_size, n)
    n_test = _count(who, "test_size", test_size, n)
    if n_val + n_test >= n:
        template = N_(
            "{who}(val_size={val_size!r}, test_size={test_size!r}): "
            "{n_val} + {n_test} samples leave no training sample of {n}"
        )
        sizes = {"val_size": val_size, "test_size": test_size, "n_val": n_val, "n_test": n_test}
        raise ValueError(Message("data", template, who=who, n=n, **sizes))
    source = generator(who, seed, rng)
    test, val, train = _split_indices(who, n, [n_test, n_val], y, stratify, source)
    if y is None:
        return X[train], X[val], X[test]
    return X[train], X[val], X[test], y[train], y[val], y[test]


# --------------------------------------------------------------------------- scaling


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
