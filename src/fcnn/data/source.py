"""Data sets by name, with their preparation recorded: what the CLI, the playground and
sweeps load, and what a run directory stores so that ``evaluate``, ``predict`` and
``--resume`` see the data exactly as training did.

A *source* is a JSON-able dict, e.g. ``{"name": "moons", "n": 300, "noise": 0.2,
"seed": 3, "test_split": 0.2, "split_seed": 0}`` or ``{"name": "csv", "path":
"iris.csv", "target": "species", ...}``. :func:`load_source` turns it into a
:class:`Dataset`, whose ``preprocess`` record (scaling or standardisation, fitted on
the training rows only) :func:`apply_preprocess` applies to new data.
:func:`fingerprint` says which data a source gave, so that a run resumed on data that
changed since it began can be refused.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import checks
from ..i18n import N_, Message
from .images import MNIST_FILES, digits, mnist
from .registry import DATASETS, REGRESSION
from .scaling import Standardizer
from .split import train_test_split
from .tabular import csv
from .task import TASKS, infer_task

__all__ = [
    "SOURCE_NAMES",
    "Dataset",
    "apply_preprocess",
    "fingerprint",
    "load_source",
    "make_source",
]

IMAGE_SETS = {"mnist": "mnist", "fashion-mnist": "fashion"}
SOURCE_NAMES = (*DATASETS, "digits", *IMAGE_SETS, "csv")


@dataclass
class Dataset:
    """Training and test arrays, prepared, with what is needed to prepare new data."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    task: str  # "classification" or "regression"
    classes: list[str] | None = None  # names of the class labels, when known
    feature_names: list[str] | None = None
    preprocess: dict[str, Any] = field(default_factory=lambda: {"kind": "none"})
    task_reason: str | Message = ""  # why this task, in words (a CSV's is inferred: infer_task)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_outputs(self) -> int:
        """Network outputs: classes for classification, target columns for regression."""
        if self.task == "regression":
            return 1 if self.y_train.ndim == 1 else self.y_train.shape[1]
        if self.classes is not None:
            return len(self.classes)
        labels = (
            self.y_train if self.y_test is None else np.concatenate([self.y_train, self.y_test])
        )
        return int(labels.max()) + 1


def make_source(
    data: str,
    *,
    target: str | int | None = None,
    task: str | None = None,
    n: int | None = None,
    noise: float | None = None,
    seed: int | None = None,
    data_dir: str | None = None,
    download: bool = False,
    test_split: float = 0.2,
    split_seed: int = 0,
    stream: bool | None = None,
) -> dict[str, Any]:
    """Describe a data set: a name from ``SOURCE_NAMES`` or a path to a ``.csv`` file.

    ``target`` and ``task`` (``"classification"`` or ``"regression"``, instead of
    :func:`fcnn.data.infer_task`'s choice) apply to a CSV; ``n``, ``noise`` and ``seed``
    go to a generated set's maker; ``test_split`` holds out that fraction (images keep
    their own test set), drawn with ``split_seed``; ``data_dir``/``download`` locate
    MNIST-format files.

    A Parquet file (``.parquet``, ``.pq``), a folder of them or a ``.npy`` file, or a CSV
    file with ``stream=True`` (or, with ``stream=None``, larger than
    ``fcnn.data.stream.recorded.STREAM_MEMORY_SHARE`` of the available memory) is read
    as a stream: ``{"name": "stream", "path": ..., ...}``, its test rows chosen by a
    hash of their index (see ``fcnn.data.stream.split``).
    """
    for key, value in (("seed", seed), ("split_seed", split_seed)):
        if value is not None:
            checks.non_negative_int("make_source", key, value)
    if task is not None:
        checks.choice("make_source", "task", task, TASKS)
    if stream is not None:
        checks.flag("make_source", "stream", stream)
    if stream or (stream is None and _streamed_path(data)):
        return _stream_source(data, target, task, test_split, split_seed)
    if data.lower().endswith(".csv") or Path(data).suffix.lower() in (".csv", ".tsv"):
        source: dict[str, Any] = {"name": "csv", "path": str(Path(data).resolve())}
        if target is not None:
            source["target"] = target
        if task is not None:
            source["task"] = task
    elif data in DATASETS or data == "digits" or data in IMAGE_SETS:
        if task is not None:
            template = N_("--task applies to a CSV file, not to {data!r} (its task is fixed)")
            raise ValueError(Message("data", template, data=data))
        source = {"name": data}
        for key, value in (("n", n), ("noise", noise), ("seed", seed)):
            if value is not None:
                if data not in DATASETS:
                    template = N_("--{key} applies to generated data sets, not {data!r}")
                    raise ValueError(Message("data", template, key=key, data=data))
                source[key] = value
        if data in DATASETS and "seed" not in source:
            # A run must be able to draw the same points again: record a concrete seed, the
            # set's own default where it has one (planar's is the course's), else split_seed.
            default = inspect.signature(DATASETS[data]).parameters.get("seed")
            has_default = default is not None and isinstance(default.default, int)
            source["seed"] = default.default if has_default else int(split_seed)
        if data in IMAGE_SETS:
            source.update({"data_dir": data_dir, "download": bool(download)})
    else:
        template = N_("unknown data set {data!r}: give a .csv file or one of {names}")
        raise ValueError(Message("data", template, data=data, names=", ".join(SOURCE_NAMES)))
    if data not in IMAGE_SETS:
        source.update(_held_out(test_split, split_seed))
    return source


