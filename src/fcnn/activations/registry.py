"""The activations by name: ``ACTIVATIONS`` maps snake_case names (``"relu"``,
``"leaky_relu"``, ...) to the classes, and :func:`get_activation` builds one, as
``fcnn.mlp(activation=...)`` does."""

from __future__ import annotations

from typing import Any

from .. import registry
from ..core import Module
from .base import Identity
from .relu import ELU, SELU, LeakyReLU, PReLU, ReLU
from .sigmoid import Sigmoid, Tanh
from .smooth import GELU, SiLU, Softplus
from .softmax import LogSoftmax, Softmax

__all__ = ["ACTIVATIONS", "get_activation"]

ACTIVATIONS: dict[str, type[Module]] = {
    "identity": Identity,
    "linear": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "elu": ELU,
    "selu": SELU,
    "gelu": GELU,
    "silu": SiLU,
    "softplus": Softplus,
    "softmax": Softmax,
    "log_softmax": LogSoftmax,
}


def get_activation(name: str, **kwargs: Any) -> Module:
    """Build the activation registered as ``name`` (see ``ACTIVATIONS``) with ``kwargs``.

    >>> get_activation("leaky_relu", negative_slope=0.2)
    LeakyReLU(negative_slope=0.2)

    Raises
    ------
    ValueError
        For a name that is not registered; the message lists the known names.
    TypeError
        For a name that is not a string, or arguments the class does not take.
    """
    return registry.build(ACTIVATIONS, name, kwargs, where="get_activation", what="activation")
