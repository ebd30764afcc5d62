"""Any Python iterable of ``(X, y)`` batches as a source: a list of pairs, a re-iterable
object, or a function that returns a fresh iterator for every epoch."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ...i18n import N_, Message
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
            template = N_(
                "IterableSource: data is a one-shot iterator (a generator); pass a list, or a "
                "function that returns a new iterator for each epoch"
            )
            raise TypeError(Message("data", template))
        if not callable(data) and not isinstance(data, Iterable):
            template = N_("IterableSource: expected an iterable or a callable, got {data!r}")
            raise TypeError(Message("data", template, data=data))
        self._data, self.n_rows, self._fingerprint = data, n_rows, fingerprint
        X, _ = self._first()
        count = X.shape[1]
        self.feature_names = (
            [f"x{j}" for j in range(count)] if feature_names is None else list(feature_names)
        )

    def _pairs(self):
        for i, item in enumerate(self._data() if callable(self._data) else self._data):
            if not (isinstance(item, (tuple, list)) and len(item) == 2):
                template = N_("IterableSource: item {i} is not an (X, y) pair")
                raise ValueError(Message("data", template, i=i))
            X, y = item
            X = self._features(X)
            if X.ndim != 2:
                template = N_("IterableSource: X of item {i} has shape {shape}; expected 2-D")
                raise ValueError(Message("data", template, i=i, shape=X.shape))
            yield X, None if y is None else np.asarray(y)

    def _first(self):
        pairs = self._pairs()
        try:
            return next(pairs)
        except StopIteration:
            template = N_("IterableSource: the iterable gave no batches")
            raise ValueError(Message("data", template)) from None
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
