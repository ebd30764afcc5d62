"""Backprop mode: the ``backprop`` message, one sample's trace from ``fcnn.explain``.

The page asks for the notes' worked 2-2-2 example (``source: "preset"``) or for one
training point of the session (``source: "point"``, ``index`` into the training set).
The answer carries two traces, both computed here by ``fcnn.explain`` (the page never
recomputes a number): ``trace``, the forward pass, loss, backward pass and SGD step of the
sample, and ``next``, the trace of the same sample through the stepped weights, whose loss
is the one the next forward pass gives.

A training point is traced through the session's network as it stands (it is frozen:
nothing here changes the session), without its dropout modules (the identity at
evaluation) and with the loss the session trains on, at the session's learning rate:
``mse`` (the mean over the outputs), ``bce_with_logits`` for two classes with
cross-entropy, ``cross_entropy`` for more. Networks ``explain`` cannot trace (maxout,
BatchNorm, more than :data:`MAX_PARAMETERS` parameters) are refused with one sentence.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from ..explain import Trace, classic_example, explain
from ..i18n import translator
from ..layers import BatchNorm1d, Dropout, Maxout, Sequential

if TYPE_CHECKING:
    from ..core import Module
    from .session import Session

__all__ = ["MAX_PARAMETERS", "SOURCES", "BackpropError", "backprop_message"]

_ = translator("playground")

SOURCES = ("preset", "point")
MAX_PARAMETERS = 200  # a trace the page can still draw and a frame that stays small


class BackpropError(ValueError):
    """A sample or a network Backprop mode cannot trace; the message is for a person."""


def backprop_message(session: Session, source: str, index: int | None = None) -> dict[str, Any]:
    """The ``backprop`` message for the preset or for training point ``index``.

    Raises
    ------
    BackpropError
        For an index outside the training set or a network the trace cannot follow.
    """
    if source == "preset":
        model, x, target, options = classic_example()
        point = None
    else:
        n = len(session.F_train)
        if index is None or not 0 <= index < n:
            raise BackpropError(
                _("backprop: index must be 0 to {last}, got {index}.").format(
                    last=n - 1, index=index
                )
            )
        model = _traceable(session)
        x, target = session.F_train[index], session.T_train[index]
        options = {"loss": _loss_of(session), "lr": session.config["lr"]}
        point = {"x": [float(v) for v in session.X_train[index]], "y": _plain(target)}
    try:
        trace = explain(model, x, target, max_parameters=MAX_PARAMETERS, **options)
    except ValueError as err:
        raise BackpropError(
            _("Backprop mode cannot trace this network: {reason}").format(reason=err)
        ) from None
    after = explain(_stepped(model, trace), x, target, max_parameters=MAX_PARAMETERS, **options)
    return {
        "type": "backprop",
        "source": source,
        "index": index if source == "point" else None,
        "point": point,
        "features": list(trace.inputs) if source == "preset" else list(session.feature_names),
        "trace": trace.to_dict(),
        "next": after.to_dict(),
    }


def _traceable(session: Session) -> Module:
    """The session's network as ``explain`` takes it: its modules without dropout."""
    refused = (Maxout, BatchNorm1d)
    if any(isinstance(m, refused) for m in session.modules):
        raise BackpropError(
            _("Backprop mode traces Linear layers and activations: turn off maxout and BatchNorm.")
        )
    return Sequential(*(m for m in session.modules if not isinstance(m, Dropout)))


def _loss_of(session: Session) -> str:
    """The loss the session trains on, by ``explain``'s name for it."""
    if session.loss_name == "mse":
        return "mse"
    return "bce_with_logits" if session.classes == 2 else "cross_entropy"


def _stepped(model: Module, trace: Trace) -> Module:
    """A copy of ``model`` holding the trace's weights after its SGD step."""
    state = {key: value.copy() for key, value in model.state_dict().items()}
    for param in trace.params.values():
        for entry in param.entries:
            state[param.tensor][entry] = param.updated
    stepped = copy.deepcopy(model)
    stepped.load_state_dict(state)
    return stepped


def _plain(target: Any) -> Any:
    """A target as JSON: a class index, or a list of numbers."""
    array = np.asarray(target)
    if array.ndim == 0:
        return array.item()
    return [v.item() for v in array.reshape(-1)]
