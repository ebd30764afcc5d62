"""Every batch source gives every row once per epoch, with its feature names, row count
and a fingerprint that changes with the data; as_source picks one by suffix or type."""

from __future__ import annotations

import time

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from fcnn.data.stream import (
    BatchSource,
    CSVSource,
    DaskSource,
    IterableSource,
    NpySource,
    ParquetSource,
    as_source,
)
from stream_support import all_rows, table_data, write_csv, write_parquet


def _sorted_rows(X, y):
    """Rows in a canonical order, to compare an epoch with the data whatever the shuffle."""
    table = np.column_stack([X.astype(np.float64), y.astype(np.float64)])
    return table[np.lexsort(table.T[::-1])]


def _same_rows(source, X, y, **kwargs):
    got_X, got_y = all_rows(source, **kwargs)
    assert got_X.dtype == np.float32 and len(got_X) == len(X)
    np.testing.assert_array_equal(_sorted_rows(got_X, got_y), _sorted_rows(X, y))


def _sources(tmp_path):
    X, y = table_data()
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "Xy.npy", np.column_stack([X, y]).astype(np.float32))
    (tmp_path / "folder").mkdir()
    write_parquet(tmp_path / "folder" / "a.parquet", X[:250], y[:250], 60)
    write_parquet(tmp_path / "folder" / "b.parquet", X[250:], y[250:], 90)
    frame = pd.DataFrame({f"f{j}": X[:, j] for j in range(3)} | {"target": y})
    chunks = [(X[i : i + 128], y[i : i + 128]) for i in range(0, len(X), 128)]
    return (
        X,
        y,
        {
            "npy": NpySource(tmp_path / "X.npy", tmp_path / "y.npy", chunk_rows=70),
            "npy column": NpySource(tmp_path / "Xy.npy", -1, chunk_rows=70),
            "parquet": ParquetSource(write_parquet(tmp_path / "d.parquet", X, y), "target"),
            "parquet folder": ParquetSource(tmp_path / "folder", "target"),
            "csv": CSVSource(write_csv(tmp_path / "d.csv", X, y), "target", block_size=4096),
            "dask array": DaskSource(
                da.from_array(X, chunks=(100, 3)), da.from_array(y, chunks=50)
            ),
            "dask frame": DaskSource(dd.from_pandas(frame, npartitions=4), "target"),
            "iterable": IterableSource(chunks),
            "callable": IterableSource(lambda: iter(chunks)),
        },
    )


def test_every_source_gives_every_row_once(tmp_path):
    X, y, sources = _sources(tmp_path)
    for name, source in sources.items():
        assert isinstance(source, BatchSource), name
        assert len(source.feature_names) == 3, name
        assert source.n_rows in (None, len(X)), name
        _same_rows(source, X, y, epoch=1, batch_size=64, seed=5)
        # Without shuffling, the rows come in the data's order.
        got_X, got_y = all_rows(source, batch_size=50, shuffle=False)
        np.testing.assert_array_equal(got_X, X, err_msg=name)
        np.testing.assert_array_equal(got_y, y, err_msg=name)


def test_names_and_counts(tmp_path):
    _, _, sources = _sources(tmp_path)
    assert sources["parquet"].feature_names == ["f0", "f1", "f2"]
    assert sources["csv"].feature_names == ["f0", "f1", "f2"]
    assert sources["npy"].feature_names == ["x0", "x1", "x2"]
    assert sources["parquet folder"].n_rows == 600 and sources["csv"].n_rows is None


def test_as_source_picks_by_suffix_and_type(tmp_path):
    X, y, sources = _sources(tmp_path)
    assert isinstance(as_source(tmp_path / "d.parquet", "target"), ParquetSource)
    assert isinstance(as_source(str(tmp_path / "folder"), "target"), ParquetSource)
    assert isinstance(as_source(tmp_path / "d.csv", "target"), CSVSource)
    assert isinstance(as_source(tmp_path / "X.npy", tmp_path / "y.npy"), NpySource)
    assert isinstance(as_source(da.from_array(X, chunks=(100, 3))), DaskSource)
    assert isinstance(as_source([(X, y)]), IterableSource)
    assert as_source(sources["csv"]) is sources["csv"]
    with pytest.raises(ValueError, match=r"as_source: .*data\.txt is not a file fcnn streams"):
        as_source(tmp_path / "data.txt")
    with pytest.raises(TypeError, match="one-shot iterator"):
        as_source(iter([(X, y)]))


def test_fingerprints_are_json_and_change_with_the_data(tmp_path):
    import json

    X, y, sources = _sources(tmp_path)
    for name, source in sources.items():
        found = source.fingerprint()
        assert json.loads(json.dumps(found)) == found, name
        assert source.fingerprint() == found, name
    before = sources["parquet"].fingerprint()
    time.sleep(0.01)
    X2 = X.copy()
    X2[300, 1] += 1
    write_parquet(tmp_path / "d.parquet", X2, y)
    assert ParquetSource(tmp_path / "d.parquet", "target").fingerprint() != before
    before = sources["csv"].fingerprint()
    write_csv(tmp_path / "d.csv", X2, y)
    assert CSVSource(tmp_path / "d.csv", "target").fingerprint() != before
    chunks = [(X2, y)]
    assert IterableSource(chunks).fingerprint() != sources["iterable"].fingerprint()
    given = IterableSource(chunks, fingerprint={"version": 3})
    assert given.fingerprint() == {"version": 3}
