"""Data larger than memory: sources that hand out ``(X, y)`` batches epoch after epoch.

- ``base``: :class:`BatchSource` (the interface ``fit`` and ``evaluate`` accept beside
  arrays), :class:`StreamError`, ``file_fingerprint``.
- ``shuffle``: chunks to batches, mixed in a shuffle buffer of bounded size.
- ``arrays``: :class:`NpySource` (a memory-mapped ``.npy`` file), :class:`DaskSource`.
- ``parquet``: :class:`ParquetSource` (a file or a folder, by row group).
- ``csv_source``: :class:`CSVSource` (pyarrow's streaming CSV reader, block by block).
- ``iterable``: :class:`IterableSource` (a list of batches or a function giving them).
- ``columns``: from pyarrow tables to arrays, with the checks of their columns.
- ``stats``: :func:`stream_statistics`, one pass for the Standardizer and the classes;
  :class:`PreparedSource`, a source standardised as it is read.
- ``prefetch``: the background thread that reads ahead of training.

:func:`as_source` picks a source for a path (by its suffix) or an object.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...i18n import N_, Listing, Message
from .arrays import DaskSource, NpySource
from .base import DEFAULT_SHUFFLE_BUFFER, BatchSource, StreamError, file_fingerprint
from .csv_source import CSVSource
from .iterable import IterableSource
from .parquet import ParquetSource
from .prefetch import prefetch
from .stats import PreparedSource, StreamStatistics, stream_statistics

__all__ = [
    "DEFAULT_SHUFFLE_BUFFER",
    "BatchSource",
    "CSVSource",
    "DaskSource",
    "IterableSource",
    "NpySource",
    "ParquetSource",
    "PreparedSource",
    "StreamError",
    "StreamStatistics",
    "as_source",
    "file_fingerprint",
    "prefetch",
    "stream_statistics",
]

SUFFIXES = {".parquet": ParquetSource, ".pq": ParquetSource, ".csv": CSVSource}


def _is_dask(obj: Any) -> bool:
    # Only an object from dask itself can be a Dask collection: no import of dask otherwise.
    return type(obj).__module__.partition(".")[0] in ("dask", "dask_expr")


def as_source(obj: Any, target: Any = None, **options: Any) -> BatchSource:
    """A :class:`BatchSource` for ``obj``: a source (as it is), a path (``.parquet`` /
    ``.pq`` file or a folder of them, ``.csv``, ``.tsv``, ``.npy``), a Dask array or
    DataFrame, or an iterable of ``(X, y)`` batches or a function returning one.

    ``target`` is the target column of a table, or for ``.npy`` the targets' file or
    column index; ``options`` go to the source (``shuffle_buffer``, ``dtype``, ...).
    """
    if isinstance(obj, BatchSource):
        if target is not None or options:
            template = N_("as_source: target= and options apply when making a source")
            raise ValueError(Message("data", template))
        return obj
    if isinstance(obj, (str, os.PathLike)):
        path = Path(obj)
        suffix = path.suffix.lower()
        if path.is_dir():
            return ParquetSource(path, target, **options)
        if suffix == ".tsv":
            return CSVSource(path, target, delimiter="\t", **options)
        if suffix == ".npy":
            return NpySource(path, target, **options)
        if suffix in SUFFIXES:
            return SUFFIXES[suffix](path, target, **options)
        known = Listing([*SUFFIXES, ".tsv", ".npy"])
        template = N_("as_source: {path} is not a file fcnn streams; expected one of {known}")
        raise ValueError(Message("data", template, path=path, known=known))
    if _is_dask(obj):
        return DaskSource(obj, target, **options)
    if target is not None:
        template = N_("as_source: target= applies to files and Dask DataFrames")
        raise ValueError(Message("data", template))
    return IterableSource(obj, **options)
