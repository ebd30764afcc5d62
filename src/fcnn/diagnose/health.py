"""``diagnose``: how healthy a network is on a data set, layer by layer, in words."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from .. import checks
from ..core import Module
from ..losses import prepare_targets, resolve_loss
from .probe import probe, weight_layers
from .report import Report
from .verdicts import ONE_STEP, Thresholds, judge
from .words import N_, Message

__all__ = ["diagnose", "step_description"]


def step_description(optimizer: Any = None, lr: float | None = None) -> Message:
    """How the update in the update/weight ratio was made, for messages."""
    if optimizer is not None:
        return Message(
            N_("one {name} step (lr {lr:g})"),
            name=type(optimizer).__name__,
            lr=optimizer.param_groups[0]["lr"],
        )
    return Message(N_("one SGD step with lr {lr:g}"), lr=lr)


def _features(X: Any, dtype: np.dtype) -> np.ndarray:
    try:
        X = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise ValueError(Message(N_("diagnose: X is not numeric: {error}"), error=err)) from None
    if X.ndim < 2 or len(X) == 0:
        template = N_("diagnose: X must be 2-D (samples, features), got shape {shape}")
        raise ValueError(Message(template, shape=X.shape))
    return X


def _update_ratios(work: Module, optimizer: Any, layers: list) -> None:
    """Take one real step of the (copied) optimiser with the probe's gradients."""
    weights = {path: w for path, _, w in weight_layers(work)}
    before = {s.module: weights[s.module].data.copy() for s in layers}
    with np.errstate(all="ignore"):
        optimizer.step()
    for stats in layers:
        w0 = before[stats.module]
        norm = float(np.linalg.norm(w0))
        change = float(np.linalg.norm(weights[stats.module].data - w0))
        stats.update_ratio = change / norm if norm > 0 else math.inf


