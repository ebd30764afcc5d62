"""Cyclical schedules, stepped after every batch: PyTorch's :class:`CyclicLR` (Smith 2017)
and :class:`OneCycleLR` (Smith & Topin 2018).

Both move the learning rate up and down between two bounds and, with ``cycle_momentum``,
move the momentum the other way (SGD's and RMSprop's ``momentum``, Adam's and AdamW's
``beta1``), as PyTorch 2.13 does, with its formulas: the rates and momenta are the same
bit for bit. Both declare ``per_batch = True``: ``LRSchedulerCallback`` steps them after
every batch, as their papers do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

from .. import checks
from ..i18n import N_, Message
from .lr_scheduler import LRScheduler, _check_optimizer, function_state, per_group
from .optimizer import Optimizer

__all__ = ["CyclicLR", "OneCycleLR"]


def _set_up_momentum(
    scheduler: LRScheduler,
    optimizer: Optimizer,
    base_momentum: Any,
    max_momentum: Any,
    last_epoch: int,
) -> tuple[list, list]:
    """Check the momentum bounds, note which hyper-parameter cycles (``use_beta1``) and,
    on a fresh start, put each group at ``max_momentum`` (PyTorch's order of things)."""
    where = type(scheduler).__name__
    if "betas" in optimizer.defaults:
        scheduler.use_beta1 = True
    elif "momentum" in optimizer.defaults:
        scheduler.use_beta1 = False
    else:
        template = N_(
            "{where}(cycle_momentum=True): the optimizer has no momentum nor beta1 to cycle "
            "(SGD, RMSprop, Adam and AdamW have); pass cycle_momentum=False"
        )
        raise ValueError(Message("checks", template, where=where))
    bases = per_group(where, "base_momentum", base_momentum, optimizer, low=0)
    tops = per_group(where, "max_momentum", max_momentum, optimizer, low=0)
    if last_epoch == -1:
        for top, base, group in zip(tops, bases, optimizer.param_groups, strict=True):
            _set_momentum(group, scheduler.use_beta1, top)
            group["max_momentum"] = top
            group["base_momentum"] = base
    return bases, tops


def _set_momentum(group: dict[str, Any], use_beta1: bool, value: float) -> None:
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])  # β1 cycles, β2 stays
    else:
        group["momentum"] = value


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith, 2017, "Cyclical Learning Rates for Training Neural
    Networks"): the rate climbs from ``base_lr`` to ``max_lr`` in ``step_size_up`` steps
    and falls back in ``step_size_down``, over and over.

    With ``x`` the position in the current cycle (0 to 1) and ``r = up / (up + down)``,
    the height is ``x / r`` on the way up and ``(x - 1) / (r - 1)`` on the way down, and::

        lr = base_lr + (max_lr - base_lr) · height · scale

    where ``scale`` is 1 (``"triangular"``), halves every cycle (``"triangular2"``),
    is ``gamma^step`` (``"exp_range"``), or is ``scale_fn(cycle or step)``. With
    ``cycle_momentum`` the momentum (or Adam's β1) goes the other way, from
    ``max_momentum`` down to ``base_momentum`` and back. Step it after every batch.

    Parameters
    ----------
    optimizer : Optimizer
    base_lr, max_lr : float or list of float
        The bounds, one for all groups or one per group; ``base_lr`` replaces each
        group's ``lr`` on a fresh start.
    step_size_up : int, default 2000
    step_size_down : int, optional
        Default: ``step_size_up``.
    mode : {"triangular", "triangular2", "exp_range"}, default "triangular"
    gamma : float, default 1
        ``exp_range``'s factor per step.
    scale_fn : callable, optional
        Replaces ``mode``'s scale; called with the cycle number or the step
        (``scale_mode``). Not saved in the state dict (a callable object's attributes are).
    scale_mode : {"cycle", "iterations"}, default "cycle"
    cycle_momentum : bool, default True
    base_momentum, max_momentum : float or list of float, default 0.8, 0.9
    last_epoch : int, default -1
    """

    per_batch: ClassVar[bool] = True
    _kept_apart: ClassVar[tuple[str, ...]] = ("optimizer", "_scale_fn_custom")

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        where = "CyclicLR"
        _check_optimizer(where, optimizer)
        base_lrs = per_group(where, "base_lr", base_lr, optimizer, low=0)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = per_group(where, "max_lr", max_lr, optimizer, low=0)
        up = checks.positive_int(where, "step_size_up", step_size_up)
        down = up if step_size_down is None else step_size_down
        down = checks.positive_int(where, "step_size_down", down)
        self.total_size = float(up) + float(down)
        self.step_ratio = float(up) / self.total_size
        if scale_fn is None:
            checks.choice(where, "mode", mode, ("triangular", "triangular2", "exp_range"))
        elif not callable(scale_fn):
            raise checks.refusal(TypeError, where, "scale_fn", scale_fn, N_("a function"))
        checks.choice(where, "scale_mode", scale_mode, ("cycle", "iterations"))
        checks.real(where, "gamma", gamma, low=0, low_open=True)
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        # The built-in modes fix how the scale is counted, as in PyTorch.
        builtin = {"triangular": "cycle", "triangular2": "cycle", "exp_range": "iterations"}
        self.scale_mode = scale_mode if scale_fn is not None else builtin[mode]
        self.cycle_momentum = checks.flag(where, "cycle_momentum", cycle_momentum)
        if self.cycle_momentum:
            self.base_momentums, self.max_momentums = _set_up_momentum(
                self, optimizer, base_momentum, max_momentum, last_epoch
            )
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The amplitude's scale at cycle (or step) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))  # halved every cycle
        return self.gamma**x  # exp_range

    def get_lr(self) -> list[float]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # where in the cycle, 0 to 1
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [
            base + (top - base) * height * scale
            for base, top in zip(self.base_lrs, self.max_lrs, strict=True)
        ]
        if self.cycle_momentum:
            groups = self.optimizer.param_groups
            bounds = zip(self.base_momentums, self.max_momentums, groups, strict=True)
            for base, top, group in bounds:
                _set_momentum(group, self.use_beta1, top - (top - base) * height * scale)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As :meth:`LRScheduler.state_dict`; of ``scale_fn`` only a callable object's
        attributes are kept (a function is not data), as in PyTorch."""
        state = super().state_dict()
        state["_scale_fn_custom"] = function_state(self._scale_fn_custom)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        saved = state_dict["_scale_fn_custom"]
        if self._scale_fn_custom is not None and saved is not None:
            self._scale_fn_custom.__dict__.update(saved)


class OneCycleLR(LRScheduler):
    """The one-cycle policy (Smith & Topin, 2018, "Super-Convergence"): one climb from
    ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of the
    ``total_steps``, then one long fall to ``initial_lr / final_div_factor``.

    Each phase anneals along a half cosine (``"cos"``) or a line (``"linear"``);
    ``three_phase`` climbs, comes back down symmetrically, then falls to the end (fast.ai's
    earlier form). With ``cycle_momentum`` the momentum (or Adam's β1) goes the other way,
    ``max_momentum`` → ``base_momentum`` → ``max_momentum``. Step it after every batch,
    ``total_steps`` times at most.

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float or list of float
    total_steps : int, optional
        Or give ``epochs`` and ``steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
    pct_start : float, default 0.3
        In [0, 1].
    anneal_strategy : {"cos", "linear"}, default "cos"
    cycle_momentum : bool, default True
    base_momentum, max_momentum : float or list of float, default 0.85, 0.95
    div_factor : float, default 25
    final_div_factor : float, default 1e4
    three_phase : bool, default False
    last_epoch : int, default -1
    """

    per_batch: ClassVar[bool] = True

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        where = "OneCycleLR"
        _check_optimizer(where, optimizer)
        if total_steps is not None:
            self.total_steps = checks.positive_int(where, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = checks.positive_int(where, "epochs", epochs) * checks.positive_int(
                where, "steps_per_epoch", steps_per_epoch
            )
        else:
            template = N_("{where}: give total_steps, or epochs and steps_per_epoch")
            raise ValueError(Message("checks", template, where=where))
        checks.real(where, "pct_start", pct_start, low=0, high=1)
        checks.choice(where, "anneal_strategy", anneal_strategy, ("cos", "linear"))
        checks.real(where, "div_factor", div_factor, low=0, low_open=True)
        checks.real(where, "final_div_factor", final_div_factor, low=0, low_open=True)
        # Each phase: the step it ends on, and the group entries it goes from and to.
        up = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        if checks.flag(where, "three_phase", three_phase):
            down = float(2 * pct_start * self.total_steps) - 2
            phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (down, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (last, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (last, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        names = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")
        self._schedule_phases = [dict(zip(names, phase, strict=True)) for phase in phases]
        self._anneal_func_type = anneal_strategy
        max_lrs = per_group(where, "max_lr", max_lr, optimizer, low=0, low_open=True)
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups, strict=True):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = checks.flag(where, "cycle_momentum", cycle_momentum)
        if self.cycle_momentum:
            _set_up_momentum(self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            template = N_(
                "OneCycleLR: stepped {step} times, past its total_steps={total}; "
                "build it with the number of batches the training runs"
            )
            raise ValueError(Message("checks", template, step=step, total=self.total_steps))
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if step <= end or i == len(self._schedule_phases) - 1:
                    pct = (step - start) / (end - start)  # how far into this phase
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                        _set_momentum(group, self.use_beta1, momentum)
                    break
                start = end
        return lrs
