"""Schedules made of your functions or of other schedulers: PyTorch's :class:`LambdaLR`,
:class:`MultiplicativeLR`, :class:`SequentialLR` and :class:`ChainedScheduler`.

None of them can be built by name (``get_scheduler``, ``fcnn train --schedule``): they
take a function or schedulers, not numbers. A function is not data, so as in PyTorch a
state dict keeps nothing of a plain function or lambda (only a callable object's
attributes): rebuild the scheduler with the same function, then load the state.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from .. import checks
from ..i18n import N_, Message
from .lr_scheduler import LRScheduler, _check_optimizer, function_state
from .lr_scheduler_plateau import ReduceLROnPlateau
from .optimizer import Optimizer

__all__ = ["ChainedScheduler", "LambdaLR", "MultiplicativeLR", "SequentialLR"]


class _FunctionLR(LRScheduler):
    """A schedule given by one function of the epoch per parameter group."""

    _kept_apart: ClassVar[tuple[str, ...]] = ("optimizer", "lr_lambdas")

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        where = type(self).__name__
        _check_optimizer(where, optimizer)
        n_groups = len(optimizer.param_groups)
        functions = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else None
        if functions is not None and len(functions) != n_groups:
            template = N_(
                "{where}: lr_lambda lists {count} functions but the optimizer has "
                "{groups} parameter groups"
            )
            said = {"count": len(functions), "groups": n_groups}
            raise ValueError(Message("checks", template, where=where, **said))
        for fn in functions or [lr_lambda]:
            if not callable(fn):
                raise checks.refusal(
                    TypeError, where, "lr_lambda", fn, N_("a function of the epoch (or a list)")
                )
        self.lr_lambdas = functions or [lr_lambda] * n_groups
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """As :meth:`LRScheduler.state_dict`, with ``lr_lambdas`` as PyTorch keeps them:
        None for a function or lambda, the attributes of a callable object."""
        state = super().state_dict()
        state["lr_lambdas"] = [function_state(fn) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for fn, saved in zip(self.lr_lambdas, state_dict["lr_lambdas"], strict=True):
            if saved is not None:
                fn.__dict__.update(saved)


class LambdaLR(_FunctionLR):
    """Set the learning rate to ``initial_lr · lr_lambda(epoch)``.

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : function or list of functions
        Of the epoch (an int), returning the factor; one for all groups or one per group.
    last_epoch : int, default -1

    Examples
    --------
    A linear warm-up over 5 epochs: ``LambdaLR(opt, lambda epoch: min(1.0, (epoch + 1) / 5))``.
    """

    def get_lr(self) -> list[float]:
        return [
            base * fn(self.last_epoch)
            for fn, base in zip(self.lr_lambdas, self.base_lrs, strict=True)
        ]


class MultiplicativeLR(_FunctionLR):
    """Multiply the learning rate by ``lr_lambda(epoch)`` at every step (from the second):
    ``lr_t = lr_{t-1} · lr_lambda(t)``.

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : function or list of functions
        Of the epoch, returning the factor; one for all groups or one per group.
    last_epoch : int, default -1
    """

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [
            group["lr"] * fn(self.last_epoch)
            for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups, strict=True)
        ]


class _ComposedLR(LRScheduler):
    """A scheduler made of others, on one optimiser; its state dict holds theirs."""

    _kept_apart: ClassVar[tuple[str, ...]] = ("optimizer", "_schedulers")

    def _take(self, where: str, schedulers: Any, optimizer: Any) -> None:
        if isinstance(schedulers, LRScheduler) or not isinstance(schedulers, (list, tuple)):
            raise checks.refusal(
                TypeError, where, "schedulers", schedulers, N_("a list of schedulers")
            )
        if not schedulers:
            template = N_("{where}(schedulers=[]): schedulers must hold one or more")
            raise ValueError(Message("checks", template, where=where))
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                what = N_("a scheduler")
                raise checks.refusal(TypeError, where, f"schedulers[{i}]", scheduler, what)
            if isinstance(scheduler, ReduceLROnPlateau):
                template = N_(
                    "{where}: schedulers[{i}] is a ReduceLROnPlateau, whose step needs a "
                    "metric; it cannot be composed"
                )
                raise ValueError(Message("checks", template, where=where, i=i))
            if scheduler.optimizer is not optimizer:
                template = N_(
                    "{where}: schedulers[{i}] sets another optimizer's learning rates; "
                    "every scheduler must belong to the same optimizer"
                )
                raise ValueError(Message("checks", template, where=where, i=i))
        self._schedulers = list(schedulers)
        self.optimizer = optimizer

    @property
    def per_batch(self) -> bool:  # type: ignore[override]
        """Stepped after every batch when one of its schedulers is."""
        return any(s.per_batch for s in self._schedulers)

    def state_dict(self) -> dict[str, Any]:
        """Its own counters, and each scheduler's state dict under ``_schedulers``."""
        state = super().state_dict()
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        kept = self._schedulers
        saved = state_dict.get("_schedulers") if isinstance(state_dict, dict) else None
        if not isinstance(saved, list) or len(saved) != len(kept):
            template = N_(
                "{name}.load_state_dict: the state dict holds {count} scheduler states, "
                "this scheduler has {kept} schedulers"
            )
            if not isinstance(saved, list):
                template = N_(
                    "{name}.load_state_dict: the state dict holds no scheduler states, "
                    "this scheduler has {kept} schedulers"
                )
            count = len(saved) if isinstance(saved, list) else 0
            said = {"name": type(self).__name__, "count": count, "kept": len(kept)}
            raise ValueError(Message("checks", template, **said))
        super().load_state_dict(state_dict)
        for scheduler, state in zip(kept, saved, strict=True):
            scheduler.load_state_dict(state)


