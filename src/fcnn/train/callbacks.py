"""Callbacks: code that ``fit`` calls at fixed points of training.

Hooks (all optional): ``on_train_begin(state)``, ``on_epoch_begin(state)``,
``on_batch_end(state, loss)``, ``on_epoch_end(state, logs)``, ``on_train_end(state)``.
``state`` is the loop's :class:`TrainState`; a callback stops training by calling
``state.stop(reason)``. A callback with ``state_dict()``/``load_state_dict()`` has its
state saved in run-directory checkpoints, so a resumed run continues exactly.

``Callback`` and ``TrainState`` themselves live on floor 2 (``fcnn.callback``), so that
what watches training from floor 3 (``fcnn.diagnose``) need not import ``train``; they
are importable from here as before.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from .. import checks
from ..callback import Callback, TrainState
from ..core import warn_user
from ..i18n import N_, translator
from ..optim import ReduceLROnPlateau
from .inputs import _said

__all__ = [
    "Callback",
    "DivergenceGuard",
    "DivergenceWarning",
    "EarlyStopping",
    "LRSchedulerCallback",
    "ModelCheckpoint",
    "TrainState",
]


# Stop reasons are said in the language of the moment training stops: they are kept in
# the history as text (and shown by fit, the CLI and a notebook's History).
_ = translator("train")


class DivergenceWarning(UserWarning):
    """Issued when the divergence guard stops a run."""


def _monitor_mode(monitor: str, mode: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(_said(N_("mode={mode!r}: expected 'auto', 'min' or 'max'"), mode=mode))
    if mode != "auto":
        return mode
    return "max" if any(k in monitor for k in ("accuracy", "f1", "r2")) else "min"


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    With ``restore_best_weights`` (the default here, unlike Keras) the model ends with
    the weights of its best epoch.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = True,
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            template = N_("EarlyStopping(patience={patience!r}): expected an integer >= 0")
            raise ValueError(_said(template, patience=patience))
        if not isinstance(min_delta, (int, float)) or min_delta < 0:
            template = N_("EarlyStopping(min_delta={min_delta!r}): expected a number >= 0")
            raise ValueError(_said(template, min_delta=min_delta))
        self.monitor, self.patience, self.min_delta = monitor, patience, float(min_delta)
        self.mode = _monitor_mode(monitor, mode)
        self.restore_best_weights = restore_best_weights
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = 0
        self.wait = 0
        self.best_weights: dict[str, np.ndarray] | None = None

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        if self.monitor not in logs:
            # a KeyError shows its argument's repr: a str, said now (not a Message)
            template = _(
                "EarlyStopping monitors {monitor!r}, which this run does not log; logged: {logged}"
            )
            raise KeyError(template.format(monitor=self.monitor, logged=", ".join(logs)))
        value = logs[self.monitor]
        if math.isfinite(value) and self._improved(value):
            self.best, self.best_epoch, self.wait = value, state.epoch + 1, 0
            if self.restore_best_weights:
                self.best_weights = state.model.state_dict()
            return
        self.wait += 1
        if self.wait > self.patience:
            if self.restore_best_weights:
                reason = _(
                    "early stopping: {monitor} has not improved for {wait} epochs; best "
                    "{best:.6g} at epoch {epoch} (its weights restored)"
                )
            else:
                reason = _(
                    "early stopping: {monitor} has not improved for {wait} epochs; best "
                    "{best:.6g} at epoch {epoch}"
                )
            state.stop(
                reason.format(
                    monitor=self.monitor, wait=self.wait, best=self.best, epoch=self.best_epoch
                )
            )

    def on_train_end(self, state: TrainState) -> None:
        if self.restore_best_weights and self.best_weights is not None and self.wait > 0:
            state.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "best_weights": self.best_weights,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch, self.wait = state["best"], state["best_epoch"], state["wait"]
        self.best_weights = state["best_weights"]


class ModelCheckpoint(Callback):
    """Save the model (one ``.safetensors`` file, written atomically) after each epoch,
    or only when ``monitor`` improves with ``save_best_only``.

    ``path`` may contain ``{epoch}`` and any logged key, e.g. ``"ckpt-{epoch:03d}.safetensors"``.
    """

    def __init__(
        self,
        path: str | Path,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
    ) -> None:
        self.path = str(path)
        self.monitor, self.save_best_only = monitor, save_best_only
        self.mode = _monitor_mode(monitor, mode)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.saved: list[Path] = []

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        from ..io import save

        if self.save_best_only:
            value = logs.get(self.monitor)
            if value is None:
                template = _("ModelCheckpoint monitors {monitor!r}, which this run does not log")
                raise KeyError(template.format(monitor=self.monitor))
            better = value < self.best if self.mode == "min" else value > self.best
            if not (math.isfinite(value) and better):
                return
            self.best = value
        path = Path(self.path.format(epoch=state.epoch + 1, **logs))
        path.parent.mkdir(parents=True, exist_ok=True)
        self.saved.append(save(state.model, path))

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = state["best"]


class LRSchedulerCallback(Callback):
    """Step a learning-rate scheduler once per epoch, or after every batch.

    ``ReduceLROnPlateau`` gets ``monitor``'s value (or the training loss) at each epoch's
    end. A schedule that declares ``per_batch`` (:class:`~fcnn.optim.CyclicLR`,
    :class:`~fcnn.optim.OneCycleLR`, a composition holding one) is stepped after every
    batch; ``per_batch`` given here overrides that (e.g. a ``LinearLR`` warm-up counted
    in batches).

    Per batch, the step that follows a batch's update is taken when the next batch's loss
    comes in (``fit``'s batch hook runs before the update) and at the epoch's end. Batch
    ``k`` of the run thus trains at the rate after ``k`` steps, as in PyTorch's loop
    (``optimizer.step(); scheduler.step()``), and the scheduler is up to date at every
    checkpoint, so a resumed run goes on bit for bit. The ``lr`` logged for an epoch is
    the rate its last batch trained at.
    """

    def __init__(
        self, scheduler: Any, monitor: str = "val_loss", per_batch: bool | None = None
    ) -> None:
        where = "LRSchedulerCallback"
        if per_batch is None:
            per_batch = bool(getattr(scheduler, "per_batch", False))
        per_batch = checks.flag(where, "per_batch", per_batch)
        if per_batch and isinstance(scheduler, ReduceLROnPlateau):
            template = N_(
                "{where}(per_batch=True): ReduceLROnPlateau steps on an epoch's metric, "
                "not after every batch"
            )
            raise ValueError(_said(template, where=where))
        self.scheduler = scheduler
        self.monitor = monitor
        self.per_batch = per_batch

    def on_batch_end(self, state: TrainState, loss: float) -> None:
        if self.per_batch and state.step > 0:
            self.scheduler.step()  # for the previous batch's update

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        if isinstance(self.scheduler, ReduceLROnPlateau):
            value = logs.get(self.monitor, logs.get("loss"))
            self.scheduler.step(value)
        else:
            self.scheduler.step()  # per batch: for the epoch's last update

    def state_dict(self) -> dict[str, Any]:
        return self.scheduler.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.scheduler.load_state_dict(state)


class DivergenceGuard(Callback):
    """Stop when the loss becomes NaN or infinite, or explodes past ``factor`` times the
    lowest loss seen, and put back the weights of the end of the last good epoch.

    The lowest loss counts no lower than 1 % of the first one: on easy data a single
    batch's loss can fall to 1e-6, and an ordinary batch after it must not look like an
    explosion.

    ``fit`` adds one unless ``divergence_guard=False``. The reason is given in words,
    with the learning rate to blame, and also issued as a :class:`DivergenceWarning`.
    """

    def __init__(self, factor: float = 1e4) -> None:
        if not isinstance(factor, (int, float)) or factor <= 1:
            template = N_("DivergenceGuard(factor={factor!r}): expected a number > 1")
            raise ValueError(_said(template, factor=factor))
        self.factor = float(factor)
        self.lowest = math.inf
        self.first: float | None = None
        self._good: dict[str, np.ndarray] | None = None
        self._good_epoch = 0

    def on_epoch_begin(self, state: TrainState) -> None:
        # The weights at the start of the epoch are the last known good ones.
        self._good = state.model.state_dict()
        self._good_epoch = state.epoch

    def on_batch_end(self, state: TrainState, loss: float) -> None:
        if math.isfinite(loss):
            if self.first is None:
                self.first = loss
            self.lowest = min(self.lowest, loss)
            reference = max(self.lowest, 0.01 * self.first)
            if reference <= 0 or loss <= self.factor * reference:
                return
            what = _(
                "loss exploded to {loss:.3g} (from {lowest:.3g}) at epoch {epoch}, step {step}"
            )
        elif math.isnan(loss):
            what = _("loss became NaN at epoch {epoch}, step {step}")
        else:
            what = _("loss became infinite at epoch {epoch}, step {step}")
        what = what.format(
            loss=loss, lowest=self.lowest, epoch=state.epoch + 1, step=state.step + 1
        )
        restored = ""
        if self._good is not None:
            state.model.load_state_dict(self._good)
            if self._good_epoch:
                restored = _("; last good weights (end of epoch {epoch}) restored").format(
                    epoch=self._good_epoch
                )
            else:
                restored = _("; the initial weights restored")
        reason = _("{what}; the learning rate {lr:g} is likely too high{restored}").format(
            what=what, lr=state.lr, restored=restored
        )
        state.stop(reason)
        state.history.diverged = True
        warn_user(reason, DivergenceWarning)

    def state_dict(self) -> dict[str, Any]:
        return {"lowest": self.lowest, "first": self.first}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.lowest, self.first = state["lowest"], state["first"]
