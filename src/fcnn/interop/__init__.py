"""Floor 3: fcnn models in other frameworks' formats: ONNX export and PyTorch import/export.

- :func:`to_onnx` (``onnx_export``): an fcnn model as an ONNX file of standard operators,
  in eval mode, with a dynamic batch size (``pip install 'fcnn[onnx]'``).
- :func:`from_torch` / :func:`to_torch` (``torch_interop``): a ``torch.nn.Sequential`` of
  supported layers to an fcnn model and back, weights and running statistics included.
- :func:`load_torch_state_dict` (``torch_state_dict``): a PyTorch ``state_dict`` saved as
  safetensors, into a matching fcnn model (no PyTorch needed).

The original design placed these in ``fcnn/io.py``; they live in this package for size, and
``fcnn.io`` re-exports the four functions, so ``fcnn.io.to_onnx`` and
``fcnn.interop.to_onnx`` are the same. This package never imports ``fcnn.io`` (its
atomic writes and ``ModelFileError`` come from ``fcnn.files``, floor 1), so there is no
circle. Nothing here imports ``onnx`` or ``torch`` until a function that needs it runs.
"""

from __future__ import annotations

from .onnx_export import DEFAULT_OPSET, MIN_OPSET, to_onnx, to_onnx_proto
from .torch_interop import from_torch, to_torch
from .torch_state_dict import load_torch_state_dict

__all__ = [
    "DEFAULT_OPSET",
    "MIN_OPSET",
    "from_torch",
    "load_torch_state_dict",
    "to_onnx",
    "to_onnx_proto",
    "to_torch",
]
