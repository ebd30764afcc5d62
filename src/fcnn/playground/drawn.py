"""A data set drawn on the page: the check of the ``draw`` message and the points it holds.

The page sends the points a person clicked onto the output map as
``{"type": "draw", "x": [[x1, x2], ...], "y": [...], "task": "classification"}``; the
session then trains on them as on an uploaded CSV (``Session.set_drawn``: the data set
is ``upload``, split by ``train_ratio`` and re-split by the seed), but over the built-in
sets' fixed domain. :func:`drawn_points` checks everything a page could send wrong and
returns the arrays, or raises :class:`~fcnn.playground.messages.MessageError` with one
sentence; the session is not touched then.

The bounds: :data:`MIN_POINTS` to :data:`MAX_POINTS` points, both coordinates within
``config.DOMAIN``, class labels integers 0 to ``max_classes`` − 1, targets within
±:data:`MAX_TARGET` (the page draws targets in [−1, 1]).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import checks
from ..i18n import translator
from .config import DOMAIN, MAX_CLASSES
from .messages import MessageError

_ = translator("playground")

__all__ = ["MAX_POINTS", "MAX_TARGET", "MIN_POINTS", "TASKS", "drawn_points"]

MIN_POINTS = 2  # one for training and one for testing
MAX_POINTS = 1000  # about 40 KB of JSON; a hand draws far fewer
MAX_TARGET = 1.0
TASKS = ("classification", "regression")


def drawn_points(message: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The points of a ``draw`` message as ``X`` (N, 2) float64 and ``y`` (N,): int64
    labels for a classification, float64 targets for a regression.

    Raises
    ------
    MessageError
        For a shape, a count, a coordinate, a label or a target out of bounds.
    """
    task, xs, ys = message["task"], message["x"], message["y"]
    if task not in TASKS:
        raise MessageError(_('draw: task must be "classification" or "regression".'))
    if not isinstance(xs, list) or not isinstance(ys, list) or len(xs) != len(ys):
        raise MessageError(_("draw: x and y must be lists of the same length."))
    if not MIN_POINTS <= len(xs) <= MAX_POINTS:
        text = _("draw: {low} to {high} points are needed, got {got}.")
        raise MessageError(text.format(low=MIN_POINTS, high=MAX_POINTS, got=len(xs)))
    pairs = all(
        isinstance(p, list) and len(p) == 2 and all(checks.is_real(v) for v in p) for p in xs
    )
    if not pairs:
        raise MessageError(_("draw: each point of x must be a pair of numbers [x1, x2]."))
    X = np.asarray(xs, dtype=np.float64)
    lo, hi = DOMAIN
    if not (np.isfinite(X).all() and (X >= lo).all() and (X <= hi).all()):
        text = _("draw: the coordinates must be within [{lo:g}, {hi:g}].")
        raise MessageError(text.format(lo=lo, hi=hi))
    if task == "classification":
        if not all(checks.is_int(v) and 0 <= v < MAX_CLASSES for v in ys):
            text = _("draw: each label must be an integer from 0 to {last}.")
            raise MessageError(text.format(last=MAX_CLASSES - 1))
        return X, np.asarray(ys, dtype=np.int64)
    if not all(checks.is_real(v) and abs(v) <= MAX_TARGET for v in ys):  # NaN fails too
        text = _("draw: each target must be a number within ±{bound:g}.")
        raise MessageError(text.format(bound=MAX_TARGET))
    return X, np.asarray(ys, dtype=np.float64)
