"""``BatchSource.shard``: the public way to cut a source's chunks into parts (what
data-parallel training gives each worker), and what it refuses."""

from __future__ import annotations

import numpy as np
import pytest

from fcnn.data.stream import CSVSource, NpySource, StreamError


@pytest.fixture
def source(tmp_path):
    X = np.arange(700 * 3, dtype=np.float32).reshape(700, 3)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", np.arange(700))
    return NpySource(tmp_path / "X.npy", tmp_path / "y.npy", chunk_rows=100)


def test_shards_deal_the_chunks_round_robin_and_cover_every_row_once(source):
    assert source.n_chunks == 7
    seen = []
    for index in range(3):
        part = source.shard(index, 3)
        assert part.n_chunks == len(range(index, 7, 3))
        assert part.feature_names == source.feature_names
        for (_X, y), chunk in zip(part.chunks(), range(index, 7, 3), strict=True):
            assert y[0] == chunk * 100  # chunk index, index + 3, ... in order
            seen.extend(y.tolist())
    assert sorted(seen) == list(range(700))
    assert source.shard(1, 3).fingerprint()["shard"] == [1, 3]


def test_a_shard_shuffles_its_own_chunks_from_the_generator(source):
    part = source.shard(0, 2)  # chunks 0, 2, 4, 6
    order = [y[0] // 100 for _, y in part.chunks(np.random.default_rng(4))]
    expected = np.arange(0, 7, 2)[np.random.default_rng(4).permutation(4)]
    assert order == expected.tolist()
    rows = np.concatenate([y for _, y in part.batches(0, 64, seed=1)])
    assert sorted(rows.tolist()) == [r for c in (0, 2, 4, 6) for r in range(c * 100, c * 100 + 100)]


def test_what_shard_refuses(source, tmp_path):
    with pytest.raises(ValueError, match=r"NpySource.shard\(index=3\): index must be < count"):
        source.shard(3, 3)
    with pytest.raises(ValueError, match=r"count must be"):
        source.shard(0, 0)
    with pytest.raises(TypeError, match="got str"):
        source.shard("0", 2)
    (tmp_path / "t.csv").write_text("a,b\n1,2\n3,4\n")
    in_order = CSVSource(tmp_path / "t.csv", target="b")
    assert in_order.n_chunks is None
    with pytest.raises(StreamError, match="only be read in its own order"):
        in_order.shard(0, 2)
