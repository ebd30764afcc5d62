"""What ``fit`` shows while it runs: a progress bar and a line per epoch.

On a terminal the bar is rich's, redrawn in place. In a Jupyter notebook rich sees no
terminal (and would print every line as an output of its own), so there the same bar is
drawn by rich into HTML and shown in one IPython display handle updated in place (a few
times a second at most) and cleared at the end, and the epoch lines are plain text on
stdout: one output block, as a terminal shows them. Elsewhere (a pipe, a log file) the
lines alone, without colour codes.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

from ..i18n import N_, translator

__all__ = ["Progress", "format_logs", "notebook_display"]

_ = translator("train")

# A notebook's bar is redrawn at most this often (seconds): sending HTML to the browser
# costs far more than rich's terminal refresh.
_NOTEBOOK_REFRESH = 0.2


def notebook_display() -> Callable[[str, str], Any] | None:
    """``show(html, text)`` → a handle whose ``update(html, text)`` redraws that output in
    place, when a Jupyter kernel runs us; else None. IPython is imported only here."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:  # IPython without a notebook
        return None

    class Handle:
        def __init__(self, markup: str, text: str = ""):
            bundle = {"text/html": markup, "text/plain": text}
            self._handle = display(bundle, raw=True, display_id=True)

        def update(self, markup: str, text: str = "") -> None:
            self._handle.update({"text/html": markup, "text/plain": text}, raw=True)

    return Handle


# the names in an epoch's line with a word of their own; f1, r2, rmse, mae are symbols
# a reader of either language knows, shown as they are
_NAMES = {"loss": N_("loss"), "accuracy": N_("accuracy"), "lr": N_("lr")}
_VALIDATION = "val_"


def _name(key: str) -> str:
    """A key of ``logs`` in the current language: ``val_loss`` → "val_loss" / "验证损失"."""
    if key.startswith(_VALIDATION) and key != _VALIDATION:
        return _("val_{name}").format(name=_name(key[len(_VALIDATION) :]))
    return _(_NAMES[key]) if key in _NAMES else key


def format_logs(logs: dict[str, float]) -> str:
    """An epoch's numbers as one line, ``loss 0.3012  accuracy 0.9000  lr 0.1  0.52s``;
    the names in the current language, every number formatted the same in both."""
    parts = []
    for key, value in logs.items():
        if key == "time":
            parts.append(_("{seconds}s").format(seconds=f"{value:.2f}"))
        elif key == "lr":
            parts.append(f"{_name(key)} {value:.3g}")
        else:
            parts.append(f"{_name(key)} {value:.4f}")
    return "  ".join(parts)


class Progress:
    """verbose 0: silent; 1: a bar per epoch (terminal or notebook) plus a line per epoch;
    2: lines only."""

    def __init__(
        self,
        verbose: int,
        epochs: int,
        batches: int | None,
        console: Console | None = None,
        show: Callable[[str, str], Any] | None = None,
    ):
        self.verbose, self.epochs, self.batches = verbose, epochs, batches
        self.console = console or Console()
        self._bar: RichProgress | None = None
        self._task = None
        self._handle: Any = None  # the notebook's bar, when there is one
        self._drawn_at = -float("inf")
        if verbose and show is None and console is None and self.console.is_jupyter:
            show = notebook_display()
            # the epoch lines as plain text on the kernel's stdout (one stream, no HTML)
            self.console = Console(file=sys.stdout, force_jupyter=False, color_system=None)
        self._show = show if verbose == 1 else None
        if verbose == 1 and (self.console.is_terminal or self._show is not None):
            notebook = self._show is not None
            # In a notebook rich draws into a string that becomes HTML, never to the screen.
            drawer = (
                Console(
                    file=io.StringIO(),
                    record=True,
                    width=100,
                    force_terminal=True,
                    force_jupyter=False,
                )
                if notebook
                else self.console
            )
            self._bar = RichProgress(
                # rich fills {task.fields[…]} in; the words around them are ours
                TextColumn(
                    _("epoch {epoch}/{epochs}").format(
                        epoch="{task.fields[epoch]}", epochs="{task.fields[epochs]}"
                    )
                ),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(_name("loss") + " {task.fields[loss]:.4f}"),
                TimeRemainingColumn(),
                console=drawer,
                transient=True,
                auto_refresh=not notebook,
            )
            if not notebook:
                self._bar.start()

    def start_epoch(self, epoch: int) -> None:
        if self._bar is not None:
            if self._task is not None:
                self._bar.remove_task(self._task)
            self._task = self._bar.add_task(
                "train", total=self.batches, epoch=epoch + 1, epochs=self.epochs, loss=float("nan")
            )

    def advance(self, step: int, loss: float) -> None:
        # Refreshing rich costs microseconds; do it a few dozen times per epoch at most.
        if self._bar is not None and (
            # An unknown number of batches (a streamed source): every 50th.
            step % max(1, (self.batches or 2500) // 50) == 0 or step + 1 == self.batches
        ):
            self._bar.update(self._task, completed=step + 1, loss=loss)
            if self._show is not None:
                self._draw_in_notebook(final=step + 1 == self.batches)

    def _draw_in_notebook(self, final: bool) -> None:
        now = time.monotonic()
        if not final and now - self._drawn_at < _NOTEBOOK_REFRESH:
            return
        self._drawn_at = now
        drawer = self._bar.console
        drawer.print(self._bar.get_renderable())
        text = drawer.export_text(clear=False).rstrip()
        markup = drawer.export_html(
            inline_styles=True, code_format='<pre style="margin:0;line-height:normal">{code}</pre>'
        )  # clears what was recorded: the next drawing starts afresh
        if self._handle is None:
            self._handle = self._show(markup, text)
        else:
            self._handle.update(markup, text)

    def end_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        if self.verbose:
            width = len(str(self.epochs))
            done = _("epoch {epoch}/{epochs}").format(
                epoch=f"{epoch + 1:>{width}}", epochs=self.epochs
            )
            self.console.print(
                f"{done}  {format_logs(logs)}",
                highlight=False,
                soft_wrap=True,
            )

    def close(self) -> None:
        if self._bar is not None:
            if self._show is None:
                self._bar.stop()
            elif self._handle is not None:  # transient, as on a terminal: the bar goes
                self._handle.update("", "")
            self._bar = None

    def report_stop(self, reason: str | None, diverged: bool) -> None:
        if self.verbose and reason:
            style = "bold red" if diverged else "yellow"
            stopped = _("stopped:")
            gap = "" if stopped.endswith("：") else " "  # a full-width colon has its own space
            self.console.print(
                f"[{style}]{stopped}[/]{gap}{reason}", highlight=False, soft_wrap=True
            )
