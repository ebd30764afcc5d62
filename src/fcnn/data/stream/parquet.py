"""A Parquet file, or a folder of them, read one row group at a time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...i18n import N_, Message
from .base import BatchSource, StreamError, file_fingerprint
from .columns import check_columns, to_arrays

__all__ = ["ParquetSource"]


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.parquet") if p.is_file())
        if not files:
            template = N_("ParquetSource: {path} holds no .parquet files")
            raise StreamError(Message("data", template, path=path))
        return files
    if not path.is_file():
        raise StreamError(
            Message("data", N_("{who}: {path} does not exist"), who="ParquetSource", path=path)
        )
    return [path]


def _open(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        # Not memory-mapped, though that reads a third faster: every page read stays in
        # the process's resident memory until the file is closed, so peak RSS would grow
        # with the file (2.5 GB for a 2 GB file, measured) instead of staying bounded.
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as err:
        template = N_(
            "ParquetSource: {path} is not a complete Parquet file (truncated or damaged: "
            "{error}); write it again"
        )
        raise StreamError(Message("data", template, path=path, error=err)) from None


class ParquetSource(BatchSource):
    """Rows of a Parquet file or of every ``*.parquet`` file under a folder.

    Each row group is a chunk: an epoch visits them in a seeded order across all files.
    Every file must have the same columns, of the same types (checked when the source is
    made, from the files' footers only).

    Parameters
    ----------
    path : path
        A ``.parquet`` file or a folder (searched recursively, files in sorted order).
    target : str, optional
        The target column; the other columns are the features, all numeric.
    """

    def __init__(self, path: str | os.PathLike[str], target: str | None = None, **options):
        super().__init__(**options)
        self.path = Path(path)
        self.target = target
        self.files = _files(self.path)
        first = _open(self.files[0])
        self._schema = first.schema_arrow
        self._features = check_columns("ParquetSource", self.files[0], self._schema, target)
        self.feature_names = list(self._features)
        self._groups: list[tuple[int, int]] = []  # (file, row group)
        self._starts: list[int] = []  # the first row of each row group, across the files
        rows = 0
        for i, file in enumerate(self.files):
            handle = first if i == 0 else _open(file)
            if not handle.schema_arrow.equals(self._schema):
                template = N_(
                    "ParquetSource: {path} has columns {columns} but {first} has {expected}; "
                    "every file must have the same columns and types (rewrite it, or read "
                    "the files separately)"
                )
                said = {"columns": _describe(handle.schema_arrow), "first": self.files[0]}
                expected = _describe(self._schema)
                raise StreamError(Message("data", template, path=file, expected=expected, **said))
            meta = handle.metadata
            for g in range(meta.num_row_groups):
                self._groups.append((i, g))
                self._starts.append(rows)
                rows += meta.row_group(g).num_rows
        self._open_file = (0, first)  # one file open at a time, the last one read
        self.n_rows = rows

    def __getstate__(self) -> dict[str, Any]:
        # Sent to a Dask worker without its open file (pyarrow's reader does not pickle);
        # the worker opens the files it reads.
        return {**self.__dict__, "_open_file": (-1, None)}

    def _chunk_count(self) -> int:
        return len(self._groups)

    def _chunk_starts(self) -> list[int]:
        return list(self._starts)

    def _read_chunk(self, index: int):
        import pyarrow as pa

        i, group = self._groups[index]
        if self._open_file[0] != i:
            self._open_file = (i, _open(self.files[i]))
        handle = self._open_file[1]
        columns = self._features + ([self.target] if self.target is not None else [])
        try:
            # Decoded in this thread alone: the reader thread is already the parallel part,
            # and pyarrow's pool would take the core the training step runs on.
            table = handle.read_row_group(group, columns=columns, use_threads=False)
        except (pa.ArrowException, OSError) as err:
            template = N_(
                "ParquetSource: row group {group} of {path} cannot be read (truncated or "
                "damaged: {error}); write the file again"
            )
            said = Message("data", template, group=group, path=self.files[i], error=err)
            raise StreamError(said) from None
        return to_arrays(table, self._features, self.target, self.dtype)

    def fingerprint(self) -> dict[str, Any]:
        return {
            "kind": "parquet",
            "target": self.target,
            "schema": str(self._schema),
            "rows": self.n_rows,
            "row_groups": len(self._groups),
            "files": [file_fingerprint(file) for file in self.files],
        }


def _describe(schema: Any) -> str:
    return "[" + ", ".join(f"{f.name}: {f.type}" for f in schema) + "]"
