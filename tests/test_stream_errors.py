"""Bad streamed input is refused in one line naming the file and what to do."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fcnn.data.stream import CSVSource, NpySource, ParquetSource, StreamError
from stream_support import all_rows, table_data, write_csv, write_parquet


def _one_line(info):
    assert "\n" not in str(info.value)


def test_schema_change_between_files(tmp_path):
    X, y = table_data(100)
    write_parquet(tmp_path / "a.parquet", X, y)
    pq.write_table(
        pa.table({"f0": X[:, 0], "f1": X[:, 1], "g": X[:, 2], "target": y}), tmp_path / "b.parquet"
    )
    with pytest.raises(
        StreamError,
        match=r"b\.parquet has columns \[.*g: float.*\] but .* every file "
        r"must have the same columns",
    ) as info:
        ParquetSource(tmp_path, "target")
    _one_line(info)


def test_missing_target_lists_the_columns(tmp_path):
    X, y = table_data(100)
    path = write_parquet(tmp_path / "d.parquet", X, y)
    with pytest.raises(
        StreamError,
        match=r"d\.parquet has no target column 'price'; its columns: "
        r"f0, f1, f2, target; pass target=",
    ):
        ParquetSource(path, "price")
    with pytest.raises(StreamError, match=r"no target column 'price'; its columns: f0, f1"):
        CSVSource(write_csv(tmp_path / "d.csv", X, y), "price")


def test_non_numeric_column_is_named(tmp_path):
    table = pa.table({"a": [1.0, 2.0], "city": ["Oslo", "Lima"], "target": [0, 1]})
    pq.write_table(table, tmp_path / "d.parquet")
    with pytest.raises(
        StreamError,
        match=r"column 'city' of .*d\.parquet holds string, not "
        "numbers; drop it or encode it",
    ):
        ParquetSource(tmp_path / "d.parquet", "target")


def test_text_deep_inside_a_csv_column(tmp_path):
    X, y = table_data(3000)
    path = write_csv(tmp_path / "d.csv", X, y)
    lines = path.read_text().splitlines()
    lines[2500] = "0.5,oops,0.1,1"
    path.write_text("\n".join(lines) + "\n")
    source = CSVSource(path, "target", block_size=4096)
    with pytest.raises(
        StreamError,
        match=r"d\.csv: column 'f1' is numeric in the first rows but line 2501 holds 'oops'; fix",
    ):
        all_rows(source, shuffle=False)


def test_truncated_parquet(tmp_path):
    X, y = table_data(2000)
    path = write_parquet(tmp_path / "d.parquet", X, y)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        StreamError,
        match=r"d\.parquet is not a complete Parquet file "
        r"\(truncated or damaged: .*\); write it again",
    ) as info:
        ParquetSource(path, "target")
    _one_line(info)


def test_ragged_csv_row_reports_its_line(tmp_path):
    X, y = table_data(3000)
    path = write_csv(tmp_path / "d.csv", X, y)
    lines = path.read_text().splitlines()
    lines[2345] = "0.5,0.25"
    path.write_text("\n".join(lines) + "\n")
    source = CSVSource(path, "target", block_size=4096)
    with pytest.raises(
        StreamError,
        match=r"d\.csv: line 2346 has 2 fields where the header "
        "has 4; fix or remove that row",
    ) as info:
        all_rows(source, batch_size=64, seed=0)
    _one_line(info)


def test_npy_that_is_not_a_table(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((2, 3, 4)))
    with pytest.raises(StreamError, match=r"x\.npy holds a 3-D array .*expected a 2-D array"):
        NpySource(tmp_path / "x.npy")
    np.save(tmp_path / "y.npy", np.zeros(5))
    np.save(tmp_path / "x.npy", np.zeros((4, 2)))
    with pytest.raises(StreamError, match=r"y\.npy has 5 rows but .*x\.npy has 4"):
        NpySource(tmp_path / "x.npy", tmp_path / "y.npy")
