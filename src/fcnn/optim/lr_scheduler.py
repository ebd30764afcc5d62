"""Learning-rate schedulers, PyTorch's: the :class:`LRScheduler` base, and
:class:`StepLR`, :class:`MultiStepLR`, :class:`ExponentialLR` and
:class:`CosineAnnealingLR`.

A scheduler changes ``group["lr"]`` of its optimiser's parameter groups; the values are
PyTorch 2.13's, bit for bit (the same recursive formulas, the same order of operations).
The other families live next door: ``lr_scheduler_plateau`` (:class:`ReduceLROnPlateau`),
``lr_scheduler_decay`` (warm-ups and decays of a set length), ``lr_scheduler_cyclic``
(:class:`CyclicLR`, :class:`OneCycleLR`) and ``lr_scheduler_compose`` (schedules made of
functions or of other schedulers).

Like PyTorch's, most schedulers are *chainable*: ``step()`` computes each new rate from
the current ``group["lr"]`` (so two schedulers on one optimiser multiply their effects),
and also know their *closed form*, the rate at epoch ``t`` straight from ``initial_lr``,
which :class:`SequentialLR` uses when it hands over at a milestone.
"""

from __future__ import annotations

import bisect
import copy
import math
import types
from collections.abc import Iterable
from typing import Any, ClassVar

from .. import checks
from ..i18n import N_, Message, translator
from .optimizer import Optimizer

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "MultiStepLR",
    "StepLR",
]

_ = translator("checks")  # for a KeyError, whose str() is the repr of its message


