"""One pass over a source for what preparing its data needs: each feature's mean and
variance, and the class labels, without holding more than a batch.

Means and variances of batches are merged with the pairwise update of Chan, Golub and
LeVeque ("Updating formulae and a pairwise algorithm for computing sample variances",
1979): for parts A and B with counts n, means m and sums of squared deviations M2,

    δ = m_B − m_A,  n = n_A + n_B,  m = m_A + δ·n_B/n,  M2 = M2_A + M2_B + δ²·n_A·n_B/n

which, unlike a running Σx and Σx², does not lose the variance to cancellation when the
mean is large. The result is the :class:`~fcnn.data.scaling.Standardizer` that
fitting on all rows at once would give (to float rounding), recorded as the in-memory
preparation is (``{"kind": "standardize", "mean": [...], "scale": [...]}``), so
``apply_preprocess`` and ``predict`` prepare new data the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ... import checks
from ...i18n import N_, Listing, Message
from ..transform import Standardizer
from .base import BatchSource, StreamError

__all__ = ["PreparedSource", "StreamStatistics", "merge_moments", "stream_statistics"]


@dataclass
class StreamStatistics:
    """What one pass over a source found (float64, one entry per feature)."""

    n_rows: int
    mean: np.ndarray
    var: np.ndarray  # population variance (ddof=0), as np.var
    minimum: np.ndarray
    maximum: np.ndarray
    first_row: np.ndarray
    feature_names: list[str]
    classes: np.ndarray | None = None  # the sorted distinct targets, when collected

    def standardizer(self) -> Standardizer:
        """The Standardizer fitted on every row, as ``Standardizer().fit(X)`` would be."""
        # A column with one value keeps it exactly as its mean (as Standardizer.fit does).
        mean = np.where(self.minimum == self.maximum, self.first_row, self.mean)
        largest = np.maximum(np.abs(self.minimum), np.abs(self.maximum))
        return Standardizer().fit_moments(
            mean,
            np.sqrt(self.var),
            largest=lambda j: float(largest[j]),
            feature_names=self.feature_names,
        )

    def preprocess(self) -> dict[str, Any]:
        """The preparation record a run keeps (see ``fcnn.data.source.apply_preprocess``)."""
        return {"kind": "standardize", **self.standardizer().state_dict()}


def merge_moments(a: tuple, b: tuple) -> tuple:
    """Two parts' ``(count, mean, M2)`` merged by Chan, Golub and LeVeque's update."""
    (n_a, mean_a, m2_a), (n_b, mean_b, m2_b) = a, b
    total = n_a + n_b
    delta = mean_b - mean_a
    mean = mean_a + delta * (n_b / total)
    return total, mean, m2_a + m2_b + np.square(delta) * (n_a * n_b / total)


def stream_statistics(
    source: BatchSource, *, classes: bool = False, batch_size: int = 65_536
) -> StreamStatistics:
    """Read ``source`` once, in its own order, for its feature statistics; with
    ``classes``, also collect its distinct target values (the class labels)."""
    if not isinstance(source, BatchSource):
        template = N_("stream_statistics: expected a BatchSource, got {type}")
        raise TypeError(Message("data", template, type=type(source).__name__))
    checks.flag("stream_statistics", "classes", classes)
    batch_size = checks.positive_int("stream_statistics", "batch_size", batch_size)
    count, mean, m2 = 0, None, None
    low = high = first = None
    labels: set = set()
    with np.errstate(over="ignore", invalid="ignore"):  # overflow: the Standardizer words it
        for X, y in source.batches(0, batch_size, shuffle=False):
            data = np.asarray(X, dtype=np.float64)
            n_b = len(data)
            if n_b == 0:
                continue
            mean_b = data.mean(axis=0)
            m2_b = np.square(data - mean_b).sum(axis=0)
            if mean is None:
                count, mean, m2 = n_b, mean_b, m2_b
                low, high, first = data.min(axis=0), data.max(axis=0), data[0].copy()
            else:
                count, mean, m2 = merge_moments((count, mean, m2), (n_b, mean_b, m2_b))
                np.minimum(low, data.min(axis=0), out=low)
                np.maximum(high, data.max(axis=0), out=high)
            if classes:
                if y is None:
                    template = N_("stream_statistics(classes=True): the source has no targets")
                    raise ValueError(Message("data", template))
                labels.update(np.unique(np.asarray(y)).tolist())
    if mean is None:
        raise ValueError(
            Message("data", N_("stream_statistics: {source} gave no rows"), source=repr(source))
        )
    return StreamStatistics(
        n_rows=count,
        mean=mean,
        var=m2 / count,
        minimum=low,
        maximum=high,
        first_row=first,
        feature_names=list(source.feature_names),
        classes=np.array(sorted(labels)) if classes else None,
    )


class PreparedSource(BatchSource):
    """``source`` with its features prepared by a preparation record (the
    ``{"kind": "standardize", ...}`` of :meth:`StreamStatistics.preprocess`, or
    ``{"kind": "scale", "factor": f}`` / ``{"kind": "none"}``, as
    ``fcnn.data.apply_preprocess`` knows them) as each chunk is read: what training on
    standardised streamed data reads, the same preparation ``predict`` applies later.

    With ``classes`` (the sorted class labels, e.g. text), each target is replaced by
    its index among them, as ``fcnn.data.csv`` numbers a text column's classes; a label
    not among them is refused, naming it.
    """

    def __init__(
        self, source: BatchSource, preprocess: dict[str, Any], classes: Any = None
    ) -> None:
        super().__init__(shuffle_buffer=source.shuffle_buffer, dtype=source.dtype)
        self.source, self.preprocess = source, dict(preprocess)
        self.feature_names, self.n_rows = source.feature_names, source.n_rows
        self.classes = None if classes is None else np.asarray(classes)
        kind = self.preprocess.get("kind", "none")
        # Prepared in the source's dtype: one pass over a float32 chunk, no float64 copy.
        if kind == "standardize":
            scaler = Standardizer.from_state_dict(
                {"mean": self.preprocess["mean"], "scale": self.preprocess["scale"]}
            )
            self._shift, self._divide = (
                scaler.mean.astype(self.dtype),
                scaler.scale.astype(self.dtype),
            )
            self._factor = None
        elif kind in ("scale", "none"):
            self._shift = self._divide = None
            self._factor = self.dtype.type(self.preprocess["factor"]) if kind == "scale" else None
        else:
            template = N_("PreparedSource: unknown preprocessing {kind!r}")
            raise ValueError(Message("data", template, kind=kind))

    def _prepared(self, chunk):
        X, y = chunk
        X = np.array(X, dtype=self.dtype)  # a copy of its own, prepared in place
        if self._shift is not None:
            X -= self._shift
        if self._divide is not None:
            X /= self._divide
        if self._factor is not None:
            X *= self._factor
        return X, self._labels(y)

    def _labels(self, y):
        if self.classes is None or y is None:
            return y
        y = np.asarray(y).astype(self.classes.dtype, copy=False)
        index = np.minimum(np.searchsorted(self.classes, y), len(self.classes) - 1)
        unknown = self.classes[index] != y
        if unknown.any():
            template = N_(
                "{source}: class {label!r} was not seen in training; its classes: {classes}"
            )
            said = {
                "source": repr(self.source),
                "label": y[unknown][0].item(),  # 'emu', not np.str_('emu')
                "classes": Listing(self.classes),
            }
            raise StreamError(Message("data", template, **said))
        return index.astype(np.int64)

    def _chunk_count(self) -> int | None:
        return self.source._chunk_count()

    def _read_chunk(self, index: int):
        return self._prepared(self.source._read_chunk(index))

    def _stream(self):
        return map(self._prepared, self.source._stream())

    def fingerprint(self) -> dict[str, Any]:
        found = {**self.source.fingerprint(), "preprocess": self.preprocess}
        if self.classes is not None:
            found["classes"] = self.classes.tolist()
        return found
