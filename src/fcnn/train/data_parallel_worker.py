"""What runs on a Dask worker during ``fit(..., dask=client)``: one shard's part of a
global batch, forward and backward, and the sum of two shards' parts.

Every task here is a pure function of its arguments and of what the worker keeps in
``_KEPT`` (its copy of the model, its array shards, its place in a streamed shard):
when something is missing (the worker is new, or Dask ran the task on another worker
after a death) the task either rebuilds it (a streamed shard is re-read from the start
of the epoch and the batches already done are skipped) or raises :class:`ShardMissing`,
on which the driver ships the array shard to that worker and asks again. So a task run
twice, anywhere, returns the same numbers: the driver can retry a step whose worker died
without changing the result.

No import of Dask here except inside the functions that need it: this module is
unpickled on the workers by name.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.stream.shuffle import rebatch
from ..i18n import N_, Message

__all__ = ["Partial", "ShardMissing", "WorkerFailure", "add_partials", "shard_gradient"]

_KEPT: dict[Any, Any] = {}  # (run id, what) → a model, an array shard, a stream position
_LOCK = threading.Lock()  # a worker with several threads runs tasks side by side


class ShardMissing(Exception):  # (a signal to the driver, not an error)
    """This worker has not got the array shard the task needs (the driver ships it)."""

    def __init__(self, shard: int, worker: str) -> None:
        super().__init__(shard, worker)
        self.shard, self.worker = shard, worker


class WorkerFailure(RuntimeError):
    """An error in a shard's task, as one line naming the worker, shard and step."""


@dataclass
class Partial:
    """One shard's (or a sum of shards') part of a global batch.

    ``grads`` hold the gradient of the *sum* of the rows' losses (a mean-reduced loss's
    gradient times the rows), so that parts add up to the global batch's sum; the driver
    divides by the global batch's rows. ``loss`` is likewise the sum of the losses.
    """

    grads: list[np.ndarray] | None
    loss: float
    rows: int
    output: np.ndarray | None
    target: np.ndarray | None


@dataclass
class Template:
    """What every shard's task shares in a run: the model (weights replaced each step),
    the training loss, the conversion of a streamed batch, the source and shard count."""

    run: str
    model: Any
    loss: Any
    prepare: Any
    source: Any
    shards: int
    seed: int
    outputs: bool


def _worker_address() -> str:
    from distributed import get_worker

    return get_worker().address


def keep_shard(run: str, shard: int, X: np.ndarray, Y: np.ndarray, begin: int) -> str:
    """Keep rows ``begin:begin+len(X)`` of the training arrays as ``shard`` here."""
    with _LOCK:
        _KEPT[(run, "shard", shard)] = (X, Y, begin)
    return _worker_address()


def hold(value: Any) -> Any:
    """``value`` itself: a task whose result is the weights it was sent with."""
    return value


def forget(run: str) -> int:
    """Drop everything kept for ``run`` (``fit`` is over); how many things were kept."""
    with _LOCK:
        keys = [key for key in _KEPT if key[0] == run]
        for key in keys:
            del _KEPT[key]
    return len(keys)


def _model(template: Template, weights: list[np.ndarray]) -> Any:
    key = (template.run, "model")
    with _LOCK:
        if key not in _KEPT:
            model = copy.deepcopy(template.model)
            model.train()
            _KEPT[key] = (model, copy.deepcopy(template.loss), list(model.parameters()))
        model, loss, params = _KEPT[key]
    for param, value in zip(params, weights, strict=True):
        param.data = value  # only read by forward and backward here
    return model, loss, params


def _reseed(model: Any, seed: int, epoch: int, step: int, shard: int) -> None:
    # Dropout masks: one stream per (epoch, step, shard), so that a task run again draws
    # the same masks and two shards never draw the same ones.
    for index, module in enumerate(model.modules()):
        for name, value in list(vars(module).items()):
            if isinstance(value, np.random.Generator):
                setattr(module, name, np.random.default_rng([seed, epoch, step, shard, index]))


