"""Floor 1: the spec registry: the table of registered module classes by name, and
``from_spec``, which builds a model from a spec (``Module.spec()``'s JSON-able dict).

``fcnn.core.register_module`` (the class decorator) puts a ``Module`` subclass in
``MODULES``; ``from_spec`` only ever calls a class this table holds, so nothing in a
spec or a model file is ever executed. Both are importable from ``fcnn.core`` and
``fcnn``.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import numpy as np

from . import checks
from .i18n import N_, Message
from .rng import get_rng

if TYPE_CHECKING:  # only for annotations: core imports this file
    from .core import Module

__all__ = ["MODULES", "from_spec"]

#: every registered module class by its name, the ``"type"`` of its spec
MODULES: dict[str, type[Module]] = {}


def from_spec(
    spec: dict[str, Any],
    *,
    dtype: Any = None,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Module:
    """Build a fresh module from ``spec`` (as returned by ``Module.spec()``).

    Only registered classes can be named; nothing in a spec is ever executed. New
    weights are drawn from ``rng``/``seed`` (load a state dict to restore trained ones).

    Raises
    ------
    ValueError
        For a spec that is not a dict with a known ``"type"`` or has bad arguments.
    """
    generator = get_rng(rng, seed, where="from_spec")
    return _build(spec, checks.float_dtype("from_spec", "dtype", dtype), generator, "spec")


def _build(spec: Any, dtype: np.dtype, rng: np.random.Generator, where: str) -> Module:
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        template = N_("{where}: expected a dict with a string 'type', got {spec!r:.200}")
        raise ValueError(Message("checks", template, where=where, spec=spec))
    name = spec["type"]
    cls = MODULES.get(name)
    if cls is None:
        known = ", ".join(sorted(MODULES))
        template = N_("{where}: unknown layer type {name!r}; known types: {known}")
        raise ValueError(Message("checks", template, where=where, name=name, known=known))
    args = {k: v for k, v in spec.items() if k != "type"}
    if "layers" in args:  # containers: build children first
        layers = args.pop("layers")
        if not isinstance(layers, list):
            template = N_("{where}.layers: expected a list, got {type}")
            raise ValueError(Message("checks", template, where=where, type=type(layers).__name__))
        children = [_build(s, dtype, rng, f"{where}.layers[{i}]") for i, s in enumerate(layers)]
        return cls(*children, **args).to(dtype)
    accepted = inspect.signature(cls).parameters
    if "rng" in accepted:
        args["rng"] = rng
    try:
        return cls(**args, dtype=dtype)
    except TypeError as err:
        template = N_("{where}: bad arguments for {name}: {error}")
        raise ValueError(Message("checks", template, where=where, name=name, error=err)) from None
