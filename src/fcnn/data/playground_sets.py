"""The browser playground's data sets: the page's sets by name, and a user's uploaded points.

The TensorFlow Playground's own sets are in ``tfplayground.py``; this module adds what
the page offers beyond them and has no formula for in ``dataset.ts``:

- :func:`ring_blobs`: k Gaussian clusters with centres on a circle (the page's ``blobs``);
- :func:`spiral_arms`: k spiral arms (the page's ``spiral`` with more than two classes);
- :func:`playground_set`: a set of the page by name, with its class count;
- :func:`parse_points_csv`: the reader of an uploaded CSV of 2-D points
  (``x1,x2,label`` or ``x1,x2,y``), whose errors name the line and column.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from ..i18n import N_, Message
from ._checks import check_n, check_noise, generator, integer_at_least, split_counts
from .tfplayground import PLAYGROUND_CLASSIFICATION, PLAYGROUND_REGRESSION, playground

__all__ = [
    "PLAYGROUND_SETS",
    "POINTS_CSV_MIN_ROWS",
    "parse_points_csv",
    "playground_set",
    "ring_blobs",
    "spiral_arms",
]

PLAYGROUND_SETS = (*PLAYGROUND_CLASSIFICATION, *PLAYGROUND_REGRESSION, "blobs")
POINTS_CSV_MIN_ROWS = 10


def ring_blobs(
    n: int, classes: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` Gaussian clusters with centres on a circle of radius 3.5, shuffled.

    Cluster j (label j) is centred at angle 2πj/k and has the variance of the
    playground's ``gauss`` set: 0.5 growing to 4 as ``noise`` goes from 0 to 50.

    Parameters
    ----------
    n : int
        Points; the first ``n % classes`` clusters get one more than the others.
    classes : int
        Clusters, k >= 2.
    noise : float
        The playground's noise slider, 0 to 50.
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0..k-1
    """
    variance = 0.5 + noise / 50 * 3.5
    parts, labels = [], []
    for label, count in enumerate(split_counts(n, classes)):
        angle = 2 * np.pi * label / classes
        centre = 3.5 * np.array([np.cos(angle), np.sin(angle)])
        parts.append(rng.normal(centre, np.sqrt(variance), size=(count, 2)))
        labels.append(np.full(count, label, dtype=np.int64))
    order = rng.permutation(n)
    return np.concatenate(parts)[order], np.concatenate(labels)[order]


