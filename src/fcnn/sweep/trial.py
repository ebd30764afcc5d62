"""One trial: build the network a config describes, train it, score it.

:func:`run_trial` is what every executor runs (in-process, a loky worker or a Dask
worker). It writes nothing: it returns the record (metrics, history) and the model file's
bytes, and the driver writes them into the sweep directory, so a worker on another
machine needs no shared disk and a worker killed mid-trial leaves nothing half-written.
An error inside the trial (a bad option, say) comes back as a ``"failed"`` record with
the message; only the death of the worker itself escapes.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..data import load_source
from ..i18n import N_, Message
from ..io import save
from ..layers import Linear
from ..losses import get_loss
from ..models import mlp
from ..optim import OPTIMIZERS
from ..registry import unknown_arguments
from ..train import EarlyStopping, evaluate, fit
from .spec import canonical_json

__all__ = ["KillOnce", "run_trial"]

# Per-process cache of loaded data sets: a worker runs many trials on the same data.
_DATA_CACHE: dict[str, Any] = {}


def _dataset(source: dict[str, Any]):
    key = canonical_json(source)
    if key not in _DATA_CACHE:
        _DATA_CACHE.clear()  # one data set at a time is all a sweep needs
        _DATA_CACHE[key] = load_source(source)
    return _DATA_CACHE[key]


def _finite(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def build(config: dict[str, Any], dataset) -> tuple[Any, Any, str]:
    """(model, optimizer, loss name) for a trial config on a loaded data set."""
    loss = config["loss"] or ("cross_entropy" if dataset.task == "classification" else "mse")
    # A binary loss wants one output, whatever the number of classes; ask the loss.
    n_out = 1 if get_loss(loss).target_kind == "binary" else dataset.n_outputs
    init = config["init"]
    model = mlp(
        [dataset.n_features, *config["hidden"], n_out],
        config["activation"],
        config["output"],
        batchnorm=config["batchnorm"],
        dropout=config["dropout"],
        init="zeros" if init == "course" else init,
        init_scale=None if init == "course" else config["init_scale"],
        seed=config["seed"],
        dtype=config["dtype"],
    )
    if init == "course":  # the notebooks' np.random.seed(s); randn(out, in) · scale, b = 0
        scale = 0.01 if config["init_scale"] is None else config["init_scale"]
        state = np.random.RandomState(config["seed"] % 2**32)
        for layer in (m for m in model.modules() if isinstance(m, Linear)):
            layer.weight.data[...] = state.randn(*layer.weight.shape) * scale
    name = config["optimizer"]
    if name not in OPTIMIZERS:
        template = N_("optimizer={name!r}: expected one of {names}")
        raise ValueError(Message("train", template, name=name, names=", ".join(OPTIMIZERS)))
    kwargs = {k: config[k] for k in ("lr", "momentum", "weight_decay") if config[k] is not None}
    wrong = unknown_arguments(OPTIMIZERS[name], kwargs)
    if wrong:
        template = N_("optimizer {name!r} does not take the option {option!r}")
        raise ValueError(Message("train", template, name=name, option=wrong[0]))
    optimizer = OPTIMIZERS[name](model.parameters(), **kwargs)
    return model, optimizer, loss


def _model_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory(prefix="fcnn-sweep-") as folder:
        path = Path(folder) / "model.safetensors"
        save(model, path)
        return path.read_bytes()


def run_trial(source: dict[str, Any], trial: dict[str, Any], before: Any = None) -> dict[str, Any]:
    """Train and score one trial; return ``{"record": {...}, "model": bytes | None}``.

    The record holds ``status`` (``"ok"`` or ``"failed"``), ``metrics``
    (``train_loss``, ``train_accuracy``, ``val_…`` from the last epoch, ``test_…``;
    NaN becomes None), ``history``, ``epochs_run``, ``stop_reason``, ``seconds``,
    ``host`` and ``pid``; ``error`` when it failed. ``before(trial)``, if given, is
    called first, in the worker (fault injection in tests).
    """
    started = time.perf_counter()
    record: dict[str, Any] = {"host": socket.gethostname(), "pid": os.getpid()}
    if before is not None:
        before(trial)
    config = trial["config"]
    caught: list[warnings.WarningMessage] = []
    try:
        dataset = _dataset(source)
        model, optimizer, loss = build(config, dataset)
        callbacks = []
        if config["early_stopping"] is not None:
            callbacks.append(EarlyStopping(patience=config["early_stopping"]))
        with warnings.catch_warnings(record=True) as caught:
            # Warnings (divergence, diagnostics) go into the record, not to the terminal.
            warnings.simplefilter("always")
            history = fit(
                model,
                dataset.X_train,
                dataset.y_train,
                loss=loss,
                optimizer=optimizer,
                epochs=config["epochs"],
                batch_size=config["batch_size"],
                validation_split=config["validation_split"],
                shuffle=config["shuffle"],
                seed=config["seed"],
                callbacks=callbacks,
                verbose=0,
            )
        metrics: dict[str, float | None] = {}
        with np.errstate(over="ignore", invalid="ignore"):
            train = evaluate(model, dataset.X_train, dataset.y_train, loss=loss)
            metrics.update({f"train_{k}": _finite(v) for k, v in train.items()})
            for key, values in history.history.items():
                if key.startswith("val_") and values:
                    metrics[key] = _finite(values[-1])
            if dataset.X_test is not None:
                test = evaluate(model, dataset.X_test, dataset.y_test, loss=loss)
                metrics.update({f"test_{k}": _finite(v) for k, v in test.items()})
        record.update(
            status="ok",
            metrics=metrics,
            history=history.to_dict(),
            epochs_run=len(history),
            stop_reason=history.stop_reason,
        )
        model_bytes: bytes | None = _model_bytes(model)
    except Exception as err:  # a trial's own error is a result, not the sweep's end
        record.update(
            status="failed",
            metrics={},
            error=f"{type(err).__name__}: {err}",
            traceback=traceback.format_exc(limit=5),
        )
        model_bytes = None
    messages = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    if messages:
        record["warnings"] = messages
    record["seconds"] = time.perf_counter() - started
    return {"record": record, "model": model_bytes}


@dataclass(frozen=True)
class KillOnce:
    """Fault injection: the first time trial ``index`` starts, anywhere, kill its process.

    ``marker`` (a file path every worker can see) records that the kill happened, so the
    re-run of the trial goes through. For tests of worker death; picklable.
    """

    marker: str
    index: int

    def __call__(self, trial: dict[str, Any]) -> None:
        if trial["index"] != self.index:
            return
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(fd, str(os.getpid()).encode())
        os.fsync(fd)
        os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)
