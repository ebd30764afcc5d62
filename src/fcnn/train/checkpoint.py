"""Run-directory checkpoints: everything a run needs to continue bit-identically.

One ``checkpoint.safetensors`` file holds the model's weights and buffers, the
optimiser's state, every callback's state, the generators' states (batch order and
dropout masks), the history and the number of finished epochs. Being one file, it is
replaced in one atomic rename: a process killed mid-write leaves the previous
checkpoint intact. Arrays are stored as tensors; everything else as JSON in the
metadata. Nothing is pickled or executed.

Reading one back trusts nothing: :func:`load_checkpoint` checks the JSON part field by
field against the layout :func:`save_checkpoint` writes (``CHECKPOINT_LAYOUT``), every
tensor it names and no other, and reads each tensor once, straight from the file;
:func:`restore` turns whatever does not fit the run into a ``ModelFileError`` naming
the file, so a damaged checkpoint never surfaces as a ``KeyError`` mid-training.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save as st_save

from ..core import Module
from ..files import COUNT, ModelFileError, atomic_write_bytes, check_json
from ..i18n import N_, Message
from ..tensorfile import TensorFile
from .history import History
from .inputs import _said

__all__ = ["CHECKPOINT_NAME", "generator_states", "load_checkpoint", "save_checkpoint"]

CHECKPOINT_NAME = "checkpoint.safetensors"
_FORMAT = "fcnn-checkpoint"

_TENSOR = {"__tensor__": str}
_GENERATOR = {str: object}  # numpy checks a bit generator's state when it is set
CHECKPOINT_LAYOUT = {
    "spec": {str: object},
    "model": {str: _TENSOR},
    "optimizer": {"state": {str: {str: (_TENSOR, float, None)}}, "param_groups": [{str: object}]},
    "callbacks": [({str: object}, None)],
    "generators": {"shuffle": _GENERATOR, "model": {str: _GENERATOR}},
    "history": dict,  # checked by History.from_dict
    "epoch": COUNT,
    # What fit compares with the resumed run's (a key fit adds is added here too).
    "config": {
        "batch_size": COUNT,
        "shuffle": bool,
        "n_train": (COUNT, None),  # None: a streamed source of unknown length
        "n_validation": (COUNT, None),
        "metrics": [str],
        "data_fingerprint?": {str: object},  # a streamed source's (fcnn.train.streaming)
    },
}
"""The JSON part of a checkpoint, as :func:`fcnn.files.check_json` reads it."""
_ADVICE = Message(
    "train", N_("the checkpoint is damaged; delete it to train the run again from epoch 0")
)


class Checkpoint(dict):
    """A loaded checkpoint: the dict :func:`save_checkpoint` wrote, and the file it came
    from (``path``), for the errors of :func:`restore`."""

    path: Path


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


def _join(obj: Any, tensors: dict[str, np.ndarray], used: set[str]) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"__tensor__"} and isinstance(obj["__tensor__"], str):
            used.add(obj["__tensor__"])
            return tensors[obj["__tensor__"]]
        return {k: _join(v, tensors, used) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_join(v, tensors, used) for v in obj]
    return obj


def _references(obj: Any) -> list[str]:
    """The tensor names the JSON part refers to, in order."""
    if isinstance(obj, dict):
        if set(obj) == {"__tensor__"} and isinstance(obj["__tensor__"], str):
            return [obj["__tensor__"]]
        return [name for value in obj.values() for name in _references(value)]
    if isinstance(obj, list):
        return [name for value in obj for name in _references(value)]
    return []


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
            template = N_("checkpoint has a generator state for {key!r}, the model has none")
            raise ValueError(_said(template, key=key))
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


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read a checkpoint into a dict (``spec``, ``model``, ``optimizer``, ``callbacks``,
    ``generators``, ``history``, ``epoch``, ``config``) with arrays in place.

    Raises FileNotFoundError when there is no file, and ModelFileError naming the file
    and the problem for anything that is not a whole, consistent fcnn checkpoint.
    """
    with TensorFile(path) as handle:
        path = handle.path
        if handle.metadata.get("format") != _FORMAT or "state" not in handle.metadata:
            raise ModelFileError(path, _said(N_("is not an fcnn training checkpoint")))
        try:
            payload = json.loads(handle.metadata["state"])
        except (ValueError, RecursionError) as err:
            template = N_("has a damaged state (not JSON: {error})")
            raise ModelFileError(path, _said(template, error=err)) from None
        check_json(path, payload, CHECKPOINT_LAYOUT, "state", _ADVICE)
        try:
            History.from_dict(payload["history"])
        except ValueError as err:
            raise ModelFileError(
                path, _said(N_("has a damaged history: {error}"), error=err)
            ) from None
        _check_epoch(path, payload)
        names = _references(payload)
        _check_references(path, names, handle.tensors)
        tensors = {name: handle.read(name) for name in names}
    checkpoint = Checkpoint(_join(payload, tensors, set()))
    checkpoint.path = path
    return checkpoint


