"""Small data files for the streaming tests, written by pyarrow and NumPy into tmp_path."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def table_data(n: int = 600, features: int = 3, seed: int = 0):
    """float32 features and integer class targets 0..2."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features)).astype(np.float32)
    y = ((X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)).astype(np.int64)
    return X, y


def arrow_table(X, y):
    columns = {f"f{j}": X[:, j] for j in range(X.shape[1])}
    columns["target"] = y
    return pa.table(columns)


def write_parquet(path, X, y, row_group_size: int = 100):
    pq.write_table(arrow_table(X, y), path, row_group_size=row_group_size)
    return path


def write_csv(path, X, y):
    pacsv.write_csv(arrow_table(X, y), path)
    return path


def all_rows(source, **kwargs):
    """Every (X, y) row of one epoch, concatenated."""
    parts = list(source.batches(**kwargs))
    return np.concatenate([x for x, _ in parts]), np.concatenate([t for _, t in parts])
