"""The course notes' worked 2-2-2 backprop example, as a model, a sample and options."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..activations import Sigmoid
from ..layers import Linear, Sequential


class ClassicExample(NamedTuple):
    """The notes' worked example: ``explain(model, x, target, **options)`` traces it."""

    model: Sequential
    x: np.ndarray
    target: np.ndarray
    options: dict[str, Any]


def classic_example() -> ClassicExample:
    """The 2-2-2 sigmoid network of the course notes' worked backprop example.

    ``net_h1 = w1·i1 + w2·i2 + b1``, ``net_h2 = w3·i1 + w4·i2 + b1``,
    ``net_o1 = w5·out_h1 + w6·out_h2 + b2``, ``net_o2 = w7·out_h1 + w8·out_h2 + b2``, with
    w1…w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55, b1 = 0.35, b2 = 0.60;
    inputs 0.05, 0.10; targets 0.01, 0.99; E = ½Σ(target − out)²; η = 0.5.

    In the example each layer has one bias shared by its units, which the step leaves
    alone. Here each is a ``Linear`` bias with both entries equal, and ``options`` asks
    ``explain`` for ``shared_biases=True`` (one parameter per layer) and
    ``update_biases=False``.

    Returns
    -------
    ClassicExample
        ``(model, x, target, options)``; the model is float64.
    """
    model = Sequential(
        Linear(2, 2, dtype=np.float64, seed=0),
        Sigmoid(dtype=np.float64),
        Linear(2, 2, dtype=np.float64, seed=0),
        Sigmoid(dtype=np.float64),
    )
    model.load_state_dict(
        {
            "0.weight": np.array([[0.15, 0.20], [0.25, 0.30]]),
            "0.bias": np.array([0.35, 0.35]),
            "2.weight": np.array([[0.40, 0.45], [0.50, 0.55]]),
            "2.bias": np.array([0.60, 0.60]),
        }
    )
    options = {"loss": "mse_half", "lr": 0.5, "update_biases": False, "shared_biases": True}
    return ClassicExample(model, np.array([0.05, 0.10]), np.array([0.01, 0.99]), options)
