"""What the commands do differently with a streamed run (``{"name": "stream", ...}`` in
run.json, see ``fcnn.data.stream.recorded``): its data rebuilt from the preparation the
run recorded (no second statistics pass), new data prepared the same way, the options
``fcnn train`` refuses for it and the rows it counts, and the rows that commands needing
arrays in memory (``diagnose``, ``plot``, ``explain``) look at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..data import load_source
from ..data.stream import BatchSource, PreparedSource, as_source
from ..data.stream.recorded import StreamedData, streams_by_itself
from ..i18n import translator
from ..train import evaluate

__all__ = [
    "SAMPLE_ROWS",
    "RunSource",
    "check_in_memory_options",
    "run_dataset",
    "sample_rows",
    "stream_evaluation",
    "streamed",
    "training_rows",
]

_ = translator("cli")

SAMPLE_ROWS = 65_536  # rows of a streamed split that the commands needing arrays read
EVALUATION_ROWS = 4096  # rows evaluated at a time


def streamed(data: str) -> bool:
    """Whether ``data`` (a path given on the command line) is read as a stream."""
    return Path(data).exists() and streams_by_itself(data)


class RunSource(BatchSource):
    """A run's training source, fingerprinted by what run.json says of it.

    ``fit`` refuses to resume a checkpoint whose source's fingerprint changed; the CLI
    compares the files' fingerprints itself (``fcnn train --resume``, which
    ``--allow-changed-data`` lets through), so the checkpoint keeps only the run's
    description of its data, which a mended file leaves as it was."""

    def __init__(self, source: BatchSource, record: dict[str, Any]) -> None:
        super().__init__(shuffle_buffer=source.shuffle_buffer, dtype=source.dtype)
        self.source, self.record = source, record
        self.feature_names, self.n_rows = source.feature_names, source.n_rows

    def _chunk_count(self) -> int | None:
        return self.source.n_chunks

    def _read_chunk(self, index: int):
        return self.source._read_chunk(index)

    def _stream(self):
        return self.source._stream()

    def fingerprint(self) -> dict[str, Any]:
        return self.record


def run_dataset(config: dict[str, Any], dataset: Any = None) -> Any:
    """The data of a run (``dataset`` when already loaded): a streamed run's sources
    prepared as recorded, its training source fingerprinted by its record."""
    source = config["source"]
    if source["name"] != "stream":
        return load_source(source) if dataset is None else dataset
    if dataset is None:
        dataset = load_source(source, config)
    record = {"run_source": source, "preprocess": config["preprocess"]}
    dataset.X_train = RunSource(dataset.X_train, json.loads(json.dumps(record)))
    return dataset


def check_in_memory_options(dataset: Any, validation_split: float) -> None:
    """Refuse ``--validation-split`` (and ``--early-stopping``, which holds rows out) for
    a streamed run: held-out rows would have to be set apart in memory."""
    if isinstance(dataset, StreamedData) and validation_split:
        raise ValueError(
            _(
                "--validation-split and --early-stopping need rows in memory; a streamed "
                "run is evaluated on its --test-split instead"
            )
        )


def training_rows(dataset: Any) -> int | None:
    """Training rows: counted by the statistics pass for a stream (None once resumed)."""
    return dataset.n_train if isinstance(dataset, StreamedData) else len(dataset.X_train)


def stream_evaluation(config: dict[str, Any], data: str, target: str | None) -> BatchSource:
    """New streamed data (Parquet, ``.npy``, a folder, a large CSV) prepared as the run's
    training data were: its standardisation and its classes."""
    if target is None and config["source"]["name"] == "stream":
        target = config["source"].get("target")
    classes = config.get("classes")
    labels = None if classes is None else np.array(classes, dtype=object)
    return PreparedSource(as_source(data, target), config["preprocess"], labels)


def scores(model: Any, X: Any, y: Any, loss: Any) -> dict[str, float]:
    """``fcnn.evaluate``'s loss and metrics (on a source added batch by batch, so that
    memory holds one batch's outputs, never the whole file's)."""
    return evaluate(model, X, y, loss=loss, batch_size=EVALUATION_ROWS)


def sample_rows(X: Any, y: Any, name: str) -> tuple[Any, Any, str]:
    """``(X, y, name)`` as arrays: a source's first SAMPLE_ROWS rows, in its order."""
    if not isinstance(X, BatchSource):
        return X, y, name
    for batch, target in X.batches(0, SAMPLE_ROWS, shuffle=False):
        return batch, target, name
    raise ValueError(_("{source!r} has no rows").format(source=X))
