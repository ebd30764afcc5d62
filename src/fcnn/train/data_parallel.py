"""``fit(..., dask=client)``: synchronous data-parallel SGD on a Dask cluster.

The driver (the process calling ``fit``) keeps everything ``fit`` keeps: the model, the
optimiser and its state, the callbacks, the run directory. The data is cut into one
*shard* per worker: in-memory arrays into row slices sent once, each straight to its
worker; a :class:`~fcnn.data.stream.BatchSource` into chunks dealt round-robin, each
worker reading its own (never through the driver). Then, for every global batch:

1. the current weights go to every worker (a task per worker carrying them: a few
   milliseconds for millions of float32 weights on one machine);
2. each shard's task (``data_parallel_worker.shard_gradient``) runs forward and
   backward on its rows of the batch and returns the gradient of the *sum* of their
   losses (a mean-reduced loss's gradient times its rows);
3. the parts are added pairwise, shard 0 + 1, 2 + 3, then those sums, ... (a tree:
   ``log2(shards)`` levels, each addition on a worker that holds one of its inputs; the
   driver receives one sum);
4. the driver divides by the batch's rows (so the gradient is the full batch's mean),
   and takes *one* optimiser step, then the constraints, exactly as
   :class:`~fcnn.train.step.TrainStep` does.

The step is taken on the driver, not on every worker, because then the optimiser state,
learning-rate schedules, callbacks and checkpoints are ordinary ``fit``'s, untouched; the
price is that the new weights travel out every step, as the gradients travel back.

Arrays keep ``fit``'s global batches: the epoch's permutation is drawn from the same
generator, and each shard takes the batch's rows that fall in its slice; the summed
gradient is the single-process one (to rounding). A source's global batch is one
batch of every shard (``batch_size / shards`` rows each).

Not the same as one process: BatchNorm would see per-shard statistics and is refused;
dropout masks come from per-shard streams (seeded by epoch, step and shard), not from
the model's generator; a weighted mean loss (``class_weight``, a loss with ``weight``)
is refused, since its parts would have to be weighted by their sums of weights.

Faults: every task is a pure function of its arguments (see the worker module); when a
worker dies, Dask runs its tasks again elsewhere, the shard it held is shipped again
where they ran, and the step is asked again: training continues from the last
completed step, with the same numbers.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..core import Module
from ..data.stream import BatchSource
from ..i18n import N_, Message
from ..layers import BatchNorm1d
from .data_parallel_worker import (
    Partial,
    ShardMissing,
    Template,
    WorkerFailure,
    add_partials,
    forget,
    hold,
    keep_shard,
    shard_gradient,
)
from .step import StepResult

__all__ = ["DataParallel", "DataParallelError"]

MAX_ATTEMPTS = 8  # tries of one step before a lost worker is reported as an error (the
# pauses grow 0.5 s a try, 14 s in all: a worker restarted on a busy machine needs seconds)
RETRY_SECONDS = 0.5  # times the attempt: the pause before trying a step again


class DataParallelError(RuntimeError):
    """Training on Dask failed: one line saying where and why."""


class GlobalBatch:
    """One global batch as the loop sees it: its length (rows) and its summed part."""

    __slots__ = ("part",)

    def __init__(self, part: Partial) -> None:
        self.part = part

    def __len__(self) -> int:
        return self.part.rows


class _Mapped:
    """A memory-mapped array as its file (sent to a worker instead of its contents)."""

    def __init__(self, array: np.memmap) -> None:
        self.args = (array.filename, array.dtype, "r", array.offset, array.shape)
        self.order = "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"

    def __reduce__(self):
        return np.memmap, (*self.args, self.order)


def _portable(source: BatchSource) -> BatchSource:
    """A shallow copy of ``source`` whose memory maps travel as file names."""
    clone = copy.copy(source)
    for name, value in vars(source).items():
        if isinstance(value, np.memmap) and value.filename:
            setattr(clone, name, _Mapped(value))
    return clone


def _refuse(model: Module, loss: Any, data: Any, class_weight: Any) -> None:
    for module in model.modules():
        if isinstance(module, BatchNorm1d):
            template = N_(
                "fit(dask=...): BatchNorm1d would normalise each worker's rows with their "
                "own statistics, not the batch's; train it in one process, or without it"
            )
            raise ValueError(Message("train", template))
    if class_weight is not None or getattr(loss, "weight", None) is not None:
        template = N_(
            "fit(dask=...): a weighted mean loss (class_weight=, a loss with weight=) is "
            "not supported on Dask; train it in one process"
        )
        raise ValueError(Message("train", template))
    if isinstance(data, BatchSource) and data.n_chunks is None:
        template = N_(
            "fit(dask=...): {source} can only be read in its own order, so it cannot be "
            "shared between workers; convert it to Parquet or .npy"
        )
        raise ValueError(Message("train", template, source=repr(data)))


class DataParallel:
    """Data-parallel training of ``model`` on the workers of ``client``.

    ``fit`` builds one when given ``dask=``; :meth:`epoch` gives each epoch's global
    batches (computed on the workers) and :meth:`step` takes the optimiser step on one;
    use it as a context manager (leaving it frees what the workers keep).
    """

    def __init__(
        self, client, model, loss, optimizer, data, *, prepare, seed, outputs, class_weight=None
    ):
        try:
            from distributed import Client
        except ImportError:
            from ..interop.optional import install_hint

            raise RuntimeError(install_hint("fit-dask")) from None
        if not isinstance(client, Client):
            template = N_("fit: dask= expects a distributed.Client, got {type}")
            raise TypeError(Message("train", template, type=type(client).__name__))
        _refuse(model, loss, data, class_weight)
        self.client, self.model, self.optimizer = client, model, optimizer
        self.params = list(model.parameters())
        self.mean = getattr(loss, "reduction", "mean") == "mean"
        self.constrained = tuple(model.constrained_modules())
        workers = sorted(client.scheduler_info()["workers"])
        if not workers:
            raise DataParallelError(
                Message("train", N_("fit(dask=...): the cluster has no workers"))
            )
        self.run = uuid.uuid4().hex
        self.source = data if isinstance(data, BatchSource) else None
        self.shards = len(workers)
        if self.source is not None:
            self.shards = max(1, min(self.shards, self.source.n_chunks))
        self.owner = {k: workers[k % len(workers)] for k in range(self.shards)}
        template = Template(
            self.run,
            model,
            loss,
            prepare,
            None if self.source is None else _portable(self.source),
            self.shards,
            # Dropout's streams: from fit's seed, or fresh (then a resumed run draws others).
            np.random.SeedSequence().entropy % 2**63 if seed is None else seed,
            outputs,
        )
        self.template = client.scatter(template, broadcast=True, hash=False)
        self.slices: dict[int, tuple[np.ndarray, np.ndarray, int]] = {}
        if self.source is None:
            X, Y = data
            bounds = np.linspace(0, len(X), self.shards + 1).astype(int)
            for k in range(self.shards):
                self.slices[k] = (
                    X[bounds[k] : bounds[k + 1]],
                    Y[bounds[k] : bounds[k + 1]],
                    bounds[k],
                )
                self._ship(k, self.owner[k])
        self.n = None if self.source is None else self.source.n_rows
        self.n_rows = len(data[0]) if self.source is None else None

    # ---------------------------------------------------------------- the cluster side

    def _ship(self, shard: int, worker: str) -> None:
        X, Y, begin = self.slices[shard]
        sent = self.client.scatter([X, Y], workers=[worker], hash=False)
        self.client.submit(
            keep_shard, self.run, shard, *sent, begin, workers=[worker], pure=False
        ).result()
        self.owner[shard] = worker

    def _tree(self, futures: list[Any]) -> Any:
        # Pairwise sums level by level, in shard order (so the rounding never depends on
        # which worker held what).
        while len(futures) > 1:
            pairs = [
                self.client.submit(add_partials, futures[i], futures[i + 1], pure=False)
                for i in range(0, len(futures) - 1, 2)
            ]
            futures = pairs + futures[len(futures) - len(futures) % 2 :]
        return futures[0]

    def _compute(self, plan: Any, step: int) -> Partial:
        from distributed import KilledWorker

        for attempt in range(MAX_ATTEMPTS):
            try:
                return self._attempt(plan, step)
            except ShardMissing as missing:  # a worker died: its shard goes where Dask ran
                lost = missing
            except WorkerFailure as err:
                raise DataParallelError(*err.args) from None  # its Message, said when read
            except KilledWorker as err:
                template = N_(
                    "fit(dask=...): a worker died again and again running a step ({error})"
                )
                raise DataParallelError(Message("train", template, error=str(err))) from None
            except Exception as err:  # a worker leaving mid-way (a scatter to it, lost data)
                if attempt + 1 == MAX_ATTEMPTS:
                    raise
                lost = err
            time.sleep(RETRY_SECONDS * attempt)  # let the scheduler see the loss
            try:
                if isinstance(lost, ShardMissing):
                    self._ship(lost.shard, lost.worker)
            except Exception:  # that worker went too: the next attempt finds another
                pass
        template = N_("fit(dask=...): step {step} failed {attempts} times as workers were lost")
        raise DataParallelError(Message("train", template, step=step + 1, attempts=MAX_ATTEMPTS))

    def _attempt(self, plan: Any, step: int) -> Partial:
        # The weights go out as a task per worker (the argument travels with the task),
        # not scattered: a task's result is remade by Dask when its worker dies, while a
        # scatter to a worker that has just died waits half a minute for it.
        weights = [p.data for p in self.params]
        sent = {
            worker: self.client.submit(
                hold, weights, workers=[worker], allow_other_workers=True, pure=False
            )
            for worker in set(self.owner.values())
        }
        parts = [
            self.client.submit(
                shard_gradient,
                self.template,
                sent[self.owner[k]],
                plan,
                k,
                step,
                workers=[self.owner[k]],
                allow_other_workers=True,
                pure=False,
            )
            for k in range(self.shards)
        ]
        return self._tree(parts).result()

    def close(self) -> None:
        try:
            self.client.run(forget, self.run)
        except Exception:  # the cluster may be gone already; nothing is left to free then
            pass
        self.template = None

    def __enter__(self) -> DataParallel:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---------------------------------------------------------------- the loop's side

    def epoch(
        self, epoch: int, batch_size: int, shuffle: bool, shuffle_rng: np.random.Generator
    ) -> Iterator[tuple[GlobalBatch, np.ndarray | None]]:
        """The epoch's global batches, each computed (forward and backward) on the
        workers with the current weights when it is asked for."""
        if self.source is None:
            # Drawn as fit draws it in one process: the same batches, the same generator.
            order = shuffle_rng.permutation(self.n_rows) if shuffle else None
            if order is not None:
                order = self.client.submit(hold, order, pure=False)  # fetched once per worker
            plan = {"epoch": epoch, "order": order, "batch_size": batch_size, "n": self.n_rows}
            steps = range(-(-self.n_rows // batch_size))
        else:
            seed = int(shuffle_rng.integers(2**63)) if shuffle else 0
            plan = {"epoch": epoch, "seed": seed, "shuffle": shuffle, "batch_size": batch_size}
            steps = iter(int, 1)  # until every shard is exhausted
        for step, _ in enumerate(steps):
            part = self._compute(plan, step)
            if part.rows == 0:
                return
            yield GlobalBatch(part), part.target

    def step(self, batch: GlobalBatch, target: Any, before_update: Any = None) -> StepResult:
        """:class:`~fcnn.train.step.TrainStep`'s update, with the gradient the workers
        computed: the callbacks see the loss, then one optimiser step and the constraints."""
        part = batch.part
        value = part.loss / part.rows if self.mean else part.loss
        if before_update is not None and not before_update(value):
            return StepResult(value, 0.0, part.output, False)
        scale = 1.0 / part.rows if self.mean else 1.0
        for param, grad in zip(self.params, part.grads, strict=True):
            np.multiply(grad, scale, out=param.grad)
        self.optimizer.step()
        for module in self.constrained:
            module._constrain()
        return StepResult(value, 0.0, part.output, True)
