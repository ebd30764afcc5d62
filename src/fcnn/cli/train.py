"""``fcnn train``: the command, its options, and the run it carries out (``fcnn
evaluate`` and ``fcnn predict`` are in evaluate.py).

A run directory holds ``run.json`` (how the run was set up: data source and its
preparation, network, loss, optimiser, schedule, fit options), ``model.safetensors``,
``history.json`` and ``checkpoint.safetensors``; ``evaluate``, ``predict`` and
``train --resume`` read it back, so new data is prepared exactly as training data was.

The command checks its options (``train_checks.py``), makes or reads the run's
configuration and builds the model from it (``train_config.py``), and, holding the run
directory's lock, trains with ``fcnn.fit`` (on a Dask cluster with ``--dask``:
``cluster.py``) and says what it did (``train_report.py``). A streamed run's
differences are in ``streamed.py``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..activations import ACTIVATIONS
from ..data import SOURCE_NAMES
from ..data.stream.recorded import STREAM_MEMORY_SHARE
from ..i18n import N_, translator
from ..models import INIT_NAMES
from ..train import fit
from ..train.rundir import lock_run_dir
from .app import app, friendly, help_text
from .cluster import check_dask, dask_client, dask_option
from .options import data_dir_option, loss_option, optimizer_option
from .runs import RUN_FILE, WriteRunConfig, new_run_dir, read_config, training_data
from .schedules import schedule_option
from .streamed import check_in_memory_options
from .train_checks import SCHEDULE_NAMES, check_train_options, fit_class_weight, given_options
from .train_config import new_config, new_lr, resumed_config, setup
from .train_report import diverged, no_divergence_warning, say_results, say_start

_ = translator("cli")


@app.command(
    help=N_("Train a network and keep the run (model, history, checkpoint) in a directory."),
)
@friendly
@no_divergence_warning
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
    dask: str = dask_option(),
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
        check_in_memory_options(dataset, validation_split)
        config = new_config(ctx.params, source, dataset, loss, n_out, validation_split)
        built = setup(config, dataset)  # every option checked before the run directory exists
        if dask is not None:
            check_dask(config, built[0])
        if run_path is None:
            run_path = new_run_dir(data)  # a name of its own, claimed with mkdir
    with lock_run_dir(run_path):  # one process in a run directory, from run.json to the end
        if resume is not None:  # read under the lock: the run may just have moved on
            config = resumed_config(resume, epochs, allow_changed_data)
            if lr is not None:
                extra_callbacks.append(new_lr(config, lr, run_path))
            built = setup(config)
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


def _train_locked(
    run_path, config, dataset, model, opt, callbacks, resume, verbose, client=None
) -> None:
    """What ``fcnn train`` does once it holds the run directory: say what runs, fit,
    report; run.json is written when training starts (a run fit refuses leaves none)."""
    if verbose:
        say_start(config, dataset, run_path, resumed=resume is not None)
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
        raise diverged(history, config, opt, run_path)
    say_results(run_path, config, dataset, model, len(history))
