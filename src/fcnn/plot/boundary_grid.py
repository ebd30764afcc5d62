"""The numbers behind a decision-boundary figure: a 2-D model evaluated on a regular
grid over the plane (:class:`DecisionGrid`, :func:`decision_grid`), and the checks and
extent of the points it must cover. No matplotlib here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import Module
from ..i18n import N_, Message
from ..metrics import labels_from_output
from ._base import outputs_logits, probabilities

__all__ = ["DecisionGrid", "decision_grid"]


@dataclass
class DecisionGrid:
    """A model evaluated on a regular grid over the plane (the data behind the figures).

    ``xx``, ``yy`` are ``(resolution, resolution)`` coordinates (``np.meshgrid``);
    ``output`` is ``model.predict`` on the grid's points, row-major, ``(R·R, outputs)``.
    For a classifier, ``labels`` ``(R, R)`` are the predicted classes (the library's
    ``labels_from_output`` rule) and ``proba`` ``(R, R, C)`` the class probabilities;
    for a regressor, ``values`` ``(R, R)`` the first output.
    """

    xx: np.ndarray
    yy: np.ndarray
    output: np.ndarray
    labels: np.ndarray | None
    proba: np.ndarray | None
    values: np.ndarray | None

    @property
    def extent(self) -> tuple[float, float, float, float]:
        return (
            float(self.xx[0, 0]),
            float(self.xx[0, -1]),
            float(self.yy[0, 0]),
            float(self.yy[-1, 0]),
        )

    @property
    def points(self) -> np.ndarray:
        """The grid's points, ``(R·R, 2)``, in the order of ``output``."""
        return np.column_stack([self.xx.ravel(), self.yy.ravel()])


def points_2d(X: Any, what: str) -> np.ndarray:
    """``X`` as a float64 ``(N, 2)`` array, or a ValueError naming ``what`` refused it."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        template = N_(
            "{what}: decision boundaries are drawn for 2-D data, shape (N, 2); got shape {shape}"
        )
        raise ValueError(Message("plot", template, what=what, shape=X.shape))
    return X


def covering_extent(
    arrays: Sequence[np.ndarray], margin: float
) -> tuple[float, float, float, float]:
    """``(x_min, x_max, y_min, y_max)`` covering every point of ``arrays`` (None or
    empty ones skipped), widened by ``margin`` times the range on each side."""
    points = np.concatenate([a for a in arrays if a is not None and len(a)])
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-9)
    low, high = low - margin * span, high + margin * span
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])


def decision_grid(
    model: Module,
    X: Any,
    *,
    resolution: int = 200,
    margin: float = 0.08,
    extent: tuple[float, float, float, float] | None = None,
    task: str = "classification",
) -> DecisionGrid:
    """Evaluate ``model`` on a ``resolution × resolution`` grid covering ``X``.

    Parameters
    ----------
    model : Module
        Takes 2 features.
    X : array_like, shape (N, 2)
        The points the grid must cover (train and test together), widened by ``margin``
        times their range on each side; or give ``extent = (x_min, x_max, y_min, y_max)``.
    task : "classification" or "regression"
    """
    if task not in ("classification", "regression"):
        template = N_("decision_grid(task={task!r}): expected classification or regression")
        raise ValueError(Message("plot", template, task=task))
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        template = N_("decision_grid(resolution={resolution!r}): expected an integer >= 2")
        raise ValueError(Message("plot", template, resolution=resolution))
    if extent is None:
        extent = covering_extent([points_2d(X, "decision_grid")], margin)
    x0, x1, y0, y1 = extent
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    points = np.column_stack([xx.ravel(), yy.ravel()])
    with np.errstate(all="ignore"):
        output = model.predict(points)
    shape = xx.shape
    if task == "regression":
        return DecisionGrid(xx, yy, output, None, None, output[:, 0].reshape(shape))
    labels = labels_from_output(output, logits=outputs_logits(model)).reshape(shape)
    proba = probabilities(model, output).reshape(*shape, -1)
    return DecisionGrid(xx, yy, output, labels, proba, None)
