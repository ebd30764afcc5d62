"""``fcnn evaluate`` and ``fcnn predict``: a trained run (or a bare model file) on data,
prepared as its training data were."""

from __future__ import annotations

import csv as csv_module
import io
from pathlib import Path

import typer

from ..data import apply_preprocess, csv_features
from ..files import atomic_write_text
from ..i18n import N_, translator
from ..metrics import probabilities
from .app import app, console, friendly
from .options import run_argument, target_option
from .results import results_table
from .runs import evaluation_data, load_run
from .streamed import scores

_ = translator("cli")


@app.command(
    "evaluate",
    help=N_("Report loss and metrics of a trained model."),
)
@friendly
def evaluate_command(
    run: Path = run_argument(),
    data: str = typer.Option(None, help=N_("Data to evaluate on (default: the run's test split).")),
    target: str = target_option(),
) -> None:
    config, model = load_run(run)
    X, y, split = evaluation_data(config, data, target)
    loss = None if config is None else config["loss"]
    console.print(results_table(run.name, {split: scores(model, X, y, loss=loss)}))


@app.command(
    help=N_("Predict for the rows of a CSV file; writes a CSV with the prediction of each row."),
)
@friendly
def predict(
    run: Path = run_argument(),
    input_csv: Path = typer.Argument(
        ...,
        metavar="CSV",
        help=N_(
            "A CSV file of rows of features (a header "
            "row naming the run's feature columns; others are ignored)."
        ),
    ),
    output: Path = typer.Option(None, "--output", "-o", help=N_("Write here (default: stdout).")),
) -> None:
    config, model = load_run(run)
    names = None if config is None else config.get("feature_names")
    X, _names = csv_features(input_csv, names)
    if config is not None:
        X = apply_preprocess(config["preprocess"], X)
    out = model.predict(X)
    buffer = io.StringIO()
    writer = csv_module.writer(buffer, lineterminator="\n")
    if config is not None and config["task"] == "regression":
        writer.writerow(
            ["prediction"]
            if out.shape[1] == 1
            else [f"prediction_{i}" for i in range(out.shape[1])]
        )
        writer.writerows([[f"{v:.6g}" for v in row] for row in out])
    else:
        probs = probabilities(model, out)
        classes = (config or {}).get("classes") or [str(i) for i in range(probs.shape[1])]
        writer.writerow(["prediction", *(f"p_{c}" for c in classes)])
        for row in probs:
            writer.writerow([classes[int(row.argmax())], *(f"{p:.6f}" for p in row)])
    if output is None:
        typer.echo(buffer.getvalue(), nl=False)
    else:
        atomic_write_text(output, buffer.getvalue())
        console.print(
            _("{count} predictions written to {path}").format(count=len(X), path=output),
            highlight=False,
            markup=False,
        )
