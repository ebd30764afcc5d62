"""The learning-rate range test: :func:`lr_find` and the :class:`LRFinderResult` it returns.

Leslie Smith (2015, "Cyclical Learning Rates for Training Neural Networks", section 3.3)
trains for a short while with a learning rate that grows every step and watches the
loss: too small a rate and the loss hardly moves, a good one and it falls fast, too
large and it blows up. fast.ai's ``lr_find`` made the test a one-liner; this one follows
its protocol:

- the rate grows exponentially, ``lrᵢ = start · (end / start)^(i / (steps − 1))``, so the
  first step takes ``start_lr`` and the last ``end_lr`` (default 1e-7 to 10 in 100 steps);
- the mini-batches are drawn as ``fit`` draws them (a fresh shuffle every pass over the
  rows, the last batch of a pass possibly smaller), and every step is the one training
  step, :class:`fcnn.train.step.TrainStep`, with the optimiser's ``lr`` set before it;
- the loss is smoothed with a bias-corrected exponential moving average, and the sweep
  stops when the smoothed loss exceeds 4 × the lowest seen so far (fast.ai's rule), or
  at once when a loss is NaN or infinite;
- everything runs on a copy of the model and the optimiser: the ones given are left
  exactly as they were, weights, gradients, optimiser state and random generators.

One departure: the average keeps ``β = 0.9`` of itself per step, not fast.ai's 0.98.
At 0.98 it spans some 50 steps, half of a 100-step sweep, i.e. four decades of rates:
the smoothed curve lags the raw one so far that on scikit-learn's digits it reached
its minimum after the raw loss had exploded, and never crossed 4 × its lowest. At 0.9
it spans about 10 steps, under a decade.

The suggested rate follows one rule, :data:`RULE`: a tenth of the rate at which the
smoothed loss is lowest (fast.ai's ``minimum``): at the minimum the rate is already at
the edge of divergence, a tenth of it is safely below. fast.ai's other classic, the
steepest descent of the smoothed loss, was tried and dropped: where the loss falls
only a little (the 2-4-1 network on the planar data), the noise of the first smoothed
values made the steepest slope, and the suggestion was ``start_lr``. Smith reads the
plot differently again (where the loss starts to fall and where it stops: the two ends
of a cyclical schedule); the curve is returned, for any other rule.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import checks
from ..core import Module, default_rng
from ..i18n import N_, translator
from ..losses import prepare_targets, resolve_loss
from ..optim import Optimizer
from .inputs import _rows_differ, _said
from .loop import _as_features, _as_targets, _resolve_optimizer
from .step import TrainStep

__all__ = ["RULE", "LRFinderResult", "lr_find", "minimum_over_ten", "steps_at_least_two"]

_ = translator("train")

#: The rule behind :attr:`LRFinderResult.suggestion`, in words (English; ``summary()``
#: says it in the current language).
RULE = N_("a tenth of the rate at the lowest smoothed loss")


@dataclass(frozen=True)
class LRFinderResult:
    """The curve of a learning-rate range test and the rate it suggests.

    Attributes
    ----------
    lrs : ndarray
        The learning rate of each step taken (fewer than ``steps`` when the sweep stopped).
    losses : ndarray
        Each step's mini-batch loss, computed before that step's update.
    smoothed : ndarray
        The bias-corrected exponential moving average of ``losses``.
    suggestion : float or None
        The suggested learning rate, by :attr:`rule`; None when the smoothed loss never
        fell (then ``start_lr`` was already too large, or the sweep far too short).
    rule : str
        How the suggestion was chosen (:data:`RULE`).
    stop_reason : str or None
        Why the sweep stopped before its last step; None when it ran them all.
    start_lr, end_lr : float
    steps : int
        The sweep asked for.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float | None
    rule: str
    stop_reason: str | None
    start_lr: float
    end_lr: float
    steps: int

    @property
    def suggestion_index(self) -> int | None:
        """The step whose rate is the suggestion (None without one)."""
        if self.suggestion is None:
            return None
        return int(np.argmin(np.abs(np.log(self.lrs) - math.log(self.suggestion))))

    def summary(self) -> str:
        """One line: the suggestion and its rule, and how far the sweep went."""
        if self.suggestion is None:
            head = _(
                "no suggestion: the smoothed loss never fell (try more steps, a lower start_lr)"
            )
        else:
            head = _("suggested learning rate {lr:.3g} ({rule})").format(
                lr=self.suggestion, rule=_(self.rule)
            )
        swept = _("{taken} of {steps} steps from {start:g} to {end:g}").format(
            taken=len(self.lrs), steps=self.steps, start=self.start_lr, end=self.end_lr
        )
        if self.stop_reason:
            swept = _("{swept} (stopped: {reason})").format(swept=swept, reason=self.stop_reason)
        return _("{head}; {swept}").format(head=head, swept=swept)

    def __str__(self) -> str:
        return self.summary()


