"""The course's hidden-units sweep (the planar flower, one 2-n-1 tanh network per
width n): :func:`hidden_units_experiment` trains it, :func:`hidden_units_grid` draws one
decision-boundary panel per trained model, on a shared extent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import Module
from ..i18n import N_, Message, translator
from ..metrics import labels_from_output
from ._base import new_figure, style, suptitle
from .boundary_draw import draw_grid
from .boundary_grid import covering_extent, decision_grid, points_2d

__all__ = ["HIDDEN_UNITS_TITLE", "hidden_units_experiment", "hidden_units_grid"]

_ = translator("plot")

#: :func:`hidden_units_grid`'s default title (in the figure's language when drawn)
HIDDEN_UNITS_TITLE = N_("Decision boundary by hidden-layer size")


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
    X = points_2d(X, "hidden_units_grid")
    results = list(results)
    if not results:
        raise ValueError(Message("plot", N_("hidden_units_grid: no models given")))
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        template = N_("hidden_units_grid(ncols={ncols!r}): expected a positive integer")
        raise ValueError(Message("plot", template, ncols=ncols))
    ncols = min(ncols, len(results))
    nrows = -(-len(results) // ncols)
    extent = covering_extent([X], 0.08)
    n_classes = int(np.max(y)) + 1
    with style():
        fig, axes = new_figure(nrows, ncols, figsize=(3.0 * ncols, 3.0 * nrows + 0.5))
        for i, (label, model, accuracy) in enumerate(results):
            ax = axes[i // ncols, i % ncols]
            grid = decision_grid(model, X, resolution=resolution, extent=extent)
            classes = max(n_classes, grid.proba.shape[-1])
            draw_grid(
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
            template = N_("hidden_units_experiment: width {width!r} must be a positive integer")
            raise ValueError(Message("plot", template, width=width))
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
