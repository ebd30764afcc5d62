"""``MLPClassifier``: binary, multi-class and multi-label classification with an fcnn network."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.multiclass import type_of_target

from ..i18n import N_, Message
from ._base import _BaseMLP
from ._classes import _LOSS_ALIASES, _OUTPUT_FOR, _ClassTargets, _kinds
from ._params import class_weight_kind, constraints_with, either


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log σ(z) = -log(1 + e^-z), without overflow for any z."""
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


class MLPClassifier(ClassifierMixin, _ClassTargets, _BaseMLP):
    """A fully-connected network classifier with scikit-learn's estimator interface.

    Binary targets train one sigmoid output (``BCEWithLogitsLoss``), multi-class targets
    one output per class (``CrossEntropyLoss``), and a 2-D 0/1 indicator matrix ``y`` is
    multi-label classification: one sigmoid output per label.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
        Widths of the hidden layers; ``()`` for none (logistic regression).
    activation : str, default "relu"
        Hidden activation: any name in ``fcnn.ACTIVATIONS`` (``"relu"``, ``"tanh"``,
        ``"gelu"``, ``"silu"``, ``"leaky_relu"``, ``"prelu"``, ``"elu"``, ``"selu"``,
        ``"softplus"``, ``"sigmoid"`` or scikit-learn's ``"logistic"``, ``"identity"``, ...)
        or ``"maxout"`` (each hidden layer a ``Maxout`` of ``pieces`` pieces).
    output : {None, "sigmoid", "log_softmax"}, default None
        The network's output activation. None lets the loss decide: logits for the fused
        losses (the stable choice), ``"sigmoid"`` for ``loss="bce"``, ``"log_softmax"``
        for ``loss="nll"``.
    loss : str or fcnn loss, optional
        None picks ``"bce_with_logits"`` for binary and multi-label targets and
        ``"cross_entropy"`` (also ``"log_loss"``) for several classes; ``"nll"`` and
        ``"bce"`` are the unfused forms. An instance configures it, e.g.
        ``fcnn.CrossEntropyLoss(label_smoothing=0.1)``.
    optimizer : {"adam", "sgd", "adamw", "rmsprop", "adagrad"}, default "adam"
        scikit-learn's ``solver`` (there is no ``"lbfgs"``).
    learning_rate_init : float, default 0.001
        The optimiser's learning rate.
    momentum : float, default 0.9
        SGD's momentum.
    nesterovs_momentum : bool, default True
        Nesterov momentum for SGD (when ``momentum > 0``).
    beta_1, beta_2, epsilon : float, default 0.9, 0.999, 1e-8
        Adam's and AdamW's ``betas`` and ``eps`` (RMSprop takes ``epsilon`` too).
    weight_decay : float, optional
        The optimiser's own weight decay (decoupled for AdamW); None keeps its default
        (0, AdamW 0.01).
    optimizer_params : dict, optional
        Any other keyword of the fcnn optimiser, e.g. ``{"centered": True}`` for RMSprop;
        these win over the parameters above.
    alpha : float, default 0.0001
        L2 penalty on the weights (not the biases), ``½·alpha·Σ‖W‖² / (batch samples)``
        next to the mean loss, scaled so that the objective is proportional to
        scikit-learn's MLP's for the same ``alpha``.
    batch_size : int or "auto", default "auto"
        ``min(200, n_samples)`` for "auto"; at most ``n_samples``.
    max_iter : int, default 200
        Epochs (passes over the training data).
    shuffle : bool, default True
        Reshuffle the rows every epoch.
    tol : float, default 1e-4
    n_iter_no_change : int, default 10
        Stop when the training loss (with ``early_stopping``: the validation accuracy)
        has not improved by ``tol`` for more than ``n_iter_no_change`` epochs.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the rows (stratified), stop on the validation
        accuracy and keep the best weights.
    validation_fraction : float, default 0.1
    batchnorm : bool, default False
        ``BatchNorm1d`` after every hidden linear map.
    dropout : float, default 0.0
        Dropout probability after every hidden activation.
    init : str, default "sklearn"
        Weight initialisation. ``"sklearn"`` is scikit-learn's MLP's: Glorot-uniform
        weights and biases, drawn from ``random_state`` as scikit-learn draws them, so the
        same int ``random_state`` starts the same network. Or ``fcnn.mlp``'s ``init``
        names: ``"xavier_uniform"`` (zero biases), ``"default"`` (PyTorch's ``nn.Linear``),
        ``"kaiming_normal"`` (deep ReLU networks), ...
    pieces : int, default 2
        Pieces per unit for ``activation="maxout"``.
    random_state : int, RandomState, Generator or None
        Seeds initial weights, shuffling, dropout masks and the validation split; an int
        or a RandomState gives the weights, split and batch order scikit-learn's MLP gets
        from it. None draws from fcnn's default generator (``fcnn.seed``).
    verbose : int, default 0
        Print the loss (and validation score) every epoch.
    warm_start : bool, default False
        ``fit`` continues from the current weights (after ``fit`` or ``partial_fit``, with
        a new optimiser, as scikit-learn's) instead of building a new network.
    dtype : {"float32", "float64"}, default "float32"
        The network's dtype; predictions are float64 either way.
    class_weight : dict or "balanced", optional
        scikit-learn's meaning (its own MLP has no such parameter): ``{label: weight}``
        (labels not named weigh 1) or ``"balanced"``, ``n_samples / (n_classes ·
        count_c)`` counted on the training rows (after the early-stopping split). A row
        weighs its class's weight times its ``sample_weight``, and each batch's loss is
        the weighted mean ``Σ wᵢℓᵢ / Σ wᵢ``. Weights are positive; ``"balanced"`` is not
        for ``partial_fit``, and neither is for multi-label targets. Validation scores
        stay unweighted by class.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multi-label, ``arange(n_labels)``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When fitted on a DataFrame with string column names.
    n_outputs_ : int
        Width of the network's output layer.
    model_ : fcnn.Sequential
        The trained network (in eval mode).
    loss_ : float
        The training loss of the last epoch (with the L2 penalty).
    loss_curve_ : list of float
        The training loss of every epoch.
    best_loss_ : float or None
        The lowest training loss (None with early stopping).
    validation_scores_ : list of float or None
        The validation accuracy of every epoch (early stopping only).
    best_validation_score_ : float or None
    n_iter_ : int
        Epochs run by the last ``fit``; ``partial_fit`` adds one per call (scikit-learn's
        MLP sets it to 1 on each call).
    t_ : int
        Training samples seen (by ``partial_fit``: over all the calls since the network
        was built).

    Examples
    --------
    >>> from fcnn.sklearn import MLPClassifier
    >>> clf = MLPClassifier((32,), activation="gelu", max_iter=50, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:3])  # doctest: +SKIP
    """

    # The shared table, and which outputs and losses a classifier takes ("identity": the
    # logits, as None; whether the output fits the loss, _losses checks).
    _parameter_constraints = constraints_with(
        outputs=("identity", "sigmoid", "log_softmax"),
        losses=lambda cls: _kinds(cls) in _OUTPUT_FOR,
        loss_aliases=_LOSS_ALIASES,
        class_weight=either(None, class_weight_kind),
    )
    _validation_metric = staticmethod(accuracy_score)

    # The shared parameters and class_weight (scikit-learn reads an estimator's
    # parameters from its __init__'s signature, so each is spelled out here).
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
        class_weight: dict | str | None = None,
    ) -> None:
        super().__init__(
            hidden_layer_sizes,
            activation,
            output=output,
            loss=loss,
            optimizer=optimizer,
            learning_rate_init=learning_rate_init,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            weight_decay=weight_decay,
            optimizer_params=optimizer_params,
            alpha=alpha,
            batch_size=batch_size,
            max_iter=max_iter,
            shuffle=shuffle,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            batchnorm=batchnorm,
            dropout=dropout,
            init=init,
            pieces=pieces,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            dtype=dtype,
        )
        self.class_weight = class_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    # ----------------------------------------------------------------- probabilities

    def _log_proba_from_output(self, out: np.ndarray) -> np.ndarray:
        """Log-probabilities (float64) from the network's raw output."""
        target_kind, input_kind = _kinds(self._loss_fn)
        if target_kind == "classes":  # logits, or log-probabilities (renormalised exactly)
            return _log_softmax(out)
        if input_kind == "probabilities":
            p = np.clip(out, 0.0, 1.0)
            with np.errstate(divide="ignore"):
                log_p, log_q = np.log(p), np.log1p(-p)
        else:  # logits
            log_p, log_q = _log_sigmoid(out), _log_sigmoid(-out)
        if self._multilabel:
            return log_p
        return np.hstack([log_q, log_p])  # binary: [P(class 0), P(class 1)]

    def predict_log_proba(self, X) -> np.ndarray:
        """Log of :meth:`predict_proba`, computed stably from the network's output.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            For multi-label targets, ``log P(label j)`` per label.
        """
        return self._log_proba_from_output(self._validated_output(X))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1 (columns in the order of ``classes_``). For multi-label targets,
            the independent probability of each label.
        """
        return np.exp(self.predict_log_proba(X))

    def _predict_from_output(self, out: np.ndarray) -> np.ndarray:
        proba = np.exp(self._log_proba_from_output(out))
        if self._multilabel:
            return (proba > 0.5).astype(np.int64)
        return self.classes_[np.argmax(proba, axis=1)]

    def predict(self, X) -> np.ndarray:
        """Predicted class labels, shape (n_samples,) (multi-label: (n_samples, n_labels)
        of 0/1)."""
        return self._predict_from_output(self._validated_output(X))

    # ----------------------------------------------------------------- fitting

    def partial_fit(self, X, y, classes=None, sample_weight=None) -> MLPClassifier:
        """One epoch over ``(X, y)``, continuing from the current weights and optimiser state.

        scikit-learn's semantics (with the same int ``random_state``, in float64, a
        sequence of calls leaves scikit-learn's MLP's weights): mini-batches of
        ``batch_size`` shuffled by a RandomState made from ``random_state`` at each call;
        the first call builds the network (unless ``fit`` did), later calls and calls after
        ``fit`` keep its weights and optimiser state; ``loss_curve_``, ``t_`` and
        ``best_loss_`` run on across calls. ``early_stopping`` is refused, and so is
        ``class_weight="balanced"`` (pass its dict). A later ``fit`` starts over, or with
        ``warm_start=True`` continues from these weights with a new optimiser.

        Parameters
        ----------
        X, y, sample_weight : as in :meth:`fit`
        classes : array-like, optional
            Every class label; required on the first call (except for multi-label
            targets, whose labels are the columns of ``y``), since one batch need not
            contain every class. Later calls may repeat it; it must then be the same.

        Returns
        -------
        self
        """
        if not hasattr(self, "model_") and classes is None:
            if type_of_target(y) != "multilabel-indicator":
                template = N_(
                    "{name}: classes must be passed on the first call to "
                    "partial_fit (every label the data may contain)"
                )
                raise ValueError(Message("train", template, name=type(self).__name__))
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)
