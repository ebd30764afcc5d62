"""Run directories: made for ``fcnn train`` and read back by the commands that look at a
trained network (``evaluate``, ``predict``, ``diagnose``, ``export``, ``plot``,
``train --resume``).

A run directory (``fcnn train --run-dir``) holds ``run.json`` (how the run was set up:
data source and its preparation, network, loss, optimiser, schedule, fit options) and
``model.safetensors``; from them new data is prepared exactly as the training data was.
Every command that takes a run directory also takes a bare model file, without run.json.

``run.json`` is read warily (:func:`read_config`): its fields are checked against
``RUN_LAYOUT`` (what ``fcnn train`` writes; a new field is added there too) and the
network it claims against the weights the directory stores, so a damaged or crafted
file is refused with ``ModelFileError`` before anything is built.
"""

from __future__ import annotations

import inspect
import itertools
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..core import Module
from ..data import SOURCE_NAMES, apply_preprocess, csv_features, load_source, make_source
from ..data import csv as read_csv
from ..files import (
    COUNT,
    INTEGER,
    POSITIVE,
    ModelFileError,
    Rule,
    atomic_write_text,
    check_json,
    read_json_file,
)
from ..i18n import translator
from ..io import load
from ..losses import get_loss
from ..optim import OPTIMIZERS
from ..tensorfile import TensorFile
from ..train import Callback, TrainState
from ..train.checkpoint import CHECKPOINT_NAME
from .streamed import run_dataset, sample_rows, stream_evaluation, streamed

_ = translator("cli")

RUN_FILE = "run.json"
MODEL_FILE = "model.safetensors"

# Without stored weights to compare with, run.json may claim at most this many
# parameters (4 GiB in float32): far above any run fcnn's CLI is for, far below harm.
MAX_PARAMETERS = 2**30

_INT, _COUNT, _WIDTH = INTEGER, COUNT, POSITIVE
# What fcnn.data.source.fingerprint records (absent in runs made before it existed).
_FILE = {"path": str, "size": _INT, "mtime_ns": _INT, "edges_sha256": str}
_FINGERPRINT = (
    {"kind": Rule.one_of("file", "bundled"), "sha256": str},
    # streamed files (fcnn.data.stream): sizes, times and edges, never all the bytes
    {
        "kind": Rule.one_of("parquet"),
        "target": (str, None),
        "schema": str,
        "rows": _INT,
        "row_groups": _INT,
        "files": [_FILE],
    },
    {"kind": Rule.one_of("csv"), "target": (str, None), "schema": str, "file": _FILE},
    {"kind": Rule.one_of("npy"), "X": _FILE, "shape": [_INT], "y?": _FILE, "target?": _INT},
    {"kind": Rule.one_of("published"), "md5": {str: str}},
    {
        "kind": Rule.one_of("generated"),
        "name": str,
        "arguments": {str: (str, float, _INT, bool, None)},
    },
)

RUN_LAYOUT = {
    "fcnn_version": str,
    "source": {
        "name": str,
        "path?": str,
        "target?": (str, _INT),
        "n?": _INT,
        "noise?": float,
        "seed?": _INT,
        "data_dir?": (str, None),
        "download?": bool,
        "test_split?": float,
        "split_seed?": _INT,
        "task?": Rule.one_of("classification", "regression"),
    },
    "task": Rule.one_of("classification", "regression"),
    "classes": ([str], None),
    "feature_names": ([str], None),
    "preprocess": (
        {"kind": Rule.one_of("none")},
        {"kind": Rule.one_of("scale"), "factor": float},
        {"kind": Rule.one_of("standardize"), "mean": [float], "scale": [float]},
    ),
    "network": {
        "sizes": Rule(
            "a list of two or more integers >= 1",
            lambda v: (
                isinstance(v, list) and len(v) >= 2 and all(type(s) is int and s >= 1 for s in v)
            ),
        ),
        "activation": str,
        "output": (str, None),
        "batchnorm": bool,
        "dropout": float,
        "max_norm?": (float, None),
        "init": str,
        "init_scale": (float, None),
    },
    "loss": str,
    "optimizer": {"name": str, "kwargs": {str: (float, bool, [float])}},
    "schedule": (
        {
            "name": str,
            "step_size?": _INT,
            "gamma?": float,
            "milestones?": [_INT],
            "T_max?": _INT,
            "factor?": float,
            "start_factor?": float,
            "end_factor?": float,
            "total_iters?": _INT,
            "power?": float,
            "decay_rate?": float,
            "time_interval?": _INT,
            "max_lr?": float,
            "step_size_up?": _INT,
            "epochs?": _INT,
            "steps_per_epoch?": _INT,
            "cycle_momentum?": bool,
        },
        None,
    ),
    "early_stopping": (_COUNT, None),
    "class_weight?": (Rule.one_of("balanced"), {str: float}),
    "fit": {"epochs": _WIDTH, "batch_size": _WIDTH, "validation_split": float},
    "seed": _INT,
    "dtype": Rule.one_of("float32", "float64"),
    "lr_changes?": [{"after_epoch": _COUNT, "lr": float}],
    "data_fingerprint?": _FINGERPRINT,
    "earlier_data_fingerprints?": [_FINGERPRINT],
}
"""What ``fcnn train`` writes to ``run.json``, as :func:`fcnn.files.check_json` reads it."""
_ADVICE = "run.json is damaged; restore it from a copy, or train a new run"


