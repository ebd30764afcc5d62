"""``MLPRegressor``: single- and multi-output regression with an fcnn network."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from ..activations import ACTIVATIONS
from ..i18n import N_, Message
from ..layers import Linear
from ..losses import MSELoss
from ._base import _BaseMLP
from ._params import build_loss, constraints_with

_LOSS_ALIASES = {"squared_error": "mse", "absolute_error": "l1"}  # scikit-learn's names


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A fully-connected network regressor with scikit-learn's estimator interface.

    One output per target column: ``y`` of shape (n_samples,) or (n_samples, n_targets)
    (multi-output regression); predictions have ``y``'s shape.

    Parameters
    ----------
    hidden_layer_sizes, activation, optimizer, learning_rate_init, momentum,
    nesterovs_momentum, beta_1, beta_2, epsilon, weight_decay, optimizer_params, alpha,
    batch_size, max_iter, shuffle, tol, n_iter_no_change, early_stopping,
    validation_fraction, batchnorm, dropout, init, pieces, random_state, verbose,
    warm_start, dtype
        As for :class:`fcnn.sklearn.MLPClassifier`; early stopping scores R² on the
        held-out rows.
    output : str, optional
        Output activation, any name in ``fcnn.ACTIVATIONS`` (e.g. ``"softplus"`` for
        positive targets, ``"sigmoid"`` for targets in (0, 1)); None: linear outputs.
    loss : str or fcnn loss, optional
        ``"mse"`` (the default; also ``"squared_error"``), ``"l1"`` (``"absolute_error"``)
        or ``"huber"``; an instance configures it, e.g. ``fcnn.HuberLoss(delta=0.5)``.
        For the MSE, training is scikit-learn's squared error: ``loss_curve_`` shows half
        the mean of squares, and the steps follow scikit-learn's gradient (which, with k
        targets, is that of the half squared error summed over them).

    Notes
    -----
    The default ``init="sklearn"`` starts from scikit-learn's network (random output
    biases, drawn from ``random_state``). With fcnn's other initialisers and a linear
    output (``output=None``), the output layer's bias starts at the targets' mean
    (weighted by ``sample_weight``): training starts from the best constant prediction
    instead of 0, which matters for targets far from 0. Either way, scale such targets
    (or use ``sklearn.compose.TransformedTargetRegressor``).

    Attributes
    ----------
    n_features_in_, feature_names_in_, n_outputs_, model_, loss_, loss_curve_, best_loss_,
    validation_scores_, best_validation_score_, n_iter_, t_
        As for :class:`fcnn.sklearn.MLPClassifier` (validation scores are R²).

    Examples
    --------
    >>> from fcnn.sklearn import MLPRegressor
    >>> reg = MLPRegressor((64, 64), activation="silu", random_state=0)
    >>> reg.fit(X, y).predict(X[:3])  # doctest: +SKIP
    """

    # The shared table, and which outputs and losses a regressor takes: any activation,
    # and a loss for real-valued targets (MSELoss, L1Loss, HuberLoss or a subclass).
    _parameter_constraints = constraints_with(
        outputs=ACTIVATIONS,
        losses=lambda cls: cls.target_kind == "values",
        loss_aliases=_LOSS_ALIASES,
    )
    _numeric_targets = True
    _validation_metric = staticmethod(r2_score)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    def _targets(self, y, *, first: bool, classes=None):
        y = np.asarray(y, dtype=np.float64)
        if first:
            self._y_ndim = y.ndim
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if not first and Y.shape[1] != self.n_outputs_:
            template = N_(
                "{name}: y has {columns} target columns, but the network was fitted with {fitted}"
            )
            said = {"columns": Y.shape[1], "fitted": self.n_outputs_}
            raise ValueError(Message("train", template, name=type(self).__name__, **said))
        return Y, y

    def _losses(self, settings: dict[str, Any]):
        loss = settings["loss"]
        return build_loss("mse" if loss is None else loss, _LOSS_ALIASES), settings["output"]

    def _objective_scales(self) -> tuple[float, float]:
        # scikit-learn reports ½·mean (y - ŷ)² (+ ½·α‖W‖²/n) but its gradient, (ŷ - y)/n
        # per target, is that of the half squared error summed over the k targets: k/2
        # times fcnn's MSE, which averages over them.
        if isinstance(self._loss_fn, MSELoss):
            return 0.5, 0.5 * self.n_outputs_
        return 1.0, 1.0

    def _init_output(self, Y, sample_weight) -> None:
        # Start from the best constant prediction: the output bias at the targets' mean.
        # Targets far from 0 (prices, temperatures) otherwise take thousands of small Adam
        # steps to reach before the network learns anything else.
        last = self.model_[-1]
        if self.init != "sklearn" and isinstance(last, Linear) and last.bias is not None:
            last.bias.data[...] = np.average(Y, axis=0, weights=sample_weight)

    def _predict_from_output(self, out: np.ndarray) -> np.ndarray:
        return out.ravel() if self._y_ndim == 1 else out

    def predict(self, X) -> np.ndarray:
        """Predicted targets (float64), shape (n_samples,) or (n_samples, n_targets) as ``y``
        was at fit time."""
        return self._predict_from_output(self._validated_output(X))

    def partial_fit(self, X, y, sample_weight=None) -> MLPRegressor:
        """One epoch over ``(X, y)``, continuing from the current weights and optimiser state.

        As :meth:`fcnn.sklearn.MLPClassifier.partial_fit` (scikit-learn's semantics),
        without ``classes``.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True)
