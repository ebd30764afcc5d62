"""Floor 2: optimisers and learning-rate schedulers, with PyTorch's names, defaults and numerics.

Optimisers: :class:`SGD` (with momentum / Nesterov), :class:`Adam` (and AMSGrad),
:class:`AdamW`, :class:`RMSprop` (plain and centered) and :class:`Adagrad`, on the common
:class:`Optimizer` base (``param_groups``, ``state``, ``zero_grad``, ``step``,
``add_param_group``, ``state_dict`` / ``load_state_dict``).

Schedulers: :class:`StepLR`, :class:`MultiStepLR`, :class:`ExponentialLR`,
:class:`CosineAnnealingLR` and :class:`ReduceLROnPlateau`, on :class:`LRScheduler`.

Every update rule is PyTorch 2.13's single-tensor (CPU) rule, written out with its
formula beside it, so a model trained here and one trained with ``torch.optim`` from the
same weights and gradients follow the same path (float64 to ~1e-10, float32 to ~1e-5).
Updates run in place on ``Parameter.data`` and on the state arrays, in the parameter's
dtype: scalars are Python floats, which NumPy 2 never lets upcast a float32 array.
Temporaries come from a small per-optimiser scratch pool (one or two arrays per distinct
parameter shape), so a step allocates nothing after the first. SGD's and Adam's updates
run chunk by chunk (``_elementwise``), so that their many passes stay in cache.

``OPTIMIZERS`` and ``SCHEDULERS`` map the command line's names to the classes;
:func:`get_optimizer` and :func:`get_scheduler` build one by name.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .core import Module, Parameter

__all__ = [
    "OPTIMIZERS",
    "SCHEDULERS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "MultiStepLR",
    "Optimizer",
    "RMSprop",
    "ReduceLROnPlateau",
    "StepLR",
    "get_optimizer",
    "get_scheduler",
]


# --------------------------------------------------------------------------- argument checks


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _require_number(where: str, name: str, value: Any, what: str) -> None:
    if not _is_number(value):
        raise TypeError(f"{where}: {what} {name}={value!r} must be a real number")


def _at_least_zero(where: str, name: str, value: Any, what: str) -> None:
    _require_number(where, name, value, what)
    if not value >= 0:  # also rejects NaN
        raise ValueError(f"{where}: invalid {what} {name}={value!r}; expected {name} >= 0")


def _in_range(where: str, name: str, value: Any, what: str, high_open: bool) -> None:
    _require_number(where, name, value, what)
    ok = 0 <= value < 1 if high_open else 0 <= value <= 1
    if not ok:
        rng = "[0, 1)" if high_open else "[0, 1]"
        raise ValueError(f"{where}: invalid {what} {name}={value!r}; expected {name} in {rng}")


def _flag(where: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name}={value!r} must be True or False")


def _positive_int(where: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{where}: {name}={value!r} must be a positive integer")
    return int(value)


def _non_negative_int(where: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{where}: {name}={value!r} must be a non-negative integer")
    return int(value)


def _lookup(registry: dict[str, Any], name: Any, kind: str) -> Any:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name must be a string, got {name!r}")
    cls = registry.get(name.lower())
    if cls is None:
        known = ", ".join(sorted(registry))
        raise ValueError(f"unknown {kind} {name!r}; expected one of: {known}")
    return cls


# --------------------------------------------------------------------------- chunks

# An update is a dozen elementwise passes (Adam) over arrays that, after a backward pass,
# live in main memory, not in cache: pass by pass, a 1024 × 1024 layer's Adam step moves
# ~13 × 12 MB. Run on chunks of this many entries instead, every pass after the first
# finds its operands in cache, and the parameter, its gradient and its state cross to
# memory about once (benchmarks/NOTES.md: the step's optimiser time 1.5-1.7× shorter).
_CHUNK = 1 << 16


def _elementwise(update: Callable[..., None], tmp: np.ndarray, *arrays: np.ndarray, **kw) -> None:
    """``update(tmp, *arrays, **kw)``, an in-place elementwise update, chunk by chunk.

    ``tmp`` is the scratch array from :meth:`Optimizer._update_scratch`: the arrays' shape
    for arrays of at most ``_CHUNK`` entries (then one call, no slicing: tiny networks
    feel every microsecond), else ``_CHUNK`` entries that every chunk reuses (so that it
    stays in cache). Elementwise means entry i of the outputs depends only on entry i of
    the inputs, so the result is bit-identical to one call on the whole arrays.
    """
    size = arrays[0].size
    if size <= _CHUNK:
        update(tmp, *arrays, **kw)
        return
    if not all(a.flags.c_contiguous for a in arrays):  # a strided view: no flat view of it
        update(np.empty_like(arrays[0]), *arrays, **kw)
        return
    flat = [a.reshape(-1) for a in arrays]
    for lo in range(0, size, _CHUNK):
        hi = min(lo + _CHUNK, size)
        update(tmp[: hi - lo], *(f[lo:hi] for f in flat), **kw)


# --------------------------------------------------------------------------- Optimizer


class Optimizer:
    """Base class of every optimiser: parameter groups, per-parameter state, checkpoints.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        The parameters to optimise (``model.parameters()``), or parameter groups: dicts
        with a ``"params"`` entry and, optionally, hyper-parameters that override the
        defaults for that group, e.g. ``[{"params": body}, {"params": head, "lr": 1e-2}]``.
    defaults : dict
        The hyper-parameters of a group that does not set its own.

    Attributes
    ----------
    param_groups : list of dict
        Each with ``"params"`` (a list of Parameter) and every hyper-parameter. Schedulers
        change ``group["lr"]`` here; so may the user, between steps.
    state : dict
        ``state[param]`` is a dict of that parameter's running arrays (same shape and
        dtype as the parameter) and its ``"step"`` count, filled in by ``step``.
    defaults : dict

    Notes
    -----
    A subclass writes ``_check_group(group, where)`` (raise on a bad hyper-parameter),
    ``_step_group(group)`` (the update) and ``_state_keys(group)`` (the state entries a
    stepped parameter has, used to check a loaded state dict).
    """

    def __init__(self, params: Iterable[Parameter] | Iterable[dict], defaults: dict) -> None:
        name = type(self).__name__
        self.defaults = dict(defaults)
        self._check_group(self.defaults, name)
        self.state: defaultdict[Parameter, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        # Scratch arrays for temporaries, shared by parameters of one shape and dtype.
        self._scratch_pool: dict[tuple, list[np.ndarray]] = {}
        if isinstance(params, Module):
            raise TypeError(
                f"{name}: params must be an iterable of Parameters or of dicts; "
                f"got a {type(params).__name__} module; pass model.parameters()"
            )
        if isinstance(params, (Parameter, dict)):
            raise TypeError(
                f"{name}: params must be an iterable of Parameters or of dicts, got a single "
                f"{type(params).__name__}; wrap it in a list"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{name}: params must be an ordered collection (a list), not a set: the order "
                f"of a set changes between runs and state_dict indices rely on it"
            )
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(
                f"{name}: params must be an iterable of Parameters or of dicts, "
                f"got {type(params).__name__}"
            ) from None
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------- groups

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with hyper-parameters that override the defaults.

        Useful to unfreeze layers while training (as in PyTorch). A parameter may belong
        to one group only.
        """
        name = type(self).__name__
        index = len(self.param_groups)
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}: parameter group {index} must be a dict, got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{name}: parameter group {index} has no 'params' entry")
        params = param_group["params"]
        if isinstance(params, Parameter):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{name}: parameter group {index}: 'params' must be an ordered collection "
                f"(a list), not a set"
            )
        elif isinstance(params, Module):
            raise TypeError(
                f"{name}: parameter group {index}: 'params' is a {type(params).__name__} "
                f"module; pass model.parameters()"
            )
        else:
            params = list(params)
        for i, param in enumerate(params):
            if not isinstance(param, Parameter):
                raise TypeError(
                    f"{name} can only optimize fcnn Parameters, but parameter {i} of group "
                    f"{index} is a {type(param).__name__}"
                )
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{name}: parameter group {index} lists a parameter more than once")
        group: dict[str, Any] = {"params": params}
        for key, default in self.defaults.items():
            group[key] = param_group.get(key, default)
        for key, value in param_group.items():
            group.setdefault(key, value)
        self._check_group(group, f"{name}, parameter group {index}")
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError(
                f"{name}: some parameters of group {index} already belong to another "
                f"parameter group; a parameter may appear in one group only"
            )
        self.param_groups.append(group)
        self._init_group_state(group)

    # ----------------------------------------------------------------- subclass hooks

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        """Raise ValueError / TypeError for a bad hyper-parameter in ``group``."""

    def _init_group_state(self, group: dict[str, Any]) -> None:
        """Create state that exists before the first step (Adagrad's accumulator)."""

    def _step_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not implement _step_group")

    def _state_keys(self, group: dict[str, Any]) -> set[str]:
        """The keys of ``state[p]`` for a parameter of ``group`` that has been stepped."""
        return set()

    # ----------------------------------------------------------------- stepping

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero (lazily, in place: see ``Parameter``)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.zero_grad()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter from its ``.grad``, group by group.

        Parameters
        ----------
        closure : callable, optional
            Called first (it may recompute the loss and the gradients); its return value
            is returned, as in PyTorch.
        """
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _scratch(self, p: Parameter, k: int) -> np.ndarray:
        """The k-th temporary array shaped like ``p`` (allocated once, then reused)."""
        data = p.data
        pool = self._scratch_pool.get((data.shape, data.dtype))
        if pool is None or len(pool) <= k:
            pool = self._scratch_pool.setdefault((data.shape, data.dtype), [])
            while len(pool) <= k:
                pool.append(np.empty_like(data))
        return pool[k]

    def _update_scratch(self, p: Parameter) -> np.ndarray:
        """The scratch array :func:`_elementwise` wants for ``p`` (allocated once)."""
        data = p.data
        if data.size <= _CHUNK:
            return self._scratch(p, 1)
        pool = self._scratch_pool.setdefault(("chunk", data.dtype), [])
        if not pool:
            pool.append(np.empty(_CHUNK, data.dtype))
        return pool[0]

    def _grad(self, p: Parameter, weight_decay: float, maximize: bool) -> np.ndarray:
        """The gradient the update uses: ``±g + weight_decay·θ`` (``p.grad`` is not changed)."""
        if weight_decay == 0 and not maximize:
            return p.grad
        out = self._scratch(p, 0)
        if weight_decay != 0:
            np.multiply(p.data, weight_decay, out=out)  # λθ
            if maximize:
                np.subtract(out, p.grad, out=out)  # g ← -g + λθ
            else:
                np.add(out, p.grad, out=out)  # g ← g + λθ
        else:
            np.negative(p.grad, out=out)  # g ← -g
        return out

    # ----------------------------------------------------------------- checkpoints

    def state_dict(self) -> dict[str, Any]:
        """The optimiser's state in PyTorch's layout, with copied arrays.

        ``{"state": {index: {"step": int, name: ndarray, ...}}, "param_groups": [{...,
        "params": [index, ...]}]}``: parameters are numbered 0, 1, ... across the groups
        in order, so the dict does not refer to the Parameter objects and can be loaded
        into an optimiser built over another model of the same shape. Everything but the
        arrays is JSON-able.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state: dict[int, dict[str, Any]] = {}
        for p, entry in self.state.items():
            if entry and id(p) in index:
                state[index[id(p)]] = {
                    k: v.copy() if isinstance(v, np.ndarray) else copy.deepcopy(v)
                    for k, v in entry.items()
                }
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by :meth:`state_dict`.

        The optimiser must have as many groups, of the same sizes, as the one that saved
        it; every array must have its parameter's shape (it is copied and cast to the
        parameter's dtype). Nothing changes unless every check passes.
        """
        name = type(self).__name__
        where = f"{name}.load_state_dict"
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            keys = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict)
            raise ValueError(
                f"{where}: expected a dict with keys 'state' and 'param_groups', got {keys}"
            )
        saved_groups = state_dict["param_groups"]
        saved_state = state_dict["state"]
        if not isinstance(saved_groups, (list, tuple)) or not isinstance(saved_state, dict):
            raise ValueError(f"{where}: 'param_groups' must be a list and 'state' a dict")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{where}: the state dict has {len(saved_groups)} parameter group(s) but the "
                f"optimizer has {len(self.param_groups)}"
            )
        new_groups: list[dict[str, Any]] = []
        owner: dict[int, tuple[Parameter, dict[str, Any]]] = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
                raise ValueError(
                    f"{where}: parameter group {i} must be a dict with a 'params' list"
                )
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{where}: parameter group {i} has {len(saved['params'])} parameter(s) in "
                    f"the state dict but {len(group['params'])} in the optimizer"
                )
            new = dict(group)
            for key, value in saved.items():
                if key == "params":
                    continue
                if isinstance(group.get(key), tuple) and isinstance(value, list):
                    value = tuple(value)  # betas after a JSON round trip
                new[key] = copy.deepcopy(value)
            self._check_group(new, f"{where}, parameter group {i}")
            new_groups.append(new)
            for saved_id, p in zip(saved["params"], group["params"], strict=True):
                owner[int(saved_id)] = (p, new)
        new_state: defaultdict[Parameter, dict[str, Any]] = defaultdict(dict)
        for key, entry in saved_state.items():
            try:
                saved_id = int(key)  # JSON turns the integer keys into strings
            except (TypeError, ValueError):
                raise ValueError(f"{where}: state key {key!r} is not a parameter index") from None
            if saved_id not in owner:
                raise ValueError(
                    f"{where}: state for parameter {saved_id}, which no parameter group lists"
                )
            if not isinstance(entry, dict):
                raise ValueError(f"{where}: state for parameter {saved_id} must be a dict")
            # torch's SGD keeps "momentum_buffer": None where there is no buffer.
            entry = {k: v for k, v in entry.items() if v is not None}
            if not entry:
                continue
            p, group = owner[saved_id]
            expected = self._state_keys(group)
            if set(entry) != expected:
                raise ValueError(
                    f"{where}: state for parameter {saved_id} has entries {sorted(entry)}, but "
                    f"{name} with these settings keeps {sorted(expected)}"
                )
            restored: dict[str, Any] = {}
            for k, v in entry.items():
                if k == "step":
                    try:
                        step = float(np.asarray(v))
                    except (TypeError, ValueError):
                        step = -1.0
                    if not (step >= 0 and step == int(step)):
                        raise ValueError(
                            f"{where}: state for parameter {saved_id}: step={v!r} must be a "
                            f"non-negative integer"
                        )
                    restored[k] = int(step)
                    continue
                try:
                    # asarray first: objects with a plain __array__ (torch tensors) accept it
                    array = np.array(np.asarray(v), dtype=p.data.dtype, copy=True)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"{where}: state for parameter {saved_id}: {k!r} is not an array of numbers"
                    ) from None
                if array.shape != p.data.shape:
                    raise ValueError(
                        f"{where}: state for parameter {saved_id}: {k!r} has shape "
                        f"{array.shape} but the parameter has shape {p.data.shape}"
                    )
                restored[k] = array
            new_state[p] = restored
        for group, new in zip(self.param_groups, new_groups, strict=True):
            group.clear()
            group.update(new)
        self.state = new_state

    # ----------------------------------------------------------------- description

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            sizes = sum(p.data.size for p in group["params"])
            lines.append(f"Parameter Group {i} ({len(group['params'])} arrays, {sizes} values)")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        lines.append(")")
        return "\n".join(lines)


# --------------------------------------------------------------------------- SGD


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    With ``g`` the gradient (``-g`` when maximizing) plus ``weight_decay·θ``:
    ``b ← momentum·b + (1 - dampening)·g`` (``b₁ = g``), then ``θ ← θ - lr·b``, or with
    Nesterov ``θ ← θ - lr·(g + momentum·b)``. This is PyTorch's formulation (Sutskever
    et al., 2013, "On the importance of initialization and momentum in deep learning"),
    in which ``lr`` multiplies the buffer rather than the gradient (Polyak, 1964).

    Parameters
    ----------
    params : iterable of Parameter or of dict
    lr : float, default 1e-3
    momentum : float, default 0
    dampening : float, default 0
    weight_decay : float, default 0
        L2 penalty coefficient, added to the gradient.
    nesterov : bool, default False
        Needs ``momentum > 0`` and ``dampening = 0``.
    maximize : bool, default False
        Ascend the objective instead of descending it.
    """

    def __init__(
        self,
        params: Iterable[Parameter] | Iterable[dict],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        _at_least_zero(where, "lr", group["lr"], "learning rate")
        _at_least_zero(where, "momentum", group["momentum"], "momentum value")
        _in_range(where, "dampening", group["dampening"], "dampening value", high_open=False)
        _at_least_zero(where, "weight_decay", group["weight_decay"], "weight_decay value")
        _flag(where, "nesterov", group["nesterov"])
        _flag(where, "maximize", group["maximize"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{where}: nesterov=True requires momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _state_keys(self, group: dict[str, Any]) -> set[str]:
        return {"momentum_buffer"} if group["momentum"] != 0 else set()

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        momentum = float(group["momentum"])
        dampening = float(group["dampening"])
        weight_decay = float(group["weight_decay"])
        nesterov = bool(group["nesterov"])
        maximize = bool(group["maximize"])
        plain = weight_decay == 0 and not maximize
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            if not plain:
                g = self._grad(p, weight_decay, maximize)  # g ← ±∇ + λθ
            tmp = self._update_scratch(p)
            if momentum == 0:
                if p.data.size <= _CHUNK:  # one call: the tiny network's step is ~100 calls
                    _sgd_update(tmp, p.data, g, lr)
                else:
                    _elementwise(_sgd_update, tmp, p.data, g, lr=lr)
                continue
            state = self.state[p]
            buf = state.get("momentum_buffer")
            first = buf is None
            if first:
                buf = state["momentum_buffer"] = np.empty_like(g)
            _elementwise(
                _sgd_momentum_update,
                tmp,
                p.data,
                g,
                buf,
                lr=lr,
                momentum=momentum,
                dampening=dampening,
                nesterov=nesterov,
                first=first,
            )


def _sgd_update(tmp: np.ndarray, theta: np.ndarray, g: np.ndarray, lr: float) -> None:
    np.multiply(g, -lr, out=tmp)
    np.add(theta, tmp, out=theta)  # θ ← θ - lr·g


def _sgd_momentum_update(
    tmp: np.ndarray,
    theta: np.ndarray,
    g: np.ndarray,
    buf: np.ndarray,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    nesterov: bool,
    first: bool,
) -> None:
    if first:
        np.copyto(buf, g)  # b₁ = g
    else:
        np.multiply(buf, momentum, out=buf)  # b ← μ·b
        if dampening != 0:
            np.multiply(g, 1.0 - dampening, out=tmp)
            np.add(buf, tmp, out=buf)  #      + (1 - τ)·g
        else:
            np.add(buf, g, out=buf)  #        + g
    update = buf  # update = b
    if nesterov:
        np.multiply(buf, momentum, out=tmp)
        np.add(tmp, g, out=tmp)  # update = g + μ·b
        update = tmp
    np.multiply(update, -lr, out=tmp)
    np.add(theta, tmp, out=theta)  # θ ← θ - lr·update


# --------------------------------------------------------------------------- Adam / AdamW


def _check_betas(where: str, betas: Any) -> None:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{where}: betas={betas!r} must be a pair (beta1, beta2)")
    for i, beta in enumerate(betas):
        _in_range(where, f"betas[{i}]", beta, f"beta parameter at index {i}", high_open=True)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015, "Adam: A Method for Stochastic Optimization").

    With ``g`` the gradient (``-g`` when maximizing; plus ``weight_decay·θ`` unless the
    decay is decoupled), at step ``t``::

        m ← β₁·m + (1 - β₁)·g              v ← β₂·v + (1 - β₂)·g²
        θ ← θ - lr/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + eps)

    ``eps`` is added after the bias correction of ``√v``, as in PyTorch. With
    ``amsgrad=True`` (Reddi et al., 2018, "On the Convergence of Adam and Beyond") the
    running maximum of ``v`` replaces ``v`` in the denominator.

    Parameters
    ----------
    params : iterable of Parameter or of dict
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
        Decay rates of the first and second moment averages, each in [0, 1).
    eps : float, default 1e-8
    weight_decay : float, default 0
        L2 penalty added to the gradient (or, with ``decoupled_weight_decay``, AdamW's
        ``θ ← θ(1 - lr·weight_decay)``).
    amsgrad : bool, default False
    maximize : bool, default False
    decoupled_weight_decay : bool, default False
        True makes this optimiser :class:`AdamW`.
    """

    def __init__(
        self,
        params: Iterable[Parameter] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": tuple(betas) if isinstance(betas, list) else betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        _at_least_zero(where, "lr", group["lr"], "learning rate")
        _at_least_zero(where, "eps", group["eps"], "epsilon value")
        _check_betas(where, group["betas"])
        _at_least_zero(where, "weight_decay", group["weight_decay"], "weight_decay value")
        _flag(where, "amsgrad", group["amsgrad"])
        _flag(where, "maximize", group["maximize"])
        _flag(where, "decoupled_weight_decay", group["decoupled_weight_decay"])

    def _state_keys(self, group: dict[str, Any]) -> set[str]:
        keys = {"step", "exp_avg", "exp_avg_sq"}
        return keys | {"max_exp_avg_sq"} if group["amsgrad"] else keys

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        amsgrad = bool(group["amsgrad"])
        maximize = bool(group["maximize"])
        decoupled = bool(group["decoupled_weight_decay"])
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = np.zeros_like(p.data)  # m₀ = 0
                state["exp_avg_sq"] = np.zeros_like(p.data)  # v₀ = 0
            state["step"] += 1
            t = state["step"]
            if decoupled:
                if weight_decay != 0:
                    np.multiply(p.data, 1.0 - lr * weight_decay, out=p.data)  # θ ← θ(1 - lr·λ)
                g = self._grad(p, 0.0, maximize)
            else:
                g = self._grad(p, weight_decay, maximize)  # g ← ±∇ + λθ
            arrays = [p.data, g, state["exp_avg"], state["exp_avg_sq"]]
            if amsgrad:
                v_max = state.get("max_exp_avg_sq")
                if v_max is None:
                    v_max = state["max_exp_avg_sq"] = np.zeros_like(p.data)
                arrays.append(v_max)
            _elementwise(
                _adam_update,
                self._update_scratch(p),
                *arrays,
                beta1=beta1,
                beta2=beta2,
                eps=eps,
                step_size=lr / (1.0 - beta1**t),  # lr / (1 - β₁ᵗ)
                bias_correction2_sqrt=(1.0 - beta2**t) ** 0.5,  # √(1 - β₂ᵗ)
            )


def _adam_update(
    tmp: np.ndarray,
    theta: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    v_max: np.ndarray | None = None,
    *,
    beta1: float,
    beta2: float,
    eps: float,
    step_size: float,
    bias_correction2_sqrt: float,
) -> None:
    np.subtract(g, m, out=tmp)
    np.multiply(tmp, 1.0 - beta1, out=tmp)
    np.add(m, tmp, out=m)  # m ← m + (1 - β₁)(g - m) = β₁m + (1 - β₁)g
    np.multiply(g, g, out=tmp)
    np.multiply(tmp, 1.0 - beta2, out=tmp)
    np.multiply(v, beta2, out=v)
    np.add(v, tmp, out=v)  # v ← β₂v + (1 - β₂)g²
    if v_max is not None:
        np.maximum(v_max, v, out=v_max)  # AMSGrad: v̂ ← max(v̂, v)
        v = v_max
    # θ ← θ - step_size · m / (√v / √(1 - β₂ᵗ) + eps), PyTorch's formula, computed with
    # both sides of the fraction scaled by √(1 - β₂ᵗ): one division pass fewer.
    np.sqrt(v, out=tmp)
    np.add(tmp, eps * bias_correction2_sqrt, out=tmp)  # √v + eps·√(1 - β₂ᵗ)
    np.divide(m, tmp, out=tmp)
    np.multiply(tmp, -step_size * bias_correction2_sqrt, out=tmp)
    np.add(theta, tmp, out=theta)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019, "Decoupled Weight Decay
    Regularization").

    The decay shrinks the weights directly, ``θ ← θ(1 - lr·weight_decay)``, before the
    Adam update, instead of entering the gradient (and so the moment estimates). The rest
    is :class:`Adam`'s rule. Note the default ``weight_decay=1e-2``, as in PyTorch.

    Parameters
    ----------
    params, lr, betas, eps, amsgrad, maximize
        As for :class:`Adam`.
    weight_decay : float, default 1e-2
    """

    def __init__(
        self,
        params: Iterable[Parameter] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )


# --------------------------------------------------------------------------- RMSprop


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton, 2012, Coursera "Neural Networks for Machine Learning",
    lecture 6.5), optionally centered (Graves, 2013, "Generating Sequences With Recurrent
    Neural Networks").

    With ``g`` the gradient (``-g`` when maximizing) plus ``weight_decay·θ``::

        v ← α·v + (1 - α)·g²
        centered:  ḡ ← α·ḡ + (1 - α)·g,   d = √(v - ḡ²) + eps;   else d = √v + eps
        momentum:  b ← μ·b + g / d,  θ ← θ - lr·b;               else θ ← θ - lr·g / d

    Parameters
    ----------
    params : iterable of Parameter or of dict
    lr : float, default 1e-2
    alpha : float, default 0.99
        Smoothing constant of the squared-gradient average, in [0, 1].
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum : float, default 0
    centered : bool, default False
        Normalise by an estimate of the gradient's variance instead of its raw second
        moment.
    maximize : bool, default False
    """

    def __init__(
        self,
        params: Iterable[Parameter] | Iterable[dict],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        _at_least_zero(where, "lr", group["lr"], "learning rate")
        _at_least_zero(where, "eps", group["eps"], "epsilon value")
        _at_least_zero(where, "momentum", group["momentum"], "momentum value")
        _at_least_zero(where, "weight_decay", group["weight_decay"], "weight_decay value")
        _in_range(where, "alpha", group["alpha"], "alpha value", high_open=False)
        _flag(where, "centered", group["centered"])
        _flag(where, "maximize", group["maximize"])

    def _state_keys(self, group: dict[str, Any]) -> set[str]:
        keys = {"step", "square_avg"}
        if group["momentum"] > 0:
            keys.add("momentum_buffer")
        if group["centered"]:
            keys.add("grad_avg")
        return keys

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        alpha = float(group["alpha"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        momentum = float(group["momentum"])
        centered = bool(group["centered"])
        maximize = bool(group["maximize"])
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["square_avg"] = np.zeros_like(p.data)
            state["step"] += 1
            g = self._grad(p, weight_decay, maximize)  # g ← ±∇ + λθ
            v = state["square_avg"]
            tmp = self._scratch(p, 1)
            np.multiply(g, g, out=tmp)
            np.multiply(tmp, 1.0 - alpha, out=tmp)
            np.multiply(v, alpha, out=v)
            np.add(v, tmp, out=v)  # v ← αv + (1 - α)g²
            if centered:
                g_avg = state.get("grad_avg")
                if g_avg is None:
                    g_avg = state["grad_avg"] = np.zeros_like(p.data)
                np.subtract(g, g_avg, out=tmp)
                np.multiply(tmp, 1.0 - alpha, out=tmp)
                np.add(g_avg, tmp, out=g_avg)  # ḡ ← ḡ + (1 - α)(g - ḡ) = αḡ + (1 - α)g
                np.multiply(g_avg, g_avg, out=tmp)
                np.subtract(v, tmp, out=tmp)
                np.sqrt(tmp, out=tmp)  # √(v - ḡ²)
            else:
                np.sqrt(v, out=tmp)  # √v
            np.add(tmp, eps, out=tmp)  # d = ... + eps
            np.divide(g, tmp, out=tmp)  # g / d
            if momentum > 0:
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = np.zeros_like(p.data)
                np.multiply(buf, momentum, out=buf)
                np.add(buf, tmp, out=buf)  # b ← μb + g / d
                np.multiply(buf, -lr, out=tmp)
            else:
                np.multiply(tmp, -lr, out=tmp)
            np.add(p.data, tmp, out=p.data)  # θ ← θ - lr·(b or g / d)


# --------------------------------------------------------------------------- Adagrad


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011, "Adaptive Subgradient Methods for Online
    Learning and Stochastic Optimization").

    With ``g`` the gradient (``-g`` when maximizing) plus ``weight_decay·θ``, at step ``t``::

        clr = lr / (1 + (t - 1)·lr_decay)
        s ← s + g²                          (s₀ = initial_accumulator_value)
        θ ← θ - clr · g / (√s + eps)

    Parameters
    ----------
    params : iterable of Parameter or of dict
    lr : float, default 1e-2
    lr_decay : float, default 0
    weight_decay : float, default 0
    initial_accumulator_value : float, default 0
        A parameter group may set its own; PyTorch 2.13 ignores a group's value and
        uses the constructor's for every group, fcnn uses the group's.
    eps : float, default 1e-10
    maximize : bool, default False
    """

    def __init__(
        self,
        params: Iterable[Parameter] | Iterable[dict],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        _at_least_zero(where, "lr", group["lr"], "learning rate")
        _at_least_zero(where, "lr_decay", group["lr_decay"], "lr_decay value")
        _at_least_zero(where, "weight_decay", group["weight_decay"], "weight_decay value")
        _at_least_zero(
            where,
            "initial_accumulator_value",
            group["initial_accumulator_value"],
            "initial_accumulator_value",
        )
        _at_least_zero(where, "eps", group["eps"], "epsilon value")
        _flag(where, "maximize", group["maximize"])

    def _state_keys(self, group: dict[str, Any]) -> set[str]:
        return {"step", "sum"}

    def _init_group_state(self, group: dict[str, Any]) -> None:
        # As in PyTorch, the accumulator exists from construction (state_dict shows it).
        for p in group["params"]:
            self.state[p] = {
                "step": 0,
                "sum": np.full_like(p.data, float(group["initial_accumulator_value"])),
            }

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        lr_decay = float(group["lr_decay"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        maximize = bool(group["maximize"])
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if not state:
                self._init_group_state({**group, "params": [p]})
                state = self.state[p]
            state["step"] += 1
            clr = lr / (1.0 + (state["step"] - 1) * lr_decay)  # lr / (1 + (t - 1)·lr_decay)
            g = self._grad(p, weight_decay, maximize)  # g ← ±∇ + λθ
            s = state["sum"]
            tmp = self._scratch(p, 1)
            np.multiply(g, g, out=tmp)
            np.add(s, tmp, out=s)  # s ← s + g²
            np.sqrt(s, out=tmp)
            np.add(tmp, eps, out=tmp)  # √s + eps
            np.divide(g, tmp, out=tmp)
            np.multiply(tmp, -clr, out=tmp)
            np.add(p.data, tmp, out=p.data)  # θ ← θ - clr · g / (√s + eps)


# --------------------------------------------------------------------------- schedulers


class LRScheduler:
    """Base class of the learning-rate schedulers: sets ``group["lr"]`` on each ``step()``.

    Call ``scheduler.step()`` once per epoch (or per iteration), after
    ``optimizer.step()``, as in PyTorch. Building a scheduler stores each group's current
    ``lr`` as ``group["initial_lr"]`` (unless present) and takes the first step, which
    leaves the learning rates as they are.

    Parameters
    ----------
    optimizer : Optimizer
    last_epoch : int, default -1
        The index of the last epoch seen; -1 starts afresh. Resuming with a value >= 0
        needs ``"initial_lr"`` in every group (restore the optimiser's state dict first).

    Attributes
    ----------
    optimizer, last_epoch
    base_lrs : list of float
        Each group's ``initial_lr``.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an fcnn Optimizer, got {type(optimizer).__name__}")
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, (int, np.integer)):
            raise ValueError(f"{name}: last_epoch={last_epoch!r} must be an integer >= -1")
        if last_epoch < -1:
            raise ValueError(f"{name}: last_epoch={last_epoch!r} must be an integer >= -1")
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{name}(last_epoch={last_epoch}): parameter group {i} has no "
                        f"'initial_lr'; resuming needs the optimizer's state dict loaded first"
                    )
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for the epoch ``last_epoch`` (called by :meth:`step`)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr")

    def step(self) -> None:
        """Advance one epoch and set every group's ``lr``."""
        self._step_count += 1
        self.last_epoch += 1
        values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the latest step, one per parameter group."""
        return list(self._last_lr)

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimiser (save that with its own ``state_dict``); JSON-able."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict` of the same kind of scheduler."""
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise ValueError(f"{name}.load_state_dict: expected a dict, got {type(state_dict)}")
        expected = set(self.__dict__) - {"optimizer"}
        missing = sorted(expected - set(state_dict))
        unexpected = sorted(set(state_dict) - expected)
        if missing or unexpected:
            raise ValueError(
                f"{name}.load_state_dict: the state dict does not match this scheduler "
                f"(missing keys: {missing}, unexpected keys: {unexpected})"
            )
        self.__dict__.update(copy.deepcopy(state_dict))

    def __repr__(self) -> str:
        skip = {"optimizer", "base_lrs", "last_epoch"}
        args = [
            f"{k}={v!r}"
            for k, v in self.__dict__.items()
            if not k.startswith("_") and k not in skip
        ]
        return f"{type(self).__name__}({', '.join(args)}, last_epoch={self.last_epoch})"


def _check_gamma(where: str, gamma: Any) -> float:
    _require_number(where, "gamma", gamma, "decay factor")
    if not gamma > 0:
        raise ValueError(f"{where}: invalid decay factor gamma={gamma!r}; expected gamma > 0")
    return gamma


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    ``lr = initial_lr · gamma^⌊epoch / step_size⌋``, computed as PyTorch does, by one
    multiplication at each boundary.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Epochs between decays.
    gamma : float, default 0.1
    last_epoch : int, default -1
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = _positive_int("StepLR", "step_size", step_size)
        self.gamma = _check_gamma("StepLR", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]  # lr ← γ·lr


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each epoch listed in ``milestones``.

    ``lr = initial_lr · gamma^(number of milestones <= epoch)``; a milestone listed twice
    decays twice. ``milestones`` is kept as a sorted list.

    Parameters
    ----------
    optimizer : Optimizer
    milestones : iterable of int
        Epoch indices (non-negative).
    gamma : float, default 0.1
    last_epoch : int, default -1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            raise TypeError(f"MultiStepLR: milestones={milestones!r} must be a list of integers")
        values = list(milestones)
        for m in values:
            _non_negative_int("MultiStepLR", "milestones", m)
        self.milestones = sorted(int(m) for m in values)
        self.gamma = _check_gamma("MultiStepLR", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        hits = self.milestones.count(self.last_epoch)
        if hits == 0:
            return self._current_lrs()
        return [lr * self.gamma**hits for lr in self._current_lrs()]  # lr ← γ^hits·lr


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch: ``lr = initial_lr · gamma^epoch``.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
    last_epoch : int, default -1
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _check_gamma("ExponentialLR", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]  # lr ← γ·lr


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from ``initial_lr`` down to ``eta_min`` over ``T_max`` epochs
    (Loshchilov & Hutter, 2017, "SGDR: Stochastic Gradient Descent with Warm Restarts",
    without the restarts).

    ``lr_t = eta_min + (initial_lr - eta_min)·(1 + cos(π t / T_max)) / 2``; past
    ``T_max`` the cosine carries on upwards. The values come, as in PyTorch, from the
    recursive form (each lr from the previous one, so a change made to ``group["lr"]``
    between steps carries through)::

        lr_t = eta_min + (lr_{t-1} - eta_min)·(1 + cos(π t/T)) / (1 + cos(π (t-1)/T))

    with ``lr_t = lr_{t-1} + (initial_lr - eta_min)(1 - cos(π/T))/2`` at the epochs where
    the denominator vanishes (``t - 1 = T, 3T, ...``).

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Epochs of the half period.
    eta_min : float, default 0
    last_epoch : int, default -1
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = _positive_int("CosineAnnealingLR", "T_max", T_max)
        _at_least_zero("CosineAnnealingLR", "eta_min", eta_min, "minimum learning rate")
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise ValueError(
                f"CosineAnnealingLR: the optimizer has {len(groups)} parameter groups but the "
                f"scheduler was built for {len(self.base_lrs)}; build it after adding groups"
            )
        t, period, eta_min = self.last_epoch, self.T_max, self.eta_min
        if (t - 1 - period) % (2 * period) == 0:
            # lr_t = lr_{t-1} + (initial_lr - η_min)(1 - cos(π/T)) / 2
            cos_step = math.cos(math.pi / period)
            return [
                g["lr"] + (base - eta_min) * (1 - cos_step) / 2
                for base, g in zip(self.base_lrs, groups, strict=True)
            ]
        # lr_t = η_min + (lr_{t-1} - η_min)(1 + cos(πt/T)) / (1 + cos(π(t-1)/T))
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (g["lr"] - eta_min) + eta_min for g in groups]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the learning rate by ``factor`` when a metric stops improving.

    ``step(metric)`` after each evaluation. A metric improves on the best so far when
    (``mode="min"``) ``metric < best·(1 - threshold)`` for ``threshold_mode="rel"`` or
    ``metric < best - threshold`` for ``"abs"`` (mirrored for ``"max"``). After more than
    ``patience`` epochs without improvement each group's lr becomes
    ``max(lr·factor, min_lr)`` (unless that changes it by ``eps`` or less), and the count
    pauses for ``cooldown`` epochs. Unlike the other schedulers it does not set
    ``initial_lr`` and takes no step on construction, as in PyTorch.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {"min", "max"}, default "min"
    factor : float, default 0.1
        In [0, 1).
    patience : int, default 10
    threshold : float, default 1e-4
    threshold_mode : {"rel", "abs"}, default "rel"
    cooldown : int, default 0
    min_lr : float or list of float, default 0
        One for all groups, or one per group.
    eps : float, default 1e-8
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        where = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: expected an fcnn Optimizer, got {type(optimizer).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"{where}: mode={mode!r} must be 'min' or 'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{where}: threshold_mode={threshold_mode!r} must be 'rel' or 'abs'")
        _in_range(where, "factor", factor, "reduction factor", high_open=True)
        _at_least_zero(where, "threshold", threshold, "threshold")
        _at_least_zero(where, "eps", eps, "epsilon value")
        n_groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n_groups:
                raise ValueError(
                    f"{where}: min_lr has {len(min_lr)} values but the optimizer has "
                    f"{n_groups} parameter groups"
                )
            for value in min_lr:
                _at_least_zero(where, "min_lr", value, "minimum learning rate")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            _at_least_zero(where, "min_lr", min_lr, "minimum learning rate")
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n_groups
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = _non_negative_int(where, "patience", patience)
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = _non_negative_int(where, "cooldown", cooldown)
        self.eps = eps
        self.last_epoch = 0
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = self._current_lrs()

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return a < best * (1.0 - self.threshold)
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (1.0 + self.threshold)
        return a > best + self.threshold

    def step(self, metrics: float) -> None:  # type: ignore[override]
        """Record one epoch's metric (a loss, an accuracy) and reduce the lr on a plateau."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(
                f"ReduceLROnPlateau.step(metrics={metrics!r}): expected a number"
            ) from None
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise ValueError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter groups but "
                    f"min_lr lists {len(self.min_lrs)} values; update scheduler.min_lrs"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)  # lr ← max(factor·lr, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def __repr__(self) -> str:
        return (
            f"ReduceLROnPlateau(mode={self.mode!r}, factor={self.factor!r}, "
            f"patience={self.patience!r}, threshold={self.threshold!r}, "
            f"threshold_mode={self.threshold_mode!r}, cooldown={self.cooldown!r}, "
            f"min_lr={self.min_lrs if self.default_min_lr is None else self.default_min_lr!r}, "
            f"eps={self.eps!r})"
        )


# --------------------------------------------------------------------------- registries

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}

SCHEDULERS: dict[str, type[LRScheduler]] = {
    "step": StepLR,
    "multistep": MultiStepLR,
    "exponential": ExponentialLR,
    "cosine": CosineAnnealingLR,
    "plateau": ReduceLROnPlateau,
}


def get_optimizer(
    name: str, params: Iterable[Parameter] | Iterable[dict], **kwargs: Any
) -> Optimizer:
    """Build the optimiser registered as ``name`` (case-insensitive), e.g.
    ``get_optimizer("adam", model.parameters(), lr=1e-3)``."""
    return _lookup(OPTIMIZERS, name, "optimizer")(params, **kwargs)


def get_scheduler(name: str, optimizer: Optimizer, **kwargs: Any) -> LRScheduler:
    """Build the scheduler registered as ``name`` (case-insensitive), e.g.
    ``get_scheduler("cosine", opt, T_max=100)``."""
    return _lookup(SCHEDULERS, name, "scheduler")(optimizer, **kwargs)
