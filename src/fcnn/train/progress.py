"""What ``fit`` shows while it runs: a rich progress bar on a terminal, a line per epoch."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

from ..i18n import translator

__all__ = ["Progress", "format_logs"]

_ = translator("train")


def format_logs(logs: dict[str, float]) -> str:
    parts = []
    for key, value in logs.items():
        if key == "time":
            parts.append(f"{value:.2f}s")
        elif key == "lr":
            parts.append(f"lr {value:.3g}")
        else:
            parts.append(f"{key} {value:.4f}")
    return "  ".join(parts)


class Progress:
    """verbose 0: silent; 1: a bar per epoch on a terminal plus a line per epoch; 2: lines only."""

    def __init__(
        self, verbose: int, epochs: int, batches: int | None, console: Console | None = None
    ):
        self.verbose, self.epochs, self.batches = verbose, epochs, batches
        self.console = console or Console()
        self._bar: RichProgress | None = None
        self._task = None
        if verbose == 1 and self.console.is_terminal:
            self._bar = RichProgress(
                # rich fills {task.fields[…]} in; the words around them are ours
                TextColumn(
                    _("epoch {epoch}/{epochs}").format(
                        epoch="{task.fields[epoch]}", epochs="{task.fields[epochs]}"
                    )
                ),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]:.4f}"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
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
            self._bar.stop()
            self._bar = None

    def report_stop(self, reason: str | None, diverged: bool) -> None:
        if self.verbose and reason:
            style = "bold red" if diverged else "yellow"
            stopped = _("stopped:")
            gap = "" if stopped.endswith("：") else " "  # a full-width colon has its own space
            self.console.print(
                f"[{style}]{stopped}[/]{gap}{reason}", highlight=False, soft_wrap=True
            )
