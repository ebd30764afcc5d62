"""The batch-source interface: what ``fit``, ``evaluate`` and :func:`stream_statistics`
read data larger than memory through.

A source is cut into *chunks* (a Parquet row group, a block of a memory-mapped ``.npy``
file, a Dask partition, a block of CSV text). One epoch reads the chunks in an order
drawn from ``(seed, epoch)``, pours their rows into a shuffle buffer of bounded size and
hands out batches (:mod:`.shuffle`), so that memory holds about the buffer and one
chunk, whatever the size of the data.

A subclass writes either ``_chunk_count`` and ``_read_chunk`` (chunks that can be read
in any order) or ``_stream`` (chunks only in their own order, as a CSV reader gives
them), and ``fingerprint``. Code outside a source reads its chunks through the public
``n_chunks``, ``chunks`` and ``shard`` (a part of the chunks, as data-parallel training
gives each worker).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ... import checks
from ...i18n import N_, Message
from .shuffle import rebatch, slabs

__all__ = [
    "DEFAULT_SHUFFLE_BUFFER",
    "BatchSource",
    "Shard",
    "StreamError",
    "file_fingerprint",
]

# Rows mixed at once: 16,384 rows of 784 float32 features (MNIST's) hold 51 MB, of 100
# features 6.5 MB. A larger buffer mixes better and costs memory (up to 1.5 times it).
DEFAULT_SHUFFLE_BUFFER = 16_384


class StreamError(ValueError):
    """Data a source cannot give as it should: one line, naming the file and the fix."""


class BatchSource:
    """``(X, y)`` batches of a data set read chunk by chunk, epoch after epoch.

    Attributes
    ----------
    feature_names : list of str
    n_rows : int or None
        None when the source cannot know it without reading everything (a CSV file, an
        iterable).
    shuffle_buffer : int
        Rows mixed at once when shuffling (see :mod:`fcnn.data.stream.shuffle`).
    dtype : numpy dtype
        Of the features handed out (float32 unless asked otherwise).
    """

    feature_names: list[str]
    n_rows: int | None = None

    def __init__(self, *, shuffle_buffer: int = DEFAULT_SHUFFLE_BUFFER, dtype: Any = np.float32):
        who = type(self).__name__
        self.shuffle_buffer = checks.positive_int(who, "shuffle_buffer", shuffle_buffer)
        self.dtype = np.dtype(checks.float_dtype(who, "dtype", dtype))

    # ------------------------------------------------------------ what a source writes

    def _chunk_count(self) -> int | None:
        """How many chunks ``_read_chunk`` reads; None when only ``_stream`` can."""
        return None

    def _read_chunk(self, index: int) -> tuple[np.ndarray, np.ndarray | None]:
        raise NotImplementedError

    def _stream(self) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """The chunks in the source's own order (the default reads them by index)."""
        for index in range(self._chunk_count() or 0):
            yield self._read_chunk(index)

    def fingerprint(self) -> dict[str, Any]:
        """A JSON-able dict that changes when the data does (a resumed run compares it)."""
        raise NotImplementedError

    # ------------------------------------------------------------ what every source gets

    @property
    def n_chunks(self) -> int | None:
        """How many chunks the source is cut into; None when they can only be read in the
        source's own order (then it cannot be shared out by :meth:`shard`)."""
        return self._chunk_count()

    def shard(self, index: int, count: int) -> Shard:
        """Part ``index`` of ``count``: the chunks ``index``, ``index + count``,
        ``index + 2·count``, ... (dealt round-robin, so the parts differ by at most one
        chunk). Every chunk is in exactly one part; a part is a source of its own."""
        who = f"{type(self).__name__}.shard"
        count = checks.positive_int(who, "count", count)
        index = checks.non_negative_int(who, "index", index)
        if index >= count:
            template = N_("{who}(index={index}): index must be < count ({count})")
            raise ValueError(Message("data", template, who=who, index=index, count=count))
        if self.n_chunks is None:
            template = N_(
                "{source} can only be read in its own order, so it cannot be cut into "
                "shards; convert it to Parquet or .npy"
            )
            raise StreamError(Message("data", template, source=repr(self)))
        return Shard(self, index, count)

    def chunks(self, rng: np.random.Generator | None = None):
        """Every chunk once: in an order drawn from ``rng`` when the chunks can be read
        in any order and ``rng`` is given, else in the source's own order."""
        count = self._chunk_count()
        if rng is None or count is None:
            yield from self._stream()
            return
        for index in rng.permutation(count):
            yield self._read_chunk(int(index))

    def batches(
        self, epoch: int = 0, batch_size: int = 32, seed: int = 0, *, shuffle: bool = True
    ) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """One epoch's ``(X, y)`` batches of ``batch_size`` rows (the last may be short).

        With ``shuffle``, the chunk order and the mixing come from a generator seeded by
        ``(seed, epoch)``: the same seed and epoch give the same batches, another epoch
        another order. Without it, the rows come in the source's order.
        """
        batch_size, rng = self._epoch("batches", epoch, batch_size, seed, shuffle)
        return rebatch(self.chunks(rng), batch_size, rng, self.shuffle_buffer)

    def slabs(
        self, epoch: int = 0, batch_size: int = 32, seed: int = 0, *, shuffle: bool = True
    ) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """The rows of :meth:`batches`, in runs of whole batches (see
        :mod:`fcnn.data.stream.shuffle`): what a reader thread hands over at once."""
        batch_size, rng = self._epoch("slabs", epoch, batch_size, seed, shuffle)
        return slabs(self.chunks(rng), batch_size, rng, self.shuffle_buffer)

    def _epoch(
        self, method: str, epoch: int, batch_size: int, seed: int, shuffle: bool
    ) -> tuple[int, np.random.Generator | None]:
        """The checked batch size and the epoch's generator (None without shuffling),
        checked when the method is called, not when its first batch is asked for."""
        who = f"{type(self).__name__}.{method}"
        epoch = checks.non_negative_int(who, "epoch", epoch)
        batch_size = checks.positive_int(who, "batch_size", batch_size)
        if not checks.flag(who, "shuffle", shuffle):
            return batch_size, None
        seed = checks.non_negative_int(who, "seed", seed)
        return batch_size, np.random.default_rng([seed, epoch])

    def _features(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=self.dtype)

    def __repr__(self) -> str:
        rows = "unknown" if self.n_rows is None else self.n_rows
        return f"{type(self).__name__}(features={len(self.feature_names)}, rows={rows})"


