"""Which task a table's target column asks for: classification or regression.

A CSV does not say whether its integer column holds class labels (``0, 1, 2``) or
values that happen to be whole numbers (prices like ``300000``, counts, IDs). Reading
every integer column as labels gives a network with one output per possible label: a
price column made a 399,051-class "classifier", an ID column near 1e12 asked for
116 TiB. :func:`infer_task` decides by a rule that can be stated in one line and
overridden, and says why, so the choice is never silent:

- a target of **text** (``setosa``, ``virginica``) is class names: classification;
- **decimal numbers** (``10.5``, ``1.0``: floating point) are values: regression;
- **integers** are class labels only when they look like class indices: none is
  negative, and the network they ask for, ``max(y) + 1`` outputs, is small next to the
  rows, at most ``max(10, √rows)`` (1,000 rows: 31 classes; 60,000 rows: 244). A class
  then has on average at least as many rows as there are classes. Otherwise regression.

Classification needs at least two classes and at most :data:`MAX_CLASSES` outputs,
whether inferred or asked for; anything else is a ValueError that names the column.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import checks
from ..i18n import N_, Message

__all__ = ["MAX_CLASSES", "TASKS", "infer_task"]

TASKS = ("classification", "regression")

#: The most outputs a classifier read from a table may have. Past this, the labels are
#: almost surely values or IDs (and the output layer alone would dwarf any sensible net).
MAX_CLASSES = 1000

# Integer labels look like classes when max(y) + 1 <= max(_FEW_CLASSES, √rows).
_FEW_CLASSES = 10


def _class_limit(rows: int) -> int:
    return max(_FEW_CLASSES, math.isqrt(rows))


def _one_class(name: str, value: Any, text: bool) -> ValueError:
    if text:
        advice = N_("is the target the right column?")
    else:
        advice = N_("pass task='regression' (fcnn train --task regression) to fit it as a value")
    template = N_(
        "target column {name}: every row holds {value!r}, one class; a classifier needs "
        "at least two classes: {advice}"
    )
    return ValueError(Message("data", template, name=name, value=value, advice=_said(advice)))


def _too_many(name: str, outputs: int, what: Message, text: bool = False) -> ValueError:
    if text:
        advice = N_("is the target the right column (not an ID or a name)?")
    else:
        advice = N_("if it holds values, pass task='regression' (fcnn train --task regression)")
    template = N_(
        "target column {name}: {what} would need {outputs:,} outputs, more than the "
        "{most:,} classes fcnn takes from a table; {advice}"
    )
    fields = {"what": what, "outputs": outputs, "most": MAX_CLASSES, "advice": _said(advice)}
    return ValueError(Message("data", template, name=name, **fields))


def _integer_labels(name: str, y: np.ndarray) -> np.ndarray:
    """``y`` as int64 class indices (0, 1, ...), or a ValueError naming the column."""
    if y.dtype.kind == "f" and not np.array_equal(y, np.round(y)):
        row = int(np.argmax(y != np.round(y)))
        template = N_(
            "target column {name}: row {row} holds {value:g}, not a class label; "
            "classification needs whole numbers 0, 1, 2, ... or class names"
        )
        raise ValueError(_said(template, name=name, row=row, value=y[row]))
    if y.min() < 0:
        template = N_(
            "target column {name}: label {label:g} is negative; classification needs "
            "labels 0, 1, 2, ... (or class names)"
        )
        raise ValueError(_said(template, name=name, label=y.min()))
    if y.max() >= MAX_CLASSES:  # checked before the cast: an ID of 1e30 stays a float here
        what = _said(N_("labels up to {largest:g}"), largest=y.max())
        raise _too_many(name, int(y.max()) + 1, what)
    return y.astype(np.int64)


def _said(template: str, **fields: Any) -> Message:
    """A reason, said in the language current when it is shown (``fcnn --lang zh train``)."""
    return Message("data", template, **fields)


def infer_task(
    y: Any, classes: Any = None, *, task: str | None = None, name: str = "y"
) -> tuple[str, str]:
    """The task a target column asks for, and the reason in words (see the module's rule).

    Parameters
    ----------
    y : array_like, shape (N,)
        The target as :func:`fcnn.data.csv` reads it: int64 labels, float64 values, or
        int64 indices into ``classes``.
    classes : sequence of str, optional
        Class names of a text target (``y[i]`` indexes them).
    task : {"classification", "regression"}, optional
        Asked for instead of inferred; still checked (one class, too many classes,
        text as regression are errors).
    name : str
        The column's name, for the messages.

    Returns
    -------
    (task, reason) : (str, str)
        e.g. ``("regression", "'price' holds 1,523 different integers, 120,000..950,000,
        in 2,000 rows: too many to be class labels (max + 1 = 950,001 outputs >
        max(10, √rows) = 44)")``.

    Raises
    ------
    ValueError
        Naming the column: one class, more than :data:`MAX_CLASSES` classes, text asked
        to be regression, or fractions / negative numbers asked to be class labels.
    """
    if task is not None:
        task = checks.choice("infer_task", "task", task, TASKS)
    y = np.asarray(y)
    rows = len(y)
    if y.ndim != 1 or rows == 0:
        template = N_("infer_task: y must be a non-empty column (N,), got shape {shape}")
        raise ValueError(_said(template, shape=y.shape))
    name = repr(name)
    if classes is not None:  # a text target: class names
        if task == "regression":
            template = N_(
                "target column {name} holds text ({first!r}, ...): regression needs "
                "numbers; leave the task to be inferred (classification)"
            )
            raise ValueError(_said(template, name=name, first=classes[0]))
        if len(classes) < 2:
            raise _one_class(name, classes[0] if classes else "", text=True)
        if len(classes) > MAX_CLASSES:
            what = _said(N_("{count:,} different names"), count=len(classes))
            raise _too_many(name, len(classes), what, text=True)
        return "classification", _said(
            N_("{name} holds {count} class names"), name=name, count=len(classes)
        )
    if task == "regression":
        return "regression", _said(N_("asked for (task='regression')"))
    distinct = np.unique(y)
    if task == "classification":
        labels = _integer_labels(name, y)
        if len(distinct) < 2:
            raise _one_class(name, distinct[0].item(), text=False)
        outputs = labels.max() + 1
        return "classification", _said(
            N_("asked for (task='classification'), {outputs} outputs"), outputs=outputs
        )
    if y.dtype.kind not in "iu":
        return "regression", _said(N_("{name} holds floating-point numbers"), name=name)
    if len(distinct) < 2:
        raise _one_class(name, distinct[0].item(), text=False)
    limit = _class_limit(rows)
    low, high = int(distinct[0]), int(distinct[-1])
    held = _said(
        N_("{name} holds {distinct:,} different integers, {low:,}..{high:,}, in {rows:,} rows"),
        name=name,
        distinct=len(distinct),
        low=low,
        high=high,
        rows=rows,
    )
    if low < 0:
        return "regression", _said(N_("{held}: negative, so not class labels"), held=held)
    rule = {"outputs": high + 1, "limit": limit}
    if high + 1 <= limit:
        template = N_(
            "{held}: few enough to be class labels "
            "(max + 1 = {outputs:,} outputs <= max(10, √rows) = {limit:,})"
        )
        return "classification", _said(template, held=held, **rule)
    template = N_(
        "{held}: too many to be class labels "
        "(max + 1 = {outputs:,} outputs > max(10, √rows) = {limit:,})"
    )
    return "regression", _said(template, held=held, **rule)