def diagnose(
    model: Module,
    X: Any,
    y: Any = None,
    *,
    loss: Any = None,
    lr: float | None = None,
    optimizer: Any = None,
    batch_size: int = 256,
    mode: str = "train",
    max_samples: int | None = None,
    seed: int = 0,
    data_name: str | None = None,
    thresholds: Thresholds | None = None,
) -> Report:
    """Look inside ``model`` on ``(X, y)``: per layer, activation statistics, dead ReLUs,
    saturated sigmoid / tanh units, gradient flow and update sizes, with a verdict in
    words for each problem found.

    Everything runs on a deep copy of the model (and of ``optimizer``): the model, its
    mode, its gradients, BatchNorm's running statistics and Dropout's generator are left
    exactly as they were.

    Parameters
    ----------
    model : Module
    X : array_like, shape (N, features)
    y : array_like, optional
        Targets as for ``fit``. Without them no backward pass is made, so gradient norms,
        vanishing / exploding gradients and update ratios are skipped (``report.notes``
        says so).
    loss : loss or str, optional
        As for ``fit``; None picks from the targets.
    lr : float, optional
        Estimate the update/weight ratio of one plain SGD step, ``lr·‖∂L/∂W‖ / ‖W‖``.
    optimizer : Optimizer, optional
        Instead of ``lr``: measure the ratio across one real step of (a copy of) this
        optimiser, built on ``model``'s parameters, with its current state. A fresh
        Adam's first step moves each weight by about ``lr``, an upper bound of later steps.
    batch_size : int
        Rows per chunk. In ``"train"`` mode BatchNorm normalises each chunk with its own
        statistics, as in training; the gradient is the full-data gradient of a mean loss
        whatever the chunking.
    mode : "train" or "eval"
        The mode the network runs in (default ``"train"``: what the optimiser sees,
        Dropout included; ``"eval"``: running statistics, no dropout).
    max_samples : int, optional
        Use a random subset of at most this many rows (drawn with ``seed``).
    data_name : str, optional
        How messages name the data ("the training set"); default "the data".
    thresholds : Thresholds, optional
        The rules of the verdicts (see :class:`Thresholds` for each one and its default).

    Returns
    -------
    Report
        ``report.layers`` (one :class:`LayerStats` per weight layer), ``report.findings``
        (each with ``kind``, ``layer``, ``severity``, ``message``, ``numbers``),
        ``report.ok``, ``to_text()``, ``to_markdown()``, ``to_dict()``.

    Examples
    --------
    >>> report = diagnose(model, X, y, lr=0.1)  # doctest: +SKIP
    >>> print(report)  # doctest: +SKIP
    """
    if not isinstance(model, Module):
        template = N_("diagnose expects an fcnn Module, got {type}")
        raise TypeError(Message(template, type=type(model).__name__))
    checks.choice("diagnose", "mode", mode, ("train", "eval"))
    if lr is not None and optimizer is not None:
        raise ValueError(
            Message(N_("diagnose: pass lr= (a plain SGD step) or optimizer=, not both"))
        )
    if lr is not None:
        lr = checks.real("diagnose", "lr", lr, low=0, low_open=True)
    checks.positive_int("diagnose", "batch_size", batch_size)
    seed = checks.non_negative_int("diagnose", "seed", seed)
    thresholds = thresholds or Thresholds()
    if not any(True for _ in weight_layers(model)):
        template = N_("diagnose: {type} has no weight layer to look at")
        raise ValueError(Message(template, type=type(model).__name__))
    X = _features(X, model.dtype)
    if y is not None:
        y = np.asarray(y)
        if len(y) != len(X):
            template = N_("diagnose: X has {x_rows} rows but y has {y_rows}")
            raise ValueError(Message(template, x_rows=len(X), y_rows=len(y)))
    if max_samples is not None and len(X) > max_samples:
        rows = np.sort(np.random.default_rng(seed).choice(len(X), max_samples, replace=False))
        X, y = X[rows], (None if y is None else y[rows])

    if optimizer is not None:
        own = {id(p) for p in model.parameters()}
        held = [p for group in optimizer.param_groups for p in group["params"]]
        if not any(id(p) in own for p in held):
            template = N_("diagnose: the optimizer does not hold this model's parameters")
            raise ValueError(Message(template))
        work, work_optimizer = copy.deepcopy((model, optimizer))
    else:
        work, work_optimizer = copy.deepcopy(model), None
    notes: list[Message] = []
    Y = None
    if y is not None:
        with np.errstate(all="ignore"):
            n_outputs = work.predict(X[:2]).shape[1]
        loss = resolve_loss(loss, y, n_outputs)
        Y = prepare_targets(loss, y, n_outputs, model.dtype)
    else:
        notes.append(
            Message(
                N_(
                    "no targets given: gradient norms, vanishing / exploding gradients and "
                    "update ratios were not checked"
                )
            )
        )
    result = probe(
        work,
        X,
        Y,
        loss,
        batch_size=batch_size,
        training=mode == "train",
        saturation_tol=thresholds.saturation_tol,
        saturation_share=thresholds.saturation_share,
    )
    step: str | Message = ONE_STEP
    if Y is not None and result.finite:
        if work_optimizer is not None:
            _update_ratios(work, work_optimizer, result.layers)
            step = step_description(optimizer)
        elif lr is not None:
            for stats in result.layers:
                norm = stats.weight_norm
                stats.update_ratio = lr * stats.grad_norm / norm if norm > 0 else math.inf
            step = step_description(lr=lr)
        else:
            notes.append(
                Message(N_("no lr= or optimizer= given: update/weight ratios were not estimated"))
            )
    where = data_name or N_("the data")
    findings = judge(
        result.layers,
        thresholds=thresholds,
        samples=result.samples,
        where=where,
        step=step,
        finite=result.finite,
    )
    return Report(result.layers, findings, result.samples, result.loss, mode, notes)
