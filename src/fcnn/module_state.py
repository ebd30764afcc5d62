"""Floor 1: the state of a :class:`fcnn.core.Module`: its modes, gradients, constraints,
weights and dtype.

``ModuleState`` is the half of ``Module`` that reads and writes what a module holds
(as ``ModuleHooks`` in ``hooks.py`` is the half that holds its hooks):

- ``train()`` / ``eval()``: the mode, set here and below (Dropout and BatchNorm read it);
- ``zero_grad()``: every parameter's gradient marked zero;
- ``apply_constraints()``: every constrained layer (``Linear(max_norm=3)``) projected
  back into its constraint, after an optimiser's step;
- ``state_dict()`` / ``load_state_dict()``: copies of the parameters and buffers under
  PyTorch's dotted names, and loading them back in place;
- ``to(dtype)``: every parameter, gradient and float buffer converted.

It walks the module tree with ``Module``'s own ``modules()`` / ``parameters()``; the
dtype rule is ``fcnn.checks.float_dtype``, as ``fcnn.core.resolve_dtype`` applies it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import checks
from .i18n import N_, Message, translator

_ = translator("checks")  # for a KeyError, whose str() is the repr of its message

if TYPE_CHECKING:  # only for annotations: core imports this file
    from .core import Module

__all__ = ["ModuleState"]


class _LoadResult(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


class ModuleState:
    """Modes, gradients, constraints, state dicts and dtype of a module and its children."""

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero (lazily, in place: see ``Parameter``)."""
        for param in self.parameters():
            param.zero_grad()

    # A layer with a constraint on its parameters (``Linear(max_norm=…)``) says so here and
    # overrides ``_constrain``; every other module has nothing to project.
    constrained = False

    def _constrain(self) -> None:
        """Project this module's own parameters back into their constraint."""

    def constrained_modules(self) -> list[Module]:
        """The modules here and below that have a constraint to keep, as they are now."""
        return [module for module in self.modules() if module.constrained]

    def apply_constraints(self) -> None:
        """Project every constrained layer here and below (e.g. ``Linear(max_norm=3)``)
        back into its constraint; a walk that changes nothing when none is.

        A training step calls it after ``optimizer.step()`` (``TrainStep`` does).
        """
        for module in self.constrained_modules():
            module._constrain()

    def train(self, mode: bool = True) -> Module:
        """Set training mode here and below (``mode=False``: eval); return self."""
        if not isinstance(mode, bool):
            raise TypeError(
                Message("checks", N_("train(mode={mode!r}): expected a bool"), mode=mode)
            )
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Same as ``train(False)``: BatchNorm uses running statistics, Dropout is the identity."""
        return self.train(False)

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Copies of every parameter and buffer, under PyTorch's dotted names and order."""
        state: OrderedDict[str, np.ndarray] = OrderedDict()
        for module_name, module in self.named_modules():
            prefix = f"{module_name}." if module_name else ""
            for name, param in module._parameters.items():
                state[prefix + name] = param.data.copy()
            for name, buf in module._buffers.items():
                if buf is not None:
                    state[prefix + name] = np.array(buf, copy=True)
        return state

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> _LoadResult:
        """Copy values into this module's parameters and buffers, in place.

        Shapes must always match. With ``strict`` (the default) the keys must match
        exactly too; otherwise missing and unexpected keys are returned, as in PyTorch.
        Values are cast to each parameter's dtype.
        """
        if not hasattr(state_dict, "keys"):
            template = N_("load_state_dict expects a mapping, got {type}")
            raise TypeError(Message("checks", template, type=type(state_dict).__name__))
        targets: dict[str, tuple[Module, str, bool]] = {}
        for module_name, module in self.named_modules():
            prefix = f"{module_name}." if module_name else ""
            for name in module._parameters:
                targets[prefix + name] = (module, name, True)
            for name, buf in module._buffers.items():
                if buf is not None:
                    targets[prefix + name] = (module, name, False)
        missing = [k for k in targets if k not in state_dict]
        unexpected = [k for k in state_dict if k not in targets]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(_("missing keys {keys}").format(keys=missing))
            if unexpected:
                parts.append(_("unexpected keys {keys}").format(keys=unexpected))
            said = _("load_state_dict for {name}: {parts}")
            raise KeyError(said.format(name=type(self).__name__, parts=_("; ").join(parts)))
        # Check every shape before copying anything, so a failed load changes nothing.
        values = {}
        for key, (module, name, is_param) in targets.items():
            if key not in state_dict:
                continue
            value = np.asarray(state_dict[key])
            current = module._parameters[name].data if is_param else module._buffers[name]
            if value.shape != current.shape:
                template = N_(
                    "load_state_dict: {key} has shape {shape} in the state dict "
                    "but {current} in the model"
                )
                said = {"key": key, "shape": value.shape, "current": current.shape}
                raise ValueError(Message("checks", template, **said))
            values[key] = value
        for key, value in values.items():
            module, name, is_param = targets[key]
            if is_param:
                module._parameters[name].data[...] = value
            else:
                module._buffers[name][...] = value
        return _LoadResult(missing, unexpected)

    def to(self, dtype: Any) -> Module:
        """Convert every parameter, gradient and float buffer to ``dtype`` in place; return self.

        As with PyTorch's ``Module.to``, an optimiser built before the conversion still
        points at the old arrays: build optimisers after choosing the dtype.
        """
        target = checks.float_dtype("to", "dtype", dtype)
        for module in self.modules():
            object.__setattr__(module, "dtype", target)
            for param in module._parameters.values():
                if param.data.dtype != target:
                    param.data = param.data.astype(target)
                    param.grad = param.grad.astype(target)
            for name, buf in list(module._buffers.items()):
                if buf is not None and buf.dtype in checks.FLOAT_DTYPES and buf.dtype != target:
                    module.register_buffer(name, buf.astype(target))
        return self
