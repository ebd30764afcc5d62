"""Drawing a :class:`~fcnn.plot.boundary_grid.DecisionGrid` on one matplotlib axes: the
class regions (flat, or shaded by confidence) or a regressor's value surface, the
boundary lines, and the train and test points. ``decision_boundary`` (one figure) and
``hidden_units_grid`` (a panel per model) both draw with :func:`draw_grid`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..i18n import translator
from ._base import class_color, lighten
from .boundary_grid import DecisionGrid

_ = translator("plot")


def class_name(k: int, classes: Sequence[str] | None) -> str:
    return (
        str(classes[k]) if classes is not None and k < len(classes) else _("class {k}").format(k=k)
    )


def _scatter(ax, X, y, marker, size, edge, task, norm=None, cmap=None) -> None:
    """The points: a regressor's coloured by their value (through ``norm`` and ``cmap``),
    a classifier's by their class, grey where unlabelled."""
    if task == "regression":
        colors = y
    elif y is None:
        colors = ["0.45"] * len(X)
    else:
        colors = [class_color(k) for k in np.asarray(y).astype(np.int64)]
    ax.scatter(
        X[:, 0],
        X[:, 1],
        c=colors,
        cmap=cmap,
        norm=norm,
        s=size,
        marker=marker,
        edgecolors=edge,
        linewidths=0.6,
        zorder=3,
    )


def draw_grid(
    ax,
    grid: DecisionGrid,
    X: np.ndarray | None,
    y: Any,
    X_test: np.ndarray | None,
    y_test: Any,
    *,
    probability: bool,
    n_classes: int,
    colorbar: bool,
    classes: Sequence[str] | None = None,
) -> Any:
    """Draw the regions, the boundary and the points on ``ax``; return the mappable drawn."""
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap, Normalize

    extent = grid.extent
    ratio = (extent[1] - extent[0]) / (extent[3] - extent[2])
    # The plane undistorted, unless the two features' scales differ a lot.
    aspect = "equal" if 1 / 3 < ratio < 3 else "auto"
    image_kw = {"origin": "lower", "extent": extent, "aspect": aspect, "interpolation": "nearest"}
    n_points = sum(len(a) for a in (X, X_test) if a is not None)
    size = float(np.clip(4000 / max(n_points, 1), 8, 36))
    if grid.values is not None:  # regression: the predicted value as a surface
        values = [grid.values.ravel()] + [np.ravel(v) for v in (y, y_test) if v is not None]
        low, high = min(float(np.min(v)) for v in values), max(float(np.max(v)) for v in values)
        norm, cmap = Normalize(low, high), "RdBu_r"
        image = ax.imshow(grid.values, cmap=cmap, norm=norm, alpha=0.85, **image_kw)
        if colorbar:
            ax.figure.colorbar(image, ax=ax, label=_("prediction"), shrink=0.85)
        for points, target, marker in ((X, y, "o"), (X_test, y_test, "^")):
            if points is not None and target is not None:
                _scatter(ax, points, np.ravel(target), marker, size, "k", "regression", norm, cmap)
        return image
    labels = grid.labels
    if probability and n_classes == 2:
        cmap = LinearSegmentedColormap.from_list(
            "fcnn_binary", [lighten(class_color(0), 0.45), (1, 1, 1), lighten(class_color(1), 0.45)]
        )
        image = ax.imshow(grid.proba[..., 1], cmap=cmap, vmin=0.0, vmax=1.0, **image_kw)
        if colorbar:
            bar = ax.figure.colorbar(image, ax=ax, shrink=0.85)
            bar.set_label(f"P({class_name(1, classes)})")
    elif probability:
        confidence = grid.proba.max(axis=-1)
        strength = (confidence - 1.0 / n_classes) / (1.0 - 1.0 / n_classes)
        base = np.array([lighten(class_color(k), 0.45) for k in range(n_classes)])
        rgb = base[labels] * strength[..., None] + (1.0 - strength[..., None])
        image = ax.imshow(np.clip(rgb, 0.0, 1.0), **image_kw)
    else:
        pale = ListedColormap([lighten(class_color(k), 0.72) for k in range(n_classes)])
        image = ax.imshow(labels, cmap=pale, vmin=-0.5, vmax=n_classes - 0.5, **image_kw)
    # The boundary of class k is where its probability equals the largest other one:
    # a smooth level line of p_k - max_(j≠k) p_j (positive exactly where k is predicted).
    proba = grid.proba
    for k in range(1, 2) if proba.shape[-1] == 2 else range(proba.shape[-1]):
        margin = proba[..., k] - np.delete(proba, k, axis=-1).max(axis=-1)
        if margin.min() < 0 < margin.max():
            ax.contour(grid.xx, grid.yy, margin, levels=[0.0], colors="0.15", linewidths=0.9)
    for points, target, marker, edge, scale in (
        (X, y, "o", "white", 1.0),
        (X_test, y_test, "^", "0.1", 1.5),
    ):
        if points is not None:
            _scatter(ax, points, target, marker, size * scale, edge, "classification")
    return image
