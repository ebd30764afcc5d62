"""Floor 3: model files. One ``.safetensors`` file holds a model: its weights and buffers
under PyTorch's names, and its spec (JSON) in the file's metadata.

- :func:`save` / :func:`load` write and read such a file; :func:`read_metadata` reads
  only the metadata (cheap, for the command line).
- :class:`ModelFileError`, the one error a bad file raises, and the atomic writes
  (:func:`atomic_write_bytes` / :func:`atomic_write_text`) live in :mod:`fcnn.files`
  (floor 1, so every floor can write files) and are offered here too.
- :func:`to_onnx`, :func:`to_torch`, :func:`from_torch`, :func:`load_torch_state_dict`
  live in :mod:`fcnn.interop` and are offered here too, as the original design placed them.

Nothing read from a file is ever executed or imported: no pickle; the spec names only
registered classes (``fcnn.MODULES``), and tensors are plain numbers.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import safetensors.numpy

from .core import Module, from_spec, resolve_dtype
from .files import ModelFileError, atomic_write_bytes, atomic_write_text
from .i18n import N_, Message

# The interop functions import onnx/torch only when called; fcnn.interop never imports
# this module, so importing it here makes no circle.
from .interop import from_torch, load_torch_state_dict, to_onnx, to_torch
from .tensorfile import TensorFile

__all__ = [
    "FORMAT",
    "RESERVED_METADATA_KEYS",
    "ModelFileError",
    "atomic_write_bytes",
    "atomic_write_text",
    "from_torch",
    "load",
    "load_torch_state_dict",
    "read_metadata",
    "save",
    "to_onnx",
    "to_torch",
]

FORMAT = "fcnn"
"""The value of the ``"format"`` metadata key in every fcnn model file."""

RESERVED_METADATA_KEYS = frozenset({"format", "spec", "dtype", "fcnn_version"})
"""Metadata keys fcnn writes itself; user metadata may not use them, nor any ``fcnn_`` key."""

# A file's spec may claim at most this many scalars beyond the ones it stores (see
# _check_spec_size): enough for any parameter-free layer, far below a harmful allocation.
_SPEC_SLACK = 2**24

_FLOAT_CODES = {"F32": np.dtype(np.float32), "F64": np.dtype(np.float64)}


# --------------------------------------------------------------------------- save


def _library_version() -> str:
    # Imported at call time: fcnn/__init__ may import this module before defining it.
    from . import __version__

    return __version__


def save(
    model: Module, path: str | os.PathLike[str], *, metadata: dict[str, str] | None = None
) -> Path:
    """Save ``model`` to one ``.safetensors`` file at ``path`` (written atomically).

    The file holds ``model.state_dict()`` (parameters and buffers, PyTorch's names and
    dtypes) and, as metadata, ``format="fcnn"``, ``fcnn_version``, ``dtype`` (the model's
    dtype) and ``spec`` (``json.dumps(model.spec())``), plus ``metadata``.

    Parameters
    ----------
    model : Module
        Every module in it must be registered (``@fcnn.register_module``).
    path : str or PathLike
        Used as given (no suffix is added); its folder must exist.
    metadata : dict of str to str, optional
        Extra text to keep in the file; read it back with :func:`read_metadata`.

    Returns
    -------
    Path

    Raises
    ------
    TypeError
        For a model that is not a Module or has no spec (an unregistered class), and for
        metadata that is not str to str. Nothing is written then.
    ValueError
        For user metadata that uses a reserved key (``format``, ``spec``, ``dtype``,
        ``fcnn_*``).
    """
    if not isinstance(model, Module):
        template = N_("save: expected an fcnn Module, got {type}")
        raise TypeError(Message("files", template, type=type(model).__name__))
    extra = _check_user_metadata(metadata)
    try:
        spec = model.spec()
    except TypeError as err:
        template = N_("save: cannot save {type}: {error}")
        raise TypeError(Message("files", template, type=type(model).__name__, error=err)) from None
    try:
        spec_json = json.dumps(spec, allow_nan=False)
    except (TypeError, ValueError) as err:  # a non-JSON value, or NaN/infinity
        template = N_("save: the spec of {type} is not JSON: {error}")
        said = Message("files", template, type=type(model).__name__, error=err)
        raise type(err)(said) from None
    header = {
        "format": FORMAT,
        "fcnn_version": _library_version(),
        "dtype": model.dtype.name,
        "spec": spec_json,
        **extra,
    }
    data = safetensors.numpy.save(dict(model.state_dict()), metadata=header)
    return atomic_write_bytes(path, data)


def _check_user_metadata(metadata: Any) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        template = N_("save: metadata must be a dict of str to str, got {type}")
        raise TypeError(Message("files", template, type=type(metadata).__name__))
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            template = N_("save: metadata must map str to str, got {key!r}: {type}")
            raise TypeError(Message("files", template, key=key, type=type(value).__name__))
        if key in RESERVED_METADATA_KEYS or key.startswith("fcnn_"):
            template = N_(
                "save: metadata key {key!r} is reserved for fcnn ({reserved} and every fcnn_* key)"
            )
            reserved = ", ".join(sorted(RESERVED_METADATA_KEYS))
            raise ValueError(Message("files", template, key=key, reserved=reserved))
    return dict(metadata)


# --------------------------------------------------------------------------- load


def read_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """The metadata of the safetensors file at ``path`` (reads the header only).

    Any safetensors file is accepted (an fcnn model file has ``format == "fcnn"``);
    a file without metadata gives ``{}``.

    Raises
    ------
    FileNotFoundError
        When there is no file at ``path``.
    ModelFileError
        When the file is not a regular file or not a readable safetensors file.
    """
    with TensorFile(path) as handle:
        return handle.metadata


def load(path: str | os.PathLike[str], *, dtype: Any = None) -> Module:
    """Load a model saved by :func:`save`: rebuild its architecture and restore its weights.

    Each tensor is read from the file straight into its parameter: the memory a load
    takes is the model's, not several copies of the file.

    Parameters
    ----------
    path : str or PathLike
    dtype : float32 or float64, optional
        The dtype of the returned model. By default the dtype of the stored float
        tensors (float64 if they mix; the saved model's dtype when it has none).

    Returns
    -------
    Module
        In training mode, as a newly built module is; call ``.eval()`` for inference.

    Raises
    ------
    FileNotFoundError
        When there is no file at ``path``; other ``OSError`` subclasses as usual.
    ModelFileError
        When the file is not a regular file or not an fcnn model file, is truncated,
        corrupted or inconsistent (tensors that do not match the spec), or holds a
        weight that is NaN or infinite.
    """
    target_dtype = None if dtype is None else resolve_dtype(dtype)
    with TensorFile(path) as handle:
        path, metadata, stored = handle.path, handle.metadata, handle.tensors
        spec = _read_spec(path, metadata)
        if target_dtype is None:
            target_dtype = _stored_dtype(path, metadata, stored)
        _check_spec_size(path, spec, stored)
        try:
            model = from_spec(spec, dtype=target_dtype)
        except Exception as err:  # from_spec raises ValueError; a layer may raise anything
            template = N_("has a spec fcnn cannot build: {error}{hint}")
            said = Message("files", template, error=err, hint=_hint(metadata))
            raise ModelFileError(path, said) from None
        _check_tensors(path, model, stored)
        for key, array in _live_state(model):
            handle.read_into(key, array)
            if array.dtype.kind == "f" and not _all_finite(array):
                template = N_(
                    "has NaN or infinite values in {key}{beyond}: a model holding them "
                    "predicts NaN; retrain it, or load a checkpoint saved before the loss "
                    "diverged"
                )
                beyond = _beyond(stored[key][0], array)
                raise ModelFileError(path, Message("files", template, key=key, beyond=beyond))
    return model


def _live_state(model: Module) -> Iterator[tuple[str, np.ndarray]]:
    """The arrays ``model.state_dict()`` copies, themselves and in its order: loading
    writes into them. (A module's own entries are those without a dot in their name.)"""
    for prefix, module in model.named_modules():
        start = f"{prefix}." if prefix else ""
        for name, param in module.named_parameters():
            if "." not in name:
                yield start + name, param.data
        for name, buffer in module.named_buffers():
            if "." not in name:
                yield start + name, buffer


def _beyond(code: str, array: np.ndarray) -> str | Message:
    if _FLOAT_CODES.get(code, array.dtype).itemsize > array.dtype.itemsize:
        return Message("files", N_(" (or values too large for {dtype})"), dtype=array.dtype)
    return ""


def _all_finite(array: np.ndarray) -> bool:
    # min and max carry any NaN or infinity and allocate nothing, unlike isfinite(a).all().
    return array.size == 0 or bool(np.isfinite(array.min()) and np.isfinite(array.max()))


def _hint(metadata: dict[str, str]) -> str | Message:
    written_by = metadata.get("fcnn_version")
    ours = _library_version()
    if written_by and written_by != ours:
        template = N_(" (the file was written by fcnn {written_by}; this is fcnn {ours})")
        return Message("files", template, written_by=written_by, ours=ours)
    return ""


def _not_a_model(path: Path, template: str, **fields: Any) -> ModelFileError:
    return ModelFileError(path, _said(template, **fields))


def _read_spec(path: Path, metadata: dict[str, str]) -> dict[str, Any]:
    if not metadata:
        raise _not_a_model(path, N_("is not an fcnn model file: it has no metadata"))
    if "format" not in metadata:
        raise _not_a_model(path, N_("is not an fcnn model file: no 'format' in its metadata"))
    if metadata["format"] != FORMAT:
        template = N_(
            "is not an fcnn model file: its metadata says format={format!r}, expected {ours!r}"
        )
        raise _not_a_model(path, template, format=metadata["format"], ours=FORMAT)
    if "spec" not in metadata:
        raise _not_a_model(path, N_("is not an fcnn model file: no 'spec' in its metadata"))
    try:
        spec = json.loads(metadata["spec"])
    except (ValueError, RecursionError) as err:
        raise _not_a_model(
            path, N_("has a spec that is not valid JSON: {error}"), error=err
        ) from None
    if not isinstance(spec, dict):
        template = N_("has a spec that is not a JSON object: {type}")
        raise _not_a_model(path, template, type=type(spec).__name__)
    return spec


def _stored_dtype(path: Path, metadata: dict[str, str], stored: dict[str, tuple]) -> np.dtype:
    floats = {_FLOAT_CODES[code] for code, _ in stored.values() if code in _FLOAT_CODES}
    if len(floats) == 1:
        return floats.pop()
    if floats:
        return np.dtype(np.float64)
    name = metadata.get("dtype", "float32")
    if name not in ("float32", "float64"):
        template = N_("has dtype={name!r} in its metadata, expected float32 or float64")
        raise _not_a_model(path, template, name=name)
    return np.dtype(name)


def _check_spec_size(path: Path, spec: dict[str, Any], stored: dict[str, tuple]) -> None:
    """Refuse a spec that claims far more scalars than the file stores, before building it.

    A small hostile file could otherwise name ``Linear(10**6, 10**6)`` and make
    ``from_spec`` allocate terabytes before the weights are compared. The estimate for
    a layer is the product of its integer arguments (``in_features · out_features``,
    ``num_features``, ...), which never exceeds what that layer stores.
    """
    budget = sum(math.prod(shape) for _, shape in stored.values()) + _SPEC_SLACK
    claimed = 0
    nodes: list[Any] = [spec]
    while nodes:
        node = nodes.pop()
        if not isinstance(node, dict):
            continue
        size = 1
        for key, value in node.items():
            if key == "layers" and isinstance(value, list):
                nodes.extend(value)
            elif isinstance(value, int) and not isinstance(value, bool):
                size = min(size * max(abs(value), 1), budget + 1)
        claimed += size
        if claimed > budget:
            template = N_(
                "has a spec that claims about {claimed:.3g}+ scalars but the file stores "
                "{stored}: refusing to build it"
            )
            raise _not_a_model(path, template, claimed=claimed, stored=budget - _SPEC_SLACK)


def _check_tensors(path: Path, model: Module, stored: dict[str, tuple]) -> None:
    expected = {key: (value.dtype, value.shape) for key, value in _live_state(model)}
    missing = [key for key in expected if key not in stored]
    extra = [key for key in stored if key not in expected]
    problems = []
    if missing:
        problems.append(_said(N_("missing {names}"), names=_names(missing)))
    if extra:
        problems.append(_said(N_("unexpected {names}"), names=_names(extra)))
    for key, (want_dtype, want_shape) in expected.items():
        if key not in stored:
            continue
        code, shape = stored[key]
        if shape != want_shape:
            template = N_("{key} has shape {shape}, the spec needs {needs}")
            problems.append(_said(template, key=key, shape=shape, needs=want_shape))
        if want_dtype in _FLOAT_CODES.values():  # either float: the model casts on load
            if code not in _FLOAT_CODES:
                template = N_("{key} has dtype {code}, expected F32 or F64")
                problems.append(_said(template, key=key, code=code))
        elif code != _safetensors_code(want_dtype):
            template = N_("{key} has dtype {code}, expected {expected}")
            wanted = _safetensors_code(want_dtype)
            problems.append(_said(template, key=key, code=code, expected=wanted))
    if problems:
        shown = problems[0]
        for problem in problems[1:5]:  # joined when said, in the language of the moment
            shown = _said(N_("{earlier}; {later}"), earlier=shown, later=problem)
        if len(problems) > 5:
            shown = _said(N_("{earlier}; and {count} more"), earlier=shown, count=len(problems) - 5)
        template = N_("has tensors that do not match its spec: {problems}")
        raise ModelFileError(path, Message("files", template, problems=shown))


def _said(template: str, **fields: Any) -> Message:
    return Message("files", template, **fields)


def _names(keys: list[str]) -> Message | str:
    shown = ", ".join(repr(k) for k in keys[:5])
    if len(keys) <= 5:
        return shown
    return _said(N_("{shown} and {count} more"), shown=shown, count=len(keys) - 5)


def _safetensors_code(dtype: np.dtype) -> str:
    """The safetensors name of a NumPy dtype: float32 → F32, int64 → I64, bool → BOOL."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return "BOOL"
    return f"{dtype.kind.upper()}{dtype.itemsize * 8}"