def steps_at_least_two(where: str, name: str, value: Any) -> int:
    """``value`` as an ``int`` >= 2 (a sweep needs two rates), in :mod:`fcnn.checks`' wording."""
    value = checks.positive_int(where, name, value)
    if value < 2:
        raise checks.refusal(ValueError, where, name, value, "an integer >= 2")
    return value


def _batches(
    X: np.ndarray, Y: np.ndarray, batch_size: int, shuffle: bool, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Mini-batches without end, pass after pass over the rows, cut as ``fit`` cuts them."""
    n = len(X)
    while True:
        if shuffle:
            order = rng.permutation(n)
            X_pass, Y_pass = X[order], Y[order]
        else:
            X_pass, Y_pass = X, Y
        for begin in range(0, n, batch_size):
            yield X_pass[begin : begin + batch_size], Y_pass[begin : begin + batch_size]


def minimum_over_ten(lrs: np.ndarray, smoothed: np.ndarray) -> float | None:
    """A tenth of the rate at which ``smoothed`` is lowest; None when its lowest value is
    its first (the loss never fell: there is no descent to read a rate from)."""
    lowest = int(np.argmin(smoothed))
    return None if lowest == 0 else float(lrs[lowest]) / 10.0


def _working_copy(model: Module, optimizer: Any) -> tuple[Module, Optimizer]:
    """A copy of ``model`` and of its optimiser (given, or built by name on the copy)."""
    if isinstance(optimizer, Optimizer):
        own = {id(p) for p in model.parameters()}
        held = [p for group in optimizer.param_groups for p in group["params"]]
        if not all(id(p) in own for p in held):
            template = N_("lr_find: the optimizer holds parameters that are not the model's")
            raise ValueError(_said(template))
        # Copied together, so the copied optimiser holds (and keys its state by) the
        # copied parameters.
        return copy.deepcopy((model, optimizer))
    work = copy.deepcopy(model)
    return work, _resolve_optimizer(optimizer, work, None)


def lr_find(
    model: Module,
    X: Any,
    y: Any,
    *,
    loss: Any = None,
    optimizer: Any = "adam",
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    steps: int = 100,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int | None = None,
    smoothing: float = 0.9,
    diverge_factor: float | None = 4.0,
) -> LRFinderResult:
    """Sweep the learning rate exponentially over ``steps`` training steps and suggest one.

    Parameters
    ----------
    model : Module
        Left untouched: the sweep trains a copy.
    X, y : array_like
        As ``fit`` takes them (the targets are prepared for ``loss`` the same way).
    loss : loss or str, optional
        As in ``fit``; None picks from the targets.
    optimizer : Optimizer or str
        An optimiser over ``model``'s parameters (copied with its state, the original
        untouched), or a name from ``fcnn.optim.OPTIMIZERS``. Every parameter group
        takes the swept rate.
    start_lr, end_lr : float
        The first and the last rate, ``0 < start_lr < end_lr``.
    steps : int
        Training steps (at most; >= 2), one per rate.
    batch_size, shuffle, seed
        The mini-batches, as in ``fit``.
    smoothing : float
        β of the moving average of the loss, in [0, 1).
    diverge_factor : float or None
        Stop when the smoothed loss exceeds this many times its lowest value (> 1);
        None sweeps to ``end_lr`` unless the loss becomes NaN or infinite.

    Returns
    -------
    LRFinderResult
        The curve, the suggestion and its rule; ``fcnn.plot.lr_find`` draws it.
    """
    if not isinstance(model, Module):
        template = N_("{where} expects an fcnn Module, got {type}")
        raise TypeError(_said(template, where="lr_find", type=type(model).__name__))
    start_lr = checks.real("lr_find", "start_lr", start_lr, low=0, low_open=True)
    end_lr = checks.real("lr_find", "end_lr", end_lr, low=start_lr, low_open=True)
    steps = steps_at_least_two("lr_find", "steps", steps)
    batch_size = checks.positive_int("lr_find", "batch_size", batch_size)
    shuffle = checks.flag("lr_find", "shuffle", shuffle)
    smoothing = checks.real("lr_find", "smoothing", smoothing, low=0, high=1, high_open=True)
    if diverge_factor is not None:
        diverge_factor = checks.real(
            "lr_find", "diverge_factor", diverge_factor, low=1, low_open=True
        )
    if seed is not None:
        seed = checks.non_negative_int("lr_find", "seed", seed)
    X = _as_features("lr_find", "X", X, model.dtype)
    y = _as_targets("y", y)
    if len(y) != len(X):
        raise _rows_differ(len(X), len(y))
    work, work_optimizer = _working_copy(model, optimizer)
    n_outputs = work.predict(X[:1]).shape[1]
    loss = resolve_loss(loss, y, n_outputs)
    Y = prepare_targets(loss, y, n_outputs, model.dtype)
    # The batch order's generator, drawn as fit draws its own.
    rng = np.random.default_rng(seed if seed is not None else int(default_rng().integers(2**63)))

    rates = start_lr * (end_lr / start_lr) ** (np.arange(steps) / (steps - 1))
    step = TrainStep(work, loss, work_optimizer)
    batches = _batches(X, Y, batch_size, shuffle, rng)
    losses: list[float] = []
    smoothed: list[float] = []
    average, best, stop_reason = 0.0, math.inf, None
    work.train()
    # Divergence is what the sweep looks for: overflow on the way is expected, not warned.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, lr in enumerate(rates):
            for group in work_optimizer.param_groups:
                group["lr"] = float(lr)
            value = step(*next(batches)).loss
            if not math.isfinite(value):
                stop_reason = _("the loss became {value} at lr {lr:.3g}").format(value=value, lr=lr)
                break
            losses.append(value)
            # A moving average from 0, divided by 1 − βⁱ⁺¹ so its first values are not
            # pulled towards zero (Adam's bias correction).
            average = smoothing * average + (1.0 - smoothing) * value
            smoothed.append(average / (1.0 - smoothing ** (i + 1)))
            best = min(best, smoothed[-1])
            if diverge_factor is not None and smoothed[-1] > diverge_factor * best:
                stop_reason = _(
                    "the smoothed loss {loss:.3g} exceeded {factor:g} × its lowest {best:.3g} "
                    "at lr {lr:.3g}"
                ).format(loss=smoothed[-1], factor=diverge_factor, best=best, lr=lr)
                break
    taken, curve = rates[: len(losses)], np.asarray(smoothed)
    return LRFinderResult(
        lrs=taken,
        losses=np.asarray(losses),
        smoothed=curve,
        suggestion=minimum_over_ten(taken, curve) if len(curve) >= 2 else None,
        rule=RULE,
        stop_reason=stop_reason,
        start_lr=start_lr,
        end_lr=end_lr,
        steps=steps,
    )
