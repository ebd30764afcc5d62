"""What ``MLPClassifier`` and ``MLPRegressor`` share: parameters, their checks, the network
they build and the training loop (mini-batches, sample weights, the L2 penalty, early
stopping), written on fcnn's explicit forward/backward.

The loop is fcnn's own step (``model.forward`` → ``loss.forward`` → ``model.backward`` →
``optimizer.step``) with what scikit-learn's MLP adds around it, with the same meanings:

- the loss is scikit-learn's: fcnn's loss times the factors of ``_objective_scales()``,
  one for the value reported (``loss_curve_``, and ``tol``'s stopping rule) and one for
  the gradient stepped along. For the squared error scikit-learn reports ½·MSE but
  steps along the half squared error summed over the targets (k times as steep, for k
  targets); for multi-label BCE it sums over the labels where fcnn's loss averages. So
  ``learning_rate_init``, ``alpha``, ``tol`` and ``loss_curve_`` mean what they mean
  there;
- ``alpha``: an L2 penalty ``½·alpha·Σ‖W‖² / Σw`` on the weights of every ``Linear`` and
  ``Maxout`` layer (not biases, BatchNorm or PReLU parameters), ``Σw`` the batch's sample
  count or total sample weight;
- ``sample_weight``: the batch loss is ``Σᵢ wᵢ ℓᵢ / Σᵢ wᵢ`` (ℓᵢ the sample's loss,
  averaged over its outputs), so an integer weight is the same as repeating the sample;
- ``tol`` / ``n_iter_no_change``: stop when the training loss (or, with
  ``early_stopping``, the validation score) has not improved by ``tol`` for more than
  ``n_iter_no_change`` consecutive epochs; early stopping restores the best weights.
- ``random_state``: one ``RandomState`` draws, in scikit-learn's order, what its MLP
  draws: the initial weights and biases (``init="sklearn"``, the default), the
  early-stopping split and each epoch's shuffle. So ``fit`` with the same int
  ``random_state`` starts from the same network and sees the same batches as
  ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` (tests/test_sklearn.py
  checks that their loss curves agree).
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils import shuffle as shuffled_rows
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..activations import ACTIVATIONS
from ..core import default_rng
from ..layers import Linear, Maxout
from ..models import INIT_NAMES, mlp
from ..optim import OPTIMIZERS

_ACTIVATION_ALIASES = {"logistic": "sigmoid"}  # scikit-learn's name for the sigmoid
_PREDICT_CHUNK = 4096  # rows per forward pass at predict time (bounds the memory used)
_SEED_BOUND = 2**32  # RandomState seeds are below 2³²
_INIT_NAMES = ("sklearn", *INIT_NAMES)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class _BaseMLP(BaseEstimator):
    """Parameters, network and training loop shared by the classifier and the regressor.

    Subclasses write ``_targets(y, first, classes)`` (targets in the loss's form, and the
    fitted target attributes), ``_loss_for(...)`` (which loss and output activation),
    ``_check_loss_targets``, ``_score_validation`` and the predict methods.
    """

    _kind = "estimator"

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        output: str | None = None,
        loss: Any = None,
        optimizer: str = "adam",
        learning_rate_init: float = 0.001,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float | None = None,
        optimizer_params: dict | None = None,
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        max_iter: int = 200,
        shuffle: bool = True,
        tol: float = 1e-4,
        n_iter_no_change: int = 10,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        batchnorm: bool = False,
        dropout: float = 0.0,
        init: str = "sklearn",
        pieces: int = 2,
        random_state: Any = None,
        verbose: int = 0,
        warm_start: bool = False,
        dtype: Any = "float32",
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output = output
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.weight_decay = weight_decay
        self.optimizer_params = optimizer_params
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.batchnorm = batchnorm
        self.dropout = dropout
        self.init = init
        self.pieces = pieces
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.dtype = dtype

    # ----------------------------------------------------------------- parameter checks

    def _check_params(self) -> dict[str, Any]:
        """Check every constructor parameter (at fit time, as scikit-learn does) and return
        the resolved values the fit needs."""
        name = type(self).__name__
        sizes = self.hidden_layer_sizes
        if _is_int(sizes):
            sizes = [sizes]
        try:
            sizes = list(sizes)
        except TypeError:
            sizes = None
        _check(
            sizes is not None and all(_is_int(s) and s > 0 for s in sizes),
            f"{name}(hidden_layer_sizes={self.hidden_layer_sizes!r}): expected positive "
            f"integers, e.g. (100,) or (64, 32); () for no hidden layer",
        )
        activation = _ACTIVATION_ALIASES.get(self.activation, self.activation)
        _check(
            isinstance(activation, str) and (activation in ACTIVATIONS or activation == "maxout"),
            f"{name}(activation={self.activation!r}): expected one of "
            f"{', '.join([*ACTIVATIONS, 'maxout', 'logistic'])}",
        )
        _check(
            isinstance(self.optimizer, str) and self.optimizer.lower() in OPTIMIZERS,
            f"{name}(optimizer={self.optimizer!r}): expected one of {', '.join(OPTIMIZERS)}",
        )
        for key in ("learning_rate_init",):
            value = getattr(self, key)
            _check(_is_real(value) and value > 0, f"{name}({key}={value!r}): must be > 0")
        for key in ("alpha", "tol", "momentum"):
            value = getattr(self, key)
            _check(_is_real(value) and value >= 0, f"{name}({key}={value!r}): must be >= 0")
        for key in ("beta_1", "beta_2"):
            value = getattr(self, key)
            _check(
                _is_real(value) and 0 <= value < 1, f"{name}({key}={value!r}): must be in [0, 1)"
            )
        _check(
            _is_real(self.epsilon) and self.epsilon > 0,
            f"{name}(epsilon={self.epsilon!r}): must be > 0",
        )
        _check(
            self.weight_decay is None or (_is_real(self.weight_decay) and self.weight_decay >= 0),
            f"{name}(weight_decay={self.weight_decay!r}): must be None or >= 0",
        )
        _check(
            self.optimizer_params is None or isinstance(self.optimizer_params, dict),
            f"{name}(optimizer_params={self.optimizer_params!r}): expected a dict or None",
        )
        _check(
            self.batch_size == "auto" or (_is_int(self.batch_size) and self.batch_size > 0),
            f"{name}(batch_size={self.batch_size!r}): expected 'auto' or a positive integer",
        )
        for key in ("max_iter", "n_iter_no_change", "pieces"):
            value = getattr(self, key)
            _check(
                _is_int(value) and value > 0,
                f"{name}({key}={value!r}): must be a positive integer",
            )
        _check(
            _is_real(self.validation_fraction) and 0 < self.validation_fraction < 1,
            f"{name}(validation_fraction={self.validation_fraction!r}): must be in (0, 1)",
        )
        _check(
            _is_real(self.dropout) and 0 <= self.dropout < 1,
            f"{name}(dropout={self.dropout!r}): must be in [0, 1)",
        )
        _check(
            self.init in _INIT_NAMES,
            f"{name}(init={self.init!r}): expected one of {', '.join(_INIT_NAMES)}",
        )
        _check(
            _is_int(self.verbose) and self.verbose >= 0,
            f"{name}(verbose={self.verbose!r}): expected 0, 1 or 2",
        )
        for key in ("shuffle", "early_stopping", "batchnorm", "warm_start", "nesterovs_momentum"):
            value = getattr(self, key)
            _check(
                isinstance(value, (bool, np.bool_)),
                f"{name}({key}={value!r}): expected True or False",
            )
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        _check(
            dtype in (np.dtype(np.float32), np.dtype(np.float64)),
            f"{name}(dtype={self.dtype!r}): expected 'float32' or 'float64'",
        )
        return {"sizes": sizes, "activation": activation, "dtype": dtype}

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
        # scikit-learn's Adam adds epsilon to √v before the bias correction, PyTorch's (and
        # fcnn's) after it; unless optimizer_params sets eps, each step passes
        # eps = ε / √(1 - β₂ᵗ), which turns fcnn's denominator √v / √(1 - β₂ᵗ) + eps into
        # scikit-learn's (√v + ε) / √(1 - β₂ᵗ).
        self._adam_steps = 0 if kind in ("adam", "adamw") and "eps" not in kwargs_given else None
        try:
            return OPTIMIZERS[kind](self.model_.parameters(), **kwargs)
        except TypeError as err:
            raise ValueError(
                f"{type(self).__name__}: the {kind} optimizer rejects {kwargs}: {err}"
            ) from None

    def _random_states(self) -> tuple[np.random.RandomState, np.random.Generator]:
        """scikit-learn's random stream, and a Generator for fcnn's own draws.

        The RandomState comes from ``random_state`` as scikit-learn makes it (an int seeds
        a new one, a RandomState is used as it is); a Generator seeds it; None seeds it
        from fcnn's default generator (never NumPy's global state). The Generator (dropout
        masks, fcnn's initialisers other than "sklearn") is the given Generator, or is
        seeded from the RandomState's state without drawing from it, so that the
        RandomState's stream stays scikit-learn's.
        """
        state = self.random_state
        if isinstance(state, np.random.Generator):
            return np.random.RandomState(int(state.integers(_SEED_BOUND))), state
        if state is None:
            state = int(default_rng().integers(_SEED_BOUND))
        random_state = check_random_state(state)
        return random_state, np.random.default_rng(random_state.get_state()[1])

    # ----------------------------------------------------------------- subclass hooks

    def _targets(self, y, *, first: bool, classes=None) -> tuple[np.ndarray, Any]:
        """``(targets in the loss's form, y as the scores compare it)``; on the first fit
        also sets the fitted target attributes (``classes_``, ...)."""
        raise NotImplementedError

    def _losses(self, output: str | None) -> tuple[Any, str | None]:
        raise NotImplementedError

    def _score_validation(self, X, y, sample_weight) -> float:
        raise NotImplementedError

    def _objective_scales(self) -> tuple[float, float]:
        """scikit-learn's loss over fcnn's loss of the same predictions: (the value it
        reports, the one whose gradient it steps along). See the module's docstring."""
        return 1.0, 1.0

    def _init_output(self, Y, sample_weight) -> None:
        """Adjust the new network's output layer to the targets (the regressor does)."""

    def _strata(self, Y) -> np.ndarray | None:
        """Class indices to stratify the early-stopping split by (None: do not stratify)."""
        return None

    def _check_weighted_targets(self, Y, sample_weight) -> None:
        """Refuse a fit that sample weights make degenerate (a classifier: one class left)."""

    # ----------------------------------------------------------------- fitting

    def _validate(self, X, y, *, reset: bool, y_numeric: bool):
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            accept_sparse="csr",
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=y_numeric,
        )
        return X, y

    def _fit(self, X, y, sample_weight=None, *, incremental: bool, classes=None):
        settings = self._check_params()
        name = type(self).__name__
        fitted = hasattr(self, "model_")
        # A cold start builds a new network; partial_fit and warm_start continue the old one.
        first = not fitted or not (incremental or self.warm_start)
        if incremental and self.early_stopping:
            raise ValueError(f"{name}: partial_fit does not support early_stopping=True")
        X, y = self._validate(X, y, reset=first, y_numeric=self._kind == "regressor")
        dtype = settings["dtype"]
        if not first and self.model_.dtype != dtype:
            raise ValueError(
                f"{name}: dtype changed from {self.model_.dtype} to {dtype} since the network "
                f"was built; fit again without warm_start"
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            if not sample_weight.any():
                raise ValueError(
                    "Sample weights must contain at least one non-zero number (every weight is "
                    "zero, so there is nothing to fit)"
                )
            if np.all(sample_weight == 1.0):
                sample_weight = None  # the same fit, on the faster unweighted path
        Y, y = self._targets(y, first=first, classes=classes)
        if Y.dtype.kind == "f":
            Y = Y.astype(dtype)  # once, not per batch
        if sample_weight is not None and not incremental:
            self._check_weighted_targets(Y, sample_weight)
        if not incremental or not hasattr(self, "_rng"):
            self._random_state, self._rng = self._random_states()
        if first:
            self._build(X.shape[1], Y, settings)
            self._init_output(Y, sample_weight)
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
        if not incremental or not hasattr(self, "loss_curve_"):
            self._reset_progress()
        if not sp.issparse(X):
            X = np.asarray(X, dtype=dtype)
        elif X.dtype != dtype:
            X = X.astype(dtype)
        self._train(X, Y, y, sample_weight, incremental=incremental)
        return self

    def _build(self, n_features: int, Y: np.ndarray, settings: dict[str, Any]) -> None:
        output = self.output
        if isinstance(output, str):
            output = _ACTIVATION_ALIASES.get(output, output)
        self._loss_fn, output = self._losses(output)
        reduction_none = dict(self._loss_fn.config(), reduction="none")
        self._loss_none = type(self._loss_fn)(**reduction_none)
        self.n_outputs_ = self._n_outputs(Y)
        self.model_ = mlp(
            [n_features, *settings["sizes"], self.n_outputs_],
            activation=settings["activation"],
            output=output,
            batchnorm=bool(self.batchnorm),
            dropout=float(self.dropout),
            init="xavier_uniform" if self.init == "sklearn" else self.init,
            pieces=int(self.pieces),
            dtype=settings["dtype"],
            rng=self._rng,
        )
        if self.init == "sklearn":
            self._init_as_sklearn(settings["activation"])

    def _init_as_sklearn(self, activation: str) -> None:
        """scikit-learn's MLP initialisation (Glorot & Bengio, 2010): weights and biases
        from U(-b, b), b = √(6 / (fan_in + fan_out)) (√(2 / …) for the logistic), drawn
        from the RandomState layer by layer, weights (as an in × out array) then biases.
        A Maxout layer counts each piece as an output."""
        factor = 2.0 if activation == "sigmoid" else 6.0
        for module in self.model_.modules():
            if not isinstance(module, (Linear, Maxout)):
                continue
            fan_out, fan_in = module.weight.shape
            bound = np.sqrt(factor / (fan_in + fan_out))
            module.weight.data[...] = self._random_state.uniform(-bound, bound, (fan_in, fan_out)).T
            biases = self._random_state.uniform(-bound, bound, fan_out)
            if module.bias is not None:
                module.bias.data[...] = biases

    def _n_outputs(self, Y: np.ndarray) -> int:
        return 1 if Y.ndim == 1 else Y.shape[1]

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
            raise ValueError(
                f"The validation set is too small: validation_fraction="
                f"{self.validation_fraction} of {n} samples leaves {n_val} for validation; "
                f"increase validation_fraction or the size of your dataset"
            )
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
            _take(y, val_idx),
            None if sw is None else sw[val_idx],
        )

    def _batch_bounds(self, n: int) -> list[tuple[int, int]]:
        batch = min(200, n) if self.batch_size == "auto" else min(int(self.batch_size), n)
        starts = list(range(0, n, batch))
        if self.batchnorm and len(starts) > 1 and n - starts[-1] == 1:
            starts.pop()  # BatchNorm cannot train on a batch of one: merge it into the last
        return [(s, starts[i + 1] if i + 1 < len(starts) else n) for i, s in enumerate(starts)]

    def _penalised(self) -> list:
        return [m.weight for m in self.model_.modules() if isinstance(m, (Linear, Maxout))]

    def _train(self, X, Y, y, sample_weight, *, incremental: bool) -> None:
        model, optimizer = self.model_, self._optimizer
        X_val = y_val = sw_val = None
        if self.early_stopping and not incremental:
            X, Y, sample_weight, X_val, y_val, sw_val = self._split(X, Y, y, sample_weight)
            if self._best_state is None:
                self._best_state = model.state_dict()
        n = X.shape[0]
        bounds = self._batch_bounds(n)
        weights = self._penalised()
        alpha = float(self.alpha)
        scratch = [np.empty_like(w.data) for w in weights] if alpha else []
        sparse = sp.issparse(X)
        epochs = 1 if incremental else int(self.max_iter)
        model.train()
        converged = False
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                order = np.arange(n) if self.shuffle else None
                for _ in range(epochs):
                    if self.shuffle:  # as scikit-learn: last epoch's order, shuffled again
                        order = shuffled_rows(order, random_state=self._random_state)
                    total = 0.0
                    for begin, end in bounds:
                        # Each batch's rows are gathered just before use (while they are in
                        # cache), not the whole shuffled data set once per epoch.
                        rows = slice(begin, end) if order is None else order[begin:end]
                        xb = X[rows]
                        if sparse:
                            xb = xb.toarray()
                        value = self._step(
                            model,
                            optimizer,
                            xb,
                            Y[rows],
                            None if sample_weight is None else sample_weight[rows],
                            weights,
                            scratch,
                            alpha,
                        )
                        total += value * (end - begin)
                    self.n_iter_ += 1
                    self.t_ += n
                    self.loss_ = total / n
                    self.loss_curve_.append(self.loss_)
                    if not np.isfinite(self.loss_):
                        raise ValueError(
                            f"{type(self).__name__}: the training loss became {self.loss_} "
                            f"at epoch {self.n_iter_}. The input data may contain large "
                            f"values and need to be scaled (StandardScaler), or "
                            f"learning_rate_init={self.learning_rate_init} is too large."
                        )
                    if self.verbose:
                        print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
                    if incremental:
                        break
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
            model.forward(X[:1].toarray() if sparse else X[:1])
        if self.early_stopping and not incremental and self._best_state is not None:
            model.load_state_dict(self._best_state)
        if not incremental and not converged:
            warnings.warn(
                f"{type(self).__name__}: maximum iterations ({self.max_iter}) reached and the "
                f"optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _step(self, model, optimizer, xb, yb, wb, weights, scratch, alpha) -> float:
        """One gradient step on a batch; returns the batch's (weighted) loss with penalty,
        on scikit-learn's scale (``_objective_scales``)."""
        out = model.forward(xb)
        reported, stepped = self._objective_scales()
        if wb is None:
            value = self._loss_fn.forward(out, yb) * reported
            grad = self._loss_fn.backward()
            if stepped != 1.0:
                grad = grad * grad.dtype.type(stepped)
            denominator = float(len(xb))
        else:
            denominator = float(wb.sum())
            if denominator == 0.0:
                return 0.0  # every sample of this batch has weight 0: nothing to learn
            losses = self._loss_none.forward(out, yb)
            per_sample = losses if losses.ndim == 1 else losses.mean(axis=1)
            value = float(per_sample @ wb) / denominator * reported
            scale = (wb * (stepped / denominator)).astype(losses.dtype)
            if losses.ndim == 2:
                scale = np.broadcast_to((scale / losses.shape[1])[:, None], losses.shape)
            grad = self._loss_none.backward(scale)
        optimizer.zero_grad()
        model.backward_to_parameters(grad)  # no gradient for the data itself
        if alpha:
            coefficient = alpha / denominator  # d/dW of ½·α·‖W‖² / Σw
            penalty = 0.0
            for weight, buffer in zip(weights, scratch, strict=True):
                flat = weight.data.reshape(-1)
                penalty += float(flat @ flat)
                np.multiply(weight.data, coefficient, out=buffer)
                weight.grad += buffer
            value += 0.5 * coefficient * penalty
        if self._adam_steps is not None:
            self._adam_steps += 1
            for group in optimizer.param_groups:
                correction = 1.0 - float(group["betas"][1]) ** self._adam_steps
                group["eps"] = float(self.epsilon) / correction**0.5
        optimizer.step()
        return value

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

    # ----------------------------------------------------------------- prediction

    def _forward(self, X) -> np.ndarray:
        """The network's raw output for validated ``X``, in eval mode, as float64."""
        model = self.model_
        was_training = model.training
        model.eval()
        try:
            chunks = []
            for begin in range(0, X.shape[0], _PREDICT_CHUNK):
                xb = X[begin : begin + _PREDICT_CHUNK]
                xb = xb.toarray() if sp.issparse(xb) else np.asarray(xb, dtype=model.dtype)
                rows = xb.shape[0]
                if rows < _PREDICT_CHUNK:
                    # Every forward gets the same number of rows: BLAS then computes each
                    # row the same way, so a row's prediction does not depend on how many
                    # rows came with it (float32 kernels for other batch sizes differ in
                    # the last bits, and scikit-learn checks this invariance to 1e-7).
                    padded = np.zeros((_PREDICT_CHUNK, xb.shape[1]), dtype=model.dtype)
                    padded[:rows] = xb
                    xb = padded
                chunks.append(model.forward(xb)[:rows])
        finally:
            model.train(was_training)
        return np.concatenate(chunks).astype(np.float64, copy=False)

    def _validated_output(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse="csr", dtype=(np.float64, np.float32))
        return self._forward(X)

    # ----------------------------------------------------------------- state for pickling

    def __getstate__(self) -> dict[str, Any]:
        # The loss objects keep the last batch's arrays for backward; they need not travel.
        state = dict(self.__dict__)
        for key in ("_loss_fn", "_loss_none"):
            if key in state:
                state[key] = type(state[key])(**state[key].config())
        return state


def _take(y, rows: np.ndarray):
    return None if y is None else np.asarray(y)[rows]
