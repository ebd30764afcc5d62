"""Streamed data sets as a run directory records them: ``{"name": "stream", "path": ...,
"target": ..., "test_split": ..., "split_seed": ...}`` made into training and test
sources, standardised by a streaming statistics pass over the training rows (or by the
preparation a run recorded), their fingerprints, and when the CLI streams by itself.

``fcnn.data.load_source`` and ``fcnn.data.source.fingerprint`` hand ``"stream"``
sources here; nothing here imports them back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...i18n import N_, Message
from ..task import infer_task
from . import as_source
from .base import BatchSource, StreamError
from .split import SplitSource
from .stats import PreparedSource, stream_statistics

__all__ = [
    "STREAMED_SUFFIXES",
    "STREAM_MEMORY_SHARE",
    "StreamedData",
    "available_memory",
    "load_stream",
    "raw_source",
    "stream_fingerprint",
    "streams_by_itself",
]

# A CSV file larger than this share of the available memory is streamed without
# --stream: read in memory it takes about as much again as float64 arrays and a copy.
STREAM_MEMORY_SHARE = 0.25
STREAMED_SUFFIXES = (".parquet", ".pq", ".npy")  # always streamed: no in-memory reader
FIRST_ROWS = 65_536  # rows the task is inferred from when --task is not given
STATS_ROWS = 16_384  # rows per batch of the statistics pass


def available_memory() -> int:
    """Bytes of memory available to a new process (psutil's estimate, else sysconf's)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:  # psutil is optional; Linux and macOS have sysconf
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def streams_by_itself(path: str | os.PathLike[str]) -> bool:
    """Whether the CLI streams ``path`` without ``--stream``: a folder, a Parquet or
    ``.npy`` file always; a CSV file when larger than STREAM_MEMORY_SHARE of the
    available memory."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() in STREAMED_SUFFIXES:
        return True
    return path.is_file() and path.stat().st_size > STREAM_MEMORY_SHARE * available_memory()


def raw_source(source: dict[str, Any]) -> BatchSource:
    """The unprepared, unsplit source a record names."""
    return as_source(source["path"], source.get("target"))


def stream_fingerprint(source: dict[str, Any]) -> dict[str, Any]:
    """What identifies the data a record names (sizes, times and edges of its files)."""
    return raw_source(source).fingerprint()


@dataclass
class StreamedData:
    """What ``load_source`` gives for a streamed source: the same fields as an in-memory
    ``Dataset``, with sources where it has arrays (targets inside them: ``y_*`` None)."""

    X_train: BatchSource
    X_test: BatchSource | None
    task: str
    classes: list[str] | None
    feature_names: list[str]
    preprocess: dict[str, Any]
    task_reason: str
    n_train: int | None  # counted by the statistics pass; None when read from a record
    n_outputs: int
    y_train: None = None
    y_test: None = None

    @property
    def n_features(self) -> int:
        return len(self.feature_names)


def _first_targets(source: BatchSource) -> np.ndarray:
    for _X, y in source.batches(0, FIRST_ROWS, shuffle=False):
        if y is None:
            template = N_("{source!r} gives no targets; name its target column (--target)")
            raise StreamError(Message("data", template, source=source))
        return np.asarray(y)
    template = N_("{source!r} has no training rows; there is nothing to fit")
    raise StreamError(Message("data", template, source=source))


def _is_text(y: np.ndarray) -> bool:
    return y.dtype.kind in "OUS"


def _task(y: np.ndarray, task: str | None, name: str) -> tuple[str, str]:
    """infer_task's choice on the first rows (text labels as indices into their classes)."""
    if _is_text(y):
        names, index = np.unique(y.astype(str), return_inverse=True)
        return infer_task(index, list(names), task=task, name=name)
    return infer_task(y, task=task, name=name)


def _outputs(task: str, labels: np.ndarray | None, text: bool, name: str) -> int:
    if task == "regression":
        return 1
    if text:
        return len(labels)
    if (labels < 0).any() or (labels != np.round(labels)).any():
        value = labels[(labels < 0) | (labels != np.round(labels))][0]
        template = N_(
            "target {name!r} holds {value!r}; class labels must be whole numbers >= 0 (or text)"
        )
        raise StreamError(Message("data", template, name=name, value=value))
    return int(labels.max()) + 1


def load_stream(source: dict[str, Any], recorded: dict[str, Any] | None = None) -> StreamedData:
    """Training and test sources of a record, prepared. Without ``recorded`` (a run's
    ``task``, ``classes``, ``preprocess``, ``network``), one streaming pass over the
    training rows finds the standardisation and the classes; with it, none is made."""
    raw = raw_source(source)
    fraction, seed = source.get("test_split", 0.0), source.get("split_seed", 0)
    train = SplitSource(raw, "train", fraction, seed) if fraction else raw
    test = SplitSource(raw, "test", fraction, seed) if fraction else None
    name = str(source.get("target", "y"))
    if recorded is None:
        first = _first_targets(train)
        task, reason = _task(first, source.get("task"), name)
        text = _is_text(first)
        # Batches of STATS_ROWS: the pass holds about three float64 copies of one.
        stats = stream_statistics(train, classes=task == "classification", batch_size=STATS_ROWS)
        preprocess, n_train = stats.preprocess(), stats.n_rows
        classes = [str(c) for c in stats.classes] if text else None
        n_out = _outputs(task, stats.classes, text, name)
    else:
        task, reason, n_train = recorded["task"], "", None
        classes, preprocess = recorded["classes"], recorded["preprocess"]
        n_out = recorded["network"]["sizes"][-1]
    labels = None if classes is None else np.array(classes, dtype=object)
    return StreamedData(
        PreparedSource(train, preprocess, labels),
        None if test is None else PreparedSource(test, preprocess, labels),
        task,
        classes,
        list(raw.feature_names),
        preprocess,
        reason,
        n_train,
        n_out,
    )
