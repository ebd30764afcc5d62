"""The optional packages interop needs (onnx, torch), imported only when a function runs.

``import fcnn`` never imports them; a missing one is an ``ImportError`` that says which
extra to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..i18n import N_, Message

__all__ = ["import_onnx", "import_torch"]


def _optional(name: str, hint: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as err:
        raise ImportError(Message("files", hint)) from err


def import_onnx() -> ModuleType:
    """``onnx``, or an ImportError naming the extra (``pip install 'fcnn[onnx]'``)."""
    return _optional("onnx", N_("ONNX export needs the onnx package: pip install 'fcnn[onnx]'"))


def import_torch() -> ModuleType:
    """``torch``, or an ImportError naming the extra (``pip install 'fcnn[torch]'``)."""
    return _optional("torch", N_("PyTorch interop needs PyTorch: pip install 'fcnn[torch]'"))
