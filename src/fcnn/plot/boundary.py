"""Decision boundaries of 2-D classifiers (binary and multiclass, train and test points)
and the value surface of 2-D regressors: :func:`decision_boundary`, one figure with its
legend and a title of the architecture and accuracies.

The pieces it is made of: the grid of the model's outputs (``boundary_grid.py``:
:class:`DecisionGrid`, :func:`decision_grid`), the drawing of a grid on an axes
(``boundary_draw.py``); the course's hidden-units sweep, one boundary panel per model,
is in ``hidden_units.py``. Every name keeps its path ``fcnn.plot.boundary.X``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import Module
from ..i18n import translator
from ..metrics import labels_from_output
from ._base import class_color, describe, new_figure, outputs_logits, style
from .boundary_draw import class_name, draw_grid
from .boundary_grid import DecisionGrid, decision_grid, points_2d
from .hidden_units import HIDDEN_UNITS_TITLE as HIDDEN_UNITS_TITLE  # its old path
from .hidden_units import hidden_units_experiment, hidden_units_grid

__all__ = [
    "DecisionGrid",
    "decision_boundary",
    "decision_grid",
    "hidden_units_experiment",
    "hidden_units_grid",
]

_ = translator("plot")


def _legend(fig, n_classes: int, classes: Sequence[str] | None, has_test: bool, task: str):
    from matplotlib.lines import Line2D

    def key(marker: str, color: str, label: str, **style: Any) -> Line2D:
        return Line2D([], [], marker=marker, linestyle="", color=color, label=label, **style)

    handles = []
    if task == "classification":
        for k in range(n_classes):
            handles.append(key("s", class_color(k), class_name(k, classes), markersize=8))
    handles.append(key("o", "0.45", _("train points"), markeredgecolor="white"))
    if has_test:
        handles.append(key("^", "0.45", _("test points"), markeredgecolor="0.1"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6))


def _accuracy(model: Module, X: np.ndarray | None, y: Any) -> float | None:
    if X is None or y is None:
        return None
    with np.errstate(all="ignore"):
        output = model.predict(X)
    predicted = labels_from_output(output, logits=outputs_logits(model))
    return float(np.mean(predicted == np.asarray(y).astype(np.int64)))


def _title(model: str, train: float | None, test: float | None) -> str:
    """The architecture and the accuracies that are known, in one title."""
    if train is not None and test is not None:
        text = _("{model}: train accuracy {train:.1f} %, test accuracy {test:.1f} %")
    elif train is not None:
        text = _("{model}: train accuracy {train:.1f} %")
    elif test is not None:
        text = _("{model}: test accuracy {test:.1f} %")
    else:
        return model
    return text.format(
        model=model,
        train=None if train is None else 100 * train,
        test=None if test is None else 100 * test,
    )


def decision_boundary(
    model: Module,
    X: Any,
    y: Any = None,
    *,
    X_test: Any = None,
    y_test: Any = None,
    probability: bool = False,
    task: str | None = None,
    classes: Sequence[str] | None = None,
    resolution: int = 200,
    feature_names: Sequence[str] = ("x₁", "x₂"),
    title: str | None = None,
) -> Any:
    """The regions a 2-D model assigns to each class, its boundary, and the data points.

    Parameters
    ----------
    model : Module
        A classifier (one output: logit or sigmoid probability; C outputs: logits or
        softmax) or, with ``task="regression"``, a regressor.
    X, y : array_like, shapes (N, 2) and (N,)
        Training points (drawn as circles), coloured by their label.
    X_test, y_test : array_like, optional
        Test points (drawn as triangles with dark edges).
    probability : bool
        Shade by the model's confidence: binary, a colour scale of P(class 1) with a
        colour bar; multiclass, each region's colour fading to white where the largest
        probability is low. Default: flat pale colours per predicted class.
    task : "classification" or "regression", optional
        Default: regression when ``y`` holds non-integer values.
    classes : sequence of str, optional
        Names of the classes for the legend.
    resolution : int
        Grid points per axis.

    Returns
    -------
    matplotlib.figure.Figure
        The title gives the architecture and the accuracy on the train (and test) points.
    """
    X = points_2d(X, "decision_boundary")
    X_test = None if X_test is None else points_2d(X_test, "decision_boundary (X_test)")
    if task is None:
        y_float = y is not None and np.asarray(y).dtype.kind == "f"
        task = "regression" if y_float and not np.all(np.mod(y, 1) == 0) else "classification"
    grid = decision_grid(
        model,
        np.vstack([a for a in (X, X_test) if a is not None]),
        resolution=resolution,
        task=task,
    )
    n_classes = 0
    if task == "classification":
        seen = [int(grid.labels.max()) + 1, grid.proba.shape[-1]]
        seen += [int(np.max(v)) + 1 for v in (y, y_test) if v is not None and len(v)]
        n_classes = max(seen)
    with style():
        # Size the figure to the plane's shape (drawn undistorted), so nothing is left blank.
        x0, x1, y0, y1 = grid.extent
        ratio = (x1 - x0) / (y1 - y0)
        ratio = ratio if 1 / 3 < ratio < 3 else 1.2
        width = min(6.4, 4.4 * ratio) if ratio >= 1 else 4.4 * ratio
        height = width / ratio
        extra = 1.3 if probability or task == "regression" else 0.4
        fig, axes = new_figure(figsize=(max(width + extra, 5.4), height + 1.3))
        ax = axes[0, 0]
        draw_grid(
            ax,
            grid,
            X,
            y,
            X_test,
            y_test,
            probability=probability,
            n_classes=n_classes,
            colorbar=True,
            classes=classes,
        )
        ax.set_xlabel(feature_names[0])
        ax.set_ylabel(feature_names[1])
        ax.grid(False)
        if title is None:
            title = describe(model)
            if task == "classification":
                title = _title(title, _accuracy(model, X, y), _accuracy(model, X_test, y_test))
        ax.set_title(title)
        _legend(fig, n_classes, classes, X_test is not None, task)
    return fig
