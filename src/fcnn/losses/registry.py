"""The losses by name: ``LOSSES`` maps snake_case names (``"mse"``, ``"cross_entropy"``,
...) to the classes, and :func:`get_loss` builds one from a name or, as a spec stores
it, from the class name."""

from __future__ import annotations

from typing import Any

from .. import registry
from .base import Loss
from .binary import BCELoss, BCEWithLogitsLoss
from .classes import CrossEntropyLoss, NLLLoss
from .regression import HuberLoss, L1Loss, MSELoss

__all__ = ["LOSSES", "get_loss"]

LOSSES: dict[str, type[Loss]] = {
    "mse": MSELoss,
    "l1": L1Loss,
    "huber": HuberLoss,
    "bce": BCELoss,
    "bce_with_logits": BCEWithLogitsLoss,
    "cross_entropy": CrossEntropyLoss,
    "nll": NLLLoss,
}

# A spec names its loss by class (``{"type": "CrossEntropyLoss", ...}``, see Loss.spec).
_BY_CLASS_NAME = {cls.__name__: cls for cls in LOSSES.values()}


def get_loss(name: str, **kwargs: Any) -> Loss:
    """Build a loss by its registry name (``"cross_entropy"``) or class name
    (``"CrossEntropyLoss"``, as in a spec), passing ``kwargs`` to the constructor.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known ones.
    TypeError
        For a name that is not a string, or arguments the class does not take.
    """
    return registry.build(
        LOSSES,
        name,
        kwargs,
        where="get_loss",
        what="loss",
        known="known losses",
        aliases=_BY_CLASS_NAME,
    )