def _check_epoch(path: Path, payload: dict[str, Any]) -> None:
    recorded = payload["history"]["epoch"]
    if recorded and recorded[-1] > payload["epoch"]:
        template = N_(
            "has epoch = {epoch} but its history records epoch {last}: the file is damaged"
        )
        raise ModelFileError(path, _said(template, epoch=payload["epoch"], last=recorded[-1]))


def _check_references(path: Path, names: list[str], stored: dict[str, Any]) -> None:
    """Every tensor the state names is in the file, once, and the file holds no other."""
    missing = [name for name in names if name not in stored]
    if missing:
        template = N_("names a tensor {name!r} it does not hold")
        raise ModelFileError(path, _said(template, name=missing[0]))
    twice = [name for name in set(names) if names.count(name) > 1]
    if twice:
        raise ModelFileError(path, _said(N_("names the tensor {name!r} twice"), name=twice[0]))
    extra = [name for name in stored if name not in set(names)]
    if extra:
        template = N_("holds a tensor {name!r} its state does not name")
        raise ModelFileError(path, _said(template, name=extra[0]))


def restore(
    checkpoint: dict[str, Any],
    *,
    model: Module,
    optimizer: Any,
    shuffle_rng: Any,
    callbacks: list[Any],
) -> None:
    """Put a loaded checkpoint's state back into freshly built training objects.

    Anything that does not fit (another architecture, other callbacks, a damaged
    optimiser or generator state) raises ModelFileError naming the checkpoint.
    """
    path = getattr(checkpoint, "path", Path(CHECKPOINT_NAME))
    if checkpoint["spec"] != model.spec():
        template = N_("was made by a different architecture: {saved} vs {model}")
        saved, now = json.dumps(checkpoint["spec"])[:200], json.dumps(model.spec())[:200]
        raise ModelFileError(path, _said(template, saved=saved, model=now))
    _check_arrays(path, checkpoint, model)
    stateful = [cb for cb in callbacks if hasattr(cb, "load_state_dict")]
    saved_callbacks = [s for s in checkpoint["callbacks"] if s is not None]
    if len(saved_callbacks) != len(stateful):
        raise ModelFileError(path, _said(N_("was made with a different set of callbacks")))
    try:
        for cb, saved in zip(stateful, saved_callbacks, strict=True):
            _check_like(saved, cb.state_dict(), type(cb).__name__)
        model.load_state_dict(checkpoint["model"])
        optimizer_state = dict(checkpoint["optimizer"])
        # JSON turned the optimiser's integer parameter indices into strings.
        optimizer_state["state"] = {int(k): v for k, v in optimizer_state["state"].items()}
        optimizer.load_state_dict(optimizer_state)
        for cb, saved in zip(stateful, saved_callbacks, strict=True):
            cb.load_state_dict(saved)
        shuffle_rng.bit_generator.state = checkpoint["generators"]["shuffle"]
        _restore_generators(model, checkpoint["generators"]["model"])
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        template = N_("does not fit this run ({message}): {advice}")
        raise ModelFileError(path, _said(template, message=message, advice=_ADVICE)) from None


