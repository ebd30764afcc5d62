"""Streamed shuffling: reproducible from (seed, epoch), different across epochs, bounded
in memory, and the plain order without shuffling."""

from __future__ import annotations

import numpy as np
import pytest

from fcnn.data.stream import NpySource, ParquetSource
from fcnn.data.stream.shuffle import rebatch
from stream_support import table_data, write_parquet


def _epoch(source, **kwargs):
    return [(x.copy(), y.copy()) for x, y in source.batches(**kwargs)]


def _equal(a, b):
    return len(a) == len(b) and all(
        np.array_equal(x1, x2) and np.array_equal(y1, y2)
        for (x1, y1), (x2, y2) in zip(a, b, strict=True)
    )


def test_same_seed_same_batches_other_epoch_other_order(tmp_path):
    X, y = table_data(1000)
    source = ParquetSource(write_parquet(tmp_path / "d.parquet", X, y, 64), "target")
    source.shuffle_buffer = 200
    first = _epoch(source, epoch=0, batch_size=32, seed=11)
    assert _equal(first, _epoch(source, epoch=0, batch_size=32, seed=11))
    assert not _equal(first, _epoch(source, epoch=1, batch_size=32, seed=11))
    assert not _equal(first, _epoch(source, epoch=0, batch_size=32, seed=12))
    # Batches are full except the last one.
    assert [len(x) for x, _ in first] == [32] * 31 + [8]


def test_rows_travel_beyond_their_chunk(tmp_path):
    _, y = table_data(1000)
    np.save(tmp_path / "X.npy", np.arange(1000, dtype=np.float32).reshape(-1, 1))
    np.save(tmp_path / "y.npy", y)
    source = NpySource(tmp_path / "X.npy", tmp_path / "y.npy", chunk_rows=100, shuffle_buffer=300)
    batch = next(source.batches(0, 64, seed=3))[0].ravel()
    assert len(set((batch // 100).astype(int))) >= 3  # mixed from several chunks
    in_order = np.concatenate([x for x, _ in source.batches(0, 64, shuffle=False)]).ravel()
    np.testing.assert_array_equal(in_order, np.arange(1000))


@pytest.mark.parametrize("buffer, batch_size, chunk", [(100, 16, 30), (50, 64, 7), (400, 5, 120)])
def test_the_buffer_stays_bounded(buffer, batch_size, chunk):
    rng = np.random.default_rng(0)
    read = [0]

    def chunks():
        for begin in range(0, 2000, chunk):
            rows = np.arange(begin, min(begin + chunk, 2000), dtype=np.float32)[:, None]
            read[0] += len(rows)
            yield rows, rows[:, 0].astype(np.int64)

    handed, seen = 0, []
    capacity = max(buffer, batch_size)
    for X, _ in rebatch(chunks(), batch_size, rng, buffer):
        handed += len(X)
        seen.append(X.ravel())
        assert read[0] - handed <= capacity + capacity // 2 + chunk
    np.testing.assert_array_equal(np.sort(np.concatenate(seen)), np.arange(2000))
