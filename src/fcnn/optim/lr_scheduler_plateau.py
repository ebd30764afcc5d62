"""PyTorch's :class:`ReduceLROnPlateau`: the one scheduler driven by a metric, not a count.

It lowers the learning rate when a monitored value (a validation loss, an accuracy) stops
improving; the values are PyTorch 2.13's, bit for bit.
"""

from __future__ import annotations

import math

from .. import checks
from ..i18n import N_, Message
from .lr_scheduler import LRScheduler, _check_optimizer, per_group
from .optimizer import Optimizer

__all__ = ["ReduceLROnPlateau"]


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
        self.min_lrs = per_group(where, "min_lr", min_lr, optimizer, low=0)
        # One min_lr for all groups also serves groups added later (see _reduce_lr).
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
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
            template = N_("ReduceLROnPlateau.step(metrics={metrics!r}): expected a number")
            raise TypeError(Message("checks", template, metrics=metrics)) from None
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
                template = N_(
                    "ReduceLROnPlateau: the optimizer has {groups} parameter groups but "
                    "min_lr lists {count} values; update scheduler.min_lrs"
                )
                said = {"groups": len(groups), "count": len(self.min_lrs)}
                raise ValueError(Message("checks", template, **said))
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