def _check_arrays(path: Path, checkpoint: dict[str, Any], model: Module) -> None:
    """The model's tensors of its own kinds (a float weight is no integer), finite; the
    optimiser's arrays finite floats; the weights a callback keeps of the model's shapes."""
    model_arrays = model.state_dict()
    kinds = {key: value.dtype.kind for key, value in model_arrays.items()}
    for key, value in checkpoint["model"].items():
        if key in kinds and value.dtype.kind != kinds[key]:
            template = N_("has model/{key} of dtype {dtype}: {advice}")
            raise ModelFileError(path, _said(template, key=key, dtype=value.dtype, advice=_ADVICE))
        if value.dtype.kind == "f" and value.size and not np.isfinite(value).all():
            template = N_("has NaN or infinite values in model/{key}: {advice}")
            raise ModelFileError(path, _said(template, key=key, advice=_ADVICE))
    for i, state in enumerate(checkpoint["callbacks"]):
        for name, kept in (state or {}).items():
            _check_kept_weights(path, f"callbacks/{i}/{name}", kept, model_arrays)
    for index, entry in checkpoint["optimizer"]["state"].items():
        for name, value in entry.items():
            if isinstance(value, np.ndarray) and not (
                value.dtype.kind == "f" and np.isfinite(value).all()
            ):
                template = N_(
                    "has optimizer/state/{index}/{name} of dtype {dtype} or with "
                    "NaN or infinite values: {advice}"
                )
                fields = {"index": index, "name": name, "dtype": value.dtype}
                raise ModelFileError(path, _said(template, advice=_ADVICE, **fields))


def _check_kept_weights(path: Path, where: str, kept: Any, model: dict[str, Any]) -> None:
    """Weights a callback keeps (EarlyStopping's best): the model's keys, shapes, kinds."""
    if not isinstance(kept, dict) or not kept or not set(kept) <= set(model):
        return
    for key, value in kept.items():
        want = model[key]
        if not (
            isinstance(value, np.ndarray)
            and value.shape == want.shape
            and value.dtype.kind == want.dtype.kind
        ):
            got = f"{value.dtype} {value.shape}" if isinstance(value, np.ndarray) else value
            template = N_(
                "has {where}/{key} = {got!s:.60}, the model's is {dtype} {shape}: {advice}"
            )
            fields = {"where": where, "key": key, "got": got, "dtype": want.dtype}
            raise ModelFileError(path, _said(template, shape=want.shape, advice=_ADVICE, **fields))


def _check_like(saved: Any, fresh: Any, where: str) -> None:
    """ValueError unless ``saved`` has the keys and kinds of ``fresh`` (a freshly built
    callback's state), so that a wrong value fails here and not epochs later. Where the
    fresh value is None (nothing recorded yet), a number or an object of arrays fits."""
    if fresh is None:  # a number, or weights (EarlyStopping's best): arrays
        ok = saved is None or _is_number(saved) or isinstance(saved, dict)
        ok = ok and all(
            isinstance(v, np.ndarray) and v.dtype.kind in "fiub"
            for v in (saved.values() if isinstance(saved, dict) else ())
        )
    elif isinstance(fresh, dict):
        if not isinstance(saved, dict) or set(saved) != set(fresh):
            template = N_("{where}: expected the fields {fields}, got {saved!r:.80}")
            raise ValueError(_said(template, where=where, fields=sorted(fresh), saved=saved))
        for key, value in fresh.items():
            _check_like(saved[key], value, f"{where}.{key}")
        return
    elif isinstance(fresh, (list, tuple)):
        if not isinstance(saved, list):
            template = N_("{where} is {saved!r:.80}, expected a list like {fresh!r:.80}")
            raise ValueError(_said(template, where=where, saved=saved, fresh=fresh))
        # A list as long as the fresh one is compared item by item (a composed scheduler's
        # states differ from one another); a list that grows, with its first item.
        same_length = len(saved) == len(fresh)
        for i, value in enumerate(saved if fresh else []):
            _check_like(value, fresh[i] if same_length else fresh[0], f"{where}[{i}]")
        return
    elif isinstance(fresh, np.ndarray):
        ok = isinstance(saved, np.ndarray) and saved.shape == fresh.shape
    elif isinstance(fresh, bool):
        ok = isinstance(saved, bool)
    elif _is_number(fresh):
        ok = _is_number(saved)
    else:
        ok = type(saved) is type(fresh)
    if not ok:
        template = N_("{where} is {saved!r:.80}, expected a value like {fresh!r:.80}")
        raise ValueError(_said(template, where=where, saved=saved, fresh=fresh))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))