def new_run_dir(data: str, root: Path = Path("runs")) -> Path:
    """A new, empty directory ``root/<data>-<date>-<time>`` for a run, made here.

    Made with an exclusive ``mkdir``, so that no other run can take it: a second run
    started in the same second gets ``-2``, a third ``-3``, and so on.
    """
    stem = data if data in SOURCE_NAMES else Path(data).stem
    base = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    root.mkdir(parents=True, exist_ok=True)
    number = 1
    while True:
        path = root / (base if number == 1 else f"{base}-{number}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            number += 1


class WriteRunConfig(Callback):
    """Write ``run.json`` when training starts: once ``fit`` has accepted the data, loss and
    options, so that a run refused on the way leaves no run.json to block the next one."""

    def __init__(self, run_dir: Path, config: dict[str, Any]) -> None:
        self.path = run_dir / RUN_FILE
        self.config = config

    def on_train_begin(self, state: TrainState) -> None:
        atomic_write_text(self.path, json.dumps(self.config, indent=1))


class SetLearningRate(Callback):
    """Put a new learning rate into every parameter group when training starts, after a
    resumed run's optimiser state (which holds the old rate) has been restored, and note
    in the run's ``config`` after which epoch the rate changed (run.json stays true)."""

    def __init__(self, lr: float, config: dict[str, Any]) -> None:
        self.lr = lr
        self.config = config

    def on_train_begin(self, state: TrainState) -> None:
        for group in state.optimizer.param_groups:
            group["lr"] = self.lr
        change = {"after_epoch": len(state.history), "lr": self.lr}
        self.config.setdefault("lr_changes", []).append(change)


# The command-line options that describe a data set, and make_source's name for each.
_SOURCE_OPTIONS = {
    "target": "target",
    "task": "task",
    "n": "n",
    "noise": "noise",
    "data_seed": "seed",
    "data_dir": "data_dir",
    "download": "download",
    "test_split": "test_split",
    "seed": "split_seed",
    "stream": "stream",
}


def training_data(data: str, loss: str | None, options: dict[str, Any]) -> tuple:
    """The data set a training command names, and its loss: ``(source, dataset, loss,
    n_outputs)``. ``options`` are the command's parameters (``ctx.params``); those that
    describe the data go to :func:`fcnn.data.make_source`. Without ``loss``,
    cross-entropy for a classification and MSE otherwise; an unknown name is refused
    here, before anything is written; a loss of 0/1 targets (BCE) takes one output unit."""
    given = {key: options[name] for name, key in _SOURCE_OPTIONS.items() if name in options}
    source = make_source(data, **given)
    dataset = load_source(source)
    if loss is None:
        loss = "cross_entropy" if dataset.task == "classification" else "mse"
    n_out = 1 if get_loss(loss).target_kind == "binary" else dataset.n_outputs
    return source, dataset, loss, n_out


def read_config(run_dir: Path) -> dict[str, Any]:
    """The ``run.json`` of ``run_dir``, checked: FileNotFoundError naming it when there is
    none, ModelFileError naming it and the field when it is damaged, or when the network
    it claims is larger than the weights the directory stores (or than MAX_PARAMETERS
    when it stores none)."""
    run_file = run_dir / RUN_FILE
    if not run_file.exists():
        raise FileNotFoundError(2, _("not an fcnn run directory (no run.json)"), str(run_file))
    config = read_json_file(run_file)
    check_json(run_file, config, RUN_LAYOUT, "", _ADVICE)
    try:
        _check_optimizer(config["optimizer"]["name"], config["optimizer"]["kwargs"])
    except ValueError as err:
        problem = f"has an optimizer fcnn cannot build ({err}): {_ADVICE}"
        raise ModelFileError(run_file, problem) from None
    _check_network_size(run_file, config["network"]["sizes"], run_dir)
    return config


def _check_network_size(run_file: Path, sizes: list[int], run_dir: Path) -> None:
    """Refuse sizes claiming more parameters than stored, before ``mlp`` allocates them.

    The weights of ``sizes`` (in·out + out per layer) are a lower bound of what the
    network holds; the checkpoint (weights and optimiser state) or the model file, read
    by their headers only, hold at least that many scalars when they belong to it.
    """
    claimed = sum(a * b + b for a, b in itertools.pairwise(sizes))
    for name in (CHECKPOINT_NAME, MODEL_FILE):
        if (run_dir / name).is_file():
            with TensorFile(run_dir / name) as stored:
                budget = sum(math.prod(shape) for _dtype, shape in stored.tensors.values())
            where = f"{name} stores {budget:,}"
            break
    else:
        budget, where = (
            MAX_PARAMETERS,
            f"fcnn builds at most {MAX_PARAMETERS:,} from run.json alone",
        )
    if claimed > budget:
        raise ModelFileError(
            run_file,
            f"claims a network {'-'.join(map(str, sizes))} of {claimed:,} parameters but "
            f"{where}: the file is damaged or belongs to another run",
        )


def model_file(path: Path) -> Path:
    """The model file of a run directory, or ``path`` itself when it is a file."""
    if path.is_dir():
        found = path / MODEL_FILE
        if not found.exists():
            raise FileNotFoundError(
                2, _("not an fcnn run directory (no model.safetensors)"), str(found)
            )
        return found
    return path


def load_run(path: Path) -> tuple[dict[str, Any] | None, Module]:
    """(run config, model) of a run directory; (None, model) for a bare model file."""
    config = read_config(path) if path.is_dir() else None
    return config, load(model_file(path))


def build_optimizer(name: str, params: Any, kwargs: dict[str, Any]) -> Any:
    """The optimiser ``name`` on ``params`` with the options ``kwargs``.

    Each option is checked against the optimiser's signature first, so that an option
    it does not take (``--beta1`` for SGD) is named as such.
    """
    _check_optimizer(name, kwargs)
    return OPTIMIZERS[name](params, **kwargs)


def _check_optimizer(name: str, kwargs: dict[str, Any]) -> None:
    if name not in OPTIMIZERS:
        raise ValueError(
            _("--optimizer {name!r}: expected one of {choices}").format(
                name=name, choices=", ".join(OPTIMIZERS)
            )
        )
    accepted = inspect.signature(OPTIMIZERS[name]).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    for key in kwargs:
        if key not in accepted and not takes_any:
            raise ValueError(
                _("optimizer {name!r} does not take the option {key!r}").format(name=name, key=key)
            )


def check_split(split: str) -> None:
    if split not in ("train", "test"):
        raise ValueError(_("--split {split!r}: expected 'train' or 'test'").format(split=split))


# --------------------------------------------------------------------------- data


def evaluation_data(config: dict[str, Any] | None, data: str | None, target: str | None):
    """(X, y, name) to evaluate on: the run's own test split, or new data prepared as the
    run's training data was."""
    if data is None:
        if config is None:
            raise ValueError(_("a bare model file needs --data to evaluate on"))
        dataset = run_dataset(config)
        if dataset.X_test is None:
            return dataset.X_train, dataset.y_train, "train"
        return dataset.X_test, dataset.y_test, "test"
    if config is None:
        dataset = load_source(make_source(data, target=target, test_split=0.0))
        return dataset.X_train, dataset.y_train, data
    if streamed(data):
        return stream_evaluation(config, data, target), None, Path(data).name
    if Path(data).suffix.lower() in (".csv", ".tsv", ".tab"):
        table = read_csv(data, target=target if target is not None else -1)
        X = (
            table.X
            if config["feature_names"] is None
            else csv_features(data, config["feature_names"])[0]
        )
        y = table.y
        if config.get("classes") and table.classes:
            index = {name: i for i, name in enumerate(config["classes"])}
            unknown = [c for c in table.classes if c not in index]
            if unknown:
                raise ValueError(
                    _("{data}: class {name!r} was not seen in training").format(
                        data=data, name=unknown[0]
                    )
                )
            y = np.array([index[table.classes[label]] for label in table.y])
        return apply_preprocess(config["preprocess"], X), y, Path(data).name
    source = make_source(data, test_split=0.0)
    dataset = load_source(source)
    return dataset.X_train, dataset.y_train, data


def run_data(config: dict[str, Any] | None, data: str | None, target: str | None, split: str):
    """(X, y, how messages name the data): ``data`` prepared as the run's training data
    was, else the run's own ``split`` ("train" or "test")."""
    if data is not None:
        return sample_rows(*evaluation_data(config, data, target))
    if config is None:
        raise ValueError(_("a bare model file needs --data to look at (a data set name or a CSV)"))
    dataset = run_dataset(config)
    if split == "train":
        return sample_rows(dataset.X_train, dataset.y_train, _("the training set"))
    if dataset.X_test is None:
        raise ValueError(_("this run has no test split; use --split train or --data"))
    return sample_rows(dataset.X_test, dataset.y_test, _("the test set"))
