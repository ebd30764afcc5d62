"""A PyTorch ``state_dict`` saved as safetensors, loaded into a matching fcnn model.

fcnn's layers keep PyTorch's ``state_dict`` keys, shapes and layouts, so the file
``safetensors.torch.save_file(torch_model.state_dict(), path)`` writes loads into the fcnn
model built to the same layout, key by key, with no PyTorch installed. Every key, shape
and dtype is checked before anything is copied.
"""

from __future__ import annotations

import os
from typing import Any

from ..core import Module
from ..files import ModelFileError
from ..i18n import N_, Message
from ..tensorfile import DTYPES, TensorFile

__all__ = ["load_torch_state_dict"]

_NUMPY_CODES = set(DTYPES)


def load_torch_state_dict(
    model: Module, path: str | os.PathLike[str], *, strict: bool = True, prefix: str = ""
) -> Any:
    """Load a PyTorch ``state_dict`` saved as safetensors into ``model``, in place.

    The file is what ``safetensors.torch.save_file(torch_model.state_dict(), path)``
    writes; no PyTorch is needed to read it. fcnn's state_dict keys are PyTorch's, so
    a torch model and the fcnn model built to the same layout (e.g. ``nn.Sequential(
    nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))`` and ``fcnn.mlp([4, 8, 2])``) share
    keys. Float tensors are cast to each parameter's dtype.

    Parameters
    ----------
    model : Module
    path : str or PathLike
    strict : bool, default True
        Require the keys to match exactly; otherwise load the keys both have and report
        the rest.
    prefix : str, optional
        Strip this from the file's keys first (e.g. ``"module."`` for a model saved from
        ``DataParallel``); keys without it count as unexpected.

    Returns
    -------
    (missing_keys, unexpected_keys)
        As ``Module.load_state_dict``; both empty when ``strict``.

    Raises
    ------
    FileNotFoundError
        When there is no file at ``path``.
    fcnn.ModelFileError
        When the file is not readable safetensors, or (checked before anything is
        copied) its keys, shapes or dtypes do not fit the model: the message lists the
        missing and unexpected keys and every shape mismatch.
    """
    if not isinstance(model, Module):
        template = N_("load_torch_state_dict: expected an fcnn Module, got {type}")
        raise TypeError(Message("files", template, type=type(model).__name__))
    with TensorFile(path) as handle:
        return _load_checked(model, handle, strict, prefix)


def _load_checked(model: Module, handle: TensorFile, strict: bool, prefix: str) -> Any:
    path, header = handle.path, handle.tensors
    renamed = {}  # the model's key → the file's key
    without_prefix = []
    for key in header:
        if key.startswith(prefix):
            renamed[key[len(prefix) :]] = key
        else:
            without_prefix.append(key)
    expected = {key: value.shape for key, value in model.state_dict().items()}
    missing = [key for key in expected if key not in renamed]
    unexpected = [key for key in renamed if key not in expected] + without_prefix
    problems = []
    for key, shape in expected.items():
        if key in renamed:
            code, stored = header[renamed[key]]
            if stored != shape:
                problems.append(f"{key} has shape {stored} in the file but {shape} in the model")
            if code not in _NUMPY_CODES:
                problems.append(
                    f"{key} has dtype {code}, which NumPy cannot read (convert the tensors "
                    f"with .float() before saving)"
                )
    if strict and (missing or unexpected):
        problems[:0] = [f"missing keys {missing}"] if missing else []
        problems += [f"unexpected keys {unexpected}"] if unexpected else []
    if problems:
        hint = _prefix_hint(list(header), list(expected)) if strict and missing else ""
        raise ModelFileError(
            path, f"does not fit {type(model).__name__}: " + "; ".join(problems) + hint
        )
    # Each tensor read once, then copied into its parameter: one tensor at a time in
    # memory beside the model, not the whole file.
    for key in expected:
        if key in renamed:
            model.load_state_dict({key: handle.read(renamed[key])}, strict=False)
    result = model.load_state_dict({}, strict=False)  # copies nothing: the result's type
    return type(result)(missing, unexpected)


def _prefix_hint(stored: list[str], expected: list[str]) -> str:
    """Suggest ``prefix=`` when every stored key is an expected key with something before it."""
    for key in expected:
        for name in stored:
            if name.endswith("." + key):
                prefix = name[: -len(key)]
                if all(s.startswith(prefix) for s in stored):
                    return f" (the file's keys start with {prefix!r}: pass prefix={prefix!r})"
    return ""
