"""The trace held against the library: every number the trace computes by its formula is
compared with what fcnn computes (the activations' and the loss's backward passes,
``model.backward``, ``fcnn.optim.SGD``), and a disagreement raises ``RuntimeError``.
A trace that prints is one whose formulas and engine agree."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..core import Module
from ..optim import SGD
from .records import ParamTrace
from .structure import Stage

RELATIVE_TOLERANCE = 1e-9  # float64 products against float64 backward: ~1e-16 expected


def same(what: str, explicit: np.ndarray, library: np.ndarray) -> None:
    """Raise unless a value computed by its formula equals fcnn's, to the tolerance."""
    explicit = np.asarray(explicit, dtype=np.float64)
    library = np.asarray(library, dtype=np.float64).reshape(explicit.shape)
    tolerance = RELATIVE_TOLERANCE * max(1.0, float(np.max(np.abs(library), initial=0.0)))
    if not np.all(np.abs(explicit - library) <= tolerance):
        raise RuntimeError(
            f"explain: {what} computed by the formula ({explicit.tolist()}) differs from "
            f"fcnn's ({library.tolist()})"
        )


def compare_with_backward(params: dict[str, ParamTrace]) -> float:
    """Raise unless every chain-rule product equals model.backward's gradient; return the
    largest difference relative to the gradients' scale (as ``fcnn.gradcheck`` measures)."""
    explicit = np.array([p.chain_rule for p in params.values()])
    library = np.array([p.gradient for p in params.values()])
    scale = float(np.max(np.abs(explicit)) + np.max(np.abs(library)))
    for p in params.values():
        allowed = RELATIVE_TOLERANCE * max(abs(p.chain_rule), abs(p.gradient)) + 1e-12 * scale
        if not abs(p.chain_rule - p.gradient) <= allowed:
            raise RuntimeError(
                f"explain: the chain-rule product for {p.name} ({p.chain_rule!r}) differs from "
                f"model.backward's gradient ({p.gradient!r}); a layer's backward pass disagrees "
                f"with its forward pass"
            )
    return float(np.max(np.abs(explicit - library)) / max(scale, 1e-300))


def step(
    net: Module,
    stages: list[Stage],
    params: dict[str, ParamTrace],
    lr: float,
    update_biases: bool,
    shared_biases: bool,
) -> dict[str, ParamTrace]:
    """Fill in the values after one SGD step, taken by ``fcnn.optim.SGD`` where it can be.

    A shared bias is one parameter spread over several entries, which SGD would move
    apart; its step ``b − η·Σⱼ δⱼ`` is taken here.
    """
    stepped = [lin.weight for lin, _ in stages]
    if update_biases and not shared_biases:
        stepped += [lin.bias for lin, _ in stages if lin.bias is not None]
    SGD(stepped, lr=lr).step()
    tensors = dict(net.named_parameters())
    result = {}
    for name, p in params.items():
        if not p.is_updated:
            updated = p.value
        elif p.kind == "bias" and shared_biases:
            updated = p.value - lr * p.gradient
        else:
            updated = float(tensors[p.tensor].data[p.entries[0]])
            manual = p.value - lr * p.gradient
            if abs(updated - manual) > 1e-12 * max(1.0, abs(manual)):
                raise RuntimeError(
                    f"explain: SGD moved {name} to {updated!r}, but {name} − η·∂E/∂{name} is "
                    f"{manual!r}"
                )
        result[name] = dataclasses.replace(p, updated=float(updated))
    return result
