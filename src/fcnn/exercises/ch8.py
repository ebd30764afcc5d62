"""Chapter 8's exercises: the five lines of a training step, as the notes' PyTorch loop
writes them (checked against ``fcnn.fit`` on a hidden network), and the parameter count
of a fully-connected network (checked against ``fcnn.mlp``)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..losses import CrossEntropyLoss
from ..models import mlp
from ..optim import SGD
from ..train import fit
from .verdict import Wrong, exercise, function, miss, number, then, translator
from .verdict import answered as _answered

_ = translator("exercises")


def _network():
    return mlp([4, 6, 3], activation="relu", seed=81, dtype=np.float64)


def _weights(model) -> np.ndarray:
    return np.concatenate([p.data.ravel() for p in model.parameters()])


@exercise("ch8.train_step")
def train_step(answer: Any) -> str:
    """``f(model, loss_fn, optimizer, X, y)``: forward, loss, zero_grad, backward, step;
    two calls must leave the weights where two steps of ``fcnn.fit`` leave them."""
    fn = function(answer)
    rng = np.random.default_rng(81)
    X, y = rng.normal(size=(10, 4)), rng.integers(0, 3, size=10)
    reference = _network()
    start = _weights(reference)
    losses = []
    for _step in range(2):
        history = fit(
            reference,
            X,
            y,
            loss=CrossEntropyLoss(),
            optimizer=SGD(reference.parameters(), lr=0.5),
            epochs=1,
            batch_size=len(X),
            shuffle=False,
            metrics=[],
            verbose=0,
        )
        losses.append(history.history["loss"][-1])
    model = _network()
    optimizer, loss_fn = SGD(model.parameters(), lr=0.5), CrossEntropyLoss()
    for step in (1, 2):
        try:
            said = fn(model, loss_fn, optimizer, X.copy(), y.copy())
        except Exception as error:  # a learner's function may raise anything: say what
            raise Wrong(
                _("At step {step} your function raised {error}.").format(
                    step=step, error=f"{type(error).__name__}: {error}"
                ),
                _(
                    "the step is: output = model(X); loss = loss_fn(output, y); "
                    "optimizer.zero_grad(); "
                    "model.backward(loss_fn.backward()); optimizer.step()"
                ),
            ) from None
        if said is None:
            raise Wrong(_("Your function returned None: return the batch's loss."))
        got = _weights(model)
        if step == 1 and np.allclose(got, start):
            raise Wrong(
                _("After one step the weights have not moved."),
                _(
                    "compute the gradients with "
                    "model.backward(loss_fn.backward()), then optimizer.step()"
                ),
            )
        if not np.allclose(got, _weights_after(step, X, y), rtol=1e-7, atol=1e-12):
            hint = (
                _("call optimizer.zero_grad() before backward: gradients add up from step to step")
                if step == 2
                else ""
            )
            raise Wrong(
                _("After step {step} the weights differ from fcnn.fit's.").format(step=step), hint
            )
        if abs(number(said) - losses[step - 1]) > 1e-9 * max(1.0, abs(losses[step - 1])):
            raise Wrong(
                then(
                    _(
                        "The weights are right, but the loss returned at step {step} "
                        "is not the batch's loss."
                    ).format(step=step),
                    miss(number(said), losses[step - 1]),
                )
            )
    return _("Your training step is fcnn.fit's: forward, loss, zero_grad, backward, step.")


def _weights_after(steps: int, X, y) -> np.ndarray:
    model = _network()
    fit(
        model,
        X,
        y,
        loss=CrossEntropyLoss(),
        optimizer=SGD(model.parameters(), lr=0.5),
        epochs=steps,
        batch_size=len(X),
        shuffle=False,
        metrics=[],
        verbose=0,
    )
    return _weights(model)


@exercise("ch8.count_parameters")
def count_parameters(answer: Any) -> str:
    """``f(sizes)`` must return how many numbers ``fcnn.mlp(sizes)`` learns."""
    fn = function(answer)
    for case, sizes in enumerate([[10, 64, 32, 1], [64, 32, 10], [784, 800, 10]], start=1):
        want = sum(p.data.size for p in mlp(sizes).parameters())
        try:
            got = number(_answered(fn(list(sizes))))
        except Wrong:
            raise
        except Exception as error:  # a learner's function may raise anything: say what
            raise Wrong(
                _("On hidden case {case} your function raised {error}.").format(
                    case=case, error=f"{type(error).__name__}: {error}"
                )
            ) from None
        if got != want:
            weights = sum(a * b for a, b in itertools.pairwise(sizes))
            hint = ""
            if got == weights:
                hint = _("every unit of a layer after the input has a bias too")
            elif got == weights + sum(sizes):
                hint = _("the input layer has no biases: only the layers that compute do")
            raise Wrong(
                _("For sizes {sizes} your count is {got}; it is not fcnn.mlp's.").format(
                    sizes=sizes, got=int(got)
                ),
                hint,
            )
    return _("Your count is right: one weight per connection plus one bias per unit.")
