"""The learning-rate finder's figure: the loss against the learning rate on a log axis,
the raw losses faint behind the smoothed curve, the suggested rate marked."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import N_, Message, translator
from ..train.lr_find import LRFinderResult
from ._base import CLASS_COLORS, footnote, mark_point, new_figure, style, suptitle

__all__ = ["lr_find"]

_ = translator("plot")
# the rule is the train domain's sentence (fcnn.train.lr_find.RULE), translated there
_train = translator("train")


def lr_find(result: LRFinderResult, *, title: str | None = None) -> Any:
    """Draw what :func:`fcnn.lr_find` returned.

    Parameters
    ----------
    result : LRFinderResult
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        The raw mini-batch losses (faint), the smoothed loss, its lowest point and the
        suggested rate (a dashed line, its rule in the legend); why the sweep stopped
        early, when it did, is written under the plot.
    """
    if not isinstance(result, LRFinderResult):
        template = N_("plot.lr_find expects what fcnn.lr_find returns, got {type}")
        raise TypeError(Message("plot", template, type=type(result).__name__))
    if not len(result.lrs):
        template = N_("plot.lr_find: the sweep recorded no loss (it diverged at once)")
        raise ValueError(Message("plot", template))
    lrs, smoothed = result.lrs, result.smoothed
    with style():
        fig, axes = new_figure(figsize=(5.6, 3.8))
        ax = axes[0, 0]
        ax.plot(lrs, result.losses, color=CLASS_COLORS[0], alpha=0.25, linewidth=1, label=_("loss"))
        ax.plot(lrs, smoothed, color=CLASS_COLORS[0], linewidth=1.8, label=_("smoothed loss"))
        lowest = int(np.argmin(smoothed))
        mark_point(
            ax,
            lrs[lowest],
            smoothed[lowest],
            CLASS_COLORS[0],
            _("lowest smoothed loss {loss:.3g} (lr {lr:.3g})").format(
                loss=smoothed[lowest], lr=lrs[lowest]
            ),
        )
        if result.suggestion is not None:
            ax.axvline(
                result.suggestion,
                color=CLASS_COLORS[1],
                linestyle="--",
                linewidth=1.4,
                label=_("suggested lr {lr:.3g}: {rule}").format(
                    lr=result.suggestion, rule=_train(result.rule)
                ),
            )
        ax.set_xscale("log")
        # The loss of a diverging sweep grows without bound: show it up to 1.5 × where it
        # began, so the descent (what the plot is read for) fills the axes.
        bottom, top = min(result.losses.min(), smoothed.min()), smoothed.max()
        if smoothed[0] > 0:
            top = min(top, 1.5 * smoothed[0])
        margin = 0.08 * (top - bottom) or 0.05 * abs(top) or 1.0
        ax.set_ylim(bottom - margin, top + margin)
        ax.set_xlabel(_("learning rate (log scale)"))
        ax.set_ylabel(_("loss"))
        ax.legend(loc="best")
        if result.stop_reason:
            footnote(fig, _("stopped early: {reason}").format(reason=result.stop_reason))
        suptitle(
            fig,
            title
            or _("Learning-rate finder ({done} of {steps} steps)").format(
                done=len(lrs), steps=result.steps
            ),
        )
    return fig
