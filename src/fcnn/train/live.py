"""``LivePlot``: the loss and metric curves redrawn in place in a notebook while ``fit`` runs.

``fit(..., live=True)`` adds one; it is also a callback of its own
(``fit(..., callbacks=[LivePlot()])``). After each epoch it draws the history so far with
:meth:`History.curves_html` (inline SVG from :func:`fcnn.display.svg_curves`, no
matplotlib) into one IPython display handle, which the notebook updates in place: one
output that grows, not a figure per epoch. Redraws are throttled (at most
``1 / min_interval`` a second: a fast run of many short epochs spends its time
training, not drawing), and the last epoch is always drawn when training ends.

IPython is optional: it is imported only when training begins, and outside a notebook
(a script, a terminal, IPython without a kernel) the callback does nothing but say so
once, in one line.
"""

from __future__ import annotations

import html
import sys
import time
from typing import Any

from .. import checks
from ..callback import Callback, TrainState
from ..i18n import translator
from .progress import notebook_display

__all__ = ["LivePlot"]

_ = translator("train")


class LivePlot(Callback):
    """Redraw the loss and metric curves in place in a notebook during training.

    Parameters
    ----------
    min_interval : float
        Seconds between two redraws at least (default 0.25: at most four a second);
        the end of training is always drawn.
    """

    def __init__(self, min_interval: float = 0.25):
        self.min_interval = checks.real("LivePlot", "min_interval", min_interval, low=0)
        self._show: Any = None
        self._handle: Any = None
        self._drawn_at = -float("inf")
        self.redraws = 0  # how many times the curves were drawn (tests and the curious)

    def _status(self, state: TrainState, finished: bool) -> str:
        done = len(state.history)
        if finished:
            return _("training finished after epoch {epoch}").format(epoch=done)
        return _("training: epoch {epoch}/{epochs}").format(epoch=done, epochs=state.epochs)

    def _draw(self, state: TrainState, finished: bool) -> None:
        status = self._status(state, finished)
        markup = f"<div><b>{html.escape(status)}</b>{state.history.curves_html()}</div>"
        if self._handle is None:
            self._handle = self._show(markup, status)
        else:
            self._handle.update(markup, status)
        self._drawn_at = time.monotonic()
        self.redraws += 1

    def on_train_begin(self, state: TrainState) -> None:
        self._show = notebook_display()
        self._handle, self._drawn_at = None, -float("inf")
        if self._show is None:
            print(_("LivePlot: not in a Jupyter notebook, so no curves are drawn"), file=sys.stderr)

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        if self._show is None:
            return
        if time.monotonic() - self._drawn_at >= self.min_interval:
            self._draw(state, finished=False)

    def on_train_end(self, state: TrainState) -> None:
        if self._show is not None and len(state.history):
            self._draw(state, finished=True)
