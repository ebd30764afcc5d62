"""What ``MLPClassifier`` and ``MLPRegressor`` share: their parameters, the network they
build, ``fit`` and the forward pass of prediction, on fcnn's explicit forward/backward.

The jobs around it have their own modules: the parameters' constraints and their check
(:mod:`._params`), the training loop (:mod:`._training`) with scikit-learn's objective
(:mod:`._objective`), and when training stops (:mod:`._stopping`).

``random_state``: one ``RandomState`` draws, in scikit-learn's order, what its MLP draws:
the initial weights and biases (``init="sklearn"``, the default), the early-stopping split
and each epoch's shuffle. So ``fit`` with the same int ``random_state`` starts from the
same network and sees the same batches as ``sklearn.neural_network.MLPClassifier`` /
``MLPRegressor`` (tests/test_sklearn.py checks that their loss curves agree).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..core import default_rng
from ..i18n import N_, Message
from ..layers import Linear, Maxout
from ..models import mlp
from ._params import PARAMETER_CONSTRAINTS, Check, validate_params
from ._stopping import _Stopping
from ._training import _Training

_PREDICT_CHUNK = 4096  # rows per forward pass at predict time (bounds the memory used)
_SEED_BOUND = 2**32  # RandomState seeds are below 2³²


class _BaseMLP(_Training, _Stopping, BaseEstimator):
    """Parameters, network and ``fit`` shared by the classifier and the regressor.

    Subclasses declare their ``_parameter_constraints`` (the shared table plus ``output``
    and ``loss``) and write ``_targets(y, first, classes)`` (targets in the loss's form,
    and the fitted target attributes), ``_losses(settings)`` (which loss and output
    activation), ``_predict_from_output`` and the predict methods.
    """

    _parameter_constraints: ClassVar[dict[str, Check]] = PARAMETER_CONSTRAINTS
    _numeric_targets = False  # validate_data's y_numeric: the regressor's targets are numbers

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _random_states(self) -> tuple[np.random.RandomState, np.random.Generator]:
        """scikit-learn's random stream, and a Generator for fcnn's own draws.

        The RandomState comes from ``random_state`` as scikit-learn makes it (an int seeds
        a new one, a RandomState is used as it is); a Generator seeds it; None seeds it
        from fcnn's default generator (never NumPy's global state). The Generator (dropout
        masks, fcnn's initialisers other than "sklearn") is the given Generator, or is
        seeded from the RandomState's state without drawing from it, so that the
        RandomState's stream stays scikit-learn's.
        """
        random_state = self._sklearn_random_state()
        if isinstance(self.random_state, np.random.Generator):
            return random_state, self.random_state
        return random_state, np.random.default_rng(random_state.get_state()[1])

    def _sklearn_random_state(self) -> np.random.RandomState:
        """The RandomState of :meth:`_random_states` alone."""
        state = self.random_state
        if isinstance(state, np.random.Generator):
            return np.random.RandomState(int(state.integers(_SEED_BOUND)))
        if state is None:
            state = int(default_rng().integers(_SEED_BOUND))
        return check_random_state(state)

    # ----------------------------------------------------------------- subclass hooks

    def _targets(self, y, *, first: bool, classes=None) -> tuple[np.ndarray, Any]:
        """``(targets in the loss's form, y as the scores compare it)``; on the first fit
        also sets the fitted target attributes (``classes_``, ...)."""
        raise NotImplementedError

    def _losses(self, settings: dict[str, Any]) -> tuple[Any, str | None]:
        """``(the fcnn loss, the network's output activation)`` from the checked
        ``loss`` and ``output`` parameters and the targets."""
        raise NotImplementedError

    def _predict_from_output(self, out: np.ndarray) -> np.ndarray:
        """Predictions from the network's raw (float64) output."""
        raise NotImplementedError

    def _objective_scales(self) -> tuple[float, float]:
        """scikit-learn's loss over fcnn's loss of the same predictions: (the value it
        reports, the one whose gradient it steps along). See :mod:`._objective`."""
        return 1.0, 1.0

    def _init_output(self, Y, sample_weight) -> None:
        """Adjust the new network's output layer to the targets (the regressor does)."""

    def _row_weights(self, Y, sample_weight, *, incremental: bool):
        """Each training row's weight (None: all 1): the classifier multiplies its
        ``class_weight`` into ``sample_weight``."""
        return sample_weight

    def _check_weighted_targets(self, Y, sample_weight) -> None:
        """Refuse a fit that sample weights make degenerate (a classifier: one class left)."""

    # ----------------------------------------------------------------- fitting

    def fit(self, X, y, sample_weight=None):
        """Train a new network on ``(X, y)`` (or continue it, with ``warm_start``).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets: class labels, or a 0/1 indicator matrix for multi-label
            classification; real numbers in regression.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; an integer weight counts as that many copies.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _validate(self, X, y, *, reset: bool):
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            accept_sparse="csr",
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=self._numeric_targets,
        )
        return X, y

    def _fit(self, X, y, sample_weight=None, *, incremental: bool, classes=None):
        settings = validate_params(self)
        name = type(self).__name__
        fitted = hasattr(self, "model_")
        # A cold start builds a new network; partial_fit and warm_start continue the old one.
        first = not fitted or not (incremental or self.warm_start)
        if incremental and self.early_stopping:
            template = N_("{name}: partial_fit does not support early_stopping=True")
            raise ValueError(Message("train", template, name=name))
        X, y = self._validate(X, y, reset=first)
        dtype = settings["dtype"]
        if not first and self.model_.dtype != dtype:
            template = N_(
                "{name}: dtype changed from {old} to {new} since the network "
                "was built; fit again without warm_start"
            )
            raise ValueError(
                Message("train", template, name=name, old=self.model_.dtype, new=dtype)
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            if not sample_weight.any():
                template = N_(
                    "Sample weights must contain at least one non-zero number (every weight is "
                    "zero, so there is nothing to fit)"
                )
                raise ValueError(Message("train", template))
            if np.all(sample_weight == 1.0):
                sample_weight = None  # the same fit, on the faster unweighted path
        Y, y = self._targets(y, first=first, classes=classes)
        if Y.dtype.kind == "f":
            Y = Y.astype(dtype)  # once, not per batch
        if sample_weight is not None and not incremental:
            self._check_weighted_targets(Y, sample_weight)
        # As scikit-learn, every call (partial_fit's too) makes its RandomState from
        # random_state afresh: an int gives each call's shuffle the same stream. The
        # network's Generator (dropout masks) carries on from call to call.
        if incremental and hasattr(self, "_rng"):
            self._random_state = self._sklearn_random_state()
        else:
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
        self._loss_fn, output = self._losses(settings)
        self.n_outputs_ = self._n_outputs(Y)
        self.model_ = mlp(
            [n_features, *settings["hidden_layer_sizes"], self.n_outputs_],
            activation=settings["activation"],
            output=output,
            batchnorm=settings["batchnorm"],
            dropout=settings["dropout"],
            init="xavier_uniform" if self.init == "sklearn" else self.init,
            pieces=settings["pieces"],
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
