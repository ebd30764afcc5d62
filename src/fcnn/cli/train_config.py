"""The configuration of an ``fcnn train`` run (what run.json holds): made from the
command's options, read back to resume (its data checked unchanged, a new ``--lr``),
and built into the model, optimiser and callbacks ``fit`` takes.

A fresh run and a resumed one go through the same :func:`setup`, so a resumed run is
rebuilt exactly as it began; only the weights, the optimiser's state and the epoch come
from the checkpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import __version__
from ..data.source import fingerprint
from ..i18n import translator
from ..models import mlp
from ..train import EarlyStopping
from ..train.checkpoint import CHECKPOINT_NAME
from .options import given, int_list
from .runs import SetLearningRate, build_optimizer, read_config
from .schedules import batches_per_epoch, build_schedule, check_resumed_schedule, schedule_config
from .streamed import run_dataset, training_rows
from .train_checks import DEFAULT_EPOCHS, class_weight_option, fit_class_weight

__all__ = ["new_config", "new_lr", "resumed_config", "setup"]

_ = translator("cli")

# the options that describe the network besides its sizes, as run.json's "network" keeps them
NETWORK_OPTIONS = ("activation", "output", "batchnorm", "dropout", "max_norm", "init", "init_scale")


def _optimizer_kwargs(options: dict[str, Any]) -> dict:
    """The optimiser's keywords from ``--lr``, ``--momentum``, ``--beta1``…, only those
    given (the others keep the optimiser's defaults, as PyTorch's)."""
    names = ("lr", "momentum", "weight_decay", "eps", "alpha")
    kwargs = given(**{name: options[name] for name in names})
    if options["nesterov"]:
        kwargs["nesterov"] = True
    beta1, beta2 = options["beta1"], options["beta2"]
    if beta1 is not None or beta2 is not None:
        kwargs["betas"] = [0.9 if beta1 is None else beta1, 0.999 if beta2 is None else beta2]
    return kwargs


def new_config(
    options: dict[str, Any],
    source: dict[str, Any],
    dataset: Any,
    loss: str,
    n_out: int,
    validation_split: float,
) -> dict[str, Any]:
    """The configuration of a fresh run: ``options`` are the command's parameters
    (``ctx.params``); ``loss`` and ``validation_split`` as the command settled them
    (a loss chosen for the task, 10 % held out for ``--early-stopping``)."""
    epochs = DEFAULT_EPOCHS if options["epochs"] is None else options["epochs"]
    batch_size = options["batch_size"]
    config = {
        "fcnn_version": __version__,
        "source": source,
        "data_fingerprint": fingerprint(source),
        "task": dataset.task,
        "classes": dataset.classes,
        "feature_names": dataset.feature_names,
        "preprocess": dataset.preprocess,
        "network": {
            "sizes": [dataset.n_features, *int_list(options["hidden"], "--hidden"), n_out],
            **{name: options[name] for name in NETWORK_OPTIONS},
        },
        "loss": loss,
        "optimizer": {"name": options["optimizer"], "kwargs": _optimizer_kwargs(options)},
        "schedule": schedule_config(
            options,
            epochs,
            batches_per_epoch(training_rows(dataset), validation_split, batch_size),
        ),
        "early_stopping": options["early_stopping"],
        "fit": {
            "epochs": epochs,
            "batch_size": batch_size,
            "validation_split": validation_split,
        },
        "seed": options["seed"],
        "dtype": options["dtype"],
    }
    if options["class_weight"] is not None:
        config["class_weight"] = class_weight_option(options["class_weight"])
        fit_class_weight(config)  # a class the data do not have is refused here
    return config


def setup(config: dict[str, Any], dataset: Any = None):
    """Everything ``fit`` needs, rebuilt from a run configuration (fresh or from run.json;
    a fresh one comes with its ``dataset``, already loaded)."""
    dataset = run_dataset(config, dataset)
    net = config["network"]
    model = mlp(
        net["sizes"],
        net["activation"],
        net["output"],
        batchnorm=net["batchnorm"],
        dropout=net["dropout"],
        max_norm=net.get("max_norm"),  # absent in runs made before --max-norm existed
        init=net["init"],
        init_scale=net["init_scale"],
        seed=config["seed"],
        dtype=config["dtype"],
    )
    optimizer = build_optimizer(
        config["optimizer"]["name"], model.parameters(), config["optimizer"]["kwargs"]
    )
    callbacks = build_schedule(config["schedule"], optimizer)
    if config["early_stopping"] is not None:
        callbacks.append(EarlyStopping(patience=config["early_stopping"]))
    return dataset, model, optimizer, callbacks


def new_lr(config: dict[str, Any], lr: float, run_path: Path) -> SetLearningRate:
    """``--resume DIR --lr X``: the run goes on at the rate X (recorded in run.json)."""
    if config["schedule"] and (run_path / CHECKPOINT_NAME).exists():
        raise ValueError(
            _(
                "--lr: {run} follows a learning-rate schedule, whose state is in its "
                "checkpoint; start a new run (another --run-dir) with a smaller --lr instead"
            ).format(run=run_path)
        )
    config["optimizer"]["kwargs"]["lr"] = lr
    return SetLearningRate(lr, config)


def resumed_config(run_path: Path, epochs: int | None, allow_changed_data: bool) -> dict:
    """The run.json of a run to resume (read under its lock), after checking that its data
    are still those it began on."""
    config = read_config(run_path)
    if epochs is not None:
        config["fit"]["epochs"] = epochs
        check_resumed_schedule(config, run_path)
    recorded, now = config.get("data_fingerprint"), fingerprint(config["source"])
    if recorded is not None and recorded != now:
        if not allow_changed_data:
            where = config["source"].get("path", config["source"]["name"])
            raise ValueError(
                _(
                    "the data of the run in {run} ({where}) changed since the run began, so "
                    "resuming would not reproduce it: put the original data back, start a new "
                    "run, or pass --allow-changed-data to go on with the data as they are now"
                ).format(run=run_path, where=where)
            )
        config["earlier_data_fingerprints"] = [
            *config.get("earlier_data_fingerprints", []),
            recorded,
        ]
    config["data_fingerprint"] = now
    return config
