"""Floor 2: optimisers and learning-rate schedulers, with PyTorch's names, defaults and numerics.

Laid out as ``torch.optim`` is:

- ``optimizer``: the :class:`Optimizer` base (``param_groups``, ``state``, ``zero_grad``,
  ``step``, ``add_param_group``, ``state_dict`` / ``load_state_dict``) and the
  chunked elementwise update every optimiser runs through;
- ``sgd``, ``adam``, ``adamw``, ``rmsprop``, ``adagrad``: one optimiser each, its formula
  and its paper;
- ``lr_scheduler``: the :class:`LRScheduler` base, :class:`StepLR`, :class:`MultiStepLR`,
  :class:`ExponentialLR`, :class:`CosineAnnealingLR`; ``lr_scheduler_plateau``:
  :class:`ReduceLROnPlateau`; ``lr_scheduler_decay``: :class:`ConstantLR`,
  :class:`LinearLR`, :class:`PolynomialLR` and the course's :class:`InverseTimeLR`;
  ``lr_scheduler_cyclic``: :class:`CyclicLR`, :class:`OneCycleLR` (stepped per batch);
  ``lr_scheduler_compose``: :class:`LambdaLR`, :class:`MultiplicativeLR`,
  :class:`SequentialLR`, :class:`ChainedScheduler`.

Every update rule is PyTorch 2.13's single-tensor (CPU) rule, so a model trained here and
one trained with ``torch.optim`` from the same weights and gradients follow the same path
(float64 to ~1e-10, float32 to ~1e-5).

``OPTIMIZERS`` and ``SCHEDULERS`` map the command line's names to the classes;
:func:`get_optimizer` and :func:`get_scheduler` build one by name. The schedulers made of
functions or of other schedulers (``lr_scheduler_compose``) have no name: numbers alone
cannot build them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..core import Parameter
from ..i18n import N_, Message
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .lr_scheduler import CosineAnnealingLR, ExponentialLR, LRScheduler, MultiStepLR, StepLR
from .lr_scheduler_compose import ChainedScheduler, LambdaLR, MultiplicativeLR, SequentialLR
from .lr_scheduler_cyclic import CyclicLR, OneCycleLR
from .lr_scheduler_decay import ConstantLR, InverseTimeLR, LinearLR, PolynomialLR
from .lr_scheduler_plateau import ReduceLROnPlateau
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "OPTIMIZERS",
    "SCHEDULERS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CyclicLR",
    "ExponentialLR",
    "InverseTimeLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "Optimizer",
    "PolynomialLR",
    "RMSprop",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
    "get_optimizer",
    "get_scheduler",
]

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}

SCHEDULERS: dict[str, type[LRScheduler]] = {
    "step": StepLR,
    "multistep": MultiStepLR,
    "exponential": ExponentialLR,
    "cosine": CosineAnnealingLR,
    "plateau": ReduceLROnPlateau,
    "constant": ConstantLR,
    "linear": LinearLR,
    "polynomial": PolynomialLR,
    "inverse-time": InverseTimeLR,
    "cyclic": CyclicLR,
    "onecycle": OneCycleLR,
}


def _lookup(registry: dict[str, Any], name: Any, kind: Message) -> Any:
    if not isinstance(name, str):
        template = N_("{kind} name must be a string, got {name!r}")
        raise TypeError(Message("checks", template, kind=kind, name=name))
    cls = registry.get(name.lower())
    if cls is None:
        known = ", ".join(sorted(registry))
        template = N_("unknown {kind} {name!r}; expected one of: {known}")
        raise ValueError(Message("checks", template, kind=kind, name=name, known=known))
    return cls


def get_optimizer(
    name: str, params: Iterable[Parameter] | Iterable[dict], **kwargs: Any
) -> Optimizer:
    """Build the optimiser registered as ``name`` (case-insensitive), e.g.
    ``get_optimizer("adam", model.parameters(), lr=1e-3)``."""
    return _lookup(OPTIMIZERS, name, Message("checks", N_("optimizer")))(params, **kwargs)


def get_scheduler(name: str, optimizer: Optimizer, **kwargs: Any) -> LRScheduler:
    """Build the scheduler registered as ``name`` (case-insensitive), e.g.
    ``get_scheduler("cosine", opt, T_max=100)``."""
    return _lookup(SCHEDULERS, name, Message("checks", N_("scheduler")))(optimizer, **kwargs)
