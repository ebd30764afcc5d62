"""``fcnn sweep``: a hyper-parameter sweep from a spec file and/or options, resumable.

While it runs: a progress bar over the trials and the best trials so far, ranked. At the
end: the ranked table, and ``results.md``, ``results.csv``, ``sweep.png`` and
``trials.jsonl`` in the sweep directory. Ctrl-C keeps every finished trial; the same
command again runs only the rest.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer
from rich.console import Group
from rich.live import Live
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..i18n import N_, translator
from ..sweep import SweepProgress, load_spec, run
from ..sweep.report import table_rows
from .app import app, console, friendly, help_text, styled
from .options import given, target_option

_ = translator("cli")

DIRECTIONS = {"min": N_("min"), "max": N_("max")}

__all__ = ["sweep"]


def _finite(value: Any) -> bool:
    """Whether every number in ``value`` (a JSON value) is finite."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_finite(item) for item in value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    return True


def _value(text: str, where: str) -> Any:
    """A JSON value if ``text`` is one (numbers, true, null, lists), else the text.

    ``where`` names the option as typed, for a refusal: ``--param lr=1e999``."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if not _finite(value):
        # Python's json reads 1e999 as inf and NaN as nan; neither trains, nor can the
        # sweep record it (its files are strict JSON).
        raise ValueError(
            _(
                "{where}: {text} is not a finite number (floats end near 1.8e308; beyond, a "
                "number reads as infinity); give a finite value"
            ).format(where=where, text=text)
        )
    return value


def _pair(text: str, option: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(
            _("{option} {text!r}: expected KEY=VALUE, e.g. {option} lr=0.01").format(
                option=option, text=text
            )
        )
    return key.strip().replace("-", "_"), value.strip()


def _choices(text: str, where: str) -> Any:
    """``--param`` values: a JSON list, ``dist:low:high`` or comma-separated values."""
    if text.startswith(("[", "{")):
        return _value(text, where)
    kind, sep, bounds = text.partition(":")
    if sep and kind in ("uniform", "log_uniform", "int"):
        low, _colon, high = bounds.partition(":")
        return {kind: [_value(low, where), _value(high, where)]}
    return [_value(part, where) for part in text.split(",") if part]


def _merge(
    spec: dict[str, Any],
    *,
    data: str | None,
    target: str | None,
    overrides: dict[str, Any],
    params: list[str],
    fixed: list[str],
) -> dict[str, Any]:
    """``spec`` with the command line's options on top: ``overrides`` replace its
    top-level keys (search, trials, seed, ...), ``--param`` / ``--fixed`` its params."""
    spec = dict(spec)
    if data is not None:
        spec["data"] = data if target is None else {"data": data, "target": target}
    elif target is not None:
        raise ValueError(_("--target goes with --data (a CSV file)"))
    spec.update(overrides)
    if spec.get("trials") is not None and "search" not in spec:
        spec["search"] = "random"
    spec["params"] = dict(spec.get("params") or {})
    spec["fixed"] = dict(spec.get("fixed") or {})
    for text in params:
        key, value = _pair(text, "--param")
        spec["fixed"].pop(key, None)
        spec["params"][key] = _choices(value, f"--param {text}")
    for text in fixed:
        key, value = _pair(text, "--fixed")
        spec["params"].pop(key, None)
        spec["fixed"][key] = _value(value, f"--fixed {text}")
    return spec


def _table(update: SweepProgress | Any, top: int | None, title: str) -> Table:
    header, rows = table_rows(
        update.records, update.params, update.metric, update.direction, compact=True
    )
    table = Table(title=title, title_justify="left")
    for name in header:
        table.add_column(name, justify="left" if name in ("status",) else "right")
    for row in rows[:top] if top else rows:
        table.add_row(*row)
    if top and len(rows) > top:
        table.caption = _("best {top} of {count}").format(top=top, count=len(rows))
    return table


@app.command(
    help=N_(
        "Run a hyper-parameter sweep (grid or random search), resumable.\n\n"
        "The same command again after a crash or Ctrl-C runs only the "
        "unfinished trials."
    ),
)
@friendly
def sweep(
    spec_file: Path = typer.Argument(
        None,
        metavar="SPEC",
        help=N_(
            "A sweep spec file, .yaml or .json (data, search, params, fixed, repeats, seed, "
            "metric, direction); the options below add to it or override it."
        ),
    ),
    out: Path = typer.Option(
        None, "--out", "-o", help=N_("Sweep directory (default sweeps/<spec name or data>).")
    ),
    jobs: int = typer.Option(
        1, "--jobs", "-j", help=N_("Local worker processes (1: this process).")
    ),
    dask: str = typer.Option(
        None,
        # escaped: typer reads help as Rich markup, where [dask] would be a style tag
        help=help_text(
            N_(
                "Run on Dask: a scheduler address (tcp://host:8786), or local:N for a "
                "LocalCluster of N processes on 127.0.0.1. Needs {extra}."
            ),
            extra=escape("fcnn[dask]"),
        ),
    ),
    data: str = typer.Option(None, help=N_("Data set name or CSV file (overrides the spec's).")),
    target: str = target_option(),
    search: str = typer.Option(None, help=N_("grid (every combination) or random.")),
    trials: int = typer.Option(None, help=N_("Random search: the number of trials.")),
    seed: int = typer.Option(None, help=N_("Sweep seed: every trial's seed derives from it.")),
    repeats: int = typer.Option(None, help=N_("Runs of each configuration with different seeds.")),
    metric: str = typer.Option(
        None,
        help=N_(
            "Rank by: train_, val_ or test_ followed by loss, accuracy, f1, r2, rmse or mae, "
            "e.g. val_accuracy."
        ),
    ),
    direction: str = typer.Option(
        None, help=N_("max or min (default: min for losses and errors).")
    ),
    param: list[str] = typer.Option(
        [],
        "--param",
        "-p",
        metavar="KEY=VALUES",
        help=N_(
            "A swept option, repeatable: lr=0.001,0.01; hidden=4,16x16; "
            "'hidden=[[8],[8,8]]'; random search also takes lr=log_uniform:1e-4:1 "
            "(and uniform:, int:)."
        ),
    ),
    fixed: list[str] = typer.Option(
        [],
        "--fixed",
        "-f",
        metavar="KEY=VALUE",
        help=N_(
            "An option every trial shares, repeatable: epochs=50, optimizer=sgd, hidden=16x16."
        ),
    ),
    retry_failed: bool = typer.Option(False, help=N_("Run again the trials recorded as failed.")),
    top: int = typer.Option(10, help=N_("Rows of the live table (0: all).")),
    quiet: bool = typer.Option(False, help=N_("No live display; only the final table.")),
) -> None:
    spec = load_spec(spec_file) if spec_file is not None else {}
    spec = _merge(
        spec,
        data=data,
        target=target,
        overrides=given(
            search=search,
            trials=trials,
            seed=seed,
            repeats=repeats,
            metric=metric,
            direction=direction,
        ),
        params=param,
        fixed=fixed,
    )
    if "data" not in spec:
        raise ValueError(_("no data: give a spec file with data:, or --data NAME|FILE.csv"))
    if out is None:
        stem = spec_file.stem if spec_file is not None else Path(str(spec["data"])).stem
        out = Path("sweeps") / stem
    title = spec.get("name") or _("sweep {out}").format(out=out)
    bar = Progress(
        TextColumn(styled("bold", _("trials"))),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    task = bar.add_task("trials", total=None)
    live = Live(console=console, refresh_per_second=4, transient=False) if not quiet else None

    def progress(update: SweepProgress) -> None:
        bar.update(task, total=update.total, completed=update.done)
        if live is not None:
            live.update(Group(bar, _table(update, top, title)))

    if live is not None:
        live.start()
    try:
        result = run(spec, out, jobs=jobs, dask=dask, progress=progress, retry_failed=retry_failed)
    except KeyboardInterrupt:
        if live is not None:
            live.stop()
        console.print(
            styled("yellow", _("interrupted: "))
            + escape(
                _(
                    "the finished trials are recorded in {out}; run the same command again to "
                    "run the rest."
                ).format(out=out)
            ),
            highlight=False,
        )
        raise typer.Exit(130) from None
    finally:
        if live is not None:
            live.stop()
    if quiet or live is None:
        console.print(_table(result, None, title))
    console.print()
    console.print(
        _(
            "{ran} trial(s) run, {skipped} already done, {failed} failed; "
            "ranked by {metric} ({direction})."
        ).format(
            ran=result.ran,
            skipped=result.skipped,
            failed=len(result.failed),
            metric=result.metric,
            direction=_(DIRECTIONS.get(result.direction, result.direction)),
        ),
        highlight=False,
    )
    if result.best is not None:
        best = result.best
        console.print(
            _("best: trial {index} {params} → {metric} {value}").format(
                index=best["index"],
                params=best["params"],
                metric=result.metric,
                value=best["metrics"].get(result.metric),
            ),
            highlight=False,
        )
    for name in ("results", "markdown", "csv", "figure"):
        if name in result.files:
            console.print(f"  {result.files[name]}", highlight=False)
