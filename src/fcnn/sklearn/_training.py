"""The training loop of the scikit-learn estimators: epochs of shuffled mini-batches, each
one :class:`fcnn.train.step.TrainStep` (forward, loss, backward, penalty, optimiser step),
with what scikit-learn's MLP adds around the step:

- the loss is scikit-learn's (its scales and sample weights: :mod:`._objective`);
- ``alpha``: an L2 penalty ``½·alpha·Σ‖W‖² / Σw`` on the weights of every ``Linear`` and
  ``Maxout`` layer (not biases, BatchNorm or PReLU parameters), ``Σw`` the batch's sample
  count or total sample weight: the step's :class:`~fcnn.train.step.Penalty` with
  ``l2 = alpha / Σw`` set before each batch;
- Adam's epsilon where scikit-learn puts it (before the bias correction), set on the
  optimiser's param groups before each step;
- ``random_state``: each epoch's shuffle comes from the estimator's RandomState, as in
  scikit-learn, so the same int ``random_state`` gives the same batches.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import shuffle as shuffled_rows

from ..i18n import N_, Message
from ..layers import Linear, Maxout
from ..optim import OPTIMIZERS
from ..train.step import Penalty, TrainStep
from ._objective import SklearnObjective


def _nothing_to_learn(value: float) -> bool:
    """TrainStep's ``before_update`` for a batch whose sample weights are all 0: skip it."""
    return False


