"""``fit`` and ``evaluate``: the training loop people expect, on fcnn's explicit backward.

One step is ``fcnn.train.step.TrainStep`` — ``out = model(xb); loss(out, yb);
optimizer.zero_grad(); model.backward_to_parameters(loss.backward()); optimizer.step()``,
the same step the playground and the scikit-learn estimators take. The loop adds
batching, shuffling, validation, metrics, callbacks, progress, divergence protection and
resumable run directories around it, and nothing inside it. Data larger than memory
comes as a :class:`~fcnn.data.stream.BatchSource`, whose epochs ``train/streaming.py``
reads; the loop is the same.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from contextlib import closing, nullcontext
from pathlib import Path
from typing import Any

import numpy as np

from .. import checks
from ..core import Module, default_rng
from ..data.stream import BatchSource
from ..i18n import N_
from ..losses import prepare_targets, resolve_loss
from ..losses.weights import with_class_weights
from ..optim import OPTIMIZERS, Optimizer
from .callbacks import Callback, DivergenceGuard, TrainState
from .history import History
from .inputs import _as_features, _as_targets, _rows_differ, _said, _split_validation
from .live import LivePlot
from .progress import Progress
from .rundir import RunFiles
from .scores import ScoreSums
from .scores import metric_names as _metric_names
from .scores import score as _score
from .step import TrainStep
from .streaming import first_batch, source_outputs, stream_config, stream_epoch

__all__ = ["evaluate", "fit", "prepare_targets", "resolve_loss"]


def _resolve_optimizer(optimizer: Any, model: Module, lr: float | None) -> Optimizer:
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            template = N_("optimizer={optimizer!r}: expected one of {names}")
            raise ValueError(_said(template, optimizer=optimizer, names=", ".join(OPTIMIZERS)))
        kwargs = {} if lr is None else {"lr": lr}
        return OPTIMIZERS[optimizer](model.parameters(), **kwargs)
    if not isinstance(optimizer, Optimizer):
        template = N_("optimizer={optimizer!r}: expected an fcnn optimizer or a name")
        raise TypeError(_said(template, optimizer=optimizer))
    if lr is not None:
        template = N_("lr= applies to an optimizer given by name; set it on your optimizer instead")
        raise ValueError(_said(template))
    return optimizer


def evaluate(
    model: Module,
    X: Any,
    y: Any = None,
    *,
    loss: Any = None,
    metrics: Sequence[str] | None = None,
    batch_size: int = 4096,
) -> dict[str, float]:
    """Loss and metrics of ``model`` on ``(X, y)`` in eval mode.

    ``X`` may be a :class:`~fcnn.data.stream.BatchSource` (``y`` None: the source gives
    the targets), read batch by batch. Returns ``{"loss": ..., "<metric>": ...}``;
    classification losses report accuracy unless ``metrics`` says otherwise.
    """
    if isinstance(X, BatchSource):
        return _evaluate_source(model, X, y, loss, metrics, batch_size)
    if y is None:
        template = N_("{where}: y is missing (targets are needed beside arrays X)")
        raise TypeError(_said(template, where="evaluate"))
    X = _as_features("evaluate", "X", X, model.dtype)
    output = model.predict(X, batch_size=batch_size)
    y = _as_targets("y", y)
    loss = resolve_loss(loss, y, output.shape[1])
    target = prepare_targets(loss, y, output.shape[1], model.dtype)
    if len(target) != len(output):
        raise _rows_differ(len(output), len(target))
    results = {"loss": float(loss(output, target))}
    results.update(_score(loss, _metric_names(metrics, loss), output, target))
    return results


def _evaluate_source(model, source, y, loss, metrics, batch_size) -> dict[str, float]:
    """``evaluate`` on a source: the loss and metrics added batch by batch (memory: one
    batch of outputs), the loss chosen from the first batch's targets."""
    if y is not None:
        template = N_("evaluate: y= is not used with a data source ({source!r})")
        raise ValueError(_said(template, source=source))
    sums = None
    with closing(source_outputs(model, source, batch_size)) as batches:
        for output, yb in batches:
            if yb is None:
                template = N_("evaluate: {source!r} gives no targets; give it a target column")
                raise ValueError(_said(template, source=source))
            yb = _as_targets("y", yb)
            if sums is None:
                loss = resolve_loss(loss, yb, output.shape[1])
                sums = ScoreSums(loss, _metric_names(metrics, loss))
            sums.add(output, prepare_targets(loss, yb, output.shape[1], model.dtype))
    if sums is None:
        raise ValueError(_said(N_("{source!r} gave no rows"), source=source))
    return sums.result()