def _held_out(test_split: Any, split_seed: Any) -> dict[str, Any]:
    """The recorded held-out split, its fraction checked."""
    if not isinstance(test_split, (int, float)) or not 0 <= test_split < 1:
        template = N_("test_split={test_split!r}: expected a fraction in [0, 1)")
        raise ValueError(Message("data", template, test_split=test_split))
    return {"test_split": float(test_split), "split_seed": int(split_seed)}


def _streamed_path(data: str) -> bool:
    from .stream.recorded import streams_by_itself

    return Path(data).exists() and streams_by_itself(data)


def _stream_source(data, target, task, test_split, split_seed) -> dict[str, Any]:
    if data in SOURCE_NAMES:
        template = N_("--stream applies to a file or a folder, not to {data!r}")
        raise ValueError(Message("data", template, data=data))
    path = Path(data)
    if not path.exists():
        raise FileNotFoundError(2, Message("data", N_("no such file or folder")), str(path))
    source: dict[str, Any] = {"name": "stream", "path": str(path.resolve())}
    if target is not None:
        # A .npy file's target is a column index (or another .npy file of targets).
        numeric = path.suffix.lower() == ".npy" and str(target).lstrip("-").isdigit()
        source["target"] = int(target) if numeric else target
    if task is not None:
        source["task"] = task
    source.update(_held_out(test_split, split_seed))
    return source


def _split(X, y, source):
    if not source.get("test_split"):
        return X, y, None, None
    stratify = y.dtype.kind == "i"
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=source["test_split"], seed=source["split_seed"], stratify=stratify
    )
    return X_train, y_train, X_test, y_test


def load_source(source: dict[str, Any], recorded: dict[str, Any] | None = None) -> Any:
    """Load and prepare the data set a source describes (see :func:`make_source`).

    A ``"stream"`` source gives a :class:`fcnn.data.stream.recorded.StreamedData`
    (sources where a :class:`Dataset` has arrays); ``recorded`` (a run's configuration)
    gives its preparation instead of a statistics pass over the data."""
    name = source.get("name")
    if name == "stream":
        from .stream.recorded import load_stream

        return load_stream(source, recorded)
    if name == "csv":
        table = csv(source["path"], target=source.get("target", -1))
        task, reason = infer_task(
            table.y, table.classes, task=source.get("task"), name=table.target_name
        )
        y = table.y.astype(np.int64 if task == "classification" else np.float64)
        # Every row, whichever split it lands in, must standardise: a cell of 1e300 is an
        # error naming its column, never an infinite scale that zeroes the column.
        Standardizer().fit(table.X, feature_names=table.feature_names)
        X_train, y_train, X_test, y_test = _split(table.X, y, source)
        scaler = Standardizer().fit(X_train, feature_names=table.feature_names)
        preprocess = {"kind": "standardize", **scaler.state_dict()}
        return Dataset(
            scaler.transform(X_train),
            y_train,
            None if X_test is None else scaler.transform(X_test),
            y_test,
            task,
            list(table.classes) if table.classes else None,
            list(table.feature_names),
            preprocess,
            reason,
        )
    if name in IMAGE_SETS:
        X_train, y_train, X_test, y_test = mnist(
            source.get("data_dir"), kind=IMAGE_SETS[name], download=source.get("download", False)
        )
        preprocess = {"kind": "scale", "factor": 1 / 255}
        return Dataset(
            apply_preprocess(preprocess, X_train),
            y_train,
            apply_preprocess(preprocess, X_test),
            y_test,
            "classification",
            preprocess=preprocess,
            task_reason=Message("data", N_("ten classes of images")),
        )
    if name == "digits":
        X, y = digits()
        preprocess = {"kind": "scale", "factor": 1 / 16}
        X_train, y_train, X_test, y_test = _split(apply_preprocess(preprocess, X), y, source)
        return Dataset(
            X_train,
            y_train,
            X_test,
            y_test,
            "classification",
            preprocess=preprocess,
            task_reason=Message("data", N_("ten classes of images")),
        )
    if name in DATASETS:
        kwargs = {k: source[k] for k in ("n", "noise", "seed") if k in source}
        X, y = DATASETS[name](**kwargs)
        task = "regression" if name in REGRESSION else "classification"
        X_train, y_train, X_test, y_test = _split(X, y, source)
        return Dataset(
            X_train,
            y_train,
            X_test,
            y_test,
            task,
            feature_names=["x1", "x2"],
            task_reason=Message("data", SET_OF_TASK[task], name=name),
        )
    raise _unknown_source(name)


