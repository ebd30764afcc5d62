"""ONNX export: an fcnn model as an ONNX graph of standard operators, in eval mode.

How each layer becomes operators (and why float64 models use only some of them) is in
:mod:`fcnn.interop.onnx_graph`; this module checks the options, gives the graph its
input and output, and writes the file.

The batch dimension is symbolic (``"N"``): any batch size runs. The default opset is
:data:`DEFAULT_OPSET` (17, widely supported); any opset from :data:`MIN_OPSET` (13:
Softmax over one axis) to the installed onnx package's newest may be asked for, and the
model's IR version is the oldest that carries that opset. The tests run every registry
entry at opsets 13, 17, 18 (Reduce* take their axes as an input) and 20 (native Gelu).
``onnx`` is imported only when a function here runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..activations import PReLU
from ..core import Module
from ..files import atomic_write_bytes
from ..i18n import N_, Message
from ..layers import BatchNorm1d, Flatten, Linear, Maxout, Sequential
from .onnx_graph import Graph, lower
from .optional import import_onnx

__all__ = ["DEFAULT_OPSET", "MIN_OPSET", "to_onnx", "to_onnx_proto"]

DEFAULT_OPSET = 17
"""The ONNX opset ``to_onnx`` writes unless told otherwise."""

MIN_OPSET = 13
"""The oldest opset ``to_onnx`` can write (Softmax over a single axis arrived in 13)."""

# --------------------------------------------------------------------------- shapes


def _leaves(m: Module) -> list[Module]:
    if type(m) is Sequential:
        return [leaf for child in m for leaf in _leaves(child)]
    return [m]


def _width_in(m: Module) -> int | None:
    if isinstance(m, (Linear, Maxout)):
        return m.in_features
    if isinstance(m, BatchNorm1d):
        return m.num_features
    if isinstance(m, PReLU) and m.num_parameters > 1:
        return m.num_parameters
    return None


def _width_out(m: Module) -> int | None:
    if isinstance(m, (Linear, Maxout)):
        return m.out_features
    return _width_in(m)


def _io_shapes(model: Module, input_shape: Sequence[int] | None):
    """The graph's input and output shapes, with "N" for the (dynamic) batch size."""
    leaves = _leaves(model)
    if input_shape is not None:
        dims = [int(d) for d in input_shape]
        if not dims or any(d < 1 for d in dims):
            template = N_(
                "to_onnx(input_shape={shape!r}): expected the positive sizes of one sample's "
                "dimensions, without the batch, e.g. (784,) or (28, 28)"
            )
            raise ValueError(Message("files", template, shape=input_shape))
        shape_in = ["N", *dims]
    elif leaves and isinstance(leaves[0], Flatten):
        template = N_(
            "to_onnx: the model starts with Flatten, so the shape of its input is not in it; "
            "pass input_shape= (one sample's shape, without the batch), e.g. (28, 28)"
        )
        raise ValueError(Message("files", template))
    else:
        width = next((w for w in map(_width_in, leaves) if w is not None), None)
        shape_in = ["N", width if width is not None else "features"]
    width = next((w for w in map(_width_out, reversed(leaves)) if w is not None), None)
    if width is None and len(shape_in) == 2:
        width = shape_in[1]
    return shape_in, ["N", width if width is not None else "outputs"]


# --------------------------------------------------------------------------- entry points


def _check_opset(opset: Any, onnx: Any) -> int:
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)):
        raise TypeError(
            Message("files", N_("to_onnx(opset={opset!r}): expected an integer"), opset=opset)
        )
    if not MIN_OPSET <= opset <= newest:
        template = N_(
            "to_onnx(opset={opset}): expected {low} to {newest} (the newest the installed onnx "
            "{version} knows); the default is {default}"
        )
        said = {"low": MIN_OPSET, "newest": newest, "default": DEFAULT_OPSET}
        raise ValueError(Message("files", template, opset=opset, version=onnx.__version__, **said))
    return int(opset)