class SequentialLR(_ComposedLR):
    """Run ``schedulers`` one after the other, switching at the epochs in ``milestones``:
    the usual warm-up then decay, e.g.
    ``SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=5), CosineAnnealingLR(opt, 95)],
    milestones=[5])``.

    At a milestone the next scheduler starts from its epoch 0, by its closed form where it
    has one (from ``initial_lr``), as in PyTorch.

    Parameters
    ----------
    optimizer : Optimizer
    schedulers : list of LRScheduler
        Built on ``optimizer`` (not ReduceLROnPlateau).
    milestones : list of int
        One fewer than the schedulers, in increasing order.
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        where = "SequentialLR"
        _check_optimizer(where, optimizer)
        self._take(where, schedulers, optimizer)
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, (list, tuple)):
            what = N_("a list of integers")
            raise checks.refusal(TypeError, where, "milestones", milestones, what)
        if len(milestones) != len(schedulers) - 1:
            template = N_(
                "{where}(milestones={milestones!r}): milestones must list one epoch "
                "fewer than the {count} schedulers"
            )
            said = {"milestones": list(milestones), "count": len(schedulers)}
            raise ValueError(Message("checks", template, where=where, **said))
        self._milestones = [
            checks.non_negative_int(where, f"milestones[{i}]", m) for i, m in enumerate(milestones)
        ]
        if self._milestones != sorted(self._milestones):
            template = N_(
                "{where}(milestones={milestones!r}): milestones must be in increasing order"
            )
            raise ValueError(Message("checks", template, where=where, milestones=self._milestones))
        if not checks.is_int(last_epoch) or last_epoch < -1:
            raise checks.refusal(
                ValueError if checks.is_int(last_epoch) else TypeError,
                where,
                "last_epoch",
                last_epoch,
                N_("an integer >= -1"),
            )
        self.last_epoch = int(last_epoch) + 1
        # Start over from initial_lr: each scheduler took a first step when it was built.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_first_steps(self)
        first = self._schedulers[bisect.bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo_first_steps(self, scheduler: LRScheduler) -> None:
        """Take back the construction step of every scheduler inside (PyTorch's
        ``recursive_undo``), so that each starts at its epoch 0 when its turn comes."""
        if isinstance(scheduler, _ComposedLR):
            for inner in scheduler._schedulers:
                self._undo_first_steps(inner)
        else:
            scheduler.last_epoch -= 1

    def step(self) -> None:
        self.last_epoch += 1
        index = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)  # its turn begins: its epoch 0
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_ComposedLR):
    """Step several schedulers together, each on the rate the previous one left: their
    factors multiply (chainable schedulers only, e.g. a ``ConstantLR`` warm-up under an
    ``ExponentialLR`` decay).

    Parameters
    ----------
    schedulers : list of LRScheduler
        All on one optimiser (not ReduceLROnPlateau).
    optimizer : Optimizer, optional
        Default: the first scheduler's.
    """

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        where = "ChainedScheduler"
        if optimizer is None and isinstance(schedulers, (list, tuple)) and schedulers:
            optimizer = getattr(schedulers[0], "optimizer", None)
        if optimizer is not None:
            _check_optimizer(where, optimizer)
        self._take(where, schedulers, optimizer)
        self._last_lr = self._current_lrs()

    def step(self) -> None:
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()
