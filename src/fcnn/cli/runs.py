"""Run directories: made for ``fcnn train`` and read back by the commands that look at a
trained network (``evaluate``, ``predict``, ``diagnose``, ``export``, ``plot``,
``train --resume``).

A run directory (``fcnn train --run-dir``) holds ``run.json`` (how the run was set up:
data source and its preparation, network, loss, optimiser, schedule, fit options) and
``model.safetensors``; from them new data is prepared exactly as the training data was.
Every command that takes a run directory also takes a bare model file, without run.json.
"""

from __future__ import annotations

import inspect
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..core import Module
from ..data import SOURCE_NAMES, apply_preprocess, csv_features, load_source, make_source
from ..data import csv as read_csv
from ..files import atomic_write_text
from ..io import load
from ..optim import OPTIMIZERS
from ..train import Callback, TrainState

RUN_FILE = "run.json"
MODEL_FILE = "model.safetensors"


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


def read_config(run_dir: Path) -> dict[str, Any]:
    """The ``run.json`` of ``run_dir``; FileNotFoundError naming it when there is none."""
    run_file = run_dir / RUN_FILE
    if not run_file.exists():
        raise FileNotFoundError(2, "not an fcnn run directory (no run.json)", str(run_file))
    return json.loads(run_file.read_text())


def model_file(path: Path) -> Path:
    """The model file of a run directory, or ``path`` itself when it is a file."""
    if path.is_dir():
        found = path / MODEL_FILE
        if not found.exists():
            raise FileNotFoundError(
                2, "not an fcnn run directory (no model.safetensors)", str(found)
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
    if name not in OPTIMIZERS:
        raise ValueError(f"--optimizer {name!r}: expected one of {', '.join(OPTIMIZERS)}")
    accepted = inspect.signature(OPTIMIZERS[name]).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    for key in kwargs:
        if key not in accepted and not takes_any:
            raise ValueError(f"optimizer {name!r} does not take the option {key!r}")
    return OPTIMIZERS[name](params, **kwargs)


def check_split(split: str) -> None:
    if split not in ("train", "test"):
        raise ValueError(f"--split {split!r}: expected 'train' or 'test'")


# --------------------------------------------------------------------------- data


def evaluation_data(config: dict[str, Any] | None, data: str | None, target: str | None):
    """(X, y, name) to evaluate on: the run's own test split, or new data prepared as the
    run's training data was."""
    if data is None:
        if config is None:
            raise ValueError("a bare model file needs --data to evaluate on")
        dataset = load_source(config["source"])
        if dataset.X_test is None:
            return dataset.X_train, dataset.y_train, "train"
        return dataset.X_test, dataset.y_test, "test"
    if config is None:
        dataset = load_source(make_source(data, target=target, test_split=0.0))
        return dataset.X_train, dataset.y_train, data
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
                raise ValueError(f"{data}: class {unknown[0]!r} was not seen in training")
            y = np.array([index[table.classes[label]] for label in table.y])
        return apply_preprocess(config["preprocess"], X), y, Path(data).name
    source = make_source(data, test_split=0.0)
    dataset = load_source(source)
    return dataset.X_train, dataset.y_train, data


def run_data(config: dict[str, Any] | None, data: str | None, target: str | None, split: str):
    """(X, y, how messages name the data): ``data`` prepared as the run's training data
    was, else the run's own ``split`` ("train" or "test")."""
    if data is not None:
        return evaluation_data(config, data, target)
    if config is None:
        raise ValueError("a bare model file needs --data to look at (a data set name or a CSV)")
    dataset = load_source(config["source"])
    if split == "train":
        return dataset.X_train, dataset.y_train, "the training set"
    if dataset.X_test is None:
        raise ValueError("this run has no test split; use --split train or --data")
    return dataset.X_test, dataset.y_test, "the test set"
