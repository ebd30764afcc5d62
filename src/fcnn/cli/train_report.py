"""What ``fcnn train`` says about a run: the line that starts it (data, task and why,
network, run directory), the one-line error of a run that diverged (with what to do
next), and the table of loss and metrics and the list of files it ends with."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.markup import escape

from ..data import TASKS
from ..i18n import N_, translator
from ..train import DivergenceWarning
from ..train.checkpoint import CHECKPOINT_NAME
from .app import console
from .results import results_table
from .runs import RUN_FILE
from .streamed import scores, training_rows

__all__ = ["diverged", "no_divergence_warning", "say_results", "say_start"]

_ = translator("cli")

# the tasks, as the line that starts a run shows them
TASK_WORDS = (N_("classification"), N_("regression"))


def say_start(config: dict[str, Any], dataset: Any, run_path: Path, resumed: bool) -> None:
    """The line that starts a run: its data, their task and why, the network, where it is
    kept."""
    # Which task and why: a CSV's is inferred from its target (fcnn.data.infer_task).
    other = TASKS[1 - TASKS.index(config["task"])]
    fresh_csv = config["source"]["name"] in ("csv", "stream") and not resumed
    hint = _("; --task {other} overrides").format(other=other) if fresh_csv else ""
    why = f" ({dataset.task_reason}{hint})" if dataset.task_reason else ""
    rows = training_rows(dataset)
    line = _(
        "{data}: {rows} training rows, {features} features, task {task}{why}; "
        "network {sizes} {activation}; run directory {run}"
    ).format(
        data=f"[bold]{escape(config['source']['name'])}[/]",
        rows="?" if rows is None else rows,
        features=dataset.n_features,
        task=_(config["task"]),
        why=escape(why),
        sizes="-".join(map(str, config["network"]["sizes"])),
        activation=config["network"]["activation"],
        run=escape(str(run_path)),
    )
    console.print(line, highlight=False)


def say_results(run_path: Path, config: dict[str, Any], dataset: Any, model: Any, epochs: int):
    """The loss and metrics on the training and test rows, and the files the run keeps."""
    rows = {"train": scores(model, dataset.X_train, dataset.y_train, loss=config["loss"])}
    if dataset.X_test is not None:
        rows["test"] = scores(model, dataset.X_test, dataset.y_test, loss=config["loss"])
    console.print(results_table(_("{epochs} epochs").format(epochs=epochs), rows))
    for name in ("model.safetensors", "history.json", CHECKPOINT_NAME, RUN_FILE):
        if (run_path / name).exists():
            console.print(f"  {run_path / name}", highlight=False)


def diverged(history, config: dict[str, Any], opt, run_path: Path) -> RuntimeError:
    """The error for a run the divergence guard stopped, with what to do next."""
    smaller = f"{opt.param_groups[0]['lr'] / 10:g}"
    if config["schedule"] and (run_path / CHECKPOINT_NAME).exists():
        advice = _("start a new one (another --run-dir) with a smaller --lr, e.g. {lr}")
    else:
        advice = _(
            "to go on from there at a smaller learning rate: fcnn train --resume {run} --lr {lr}"
        )
    return RuntimeError(
        _("training diverged: {reason}. The run is kept; {advice}").format(
            reason=history.stop_reason, advice=advice.format(run=run_path, lr=smaller)
        )
    )


def no_divergence_warning(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command`` with fcnn's DivergenceWarning silenced: a diverged run ends in the one
    line of :func:`diverged`, with what to do next, not in a warning as well."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DivergenceWarning)
            return command(*args, **kwargs)

    return wrapper
