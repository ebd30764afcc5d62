"""Figures drawn as images: the confusion matrix and first-layer weights as image tiles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import Module
from ..diagnose.probe import weight_layers
from ..i18n import N_, Message, translator
from ..metrics import confusion_matrix as count_confusions
from ._base import new_figure, style, suptitle

__all__ = ["confusion_matrix", "first_layer_weights", "weight_tiles"]

_ = translator("plot")


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    classes: Sequence[str] | None = None,
    num_classes: int | None = None,
    where: str | None = None,
    title: str | None = None,
) -> Any:
    """The confusion matrix with the count in every cell.

    Rows are the true classes, columns the predicted ones. A cell's colour is its share
    of its row (the recall of the diagonal), so that rare classes show as clearly as
    common ones; its text is the count.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (N,)
        Integer labels.
    classes : sequence of str, optional
        Class names for the axes (default 0, 1, ...).
    num_classes : int, optional
        Default: the largest label + 1 (or ``len(classes)``).
    where : str, optional
        What the labels are from, for the title ("the test set").

    Returns
    -------
    matplotlib.figure.Figure
        The title gives the accuracy.
    """
    if num_classes is None and classes is not None:
        num_classes = len(classes)
    counts = count_confusions(y_true, y_pred, num_classes)
    k = counts.shape[0]
    names = [str(c) for c in classes] if classes is not None else [str(i) for i in range(k)]
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    side = max(3.6, 0.48 * k + 1.8)
    with style():
        fig, axes = new_figure(figsize=(side + 0.9, side))
        ax = axes[0, 0]
        image = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
        fig.colorbar(image, ax=ax, shrink=0.8, label=_("share of the true class"))
        size = 9 if k <= 10 else 7 if k <= 20 else 5
        for i in range(k):
            for j in range(k):
                ax.text(
                    j,
                    i,
                    str(counts[i, j]),
                    ha="center",
                    va="center",
                    fontsize=size,
                    color="white" if share[i, j] > 0.6 else "0.15",
                )
        ax.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 3 else 0)
        ax.set_yticks(range(k), names)
        ax.set_xlabel(_("predicted class"))
        ax.set_ylabel(_("true class"))
        ax.grid(False)
        scope = _(" ({where})").format(where=where) if where else ""
        ax.set_title(
            title
            or _("Confusion matrix\naccuracy {accuracy:.2f} % of {total}{scope}").format(
                accuracy=100 * accuracy, total=counts.sum(), scope=scope
            )
        )
    return fig


def _first_weight(model: Module) -> np.ndarray:
    for _, module, weight in weight_layers(model):
        pieces = getattr(module, "pieces", 1)
        data = np.asarray(weight.data, dtype=np.float64)
        return data if pieces == 1 else data[::pieces]  # Maxout: the first piece of each unit
    template = N_("first_layer_weights: {name} has no weight layer")
    raise ValueError(Message("plot", template, name=type(model).__name__))


def weight_tiles(
    model: Module, *, image_shape: tuple[int, int] | None = None, max_units: int = 64
) -> np.ndarray:
    """The first weight layer's rows as images, ``(units, height, width)``.

    Unit i's tile is ``weight[i].reshape(image_shape)``: the input pattern that excites
    it most. ``image_shape`` defaults to the square the input size is (784 → 28 × 28).
    """
    weight = _first_weight(model)
    n_in = weight.shape[1]
    if image_shape is None:
        side = math.isqrt(n_in)
        if side * side != n_in:
            template = N_(
                "first_layer_weights: {inputs} inputs are not a square image; give "
                "image_shape=(height, width)"
            )
            raise ValueError(Message("plot", template, inputs=n_in))
        image_shape = (side, side)
    if image_shape[0] * image_shape[1] != n_in:
        template = N_("first_layer_weights: image_shape={shape} does not hold {inputs} inputs")
        raise ValueError(Message("plot", template, shape=tuple(image_shape), inputs=n_in))
    if isinstance(max_units, bool) or not isinstance(max_units, int) or max_units < 1:
        template = N_("first_layer_weights(max_units={max_units!r}): expected an integer >= 1")
        raise ValueError(Message("plot", template, max_units=max_units))
    return weight[:max_units].reshape(-1, *image_shape)


def first_layer_weights(
    model: Module,
    *,
    image_shape: tuple[int, int] | None = None,
    max_units: int = 64,
    ncols: int | None = None,
    title: str | None = None,
) -> Any:
    """The first layer's weights as image tiles, one per hidden unit (MNIST: 28 × 28).

    Red is a positive weight, blue a negative one, white zero; each tile is scaled to its
    own largest |weight|, so every unit's pattern shows (the data: :func:`weight_tiles`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    tiles = weight_tiles(model, image_shape=image_shape, max_units=max_units)
    n = len(tiles)
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    with style():
        fig, axes = new_figure(nrows, ncols, figsize=(0.85 * ncols + 0.3, 0.85 * nrows + 0.55))
        fig.get_layout_engine().set(w_pad=0.01, h_pad=0.01, wspace=0.02, hspace=0.02)
        for ax, tile in zip(axes.ravel(), tiles, strict=False):
            bound = float(np.max(np.abs(tile))) or 1.0
            ax.imshow(tile, cmap="RdBu_r", vmin=-bound, vmax=bound)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
        for ax in axes.ravel()[n:]:
            ax.set_visible(False)
        total = _first_weight(model).shape[0]
        suptitle(
            fig,
            title
            or (
                _("First-layer weights, {n} of {total} hidden units (red +, blue −)")
                if n < total
                else _("First-layer weights, all {n} hidden units (red +, blue −)")
            ).format(n=n, total=total),
        )
    return fig
