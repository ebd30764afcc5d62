"""Floor 2: loss functions, each with its derivative beside it, and a name registry.

``MSELoss``, ``L1Loss``, ``HuberLoss``, ``BCELoss``, ``BCEWithLogitsLoss``,
``CrossEntropyLoss`` and ``NLLLoss``, with PyTorch's names, arguments, defaults and
numerics: a loss built here and its ``torch.nn`` namesake give the same value and the
same gradient.

A loss is not a ``Module``: it has no parameters. ``loss(pred, target)`` returns a
Python float (``reduction='mean'`` or ``'sum'``) or an array of per-element losses
(``'none'``) and keeps what ``loss.backward()`` needs to return dL/dpred. Where a fused
form is stabler the loss takes logits: ``CrossEntropyLoss`` is log-softmax + NLL in one
pass, ``BCEWithLogitsLoss`` is sigmoid + BCE. Each loss declares ``target_kind`` and
``input_kind``: what its targets are and what the network's output must be.

dtype: the loss computes in pred's dtype (float32 or float64; anything else becomes
float32); targets and weights are cast to it, never the other way round.

NaN and inf propagate quietly into the loss and the gradient, as in PyTorch (check
``math.isfinite(loss)``), except in ``BCELoss``, which refuses a pred or target outside
[0, 1], NaN included, as PyTorch does.

By family, one module each: ``base`` (:class:`Loss`, the reductions, the shared checks),
``regression`` (MSE, L1, Huber), ``binary`` (BCE, BCE with logits), ``classes``
(cross-entropy, NLL), ``registry`` (``LOSSES``, :func:`get_loss`) and ``targets``
(:func:`resolve_loss`, :func:`prepare_targets`: from a user's ``y`` to a loss's targets).
"""

from .base import Loss
from .binary import BCELoss, BCEWithLogitsLoss
from .classes import CrossEntropyLoss, NLLLoss
from .registry import LOSSES, get_loss
from .regression import HuberLoss, L1Loss, MSELoss
from .targets import prepare_targets, resolve_loss

__all__ = [
    "LOSSES",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "L1Loss",
    "Loss",
    "MSELoss",
    "NLLLoss",
    "get_loss",
    "prepare_targets",
    "resolve_loss",
]
