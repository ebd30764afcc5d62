"""Sources over arrays that are not read at once: a memory-mapped ``.npy`` file, and Dask
arrays and DataFrames, chunk by chunk."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ... import checks
from ...i18n import N_, Message
from .base import BatchSource, StreamError, file_fingerprint

__all__ = ["DaskSource", "NpySource"]

DEFAULT_CHUNK_ROWS = 16_384


def _names(names: Any, count: int, who: str) -> list[str]:
    if names is None:
        return [f"x{j}" for j in range(count)]
    names = [str(name) for name in names]
    if len(names) != count:
        template = N_("{who}: {names} feature_names for {count} features")
        raise ValueError(Message("data", template, who=who, names=len(names), count=count))
    return names


def _open_npy(path: Path, who: str) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as err:
        template = N_(
            "{who}: cannot read {path} as a .npy file ({error}); save it again with numpy.save"
        )
        raise StreamError(Message("data", template, who=who, path=path, error=err)) from None


class NpySource(BatchSource):
    """Rows of a ``.npy`` file, memory-mapped (the file is never read whole).

    Parameters
    ----------
    X : path
        A 2-D numeric ``.npy`` file.
    y : path or int, optional
        Targets: another ``.npy`` file with as many rows, or the index of a column of
        ``X`` (removed from the features).
    chunk_rows : int
        Rows read at a time; chunks are visited in a seeded order every epoch.
    """

    def __init__(
        self,
        X: str | os.PathLike[str],
        y: str | os.PathLike[str] | int | None = None,
        *,
        feature_names: Any = None,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.chunk_rows = checks.positive_int("NpySource", "chunk_rows", chunk_rows)
        self.path = Path(X)
        self._X = _open_npy(self.path, "NpySource")
        if self._X.ndim != 2 or self._X.dtype.kind not in "biuf":
            template = N_(
                "NpySource: {path} holds a {ndim}-D array of {dtype}; expected a 2-D array of "
                "numbers (rows, features)"
            )
            said = {"ndim": self._X.ndim, "dtype": self._X.dtype}
            raise StreamError(Message("data", template, path=self.path, **said))
        self.n_rows = len(self._X)
        self._columns = np.arange(self._X.shape[1])
        self._y, self.y_path, self.target = None, None, None
        if checks.is_int(y):
            self.target = int(y) % self._X.shape[1]
            self._columns = np.delete(self._columns, self.target)
        elif y is not None:
            self.y_path = Path(y)
            self._y = _open_npy(self.y_path, "NpySource")
            if len(self._y) != self.n_rows:
                template = N_("NpySource: {y} has {rows} rows but {path} has {n}; they must match")
                said = {"y": self.y_path, "rows": len(self._y), "n": self.n_rows}
                raise StreamError(Message("data", template, path=self.path, **said))
        self.feature_names = _names(feature_names, len(self._columns), "NpySource")

    def _chunk_count(self) -> int:
        return -(-self.n_rows // self.chunk_rows)

    def _chunk_starts(self) -> list[int]:
        return list(range(0, self.n_rows, self.chunk_rows))

    def _read_chunk(self, index: int):
        rows = slice(index * self.chunk_rows, (index + 1) * self.chunk_rows)
        block = np.asarray(self._X[rows])
        if self.target is not None:
            return self._features(block[:, self._columns]), block[:, self.target].copy()
        y = None if self._y is None else np.asarray(self._y[rows])
        return self._features(block), y

    def fingerprint(self) -> dict[str, Any]:
        found = {"kind": "npy", "X": file_fingerprint(self.path), "shape": list(self._X.shape)}
        if self.y_path is not None:
            found["y"] = file_fingerprint(self.y_path)
        if self.target is not None:
            found["target"] = self.target
        return found


class DaskSource(BatchSource):
    """A Dask array (with a target array) or a Dask DataFrame (with a target column),
    one chunk or partition computed at a time.

    A DataFrame's numeric columns other than the target are the features; a column of
    another type is refused, naming it.
    """

    def __init__(self, data: Any, y: Any = None, *, feature_names: Any = None, **options):
        super().__init__(**options)
        import dask.array as da
        import dask.dataframe as dd

        self.data, self.target, self._y = data, None, None
        if isinstance(data, dd.DataFrame):
            if y is None or y not in data.columns:
                columns = ", ".join(map(str, data.columns))
                template = N_(
                    "DaskSource: the DataFrame has no target column {y!r}; its columns: "
                    "{columns}; pass y= one of them"
                )
                raise StreamError(Message("data", template, y=y, columns=columns))
            self.target = y
            features = [c for c in data.columns if c != y]
            for name in features:
                if data[name].dtype.kind not in "biuf":
                    template = N_(
                        "DaskSource: column {name!r} holds {dtype}, not numbers; drop it or "
                        "encode it as numbers first"
                    )
                    said = Message("data", template, name=name, dtype=data[name].dtype)
                    raise StreamError(said)
            self._features_of = features
            self.feature_names = [str(c) for c in features]
            self._parts = data.npartitions
            self.n_rows = None  # len(df) would compute every partition
        elif isinstance(data, da.Array):
            if data.ndim != 2:
                template = N_("DaskSource: X must be 2-D, got shape {shape}")
                raise ValueError(Message("data", template, shape=data.shape))
            if y is not None:
                if not isinstance(y, da.Array) or len(y) != len(data):
                    template = N_("DaskSource: y must be a Dask array as long as X")
                    raise ValueError(Message("data", template))
                y = y.rechunk((data.chunks[0], *y.chunks[1:]))  # the same row blocks
            self._y = y
            self.feature_names = _names(feature_names, data.shape[1], "DaskSource")
            self._parts = data.numblocks[0]
            self.n_rows = int(data.shape[0])
        else:
            template = N_("DaskSource: expected a Dask array or DataFrame, got {kind}")
            raise TypeError(Message("data", template, kind=type(data)))

    def _chunk_count(self) -> int:
        return self._parts

    def _read_chunk(self, index: int):
        if self.target is not None:
            part = self.data.partitions[index].compute()
            return self._features(part[self._features_of].to_numpy()), part[self.target].to_numpy()
        X = self.data.blocks[index].compute()
        y = None if self._y is None else np.asarray(self._y.blocks[index].compute())
        return self._features(X), y

    def fingerprint(self) -> dict[str, Any]:
        # Dask's graph names are hashes of how the collection was made (its files, its
        # operations): the same name, the same data, without computing anything.
        found = {"kind": "dask", "name": self.data._name, "parts": self._parts}
        if self._y is not None:
            found["y"] = self._y.name
        return found