def spiral_arms(
    n: int, classes: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` spiral arms (the playground's ``spiral``, arm j turned by 2πj/k), shuffled.

    Each arm runs from radius 0 to 5 over 1.75 turns, with uniform noise in
    ±noise/100 on each coordinate, as in ``playground("spiral")`` (whose two arms have
    the labels the other way round: :func:`playground_set` uses it for k = 2).

    Parameters
    ----------
    n, classes, noise, rng
        As for :func:`ring_blobs`.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0..k-1 (label j = arm j)
    """
    level = noise / 100
    parts, labels = [], []
    for label, count in enumerate(split_counts(n, classes)):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * np.pi + 2 * np.pi * label / classes
        arm = np.c_[r * np.sin(t), r * np.cos(t)]
        parts.append(arm + rng.uniform(-1, 1, size=arm.shape) * level)
        labels.append(np.full(count, label, dtype=np.int64))
    order = rng.permutation(n)
    return np.concatenate(parts)[order], np.concatenate(labels)[order]


def playground_set(
    name: str, n: int = 500, noise: float = 0, classes: int = 2, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A data set of the playground page by name (one of :data:`PLAYGROUND_SETS`).

    ``blobs`` is :func:`ring_blobs` with ``classes`` clusters; ``spiral`` with more than
    two classes is :func:`spiral_arms`; every other set (and the two-arm spiral) is the
    TensorFlow Playground's, ``playground(name, n, noise, seed=seed)``, which ignores
    ``classes``. The random numbers come from ``np.random.default_rng(seed)``.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,)
        int64 labels, or float64 targets for ``plane`` and ``multi_gauss``.
    """
    if name not in PLAYGROUND_SETS:
        expected = ", ".join(PLAYGROUND_SETS)
        template = N_("playground_set(name={name!r}): expected one of {expected}")
        raise ValueError(Message("data", template, name=name, expected=expected))
    integer_at_least("playground_set", "classes", classes, 2)
    if name == "blobs" or (name == "spiral" and classes > 2):
        n = check_n("playground_set", n, classes)
        level = check_noise("playground_set", noise, upper=50)
        maker = ring_blobs if name == "blobs" else spiral_arms
        return maker(n, classes, level, generator("playground_set", seed, None))
    return playground(name, n, noise, seed=seed)


def _header_problem(rows: list[list[str]]) -> Message | None:
    header = [cell.strip().lower() for cell in rows[0]]
    if header[:2] != ["x1", "x2"] or len(header) not in (3, 4) or header[2] not in ("label", "y"):
        template = N_(
            "Line 1: the header must be x1,x2,label or x1,x2,y (optionally ,split), got {got!r}."
        )
        return Message("data", template, got=",".join(rows[0])[:80])
    if len(header) == 4 and header[3] != "split":
        template = N_("Line 1: the fourth column may only be split, got {got!r}.")
        return Message("data", template, got=rows[0][3])
    return None


def _number(cell: str, line: int, column: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        template = N_("Line {line}, column {column}: {cell!r} is not a number.")
        fields = {"line": line, "column": column, "cell": cell.strip()[:40]}
        raise ValueError(Message("data", template, **fields)) from None
    if not math.isfinite(value):
        template = N_("Line {line}, column {column}: {cell!r} is not finite.")
        raise ValueError(Message("data", template, line=line, column=column, cell=cell.strip()))
    return value


def parse_points_csv(data: bytes, max_classes: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Read an uploaded 2-D data set: a header ``x1,x2,label`` or ``x1,x2,y``, then rows.

    ``label`` holds integer class labels 0 to ``max_classes - 1`` (at least two
    classes), ``y`` float targets (regression). A fourth column ``split`` (as in the
    playground's own ``data.csv``) is allowed and ignored. At least
    :data:`POINTS_CSV_MIN_ROWS` rows.

    Returns
    -------
    X : ndarray (N, 2), float64
    y : ndarray (N,), int64 labels or float64 targets

    Raises
    ------
    ValueError
        With a sentence that names the line and column of the problem.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        template = N_("The file is not UTF-8 text (byte {byte} cannot be read).")
        raise ValueError(Message("data", template, byte=err.start)) from None
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        template = N_("The file is empty; expected a header x1,x2,label or x1,x2,y.")
        raise ValueError(Message("data", template))
    problem = _header_problem(rows)
    if problem is not None:
        raise ValueError(problem)
    header = [cell.strip().lower() for cell in rows[0]]
    target = header[2]
    body = rows[1:]
    if len(body) < POINTS_CSV_MIN_ROWS:
        template = N_("The file has {rows} data rows; at least {least} needed.")
        raise ValueError(Message("data", template, rows=len(body), least=POINTS_CSV_MIN_ROWS))
    X = np.empty((len(body), 2))
    y = np.empty(len(body))
    for i, row in enumerate(body):
        line = i + 2
        if len(row) != len(header):
            template = N_("Line {line}: expected {width} values, got {cells}.")
            raise ValueError(
                Message("data", template, line=line, width=len(header), cells=len(row))
            )
        X[i, 0] = _number(row[0], line, header[0])
        X[i, 1] = _number(row[1], line, header[1])
        y[i] = _number(row[2], line, header[2])
        if target == "label" and (y[i] != int(y[i]) or not 0 <= y[i] < max_classes):
            template = N_(
                "Line {line}, column label: labels must be integers 0 to {last}, got {got!r}."
            )
            fields = {"line": line, "last": max_classes - 1, "got": row[2].strip()}
            raise ValueError(Message("data", template, **fields))
    if np.abs(X).max() > 1e6:
        raise ValueError(Message("data", N_("The coordinates x1, x2 must lie within ±1e6.")))
    if target == "y":
        return X, y
    labels = y.astype(np.int64)
    if len(np.unique(labels)) < 2:
        template = N_("Column label: the data must have at least two classes.")
        raise ValueError(Message("data", template))
    return X, labels
