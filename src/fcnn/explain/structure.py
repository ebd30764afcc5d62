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
from ..i18n import N_, Message
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
        template = N_("explain: model must be an fcnn Sequential, got {type}")
        raise TypeError(Message("explain", template, type=type(model).__name__))
    result: list[Stage] = []
    for i, layer in enumerate(_flatten(model)):
        where = Message("explain", N_("layer {i} ({name})"), i=i, name=type(layer).__name__)
        if isinstance(layer, Linear):
            result.append((layer, None))
        elif (refusal := lookup(REFUSED, layer)) is not None:
            template = N_("explain cannot trace {where}: it {refusal}")
            said = {"where": where, "refusal": Message("explain", refusal)}
            raise ValueError(Message("explain", template, **said))
        elif lookup(ACTIVATIONS, layer) is not None:
            if not result:
                template = N_(
                    "explain cannot trace {where}: the model must start with a Linear layer"
                )
                raise ValueError(Message("explain", template, where=where))
            if result[-1][1] is not None:
                template = N_(
                    "explain cannot trace {where}: it follows another activation "
                    "({previous}); each Linear layer may be followed by "
                    "one element-wise activation"
                )
                said = {"where": where, "previous": type(result[-1][1]).__name__}
                raise ValueError(Message("explain", template, **said))
            result[-1] = (result[-1][0], layer)
        else:
            traced = ", ".join(cls.__name__ for cls in ACTIVATIONS)
            template = N_(
                "explain cannot trace {where}: it traces Linear layers and the element-wise "
                "activations {traced}"
            )
            raise ValueError(Message("explain", template, where=where, traced=traced))
    if not result:
        raise ValueError(Message("explain", N_("explain: the model has no Linear layer to trace")))
    n = model.num_parameters()
    if n > max_parameters:
        template = N_(
            "explain: the model has {n} parameters; a trace stays readable up to "
            "{limit} (max_parameters={limit}); try a smaller network"
        )
        raise ValueError(Message("explain", template, n=n, limit=max_parameters))
    return result


def sizes(stages: list[Stage]) -> list[int]:
    """Units per layer, the inputs first; refuses Linear layers that do not fit together."""
    result = [stages[0][0].in_features] + [lin.out_features for lin, _ in stages]
    for i, (lin, _) in enumerate(stages[1:], start=1):
        if lin.in_features != result[i]:
            template = N_(
                "explain: Linear layer {layer} takes {inputs} inputs but layer {i} gives {gives}"
            )
            said = {"layer": i + 1, "inputs": lin.in_features, "i": i, "gives": result[i]}
            raise ValueError(Message("explain", template, **said))
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
                template = N_(
                    "explain: shared_biases=True needs the bias entries of each layer to be "
                    "equal; Linear layer {layer} has {entries}"
                )
                said = {"layer": layer, "entries": entries.tolist()}
                raise ValueError(Message("explain", template, **said))
            b_count += 1
            bias_names.append([f"b{b_count}"] * lin.out_features)
        else:
            bias_names.append([f"b{b_count + j + 1}" for j in range(lin.out_features)])
            b_count += lin.out_features
    return weight_names, bias_names
