"""Learning-rate schedulers, PyTorch's: :class:`StepLR`, :class:`MultiStepLR`,
:class:`ExponentialLR`, :class:`CosineAnnealingLR` and :class:`ReduceLROnPlateau`, on the
:class:`LRScheduler` base.

A scheduler changes ``group["lr"]`` of its optimiser's parameter groups; the values are
PyTorch 2.13's, bit for bit (the same recursive formulas, the same order of operations).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from typing import Any

from .. import checks
from .optimizer import Optimizer

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "MultiStepLR",
    "ReduceLROnPlateau",
    "StepLR",
]


def _check_optimizer(where: str, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{where}(optimizer={optimizer!r}): optimizer must be an fcnn Optimizer, "
            f"got {type(optimizer).__name__}"
        )


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
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        if not checks.is_int(last_epoch) or last_epoch < -1:
            error = ValueError if checks.is_int(last_epoch) else TypeError
            got = "" if error is ValueError else f", got {type(last_epoch).__name__}"
            raise error(
                f"{name}(last_epoch={last_epoch!r}): last_epoch must be an integer >= -1{got}"
            )
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{name}(last_epoch={last_epoch}): parameter group {i} has no "
                        f"'initial_lr'; resuming needs the optimizer's state dict loaded first"
                    )
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for the epoch ``last_epoch`` (called by :meth:`step`)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr")

    def step(self) -> None:
        """Advance one epoch and set every group's ``lr``."""
        self.last_epoch += 1
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
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict` of the same kind of scheduler."""
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise ValueError(f"{name}.load_state_dict: expected a dict, got {type(state_dict)}")
        expected = set(self.__dict__) - {"optimizer"}
        missing = sorted(expected - set(state_dict))
        unexpected = sorted(set(state_dict) - expected)
        if missing or unexpected:
            raise ValueError(
                f"{name}.load_state_dict: the state dict does not match this scheduler "
                f"(missing keys: {missing}, unexpected keys: {unexpected})"
            )
        self.__dict__.update(copy.deepcopy(state_dict))

    def __repr__(self) -> str:
        skip = {"optimizer", "base_lrs", "last_epoch"}
        args = [
            f"{k}={v!r}"
            for k, v in self.__dict__.items()
            if not k.startswith("_") and k not in skip
        ]
        return f"{type(self).__name__}({', '.join(args)}, last_epoch={self.last_epoch})"


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
            raise TypeError(
                f"{where}(milestones={milestones!r}): milestones must be a list of integers, "
                f"got {type(milestones).__name__}"
            )
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
            raise ValueError(
                f"CosineAnnealingLR: the optimizer has {len(groups)} parameter groups but the "
                f"scheduler was built for {len(self.base_lrs)}; build it after adding groups"
            )
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


class ReduceLROnPlateau(LRScheduler):
    """Multiply the learning rate by ``factor`` when a metric stops improving.

    ``step(metric)`` after each evaluation. A metric improves on the best so far when
    (``mode="min"``) ``metric < best·(1 - threshold)`` for ``threshold_mode="rel"`` or
    ``metric < best - threshold`` for ``"abs"`` (mirrored for ``"max"``). After more than
    ``patience`` epochs without improvement each group's lr becomes
    ``max(lr·factor, min_lr)`` (unless that changes it by ``eps`` or less), and the count
    pauses for ``cooldown`` epochs. Unlike the other schedulers it does not set
    ``initial_lr`` and takes no step on construction, as in PyTorch.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {"min", "max"}, default "min"
    factor : float, default 0.1
        In [0, 1).
    patience : int, default 10
    threshold : float, default 1e-4
    threshold_mode : {"rel", "abs"}, default "rel"
    cooldown : int, default 0
    min_lr : float or list of float, default 0
        One for all groups, or one per group.
    eps : float, default 1e-8
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        where = "ReduceLROnPlateau"
        _check_optimizer(where, optimizer)
        checks.choice(where, "mode", mode, ("min", "max"))
        checks.choice(where, "threshold_mode", threshold_mode, ("rel", "abs"))
        checks.real(where, "factor", factor, low=0, high=1, high_open=True)
        checks.real(where, "threshold", threshold, low=0)
        checks.real(where, "eps", eps, low=0)
        n_groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n_groups:
                raise ValueError(
                    f"{where}: min_lr has {len(min_lr)} values but the optimizer has "
                    f"{n_groups} parameter groups"
                )
            for i, value in enumerate(min_lr):
                checks.real(where, f"min_lr[{i}]", value, low=0)
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            checks.real(where, "min_lr", min_lr, low=0)
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n_groups
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = checks.non_negative_int(where, "patience", patience)
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = checks.non_negative_int(where, "cooldown", cooldown)
        self.eps = eps
        self.last_epoch = 0
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = self._current_lrs()

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return a < best * (1.0 - self.threshold)
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (1.0 + self.threshold)
        return a > best + self.threshold

    def step(self, metrics: float) -> None:  # type: ignore[override]
        """Record one epoch's metric (a loss, an accuracy) and reduce the lr on a plateau."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(
                f"ReduceLROnPlateau.step(metrics={metrics!r}): expected a number"
            ) from None
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise ValueError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter groups but "
                    f"min_lr lists {len(self.min_lrs)} values; update scheduler.min_lrs"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)  # lr ← max(factor·lr, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def __repr__(self) -> str:
        return (
            f"ReduceLROnPlateau(mode={self.mode!r}, factor={self.factor!r}, "
            f"patience={self.patience!r}, threshold={self.threshold!r}, "
            f"threshold_mode={self.threshold_mode!r}, cooldown={self.cooldown!r}, "
            f"min_lr={self.min_lrs if self.default_min_lr is None else self.default_min_lr!r}, "
            f"eps={self.eps!r})"
        )
