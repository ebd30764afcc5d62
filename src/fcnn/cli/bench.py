"""``fcnn bench``: time fcnn against PyTorch and scikit-learn on the same networks.

Shows a progress bar with the time left (counted in estimated seconds, see
:mod:`fcnn.bench.progress`), names each case as it finishes, then prints the table
(folded into two for a narrow terminal) and writes the results as JSON (and Markdown
beside it). PyTorch and scikit-learn are used when installed (``pip install
"fcnn[torch,sklearn]"``). ``--quick`` runs a few steps per case: it proves the benchmark
works, it is not a measurement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..bench import markdown_table, rich_table, run_benchmark, save_json
from ..bench.report import memory_line
from ..files import atomic_write_text
from ..i18n import N_, translator
from .app import app, console, friendly, styled

_ = translator("cli")

__all__ = ["bench"]


@app.command(
    help=N_(
        "Time training steps, epochs and inference against PyTorch, "
        "scikit-learn and the matrix-multiply floor (same threads, float32, "
        "weights and batch order)."
    ),
)
@friendly
def bench(
    case: list[str] = typer.Option(
        None, "--case", help=N_("Run only this case (repeatable); default: all of them.")
    ),
    data_dir: Path = typer.Option(
        None,
        "--data-dir",
        help=N_(
            "Folder with MNIST's IDX files (an error if it holds none); random pixels without it."
        ),
    ),
    threads: int = typer.Option(
        None, min=1, help=N_("BLAS and PyTorch threads (default: the number of cores).")
    ),
    repeats: int = typer.Option(
        3, min=1, help=N_("Timings per case and framework (median shown).")
    ),
    rows: int = typer.Option(60000, min=512, help=N_("Training rows per epoch.")),
    quick: bool = typer.Option(
        False, help=N_("A few steps per case: a smoke run, not a measurement.")
    ),
    memory: bool = typer.Option(True, help=N_("Also measure peak RSS of the largest case.")),
    out: Path = typer.Option(
        Path("bench.json"), help=N_("Where to write the results (JSON; Markdown beside it, .md).")
    ),
) -> None:

    with _progress_bar() as (on_work, show):
        report = run_benchmark(
            cases=case or None,
            data_dir=data_dir,
            rows=rows,
            threads=threads,
            repeats=1 if quick else repeats,
            steps=3 if quick else None,
            memory=memory,
            progress=show,
            on_work=on_work,
        )
    console.print(rich_table(report, console.width))
    line = memory_line(report)
    if line:
        console.print(line)
    save_json(report, out)
    md = out.with_suffix(".md")
    atomic_write_text(md, markdown_table(report))
    console.print(_("results: {json} and {markdown}").format(json=out, markdown=md), markup=False)


@contextmanager
def _progress_bar() -> Iterator[tuple]:
    """A bar of the work done with the time elapsed and left, gone when the bench ends;
    yields the two callbacks of ``run_benchmark`` (``on_work`` and ``progress``)."""
    bar = Progress(
        TextColumn("{task.description:<30.30}"),  # a case's name, at most 30 characters
        BarColumn(bar_width=16),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn(escape(_("left"))),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # no bar in a log file or a pipe
        # Timings advance the bar in big uneven steps: average the speed over 10 minutes.
        speed_estimate_period=600,
    )
    task = bar.add_task(_("loading the data"), total=None)

    def on_work(done: float, total: float, doing: str) -> None:
        bar.update(task, completed=done, total=total, description=doing)

    def show(result) -> None:
        bar.console.print(styled("dim", _("measured: ")) + escape(result["label"]))

    with bar:
        yield on_work, show
