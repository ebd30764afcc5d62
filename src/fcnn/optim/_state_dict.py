"""Reading a state dict back: the checks behind :meth:`Optimizer.load_state_dict`.

A state dict may come from ``fcnn`` (possibly through JSON, which turns integer keys
into strings and tuples into lists) or from ``torch.optim`` (tensors with ``__array__``,
``"momentum_buffer": None`` where SGD has no buffer yet). Everything is checked and
copied before anything in the optimiser changes.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import Parameter

if TYPE_CHECKING:
    from .optimizer import Optimizer

__all__ = ["read_state"]


def read_state(
    optimizer: Optimizer, state_dict: Any
) -> tuple[list[dict[str, Any]], defaultdict[Parameter, dict[str, Any]]]:
    """The new ``param_groups`` entries and ``state`` that ``state_dict`` describes for
    ``optimizer``; ValueError if it does not fit."""
    name = type(optimizer).__name__
    where = f"{name}.load_state_dict"
    if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
        keys = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict)
        raise ValueError(
            f"{where}: expected a dict with keys 'state' and 'param_groups', got {keys}"
        )
    saved_groups = state_dict["param_groups"]
    saved_state = state_dict["state"]
    if not isinstance(saved_groups, (list, tuple)) or not isinstance(saved_state, dict):
        raise ValueError(f"{where}: 'param_groups' must be a list and 'state' a dict")
    groups = optimizer.param_groups
    if len(saved_groups) != len(groups):
        raise ValueError(
            f"{where}: the state dict has {len(saved_groups)} parameter group(s) but the "
            f"optimizer has {len(groups)}"
        )
    new_groups: list[dict[str, Any]] = []
    owner: dict[int, tuple[Parameter, dict[str, Any]]] = {}
    for i, (group, saved) in enumerate(zip(groups, saved_groups, strict=True)):
        new = _read_group(optimizer, where, i, group, saved)
        new_groups.append(new)
        for saved_id, p in zip(saved["params"], group["params"], strict=True):
            owner[int(saved_id)] = (p, new)
    new_state: defaultdict[Parameter, dict[str, Any]] = defaultdict(dict)
    for key, entry in saved_state.items():
        try:
            saved_id = int(key)  # JSON turns the integer keys into strings
        except (TypeError, ValueError):
            raise ValueError(f"{where}: state key {key!r} is not a parameter index") from None
        if saved_id not in owner:
            raise ValueError(
                f"{where}: state for parameter {saved_id}, which no parameter group lists"
            )
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: state for parameter {saved_id} must be a dict")
        # torch's SGD keeps "momentum_buffer": None where there is no buffer.
        entry = {k: v for k, v in entry.items() if v is not None}
        if not entry:
            continue
        p, group = owner[saved_id]
        expected = optimizer._state_keys(group)
        if set(entry) != expected:
            raise ValueError(
                f"{where}: state for parameter {saved_id} has entries {sorted(entry)}, but "
                f"{name} with these settings keeps {sorted(expected)}"
            )
        here = f"{where}: state for parameter {saved_id}"
        new_state[p] = {k: _read_entry(here, k, v, p.data) for k, v in entry.items()}
    return new_groups, new_state


def _read_group(
    optimizer: Optimizer, where: str, i: int, group: dict[str, Any], saved: Any
) -> dict[str, Any]:
    """Group ``i``'s hyper-parameters as saved, checked, over the optimiser's parameters."""
    if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
        raise ValueError(f"{where}: parameter group {i} must be a dict with a 'params' list")
    if len(saved["params"]) != len(group["params"]):
        raise ValueError(
            f"{where}: parameter group {i} has {len(saved['params'])} parameter(s) in "
            f"the state dict but {len(group['params'])} in the optimizer"
        )
    new = dict(group)
    for key, value in saved.items():
        if key == "params":
            continue
        if isinstance(group.get(key), tuple) and isinstance(value, list):
            value = tuple(value)  # betas after a JSON round trip
        new[key] = copy.deepcopy(value)
    optimizer._check_group(new, type(optimizer).__name__, f"parameter group {i} of {where}")
    return new


def _read_entry(where: str, key: str, value: Any, data: np.ndarray) -> Any:
    """One saved state entry: the step count as an ``int``, an array as a copy shaped and
    typed like the parameter ``data``."""
    if key == "step":
        try:
            step = float(np.asarray(value))
        except (TypeError, ValueError):
            step = -1.0
        if not (step >= 0 and step == int(step)):
            raise ValueError(f"{where}: step={value!r} must be a non-negative integer")
        return int(step)
    try:
        # asarray first: objects with a plain __array__ (torch tensors) accept it
        array = np.array(np.asarray(value), dtype=data.dtype, copy=True)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {key!r} is not an array of numbers") from None
    if array.shape != data.shape:
        raise ValueError(
            f"{where}: {key!r} has shape {array.shape} but the parameter has shape {data.shape}"
        )
    return array
