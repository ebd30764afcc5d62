"""``fcnn train`` (``fcnn evaluate`` and ``fcnn predict`` are in evaluate.py).

A run directory holds ``run.json`` (how the run was set up: data source and its
preparation, network, loss, optimiser, schedule, fit options), ``model.safetensors``,
``history.json`` and ``checkpoint.safetensors``; ``evaluate``, ``predict`` and
``train --resume`` read it back, so new data is prepared exactly as training data was.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from .. import __version__
from ..activations import ACTIVATIONS
from ..data import SOURCE_NAMES, TASKS
from ..data.source import fingerprint
from ..data.stream.recorded import STREAM_MEMORY_SHARE, StreamedData
from ..i18n import N_, translator
from ..models import INIT_NAMES, mlp
from ..train import DivergenceWarning, EarlyStopping, fit
from ..train.checkpoint import CHECKPOINT_NAME
from ..train.rundir import lock_run_dir
from .app import app, console, friendly, help_text
from .cluster import DASK_HELP, check_dask, dask_client
from .options import data_dir_option, given, int_list, loss_option, optimizer_option
from .results import results_table
from .runs import (
    RUN_FILE,
    SetLearningRate,
    WriteRunConfig,
    build_optimizer,
    new_run_dir,
    read_config,
    training_data,
)
from .schedules import (
    batches_per_epoch,
    build_schedule,
    check_resumed_schedule,
    schedule_config,
    schedule_option,
)
from .streamed import run_dataset, scores
from .train_checks import (
    DEFAULT_EPOCHS,
    SCHEDULE_NAMES,
    check_train_options,
    class_weight_option,
    fit_class_weight,
    given_options,
)

_ = translator("cli")

# the tasks, as the line that starts a run shows them
TASK_WORDS = (N_("classification"), N_("regression"))


def _optimizer_kwargs(lr, momentum, nesterov, weight_decay, beta1, beta2, eps, alpha) -> dict:
    kwargs = given(lr=lr, momentum=momentum, weight_decay=weight_decay, eps=eps, alpha=alpha)
    if nesterov:
        kwargs["nesterov"] = True
    if beta1 is not None or beta2 is not None:
        kwargs["betas"] = [0.9 if beta1 is None else beta1, 0.999 if beta2 is None else beta2]
    return kwargs


def _setup(config: dict[str, Any], dataset: Any = None):
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


def _new_lr(config: dict[str, Any], lr: float, run_path: Path) -> SetLearningRate:
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


def _diverged(history, config: dict[str, Any], opt, run_path: Path) -> RuntimeError:
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


def _no_divergence_warning(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command`` with fcnn's DivergenceWarning silenced: a diverged run ends in the one
    line of :func:`_diverged`, with what to do next, not in a warning as well."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DivergenceWarning)
            return command(*args, **kwargs)

    return wrapper


def _resumed_config(run_path: Path, epochs: int | None, allow_changed_data: bool) -> dict:
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


@app.command(
    help=N_("Train a network and keep the run (model, history, checkpoint) in a directory."),
)
@friendly
@_no_divergence_warning
def train(
    ctx: typer.Context,
    data: str = typer.Argument(
        None,
        metavar="DATA",
        help=help_text(
            N_("A CSV, Parquet or .npy file, a folder of Parquet files, or a data set: {names}."),
            names=", ".join(name for name in SOURCE_NAMES if name != "csv"),
        ),
    ),
    target: str = typer.Option(
        None,
        help=N_(
            "Files only: the target column's name (default: a CSV's last; "
            ".npy: a column index or a .npy file of targets)."
        ),
    ),
    task: str = typer.Option(
        None,
        help=N_(
            "Files only: classification or regression (default: inferred from the target; "
            "integers are classes when few: at most max(10, √rows))."
        ),
    ),
    stream: bool = typer.Option(
        None,
        "--stream/--no-stream",
        help=help_text(
            N_(
                "Read the file chunk by chunk instead of into memory (default: Parquet, "
                ".npy and folders always; a CSV file when it is larger than {share} of "
                "the available memory)."
            ),
            share=f"{STREAM_MEMORY_SHARE:.0%}",
        ),
    ),
    hidden: str = typer.Option(
        "16,16", help=N_("Hidden layer widths, comma-separated ('' for none).")
    ),
    activation: str = typer.Option(
        "relu",
        help=help_text(
            N_("Hidden activation: {names}."), names=", ".join(ACTIVATIONS) + ", maxout"
        ),
    ),
    output: str = typer.Option(
        None, help=N_("Output activation (default none: the losses take logits).")
    ),
    loss: str = loss_option(),
    optimizer: str = optimizer_option(),
    lr: float = typer.Option(
        None, help=N_("Learning rate (default: the optimiser's, as PyTorch).")
    ),
    momentum: float = typer.Option(None, help=N_("SGD / RMSprop momentum.")),
    nesterov: bool = typer.Option(False, help=N_("SGD: Nesterov momentum.")),
    weight_decay: float = typer.Option(None, help=N_("L2 penalty (AdamW: decoupled decay).")),
    beta1: float = typer.Option(None, help=N_("Adam / AdamW β1 (default 0.9).")),
    beta2: float = typer.Option(None, help=N_("Adam / AdamW β2 (default 0.999).")),
    eps: float = typer.Option(None, help=N_("The optimiser's ε.")),
    alpha: float = typer.Option(None, help=N_("RMSprop smoothing constant (default 0.99).")),
    schedule: str = schedule_option(
        None,
        help=help_text(N_("Learning-rate schedule: {names}."), names=", ".join(SCHEDULE_NAMES)),
    ),
    gamma: float = schedule_option(
        0.1, help=N_("step, multistep, exponential, plateau: the factor.")
    ),
    step_size: int = schedule_option(
        None,
        help=N_(
            "step: epochs between decays (default 10); cyclic: epochs per half cycle (default 4)."
        ),
    ),
    milestones: str = schedule_option(None, help=N_("multistep: epochs, e.g. 10,20.")),
    t_max: int = schedule_option(None, help=N_("cosine: period in epochs (default: --epochs).")),
    start_factor: float = schedule_option(
        1 / 3, help=N_("linear: the factor on the rate at first."), show_default="1/3"
    ),
    end_factor: float = schedule_option(1.0, help=N_("linear: the factor at the end.")),
    total_iters: int = schedule_option(
        None, help=N_("linear, polynomial: epochs to the end factor (default: --epochs).")
    ),
    power: float = schedule_option(1.0, help=N_("polynomial: the power (1: a straight line).")),
    decay_rate: float = schedule_option(
        1.0, help=N_("inverse-time: lr / (1 + rate · ⌊epoch / interval⌋).")
    ),
    time_interval: int = schedule_option(1, help=N_("inverse-time: epochs between decays.")),
    max_lr: float = schedule_option(
        None, help=N_("cyclic, onecycle: the highest learning rate (stepped every batch).")
    ),
    epochs: int = typer.Option(
        None, help=N_("Epochs to train (default 20; with --resume, the total).")
    ),
    batch_size: int = typer.Option(32, help=N_("Mini-batch size (>= rows: full-batch descent).")),
    batchnorm: bool = typer.Option(False, help=N_("BatchNorm after every hidden linear layer.")),
    dropout: float = typer.Option(
        0.0, help=N_("Dropout probability after every hidden activation.")
    ),
    max_norm: float = typer.Option(
        None,
        help=N_(
            "Max-norm: keep each hidden unit's incoming weights at L2 norm <= this after "
            "every step (Srivastava et al. 2014; e.g. 3)."
        ),
    ),
    init: str = typer.Option(
        "default", help=help_text(N_("Weight initialiser: {names}."), names=", ".join(INIT_NAMES))
    ),
    init_scale: float = typer.Option(
        None, help=N_("std of 'normal', bound of 'uniform', Xavier gain.")
    ),
    seed: int = typer.Option(0, help=N_("Seed of weights, dropout and batch order.")),
    validation_split: float = typer.Option(
        0.0, help=N_("Fraction of training rows held out to validate.")
    ),
    early_stopping: int = typer.Option(
        None,
        help=N_(
            "Stop after this many epochs without a better "
            "validation loss (holds out 10 % if no split is given)."
        ),
    ),
    class_weight: str = typer.Option(
        None,
        help=N_(
            "Classification: weigh each class's rows in the loss, 'balanced' "
            "(n / (classes · count)) or CLASS=WEIGHT pairs, e.g. 0=1,1=5."
        ),
    ),
    test_split: float = typer.Option(
        0.2, help=N_("Fraction held out as the test set (images keep theirs).")
    ),
    n: int = typer.Option(None, help=N_("Generated data sets: number of points.")),
    noise: float = typer.Option(None, help=N_("Generated data sets: noise level.")),
    data_seed: int = typer.Option(None, help=N_("Generated data sets: seed of the points.")),
    data_dir: str = data_dir_option(),
    download: bool = typer.Option(False, help=N_("mnist / fashion-mnist: download missing files.")),
    dtype: str = typer.Option("float32", help=N_("float32 or float64.")),
    run_dir: Path = typer.Option(
        None, help=N_("Where the run is kept (default runs/<data>-<time>).")
    ),
    resume: Path = typer.Option(
        None, help=N_("Continue the run in this directory where it stopped.")
    ),
    allow_changed_data: bool = typer.Option(
        False,
        "--allow-changed-data",
        help=N_("--resume: go on although the run's data changed since it began."),
    ),
    verbose: int = typer.Option(
        1, help=N_("0 silent, 1 progress bar and a line per epoch, 2 lines.")
    ),
    dask: str = typer.Option(None, metavar="CLUSTER", help=DASK_HELP),
) -> None:
    check_train_options(ctx.params, given_options(ctx))
    extra_callbacks = []
    run_path = run_dir
    if resume is not None:
        read_config(resume)  # a directory holding no run is refused before it is locked
        run_path = resume
    else:
        if data is None:
            raise ValueError(_("give a data set or a CSV file to train on (or --resume DIR)"))
        if early_stopping is not None and not validation_split:
            validation_split = 0.1
        source, dataset, loss, n_out = training_data(data, loss, ctx.params)
        if isinstance(dataset, StreamedData) and validation_split:
            raise ValueError(
                _(
                    "--validation-split and --early-stopping need rows in memory; a streamed "
                    "run is evaluated on its --test-split instead"
                )
            )
        config = {
            "fcnn_version": __version__,
            "source": source,
            "data_fingerprint": fingerprint(source),
            "task": dataset.task,
            "classes": dataset.classes,
            "feature_names": dataset.feature_names,
            "preprocess": dataset.preprocess,
            "network": {
                "sizes": [dataset.n_features, *int_list(hidden, "--hidden"), n_out],
                "activation": activation,
                "output": output,
                "batchnorm": batchnorm,
                "dropout": dropout,
                "max_norm": max_norm,
                "init": init,
                "init_scale": init_scale,
            },
            "loss": loss,
            "optimizer": {
                "name": optimizer,
                "kwargs": _optimizer_kwargs(
                    lr, momentum, nesterov, weight_decay, beta1, beta2, eps, alpha
                ),
            },
            "schedule": schedule_config(
                ctx.params,
                DEFAULT_EPOCHS if epochs is None else epochs,
                batches_per_epoch(_rows(dataset), validation_split, batch_size),
            ),
            "early_stopping": early_stopping,
            "fit": {
                "epochs": DEFAULT_EPOCHS if epochs is None else epochs,
                "batch_size": batch_size,
                "validation_split": validation_split,
            },
            "seed": seed,
            "dtype": dtype,
        }
        if class_weight is not None:
            config["class_weight"] = class_weight_option(class_weight)
            fit_class_weight(config)  # a class the data do not have is refused here
        built = _setup(config, dataset)  # every option checked before the run directory exists
        if dask is not None:
            check_dask(config, built[0])
        if run_path is None:
            run_path = new_run_dir(data)  # a name of its own, claimed with mkdir
    with lock_run_dir(run_path):  # one process in a run directory, from run.json to the end
        if resume is not None:  # read under the lock: the run may just have moved on
            config = _resumed_config(resume, epochs, allow_changed_data)
            if lr is not None:
                extra_callbacks.append(_new_lr(config, lr, run_path))
            built = _setup(config)
            if dask is not None:
                check_dask(config, built[0])
        elif (run_path / RUN_FILE).exists():
            raise ValueError(
                _(
                    "{run} already holds a run; use --resume {run} to continue "
                    "it, or choose another --run-dir"
                ).format(run=run_path)
            )
        dataset, model, opt, callbacks = built
        callbacks += [*extra_callbacks, WriteRunConfig(run_path, config)]
        with dask_client(dask) as client:  # a local cluster is closed however fit ends
            _train_locked(run_path, config, dataset, model, opt, callbacks, resume, verbose, client)


def _rows(dataset: Any) -> int | None:
    """Training rows: counted by the statistics pass for a stream (None once resumed)."""
    return dataset.n_train if isinstance(dataset, StreamedData) else len(dataset.X_train)


def _train_locked(
    run_path, config, dataset, model, opt, callbacks, resume, verbose, client=None
) -> None:
    """What ``fcnn train`` does once it holds the run directory: say what runs, fit,
    report; run.json is written when training starts (a run fit refuses leaves none)."""
    if verbose:
        # Which task and why: a CSV's is inferred from its target (fcnn.data.infer_task).
        other = TASKS[1 - TASKS.index(config["task"])]
        fresh_csv = config["source"]["name"] in ("csv", "stream") and resume is None
        hint = _("; --task {other} overrides").format(other=other) if fresh_csv else ""
        why = f" ({dataset.task_reason}{hint})" if dataset.task_reason else ""
        line = _(
            "{data}: {rows} training rows, {features} features, task {task}{why}; "
            "network {sizes} {activation}; run directory {run}"
        ).format(
            data=f"[bold]{escape(config['source']['name'])}[/]",
            rows="?" if _rows(dataset) is None else _rows(dataset),
            features=dataset.n_features,
            task=_(config["task"]),
            why=escape(why),
            sizes="-".join(map(str, config["network"]["sizes"])),
            activation=config["network"]["activation"],
            run=escape(str(run_path)),
        )
        console.print(line, highlight=False)
    fit_options = config["fit"]
    history = fit(
        model,
        dataset.X_train,
        dataset.y_train,
        loss=config["loss"],
        optimizer=opt,
        epochs=fit_options["epochs"],
        batch_size=fit_options["batch_size"],
        validation_split=fit_options["validation_split"],
        seed=config["seed"],
        callbacks=callbacks,
        verbose=verbose,
        run_dir=run_path,
        resume=resume is not None,
        class_weight=fit_class_weight(config),
        dask=client,
    )
    if history.diverged:
        raise _diverged(history, config, opt, run_path)
    rows = {"train": scores(model, dataset.X_train, dataset.y_train, loss=config["loss"])}
    if dataset.X_test is not None:
        rows["test"] = scores(model, dataset.X_test, dataset.y_test, loss=config["loss"])
    console.print(results_table(_("{epochs} epochs").format(epochs=len(history)), rows))
    for name in ("model.safetensors", "history.json", CHECKPOINT_NAME, RUN_FILE):
        if (run_path / name).exists():
            console.print(f"  {run_path / name}", highlight=False)
