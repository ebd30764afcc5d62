"""Any Python iterable of ``(X, y)`` batches as a source: a list of pairs, a re-iterable
object, or a function that returns a fresh iterator for every epoch."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .base import BatchSource

__all__ = ["IterableSource"]


class IterableSource(BatchSource):
    """``(X, y)`` chunks from ``data``: an iterable read again every epoch (a list, not a
    one-shot generator), or a callable returning a new iterator each time.

    The chunks come in their own order; shuffling is the shuffle buffer's. The
    fingerprint is the SHA-256 of the first chunk unless ``fingerprint=`` gives one (a
    dict naming the data's version, say).
    """

    def __init__(
        self,
        data: Iterable | Callable[[], Iterable],
        *,
        feature_names: Any = None,
        n_rows: int | None = None,
        fingerprint: dict[str, Any] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        if not callable(data) and iter(data) is data:
            raise TypeError(
                "IterableSource: data is a one-shot iterator (a generator); pass a list, or a "
                "function that returns a new iterator for each epoch"
            )
        if not callable(data) and not isinstance(data, Iterable):
            raise TypeError(f"IterableSource: expected an iterable or a callable, got {data!r}")
        self._data, self.n_rows, self._fingerprint = data, n_rows, fingerprint
        X, _ = self._first()
        count = X.shape[1]
        self.feature_names = (
            [f"x{j}" for j in range(count)] if feature_names is None else list(feature_names)
        )

    def _pairs(self):
        for i, item in enumerate(self._data() if callable(self._data) else self._data):
            if not (isinstance(item, (tuple, list)) and len(item) == 2):
                raise ValueError(f"IterableSource: item {i} is not an (X, y) pair")
            X, y = item
            X = self._features(X)
            if X.ndim != 2:
                raise ValueError(f"IterableSource: X of item {i} has shape {X.shape}; expected 2-D")
            yield X, None if y is None else np.asarray(y)

    def _first(self):
        pairs = self._pairs()
        try:
            return next(pairs)
        except StopIteration:
            raise ValueError("IterableSource: the iterable gave no batches") from None
        finally:
            pairs.close()

    def _stream(self):
        return self._pairs()

    def fingerprint(self) -> dict[str, Any]:
        if self._fingerprint is not None:
            return dict(self._fingerprint)
        X, y = self._first()
        digest = hashlib.sha256(np.ascontiguousarray(X).tobytes())
        if y is not None:
            digest.update(np.ascontiguousarray(y).tobytes())
        return {"kind": "iterable", "first_chunk_sha256": digest.hexdigest()}
