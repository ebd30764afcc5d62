"""PyTorch interop: ``torch.nn`` models to fcnn and back.

fcnn's layers have PyTorch's names, argument order, weight layout and ``state_dict`` keys,
so a conversion is a one-to-one copy:

=====================================  ==============================================
torch.nn                               fcnn
=====================================  ==============================================
Sequential (nested too)                Sequential
Linear, BatchNorm1d, Dropout, Flatten  Linear, BatchNorm1d, Dropout, Flatten
(start_dim=1, end_dim=-1), Identity    (running statistics and ``num_batches_tracked``
                                       included), Identity
ReLU, Sigmoid, Tanh, LeakyReLU,        the activation of the same name and arguments
PReLU, ELU, SELU, GELU, SiLU,          (``Softmax(dim=None)``, PyTorch's implicit
Softplus, Softmax, LogSoftmax          choice, becomes ``dim=1``)
:class:`TorchMaxout` (defined here)    Maxout
=====================================  ==============================================

Each module's train/eval flag is carried over too. ``torch`` is imported only inside
these functions (and by ``TorchMaxout``, created on first use). A PyTorch ``state_dict``
saved as safetensors loads without PyTorch: see :mod:`fcnn.interop.torch_state_dict`.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .. import activations
from ..core import Module, get_rng, resolve_dtype, warn_user
from ..i18n import N_, Message
from ..layers import BatchNorm1d, Dropout, Flatten, Linear, Maxout, Sequential
from .optional import import_torch


def _layer_at(path: str) -> Message:
    """Where a layer is, for a refusal: at its index in the model, or the model itself."""
    if path:
        return Message("files", N_("at index {path}"), path=path)
    return Message("files", N_("(the model itself)"))


__all__ = ["from_torch", "to_torch"]


@functools.cache
def _torch_maxout_class() -> type:
    """Define ``TorchMaxout`` (a ``torch.nn.Module``) the first time it is asked for."""
    torch = import_torch()

    class TorchMaxout(torch.nn.Module):
        """fcnn's :class:`~fcnn.Maxout` in PyTorch: ``yⱼ = maxₖ (x Wⱼₖᵀ + bⱼₖ)``.

        A linear map to ``out_features * pieces`` values, then the maximum over each
        unit's ``pieces`` consecutive values (the first on ties, as ``torch.max``).
        ``weight`` is ``(out_features * pieces, in_features)``, initialised as
        ``nn.Linear``'s; the state_dict keys are fcnn's (``weight``, ``bias``).
        """

        def __init__(
            self,
            in_features: int,
            out_features: int,
            pieces: int = 2,
            bias: bool = True,
            device: Any = None,
            dtype: Any = None,
        ) -> None:
            super().__init__()
            self.in_features, self.out_features, self.pieces = in_features, out_features, pieces
            rows = out_features * pieces
            factory = {"device": device, "dtype": dtype}
            self.weight = torch.nn.Parameter(torch.empty(rows, in_features, **factory))
            if bias:
                self.bias = torch.nn.Parameter(torch.empty(rows, **factory))
            else:
                self.register_parameter("bias", None)
            self.reset_parameters()

        def reset_parameters(self) -> None:
            # nn.Linear's initialisation: U(-1/√in_features, 1/√in_features)
            bound = 1.0 / self.in_features**0.5
            torch.nn.init.uniform_(self.weight, -bound, bound)
            if self.bias is not None:
                torch.nn.init.uniform_(self.bias, -bound, bound)

        def forward(self, x):
            z = torch.nn.functional.linear(x, self.weight, self.bias)
            return z.view(*x.shape[:-1], self.out_features, self.pieces).max(dim=-1).values

        def extra_repr(self) -> str:
            return (
                f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pieces={self.pieces}, bias={self.bias is not None}"
            )

    # Pickled (torch.save of a whole model) by reference to this module's attribute.
    TorchMaxout.__module__, TorchMaxout.__qualname__ = __name__, "TorchMaxout"
    return TorchMaxout


def __getattr__(name: str) -> Any:
    # ``fcnn.interop.torch_interop.TorchMaxout`` exists, but imports torch only when used.
    if name == "TorchMaxout":
        return _torch_maxout_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The settings a layer shares with its torch.nn twin, under the same names (fcnn took
# PyTorch's): a conversion copies them by name, in either direction.
_LINEAR = ("in_features", "out_features")
_MAXOUT = ("in_features", "out_features", "pieces")
_BATCHNORM = ("num_features", "eps", "momentum", "affine", "track_running_stats")


def _settings(module: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(module, name) for name in names}


def _child(path: str, index: int) -> str:
    """Where child ``index`` of the module at ``path`` is, as messages name it (``"2.0"``)."""
    return f"{path}.{index}" if path else str(index)


# --------------------------------------------------------------------------- torch → fcnn


def _numpy(tensor: Any, dtype: np.dtype) -> np.ndarray:
    torch = import_torch()
    target = torch.float64 if dtype == np.float64 else torch.float32
    return tensor.detach().to("cpu", target).numpy().copy()


def _copy_from_torch(ours: Module, theirs: Any, dtype: np.dtype) -> None:
    state = {}
    for key, value in theirs.state_dict().items():
        if value.is_floating_point():
            state[key] = _numpy(value, dtype)
        else:
            state[key] = value.detach().cpu().numpy().copy()
    ours.load_state_dict(state, strict=True)


def _dim(module: Any) -> int:
    return 1 if module.dim is None else int(module.dim)


def _from_torch(module: Any, path: str, dtype: np.dtype, rng: np.random.Generator) -> Module:
    torch = import_torch()
    nn = torch.nn
    kind = type(module)
    where = _layer_at(path)
    if kind is nn.Sequential:
        children = [
            _from_torch(child, _child(path, i), dtype, rng) for i, child in enumerate(module)
        ]
        result: Module = Sequential(*children, dtype=dtype) if children else Sequential()
    elif kind is nn.Linear:
        bias = module.bias is not None
        result = Linear(**_settings(module, _LINEAR), bias=bias, dtype=dtype, rng=rng)
        _copy_from_torch(result, module, dtype)
    elif kind is _torch_maxout_class():
        bias = module.bias is not None
        result = Maxout(**_settings(module, _MAXOUT), bias=bias, dtype=dtype, rng=rng)
        _copy_from_torch(result, module, dtype)
    elif kind is nn.BatchNorm1d:
        result = BatchNorm1d(**_settings(module, _BATCHNORM), dtype=dtype)
        _copy_from_torch(result, module, dtype)
    elif kind is nn.Dropout:
        if not 0 <= module.p < 1:
            template = N_(
                "from_torch: Dropout {where} has p={p}; fcnn's Dropout needs p < 1 "
                "(p = 1 zeroes every unit)"
            )
            raise ValueError(Message("files", template, where=where, p=module.p))
        result = Dropout(module.p, dtype=dtype, rng=rng)
    elif kind is nn.Flatten:
        if module.start_dim != 1 or module.end_dim != -1:
            template = N_(
                "from_torch: Flatten {where} has start_dim={start}, "
                "end_dim={end}; fcnn's Flatten keeps the batch axis and flattens "
                "the rest (start_dim=1, end_dim=-1)"
            )
            said = {"start": module.start_dim, "end": module.end_dim}
            raise ValueError(Message("files", template, where=where, **said))
        result = Flatten(dtype=dtype)
    elif kind is nn.PReLU:
        result = activations.PReLU(module.num_parameters, init=float(module.init), dtype=dtype)
        _copy_from_torch(result, module, dtype)
    elif kind in _torch_activations():
        result = _torch_activations()[kind](module, dtype)
    else:
        supported = ", ".join(
            ["Sequential", "Linear", "BatchNorm1d", "Dropout", "Flatten", "PReLU"]
            + [cls.__name__ for cls in _torch_activations()]
            + ["fcnn.interop.torch_interop.TorchMaxout"]
        )
        template = N_(
            "from_torch: unsupported layer {kind} {where}; fcnn converts torch.nn {supported}"
        )
        said = {"kind": kind.__name__, "where": where, "supported": supported}
        raise TypeError(Message("files", template, **said))
    object.__setattr__(result, "training", bool(module.training))
    return result


@functools.cache
def _torch_activations() -> dict[type, Any]:
    """torch.nn activation class → builder of its fcnn twin (built on first use)."""
    nn = import_torch().nn
    return {
        nn.Identity: lambda m, d: activations.Identity(dtype=d),
        nn.ReLU: lambda m, d: activations.ReLU(dtype=d),
        nn.Sigmoid: lambda m, d: activations.Sigmoid(dtype=d),
        nn.Tanh: lambda m, d: activations.Tanh(dtype=d),
        nn.LeakyReLU: lambda m, d: activations.LeakyReLU(m.negative_slope, dtype=d),
        nn.ELU: lambda m, d: activations.ELU(m.alpha, dtype=d),
        nn.SELU: lambda m, d: activations.SELU(dtype=d),
        nn.GELU: lambda m, d: activations.GELU(m.approximate, dtype=d),
        nn.SiLU: lambda m, d: activations.SiLU(dtype=d),
        nn.Softplus: lambda m, d: activations.Softplus(m.beta, m.threshold, dtype=d),
        nn.Softmax: lambda m, d: activations.Softmax(_dim(m), dtype=d),
        nn.LogSoftmax: lambda m, d: activations.LogSoftmax(_dim(m), dtype=d),
    }


def _torch_dtype_of(module: Any) -> np.dtype:
    for tensor in list(module.parameters()) + list(module.buffers()):
        if tensor.is_floating_point():
            return (
                np.dtype(np.float64)
                if tensor.dtype == import_torch().float64
                else np.dtype(np.float32)
            )
    return np.dtype(np.float32)


def from_torch(
    module: Any,
    *,
    dtype: Any = None,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Module:
    """An fcnn model computing what the ``torch.nn`` model ``module`` computes.

    Weights, biases, PReLU slopes and BatchNorm running statistics (with
    ``num_batches_tracked``) are copied, so outputs agree to rounding in eval mode and in
    train mode (except for Dropout's random masks); each module's train/eval flag is kept.

    Parameters
    ----------
    module : torch.nn.Module
        An ``nn.Sequential`` (nested ones too) of supported layers, or one such layer.
    dtype : float32 or float64, optional
        The fcnn model's dtype; by default that of the torch model's first floating
        parameter (float64 stays float64, any other float dtype becomes float32).
    rng, seed
        The generator of the fcnn Dropout layers' masks.

    Returns
    -------
    Module
        A ``Sequential`` for an ``nn.Sequential``, else the single layer.

    Raises
    ------
    TypeError
        For a layer fcnn has no twin for; the message names its class and index, e.g.
        ``unsupported layer Conv2d at index 0``.
    ValueError
        For a supported layer with settings fcnn lacks (``Flatten(start_dim=2)``,
        ``Dropout(p=1)``).
    """
    torch = import_torch()
    if not isinstance(module, torch.nn.Module):
        template = N_("from_torch: expected a torch.nn.Module, got {type}")
        raise TypeError(Message("files", template, type=type(module).__name__))
    target = _torch_dtype_of(module) if dtype is None else resolve_dtype(dtype)
    return _from_torch(module, "", target, get_rng(rng, seed, where="from_torch"))


# --------------------------------------------------------------------------- fcnn → torch


def _tensor(array: np.ndarray, dtype: Any) -> Any:
    torch = import_torch()
    tensor = torch.from_numpy(np.array(array, copy=True))
    return tensor.to(dtype) if tensor.is_floating_point() else tensor


def _load_into_torch(theirs: Any, ours: Module, dtype: Any) -> None:
    state = {key: _tensor(value, dtype) for key, value in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=True)


def _to_torch(m: Module, path: str, dtype: Any) -> Any:
    torch = import_torch()
    nn = torch.nn
    kind = type(m)
    if kind is Sequential:
        result = nn.Sequential(
            *(_to_torch(child, _child(path, i), dtype) for i, child in enumerate(m))
        )
    elif kind is Linear:
        bias = m.bias is not None
        result = nn.utils.skip_init(nn.Linear, **_settings(m, _LINEAR), bias=bias, dtype=dtype)
        _load_into_torch(result, m, dtype)
    elif kind is Maxout:
        twin, bias = _torch_maxout_class(), m.bias is not None
        result = nn.utils.skip_init(twin, **_settings(m, _MAXOUT), bias=bias, dtype=dtype)
        _load_into_torch(result, m, dtype)
    elif kind is BatchNorm1d:
        result = nn.BatchNorm1d(**_settings(m, _BATCHNORM), dtype=dtype)
        _load_into_torch(result, m, dtype)
    elif kind is activations.PReLU:
        result = nn.PReLU(m.num_parameters, init=m.init, dtype=dtype)
        _load_into_torch(result, m, dtype)
    elif kind in _FCNN_TO_TORCH:
        result = _FCNN_TO_TORCH[kind](nn, m)
    else:
        where = _layer_at(path)
        supported = ", ".join(
            ["Sequential", "Linear", "Maxout", "BatchNorm1d", "PReLU"]
            + [cls.__name__ for cls in _FCNN_TO_TORCH]
        )
        template = N_(
            "to_torch: unsupported layer {kind} {where}; to_torch converts fcnn's {supported}"
        )
        said = {"kind": kind.__name__, "where": where, "supported": supported}
        raise TypeError(Message("files", template, **said))
    result.training = bool(m.training)  # this module's flag only; children set their own
    return result


_FCNN_TO_TORCH: dict[type, Any] = {
    Dropout: lambda nn, m: nn.Dropout(m.p),
    Flatten: lambda nn, m: nn.Flatten(),
    activations.Identity: lambda nn, m: nn.Identity(),
    activations.ReLU: lambda nn, m: nn.ReLU(),
    activations.Sigmoid: lambda nn, m: nn.Sigmoid(),
    activations.Tanh: lambda nn, m: nn.Tanh(),
    activations.LeakyReLU: lambda nn, m: nn.LeakyReLU(m.negative_slope),
    activations.ELU: lambda nn, m: nn.ELU(m.alpha),
    activations.SELU: lambda nn, m: nn.SELU(),
    activations.GELU: lambda nn, m: nn.GELU(approximate=m.approximate),
    activations.SiLU: lambda nn, m: nn.SiLU(),
    activations.Softplus: lambda nn, m: nn.Softplus(beta=m.beta, threshold=m.threshold),
    activations.Softmax: lambda nn, m: nn.Softmax(dim=m.dim),
    activations.LogSoftmax: lambda nn, m: nn.LogSoftmax(dim=m.dim),
}


def to_torch(model: Module) -> Any:
    """A ``torch.nn`` model computing what the fcnn ``model`` computes.

    Weights, biases, PReLU slopes and BatchNorm running statistics are copied (the torch
    model shares no memory with the fcnn one), in the model's dtype (float32 or float64);
    each module's train/eval flag is kept. ``Maxout`` becomes :class:`TorchMaxout`. A
    ``max_norm`` constraint has no torch twin: it is dropped, with a warning.

    Parameters
    ----------
    model : Module
        A ``Sequential`` (nested ones too) of fcnn layers and activations, or one layer.

    Returns
    -------
    torch.nn.Module
        An ``nn.Sequential`` for a ``Sequential``, else the single layer.

    Raises
    ------
    TypeError
        For a module without a torch twin (e.g. your own ``fcnn.Module`` subclass); the
        message names its class and index.
    """
    torch = import_torch()
    if not isinstance(model, Module):
        template = N_("to_torch: expected an fcnn Module, got {type}")
        raise TypeError(Message("files", template, type=type(model).__name__))
    dtype = torch.float64 if model.dtype == np.float64 else torch.float32
    constrained = [name or type(m).__name__ for name, m in model.named_modules() if m.constrained]
    if constrained:
        # torch.nn has no max-norm: the weights carry over, the constraint cannot.
        warn_user(
            f"to_torch: max_norm of {', '.join(constrained)} is fcnn's own and is not "
            "carried over (torch.nn.Linear has none); apply torch.renorm after each "
            "optimizer step to keep it",
            UserWarning,
        )
    return _to_torch(model, "", dtype)
