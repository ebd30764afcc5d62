"""``fcnn bench``: time fcnn against PyTorch and scikit-learn on the same networks.

Prints the table as each case finishes and writes the results as JSON (and Markdown
beside it). PyTorch and scikit-learn are used when installed (``pip install
"fcnn[torch,sklearn]"``). ``--quick`` runs a few steps per case: it proves the benchmark
works, it is not a measurement.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..bench import markdown_table, rich_table, run_benchmark, save_json
from ..bench.report import memory_line
from ..files import atomic_write_text
from .app import app, console, friendly

__all__ = ["bench"]


@app.command()
@friendly
def bench(
    case: list[str] = typer.Option(
        None, "--case", help="Run only this case (repeatable); default: all of them."
    ),
    data_dir: Path = typer.Option(
        None, "--data-dir", help="Folder with MNIST's IDX files; random pixels without it."
    ),
    threads: int = typer.Option(
        None, min=1, help="BLAS and PyTorch threads (default: the number of cores)."
    ),
    repeats: int = typer.Option(3, min=1, help="Timings per case and framework (median shown)."),
    rows: int = typer.Option(60000, min=512, help="Training rows per epoch."),
    quick: bool = typer.Option(False, help="A few steps per case: a smoke run, not a measurement."),
    memory: bool = typer.Option(True, help="Also measure peak RSS of the largest case."),
    out: Path = typer.Option(
        Path("bench.json"), help="Where to write the results (JSON; Markdown beside it, .md)."
    ),
) -> None:
    """Time training steps, epochs and inference against PyTorch, scikit-learn and the
    matrix-multiply floor (same threads, float32, weights and batch order)."""

    def show(result) -> None:
        console.print(f"[dim]measured:[/] {result['label']}")

    report = run_benchmark(
        cases=case or None,
        data_dir=data_dir,
        rows=rows,
        threads=threads,
        repeats=1 if quick else repeats,
        steps=3 if quick else None,
        memory=memory,
        progress=show,
    )
    console.print(rich_table(report))
    line = memory_line(report)
    if line:
        console.print(line)
    save_json(report, out)
    md = out.with_suffix(".md")
    atomic_write_text(md, markdown_table(report))
    console.print(f"results: {out} and {md}")
