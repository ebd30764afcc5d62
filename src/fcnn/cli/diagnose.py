"""``fcnn diagnose``: what every layer of a trained (or untrained) network does with data.

Per layer: activation statistics, dead ReLUs, saturated sigmoid / tanh units, gradient
flow and the size of one optimiser step, then a verdict in words for each problem. A
run directory brings its own data (prepared as in training), loss and optimiser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.box import SIMPLE_HEAD
from rich.table import Table

from ..diagnose import diagnose
from ..diagnose.report import Report
from ..diagnose.verdicts import percent
from ..i18n import N_, translator
from ..train import load_checkpoint
from ..train.checkpoint import CHECKPOINT_NAME
from .app import app, console, friendly, styled
from .options import max_samples_option, run_argument, split_option, target_option
from .runs import build_optimizer, check_split, load_run, run_data

_ = translator("cli")

FORMATS = ("text", "markdown", "json")
# the table's column headings; the symbols are the same in every language
HEADINGS = (
    N_("layer"),
    N_("units"),
    N_("mean ± std"),
    N_("dead"),
    N_("satur."),
    "‖∂L/∂W‖",
    "‖∂L/∂z‖",
    "ΔW/W",
)
SEVERITIES = {"warning": N_("warning: "), "info": N_("info: ")}


def _run_optimizer(config: dict, model: Any, run: Path):
    """The run's optimiser on ``model``, with its state from the last checkpoint if any, so
    that the measured step is the one training would take next."""
    name, kwargs = config["optimizer"]["name"], config["optimizer"]["kwargs"]
    optimizer = build_optimizer(name, model.parameters(), kwargs)
    checkpoint = run / CHECKPOINT_NAME
    if checkpoint.exists():
        state = dict(load_checkpoint(checkpoint)["optimizer"])
        state["state"] = {int(k): v for k, v in state["state"].items()}
        optimizer.load_state_dict(state)
    return optimizer


def _short(value: float | None) -> str:
    return "—" if value is None else f"{value:.1e}"


def _fraction(fraction: float | None) -> str:
    return "—" if fraction is None else percent(fraction) if fraction else "0"


def _print_text(report: Report, title: str) -> None:
    """A table narrow enough for an 80-column terminal, then the verdicts."""
    table = Table(
        title=_("{title}: {summary}").format(title=title, summary=report.summary()),
        title_justify="left",
        box=SIMPLE_HEAD,
        pad_edge=False,
    )
    for heading in HEADINGS:
        justify = "left" if heading == "units" else "right"
        table.add_column(_(heading), justify=justify, no_wrap=True)
    linear = _("linear")  # a layer with no activation after it
    for s in report.layers:
        table.add_row(
            str(s.layer),
            f"{s.units} {s.activation or linear}",
            f"{s.mean:.2g} ± {s.std:.2g}",
            _fraction(s.dead_fraction),
            _fraction(s.saturated_fraction),
            _short(s.grad_norm),
            _short(s.backprop_norm),
            _short(s.update_ratio),
        )
    console.print(table)
    for finding in report.findings:
        style = "bold yellow" if finding.severity == "warning" else "cyan"
        console.print(
            styled(style, _(SEVERITIES.get(finding.severity, finding.severity + ": ")))
            + finding.message,
            highlight=False,
            soft_wrap=True,
        )
    for note in report.notes:
        console.print(
            styled("dim", _("note: ")) + f"[dim]{note}[/]", highlight=False, soft_wrap=True
        )
    if report.ok:
        console.print(styled("bold green", _("no problems found")), highlight=False)


@app.command(
    "diagnose",
    help=N_(
        "Look inside a network: dead, saturated or exploding units, each "
        "named with advice.\n\n"
        "Dead ReLUs, saturated units, vanishing or exploding gradients and "
        "update sizes out of proportion: each problem found is named in "
        "words, with advice."
    ),
)
@friendly
def diagnose_command(
    run: Path = run_argument(),
    data: str = typer.Option(
        None,
        help=N_(
            "Data to look at: a data set name or a CSV file, prepared as the run's training "
            "data was (default: the run's own data, see --split)."
        ),
    ),
    target: str = target_option(),
    split: str = split_option("train"),
    lr: float = typer.Option(
        None,
        help=N_(
            "Size the update/weight ratio for a plain SGD step with this learning rate "
            "(default: the next step of the run's own optimiser)."
        ),
    ),
    batch_size: int = typer.Option(
        256, help=N_("Rows per chunk; in train mode BatchNorm normalises each chunk.")
    ),
    max_samples: int = max_samples_option(None),
    mode: str = typer.Option(
        "train", help=N_("'train' (as the optimiser sees the network) or 'eval' mode.")
    ),
    output_format: str = typer.Option(
        "text", "--format", help=N_("text (a table and verdicts), markdown or json.")
    ),
    strict: bool = typer.Option(False, help=N_("Exit with status 2 when a warning is found.")),
) -> None:
    if output_format not in FORMATS:
        raise ValueError(
            _("--format {value!r}: expected one of {choices}").format(
                value=output_format, choices=", ".join(FORMATS)
            )
        )
    check_split(split)
    config, model = load_run(run)
    X, y, name = run_data(config, data, target, split)
    optimizer = None
    if lr is None and config is not None:
        optimizer = _run_optimizer(config, model, run)
    report = diagnose(
        model,
        X,
        y,
        loss=None if config is None else config["loss"],
        lr=lr,
        optimizer=optimizer,
        batch_size=batch_size,
        mode=mode,
        max_samples=max_samples,
        data_name=name,
    )
    if output_format == "json":
        typer.echo(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
    elif output_format == "markdown":
        typer.echo(report.to_markdown(), nl=False)
    else:
        _print_text(report, run.name)
    if strict and not report.ok:
        # SystemExit, not typer.Exit: friendly() would take typer's (a RuntimeError) for an error.
        raise SystemExit(2)
