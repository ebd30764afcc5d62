"""Shared machinery of the registry tests: one case per module / activation / loss.

Each ``cases_*.py`` file lists cases; ``test_registry.py`` runs every case through
the float64 gradient check and the PyTorch parity check, and fails if a registered
class has no case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import fcnn

TORCH_DTYPES = {np.float32: torch.float32, np.float64: torch.float64}


@dataclass
class ModuleCase:
    """A small instance of an fcnn Module and its PyTorch twin.

    make(dtype)            -> fcnn.Module
    torch_make(fcnn_mod)   -> torch.nn.Module computing the same function; built before the
                              fcnn forward; weights are copied in by state_dict name.
    make_input(rng)        -> float64 ndarray (N, features)
    """

    id: str
    cls: str
    make: Callable[[Any], fcnn.Module]
    torch_make: Callable[[fcnn.Module], torch.nn.Module]
    make_input: Callable[[np.random.Generator], np.ndarray]
    training: bool = True
    copy_state: bool = True


@dataclass
class LossCase:
    """A small instance of an fcnn loss and its PyTorch twin.

    make(dtype) -> fcnn loss; torch_make(dtype) -> torch loss;
    make_pred(rng), make_target(rng) -> ndarrays (targets may be integer class indices).
    """

    id: str
    cls: str
    make: Callable[[Any], Any]
    torch_make: Callable[[Any], torch.nn.Module]
    make_pred: Callable[[np.random.Generator], np.ndarray]
    make_target: Callable[[np.random.Generator], np.ndarray]
    extra: dict = field(default_factory=dict)


def normal(*shape: int, scale: float = 1.0) -> Callable[[np.random.Generator], np.ndarray]:
    return lambda rng: rng.standard_normal(shape) * scale


def to_torch(array: np.ndarray, dtype=None) -> torch.Tensor:
    array = np.asarray(array)
    tensor = torch.from_numpy(np.ascontiguousarray(array))
    if dtype is not None and tensor.is_floating_point():
        tensor = tensor.to(TORCH_DTYPES[np.dtype(dtype).type])
    return tensor


def copy_weights(module: fcnn.Module, twin: torch.nn.Module) -> None:
    """Load the fcnn module's state_dict into its torch twin (names match PyTorch's)."""
    state = {k: torch.from_numpy(np.array(v)) for k, v in module.state_dict().items()}
    twin.load_state_dict(state, strict=True)
