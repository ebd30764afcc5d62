"""What the course notebooks' experiments share: their weights, their loop, their accuracy.

The notebooks (deeplearning.ai's "Planar data classification", "Initialization" and
"Optimization methods") draw weights from NumPy's global legacy generator after
``np.random.seed(s)``, layer by layer, as ``randn(n_out, n_in) * scale`` with zero
biases; train with gradient descent on the mean binary cross-entropy, whose output
gradient they write as ``dZ = A - Y``; and call a point positive when the sigmoid
output exceeds 0.5. Here the same draws come from a private ``RandomState(s)`` (NumPy's
global state is never touched), the sigmoid is fused into ``BCEWithLogitsLoss`` (its
gradient is exactly ``σ(z) - y``, divided by m like the course's), and the accuracy
uses the same ``> 0.5`` rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..activations import Sigmoid
from ..core import Module
from ..layers import Linear
from ..losses import BCEWithLogitsLoss
from ..models import mlp
from ..optim import SGD
from ..train import fit

__all__ = ["course_accuracy", "course_network", "full_batch_gradient_descent", "percent"]


def course_network(
    sizes: Sequence[int],
    activation: str,
    scale: Callable[[int], float] | None,
    seed: int,
) -> Module:
    """A float64 network ``sizes`` whose weights are the course's draws.

    For each layer in order, ``W = RandomState(seed).randn(n_out, n_in) * scale(n_in)``
    (one generator for all layers, as after the course's ``np.random.seed(seed)``) and
    ``b = 0``; ``scale=None`` gives all-zero weights (no draws). The output layer has no
    activation: its sigmoid lives in the loss.
    """
    model = mlp(sizes, activation=activation, init="zeros", dtype=np.float64)
    if scale is not None:
        state = np.random.RandomState(seed)  # legacy generator: the course's exact numbers
        for layer in (m for m in model.modules() if isinstance(m, Linear)):
            n_out, n_in = layer.weight.shape
            layer.weight.data[...] = state.randn(n_out, n_in) * scale(n_in)
    return model


def full_batch_gradient_descent(
    model: Module, X: np.ndarray, y: np.ndarray, lr: float, steps: int
) -> float:
    """``steps`` full-batch gradient-descent steps on the mean BCE; returns the last loss.

    ``fit`` with ``batch_size=len(X)`` and ``shuffle=False`` is exactly the course's loop:
    forward on all m points, ``dZ = (A - Y)/m`` backwards, ``θ ← θ - lr·dθ``.
    """
    history = fit(
        model,
        X,
        y,
        loss=BCEWithLogitsLoss(),
        optimizer=SGD(model.parameters(), lr=lr),
        epochs=steps,
        batch_size=len(X),
        shuffle=False,
        metrics=[],
        verbose=0,
    )
    return float(history.history["loss"][-1])


def course_accuracy(model: Module, X: np.ndarray, y: np.ndarray) -> float:
    """Percentage of points whose sigmoid output is on the right side of 0.5 (the course's
    ``predictions = A > 0.5``)."""
    probability = Sigmoid(dtype=model.dtype).forward(model.predict(X))[:, 0]
    return float(np.mean((probability > 0.5) == (np.asarray(y) == 1)) * 100)


def percent(value: float, digits: int = 2) -> str:
    """``90.75`` → ``"90.75 %"``."""
    return f"{value:.{digits}f} %"