def _array_rows(template, plan, shard, step):
    found = _KEPT.get((template.run, "shard", shard))
    if found is None:
        raise ShardMissing(shard, _worker_address())
    X, Y, begin = found
    order, batch_size, n = plan["order"], plan["batch_size"], plan["n"]
    stop = min((step + 1) * batch_size, n)
    rows = np.arange(step * batch_size, stop) if order is None else order[step * batch_size : stop]
    mine = rows[(rows >= begin) & (rows < begin + len(X))] - begin
    return X[mine], Y[mine]


def _shard_batches(template: Template, plan: dict[str, Any], shard: int):
    source = template.source
    # Chunks dealt round-robin; each shard visits its own in an order drawn from the
    # epoch's seed and mixes them in its own buffer (rows of one shard never meet
    # another's: each global batch takes one batch of every shard).
    rng = None
    if plan["shuffle"]:
        rng = np.random.default_rng([plan["seed"], plan["epoch"], shard])
    chunks = source.shard(shard, template.shards).chunks(rng)
    size = plan["batch_size"] // template.shards + (shard < plan["batch_size"] % template.shards)
    return rebatch(chunks, max(size, 1), rng, source.shuffle_buffer)


def _source_rows(template, plan, shard, step):
    import dask

    key = (template.run, "stream", shard)
    where = _KEPT.get(key)
    if where is None or where[0] != plan["epoch"] or where[1] != step:
        # New here, or not where this step starts: read the epoch again up to the step.
        batches = _shard_batches(template, plan, shard)
        for _ in range(step):
            next(batches, None)
        where = (plan["epoch"], step, batches)
    with dask.config.set(scheduler="sync"):  # a Dask source's chunk computed right here
        batch = next(where[2], None)
    _KEPT[key] = (plan["epoch"], step + 1, where[2])
    if batch is None:
        return None, None
    return template.prepare(*batch)


def shard_gradient(
    template: Template, weights: list[np.ndarray], plan: dict[str, Any], shard: int, step: int
) -> Partial:
    """The gradient of the summed loss over ``shard``'s rows of global batch ``step``."""
    try:
        model, loss, params = _model(template, weights)
        rows_of = _source_rows if template.source is not None else _array_rows
        x, target = rows_of(template, plan, shard, step)
        if x is None or len(x) == 0:
            return Partial(None, 0.0, 0, None, None)
        _reseed(model, template.seed, plan["epoch"], step, shard)
        out = model.forward(x)
        value = float(loss.forward(out, target))
        for param in params:
            param.zero_grad()
        model.backward_to_parameters(loss.backward())
        # A mean over these rows → the sum over them (the driver divides by all rows).
        scale = len(x) if getattr(loss, "reduction", "mean") == "mean" else 1
        grads = [param.grad * scale for param in params]
        keep = template.outputs
        return Partial(
            grads, value * scale, len(x), out if keep else None, target if keep else None
        )
    except ShardMissing:
        raise
    except Exception as err:
        # Messages, so that the driver says them in its own language when it prints them
        where = N_("epoch {epoch}, step {step}, shard {shard}")
        said = {
            "error": type(err).__name__,
            "worker": _worker_address(),
            "where": Message("train", where, epoch=plan["epoch"] + 1, step=step + 1, shard=shard),
            "message": " ".join(str(err).split()) or Message("train", N_("(no message)")),
        }
        template = N_("fit(dask=...): {error} on worker {worker} ({where}): {message}")
        raise WorkerFailure(Message("train", template, **said)) from None


def _join(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None or b is None:
        return a if b is None else b
    return np.concatenate([a, b])


def add_partials(a: Partial, b: Partial) -> Partial:
    """Two parts summed (new arrays: a task run again must find its inputs unchanged)."""
    if a.grads is None or b.grads is None:
        grads = a.grads if b.grads is None else b.grads
    else:
        grads = [np.add(x, y) for x, y in zip(a.grads, b.grads, strict=True)]
    return Partial(
        grads,
        a.loss + b.loss,
        a.rows + b.rows,
        _join(a.output, b.output),
        _join(a.target, b.target),
    )
