"""``Result``: what a reproduction found, set beside the published figure, and its Markdown.

A result is a list of rows, one per published number: the setting, our figure, the
published one, the target we hold ourselves to and whether we met it. ``to_markdown``
turns it into the table that ``docs/results/<name>.md`` holds, with the command, the
machine and the date that made it, and says in words which targets were not met. A result
may carry a figure drawn from what the reproduction computed; :func:`write` saves it as
``<name>.png`` beside the Markdown, which links to it.
"""

from __future__ import annotations

import datetime
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..files import atomic_write_text
from ..i18n import N_, Message

__all__ = ["Result", "draw_figure", "machine_description", "write"]


def machine_description() -> str:
    """The machine in a few words: cores, architecture, Python and NumPy versions."""
    cores = os.cpu_count() or 1
    return (
        f"{cores} core{'s' if cores != 1 else ''} {platform.machine() or 'unknown CPU'}, "
        f"Python {platform.python_version()}, NumPy {np.__version__}"
    )


@dataclass
class Result:
    """One reproduction's outcome.

    Attributes
    ----------
    name : str
        The reproduction's name (``"planar"``); also the Markdown file's stem.
    title : str
        One line saying what was reproduced, from where.
    rows : list of dict
        One per published figure, each with ``setting`` (str), ``ours`` and
        ``published`` (display strings), ``target`` (the test we apply, in words; "—"
        where there is none) and ``met`` (bool; True where there is no target). Rows may
        carry more keys (``value``, ``reference``: the numbers behind the strings).
    seconds : float
        Wall time of the whole reproduction.
    command : str
        The command that reruns it.
    notes : list of str
        How it was made, and every place where it departs from the published procedure.
    details : str
        Optional Markdown after the main table (e.g. a per-setting breakdown).
    quick : bool
        A reduced run (``quick=True``): not the published setting, said so in the table.
    machine, date : str
        Where and when it ran.
    figure : matplotlib.figure.Figure or None
        A picture of what was computed (decision boundaries, loss curves, a confusion
        matrix), saved by :func:`write` as ``<name>.png``; None when there is none (e.g.
        matplotlib is not installed). The Markdown only links to it.
    """

    name: str
    title: str
    rows: list[dict[str, Any]]
    seconds: float
    command: str
    notes: list[str] = field(default_factory=list)
    details: str = ""
    quick: bool = False
    machine: str = field(default_factory=machine_description)
    date: str = field(default_factory=lambda: datetime.date.today().isoformat())
    figure: Any = field(default=None, repr=False, compare=False)

    @property
    def all_met(self) -> bool:
        """True when every row's target was met."""
        return all(row["met"] for row in self.rows)

    def unmet(self) -> list[dict[str, Any]]:
        """The rows whose target was not met."""
        return [row for row in self.rows if not row["met"]]

    def to_markdown(self) -> str:
        """The result as a Markdown page: title, table, verdict, how it was made, notes."""
        lines = [f"# {self.title}", ""]
        if self.quick:
            lines += [
                "**Quick run** (`quick=True`): a reduced setting for a first look, not the "
                "published one; its figures are not comparable with the published ones.",
                "",
            ]
        lines += [
            "| setting | ours | published | target | met |",
            "| --- | --- | --- | --- | --- |",
        ]
        for row in self.rows:
            met = ("yes" if row["met"] else "**no**") if _has_target(row) else "—"
            cells = [
                str(row["setting"]),
                str(row["ours"]),
                str(row.get("published") or "—"),
                str(row.get("target") or "—"),
                met,
            ]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
        missed = self.unmet()
        if not any(_has_target(row) for row in self.rows):
            lines.append("No published figure for these settings, so no target to meet.")
        elif not missed:
            lines.append("Every target met.")
        else:
            names = "; ".join(
                f"{row['setting']} ({row['ours']}, target {row['target']})" for row in missed
            )
            lines.append(f"**Not met ({len(missed)} of {len(self.rows)}):** {names}.")
        lines += [
            "",
            f"Made with `{self.command}` on {self.machine}, {self.date}, "
            f"in {_duration(self.seconds)}.",
        ]
        if self.figure is not None:
            lines += ["", f"![{self.name}]({self.name}.png)"]
        if self.details:
            lines += ["", self.details.rstrip()]
        if self.notes:
            lines += ["", "## How it was made, and where it departs from the original", ""]
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def _has_target(row: dict[str, Any]) -> bool:
    return row.get("target") not in (None, "", "—")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def write(result: Result, out_dir: str | os.PathLike[str]) -> Path:
    """Write ``result.to_markdown()`` to ``out_dir/<name>.md`` atomically; return the path.

    When the result has a figure, it is saved first as ``out_dir/<name>.png`` (atomically,
    with :func:`fcnn.plot.save`), so the Markdown never links to a missing picture. The
    folder is created when missing.
    """
    if not isinstance(result, Result):
        template = N_("write expects a Result, got {type}")
        raise TypeError(Message("train", template, type=type(result).__name__))
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if result.figure is not None:
        from ..plot import save

        save(result.figure, folder / f"{result.name}.png")
    return atomic_write_text(folder / f"{result.name}.md", result.to_markdown())


def draw_figure(build: Callable[[], Any], notes: list[str]) -> Any:
    """``build()``, the result's figure; None, with a note saying so, when matplotlib is
    not installed (the reproduction's numbers do not need it)."""
    try:
        return build()
    except ImportError as err:
        notes.append(f"No figure: it needs matplotlib ({err}).")
        return None


Progress = Callable[[str], Any] | None


def announce(progress: Progress, verbose: int, text: str) -> None:
    """Tell the caller what is running: ``progress(text)`` and, with ``verbose``, print it."""
    if progress is not None:
        progress(text)
    if verbose:
        print(text, flush=True)
