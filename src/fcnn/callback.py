"""Floor 2: the protocol between a training loop and what watches it.

A loop (``fcnn.fit``) keeps a :class:`TrainState` and calls the hooks of each
:class:`Callback` at fixed points: ``on_train_begin(state)``, ``on_epoch_begin(state)``,
``on_batch_end(state, loss)``, ``on_epoch_end(state, logs)``, ``on_train_end(state)``.
A callback stops training by calling ``state.stop(reason)``.

Here, below ``train`` and ``diagnose``, so that both can use it without importing each
other; ``fcnn.train`` re-exports both names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .core import Module

__all__ = ["Callback", "TrainState"]


@dataclass
class TrainState:
    """What callbacks see: the objects being trained and where the loop stands."""

    model: Module
    optimizer: Any
    loss: Any
    history: Any
    epochs: int
    epoch: int = 0  # 0-based index of the current epoch
    step: int = 0  # 0-based index of the current batch within the epoch
    global_step: int = 0
    stop_training: bool = False
    stop_reason: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def stop(self, reason: str) -> None:
        self.stop_training = True
        if self.stop_reason is None:
            self.stop_reason = reason


class Callback:
    """Base class; override the hooks you need."""

    def on_train_begin(self, state: TrainState) -> None: ...

    def on_epoch_begin(self, state: TrainState) -> None: ...

    def on_batch_end(self, state: TrainState, loss: float) -> None: ...

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None: ...

    def on_train_end(self, state: TrainState) -> None: ...