def to_onnx_proto(
    model: Module,
    *,
    opset: int = DEFAULT_OPSET,
    input_shape: Sequence[int] | None = None,
    input_name: str = "input",
    output_name: str = "output",
    fold_batchnorm: bool = True,
) -> Any:
    """The ``onnx.ModelProto`` that :func:`to_onnx` writes (checked with ``onnx.checker``).

    Parameters are those of :func:`to_onnx`, without ``path``.
    """
    onnx = import_onnx()
    if not isinstance(model, Module):
        template = N_("to_onnx: expected an fcnn Module, got {kind}")
        raise TypeError(Message("files", template, kind=type(model).__name__))
    opset = _check_opset(opset, onnx)
    for what, name in (("input_name", input_name), ("output_name", output_name)):
        if not isinstance(name, str) or not name:
            template = N_("to_onnx({what}={name!r}): expected a non-empty string")
            raise ValueError(Message("files", template, what=what, name=name))
    if input_name == output_name:
        template = N_("to_onnx: input_name and output_name are both {name!r}")
        raise ValueError(Message("files", template, name=input_name))
    dtype = np.dtype(model.dtype)
    g = Graph(onnx, dtype, opset)
    result = lower(g, model, input_name, "", bool(fold_batchnorm))
    if result == input_name:  # nothing computed (Dropout, empty Sequential): pass it on
        g.nodes.append(onnx.helper.make_node("Identity", [input_name], [output_name]))
    else:
        for node in g.nodes:  # the last tensor becomes the graph's output
            node.output[:] = [output_name if o == result else o for o in node.output]
            node.input[:] = [output_name if i == result else i for i in node.input]
    elem = onnx.helper.np_dtype_to_tensor_dtype(dtype)
    shape_in, shape_out = _io_shapes(model, input_shape)
    graph = onnx.helper.make_graph(
        g.nodes,
        f"fcnn_{type(model).__name__}",
        [onnx.helper.make_tensor_value_info(input_name, elem, shape_in)],
        [onnx.helper.make_tensor_value_info(output_name, elem, shape_out)],
        initializer=g.initializers,
    )
    opsets = [onnx.helper.make_opsetid("", opset)]
    proto = onnx.helper.make_model(
        graph,
        opset_imports=opsets,
        ir_version=onnx.helper.find_min_ir_version_for(opsets),
        producer_name="fcnn",
        producer_version=_library_version(),
        doc_string=f"{type(model).__name__} exported by fcnn in eval mode",
    )
    try:
        spec = json.dumps(model.spec())
    except TypeError:  # an unregistered container has no spec; the graph is all there is
        spec = None
    if spec is not None:
        onnx.helper.set_model_props(proto, {"fcnn_spec": spec})
    onnx.checker.check_model(proto, full_check=True)
    return proto


def to_onnx(
    model: Module,
    path: str | os.PathLike[str],
    *,
    opset: int = DEFAULT_OPSET,
    input_shape: Sequence[int] | None = None,
    input_name: str = "input",
    output_name: str = "output",
    fold_batchnorm: bool = True,
) -> Path:
    """Write ``model`` as an ONNX file at ``path`` (atomically) and return the path.

    The graph computes the model's eval-mode function (running statistics in BatchNorm,
    no dropout), whatever mode the model is in, for any batch size.

    Parameters
    ----------
    model : Module
        A ``Sequential`` (nested ones too) or single layer built from fcnn's layers and
        activations.
    path : str or PathLike
        Where to write the ``.onnx`` file (its folder must exist).
    opset : int, default :data:`DEFAULT_OPSET` (17)
        The ONNX opset, :data:`MIN_OPSET` (13) to the installed onnx package's newest.
    input_shape : sequence of int, optional
        One sample's shape, without the batch. Required for a model that starts with
        ``Flatten`` (e.g. ``(28, 28)``); otherwise ``(in_features,)`` is read from the
        first layer that has it (``"features"``, any width, for activations alone).
    input_name, output_name : str
        The graph's input and output names.
    fold_batchnorm : bool, default True
        Fold each ``BatchNorm1d`` that follows a ``Linear`` into its weights (one Gemm);
        False keeps a BatchNormalization node.

    Returns
    -------
    Path
        ``path``, where the ONNX file now is.

    Raises
    ------
    TypeError
        For a layer with no ONNX conversion (its position and type are named).
    ValueError
        For a bad opset or names, or a model starting with ``Flatten`` without
        ``input_shape``.
    ImportError
        When the ``onnx`` package is not installed (``pip install 'fcnn[onnx]'``).
    """
    proto = to_onnx_proto(
        model,
        opset=opset,
        input_shape=input_shape,
        input_name=input_name,
        output_name=output_name,
        fold_batchnorm=fold_batchnorm,
    )
    return atomic_write_bytes(path, proto.SerializeToString())


def _library_version() -> str:
    from .. import __version__

    return __version__
