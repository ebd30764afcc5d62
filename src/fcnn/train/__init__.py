"""Floor 3: training — ``fit``, ``evaluate``, ``History``, callbacks and resumable runs.

A package rather than the original design's ``train.py`` because it outgrew one readable file:
``step`` (the one training step), ``loop`` (fit/evaluate), ``callbacks``, ``checkpoint``
(bit-identical resume), ``rundir`` (a run directory's lock and the files kept in it),
``history``, ``progress`` and ``live`` (what the user sees).
"""

from .callbacks import (
    Callback,
    DivergenceGuard,
    DivergenceWarning,
    EarlyStopping,
    LRSchedulerCallback,
    ModelCheckpoint,
    TrainState,
)
from .checkpoint import load_checkpoint, save_checkpoint
from .history import History
from .live import LivePlot
from .loop import evaluate, fit, prepare_targets, resolve_loss

__all__ = [
    "Callback",
    "DivergenceGuard",
    "DivergenceWarning",
    "EarlyStopping",
    "History",
    "LRSchedulerCallback",
    "LivePlot",
    "ModelCheckpoint",
    "TrainState",
    "evaluate",
    "fit",
    "load_checkpoint",
    "prepare_targets",
    "resolve_loss",
    "save_checkpoint",
]
