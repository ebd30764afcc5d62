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
- ``sample_weight``: the batch loss is ``Σᵢ wᵢ ℓᵢ / Σᵢ wᵢ`` (ℓᵢ the sample's loss,
  averaged over its outputs), so an integer weight is the same as repeating the sample.
  The loop hands each batch's weights over with :meth:`SklearnObjective.weigh` before
  the step; the same ``Σw`` divides ``alpha``'s L2 penalty.
"""

from __future__ import annotations

import numpy as np

from ..losses import Loss


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
        config = loss.config()
        self._loss = type(loss)(**config)
        self._per_sample = type(loss)(**dict(config, reduction="none"))
        self.reported = reported
        self.stepped = stepped
        self._weights: np.ndarray | None = None
        self._total = 0.0
        self._losses: np.ndarray | None = None

    def weigh(self, sample_weight: np.ndarray | None, rows: int) -> float:
        """Take the next batch's sample weights (None: every weight 1) and return ``Σw``
        (the batch's size when unweighted): the denominator of its mean loss."""
        self._weights = sample_weight
        self._total = float(rows) if sample_weight is None else float(sample_weight.sum())
        return self._total

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        weights = self._weights
        if weights is None:  # the plain mean: fcnn's loss as it is, on the fast path
            return self._loss.forward(pred, target) * self.reported
        if self._total == 0.0:
            return 0.0  # every weight 0: nothing to learn (the loop skips the update)
        losses = self._per_sample.forward(pred, target)
        self._losses = losses
        per_sample = losses if losses.ndim == 1 else losses.mean(axis=1)
        return float(per_sample @ weights) / self._total * self.reported

    def backward(self) -> np.ndarray:
        weights, losses = self._weights, self._losses
        if weights is None:
            grad = self._loss.backward()
            if self.stepped != 1.0:
                grad = grad * grad.dtype.type(self.stepped)
            return grad
        assert losses is not None
        # dL/dℓᵢ = stepped·wᵢ / Σw, shared among a sample's outputs when it has several.
        scale = (weights * (self.stepped / self._total)).astype(losses.dtype)
        if losses.ndim == 2:
            scale = np.broadcast_to((scale / losses.shape[1])[:, None], losses.shape)
        return self._per_sample.backward(scale)
