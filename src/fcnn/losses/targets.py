"""From what a user passes to what a loss computes on: :func:`resolve_loss` turns a name
(or nothing) into a loss, :func:`prepare_targets` turns ``y`` into the targets that loss
takes. ``fit``, ``evaluate`` and ``diagnose`` all start here.

Both ask the loss what it wants through the attributes it declares, ``target_kind``
(``"values"``, ``"binary"`` or ``"classes"``), never through its class name, so a
user's subclass of ``CrossEntropyLoss`` is treated as cross-entropy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import checks
from ..i18n import N_, Message
from .base import Loss
from .registry import get_loss

__all__ = ["prepare_targets", "resolve_loss"]


def resolve_loss(loss: Any, y: Any = None, n_outputs: int | None = None) -> Any:
    """A loss object from an instance, a registry name (``"cross_entropy"``), or None.

    None picks what the targets suggest: integer labels with several outputs →
    cross-entropy on logits; integer 0/1 labels with one output → BCE with logits;
    anything else → mean squared error.
    """
    if loss is None:
        if y is not None and np.issubdtype(np.asarray(y).dtype, np.integer):
            return get_loss("bce_with_logits" if n_outputs == 1 else "cross_entropy")
        return get_loss("mse")
    if isinstance(loss, str):
        return get_loss(loss)
    if not (hasattr(loss, "forward") and hasattr(loss, "backward")):
        template = N_("loss={loss!r}: expected an fcnn loss or a name from fcnn.losses.LOSSES")
        raise TypeError(Message("checks", template, loss=loss))
    return loss


def _target_kind(loss: Any) -> str:
    """``loss.target_kind``; ``"values"`` for a duck-typed loss that declares none."""
    return getattr(loss, "target_kind", Loss.target_kind)


def prepare_targets(
    loss: Any, y: Any, n_outputs: int, dtype: np.dtype, name: str = "y"
) -> np.ndarray:
    """Targets in the form ``loss`` wants, checked: class indices for the class losses,
    ``(N, 1)`` floats for binary losses and single-output regression."""
    y = np.asarray(y)
    kind = _target_kind(loss)
    # Text is never a target (class names must be mapped to 0..C-1 first); booleans are
    # only for the binary losses, where True/False are the 1/0 they mean.
    if y.dtype.kind in "OUS" or (y.dtype.kind == "b" and kind != "binary"):
        raise ValueError(
            Message(
                "checks", N_("{name} must be numeric, got dtype {dtype}"), name=name, dtype=y.dtype
            )
        )
    if kind == "classes" and y.ndim == 1:
        if np.issubdtype(y.dtype, np.floating):
            checks.check_finite(name, y)
            if not np.all(y == np.round(y)):
                row = int(np.argmax(y != np.round(y)))
                template = N_("{name} holds class labels, but row {row} is {value}")
                raise ValueError(Message("checks", template, name=name, row=row, value=y[row]))
        labels = y.astype(np.int64)
        bad = (labels < 0) | (labels >= n_outputs)
        if bad.any():
            row = int(np.argmax(bad))
            template = N_(
                "{name}: label {label} at row {row} is out of range for a network with "
                "{outputs} outputs (labels must be 0..{last})"
            )
            said = {"label": labels[row], "row": row, "outputs": n_outputs, "last": n_outputs - 1}
            raise ValueError(Message("checks", template, name=name, **said))
        return labels
    y = y.astype(dtype)
    checks.check_finite(name, y)
    if y.ndim == 1 and n_outputs == 1:
        y = y.reshape(-1, 1)
    if kind == "binary" and ((y < 0) | (y > 1)).any():
        row = int(np.argmax(((y < 0) | (y > 1)).any(axis=1)))
        template = N_("{name}: binary targets must be in [0, 1], row {row} has {values}")
        raise ValueError(Message("checks", template, name=name, row=row, values=y[row]))
    return y
