"""Class weights and per-row weights: scikit-learn's ``class_weight`` as one weight per
class, and the losses ``fit`` and the scikit-learn estimators train with when rows weigh
differently.

``class_weight`` means what it means in scikit-learn: ``None`` (every class weighs 1), a
dict ``{class: weight}`` (classes it does not name weigh 1) or ``"balanced"``, which gives
class ``c`` the weight ``n_samples / (n_classes · count_c)`` counted on the training rows,
so that every class carries the same total weight and the weights average 1 over the
rows. Weights must be positive and finite: a class of weight 0 would leave a batch of
only its rows with nothing to divide by (PyTorch's weighted mean is NaN there); leave
such rows out of the data instead.

Every weighted loss here is a weighted *mean*, ``Σᵢ wᵢ·ℓᵢ / Σᵢ wᵢ`` over a batch: the mean
``CrossEntropyLoss(weight=w)`` takes in PyTorch (it divides by ``Σᵢ w[yᵢ]``, not by N).
Dividing by the weights rather than the rows makes only the weights' ratios matter
(``{0: 1, 1: 5}`` and ``{0: 2, 1: 10}`` train alike), so the learning rate keeps its
meaning whatever their scale; for ``"balanced"`` the weights of all training rows sum
to N, so over the full batch both denominators agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import checks
from ..i18n import N_, Message

__all__ = ["ClassWeightedLoss", "RowWeightedLoss", "class_weights", "with_class_weights"]


def class_weights(
    where: str, class_weight: Any, classes: Sequence[Any], labels: np.ndarray
) -> np.ndarray | None:
    """One weight per class (float64, in the order of ``classes``), or None for ``None``.

    Parameters
    ----------
    where : str
        The call the refusals name (``fit``, ``MLPClassifier``).
    class_weight : None, "balanced" or dict
    classes : sequence
        The class labels; ``classes[i]`` is class index ``i``. A dict's keys are these.
    labels : ndarray of int
        The class index of every training row (what ``"balanced"`` counts).
    """
    if class_weight is None:
        return None
    n_classes = len(classes)
    what = "'balanced' or a dict {class: weight}"
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise checks.refusal(ValueError, where, "class_weight", class_weight, what)
        counts = np.bincount(labels, minlength=n_classes)
        if not counts.all():
            missing = classes[int(np.argmin(counts))]
            raise checks.refusal(
                ValueError,
                where,
                "class_weight",
                class_weight,
                f"a dict when a class has no training rows (class {missing!r} has none, so "
                "its balanced weight would be infinite)",
            )
        return len(labels) / (n_classes * counts.astype(np.float64))
    if not isinstance(class_weight, dict):
        raise checks.refusal(TypeError, where, "class_weight", class_weight, what)
    index = {label: i for i, label in enumerate(classes)}
    weights = np.ones(n_classes)
    for label, weight in class_weight.items():
        if label not in index:
            listed = ", ".join(repr(c) for c in classes)
            raise checks.refusal(
                ValueError,
                where,
                "class_weight",
                class_weight,
                f"keyed by the classes {listed}; {label!r} is not one",
            )
        name = f"class_weight[{label!r}]"
        weights[index[label]] = checks.real(where, name, weight, low=0, low_open=True)
    return weights


class RowWeightedLoss:
    """``loss`` with a weight per row: ``Σᵢ wᵢ·ℓᵢ / total`` (``total`` usually ``Σᵢ wᵢ``),
    ℓᵢ a row's loss averaged over its outputs. Its gradient is ``loss``'s with each row's
    losses scaled by ``wᵢ / total``: the loss is copied with ``reduction='none'`` and its
    own backward does the rest.

    Unlike a loss, :meth:`forward` takes the batch's weights; :class:`ClassWeightedLoss`
    and the scikit-learn estimators' objective hand them over.
    """

    def __init__(self, loss: Any) -> None:
        self._rows = type(loss)(**dict(loss.config(), reduction="none"))
        self._losses: np.ndarray | None = None
        self._weights: np.ndarray | None = None
        self._total = 1.0

    def forward(self, pred: Any, target: Any, weights: np.ndarray, total: float) -> float:
        losses = self._rows.forward(pred, target)
        self._losses, self._weights, self._total = losses, weights, total
        per_row = losses if losses.ndim == 1 else losses.mean(axis=1)
        return float(per_row @ weights) / total

    def backward(self, factor: float = 1.0) -> np.ndarray:
        """dL/dpred of the last forward, times ``factor``."""
        losses = self._losses
        if losses is None:
            template = N_("{name}.backward() called before forward()")
            raise RuntimeError(Message("checks", template, name="RowWeightedLoss"))
        # dL/dℓᵢ = factor·wᵢ / total, shared among a row's outputs when it has several.
        scale = (self._weights * (factor / self._total)).astype(losses.dtype)
        if losses.ndim == 2:
            scale = np.broadcast_to((scale / losses.shape[1])[:, None], losses.shape)
        return self._rows.backward(scale)


class ClassWeightedLoss:
    """A binary loss (one output of 0/1 targets) with a weight per class: row ``i`` weighs
    ``w[yᵢ]`` and the batch loss is ``Σᵢ w[yᵢ]·ℓᵢ / Σᵢ w[yᵢ]`` (``Σᵢ w[yᵢ]·ℓᵢ`` for
    ``reduction='sum'``), as ``CrossEntropyLoss(weight=w)`` weighs its rows.

    It has what a training loop asks of a loss: ``forward(pred, target)`` (or a call),
    ``backward()``, ``target_kind`` and ``input_kind``.
    """

    def __init__(self, loss: Any, weights: np.ndarray) -> None:
        self.loss = loss
        self.weights = np.asarray(weights, dtype=np.float64)
        self.target_kind = loss.target_kind
        self.input_kind = loss.input_kind
        self._mean = loss.reduction == "mean"
        self._rows = RowWeightedLoss(loss)

    def forward(self, pred: Any, target: np.ndarray) -> float:
        low, high = self.weights
        row_weights = np.where(target[:, 0] > 0.5, high, low)
        total = float(row_weights.sum()) if self._mean else 1.0
        return self._rows.forward(pred, target, row_weights, total)

    __call__ = forward

    def backward(self) -> np.ndarray:
        return self._rows.backward()

    def __repr__(self) -> str:
        return f"ClassWeightedLoss({self.loss!r}, weights={self.weights.tolist()})"


def with_class_weights(
    where: str, loss: Any, class_weight: Any, targets: np.ndarray, n_outputs: int
) -> Any:
    """``loss`` weighted by ``class_weight`` for training on ``targets`` (as
    :func:`~fcnn.losses.prepare_targets` made them); ``loss`` itself when it is None.

    A class loss (``target_kind == "classes"``: cross-entropy, NLL) is copied with its
    own per-class ``weight``, PyTorch's ``CrossEntropyLoss(weight=w)``; a binary loss on
    one output of 0/1 targets becomes a :class:`ClassWeightedLoss` (per-row weights).
    Refused in one line: regression losses, probability or multi-label targets, and a
    loss that already has a ``weight``.
    """
    if class_weight is None:
        return loss
    kind = getattr(loss, "target_kind", "values")
    name = type(loss).__name__
    if kind not in ("classes", "binary"):
        raise checks.refusal(
            ValueError,
            where,
            "class_weight",
            class_weight,
            f"None for {name}, which fits values, not classes",
        )
    if getattr(loss, "weight", None) is not None:
        raise checks.refusal(
            ValueError,
            where,
            "class_weight",
            class_weight,
            f"None when the loss has its own weight ({name}(weight=...)); give the weights once",
        )
    if kind == "classes":
        if targets.ndim != 1:
            raise checks.refusal(
                ValueError,
                where,
                "class_weight",
                class_weight,
                f"None for class-probability targets (shape {targets.shape}); it needs labels",
            )
        weights = class_weights(where, class_weight, range(n_outputs), targets)
        return type(loss)(**dict(loss.config(), weight=weights))
    if targets.shape[1] != 1 or not np.isin(targets, (0, 1)).all():
        raise checks.refusal(
            ValueError,
            where,
            "class_weight",
            class_weight,
            f"None for {name} unless it has one output and 0/1 targets",
        )
    labels = targets[:, 0].astype(np.intp)
    return ClassWeightedLoss(loss, class_weights(where, class_weight, range(2), labels))
