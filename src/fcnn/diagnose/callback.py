"""``DiagnosticsCallback``: the checks of ``diagnose``, cheaply, while ``fit`` trains.

At the end of every ``every``-th epoch it probes a deep copy of the model on a fixed
sample of at most ``max_samples`` training rows (activation statistics, dead and
saturated units, gradient flow); during the epoch it measures the real update/weight
ratio of every ``step_every``-th optimiser step (a copy of the weights before the step,
compared with the weights after it) and reads the weight-gradient norms the loop has just
computed. Each new finding (kind + layer) is issued once as a :class:`DiagnosticWarning`
and kept in ``findings``.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from .. import checks
from ..callback import Callback, TrainState
from ..core import warn_user
from ..losses import prepare_targets
from .probe import LayerStats, probe, weight_layers
from .report import Report
from .verdicts import Finding, Thresholds, judge
from .words import N_, Message

__all__ = ["DiagnosticWarning", "DiagnosticsCallback"]

SAMPLE_OF_TRAINING_SET = N_("a sample of the training set")
"""How messages name the probed rows by default (in the current language)."""


class DiagnosticWarning(UserWarning):
    """A problem :class:`DiagnosticsCallback` found while training (dead ReLUs, saturated
    units, vanishing or exploding gradients, updates too large or too small)."""


class DiagnosticsCallback(Callback):
    """Warn, once per finding, about the problems ``diagnose`` names, while training.

    Parameters
    ----------
    every : int
        Probe the model at the end of every ``every``-th epoch.
    data : (X, y) or X, optional
        Rows to probe; a random sample of at most ``max_samples`` of them is drawn once.
        Default: the training data, when ``fit`` puts it in ``state.extra["train_data"]``
        (``fit(..., diagnose=True)`` does); without any data only the update ratios and
        gradient norms of the training steps are checked. Without ``y`` the gradient
        flow is not checked.
    max_samples : int
        Size of the probe sample (default 512 rows).
    step_every : int
        Measure every ``step_every``-th optimiser step (default every 10th).
    mode : "train" or "eval"
        The mode the copy is probed in (see :func:`fcnn.diagnose.diagnose`).
    thresholds : Thresholds, optional
    seed : int
        Seed of the sample.
    warn : bool
        Issue :class:`DiagnosticWarning` (default); False only records.
    data_name : str
        How messages name the probed rows (default "a sample of the training set").

    Attributes
    ----------
    findings : list of Finding
        Every warning issued, in order (each kind + layer once).
    reports : list of (epoch, Report)
        The report of every check; the update ratios in it are the median of the steps
        measured since the previous check.
    grad_norms : dict
        Layer number → the ``‖∂L/∂W‖`` of every measured training batch.

    Notes
    -----
    The model is never changed: the probe runs on a deep copy (so BatchNorm's running
    statistics and Dropout's generator are untouched and a run stays reproducible), and
    the step measurement only reads the weights. The callback keeps no state in
    checkpoints: after ``resume`` a finding may be warned again.
    """

    def __init__(
        self,
        every: int = 1,
        data: Any = None,
        *,
        max_samples: int = 512,
        step_every: int = 10,
        mode: str = "train",
        thresholds: Thresholds | None = None,
        seed: int = 0,
        warn: bool = True,
        data_name: str = SAMPLE_OF_TRAINING_SET,
    ) -> None:
        where = "DiagnosticsCallback"
        self.every = checks.positive_int(where, "every", every)
        self.max_samples = checks.positive_int(where, "max_samples", max_samples)
        self.step_every = checks.positive_int(where, "step_every", step_every)
        self.mode = checks.choice(where, "mode", mode, ("train", "eval"))
        self.seed = checks.non_negative_int("DiagnosticsCallback", "seed", seed)
        self.warn = bool(warn)
        self.thresholds = thresholds or Thresholds()
        self.data, self.data_name = data, data_name
        self.findings: list[Finding] = []
        self.reports: list[tuple[int, Report]] = []
        self.grad_norms: dict[int, list[float]] = {}
        self._warned: set[tuple[str, int | None]] = set()
        self._sample: tuple[np.ndarray, Any] | None = None
        self._weights: dict[str, Any] = {}
        self._numbers: dict[str, int] = {}
        self._snapshot: dict[str, np.ndarray] | None = None
        self._snapshot_step = -1
        self._ratios: dict[str, list[float]] = {}

    # ----------------------------------------------------------------- hooks

    def on_train_begin(self, state: TrainState) -> None:
        data = self.data if self.data is not None else state.extra.get("train_data")
        self._sample = None
        if data is not None:
            X, y = data if isinstance(data, (tuple, list)) else (data, None)
            X = np.asarray(X)
            rows = np.arange(len(X))
            if len(X) > self.max_samples:
                rng = np.random.default_rng(self.seed)
                rows = np.sort(rng.choice(len(X), self.max_samples, replace=False))
            self._sample = (X[rows], None if y is None else np.asarray(y)[rows])
        # Weight layers in module order until a probe tells the forward order.
        self._weights = {path: w for path, _, w in weight_layers(state.model)}
        self._numbers = {path: i + 1 for i, path in enumerate(self._weights)}
        self._snapshot, self._ratios = None, {}

    def on_batch_end(self, state: TrainState, loss: float) -> None:
        self._measure(state)
        if state.global_step % self.step_every == 0:
            if state.global_step > 0:  # .grad still holds the last step's gradients
                for path, weight in self._weights.items():
                    norm = float(np.linalg.norm(weight.grad))
                    self.grad_norms.setdefault(self._numbers[path], []).append(norm)
            self._snapshot = {path: w.data.copy() for path, w in self._weights.items()}
            self._snapshot_step = state.global_step

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        self._measure(state)
        self._snapshot = None
        if (state.epoch + 1) % self.every == 0:
            self.check(state)

    # ----------------------------------------------------------------- work

    def _measure(self, state: TrainState) -> None:
        """Compare the weights with the snapshot taken just before the last step."""
        if self._snapshot is None or state.global_step != self._snapshot_step + 1:
            return
        with np.errstate(all="ignore"):
            for path, before in self._snapshot.items():
                norm = float(np.linalg.norm(before))
                change = float(np.linalg.norm(self._weights[path].data - before))
                self._ratios.setdefault(path, []).append(change / norm if norm > 0 else math.inf)
        self._snapshot = None

    def _bare_layers(self) -> list[LayerStats]:
        return [
            LayerStats(
                layer=self._numbers[path],
                module=path,
                type="",
                units=w.data.shape[0],
                activation=None,
                mean=math.nan,
                std=math.nan,
                weight_norm=float(np.linalg.norm(w.data)),
            )
            for path, w in self._weights.items()
        ]

    def check(self, state: TrainState) -> Report:
        """Probe now, warn about what is new, and return the report."""
        notes: list[Message] = []
        finite = True
        loss_value = None
        if self._sample is not None:
            X, y = self._sample
            work = copy.deepcopy(state.model)
            loss = copy.deepcopy(state.loss)
            Y = None
            if y is not None:
                with np.errstate(all="ignore"):
                    n_outputs = work.predict(X[:2]).shape[1]
                Y = prepare_targets(loss, y, n_outputs, work.dtype)
            result = probe(
                work,
                X.astype(work.dtype, copy=False),
                Y,
                loss,
                batch_size=len(X),
                training=self.mode == "train",
                saturation_tol=self.thresholds.saturation_tol,
                saturation_share=self.thresholds.saturation_share,
            )
            layers, samples, finite, loss_value = (
                result.layers,
                result.samples,
                result.finite,
                result.loss,
            )
            self._numbers = {s.module: s.layer for s in layers}
        else:
            layers, samples = self._bare_layers(), 0
            notes.append(Message(N_("no data to probe: only the training steps were checked")))
        for stats in layers:
            ratios = self._ratios.get(stats.module)
            stats.update_ratio = float(np.median(ratios)) if ratios else None
        measured = sum(len(r) for r in self._ratios.values()) // max(len(self._weights), 1)
        self._ratios = {}
        name = type(state.optimizer).__name__
        step = Message(
            N_("a training step ({name}, lr {lr:g}, median of {measured} measured)"),
            name=name,
            lr=state.lr,
            measured=measured,
        )
        findings = judge(
            layers,
            thresholds=self.thresholds,
            samples=samples,
            where=self.data_name,
            step=step,
            finite=finite,
        )
        report = Report(layers, findings, samples, loss_value, self.mode, notes)
        self.reports.append((state.epoch + 1, report))
        for finding in report.warnings:
            if finding.key in self._warned:
                continue
            self._warned.add(finding.key)
            self.findings.append(finding)
            if self.warn:
                said = Message(
                    N_("epoch {epoch}: {message}"), epoch=state.epoch + 1, message=finding.text
                )
                warn_user(str(said), DiagnosticWarning)
        return report
