"""One training step, the one ``fit``, the playground and the scikit-learn estimators share.

    out = model(x) → value = loss(out, target) → zero_grad → backward_to_parameters
    → penalty gradients (L1 / L2) → optimizer.step() → [clipped L1 step] → the layers'
    constraints (max-norm)

Everything else a training loop does (batches, shuffling, metrics, callbacks, run
directories) lives around it, in the loop that calls it; a fix to the step itself lands
in every caller at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import numpy as np

from .. import checks
from ..core import Module, Parameter

__all__ = ["Penalty", "StepResult", "TrainStep"]


class Penalty:
    """An L1 and L2 penalty on chosen parameters (usually the weights, not the biases).

    ``P = l1·Σ|w| + l2/2·Σw²``, whose gradient ``l1·sign(w) + l2·w`` is added to each
    parameter's gradient after backward. (``l2/2`` so that the gradient is ``l2·w``:
    the convention of the TensorFlow Playground and of scikit-learn's ``alpha``.)

    Parameters
    ----------
    params : iterable of Parameter
    l1, l2 : float >= 0
        The rates; they may be changed between steps (``penalty.l2 = …``).
    l1_clip : bool
        False (the default): L1 is a gradient term like L2, and a weight it pulls towards
        zero overshoots and oscillates around it. True: the TensorFlow Playground's rule.
        L1 is not added to the gradient; after the optimiser's step each weight takes a
        plain step ``w ← w − lr·l1·sign(w_before)`` (``lr`` the optimiser's, ``w_before``
        the weight before the optimiser moved it), and a weight this step carries across
        zero becomes exactly 0. The playground turns it on.
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        l1: float = 0.0,
        l2: float = 0.0,
        l1_clip: bool = False,
    ) -> None:
        self.params = list(params)
        self.l1 = checks.real("Penalty", "l1", l1, low=0)
        self.l2 = checks.real("Penalty", "l2", l2, low=0)
        self.l1_clip = checks.flag("Penalty", "l1_clip", l1_clip)
        self._scratch: list[np.ndarray] = []

    def apply(self) -> float:
        """Add the penalty's gradient to every parameter's ``grad``; return its value ``P``
        (at the weights before the optimiser moves them)."""
        l1, l2 = self.l1, self.l2
        if not (l1 or l2):
            return 0.0
        if len(self._scratch) != len(self.params):
            self._scratch = [np.empty_like(p.data) for p in self.params]
        squares = absolutes = 0.0
        for i, param in enumerate(self.params):
            weights, scratch = param.data, self._scratch[i]
            if scratch.dtype != weights.dtype:  # the model was converted with .to(dtype)
                scratch = self._scratch[i] = np.empty_like(weights)
            if l2:
                flat = weights.reshape(-1)
                squares += float(flat @ flat)
                np.multiply(weights, l2, out=scratch)  # d(l2·w²/2)/dw
                param.grad += scratch
            if l1:
                absolutes += float(np.abs(weights).sum())
                np.sign(weights, out=scratch)
                scratch *= l1  # d(l1·|w|)/dw
                if not self.l1_clip:
                    param.grad += scratch
                # clipped: clip_l1 takes the step after the optimiser's, from scratch
        return l1 * absolutes + 0.5 * l2 * squares

    def clip_l1(self, lr: float) -> None:
        """The clipped L1 step (``l1_clip=True``), after the optimiser's step: each weight
        moves by ``−lr·l1·sign`` of its value before that step (kept by :meth:`apply`),
        and one that crosses zero on the way is set to 0."""
        for param, shift in zip(self.params, self._scratch, strict=True):
            weights = param.data
            moved = weights - lr * shift
            moved[weights * moved < 0] = 0.0
            weights[...] = moved


class StepResult(NamedTuple):
    """What one step saw: the batch's loss (without the penalty), the penalty's value,
    the network's output on the batch, and whether the parameters were updated."""

    loss: float
    penalty: float
    output: np.ndarray
    updated: bool


class TrainStep:
    """The training step on one batch, for one model, loss and optimiser.

    Parameters
    ----------
    model : Module
    loss : an fcnn loss (anything with ``forward(pred, target)`` and ``backward()``)
    optimizer : an fcnn optimiser
    penalty : Penalty, optional

    Calling it with a batch ``(x, target)`` returns a :class:`StepResult`. A
    ``before_update(loss_value)`` callable, when given, is asked after the loss is known
    and before anything is changed; returning False skips the update (``fit``'s callbacks
    use it to stop on a diverged loss before it reaches the weights).

    After the optimiser's step, every constrained layer of the model (``Linear(...,
    max_norm=c)``) is projected back into its constraint, as ``model.apply_constraints()``
    would. The step finds those layers once, when it is built, so that a model without
    any pays nothing: a constraint put on a layer that had none (``layer.max_norm = 3``
    after ``TrainStep(model, …)``) needs a new TrainStep (``fit`` builds one per call).
    Changing the radius of a layer that already had one takes effect at the next step.
    """

    __slots__ = ("_constrained", "loss", "model", "optimizer", "penalty")

    def __init__(
        self, model: Module, loss: Any, optimizer: Any, penalty: Penalty | None = None
    ) -> None:
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.penalty = penalty
        self._constrained = tuple(model.constrained_modules())

    def __call__(
        self,
        x: np.ndarray,
        target: np.ndarray,
        before_update: Callable[[float], bool] | None = None,
    ) -> StepResult:
        out = self.model.forward(x)
        value = self.loss.forward(out, target)
        if before_update is not None and not before_update(value):
            return StepResult(value, 0.0, out, False)
        self.optimizer.zero_grad()
        # dL/dx of the data is never needed: the first layer skips computing it.
        self.model.backward_to_parameters(self.loss.backward())
        penalty = 0.0 if self.penalty is None else self.penalty.apply()
        self.optimizer.step()
        # (a zero penalty value: no penalty, or every weight already 0, nothing to clip)
        if penalty and self.penalty.l1_clip and self.penalty.l1:
            self.penalty.clip_l1(self.optimizer.param_groups[0]["lr"])
        if self._constrained:
            for module in self._constrained:
                module._constrain()
        return StepResult(value, penalty, out, True)
