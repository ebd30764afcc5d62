"""The loss and metrics of a model's outputs: all at once (``fit``'s epoch metrics and
``evaluate`` on arrays) or added batch by batch (``evaluate`` on a
:class:`~fcnn.data.stream.BatchSource`, whose memory then holds one batch of outputs,
never the whole data's).

Added batch by batch, each score is kept as the sums it is made of, so that the result
is the one all rows at once would give, to float rounding:

- a mean loss as ``Σ (batch mean × its denominator) / Σ denominators``, the denominator
  being what the loss divided by (the rows, the elements, or the sum of the class
  weights of a weighted mean);
- accuracy and F1 as a confusion matrix (counts add);
- RMSE and MAE as sums of squared and absolute errors and a count;
- R² as each output's residual sum of squares and the targets' count, mean and sum of
  squared deviations, merged by Chan, Golub and LeVeque's update (as the streaming
  statistics pass merges the features').
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data.stream.stats import merge_moments
from ..i18n import N_, Message
from ..metrics import METRICS, _precision_recall_f1_of, _r2_of, labels_from_output

__all__ = ["ScoreSums", "metric_names", "score"]


def metric_names(metrics: Sequence[str] | None, loss: Any) -> list[str]:
    """The metrics asked for, checked; None: accuracy for a classification, else none."""
    if metrics is None:
        # Losses declare what their targets are; a duck-typed loss without it is regression.
        classify = getattr(loss, "target_kind", "values") in ("classes", "binary")
        return ["accuracy"] if classify else []
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    for name in names:
        if name not in METRICS:
            template = N_("unknown metric {name!r}; known: {known}")
            raise ValueError(Message("train", template, name=name, known=", ".join(METRICS)))
    return names


def _labels(loss: Any, output: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(true, predicted) class labels of prepared targets and outputs."""
    logits = getattr(loss, "input_kind", "values") != "probabilities"
    if target.ndim == 1:
        truth = target
    elif target.shape[1] == 1:
        truth = (target[:, 0] > 0.5).astype(np.int64)
    else:
        truth = target.argmax(1)
    return truth, labels_from_output(output, logits=logits)


def score(loss: Any, metrics: list[str], output: np.ndarray, target: np.ndarray) -> dict:
    """The metrics of all of ``output`` against ``target`` at once."""
    scores = {}
    labels = None
    for name in metrics:
        kind, fn = METRICS[name]
        if kind == "labels":
            if labels is None:
                labels = _labels(loss, output, target)
            scores[name] = fn(*labels)
        else:
            scores[name] = fn(target, output)
    return scores


class ScoreSums:
    """The loss and ``metrics`` of batches added one by one (see the module's note)."""

    def __init__(self, loss: Any, metrics: list[str]) -> None:
        self.loss, self.metrics = loss, metrics
        self.loss_sum, self.denominator, self.rows = 0.0, 0.0, 0
        self.confusion = np.zeros((0, 0), dtype=np.int64)
        self.squared = self.absolute = 0.0
        self.elements = 0
        self.residual = self.moments = None

    def add(self, output: np.ndarray, target: np.ndarray) -> None:
        value = float(self.loss(output, target))
        if getattr(self.loss, "reduction", "mean") == "mean":
            # What the loss divided by (fcnn's losses keep it; a duck-typed one: the rows).
            weight = getattr(self.loss, "_denominator", len(output))
            self.loss_sum += value * weight
            self.denominator += weight
        else:
            self.loss_sum += value
        self.rows += len(output)
        kinds = {METRICS[name][0] for name in self.metrics}
        if "labels" in kinds:
            self._add_labels(*_labels(self.loss, output, target))
        if "values" in kinds:
            self._add_values(output, target)

    def _add_labels(self, truth: np.ndarray, predicted: np.ndarray) -> None:
        truth, predicted = truth.astype(np.int64), predicted.astype(np.int64)
        k = max(len(self.confusion), int(max(truth.max(), predicted.max())) + 1)
        if k > len(self.confusion):  # a class not seen before: the matrix grows
            grown = np.zeros((k, k), dtype=np.int64)
            grown[: len(self.confusion), : len(self.confusion)] = self.confusion
            self.confusion = grown
        self.confusion += np.bincount(truth * k + predicted, minlength=k * k).reshape(k, k)

    def _add_values(self, output: np.ndarray, target: np.ndarray) -> None:
        y = target.reshape(len(target), -1).astype(np.float64)
        error = y - output.reshape(len(output), -1)
        self.squared += float(np.sum(error**2))
        self.absolute += float(np.sum(np.abs(error)))
        self.elements += error.size
        residual = np.sum(error**2, axis=0)
        mean = y.mean(axis=0)
        part = (len(y), mean, np.sum((y - mean) ** 2, axis=0))
        if self.moments is None:
            self.residual, self.moments = residual, part
        else:
            self.residual = self.residual + residual
            self.moments = merge_moments(self.moments, part)

    def result(self) -> dict[str, float]:
        """``{"loss": ..., "<metric>": ...}`` of every row added."""
        mean = getattr(self.loss, "reduction", "mean") == "mean"
        loss = self.loss_sum / self.denominator if mean and self.denominator else self.loss_sum
        results = {"loss": float("nan") if mean and not self.denominator else float(loss)}
        for name in self.metrics:
            results[name] = _FROM_SUMS[name](self)
        return results


def _accuracy(sums: ScoreSums) -> float:
    return float(np.trace(sums.confusion) / sums.confusion.sum())


# Each metric of fcnn.metrics.METRICS from the sums kept for it.
_FROM_SUMS = {
    "accuracy": _accuracy,
    "f1": lambda s: _precision_recall_f1_of(s.confusion.astype(np.float64), "macro")[2],
    "rmse": lambda s: float(np.sqrt(s.squared / s.elements)),
    "mae": lambda s: float(s.absolute / s.elements),
    "r2": lambda s: _r2_of(s.residual, s.moments[2]),
}