class _Training:
    """The optimiser and the epoch loop of :class:`~fcnn.sklearn._base._BaseMLP` (a mixin:
    it reads the estimator's parameters and writes its progress attributes)."""

    def _optimizer_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of the fcnn optimiser named by ``optimizer``."""
        kind = self.optimizer.lower()
        kwargs: dict[str, Any] = {"lr": float(self.learning_rate_init)}
        if kind == "sgd":
            kwargs["momentum"] = float(self.momentum)
            kwargs["nesterov"] = bool(self.nesterovs_momentum) and self.momentum > 0
        elif kind in ("adam", "adamw"):
            kwargs["betas"] = (float(self.beta_1), float(self.beta_2))
            kwargs["eps"] = float(self.epsilon)
        elif kind == "rmsprop":
            kwargs["eps"] = float(self.epsilon)
        if self.weight_decay is not None:
            kwargs["weight_decay"] = float(self.weight_decay)
        kwargs.update(self.optimizer_params or {})
        return kwargs

    def _make_optimizer(self):
        kind = self.optimizer.lower()
        kwargs = self._optimizer_kwargs()
        kwargs_given = self.optimizer_params or {}
        # Counts Adam's steps for _correct_adam_epsilon (None: no correction).
        self._adam_steps = 0 if kind in ("adam", "adamw") and "eps" not in kwargs_given else None
        try:
            return OPTIMIZERS[kind](self.model_.parameters(), **kwargs)
        except TypeError as err:
            template = N_("{name}: the {kind} optimizer rejects {kwargs}: {error}")
            said = {"kind": kind, "kwargs": kwargs, "error": err}
            raise ValueError(Message("train", template, name=type(self).__name__, **said)) from None

    def _correct_adam_epsilon(self) -> None:
        """Before each Adam step: scikit-learn's Adam adds epsilon to √v before the bias
        correction, PyTorch's (and fcnn's) after it; unless optimizer_params sets eps, each
        step passes eps = ε / √(1 - β₂ᵗ), which turns fcnn's denominator
        √v / √(1 - β₂ᵗ) + eps into scikit-learn's (√v + ε) / √(1 - β₂ᵗ)."""
        if self._adam_steps is None:
            return
        self._adam_steps += 1
        for group in self._optimizer.param_groups:
            correction = 1.0 - float(group["betas"][1]) ** self._adam_steps
            group["eps"] = float(self.epsilon) / correction**0.5

    def _batch_bounds(self, n: int) -> list[tuple[int, int]]:
        batch = min(200, n) if self.batch_size == "auto" else min(int(self.batch_size), n)
        starts = list(range(0, n, batch))
        if self.batchnorm and len(starts) > 1 and n - starts[-1] == 1:
            starts.pop()  # BatchNorm cannot train on a batch of one: merge it into the last
        return [(s, starts[i + 1] if i + 1 < len(starts) else n) for i, s in enumerate(starts)]

    def _penalised(self) -> list:
        return [m.weight for m in self.model_.modules() if isinstance(m, (Linear, Maxout))]

    def _train(self, X, Y, y, sample_weight, *, incremental: bool) -> None:
        model = self.model_
        X_val = y_val = sw_val = None
        if self.early_stopping and not incremental:
            X, Y, sample_weight, X_val, y_val, sw_val = self._split(X, Y, y, sample_weight)
            if self._best_state is None:
                self._best_state = model.state_dict()
        # The weights training sees: sample weights times class weights (validation
        # scores above keep the sample weights only).
        weights = self._row_weights(Y, sample_weight, incremental=incremental)
        objective = SklearnObjective(self._loss_fn, *self._objective_scales())
        step = TrainStep(model, objective, self._optimizer, Penalty(self._penalised()))
        n = X.shape[0]
        bounds = self._batch_bounds(n)
        epochs = 1 if incremental else int(self.max_iter)
        model.train()
        converged = False
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                order = np.arange(n) if self.shuffle else None
                for _ in range(epochs):
                    if self.shuffle:  # as scikit-learn: last epoch's order, shuffled again
                        order = shuffled_rows(order, random_state=self._random_state)
                    self._end_epoch(self._epoch(step, X, Y, weights, order, bounds), n)
                    # partial_fit's one epoch counts toward best_loss_ too, as in scikit-learn
                    if self._update_no_improvement(X_val, y_val, sw_val):
                        converged = True
                        if self.verbose:
                            print(self._stop_message())
                        break
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=4)
            converged = True
        finally:
            model.eval()
            # Leave only one row in the arrays each layer keeps for backward (memory, pickles).
            model.forward(X[:1].toarray() if sp.issparse(X) else X[:1])
        if self.early_stopping and not incremental and self._best_state is not None:
            model.load_state_dict(self._best_state)
        if not incremental and not converged:
            warnings.warn(
                f"{type(self).__name__}: maximum iterations ({self.max_iter}) reached and the "
                f"optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _epoch(self, step: TrainStep, X, Y, sample_weight, order, bounds) -> float:
        """One pass over the batches; returns the mean of the batches' losses (with the
        penalty, on scikit-learn's scale), each weighted by its number of rows."""
        objective, penalty = step.loss, step.penalty
        alpha = float(self.alpha)
        sparse = sp.issparse(X)
        total = 0.0
        for begin, end in bounds:
            # Each batch's rows are gathered just before use (while they are in cache),
            # not the whole shuffled data set once per epoch.
            rows = slice(begin, end) if order is None else order[begin:end]
            xb = X[rows]
            if sparse:
                xb = xb.toarray()
            weight = objective.weigh(
                None if sample_weight is None else sample_weight[rows], end - begin
            )
            if weight:
                penalty.l2 = alpha / weight  # d/dW of ½·α·‖W‖² / Σw is α·W / Σw
                self._correct_adam_epsilon()
            result = step(xb, Y[rows], None if weight else _nothing_to_learn)
            total += (result.loss + result.penalty) * (end - begin)
        return total / X.shape[0]

    def _end_epoch(self, loss: float, n: int) -> None:
        """Record an epoch's training loss; refuse one that is not finite."""
        self.n_iter_ += 1
        self.t_ += n
        self.loss_ = loss
        self.loss_curve_.append(loss)
        if not np.isfinite(loss):
            template = N_(
                "{name}: the training loss became {loss} at epoch "
                "{epoch}. The input data may contain large values and need to be "
                "scaled (StandardScaler), or learning_rate_init={lr} "
                "is too large."
            )
            said = {"loss": loss, "epoch": self.n_iter_, "lr": self.learning_rate_init}
            raise ValueError(Message("train", template, name=type(self).__name__, **said))
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
