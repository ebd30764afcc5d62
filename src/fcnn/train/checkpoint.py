"""Run-directory checkpoints: everything a run needs to continue bit-identically.

One ``checkpoint.safetensors`` file holds the model's weights and buffers, the
optimiser's state, every callback's state, the generators' states (batch order and
dropout masks), the history and the number of finished epochs. Being one file, it is
replaced in one atomic rename: a process killed mid-write leaves the previous
checkpoint intact. Arrays are stored as tensors; everything else as JSON in the
metadata. Nothing is pickled or executed.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load as st_load
from safetensors.numpy import save as st_save

from ..core import Module
from ..files import ModelFileError, atomic_write_bytes

__all__ = ["CHECKPOINT_NAME", "generator_states", "load_checkpoint", "save_checkpoint"]

CHECKPOINT_NAME = "checkpoint.safetensors"
_FORMAT = "fcnn-checkpoint"


def _split(obj: Any, prefix: str, tensors: dict[str, np.ndarray]) -> Any:
    """Replace every ndarray inside nested dicts/lists with a reference into ``tensors``."""
    if isinstance(obj, np.ndarray):
        # (np.ascontiguousarray would turn a 0-d counter into shape (1,).)
        tensors[prefix] = obj if obj.flags.c_contiguous else obj.copy()
        return {"__tensor__": prefix}
    if isinstance(obj, dict):
        return {str(k): _split(v, f"{prefix}/{k}", tensors) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_split(v, f"{prefix}/{i}", tensors) for i, v in enumerate(obj)]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _join(obj: Any, tensors: dict[str, np.ndarray]) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"__tensor__"}:
            return tensors[obj["__tensor__"]]
        return {k: _join(v, tensors) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_join(v, tensors) for v in obj]
    return obj


def generator_states(model: Module) -> dict[str, Any]:
    """The bit-generator state of every generator the model's modules hold, by module path."""
    states = {}
    for name, module in model.named_modules():
        for attr, value in vars(module).items():
            if isinstance(value, np.random.Generator):
                states[f"{name}:{attr}"] = copy.deepcopy(value.bit_generator.state)
    return states


def _restore_generators(model: Module, states: dict[str, Any]) -> None:
    modules = dict(model.named_modules())
    for key, state in states.items():
        name, attr = key.rsplit(":", 1)
        generator = getattr(modules.get(name), attr, None)
        if not isinstance(generator, np.random.Generator):
            # Like a changed architecture (see restore): this checkpoint is not this model's.
            raise ValueError(f"checkpoint has a generator state for {key!r}, the model has none")
        generator.bit_generator.state = state


def save_checkpoint(
    path: str | Path,
    *,
    model: Module,
    optimizer: Any,
    shuffle_rng: Any,
    callbacks: list[Any],
    history: Any,
    epoch: int,
    config: dict[str, Any],
) -> Path:
    """Write the whole training state to ``path`` atomically."""
    tensors: dict[str, np.ndarray] = {}
    payload = {
        "spec": model.spec(),
        "model": _split(model.state_dict(), "model", tensors),
        "optimizer": _split(optimizer.state_dict(), "optimizer", tensors),
        "callbacks": [
            _split(cb.state_dict(), f"callbacks/{i}", tensors)
            if hasattr(cb, "state_dict")
            else None
            for i, cb in enumerate(callbacks)
        ],
        "generators": {
            "shuffle": shuffle_rng.bit_generator.state,
            "model": generator_states(model),
        },
        "history": history.to_dict(),
        "epoch": epoch,
        "config": config,
    }
    metadata = {"format": _FORMAT, "state": json.dumps(payload)}
    return atomic_write_bytes(path, st_save(tensors, metadata=metadata))


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint into a dict (``spec``, ``model``, ``optimizer``, ``callbacks``,
    ``generators``, ``history``, ``epoch``, ``config``) with arrays in place."""
    path = Path(path)
    data = path.read_bytes()
    try:
        tensors = st_load(data)
        from safetensors import safe_open

        with safe_open(str(path), framework="np") as handle:
            metadata = handle.metadata() or {}
        if metadata.get("format") != _FORMAT:
            raise ModelFileError(path, "is not an fcnn training checkpoint")
        payload = json.loads(metadata["state"])
    except ModelFileError:
        raise
    except Exception as err:  # safetensors / JSON errors of a damaged file
        raise ModelFileError(path, f"is not a readable fcnn checkpoint: {err}") from None
    return _join(payload, tensors)


def restore(
    checkpoint: dict[str, Any],
    *,
    model: Module,
    optimizer: Any,
    shuffle_rng: Any,
    callbacks: list[Any],
) -> None:
    """Put a loaded checkpoint's state back into freshly built training objects."""
    if checkpoint["spec"] != model.spec():
        raise ValueError(
            "the checkpoint was made by a different architecture: "
            f"{json.dumps(checkpoint['spec'])[:200]} vs {json.dumps(model.spec())[:200]}"
        )
    model.load_state_dict(checkpoint["model"])
    optimizer_state = dict(checkpoint["optimizer"])
    # JSON turned the optimiser's integer parameter indices into strings.
    optimizer_state["state"] = {int(k): v for k, v in optimizer_state["state"].items()}
    optimizer.load_state_dict(optimizer_state)
    saved_callbacks = checkpoint["callbacks"]
    stateful = [cb for cb in callbacks if hasattr(cb, "load_state_dict")]
    if sum(s is not None for s in saved_callbacks) != len(stateful):
        raise ValueError("the checkpoint was made with a different set of callbacks")
    states = iter(s for s in saved_callbacks if s is not None)
    for cb in stateful:
        cb.load_state_dict(next(states))
    shuffle_rng.bit_generator.state = checkpoint["generators"]["shuffle"]
    _restore_generators(model, checkpoint["generators"]["model"])
