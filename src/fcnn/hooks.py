"""Floor 1: hooks, PyTorch's way for code to watch a module run without changing it.

``ModuleHooks`` is the half of :class:`fcnn.core.Module` that holds them:

- ``register_forward_pre_hook(hook)``: ``hook(module, args)`` before ``forward``; a
  non-None return replaces the input (a lone value is wrapped into a 1-tuple);
- ``register_forward_hook(hook)``: ``hook(module, args, output)`` after ``forward``; a
  non-None return replaces the output;
- ``register_full_backward_hook(hook)``: ``hook(module, grad_input, grad_output)`` after
  ``backward``, both tuples; a non-None return replaces ``grad_input``. Under
  ``backward_to_parameters`` the gradient of the input is never computed, so
  ``grad_input`` is ``(None,)`` and the hook runs before the module's own backward, as
  PyTorch runs it for a module whose input does not require grad.

Each returns a :class:`RemovableHandle`. One difference from PyTorch: fcnn has no
autograd, so a replaced input or output is not differentiated; backward takes it as the
module's own (a hook that scales the input by 0.5 does not halve the gradient before it).

In fcnn the training loop calls ``model.forward`` and ``model.backward_to_parameters``
itself, so hooks must fire on those calls, not only on ``module(x)``: registering the
first hook puts hooked ``forward``, ``backward`` and ``backward_to_parameters`` on the
instance (they run the class's methods and the hooks around them); removing the last
one takes them away again. A module without hooks is therefore exactly the plain
object: the hot path pays nothing. ``Sequential`` reads ``layer._hooks`` to keep a
hooked layer off its in-place path, where a hook could keep an array that the next
layer then overwrites.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

__all__ = ["ModuleHooks", "RemovableHandle"]

_next_id = itertools.count()


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` unregisters the hook.

    Also a context manager (``with model.register_forward_hook(f): ...`` removes the hook
    on leaving the block), as PyTorch's handle is. Removing twice does nothing.
    """

    def __init__(self, owner: ModuleHooks, table: dict[int, Callable], key: int) -> None:
        self._owner, self._table, self.id = owner, table, key

    def remove(self) -> None:
        if self._table.pop(self.id, None) is not None:
            self._owner._drop_hooks_if_none()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


class _HookTables:
    """A module's registered hooks, by kind, in registration order."""

    def __init__(self) -> None:
        self.forward_pre: dict[int, Callable] = {}
        self.forward: dict[int, Callable] = {}
        self.backward: dict[int, Callable] = {}
        self.running = False  # inside the module's own backward: see _hooked_backward

    def empty(self) -> bool:
        return not (self.forward_pre or self.forward or self.backward)


def _one_gradient(module: Any, result: Any) -> Any:
    """The single gradient a backward hook's return value (a 1-tuple) holds."""
    if not (isinstance(result, tuple) and len(result) == 1):
        raise TypeError(
            f"a backward hook of {type(module).__name__} returned {result!r:.80}; "
            "expected None or a 1-tuple (grad_input,)"
        )
    return result[0]


class ModuleHooks:
    """The hooks of a module; :class:`fcnn.core.Module` inherits them."""

    _hooks: _HookTables | None = None  # None: no hooks, and no hooked methods on the instance

    def register_forward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, args)`` before every ``forward``; a non-None return
        replaces ``args`` (a value that is not a tuple becomes ``(value,)``)."""
        return self._add_hook("forward_pre", hook)

    def register_forward_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every ``forward``; a non-None return
        replaces the output."""
        return self._add_hook("forward", hook)

    def register_full_backward_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` (1-tuples) after every backward;
        a non-None return, a 1-tuple, replaces ``grad_input``. Under
        ``backward_to_parameters`` ``grad_input`` is ``(None,)``, the hook runs first and
        must return None."""
        return self._add_hook("backward", hook)

    def _add_hook(self, kind: str, hook: Callable) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"register_{kind}_hook: expected a callable, got {hook!r:.80}")
        if self._hooks is None:
            object.__setattr__(self, "_hooks", _HookTables())
            object.__setattr__(self, "forward", self._hooked_forward)
            object.__setattr__(self, "backward", self._hooked_backward)
            object.__setattr__(self, "backward_to_parameters", self._hooked_backward_to_parameters)
        table = getattr(self._hooks, kind)
        key = next(_next_id)
        table[key] = hook
        return RemovableHandle(self, table, key)

    def _drop_hooks_if_none(self) -> None:
        """After the last hook is removed the module is the plain object again."""
        if self._hooks is not None and self._hooks.empty():
            for name in ("_hooks", "forward", "backward", "backward_to_parameters"):
                object.__delattr__(self, name)

    # The hooked methods. Each runs the class's own method (``type(self).forward``), so
    # that the one on the instance is not found again.

    def _hooked_forward(self, *args: Any, **kwargs: Any) -> Any:
        hooks = self._hooks
        for hook in tuple(hooks.forward_pre.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        output = type(self).forward(self, *args, **kwargs)
        for hook in tuple(hooks.forward.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    # A module's backward may call its own backward_to_parameters (Linear does) or the
    # other way round (Module's default does): ``running`` keeps the hooks of such an
    # inner call from firing a second time for the same pass.

    def _hooked_backward(self, grad_output: Any) -> Any:
        hooks = self._hooks
        if hooks.running:
            return type(self).backward(self, grad_output)
        hooks.running = True
        try:
            grad_input = type(self).backward(self, grad_output)
        finally:
            hooks.running = False
        for hook in tuple(hooks.backward.values()):
            result = hook(self, (grad_input,), (grad_output,))
            if result is not None:
                grad_input = _one_gradient(self, result)
        return grad_input

    def _hooked_backward_to_parameters(self, grad_output: Any) -> None:
        hooks = self._hooks
        if hooks.running:
            return type(self).backward_to_parameters(self, grad_output)
        for hook in tuple(hooks.backward.values()):
            result = hook(self, (None,), (grad_output,))
            if result is not None and _one_gradient(self, result) is not None:
                raise RuntimeError(
                    f"a backward hook of {type(self).__name__} returned a gradient where "
                    "none is computed (backward_to_parameters: grad_input is (None,)); "
                    "return None"
                )
        hooks.running = True
        try:
            type(self).backward_to_parameters(self, grad_output)
        finally:
            hooks.running = False
        return None
