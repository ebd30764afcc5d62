"""Random splits of a data set: ``train_test_split`` and ``train_val_test_split``,
optionally stratified (each class keeps its share of the samples in every part)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..i18n import N_, Message
from ._checks import generator

__all__ = ["train_test_split", "train_val_test_split"]


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


def _prepare(who: str, X: Any, y: Any, least: int) -> tuple[np.ndarray, np.ndarray | None]:
    """``X`` and ``y`` as arrays of equally many samples, at least ``least`` of them."""
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
    if len(X) < least:
        template = N_("{who}: need at least {least} samples, got {n}")
        raise ValueError(Message("data", template, who=who, least=least, n=len(X)))
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
    X, y = _prepare(who, X, y, least=2)
    n = len(X)
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
    X, y = _prepare(who, X, y, least=3)
    n = len(X)
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
