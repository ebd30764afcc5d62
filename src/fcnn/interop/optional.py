"""The optional packages fcnn needs for some jobs only, and what to say when one is missing.

``import fcnn`` never imports onnx, torch, matplotlib or Dask's distributed; a function
that needs one imports it when it runs, and a missing one is an error that says which
extra to install. The sentences live here, in the ``optional`` message catalog, so that
they read in Chinese where fcnn speaks Chinese (``fcnn --lang zh``) and are written once.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..i18n import N_, Message

__all__ = ["import_onnx", "import_torch", "install_hint"]

# what each job needs, and the pip line that installs it
INSTALL_HINTS = {
    "onnx": N_("ONNX export needs the onnx package: pip install 'fcnn[onnx]'"),
    "torch": N_("PyTorch interop needs PyTorch: pip install 'fcnn[torch]'"),
    "plot": N_("fcnn.plot draws with matplotlib, which is not installed: pip install 'fcnn[plot]'"),
    "fit-dask": N_("fit(dask=...) needs Dask's distributed: pip install 'fcnn[dask]'"),
    "sweep-dask": N_("--dask needs Dask's distributed scheduler: pip install 'fcnn[dask]'"),
    "yaml": N_("{path}: reading YAML needs PyYAML (pip install pyyaml)"),
}


def install_hint(job: str, **fields: object) -> Message:
    """The sentence saying what ``job`` (a key of :data:`INSTALL_HINTS`) needs installed."""
    return Message("optional", INSTALL_HINTS[job], **fields)


def _optional(name: str, job: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as err:
        raise ImportError(install_hint(job)) from err


def import_onnx() -> ModuleType:
    """``onnx``, or an ImportError naming the extra (``pip install 'fcnn[onnx]'``)."""
    return _optional("onnx", "onnx")


def import_torch() -> ModuleType:
    """``torch``, or an ImportError naming the extra (``pip install 'fcnn[torch]'``)."""
    return _optional("torch", "torch")
