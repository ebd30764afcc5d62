"""``optimizers``: the course's "Optimization methods" notebook — mini-batch GD, momentum, Adam.

Moons (300 points, noise 0.2), a [2, 5, 2, 1] ReLU/ReLU/sigmoid network with He-scaled
weights, learning rate 0.0007, mini-batches of 64, 10 000 epochs: plain mini-batch
gradient descent and momentum (β = 0.9) both end at 79.7 % training accuracy, Adam at
94 %.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..core import Module
from ..data import moons
from ..losses import BCEWithLogitsLoss
from ..optim import SGD, Adam, Optimizer
from ._course import course_accuracy, course_network, percent
from .result import Progress, Result, announce, draw_figure

__all__ = ["PUBLISHED", "run"]

#: Training accuracy (%) the notebook prints for each optimiser.
PUBLISHED = {"gd": 79.7, "momentum": 79.7, "adam": 94.0}
TOLERANCE = 2.0  # percentage points
LR, BATCH = 0.0007, 64

_SHORT = {"gd": "mini-batch GD", "momentum": "momentum", "adam": "Adam"}
_LABELS = {
    "gd": "mini-batch gradient descent",
    "momentum": "momentum, β = 0.9",
    "adam": "Adam, β₁ = 0.9, β₂ = 0.999, ε = 1e-8",
}


def _optimizer(kind: str, model: Module) -> Optimizer:
    params = list(model.parameters())
    if kind == "gd":
        return SGD(params, lr=LR)
    if kind == "momentum":
        # The course: v ← βv + (1-β)g from v = 0, θ ← θ - lr·v. PyTorch's SGD with
        # dampening = β gives b ← βb + (1-β)g, but starts from b₁ = g; a zero buffer put
        # in its state beforehand makes the first step the course's too.
        optimizer = SGD(params, lr=LR, momentum=0.9, dampening=0.9)
        for p in params:
            optimizer.state[p]["momentum_buffer"] = np.zeros_like(p.data)
        return optimizer
    return Adam(params, lr=LR, betas=(0.9, 0.999), eps=1e-8)


def _train(model: Module, optimizer: Optimizer, X: np.ndarray, y: np.ndarray, epochs: int) -> None:
    """The notebook's loop: each epoch ``np.random.seed(10 + epoch)`` shuffles the points
    (epochs counted from 1), then mini-batches of 64 in order, the last one 44 points."""
    loss = BCEWithLogitsLoss()
    targets = y.reshape(-1, 1).astype(model.dtype)
    m = len(X)
    model.train()
    for epoch in range(1, epochs + 1):
        order = np.random.RandomState(10 + epoch).permutation(m)
        X_epoch, Y_epoch = X[order], targets[order]
        for begin in range(0, m, BATCH):
            output = model.forward(X_epoch[begin : begin + BATCH])
            loss.forward(output, Y_epoch[begin : begin + BATCH])
            optimizer.zero_grad()
            model.backward_to_parameters(loss.backward())
            optimizer.step()


def run(
    *, data_dir: str | None = None, quick: bool = False, verbose: int = 0, progress: Progress = None
) -> Result:
    """Reproduce the optimization notebook's three runs (training accuracy).

    ``quick`` trains 1 000 epochs instead of 10 000 (not the published setting);
    ``data_dir`` is ignored (the moons are generated).
    """
    start = time.perf_counter()
    X, y = moons(300, noise=0.2, seed=3)  # the notebook's np.random.seed(3); make_moons(...)
    epochs = 1_000 if quick else 10_000
    rows, timings, panels = [], {}, []
    for kind, label in _LABELS.items():
        announce(progress, verbose, f"optimizers: {label}, {epochs} epochs")
        began = time.perf_counter()
        model = course_network([2, 5, 2, 1], "relu", lambda fan_in: math.sqrt(2.0 / fan_in), 3)
        _train(model, _optimizer(kind, model), X, y, epochs)
        timings[kind] = time.perf_counter() - began
        ours = course_accuracy(model, X, y)
        panels.append((_SHORT[kind], model, ours))
        rows.append(
            {
                "setting": label,
                "ours": percent(ours),
                "published": percent(PUBLISHED[kind], 1),
                "target": f"within {TOLERANCE:g} pp",
                "met": abs(ours - PUBLISHED[kind]) <= TOLERANCE,
                "value": ours,
                "reference": PUBLISHED[kind],
            }
        )
    steps = epochs * math.ceil(len(X) / BATCH)
    per_step = ", ".join(f"{kind} {timings[kind] / steps * 1e6:.0f} µs" for kind in _LABELS)
    notes = [
        "Data: `fcnn.data.moons(300, noise=0.2, seed=3)`, identical to the notebook's "
        "`np.random.seed(3); make_moons(n_samples=300, noise=.2)`.",
        "Network: [2, 5, 2, 1], ReLU, ReLU, sigmoid output (fused into "
        "`BCEWithLogitsLoss`, gradient σ(z) − y over the batch's m points, as the "
        "notebook's dz3 = (a3 − Y)/m), float64; weights as the notebook's `opt_utils."
        "initialize_parameters`: `np.random.seed(3)`, `randn(n_l, n_{l-1})·√(2/n_{l-1})`, "
        "zero biases (from a private `RandomState(3)`).",
        f"Training: {epochs} epochs of mini-batches of {BATCH} (5 per epoch, the last "
        "of 44 points), learning rate 0.0007. The batches are the notebook's own: epoch "
        "e is shuffled by `RandomState(10 + e).permutation(300)`, as its "
        "`random_mini_batches(X, Y, 64, seed)` with `seed = 10 + e`. `fcnn.fit` draws "
        "its own order, so this one loop is written out (forward, loss, zero_grad, "
        "backward, step).",
        "Momentum: the notebook's v ← βv + (1 − β)g, v₀ = 0, θ ← θ − lr·v. This is "
        "`fcnn.optim.SGD(momentum=0.9, dampening=0.9)` (PyTorch's rule) except for the "
        "first step, where PyTorch sets the buffer to g instead of (1 − β)g; a zero "
        "`momentum_buffer` is put in the optimiser's state before the first step, so "
        "every step is the notebook's.",
        "Adam: `fcnn.optim.Adam(lr=0.0007, betas=(0.9, 0.999), eps=1e-8)`; PyTorch's "
        "update lr/(1 − β₁ᵗ)·m / (√v/√(1 − β₂ᵗ) + ε) is algebraically the notebook's "
        "lr·m̂/(√v̂ + ε), with t counting every mini-batch.",
        f"Speed: {steps} steps per optimiser; time per step (forward, backward, update "
        f"of a 2-5-2-1 network on 64 points): {per_step}.",
        "Figure: the decision boundary of each of the three trained networks over the "
        "300 training points; each panel's title gives its training accuracy.",
    ]

    def figure():
        from ..plot import hidden_units_grid

        title = f"Optimization methods on moons: decision boundaries after {epochs} epochs"
        return hidden_units_grid(panels, X, y, ncols=3, title=title)

    return Result(
        name="optimizers",
        title="Optimization methods: mini-batch GD vs momentum vs Adam on moons (course notes)",
        rows=rows,
        seconds=time.perf_counter() - start,
        command="fcnn reproduce optimizers" + (" --quick" if quick else ""),
        notes=notes,
        quick=quick,
        figure=draw_figure(figure, notes),
    )
