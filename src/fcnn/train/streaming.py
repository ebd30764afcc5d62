"""``fit`` and ``evaluate`` on a :class:`~fcnn.data.stream.BatchSource`: data read chunk
by chunk instead of arrays in memory.

The training loop is ``fit``'s own (``train/loop.py``): each epoch only gets its batches
from here instead of from slices of a permuted array. They are read, converted to the
model's dtype and to the loss's targets in a background thread
(:func:`fcnn.data.stream.prefetch`) while the step runs.

The shuffle seed of each epoch is drawn from ``fit``'s shuffle generator, whose state
the run directory's checkpoint keeps: a resumed run draws the same seeds and sees the
same batches, and the source's fingerprint, recorded in the checkpoint's configuration,
refuses a source that changed in between. With one chunk and a shuffle buffer holding
every row, a streamed epoch visits each row once, as an in-memory one does, but in other
batches (the permutation is drawn elsewhere, see :mod:`fcnn.data.stream.shuffle`);
without shuffling the batches are the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import numpy as np

from ..core import Module
from ..data.stream import BatchSource, prefetch
from ..data.stream.prefetch import room_for_reader
from ..data.stream.shuffle import split_slab
from ..i18n import N_, Message

__all__ = ["PREFETCH_DEPTH", "first_batch", "source_outputs", "stream_config", "stream_epoch"]

PREFETCH_DEPTH = 3  # slabs (or, evaluating, batches) read ahead of the step


def first_batch(source: BatchSource, y: Any, validation_split: float) -> tuple[Any, Any]:
    """The source's first batch in its own order (what the loss and the output size are
    chosen from), after refusing what a source cannot take."""
    if y is not None:
        template = N_("fit: y= is not used with a data source ({source} gives its targets)")
        raise ValueError(Message("train", template, source=repr(source)))
    if validation_split:
        template = N_(
            "fit: validation_split needs rows in memory; with a data source pass "
            "validation_data= (arrays or another source)"
        )
        raise ValueError(Message("train", template))
    for X, target in source.batches(0, 1024, shuffle=False):
        if target is None:
            template = N_("fit: {source} gives no targets; give it a target column")
            raise ValueError(Message("train", template, source=repr(source)))
        return X, target
    template = N_("fit: {source} gave no rows; there is nothing to fit")
    raise ValueError(Message("train", template, source=repr(source)))


def stream_config(source: BatchSource) -> dict[str, Any]:
    """What a run directory records of the source (compared when resuming)."""
    # Through JSON, as the checkpoint holds it, so that it compares equal when read back.
    return {
        "n_train": source.n_rows,
        "data_fingerprint": json.loads(json.dumps(source.fingerprint())),
    }


def stream_epoch(
    source: BatchSource,
    epoch: int,
    batch_size: int,
    shuffle: bool,
    shuffle_rng: np.random.Generator,
    prepare: Callable[[Any, Any], tuple[np.ndarray, np.ndarray]],
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch's prepared batches, read ahead in a background thread. Close it (or run
    it to its end) to stop the thread."""
    seed = int(shuffle_rng.integers(2**63)) if shuffle else 0  # drawn now, as fit would
    slabs = source.slabs(epoch, batch_size, seed, shuffle=shuffle)
    # Whole slabs cross from the reader thread, each prepared at once; the step takes its
    # batches from them as views (one hand-over per slab, not per batch).
    return _split(prefetch((prepare(X, y) for X, y in slabs), PREFETCH_DEPTH), batch_size)


def _split(ready: Iterator[tuple[Any, Any]], batch_size: int) -> Iterator[tuple[Any, Any]]:
    try:
        with room_for_reader():
            for X, y in ready:
                yield from split_slab(X, y, batch_size)
    finally:
        ready.close()  # stops the reader thread


def source_outputs(
    model: Module, source: BatchSource, batch_size: int = 4096
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """The model's outputs (in eval mode) and the targets (None if it has none) of
    ``source``, batch by batch in its order, the batches read ahead in a background
    thread. Close it (or run it to its end) to stop the thread and restore the model's
    mode."""
    was_training = model.training
    model.eval()
    try:
        with closing(
            prefetch(source.batches(0, batch_size, shuffle=False), PREFETCH_DEPTH)
        ) as batches:
            for X, y in batches:
                yield model.forward(np.asarray(X, dtype=model.dtype)), y
    finally:
        model.train(was_training)