class Shard(BatchSource):
    """The chunks ``index::count`` of ``source`` (see :meth:`BatchSource.shard`), read in
    any order; their row count is unknown without reading them."""

    def __init__(self, source: BatchSource, index: int, count: int) -> None:
        super().__init__(shuffle_buffer=source.shuffle_buffer, dtype=source.dtype)
        self.source, self.index, self.count = source, index, count
        self.feature_names = source.feature_names
        self._own = range(index, source.n_chunks, count)

    def _chunk_count(self) -> int:
        return len(self._own)

    def _read_chunk(self, index: int):
        return self.source._read_chunk(self._own[index])

    def fingerprint(self) -> dict[str, Any]:
        return {**self.source.fingerprint(), "shard": [self.index, self.count]}


_EDGE = 1 << 16  # bytes hashed at each end of a file


def file_fingerprint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A file's path, size and modification time, and the SHA-256 of its first and last
    64 KiB: cheap on a file of any size, and an edit rewrites at least one of them (or
    the time)."""
    path = Path(path)
    info = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        digest.update(handle.read(_EDGE))
        if info.st_size > _EDGE:
            handle.seek(max(_EDGE, info.st_size - _EDGE))
            digest.update(handle.read(_EDGE))
    return {
        "path": str(path.resolve()),
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "edges_sha256": digest.hexdigest(),
    }