def _check_optimizer(where: str, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise checks.refusal(TypeError, where, "optimizer", optimizer, N_("an fcnn Optimizer"))


class LRScheduler:
    """Base class of the learning-rate schedulers: sets ``group["lr"]`` on each ``step()``.

    Call ``scheduler.step()`` once per epoch (or per iteration), after
    ``optimizer.step()``, as in PyTorch. Building a scheduler stores each group's current
    ``lr`` as ``group["initial_lr"]`` (unless present) and takes the first step, which
    leaves the learning rates as they are.

    Parameters
    ----------
    optimizer : Optimizer
    last_epoch : int, default -1
        The index of the last epoch seen; -1 starts afresh. Resuming with a value >= 0
        needs ``"initial_lr"`` in every group (restore the optimiser's state dict first).

    Attributes
    ----------
    optimizer, last_epoch
    base_lrs : list of float
        Each group's ``initial_lr``.
    per_batch : bool
        Whether the schedule is meant to be stepped after every batch (:class:`CyclicLR`,
        :class:`OneCycleLR`) rather than every epoch; ``LRSchedulerCallback`` asks it.
    """

    per_batch: ClassVar[bool] = False
    # Attributes that are not plain data (the optimiser, a user's functions, schedulers):
    # state_dict leaves them to the subclass, load_state_dict does not overwrite them.
    _kept_apart: ClassVar[tuple[str, ...]] = ("optimizer",)

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        if not checks.is_int(last_epoch) or last_epoch < -1:
            error = ValueError if checks.is_int(last_epoch) else TypeError
            raise checks.refusal(error, name, "last_epoch", last_epoch, N_("an integer >= -1"))
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    template = _(
                        "{name}(last_epoch={last_epoch}): parameter group {i} has no "
                        "'initial_lr'; resuming needs the optimizer's state dict loaded first"
                    )
                    raise KeyError(template.format(name=name, last_epoch=last_epoch, i=i))
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self._initial_step()

    def _initial_step(self) -> None:
        """The step taken on construction: ``get_lr`` sees ``_is_initial`` set, so a
        chainable schedule leaves the rates as they are."""
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for the epoch ``last_epoch`` (called by :meth:`step`)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr")

    def _closed_form_lr(self) -> list[float] | None:
        """The rates at ``last_epoch`` from ``base_lrs`` alone, or None where the schedule
        has no closed form (then :meth:`_update_lr` falls back on :meth:`get_lr`)."""
        return None

    def step(self) -> None:
        """Advance one epoch and set every group's ``lr``."""
        self._update_lr()

    def _update_lr(self, epoch: int | None = None) -> None:
        """Go to the next epoch, or jump to ``epoch`` (by the closed form where there is
        one, as PyTorch's ``_update_lr`` does), and set every group's ``lr``."""
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self._closed_form_lr()
            if values is None:
                values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the latest step, one per parameter group."""
        return list(self._last_lr)

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimiser (save that with its own ``state_dict``); JSON-able."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in self._kept_apart}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict` of the same kind of scheduler."""
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            template = N_("{name}.load_state_dict: expected a dict, got {type}")
            raise ValueError(Message("checks", template, name=name, type=type(state_dict)))
        expected = set(self.__dict__) - {"optimizer"}
        missing = sorted(expected - set(state_dict))
        unexpected = sorted(set(state_dict) - expected)
        if missing or unexpected:
            template = N_(
                "{name}.load_state_dict: the state dict does not match this scheduler "
                "(missing keys: {missing}, unexpected keys: {unexpected})"
            )
            said = {"missing": missing, "unexpected": unexpected}
            raise ValueError(Message("checks", template, name=name, **said))
        plain = {k: v for k, v in state_dict.items() if k not in self._kept_apart}
        self.__dict__.update(copy.deepcopy(plain))

    def __repr__(self) -> str:
        skip = {"optimizer", "base_lrs", "last_epoch"}
        args = [
            f"{k}={v!r}"
            for k, v in self.__dict__.items()
            if not k.startswith("_") and k not in skip
        ]
        return f"{type(self).__name__}({', '.join(args)}, last_epoch={self.last_epoch})"


def per_group(where: str, name: str, value: Any, optimizer: Optimizer, **bounds: Any) -> list[Any]:
    """``value`` (one number for every group, or a list of one per group) as a list with
    one entry per parameter group, each checked by ``checks.real(..., **bounds)`` and kept
    as given (PyTorch's ``_format_param``, with the numbers checked)."""
    n_groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n_groups:
            template = N_(
                "{where}({name}={value!r}): {name} has {count} values but the "
                "optimizer has {groups} parameter groups"
            )
            said = {"value": value, "count": len(value), "groups": n_groups}
            raise ValueError(Message("checks", template, where=where, name=name, **said))
        for i, v in enumerate(value):
            checks.real(where, f"{name}[{i}]", v, **bounds)
        return list(value)
    checks.real(where, name, value, **bounds)
    return [value] * n_groups


def function_state(fn: Any) -> dict[str, Any] | None:
    """What a state dict keeps of a user's function, by PyTorch's rule: nothing of a plain
    function or lambda (it cannot be saved as data), the attributes of a callable object."""
    if fn is None or isinstance(fn, types.FunctionType):
        return None
    return dict(getattr(fn, "__dict__", {})) or None


def _gamma(where: str, gamma: Any) -> Any:
    """``gamma``, the decay factor, checked to be > 0."""
    checks.real(where, "gamma", gamma, low=0, low_open=True)
    return gamma


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    ``lr = initial_lr · gamma^⌊epoch / step_size⌋``, computed as PyTorch does, by one
    multiplication at each boundary.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Epochs between decays.
    gamma : float, default 0.1
    last_epoch : int, default -1
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = checks.positive_int("StepLR", "step_size", step_size)
        self.gamma = _gamma("StepLR", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]  # lr ← γ·lr

    def _closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each epoch listed in ``milestones``.

    ``lr = initial_lr · gamma^(number of milestones <= epoch)``; a milestone listed twice
    decays twice. ``milestones`` is kept as a sorted list.

    Parameters
    ----------
    optimizer : Optimizer
    milestones : iterable of int
        Epoch indices (non-negative).
    gamma : float, default 0.1
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        where = "MultiStepLR"
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            what = N_("a list of integers")
            raise checks.refusal(TypeError, where, "milestones", milestones, what)
        self.milestones = sorted(
            checks.non_negative_int(where, f"milestones[{i}]", m) for i, m in enumerate(milestones)
        )
        self.gamma = _gamma(where, gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        hits = self.milestones.count(self.last_epoch)
        if hits == 0:
            return self._current_lrs()
        return [lr * self.gamma**hits for lr in self._current_lrs()]  # lr ← γ^hits·lr

    def _closed_form_lr(self) -> list[float]:
        passed = bisect.bisect_right(self.milestones, self.last_epoch)
        return [base * self.gamma**passed for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch: ``lr = initial_lr · gamma^epoch``.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
    last_epoch : int, default -1
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _gamma("ExponentialLR", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]  # lr ← γ·lr

    def _closed_form_lr(self) -> list[float]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from ``initial_lr`` down to ``eta_min`` over ``T_max`` epochs
    (Loshchilov & Hutter, 2017, "SGDR: Stochastic Gradient Descent with Warm Restarts",
    without the restarts).

    ``lr_t = eta_min + (initial_lr - eta_min)·(1 + cos(π t / T_max)) / 2``; past
    ``T_max`` the cosine carries on upwards. The values come, as in PyTorch, from the
    recursive form (each lr from the previous one, so a change made to ``group["lr"]``
    between steps carries through)::

        lr_t = eta_min + (lr_{t-1} - eta_min)·(1 + cos(π t/T)) / (1 + cos(π (t-1)/T))

    with ``lr_t = lr_{t-1} + (initial_lr - eta_min)(1 - cos(π/T))/2`` at the epochs where
    the denominator vanishes (``t - 1 = T, 3T, ...``).

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Epochs of the half period.
    eta_min : float, default 0
        The lowest learning rate, reached at ``T_max``.
    last_epoch : int, default -1
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        checks.real("CosineAnnealingLR", "eta_min", eta_min, low=0)
        self.T_max = checks.positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            template = N_(
                "CosineAnnealingLR: the optimizer has {groups} parameter groups but the "
                "scheduler was built for {built}; build it after adding groups"
            )
            said = {"groups": len(groups), "built": len(self.base_lrs)}
            raise ValueError(Message("checks", template, **said))
        t, period, eta_min = self.last_epoch, self.T_max, self.eta_min
        if (t - 1 - period) % (2 * period) == 0:
            # lr_t = lr_{t-1} + (initial_lr - η_min)(1 - cos(π/T)) / 2
            cos_step = math.cos(math.pi / period)
            return [
                g["lr"] + (base - eta_min) * (1 - cos_step) / 2
                for base, g in zip(self.base_lrs, groups, strict=True)
            ]
        # lr_t = η_min + (lr_{t-1} - η_min)(1 + cos(πt/T)) / (1 + cos(π(t-1)/T))
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (g["lr"] - eta_min) + eta_min for g in groups]

    def _closed_form_lr(self) -> list[float]:
        cosine = math.cos(math.pi * self.last_epoch / self.T_max)
        return [self.eta_min + (base - self.eta_min) * (1 + cosine) / 2 for base in self.base_lrs]