def _unknown_source(name: Any) -> ValueError:
    template = N_("unknown data source {name!r}; expected one of {names}")
    return ValueError(Message("data", template, name=name, names=", ".join(SOURCE_NAMES)))


# why a named set's task is what it is, one sentence per task (the word differs by language)
SET_OF_TASK = {
    "classification": N_("{name} is a classification set"),
    "regression": N_("{name} is a regression set"),
}


def fingerprint(source: dict[str, Any]) -> dict[str, Any]:
    """What identifies the data ``source`` gives: equal fingerprints, equal data.

    A CSV file: the SHA-256 of its bytes. MNIST and Fashion-MNIST: the MD5 of each IDX
    file, which the loader checks against the published value before reading it.
    digits: the SHA-256 of its arrays. A generated set: its name and every argument of
    its generator, defaults included (a default that changes changes the points).
    """
    name = source.get("name")
    if name == "stream":  # a file's size, time and edges: hashing 50 GB would take minutes
        from .stream.recorded import stream_fingerprint

        return json.loads(json.dumps(stream_fingerprint(source)))
    if name == "csv":
        digest = hashlib.sha256()
        with open(source["path"], "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return {"kind": "file", "sha256": digest.hexdigest()}
    if name in IMAGE_SETS:
        return {"kind": "published", "md5": dict(MNIST_FILES[IMAGE_SETS[name]])}
    if name == "digits":
        digest = hashlib.sha256()
        for array in digits():
            digest.update(np.ascontiguousarray(array).tobytes())
        return {"kind": "bundled", "sha256": digest.hexdigest()}
    if name in DATASETS:
        kwargs = {k: source[k] for k in ("n", "noise", "seed") if k in source}
        arguments = inspect.signature(DATASETS[name]).bind(**kwargs)
        arguments.apply_defaults()
        # As run.json will hold them (tuples become lists), to compare equal when read back.
        recorded = json.loads(json.dumps(arguments.arguments, default=repr))
        return {"kind": "generated", "name": name, "arguments": recorded}
    raise _unknown_source(name)


def apply_preprocess(preprocess: dict[str, Any], X: Any) -> np.ndarray:
    """Prepare new features the way the training data was prepared."""
    X = np.asarray(X)
    if X.dtype.kind == "c":  # a cast would drop the imaginary part with only a warning
        template = N_("apply_preprocess: X is complex ({dtype}); features must be real")
        raise TypeError(Message("data", template, dtype=X.dtype))
    kind = preprocess.get("kind", "none")
    if kind == "none":
        return np.asarray(X, dtype=np.float64)
    if kind == "scale":  # images: float32 keeps 60,000 MNIST rows at 188 MB, not 376 MB
        return np.asarray(X, dtype=np.float32) * np.float32(preprocess["factor"])
    if kind == "standardize":
        state = {"mean": preprocess["mean"], "scale": preprocess["scale"]}
        return Standardizer.from_state_dict(state).transform(np.asarray(X, dtype=np.float64))
    raise ValueError(Message("data", N_("unknown preprocessing {kind!r}"), kind=kind))
