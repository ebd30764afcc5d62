"""scikit-learn's training objective around an fcnn loss, in the shape the training step
calls: ``forward(pred, target) → float`` and ``backward() → dL/dpred``.

:class:`fcnn.train.step.TrainStep` stays generic; what scikit-learn's MLP puts around the
loss lives here, with the same meanings:

- the scales: scikit-learn's loss is fcnn's loss times a factor, one for the value it
  reports (``loss_curve_``, and ``tol``'s stopping rule) and one for the gradient it
  steps along (see ``_objective_scales`` of each estimator). For the squared error
  scikit-learn reports ½·MSE but steps along the half squared error summed over the
  targets (k times as steep for k targets); for multi-label BCE it sums over the labels
  where fcnn's loss averages. So ``learning_rate_init``, ``alpha``, ``tol`` and
  ``loss_curve_`` mean what they mean there;
- ``sample_weight`` and ``class_weight``: a row weighs its sample weight times its
  class's weight (they multiply, as in scikit-learn: :func:`training_weights`), and the
  batch loss is ``Σᵢ wᵢ ℓᵢ / Σᵢ wᵢ`` (ℓᵢ the sample's loss, averaged over its outputs),
  so an integer weight is the same as repeating the sample, and class weights alone give
  PyTorch's ``CrossEntropyLoss(weight=...)`` mean. The loop hands each batch's weights
  over with :meth:`SklearnObjective.weigh` before the step; the same ``Σw`` divides
  ``alpha``'s L2 penalty. Validation scores (early stopping) weigh rows by their sample
  weights only, as scikit-learn's SGD estimators do.
"""

from __future__ import annotations

import numpy as np

from ..losses import Loss
from ..losses.weights import RowWeightedLoss


def training_weights(
    sample_weight: np.ndarray | None, class_weights: np.ndarray | None, labels: np.ndarray
) -> np.ndarray | None:
    """Each training row's weight: its sample weight times the weight of its class
    (``class_weights[labels]``); None when every row weighs 1 (the unweighted fast path)."""
    if class_weights is None:
        return sample_weight
    weights = class_weights[labels]
    if sample_weight is not None:
        weights = weights * sample_weight
    return None if np.all(weights == 1.0) else weights


class SklearnObjective:
    """An fcnn loss with scikit-learn's scales and sample weights.

    Parameters
    ----------
    loss : fcnn Loss
        Copied (twice: as configured, and with ``reduction='none'`` for weighted batches),
        so that the estimator's own loss object never holds a batch's arrays.
    reported, stepped : float
        scikit-learn's loss over fcnn's: for the value returned, and for the gradient.
    """

    def __init__(self, loss: Loss, reported: float = 1.0, stepped: float = 1.0) -> None:
        self._loss = type(loss)(**loss.config())
        self._per_sample = RowWeightedLoss(loss)
        self.reported = reported
        self.stepped = stepped
        self._weights: np.ndarray | None = None
        self._total = 0.0

    def weigh(self, weights: np.ndarray | None, rows: int) -> float:
        """Take the next batch's row weights (:func:`training_weights`; None: every weight
        1) and return ``Σw`` (the batch's size when unweighted): the denominator of its
        mean loss."""
        self._weights = weights
        self._total = float(rows) if weights is None else float(weights.sum())
        return self._total

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        weights = self._weights
        if weights is None:  # the plain mean: fcnn's loss as it is, on the fast path
            return self._loss.forward(pred, target) * self.reported
        if self._total == 0.0:
            return 0.0  # every weight 0: nothing to learn (the loop skips the update)
        return self._per_sample.forward(pred, target, weights, self._total) * self.reported

    def backward(self) -> np.ndarray:
        if self._weights is None:
            grad = self._loss.backward()
            if self.stepped != 1.0:
                grad = grad * grad.dtype.type(self.stepped)
            return grad
        return self._per_sample.backward(self.stepped)
