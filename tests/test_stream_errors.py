"""Bad streamed input is refused in one line naming the file and what to do."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fcnn.data.stream import CSVSource, NpySource, ParquetSource, StreamError
from stream_support import all_rows, table_data, write_csv, write_parquet


def _refused(pattern, action, *args, **kwargs):
    with pytest.raises(StreamError, match=pattern) as info:
        action(*args, **kwargs)
    assert "\n" not in str(info.value)


def _csv_with_line(tmp_path, index, text):
    """A 3000-row CSV whose line ``index + 1`` (counting the header as 1) is ``text``."""
    path = write_csv(tmp_path / "d.csv", *table_data(3000))
    lines = path.read_text().splitlines()
    lines[index] = text
    path.write_text("\n".join(lines) + "\n")
    return CSVSource(path, "target", block_size=4096)


def test_schema_change_between_files(tmp_path):
    X, y = table_data(100)
    write_parquet(tmp_path / "a.parquet", X, y)
    columns = {"f0": X[:, 0], "f1": X[:, 1], "g": X[:, 2], "target": y}
    pq.write_table(pa.table(columns), tmp_path / "b.parquet")
    pattern = r"b\.parquet has columns \[.*g: float.*\] but .* every file must have the same"
    _refused(pattern, ParquetSource, tmp_path, "target")


def test_missing_target_lists_the_columns(tmp_path):
    X, y = table_data(100)
    path = write_parquet(tmp_path / "d.parquet", X, y)
    pattern = r"d\.parquet has no target column 'price'; its columns: f0, f1, f2, target; pass"
    _refused(pattern, ParquetSource, path, "price")
    pattern = r"d\.csv has no target column 'price'; its columns: f0, f1"
    _refused(pattern, CSVSource, write_csv(tmp_path / "d.csv", X, y), "price")


def test_non_numeric_column_is_named(tmp_path):
    table = pa.table({"a": [1.0, 2.0], "city": ["Oslo", "Lima"], "target": [0, 1]})
    pq.write_table(table, tmp_path / "d.parquet")
    pattern = r"column 'city' of .*d\.parquet holds string, not numbers; drop it or encode it"
    _refused(pattern, ParquetSource, tmp_path / "d.parquet", "target")


def test_text_deep_inside_a_csv_column(tmp_path):
    source = _csv_with_line(tmp_path, 2500, "0.5,oops,0.1,1")
    pattern = r"d\.csv: column 'f1' is numeric in the first rows but line 2501 holds 'oops'; fix"
    _refused(pattern, all_rows, source, shuffle=False)


def test_ragged_csv_row_reports_its_line(tmp_path):
    source = _csv_with_line(tmp_path, 2345, "0.5,0.25")
    pattern = r"d\.csv: line 2346 has 2 fields where the header has 4; fix or remove that row"
    _refused(pattern, all_rows, source, batch_size=64, seed=0)


def test_truncated_parquet(tmp_path):
    path = write_parquet(tmp_path / "d.parquet", *table_data(2000))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    pattern = r"d\.parquet is not a complete Parquet file \(truncated or damaged: .*\); write it"
    _refused(pattern, ParquetSource, path, "target")


def test_npy_that_is_not_a_table(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((2, 3, 4)))
    _refused(r"x\.npy holds a 3-D array .*expected a 2-D array", NpySource, tmp_path / "x.npy")
    np.save(tmp_path / "y.npy", np.zeros(5))
    np.save(tmp_path / "x.npy", np.zeros((4, 2)))
    pattern = r"y\.npy has 5 rows but .*x\.npy has 4"
    _refused(pattern, NpySource, tmp_path / "x.npy", tmp_path / "y.npy")
