"""From pyarrow tables to ``(X, y)``: which columns are features, checked once per file,
and the conversion of a record batch, column by column into one float array."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...i18n import N_, Message
from .base import StreamError

__all__ = ["check_columns", "to_arrays"]


def _numeric(kind: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)


def check_columns(who: str, path: Any, schema: Any, target: str | None) -> list[str]:
    """The feature columns of a file with ``schema``: every column but ``target``, each
    numeric; a missing target or a column of text is refused, naming it."""
    names = list(schema.names)
    if target is not None and target not in names:
        template = N_(
            "{who}: {path} has no target column {target!r}; its columns: {names}; "
            "pass target= one of them"
        )
        fields = {"who": who, "path": path, "target": target, "names": ", ".join(names)}
        raise StreamError(Message("data", template, **fields))
    features = [name for name in names if name != target]
    if not features:
        template = N_("{who}: {path} has no feature columns besides the target")
        raise StreamError(Message("data", template, who=who, path=path))
    for name in features:
        kind = schema.field(name).type
        if not _numeric(kind):
            template = N_(
                "{who}: column {name!r} of {path} holds {kind}, not numbers; drop it or "
                "encode it as numbers first"
            )
            raise StreamError(Message("data", template, who=who, name=name, path=path, kind=kind))
    return features


def _row_major(batch: Any, features: list[str], dtype: np.dtype) -> np.ndarray | None:
    """The features as one C-ordered array made by pyarrow in one pass (its
    ``to_tensor``, outside the GIL), when they share one floating type; else None."""
    import pyarrow as pa

    if batch.num_rows == 0:
        return None
    selected = batch.select(features)
    kinds = {field.type for field in selected.schema}
    if len(kinds) != 1 or not pa.types.is_floating(kinds.pop()):
        return None
    if isinstance(selected, pa.Table):  # a row group: one record batch of all its rows
        selected = selected.combine_chunks().to_batches()[0]
    X = np.asarray(selected.to_tensor(null_to_nan=True, row_major=True))
    return X if X.dtype == dtype else X.astype(dtype)


def to_arrays(batch: Any, features: list[str], target: str | None, dtype: np.dtype):
    """A pyarrow table or record batch as ``X`` (rows, features) of ``dtype`` and ``y``
    (None without a target). Missing values become NaN, which training refuses by cell."""
    X = _row_major(batch, features, dtype)
    if X is None:
        # Filled column by column into Fortran order (each column contiguous), then one
        # copy to the row order the step wants: faster than writing strided columns.
        X = np.empty((batch.num_rows, len(features)), dtype=dtype, order="F")
        for j, name in enumerate(features):
            X[:, j] = batch.column(name).to_numpy(zero_copy_only=False)
        X = np.ascontiguousarray(X)
    y = None if target is None else batch.column(target).to_numpy(zero_copy_only=False)
    return X, y
