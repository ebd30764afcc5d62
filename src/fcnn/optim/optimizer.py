"""The :class:`Optimizer` base every optimiser shares, and its elementwise update machinery.

The base holds what ``torch.optim.Optimizer`` holds: parameter groups
(``add_param_group``), per-parameter ``state``, ``zero_grad``, ``step`` and checkpoints
(``state_dict`` / ``load_state_dict``); the checks of what it is given live beside it,
in ``_param_groups`` (``params``, a new group) and ``_state_dict`` (a state dict to
load). It also runs the part of a step every optimiser has in common, so that an
optimiser only writes its formula:

1. read the group's hyper-parameters once (``_settings``);
2. for each parameter, take the gradient, ``-g`` when maximizing, plus ``weight_decay·θ``
   unless the decay is decoupled (``_grad``);
3. create the state arrays it lacks, count the step (``state["step"]``);
4. run the elementwise update ``_update(settings, t, tmp, θ, g, *state arrays)`` in
   place, chunk by chunk for a large parameter (:func:`_elementwise`).

Updates run on ``Parameter.data`` and on the state arrays in the parameter's dtype:
the settings reach ``_update`` as 0-d arrays of that dtype (:meth:`Optimizer._typed`),
the scalars it computes itself are Python floats, which NumPy 2 never lets upcast a
float32 array. Temporaries come from a small scratch pool (one or two arrays per
distinct parameter shape), so a step allocates nothing after the first.

Everything per parameter is kept lean, for the tiny networks of the course (2-4-1),
whose step is a few microseconds of arithmetic: the calls are positional (keywords
would cost a quarter of the optimiser's step), each parameter's scratch is found once.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import numpy as np

from .. import checks
from ..constraints import check_max_norm, max_norm_
from ..core import Parameter
from ..i18n import N_, Message
from ._param_groups import read_param_group, read_params
from ._state_dict import read_state

__all__ = ["Optimizer", "hyperparameters"]

# checks.real's bounds for the hyper-parameters, shared by the optimisers' tables.
AT_LEAST_ZERO: dict[str, Any] = {"low": 0}
ZERO_TO_ONE: dict[str, Any] = {"low": 0, "high": 1}

# An update is up to a dozen elementwise passes (Adam) over arrays that, after a backward
# pass, live in main memory, not in cache: pass by pass, a 1024 × 1024 layer's Adam step
# moves ~13 × 12 MB. Run on chunks of this many entries instead, every pass after the
# first finds its operands in cache, and the parameter, its gradient and its state cross
# to memory about once (benchmarks/NOTES.md: the step's optimiser time 1.5-1.7× shorter).
_CHUNK = 1 << 16


def _elementwise(
    update: Callable[..., None], settings: tuple, t: int, tmp: np.ndarray, *arrays: np.ndarray
) -> None:
    """``update(settings, t, tmp, *arrays)``, an in-place elementwise update, chunk by chunk.

    ``tmp`` is the scratch array from :meth:`Optimizer._update_scratch`, ``_CHUNK``
    entries that every chunk reuses (so that it stays in cache). Elementwise means entry i
    of the outputs depends only on entry i of the inputs, so the result is bit-identical
    to one call on the whole arrays.
    """
    size = arrays[0].size
    if not all(a.flags.c_contiguous for a in arrays):  # a strided view: no flat view of it
        update(settings, t, np.empty_like(arrays[0]), *arrays)
        return
    flat = [a.reshape(-1) for a in arrays]
    for lo in range(0, size, _CHUNK):
        hi = min(lo + _CHUNK, size)
        update(settings, t, tmp[: hi - lo], *(f[lo:hi] for f in flat))


def hyperparameters(arguments: dict[str, Any]) -> dict[str, Any]:
    """An optimiser's defaults: its constructor's arguments (``locals()``) but ``params``."""
    return {k: v for k, v in arguments.items() if k not in ("self", "params", "__class__")}


class Optimizer:
    """Base class of every optimiser: parameter groups, per-parameter state, checkpoints.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        The parameters to optimise (``model.parameters()``), or parameter groups: dicts
        with a ``"params"`` entry and, optionally, hyper-parameters that override the
        defaults for that group, e.g. ``[{"params": body}, {"params": head, "lr": 1e-2}]``.
        A group may also set ``"max_norm": c`` (fcnn's own, torch.optim has none): after
        each step, every 2-D parameter of the group has each ROW, a unit's incoming
        weights in the ``(out, in)`` layout, rescaled to L2 norm ``<= c``
        (``fcnn.constraints.max_norm_``, Srivastava et al. 2014's max-norm); 1-D ones
        (biases) are left alone. ``Linear(..., max_norm=c)`` does the same per layer.
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
    An optimiser declares its hyper-parameters' bounds (``_reals``, ``_flags``, and
    ``_check_group`` for anything else) and writes four small pieces:

    - ``_settings(group)``: a tuple of the numbers its update multiplies by, computed
      once per step in Python floats (``1 - β₁``, ``-lr``); each float reaches
      ``_update`` as a 0-d array of the parameter's dtype, anything else (a flag, a
      nested tuple of numbers the update computes with) as it is;
    - ``_state_names(group)``: the state arrays, in the order ``_update`` takes them;
    - ``_update(settings, t, tmp, theta, g, *state_arrays)``: the elementwise rule, in
      place on ``theta`` (the parameter) and the state arrays; ``g`` is the gradient
      of step 2, ``tmp`` a scratch array of their shape. ``t`` is the parameter's step
      number, 1 at its first step; an optimiser that keeps no count
      (``_counts_steps = False``: SGD, as in PyTorch) is given ``t = 1`` at the step
      that creates its state and ``t = 0`` after;
    - optionally ``_fill(group)``, the value a new state array starts from (0).

    Its ``__init__`` names every hyper-parameter with its default (PyTorch's
    signature) and passes them on with :func:`hyperparameters`.
    """

    _reals: ClassVar[dict[str, dict[str, Any]]] = {
        "lr": AT_LEAST_ZERO,
        "weight_decay": AT_LEAST_ZERO,
    }
    _flags: tuple[str, ...] = ("maximize",)
    _counts_steps = True

    def __init__(self, params: Iterable[Parameter] | Iterable[dict], defaults: dict) -> None:
        name = type(self).__name__
        self.defaults = dict(defaults)
        self._check_group(self.defaults, name)
        self.state: defaultdict[Parameter, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        # Scratch arrays for temporaries, shared by parameters of one shape and dtype.
        self._scratch_pool: dict[tuple, list[np.ndarray]] = {}
        # Each parameter's update scratch, found once: (the p.data it was found for, tmp).
        self._held_scratch: dict[Parameter, tuple[np.ndarray, np.ndarray]] = {}
        # Each group's settings as 0-d arrays of a dtype (see _typed).
        self._typed_settings: dict[int, tuple[tuple, np.dtype, tuple]] = {}
        for group in read_params(name, params):
            self.add_param_group(group)

    # ----------------------------------------------------------------- groups

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with hyper-parameters that override the defaults.

        Useful to unfreeze layers while training (as in PyTorch). A parameter may belong
        to one group only.
        """
        group = read_param_group(self, param_group)
        self.param_groups.append(group)
        self._init_group_state(group)

    def _check_group(self, group: dict[str, Any], where: str, context: str | Message = "") -> None:
        """Raise TypeError / ValueError for a bad hyper-parameter in ``group``; ``context``
        (which group) is added to the message."""
        try:
            for key, bounds in self._reals.items():
                checks.real(where, key, group[key], **bounds)
            for key in self._flags:
                checks.flag(where, key, group[key])
            check_max_norm(where, group.get("max_norm"))
            self._check_more(group, where)
        except (TypeError, ValueError) as error:
            if not context:
                raise
            said = error.args[0] if len(error.args) == 1 else str(error)  # a Message stays one
            raise type(error)(
                Message("checks", N_("{error} (in {context})"), error=said, context=context)
            ) from None

    def _check_more(self, group: dict[str, Any], where: str) -> None:
        """Checks beyond the tables (SGD's Nesterov condition, Adam's betas)."""

    def _init_group_state(self, group: dict[str, Any]) -> None:
        """Create state that exists before the first step (Adagrad's accumulator)."""

    # ----------------------------------------------------------------- what a subclass writes

    def _settings(self, group: dict[str, Any]) -> tuple:
        raise NotImplementedError(f"{type(self).__name__} does not implement _settings")

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ()

    def _fill(self, group: dict[str, Any]) -> float:
        return 0.0

    @staticmethod
    def _update(settings: tuple, t: int, tmp: np.ndarray, *arrays: np.ndarray) -> None:
        raise NotImplementedError("an optimiser writes its elementwise _update")

    def _state_keys(self, group: dict[str, Any]) -> set[str]:
        """The keys of ``state[p]`` for a parameter of ``group`` that has been stepped."""
        names = set(self._state_names(group))
        return names | {"step"} if self._counts_steps and names else names

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
            radius = group.get("max_norm")  # the group's max-norm, if it has one
            if radius is not None:
                for p in group["params"]:
                    if p.data.ndim == 2:
                        max_norm_(p.data, radius)
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:
        """The steps 1-4 of the module docstring, for every parameter of ``group``."""
        settings = self._settings(group)
        maximize = bool(group["maximize"])
        decay = 0.0 if group.get("decoupled_weight_decay") else float(group["weight_decay"])
        plain = decay == 0 and not maximize
        names = self._state_names(group)
        update = self._update
        held = self._held_scratch
        t = 0
        arrays: list[np.ndarray] = []
        dtype = typed = None
        for p in group["params"]:
            data = p.data
            if data.dtype is not dtype:
                dtype = data.dtype
                typed = self._typed(group, settings, dtype)
            g = p.grad if plain else self._grad(p, decay, maximize)  # g ← ±∇ + λθ
            if names:
                t, arrays = self._step_state(p, group, names)
            data_and_tmp = held.get(p)
            if data_and_tmp is None or data_and_tmp[0] is not data:  # new, or p.data replaced
                data_and_tmp = held[p] = (data, self._update_scratch(p))
            if data.size <= _CHUNK:  # one call, no slicing: tiny networks feel every µs
                update(typed, t, data_and_tmp[1], data, g, *arrays)
            else:
                _elementwise(update, typed, t, data_and_tmp[1], data, g, *arrays)

    def _typed(self, group: dict[str, Any], settings: tuple, dtype: np.dtype) -> tuple:
        """``settings`` with every float as a 0-d array of ``dtype``, kept while they last.

        NumPy multiplies an array by such a scalar in half the time it takes with a
        Python float, which it must first convert (a tenth of a tiny network's step). The
        numbers are the same: either way the float is rounded once to ``dtype``.
        """
        known = self._typed_settings.get(id(group))
        if known is None or known[1] is not dtype or known[0] != settings:
            typed = tuple(np.array(x, dtype) if isinstance(x, float) else x for x in settings)
            known = self._typed_settings[id(group)] = (settings, dtype, typed)
        return known[2]

    def _step_state(
        self, p: Parameter, group: dict[str, Any], names: tuple[str, ...]
    ) -> tuple[int, list[np.ndarray]]:
        """Count ``p``'s step and return its number and state arrays (created if missing)."""
        state = self.state[p]
        fresh = not state
        if len(state) < len(names) + self._counts_steps:
            self._add_missing_state(p, group, state)
        if self._counts_steps:
            t = state["step"] = state["step"] + 1
        else:
            t = 1 if fresh else 0
        return t, [state[name] for name in names]

    def _add_missing_state(self, p: Parameter, group: dict[str, Any], state: dict) -> None:
        """Give ``state`` the entries a parameter of ``group`` has before its first step."""
        if self._counts_steps:
            state.setdefault("step", 0)
        for name in self._state_names(group):
            if name not in state:
                state[name] = np.full_like(p.data, self._fill(group))

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
        """The ``tmp`` of ``_update``: shaped like ``p`` for a parameter of at most
        ``_CHUNK`` entries, else one chunk long (allocated once)."""
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
        new_groups, new_state = read_state(self, state_dict)
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