def _array_epoch(X, Y, batch_size, order):
    """One in-memory epoch's batches: views of one permuted copy (or of the data)."""
    X_epoch, Y_epoch = (X, Y) if order is None else (X[order], Y[order])
    for begin in range(0, len(X), batch_size):
        yield X_epoch[begin : begin + batch_size], Y_epoch[begin : begin + batch_size]


def fit(
    model: Module,
    X: Any,
    y: Any = None,
    *,
    loss: Any = None,
    optimizer: Any = "adam",
    lr: float | None = None,
    epochs: int = 10,
    batch_size: int = 32,
    validation_data: tuple | None = None,
    validation_split: float = 0.0,
    shuffle: bool = True,
    seed: int | None = None,
    callbacks: Sequence[Callback] | None = None,
    metrics: Sequence[str] | None = None,
    verbose: int = 1,
    run_dir: str | Path | None = None,
    resume: bool = False,
    divergence_guard: bool = True,
    diagnose: bool = False,
    class_weight: dict | str | None = None,
    dask: Any = None,
    live: bool = False,
) -> History:
    """Train ``model`` on ``(X, y)`` with mini-batch gradient descent.

    Parameters
    ----------
    model : Module
    X : array_like, shape (N, features), or BatchSource
        A :class:`~fcnn.data.stream.BatchSource` streams data larger than memory: each
        epoch's batches are read, shuffled in its bounded buffer with a seed drawn from
        ``seed``, and prepared in a background thread (see :mod:`fcnn.train.streaming`);
        ``y`` is then None and ``validation_split`` and ``class_weight="balanced"``
        (which need every row at hand) are refused.
    y : array_like
        Class labels ``(N,)`` for classification, values ``(N,)`` or ``(N, outputs)``
        for regression, probabilities ``(N, C)`` for soft targets.
    loss : loss or str, optional
        A loss instance or name; None picks from the targets (see :func:`resolve_loss`).
    optimizer : Optimizer or str
        An optimiser instance, or a name from ``fcnn.optim.OPTIMIZERS`` built with ``lr``.
    epochs, batch_size : int
        ``batch_size >= N`` is full-batch gradient descent.
    validation_data : (X_val, y_val), optional
    validation_split : float
        Fraction of rows held out for validation: a random subset drawn with ``seed``
        (Keras takes the last rows, which fails on data sorted by class).
    shuffle : bool
        Reshuffle the training rows every epoch.
    seed : int, optional
        Seed of the batch order. Dropout masks come from the model's own generators.
    callbacks : list of Callback
    metrics : list of str, optional
        Names from ``fcnn.metrics.METRICS``; classification defaults to accuracy.
    verbose : 0, 1 or 2
        0 silent; 1 a progress bar on a terminal and a line per epoch; 2 a line per epoch.
    run_dir : path, optional
        After every epoch, write ``checkpoint.safetensors`` (the whole training state),
        ``model.safetensors`` and ``history.json`` here, each atomically (when epochs
        are much shorter than these writes, only as often as keeps writing under a tenth
        of the time, and always after the last epoch: see
        :class:`fcnn.train.rundir.RunFiles`). The directory is locked while ``fit``
        runs: another process training into it gets a
        :class:`~fcnn.train.rundir.DirectoryInUseError` naming this one.
    resume : bool
        Continue from ``run_dir``'s checkpoint, if there is one: build the same model,
        optimizer and callbacks as before and call ``fit`` again; the result is
        bit-identical to an uninterrupted run.
    divergence_guard : bool
        Stop, with the reason in words, when the loss becomes NaN/inf or explodes, and put
        back the last good weights.
    diagnose : bool
        Watch training with a :class:`fcnn.diagnose.DiagnosticsCallback`: dead or saturated
        units, vanishing or exploding gradients and bad update sizes are warned about once
        each, in words with advice (cheap: a few per cent of the training time).
    class_weight : dict or "balanced", optional
        scikit-learn's meaning: ``{class: weight}`` (classes not named weigh 1), or
        ``"balanced"``, ``n_samples / (n_classes · count_c)`` counted on the training rows.
        Weights are positive. Cross-entropy and NLL train with their own per-class
        ``weight`` (PyTorch's ``CrossEntropyLoss(weight=w)``), a binary loss on one 0/1
        output with per-row weights; either way a batch's loss is the weighted mean
        ``Σᵢ w[yᵢ]·ℓᵢ / Σᵢ w[yᵢ]`` (see :mod:`fcnn.losses.weights` for why not ``/ N``).
        ``history["loss"]`` is this weighted loss, the objective minimised; validation
        (``val_loss``, ``val_accuracy``) and :func:`evaluate` stay unweighted, as in Keras,
        so that runs with different weights compare on the same numbers.
    dask : distributed.Client, optional
        Train data-parallel on the client's workers: each reads its shard of the data and
        computes its part of every global batch's gradient; the parts are summed in a tree
        and one optimiser step is taken here (see :mod:`fcnn.train.data_parallel`).
    live : bool
        In a Jupyter notebook, redraw the loss and metric curves in place while training
        (a :class:`~fcnn.train.live.LivePlot` after the other callbacks); elsewhere, a
        one-line note and nothing more.

    Returns
    -------
    History
    """
    if not isinstance(model, Module):
        template = N_("{where} expects an fcnn Module, got {type}")
        raise TypeError(_said(template, where="fit", type=type(model).__name__))
    epochs = checks.positive_int("fit", "epochs", epochs)
    batch_size = checks.positive_int("fit", "batch_size", batch_size)
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise checks.refusal(ValueError, "fit", "verbose", verbose, "0, 1 or 2")
    live = checks.flag("fit", "live", live)
    if resume and run_dir is None:
        raise ValueError(_said(N_("resume=True needs run_dir= (where the checkpoint is)")))
    if seed is not None:
        seed = checks.non_negative_int("fit", "seed", seed)
    source = X if isinstance(X, BatchSource) else None
    shuffle_rng = np.random.default_rng(
        seed if seed is not None else int(default_rng().integers(2**63))
    )
    if source is not None:
        if isinstance(class_weight, str):
            template = N_(
                "fit: class_weight={class_weight!r} needs the class counts of every row; "
                "with a data source pass a dict {{class: weight}}"
            )
            raise ValueError(_said(template, class_weight=class_weight))
        # A first batch stands for the data where a sample is enough (loss, output size).
        X_train, y_train = first_batch(source, y, validation_split)
        X_train = _as_features("fit", "X", X_train, model.dtype)
        y_train = _as_targets("y", y_train)
        X_val = y_val = None
        if isinstance(validation_data, BatchSource):
            X_val = validation_data
        elif validation_data is not None:
            _, _, X_val, y_val = _split_validation(X_train, y_train, validation_data, 0, None)
    else:
        if y is None:
            template = N_("{where}: y is missing (targets are needed beside arrays X)")
            raise TypeError(_said(template, where="fit"))
        X_all = _as_features("fit", "X", X, model.dtype)
        y_all = _as_targets("y", y)
        if len(y_all) != len(X_all):
            raise _rows_differ(len(X_all), len(y_all))
        X_train, y_train, X_val, y_val = _split_validation(
            X_all, y_all, validation_data, validation_split, shuffle_rng
        )
    n_outputs = model.predict(X_train[:1]).shape[1]
    loss = resolve_loss(loss, y_train, n_outputs)
    Y_train = prepare_targets(loss, y_train, n_outputs, model.dtype)
    # What training minimises; validation keeps the plain loss (see class_weight above).
    train_loss = with_class_weights("fit", loss, class_weight, Y_train, n_outputs)
    if isinstance(X_val, BatchSource):
        Y_val = None  # the source gives its own; evaluate reads it
    elif X_val is not None:
        X_val = _as_features("fit", "validation X", X_val, model.dtype)
        y_val = _as_targets("validation y", y_val)
        Y_val = prepare_targets(loss, y_val, n_outputs, model.dtype, "validation y")
        if len(Y_val) != len(X_val):
            template = N_("validation X has {x_rows} rows but validation y has {y_rows}")
            raise ValueError(_said(template, x_rows=len(X_val), y_rows=len(Y_val)))
    optimizer = _resolve_optimizer(optimizer, model, lr)
    metric_names = _metric_names(metrics, loss)
    user_callbacks = list(callbacks or [])
    # The guard goes first: its "last good weights" snapshot must precede user callbacks.
    all_callbacks = ([DivergenceGuard()] if divergence_guard else []) + user_callbacks
    if diagnose:
        # Imported here: fcnn.diagnose imports fcnn.train (its callback is a Callback).
        from ..diagnose import DiagnosticsCallback

        all_callbacks.append(DiagnosticsCallback())
    if live:
        all_callbacks.append(LivePlot())
    history = History()
    config = {
        "batch_size": batch_size,
        "shuffle": bool(shuffle),
        "n_train": len(X_train),
        "n_validation": 0 if X_val is None else X_val.n_rows if Y_val is None else len(X_val),
        "metrics": metric_names,
    }
    if source is not None:
        config.update(stream_config(source))

    def prepare(xb: Any, yb: Any) -> tuple[np.ndarray, np.ndarray]:
        # A streamed batch, checked and converted as fit converts arrays.
        xb = _as_features("fit", "X", xb, model.dtype)
        return xb, prepare_targets(loss, _as_targets("y", yb), n_outputs, model.dtype)

    run = RunFiles(
        run_dir,
        model=model,
        optimizer=optimizer,
        shuffle_rng=shuffle_rng,
        callbacks=all_callbacks,
        config=config,
    )
    parallel = None
    if dask is not None:
        from .data_parallel import DataParallel  # Dask itself is imported only in there

        data = source if source is not None else (X_train, Y_train)
        parallel = DataParallel(
            dask, model, train_loss, optimizer, data, prepare=prepare, seed=seed,
            outputs=bool(metric_names), class_weight=class_weight,
        )  # fmt: skip
    # One process at a time in a run directory, from here to the end.
    with run.locked(), parallel or nullcontext():
        start_epoch = 0
        resumed = run.resume() if resume else None
        if resumed is not None:
            history, start_epoch = resumed

        state = TrainState(
            model=model, optimizer=optimizer, loss=train_loss, history=history, epochs=epochs
        )
        train_step = TrainStep(model, train_loss, optimizer) if parallel is None else parallel.step

        def before_update(value: float) -> bool:
            # The callbacks see each batch's loss before the weights move; any of them may
            # stop training there (the divergence guard does, on a NaN).
            for cb in all_callbacks:
                cb.on_batch_end(state, value)
            return not state.stop_training

        # What DiagnosticsCallback probes (for a source: its first batch).
        state.extra["train_data"] = (X_train, Y_train)
        n = len(X_train) if source is None else source.n_rows
        n_batches = None if n is None else math.ceil(n / batch_size)
        progress = Progress(verbose, epochs, n_batches)
        model.train()
        for cb in all_callbacks:
            cb.on_train_begin(state)
        # With the guard on, overflow on the way to a NaN is its to report, in words, instead of
        # a stream of NumPy RuntimeWarnings.
        quiet = np.errstate(over="ignore", invalid="ignore") if divergence_guard else nullcontext()
        with quiet:
            try:
                for epoch in range(start_epoch, epochs):
                    state.epoch = epoch
                    started = time.perf_counter()
                    for cb in all_callbacks:
                        cb.on_epoch_begin(state)
                    run.epoch_started()
                    if parallel is not None:
                        batches = parallel.epoch(epoch, batch_size, shuffle, shuffle_rng)
                    elif source is not None:
                        batches = stream_epoch(
                            source, epoch, batch_size, shuffle, shuffle_rng, prepare
                        )
                    else:
                        order = shuffle_rng.permutation(n) if shuffle else None
                        batches = _array_epoch(X_train, Y_train, batch_size, order)
                    total, seen, outputs, targets = 0.0, 0, [], []
                    progress.start_epoch(epoch)
                    with closing(batches):  # a streamed epoch's reader thread stops here
                        for step, (xb, yb) in enumerate(batches):
                            state.step = step
                            value, _, out, updated = train_step(xb, yb, before_update)
                            if not updated:
                                break
                            total += value * len(xb)
                            seen += len(xb)
                            state.global_step += 1
                            if metric_names:
                                outputs.append(out)
                                targets.append(yb)
                            progress.advance(step, value)
                    if seen == 0 or (state.stop_training and history.diverged):
                        break
                    logs = {"loss": total / seen}
                    if metric_names:
                        logs.update(
                            _score(
                                loss, metric_names, np.concatenate(outputs), np.concatenate(targets)
                            )
                        )
                    if X_val is not None:
                        logs.update(
                            {
                                f"val_{k}": v
                                for k, v in evaluate(
                                    model, X_val, Y_val, loss=loss, metrics=metric_names
                                ).items()
                            }
                        )
                        model.train()
                    logs["lr"] = state.lr
                    logs["time"] = time.perf_counter() - started
                    history.append(epoch + 1, logs)
                    for cb in all_callbacks:
                        cb.on_epoch_end(state, logs)
                    progress.end_epoch(epoch, logs)
                    run.epoch_finished(
                        history, epoch + 1, last=epoch + 1 == epochs or state.stop_training
                    )
                    if state.stop_training:
                        break
            except BaseException:
                run.write_pending()  # an epoch finished but not yet written is kept
                raise
            finally:
                progress.close()
        for cb in all_callbacks:
            cb.on_train_end(state)
        history.stop_reason = state.stop_reason
        progress.report_stop(state.stop_reason, history.diverged)
        run.finish(history)
        return history
