"""``fcnn train``'s learning-rate schedule: its options in ``--help``, the ``schedule``
entry of run.json made from them, and the scheduler rebuilt from that entry.

run.json keeps the scheduler's name and its keyword arguments (PyTorch's names), so a
resumed run builds the very same scheduler; its state goes on in the checkpoint.
"""

from __future__ import annotations

import inspect
import math
from pathlib import Path
from typing import Any

import typer

from ..i18n import N_, translator
from ..optim import SCHEDULERS
from ..train import LRSchedulerCallback
from .options import int_list
from .train_checks import cycled_momentum

_ = translator("cli")

__all__ = [
    "batches_per_epoch",
    "build_schedule",
    "check_resumed_schedule",
    "schedule_config",
    "schedule_option",
]


def build_schedule(schedule: dict | None, optimizer) -> list:
    if not schedule:
        return []
    kwargs = dict(schedule)
    name = kwargs.pop("name")
    if name not in SCHEDULERS:
        raise ValueError(
            _("--schedule {name!r}: expected one of {choices}").format(
                name=name, choices=", ".join(SCHEDULERS)
            )
        )
    cls = SCHEDULERS[name]
    if "base_lr" in inspect.signature(cls).parameters:  # cyclic: up from the optimiser's lr
        kwargs.setdefault("base_lr", optimizer.param_groups[0]["lr"])
    # A per-batch schedule (cyclic, onecycle) says so; the callback asks it.
    return [LRSchedulerCallback(cls(optimizer, **kwargs))]


def schedule_config(options: dict[str, Any], epochs: int, steps_per_epoch: int) -> dict | None:
    """run.json's ``schedule``: the scheduler's name and keyword arguments, from the
    command line's options (``steps_per_epoch``: batches in an epoch, for cyclic and
    onecycle, which step after every batch)."""
    schedule = options["schedule"]
    if schedule is None:
        return None
    config: dict[str, Any] = {"name": schedule}
    if schedule == "step":
        config.update(step_size=options["step_size"] or 10, gamma=options["gamma"])
    elif schedule == "multistep":
        milestones = int_list(options["milestones"] or "", "--milestones")
        config.update(milestones=milestones, gamma=options["gamma"])
    elif schedule == "exponential":
        config.update(gamma=options["gamma"])
    elif schedule == "cosine":
        config.update(T_max=options["t_max"] or epochs)
    elif schedule == "plateau":
        config.update(factor=options["gamma"])
    elif schedule == "linear":
        config.update(
            start_factor=options["start_factor"],
            end_factor=options["end_factor"],
            total_iters=options["total_iters"] or epochs,
        )
    elif schedule == "polynomial":
        config.update(total_iters=options["total_iters"] or epochs, power=options["power"])
    elif schedule == "inverse-time":
        config.update(decay_rate=options["decay_rate"], time_interval=options["time_interval"])
    else:  # cyclic, onecycle: per batch; momentum (or beta1) cycles where there is one
        cycle = cycled_momentum(options["optimizer"]) is not None
        config.update(max_lr=options["max_lr"], cycle_momentum=cycle)
        if schedule == "cyclic":
            config.update(step_size_up=(options["step_size"] or 4) * steps_per_epoch)
        else:
            config.update(epochs=epochs, steps_per_epoch=steps_per_epoch)
    return config


def check_resumed_schedule(config: dict[str, Any], run_path: Path) -> None:
    """A onecycle schedule ends where it was planned to: --resume cannot add epochs."""
    schedule = config["schedule"] or {}
    planned = schedule.get("epochs")
    if planned is not None and config["fit"]["epochs"] > planned:
        raise ValueError(
            _(
                "--epochs {epochs}: the {name} schedule of {run} ends after {planned} epochs; "
                "start a new run to train longer"
            ).format(
                epochs=config["fit"]["epochs"],
                name=schedule["name"],
                run=run_path,
                planned=planned,
            )
        )


def batches_per_epoch(n_rows: int, validation_split: float, batch_size: int) -> int:
    """The batches ``fit`` trains on in an epoch: it holds out ``round(n · split)`` rows."""
    held_out = round(n_rows * validation_split) if validation_split else 0
    return math.ceil((n_rows - held_out) / batch_size)


def schedule_option(default: Any, help: str, **extra: Any) -> Any:
    """An option of the learning-rate schedule, shown in its own panel of --help."""
    return typer.Option(default, help=help, rich_help_panel=N_("Learning-rate schedule"), **extra)
