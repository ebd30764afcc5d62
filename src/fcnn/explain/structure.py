"""The network the trace follows: ``Linear`` layers, each followed by at most one
element-wise activation, and the names the notes give its units and parameters.

Names: inputs ``i1, i2, …``; hidden units ``h1, h2, …`` (``h1.1, h1.2, …, h2.1, …``
with several hidden layers); outputs ``o1, o2, …``; weights ``w1, w2, …`` numbered layer
by layer in the order of ``Linear.weight`` (row = receiving unit, column = sending unit);
biases ``b1, b2, …`` per unit, or one per layer when shared.
"""

from __future__ import annotations

import numpy as np

from ..core import Module
from ..layers import Linear, Sequential
from .rules import ACTIVATIONS, REFUSED, lookup

MAX_PARAMETERS = 100
"""The largest model ``explain`` traces by default: beyond it the trace stops being readable."""

Stage = tuple[Linear, Module | None]
"""A Linear layer and the activation after it (None for none)."""


def _flatten(model: Module) -> list[Module]:
    if isinstance(model, Sequential):
        return [leaf for child in model for leaf in _flatten(child)]
    return [model]


def stages(model: Module, max_parameters: int) -> list[Stage]:
    """The model as (Linear, element-wise activation or None) pairs, or a clear refusal."""
    if not isinstance(model, Module):
        raise TypeError(f"explain: model must be an fcnn Sequential, got {type(model).__name__}")
    result: list[Stage] = []
    for i, layer in enumerate(_flatten(model)):
        where = f"layer {i} ({type(layer).__name__})"
        if isinstance(layer, Linear):
            result.append((layer, None))
        elif (refusal := lookup(REFUSED, layer)) is not None:
            raise ValueError(f"explain cannot trace {where}: it {refusal}")
        elif lookup(ACTIVATIONS, layer) is not None:
            if not result:
                raise ValueError(
                    f"explain cannot trace {where}: the model must start with a Linear layer"
                )
            if result[-1][1] is not None:
                raise ValueError(
                    f"explain cannot trace {where}: it follows another activation "
                    f"({type(result[-1][1]).__name__}); each Linear layer may be followed by "
                    f"one element-wise activation"
                )
            result[-1] = (result[-1][0], layer)
        else:
            traced = ", ".join(cls.__name__ for cls in ACTIVATIONS)
            raise ValueError(
                f"explain cannot trace {where}: it traces Linear layers and the element-wise "
                f"activations {traced}"
            )
    if not result:
        raise ValueError("explain: the model has no Linear layer to trace")
    n = model.num_parameters()
    if n > max_parameters:
        raise ValueError(
            f"explain: the model has {n} parameters; a trace stays readable up to "
            f"{max_parameters} (max_parameters={max_parameters}); try a smaller network"
        )
    return result


def sizes(stages: list[Stage]) -> list[int]:
    """Units per layer, the inputs first; refuses Linear layers that do not fit together."""
    result = [stages[0][0].in_features] + [lin.out_features for lin, _ in stages]
    for i, (lin, _) in enumerate(stages[1:], start=1):
        if lin.in_features != result[i]:
            raise ValueError(
                f"explain: Linear layer {i + 1} takes {lin.in_features} inputs but layer {i} "
                f"gives {result[i]}"
            )
    return result


def unit_names(sizes: list[int]) -> list[list[str]]:
    """Names per layer: inputs i1…, hidden h1… (h1.1… with several hidden layers), outputs o1…"""
    hidden = len(sizes) - 2
    names = [[f"i{j + 1}" for j in range(sizes[0])]]
    for layer in range(1, len(sizes) - 1):
        prefix = "h" if hidden == 1 else f"h{layer}."
        names.append([f"{prefix}{j + 1}" for j in range(sizes[layer])])
    names.append([f"o{j + 1}" for j in range(sizes[-1])])
    return names


def parameter_names(
    stages: list[Stage], shared_biases: bool
) -> tuple[list[np.ndarray], list[list[str] | None]]:
    """w1, w2, … row by row, layer by layer; b1, b2, … per unit, or per layer when shared."""
    weight_names: list[np.ndarray] = []
    bias_names: list[list[str] | None] = []
    w_count = b_count = 0
    for layer, (lin, _) in enumerate(stages, start=1):
        size = lin.weight.data.size
        grid = np.array([f"w{w_count + i + 1}" for i in range(size)], dtype=object)
        weight_names.append(grid.reshape(lin.weight.shape))
        w_count += size
        if lin.bias is None:
            bias_names.append(None)
        elif shared_biases:
            entries = lin.bias.data
            if np.any(entries != entries[0]):
                raise ValueError(
                    f"explain: shared_biases=True needs the bias entries of each layer to be "
                    f"equal; Linear layer {layer} has {entries.tolist()}"
                )
            b_count += 1
            bias_names.append([f"b{b_count}"] * lin.out_features)
        else:
            bias_names.append([f"b{b_count + j + 1}" for j in range(lin.out_features)])
            b_count += lin.out_features
    return weight_names, bias_names
