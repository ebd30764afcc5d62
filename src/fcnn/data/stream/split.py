"""A held-out test split of a source, chosen row by row by a hash of the row's index.

Why a hash of the index, not the last row groups: a file is often sorted (by date, by
customer, by label), and its last row groups would then be a test set unlike the
training rows; a hash spreads the test rows over the whole file like a random split
does. It needs no memory (nothing is drawn and kept: row ``i`` is in the test split
when ``h(seed, i) < fraction``), gives the same split on every read and every epoch
whatever order the chunks are read in, and the split of a row never depends on the
rows around it. The cost: both splits read every chunk and keep their rows (the other
rows are dropped after decoding), so evaluating the test split reads the whole file.

The hash is SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable
pseudorandom number generators", 2014) of ``i + seed · φ``: consecutive indices give
unrelated 64-bit values, whose top 53 bits are a uniform fraction in [0, 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import checks
from .base import BatchSource

__all__ = ["SPLIT_PARTS", "SplitSource", "row_fraction"]

SPLIT_PARTS = ("train", "test")
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def row_fraction(rows: np.ndarray, seed: int) -> np.ndarray:
    """A number in [0, 1) for each row index, the same for the same ``(seed, row)``."""
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the point
        z = rows.astype(np.uint64) + np.uint64(seed) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


class SplitSource(BatchSource):
    """The training or the test rows of ``source``: row ``i`` (in the source's own
    order) is a test row when ``row_fraction(i, seed) < fraction``.

    Sources that know where each chunk starts (``_chunk_starts``: Parquet, ``.npy``)
    keep their chunks' seeded order; the others are read in their own order.
    """

    def __init__(self, source: BatchSource, part: str, fraction: float, seed: int = 0):
        super().__init__(shuffle_buffer=source.shuffle_buffer, dtype=source.dtype)
        self.source = source
        self.part = checks.choice("SplitSource", "part", part, SPLIT_PARTS)
        self.fraction = checks.real("SplitSource", "fraction", fraction, low=0, high=1)
        self.seed = checks.non_negative_int("SplitSource", "seed", seed)
        self.feature_names = source.feature_names
        self.n_rows = None  # known only after a pass (stream_statistics counts them)
        starts = getattr(source, "_chunk_starts", None)
        self._starts = None if starts is None else starts()

    def _keep(self, chunk, start: int):
        X, y = chunk
        test = row_fraction(np.arange(start, start + len(X)), self.seed) < self.fraction
        rows = test if self.part == "test" else ~test
        if rows.all():
            return X, y
        return X[rows], None if y is None else y[rows]

    def _chunk_count(self) -> int | None:
        return None if self._starts is None else self.source._chunk_count()

    def _read_chunk(self, index: int):
        return self._keep(self.source._read_chunk(index), self._starts[index])

    def _stream(self):
        start = 0
        for chunk in self.source._stream():
            yield self._keep(chunk, start)
            start += len(chunk[0])

    def fingerprint(self) -> dict[str, Any]:
        split = {"part": self.part, "fraction": self.fraction, "seed": self.seed}
        return {**self.source.fingerprint(), "split": split}
