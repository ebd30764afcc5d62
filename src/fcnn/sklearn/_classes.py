"""What ``MLPClassifier`` makes of its targets: class labels to the targets its loss
takes (indices for the softmax losses, 0/1 columns for the sigmoid ones, the indicator
matrix of multi-label targets), which loss and output activation they train with, and
how much each training row weighs (``class_weight`` times ``sample_weight``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from .. import checks
from ..i18n import N_, Message
from ..losses import LOSSES, BCEWithLogitsLoss, CrossEntropyLoss, Loss
from ..losses.weights import class_weights
from ._objective import training_weights
from ._params import ACTIVATION_ALIASES, build_loss

# The losses a classifier trains with, by what each declares it takes (its target_kind
# and input_kind), and the output activation the network then needs: None for logits
# (the loss fuses the softmax or sigmoid).
_OUTPUT_FOR = {
    ("classes", "logits"): None,  # CrossEntropyLoss
    ("binary", "logits"): None,  # BCEWithLogitsLoss
    ("classes", "log_probabilities"): "log_softmax",  # NLLLoss
    ("binary", "probabilities"): "sigmoid",  # BCELoss
}
_LOSS_FOR_OUTPUT = {"log_softmax": "nll", "sigmoid": "bce"}  # the loss an output implies
_LOSS_ALIASES = {"log_loss": "cross_entropy"}  # scikit-learn's name


def _kinds(loss: type[Loss] | Loss) -> tuple[str, str]:
    return loss.target_kind, loss.input_kind


class _ClassTargets:
    """The targets, loss and row weights of :class:`~fcnn.sklearn.MLPClassifier` (a mixin:
    it reads the estimator's parameters and sets ``classes_`` and what fit needs)."""

    def _targets(self, y, *, first: bool, classes=None):
        name = type(self).__name__
        y = np.asarray(y) if not hasattr(y, "toarray") else y.toarray()
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        target_type = type_of_target(y)
        if target_type == "multiclass-multioutput":
            template = N_(
                "{name} does not support multi-class multi-output targets (a 2-D y that is "
                "not a 0/1 indicator matrix); wrap it in sklearn.multioutput."
                "MultiOutputClassifier"
            )
            raise ValueError(Message("train", template, name=name))
        multilabel = target_type == "multilabel-indicator"
        if first:
            if multilabel:
                labels = np.arange(y.shape[1])
            elif classes is not None:
                labels = np.unique(np.asarray(classes))
                self._check_labels_known(y, labels)
            else:
                labels = np.unique(y)
            if not multilabel and len(labels) < 2:
                template = N_(
                    "{name} needs samples of at least 2 classes, but the data contains only "
                    "1 class: {labels}"
                )
                raise ValueError(Message("train", template, name=name, labels=labels.tolist()))
            self.classes_ = labels
            self._multilabel = multilabel
            self._index_targets = not multilabel and self._wants_indices(len(labels))
        else:
            if multilabel != self._multilabel or (multilabel and y.shape[1] != len(self.classes_)):
                template = N_(
                    "{name}: y has type {kind!r} with shape {shape}, but the network "
                    "was fitted on single-label targets with {classes} classes"
                )
                if self._multilabel:
                    template = N_(
                        "{name}: y has type {kind!r} with shape {shape}, but the network "
                        "was fitted on multilabel targets with {classes} classes"
                    )
                said = {"kind": target_type, "shape": y.shape, "classes": len(self.classes_)}
                raise ValueError(Message("train", template, name=name, **said))
            if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
                template = N_(
                    "{name}: classes={classes} is not the same as "
                    "classes_={fitted} from the first call to partial_fit"
                )
                said = {"classes": np.unique(classes).tolist(), "fitted": self.classes_.tolist()}
                raise ValueError(Message("train", template, name=name, **said))
            if not multilabel:
                self._check_labels_known(y, self.classes_)
        if multilabel:
            return y.astype(np.float64), y
        index = np.searchsorted(self.classes_, y)
        if self._index_targets:
            return index.astype(np.int64), y
        return index.astype(np.float64).reshape(-1, 1), y  # binary, one sigmoid output

    def _check_labels_known(self, y, labels) -> None:
        unknown = np.setdiff1d(np.unique(y), labels)
        if unknown.size:
            template = N_("{name}: y contains labels {unknown} that are not in classes {labels}")
            said = {"unknown": unknown.tolist(), "labels": labels.tolist()}
            raise ValueError(Message("train", template, name=type(self).__name__, **said))

    def _chosen_loss(self) -> type[Loss] | None:
        """The class of the loss the (checked) parameters choose; None leaves the choice
        to the targets. ``output="sigmoid"`` or ``"log_softmax"`` implies its loss."""
        loss = self.loss
        if isinstance(loss, Loss):
            return type(loss)
        if loss is None:
            loss = _LOSS_FOR_OUTPUT.get(ACTIVATION_ALIASES.get(self.output, self.output))
        return None if loss is None else LOSSES[_LOSS_ALIASES.get(loss, loss)]

    def _wants_indices(self, n_classes: int) -> bool:
        """Whether the targets are class indices (softmax losses) or 0/1 columns."""
        chosen = self._chosen_loss()
        if chosen is None:
            return n_classes > 2
        return chosen.target_kind == "classes"

    def _n_outputs(self, Y: np.ndarray) -> int:
        return len(self.classes_) if Y.ndim == 1 else Y.shape[1]

    def _losses(self, settings: dict[str, Any]):
        name = type(self).__name__
        chosen = self._chosen_loss()
        if chosen is None:
            chosen = CrossEntropyLoss if self._index_targets else BCEWithLogitsLoss
        kind = chosen.__name__  # for the messages
        if self._multilabel and chosen.target_kind == "classes":
            template = N_(
                "{name}: loss {kind} is for one label per sample; multi-label targets train "
                "with 'bce_with_logits' (the default) or 'bce'"
            )
            raise ValueError(Message("train", template, name=name, kind=kind))
        if not self._multilabel and len(self.classes_) > 2 and not self._index_targets:
            template = N_(
                "{name}: loss {kind} is for binary or multi-label targets; "
                "{classes} classes train with 'cross_entropy' (the default)"
            )
            said = {"kind": kind, "classes": len(self.classes_)}
            raise ValueError(Message("train", template, name=name, **said))
        expected = _OUTPUT_FOR[_kinds(chosen)]
        output = settings["output"]
        if output not in (None, expected) and not (expected is None and output == "identity"):
            template = N_(
                "{name}(output={output!r}) does not fit loss {kind}, which expects "
                "output={expected!r}; predict_proba turns the network's output into "
                "probabilities either way"
            )
            if expected is None:
                template = N_(
                    "{name}(output={output!r}) does not fit loss {kind}, which expects "
                    "logits: leave output=None; predict_proba turns the network's output into "
                    "probabilities either way"
                )
            said = {"output": output, "kind": kind, "expected": expected}
            raise ValueError(Message("train", template, name=name, **said))
        given = settings["loss"]
        return (chosen() if given is None else build_loss(given, _LOSS_ALIASES)), expected

    def _objective_scales(self) -> tuple[float, float]:
        # Multi-label: scikit-learn sums the BCE over labels, fcnn's averages over them.
        labels = float(self.n_outputs_) if self._multilabel else 1.0
        return labels, labels

    def _strata(self, Y):
        if self._multilabel:
            return None
        return Y if Y.ndim == 1 else Y[:, 0].astype(np.int64)

    def _row_weights(self, Y, sample_weight, *, incremental: bool):
        if self.class_weight is None:
            return sample_weight
        name = type(self).__name__
        if self._multilabel:
            raise checks.refusal(
                ValueError,
                name,
                "class_weight",
                self.class_weight,
                Message("train", N_("None for multi-label targets")),
            )
        if incremental and self.class_weight == "balanced":
            raise checks.refusal(
                ValueError,
                name,
                "class_weight",
                self.class_weight,
                Message(
                    "train",
                    N_(
                        "a dict for partial_fit (one batch's counts are not the data's): "
                        "sklearn.utils.class_weight.compute_class_weight gives the balanced dict"
                    ),
                ),
            )
        labels = self._strata(Y)
        weights = class_weights(name, self.class_weight, self.classes_.tolist(), labels)
        return training_weights(sample_weight, weights, labels)

    def _check_weighted_targets(self, Y, sample_weight) -> None:
        if self._multilabel:
            return
        labels = self._strata(Y)
        present = np.unique(labels[sample_weight > 0])
        if len(present) < 2:
            template = N_(
                "{name} needs samples of at least 2 classes with non-zero "
                "sample weight; only class {present} has any"
            )
            said = {"present": self.classes_[present].tolist()}
            raise ValueError(Message("train", template, name=type(self).__name__, **said))
