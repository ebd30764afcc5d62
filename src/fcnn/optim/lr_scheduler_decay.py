"""Warm-ups and decays of a set length: PyTorch's :class:`ConstantLR`, :class:`LinearLR`
and :class:`PolynomialLR`, and the course's inverse-time decay, :class:`InverseTimeLR`.

Each scales ``initial_lr`` by a factor that moves over ``total_iters`` steps and then
stays; the three of PyTorch are chainable (each step multiplies the current rate) with the
same formulas as PyTorch 2.13, so the rates are the same bit for bit.
"""

from __future__ import annotations

from .. import checks
from .lr_scheduler import LRScheduler
from .optimizer import Optimizer

__all__ = ["ConstantLR", "InverseTimeLR", "LinearLR", "PolynomialLR"]


class ConstantLR(LRScheduler):
    """Multiply the learning rate by ``factor`` for the first ``total_iters`` epochs, then
    give back the full rate: a constant warm-up.

    ``lr = initial_lr · factor`` for ``epoch < total_iters``, ``initial_lr`` after.

    Parameters
    ----------
    optimizer : Optimizer
    factor : float, default 1/3
        In (0, 1].
    total_iters : int, default 5
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        checks.real("ConstantLR", "factor", factor, low=0, high=1, low_open=True)
        self.factor = factor
        self.total_iters = checks.positive_int("ConstantLR", "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]  # undo the factor

    def _closed_form_lr(self) -> list[float]:
        done = self.last_epoch >= self.total_iters
        return [base * (self.factor + done * (1 - self.factor)) for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Move the factor on ``initial_lr`` in a straight line from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs: a linear warm-up (``end_factor=1``) or a
    linear decay (``start_factor=1``).

    ``lr = initial_lr · (start + (end - start) · min(epoch, total_iters) / total_iters)``,
    computed as PyTorch does, each rate from the previous one::

        lr_t = lr_{t-1} · (1 + (end - start) / (total_iters·start + (t - 1)(end - start)))

    Parameters
    ----------
    optimizer : Optimizer
    start_factor : float, default 1/3
        In (0, 1].
    end_factor : float, default 1
        In [0, 1].
    total_iters : int, default 5
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        where = "LinearLR"
        checks.real(where, "start_factor", start_factor, low=0, high=1, low_open=True)
        checks.real(where, "end_factor", end_factor, low=0, high=1)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = checks.positive_int(where, "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        rise = self.end_factor - self.start_factor
        # The ratio of this epoch's factor to the previous one's.
        ratio = 1.0 + rise / (self.total_iters * self.start_factor + (self.last_epoch - 1) * rise)
        return [lr * ratio for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        done = min(self.total_iters, self.last_epoch)
        rise = self.end_factor - self.start_factor
        return [
            base * (self.start_factor + rise * done / self.total_iters) for base in self.base_lrs
        ]


class PolynomialLR(LRScheduler):
    """Decay the learning rate to 0 over ``total_iters`` epochs along a polynomial.

    ``lr = initial_lr · (1 - min(epoch, total_iters) / total_iters)^power``: ``power=1``
    is a straight line, ``power=2`` falls fast and then flattens. Computed as PyTorch does,
    each rate from the previous one, ``lr_t = lr_{t-1}·((1 - t/T) / (1 - (t-1)/T))^power``.

    Parameters
    ----------
    optimizer : Optimizer
    total_iters : int, default 5
    power : float, default 1
        >= 0.
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        self.total_iters = checks.positive_int("PolynomialLR", "total_iters", total_iters)
        checks.real("PolynomialLR", "power", power, low=0)
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        t, total = self.last_epoch, self.total_iters
        decay = ((1.0 - t / total) / (1.0 - (t - 1) / total)) ** self.power
        return [lr * decay for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        left = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * left**self.power for base in self.base_lrs]


class InverseTimeLR(LRScheduler):
    """Inverse-time decay: divide the initial rate by ``1 + decay_rate`` times the number of
    ``time_interval``-long intervals passed.

    ``lr = initial_lr / (1 + decay_rate · ⌊epoch / time_interval⌋)``

    This is the decay of the Deep Learning Specialization (Coursera, course 2, week 2,
    "Optimization Methods"): its ``update_lr(learning_rate0, epoch_num, decay_rate)`` is
    the every-epoch form (``time_interval=1``) and its
    ``schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000)`` the
    fixed-interval form; after ``epoch_num`` calls of ``step()`` the rate is theirs
    (``InverseTimeLR(opt, decay_rate=1)`` with ``lr=0.5``: 0.5/3 after two steps). Keras
    calls it ``InverseTimeDecay`` (with ``staircase=True``); PyTorch has no class for it.
    Not chainable: like :class:`LambdaLR`, every rate is computed from ``initial_lr``.

    Parameters
    ----------
    optimizer : Optimizer
    decay_rate : float
        >= 0.
    time_interval : int, default 1
        Epochs (or steps) between decays.
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        decay_rate: float,
        time_interval: int = 1,
        last_epoch: int = -1,
    ) -> None:
        checks.real("InverseTimeLR", "decay_rate", decay_rate, low=0)
        self.decay_rate = decay_rate
        self.time_interval = checks.positive_int("InverseTimeLR", "time_interval", time_interval)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        intervals = self.last_epoch // self.time_interval
        return [base / (1 + self.decay_rate * intervals) for base in self.base_lrs]

    def _closed_form_lr(self) -> list[float]:
        return self.get_lr()
