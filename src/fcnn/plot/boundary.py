"""Decision boundaries of 2-D classifiers (binary and multiclass, train and test points),
the value surface of 2-D regressors, and the course's hidden-units sweep grid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import Module
from ..i18n import N_, translator
from ..metrics import labels_from_output
from ._base import (
    class_color,
    describe,
    lighten,
    new_figure,
    outputs_logits,
    probabilities,
    style,
    suptitle,
)

__all__ = [
    "DecisionGrid",
    "decision_boundary",
    "decision_grid",
    "hidden_units_experiment",
    "hidden_units_grid",
]

_ = translator("plot")

#: :func:`hidden_units_grid`'s default title (in the figure's language when drawn)
HIDDEN_UNITS_TITLE = N_("Decision boundary by hidden-layer size")


def _class_name(k: int, classes: Sequence[str] | None) -> str:
    return (
        str(classes[k]) if classes is not None and k < len(classes) else _("class {k}").format(k=k)
    )


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


def _features(X: Any, what: str) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"{what}: decision boundaries are drawn for 2-D data, shape (N, 2); got shape {X.shape}"
        )
    return X


def _extent(arrays: Sequence[np.ndarray], margin: float) -> tuple[float, float, float, float]:
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
        raise ValueError(f"decision_grid(task={task!r}): expected classification or regression")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"decision_grid(resolution={resolution!r}): expected an integer >= 2")
    if extent is None:
        extent = _extent([_features(X, "decision_grid")], margin)
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


def _scatter(ax, X, y, marker, size, edge, task, norm=None, cmap=None) -> None:
    if task == "regression":
        ax.scatter(
            X[:, 0],
            X[:, 1],
            c=y,
            cmap=cmap,
            norm=norm,
            s=size,
            marker=marker,
            edgecolors=edge,
            linewidths=0.6,
            zorder=3,
        )
        return
    if y is None:  # unlabelled points: grey
        colors = ["0.45"] * len(X)
    else:
        colors = [class_color(k) for k in np.asarray(y).astype(np.int64)]
    ax.scatter(
        X[:, 0],
        X[:, 1],
        c=colors,
        s=size,
        marker=marker,
        edgecolors=edge,
        linewidths=0.6,
        zorder=3,
    )


def _draw(
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
            bar.set_label(f"P({_class_name(1, classes)})")
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


def _legend(fig, n_classes: int, classes: Sequence[str] | None, has_test: bool, task: str):
    from matplotlib.lines import Line2D

    def key(marker: str, color: str, label: str, **style: Any) -> Line2D:
        return Line2D([], [], marker=marker, linestyle="", color=color, label=label, **style)

    handles = []
    if task == "classification":
        for k in range(n_classes):
            handles.append(key("s", class_color(k), _class_name(k, classes), markersize=8))
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
    X = _features(X, "decision_boundary")
    X_test = None if X_test is None else _features(X_test, "decision_boundary (X_test)")
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
        _draw(
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


def hidden_units_grid(
    results: Sequence[tuple[int | str, Module, float | None]],
    X: Any,
    y: Any,
    *,
    ncols: int = 4,
    probability: bool = False,
    resolution: int = 150,
    title: str | None = HIDDEN_UNITS_TITLE,
) -> Any:
    """The course's planar figure: one decision-boundary panel per trained model.

    Parameters
    ----------
    results : sequence of (label, model, accuracy)
        ``label``: an int (the hidden-layer width, titled "4 hidden units") or any text;
        ``accuracy``: the model's accuracy in percent (e.g. 90.75) or None.
    X, y : array_like, shapes (N, 2) and (N,)
        The points, drawn in every panel (the same grid extent for all).
    ncols : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    X = _features(X, "hidden_units_grid")
    results = list(results)
    if not results:
        raise ValueError("hidden_units_grid: no models given")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"hidden_units_grid(ncols={ncols!r}): expected a positive integer")
    ncols = min(ncols, len(results))
    nrows = -(-len(results) // ncols)
    extent = _extent([X], 0.08)
    n_classes = int(np.max(y)) + 1
    with style():
        fig, axes = new_figure(nrows, ncols, figsize=(3.0 * ncols, 3.0 * nrows + 0.5))
        for i, (label, model, accuracy) in enumerate(results):
            ax = axes[i // ncols, i % ncols]
            grid = decision_grid(model, X, resolution=resolution, extent=extent)
            classes = max(n_classes, grid.proba.shape[-1])
            _draw(
                ax,
                grid,
                X,
                y,
                None,
                None,
                probability=probability,
                n_classes=classes,
                colorbar=False,
            )
            name = (
                (_("{n} hidden unit") if label == 1 else _("{n} hidden units")).format(n=label)
                if isinstance(label, (int, np.integer))
                else str(label)
            )
            ax.set_title(
                name
                if accuracy is None
                else _("{name}: {accuracy:.2f} %").format(name=name, accuracy=accuracy)
            )
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
        for j in range(len(results), nrows * ncols):
            axes[j // ncols, j % ncols].set_visible(False)
        if title:
            suptitle(fig, _(title))  # a title of the user's own is not in the catalog: kept
    return fig


def hidden_units_experiment(
    widths: Sequence[int] = (1, 2, 3, 4, 5, 20, 50), *, steps: int = 5000, seed: int = 2
) -> list[tuple[int, Module, float]]:
    """Train the course's sweep (the data for :func:`hidden_units_grid`).

    For each width n, a 2-n-1 tanh network (float64, ``N(0, 0.01²)`` weights, zero
    biases) on the 400-point flower, ``steps`` full-batch gradient-descent steps at
    learning rate 1.2 on the binary cross-entropy.

    Returns
    -------
    list of (width, model, training accuracy in percent)
    """
    from ..data import planar
    from ..models import mlp
    from ..train import fit

    X, y = planar()
    results = []
    for width in widths:
        if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
            raise ValueError(f"hidden_units_experiment: width {width!r} must be a positive integer")
        model = mlp([2, int(width), 1], "tanh", init="normal", seed=seed, dtype=np.float64)
        fit(
            model,
            X,
            y,
            optimizer="sgd",
            lr=1.2,
            epochs=steps,
            batch_size=len(X),
            shuffle=False,
            metrics=[],
            verbose=0,
        )
        predicted = labels_from_output(model.predict(X))
        results.append((int(width), model, 100.0 * float(np.mean(predicted == y))))
    return results
