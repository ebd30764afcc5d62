"""When training stops, as scikit-learn's MLP decides it: the progress attributes, the
early-stopping split, the validation score and the no-improvement counter.

- ``tol`` / ``n_iter_no_change``: stop when the training loss (or, with
  ``early_stopping``, the validation score) has not improved by ``tol`` for more than
  ``n_iter_no_change`` consecutive epochs;
- ``early_stopping`` holds out ``validation_fraction`` of the rows, scores them after
  every epoch (accuracy for the classifier, R² for the regressor) and restores the best
  weights at the end.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from ..i18n import N_, Message


class _Stopping:
    """The stopping rule of :class:`~fcnn.sklearn._base._BaseMLP` (a mixin: it reads the
    estimator's parameters and writes its fitted progress attributes)."""

    # The score of the validation rows, a staticmethod (y_true, y_pred, sample_weight=)
    # → float: accuracy for the classifier, R² for the regressor.
    _validation_metric = None

    def _strata(self, Y) -> np.ndarray | None:
        """Class indices to stratify the early-stopping split by (None: do not stratify)."""
        return None

    def _reset_progress(self) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = -np.inf if self.early_stopping else None
        self.best_loss_ = None if self.early_stopping else np.inf
        self._no_improvement_count = 0
        self._best_state = None

    def _split(self, X, Y, y, sample_weight):
        """Hold out ``validation_fraction`` of the rows for early stopping, with
        scikit-learn's ``train_test_split`` on the RandomState, as its MLP does (stratified
        when the network has one output: binary classification)."""
        n = X.shape[0]
        n_val = int(np.ceil(self.validation_fraction * n))
        if n_val < 2 or n - n_val < 1:
            template = N_(
                "The validation set is too small: validation_fraction="
                "{fraction} of {n} samples leaves {n_val} for validation; "
                "increase validation_fraction or the size of your dataset"
            )
            said = {"fraction": self.validation_fraction, "n": n, "n_val": n_val}
            raise ValueError(Message("train", template, **said))
        strata = self._strata(Y) if self.n_outputs_ == 1 else None
        if strata is not None:
            classes, counts = np.unique(strata, return_counts=True)
            if counts.min() < 2 or min(n_val, n - n_val) < len(classes):
                strata = None  # too few rows to stratify (where scikit-learn raises)
        train_idx, val_idx = train_test_split(
            np.arange(n),
            random_state=self._random_state,
            test_size=self.validation_fraction,
            stratify=strata,
        )
        sw = sample_weight
        return (
            X[train_idx],
            Y[train_idx],
            None if sw is None else sw[train_idx],
            X[val_idx],
            None if y is None else np.asarray(y)[val_idx],
            None if sw is None else sw[val_idx],
        )

    def _score_validation(self, X, y, sample_weight) -> float:
        predicted = self._predict_from_output(self._forward(X))
        return float(self._validation_metric(y, predicted, sample_weight=sample_weight))

    def _update_no_improvement(self, X_val, y_val, sw_val) -> bool:
        """Update the stopping counters after an epoch; True when training should stop."""
        tol = float(self.tol)
        if self.early_stopping:
            score = self._score_validation(X_val, y_val, sw_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:.6f}")
            if score < self.best_validation_score_ + tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_state = self.model_.state_dict()
        else:
            loss = self.loss_curve_[-1]
            if loss > self.best_loss_ - tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, loss)
        return self._no_improvement_count > self.n_iter_no_change

    def _stop_message(self) -> str:
        what = "Validation score" if self.early_stopping else "Training loss"
        return (
            f"{what} did not improve more than tol={self.tol} for "
            f"{self.n_iter_no_change} consecutive epochs. Stopping."
        )
