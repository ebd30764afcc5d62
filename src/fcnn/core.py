"""Floor 1: ``Module``, the class every layer and activation stands on.

Also the few library-wide conventions it needs: the dtype rule (float32 by default,
float64 on request), the error raised for a wrongly shaped input, warnings that point at
the user's line, and ``register_module``, the decorator that puts a class in the spec
registry so that ``from_spec`` can rebuild a model without ever executing anything
from a file.

``Module`` is written in three files: here its registration of parameters and children,
computation (forward, backward, predict), traversal and description (repr, summary,
spec); its state (modes, gradients, constraints, state dicts, dtype) in
``module_state.py``; its hooks in ``hooks.py``. ``Parameter`` (``parameter.py``), the
default generator (``rng.py``) and the spec registry's table and ``from_spec``
(``specs.py``) live in their own floor-1 files; all are importable from here too.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import checks, display
from .hooks import ModuleHooks
from .i18n import N_, Message
from .module_state import ModuleState
from .parameter import Parameter
from .rng import default_rng, get_rng, seed
from .specs import MODULES, from_spec

__all__ = [
    "MODULES",
    "Module",
    "Parameter",
    "ShapeError",
    "default_rng",
    "from_spec",
    "get_rng",
    "register_module",
    "resolve_dtype",
    "seed",
]

# --------------------------------------------------------------------------- dtype


def resolve_dtype(dtype: Any = None, where: str = "resolve_dtype") -> np.dtype:
    """Return the float dtype to use: float32 when ``dtype`` is None, else float32 or float64.

    Raises ``TypeError`` for anything else (float16 and integers are refused: the
    engine's numerics are proven for these two only). ``where`` names the caller.
    """
    return checks.float_dtype(where, "dtype", dtype)


# --------------------------------------------------------------------------- warnings


def warn_user(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` pointing at the first caller outside fcnn (the user's line, e.g.
    their ``fit(...)``), however deep inside the library the warning arises."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)


# --------------------------------------------------------------------------- shapes


class ShapeError(ValueError):
    """An input whose shape a module cannot take. ``Sequential`` prefixes the layer index."""


def check_features(module: Module, x: np.ndarray, features: int | None) -> None:
    """Raise :class:`ShapeError` unless ``x`` is 2-D ``(N, features)`` with N >= 1."""
    if x.ndim != 2 or (features is not None and x.shape[1] != features):
        want = Message("checks", N_("features")) if features is None else features
        hint = ""
        if x.ndim == 1:
            hint = Message("checks", N_(" (a single sample needs x.reshape(1, -1))"))
        template = N_("{name} expects input of shape (N, {want}), got shape {shape}{hint}")
        said = {"want": want, "shape": x.shape, "hint": hint}
        raise ShapeError(Message("checks", template, name=type(module).__name__, **said))
    if x.shape[0] == 0:
        template = N_("{name} got an empty batch, shape {shape}")
        raise ShapeError(Message("checks", template, name=type(module).__name__, shape=x.shape))


# --------------------------------------------------------------------------- Module


class Module(ModuleState, ModuleHooks):
    """Base class of every layer and activation: forward, an explicit backward, and bookkeeping.

    A subclass assigns ``Parameter`` and ``Module`` attributes in ``__init__`` (after
    ``super().__init__()``); they are registered by name, as in PyTorch, so
    ``named_parameters``, ``state_dict`` and ``repr`` find them. It writes

    - ``forward(x)``: computes the output from ``x`` of shape ``(N, features)`` and keeps
      on ``self`` what backward needs;
    - ``backward(grad_output)``: given dL/d(output), adds dL/d(parameter) into each
      ``Parameter.grad`` and returns dL/d(input). Gradients accumulate: calling backward
      twice adds twice, as in PyTorch; call ``zero_grad()`` between steps.
    - ``config()``: its constructor arguments as a JSON-able dict (for ``repr`` and ``spec``).

    Hooks (``register_forward_hook``, ``register_forward_pre_hook``,
    ``register_full_backward_hook``, from :class:`fcnn.hooks.ModuleHooks`) let other code
    watch every run of a module with PyTorch's semantics; ``train``/``eval``,
    ``zero_grad``, ``apply_constraints``, ``state_dict``/``load_state_dict`` and ``to``
    come from :class:`fcnn.module_state.ModuleState`.

    Parameters
    ----------
    dtype : float32 or float64, optional
        The dtype of the module's parameters and of the inputs it computes on
        (float32 when omitted). ``to(dtype)`` converts a whole model later.
    """

    training: bool
    dtype: np.dtype

    def __init__(self, *, dtype: Any = None) -> None:
        # object.__setattr__ because our own __setattr__ needs these dicts to exist.
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "dtype", resolve_dtype(dtype, type(self).__name__))

    # ----------------------------------------------------------------- registration

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() was called: "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        if isinstance(value, Parameter):
            self._modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            self._modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"{type(self).__name__}.{name} is a Parameter; assign a Parameter or None, "
                    f"got {type(value).__name__}"
                )
            del params[name]
        elif name in self._buffers:
            self._buffers[name] = value
        elif name in self._modules:
            del self._modules[name]
        object.__setattr__(self, name, value)

    def register_buffer(self, name: str, value: np.ndarray | None) -> None:
        """Register a non-learnable array that belongs in ``state_dict`` (e.g. running stats)."""
        self._buffers[name] = value
        object.__setattr__(self, name, value)

    # ----------------------------------------------------------------- computation

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not define backward()")

    def backward_to_parameters(self, grad_output: np.ndarray) -> None:
        """Accumulate every parameter's gradient, as ``backward`` does, and return nothing.

        What a training step needs: the gradient with respect to the data is never used,
        and a first ``Linear`` layer (in a ``Sequential``) skips computing it, a third of
        that layer's arithmetic (PyTorch skips it too, for inputs without
        ``requires_grad``). This default simply calls ``backward``.
        """
        self.backward(grad_output)

    # In place, inside a Sequential. A layer whose forward and backward return arrays that
    # nothing else holds (a Linear's x Wᵀ + b and dy W) says so with
    # ``_returns_fresh_arrays``; Sequential then hands those arrays to the next layer's
    # ``_forward_owned`` / ``_backward_owned``, which may overwrite them instead of
    # allocating new ones (ReLU does: benchmarks/NOTES.md, change 6). By default they are
    # forward and backward. A layer with hooks is kept off this path (see hooks.py).
    _returns_fresh_arrays = False

    def _forward_owned(self, x: np.ndarray) -> Any:
        return self.forward(x)

    def _backward_owned(self, grad_output: np.ndarray) -> np.ndarray:
        return self.backward(grad_output)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def _as_input(self, x: Any, features: int | None = None) -> np.ndarray:
        """``x`` as a 2-D array in the dtype this module computes in (no copy when it is).

        A module with parameters or buffers casts to its own dtype, so float64 or uint8
        data meets float32 weights. A module without them (an activation, Dropout,
        Flatten) keeps a float32/float64 input's dtype, as PyTorch's do; other dtypes
        (integers) become the module's dtype.
        """
        x = np.asarray(x)
        if x.dtype != self.dtype and (
            self._parameters or self._buffers or x.dtype not in checks.FLOAT_DTYPES
        ):
            if x.dtype.kind == "c":  # the cast would drop the imaginary part with a warning
                template = N_("{name} got complex input ({dtype})")
                raise TypeError(
                    Message("checks", template, name=type(self).__name__, dtype=x.dtype)
                )
            x = x.astype(self.dtype)
        check_features(self, x, features)
        return x

    def predict(self, x: Any, batch_size: int = 4096) -> np.ndarray:
        """Forward ``x`` in eval mode, in batches, and restore the previous mode.

        Returns the raw output of the last layer, shape ``(N, out_features)``. An empty
        batch (N = 0) is a :class:`ShapeError`, as in every layer (PyTorch would return
        an empty output).
        """
        was_training = self.training
        self.eval()
        try:
            x = np.asarray(x)
            if x.ndim != 2 or len(x) == 0:
                check_features(self, x, None)
            chunks = [self.forward(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
            return np.concatenate(chunks)
        finally:
            self.train(was_training)

    # ----------------------------------------------------------------- traversal

    def named_children(self) -> Iterator[tuple[str, Module]]:
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, Parameter)`` pairs, each parameter once, in PyTorch's order."""
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            for name, param in module._parameters.items():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self) -> Iterator[Parameter]:
        for _, param in self.named_parameters():
            yield param

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        for module_name, module in self.named_modules(prefix):
            for name, buf in module._buffers.items():
                if buf is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buf

    def num_parameters(self) -> int:
        """Total number of learnable scalars."""
        return sum(p.size for p in self.parameters())

    # ----------------------------------------------------------------- description

    def config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-able dict; ``Cls(**config())`` rebuilds the module."""
        return {}

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.config().items())

    def __repr__(self) -> str:
        lines = [
            f"  ({name}): " + repr(child).replace("\n", "\n  ")
            for name, child in self._modules.items()
        ]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n" + "\n".join(lines) + "\n)"

    def summary(self, input_size: Any = None) -> Any:
        """Each layer's output shape and parameters, and the totals: see ``fcnn.summary``."""
        return display.summary(self, input_size)

    def _repr_html_(self) -> str:  # a model in a Jupyter notebook shows as its summary
        return display.summary(self)._repr_html_()

    def spec(self) -> dict[str, Any]:
        """A JSON-able description of the architecture; ``fcnn.from_spec`` rebuilds it.

        Weights are not part of the spec (they live in ``state_dict``).
        """
        name = type(self).__name__
        if MODULES.get(name) is not type(self):
            raise TypeError(
                f"{name} is not a registered fcnn module, so it has no spec; "
                f"decorate the class with @fcnn.register_module to give it one"
            )
        return {"type": name, **self.config()}


# --------------------------------------------------------------------------- registry
# The table (``MODULES``) and building from it (``from_spec``) are in specs.py; the
# decorator is here because it checks that what it registers is a ``Module``.


def register_module(cls: type[Module]) -> type[Module]:
    """Class decorator: make ``cls`` buildable by name from a spec."""
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"register_module expects a Module subclass, got {cls!r}")
    name = cls.__name__
    if name in MODULES and MODULES[name] is not cls:
        raise ValueError(f"a module named {name!r} is already registered ({MODULES[name]!r})")
    MODULES[name] = cls
    return cls
