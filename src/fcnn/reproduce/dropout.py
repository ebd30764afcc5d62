"""``dropout``: Srivastava et al. 2014, permutation-invariant MNIST, Table 2, two rows.

"Dropout: a simple way to prevent neural networks from overfitting", JMLR 15(56),
1929-1958. Table 2 (Section 6.1.1) lists a network of 3 hidden layers of 1024 ReLU units
trained with dropout at 1.25 % test error, and the same with a max-norm constraint at
1.06 %. The protocol, with where each setting comes from, is :class:`Protocol`; the
notes of the Result say it in words (and where we could not read the source).

A row trains for a million weight updates (Appendix B.1): about 1 667 epochs, many hours
on a laptop's CPU. Each row therefore trains in its own run directory with
``fit(run_dir=..., resume=True)``: a sitting may stop early (``max_epochs``,
``budget_hours``) without changing the protocol, and the next sitting continues where
it stopped, bit for bit. The report (:mod:`._dropout_report`) reads what the run
directories hold and marks a row that has not finished its protocol as unfinished.

fcnn's ``Dropout`` is inverted (the survivors are scaled by 1/p while training, as in
PyTorch); the paper scales the weights by p at test time instead. The two are the same
network under ``W_fcnn = p · W_paper`` (p the probability of keeping the layer's input),
so the paper's training is reproduced exactly by drawing the initial weights with p
times the paper's standard deviation, projecting onto the ball of radius p · c, and
giving each weight matrix p² times the paper's learning rate (its gradient is 1/p times
the paper's). Biases are the same in both and keep the paper's learning rate.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from .. import init
from ..activations import ReLU
from ..callback import Callback, TrainState
from ..data import mnist as load_idx
from ..files import atomic_write_text, read_json_file
from ..i18n import N_, Listing, Message
from ..layers import Dropout, Linear, Sequential
from ..optim import SGD
from ..train import History, fit

__all__ = [
    "HIDDEN_KEEP",
    "INPUT_KEEP",
    "ROWS",
    "PaperSchedule",
    "Protocol",
    "Sitting",
    "build_network",
    "build_optimizer",
    "check_protocol",
    "run",
    "train_row",
]

#: Probability of KEEPING a unit (the paper's p, Appendix B.1): inputs, hidden units.
INPUT_KEEP, HIDDEN_KEEP = 0.8, 0.5
SIZES = (784, 1024, 1024, 1024, 10)
QUICK_TRAIN, QUICK_TEST = 6_000, 2_000


@dataclass(frozen=True)
class Protocol:
    """One row of Table 2 and how it is trained.

    Sources: [B.1] the paper's Appendix B.1; [H] Hinton et al. 2012 (arXiv:1207.0580),
    Appendix A, whose MNIST recipe the paper follows; [ours] where neither says.
    """

    key: str  # the run directory's name
    label: str
    published: float  # test error, %, Table 2
    max_norm: float | None  # c, the radius of every unit's incoming weights [B.1: c = 2]
    lr0: float  # ε₀ [ours: 1; H's 10 failed here, see the report's notes]
    lr_decay: float = 0.998  # ε_t = ε₀ · f^t, t in epochs [H]
    momentum_start: float = 0.5  # [H]
    momentum_final: float = 0.95  # [B.1: "a final momentum of 0.95"; H had 0.99]
    momentum_epochs: int = 500  # linear ramp over the first T epochs [H]
    init_gain: float = 1.0  # N(0, gain²/fan_in) weights, zero biases [ours, see notes]
    batch_size: int = 100  # [H]
    updates: int = 1_000_000  # [B.1: "1 million weight updates"]

    def epochs(self, n_train: int) -> int:
        """Epochs for ``updates`` weight updates (at least that many; 1 667 on MNIST)."""
        return math.ceil(self.updates / math.ceil(n_train / self.batch_size))

    def momentum(self, epoch: int) -> float:
        """p_t = (t/T)·p_f + (1 − t/T)·p_i for t < T, else p_f (t counted from 0)."""
        if epoch >= self.momentum_epochs:
            return self.momentum_final
        share = epoch / self.momentum_epochs
        return share * self.momentum_final + (1 - share) * self.momentum_start

    def lr(self, epoch: int) -> float:
        """ε_t = ε₀ · f^t."""
        return self.lr0 * self.lr_decay**epoch


ROWS = (
    Protocol(
        key="dropout",
        label="3×1024 ReLU, dropout",
        published=1.25,
        max_norm=None,
        lr0=1.0,
    ),
    Protocol(
        key="dropout-max-norm",
        label="3×1024 ReLU, dropout + max-norm (c = 2)",
        published=1.06,
        max_norm=2.0,
        lr0=1.0,
    ),
)


def _keeps() -> tuple[float, ...]:
    """The probability of keeping each Linear layer's input."""
    return (INPUT_KEEP,) + (HIDDEN_KEEP,) * (len(SIZES) - 2)


def _linear(n_in: int, n_out: int, max_norm: float | None, rng: np.random.Generator) -> Linear:
    return Linear(n_in, n_out, max_norm=max_norm, rng=rng)


def build_network(protocol: Protocol, seed: int = 0) -> Sequential:
    """784-1024-1024-1024-10: ``Dropout`` before every ``Linear``, ReLU between them.

    Weights N(0, (p·gain)²/fan_in), biases 0, max-norm radius p·c: the paper's network in fcnn's
    inverted-dropout parametrisation (module docstring). Every generator (initial
    weights, each dropout mask) is drawn from ``seed``.
    """
    streams = iter(np.random.SeedSequence(seed).spawn(2 * (len(SIZES) - 1)))
    layers: list[Any] = []
    pairs = list(pairwise(SIZES))
    for i, ((n_in, n_out), keep) in enumerate(zip(pairs, _keeps(), strict=True)):
        radius = None if protocol.max_norm is None else keep * protocol.max_norm
        weights_rng = np.random.default_rng(next(streams))
        linear = _linear(n_in, n_out, radius, weights_rng)
        std = keep * protocol.init_gain / math.sqrt(n_in)
        init.normal_(linear.weight, 0.0, std, rng=weights_rng)
        init.zeros_(linear.bias)
        drop = round(1 - keep, 12)  # 0.2, not 0.19999999999999996
        layers += [Dropout(drop, rng=np.random.default_rng(next(streams))), linear]
        if i < len(pairs) - 1:
            layers.append(ReLU())
    return Sequential(*layers)


def build_optimizer(model: Sequential, protocol: Protocol) -> SGD:
    """SGD with momentum in the paper's form, one group per weight matrix and per bias.

    ``dampening = momentum`` makes fcnn's (PyTorch's) ``b ← μ·b + (1 − τ)·g`` into
    Hinton et al.'s ``Δw ← p·Δw − (1 − p)·ε·g``. A weight group's ``lr_scale`` is p² (the
    inverted-dropout parametrisation); :class:`PaperSchedule` sets the rates each epoch.
    """
    linears = [layer for layer in model if isinstance(layer, Linear)]
    # The biases first: group 0's rate, the one fit's history records, is then ε_t itself.
    groups = [{"params": [linear.bias], "lr_scale": 1.0} for linear in linears]
    for keep, linear in zip(_keeps(), linears, strict=True):
        groups.append({"params": [linear.weight], "lr_scale": keep**2})
    start = protocol.momentum(0)
    return SGD(groups, lr=protocol.lr(0), momentum=start, dampening=start)


class PaperSchedule(Callback):
    """Before each epoch t: every group's momentum and dampening to p_t, its learning
    rate to ε_t · lr_scale (the paper's schedules; nothing to save, t says it all)."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol

    def on_epoch_begin(self, state: TrainState) -> None:
        momentum = self.protocol.momentum(state.epoch)
        lr = self.protocol.lr(state.epoch)
        for group in state.optimizer.param_groups:
            group["lr"] = lr * group["lr_scale"]
            group["momentum"] = group["dampening"] = momentum


class Sitting(Callback):
    """Ends this sitting (not the protocol) after ``max_epochs`` more epochs, or before an
    epoch that would end after ``seconds``; the run directory keeps the last epoch."""

    def __init__(self, max_epochs: int | None = None, seconds: float | None = None) -> None:
        self.max_epochs, self.seconds = max_epochs, seconds
        self._began = time.perf_counter()
        self._done = 0

    def on_train_begin(self, state: TrainState) -> None:
        self._began, self._done = time.perf_counter(), 0

    def on_epoch_end(self, state: TrainState, logs: dict[str, float]) -> None:
        self._done += 1
        elapsed = time.perf_counter() - self._began
        if self.max_epochs is not None and self._done >= self.max_epochs:
            state.stop(f"sitting over after {self._done} epochs (--max-epochs)")
        elif self.seconds is not None and elapsed * (self._done + 1) / self._done > self.seconds:
            state.stop(f"sitting over after {elapsed / 3600:.2f} h (--budget-hours)")


def load(data_dir: str | None, quick: bool = False) -> tuple[np.ndarray, ...]:
    """MNIST with pixels scaled to [0, 1] in float32 (the first 6 000 / 2 000 if quick)."""
    X, y, X_test, y_test = load_idx(data_dir, "mnist")
    if quick:
        X, y = X[:QUICK_TRAIN], y[:QUICK_TRAIN]
        X_test, y_test = X_test[:QUICK_TEST], y_test[:QUICK_TEST]
    scale = np.float32(1 / 255)
    return X.astype(np.float32) * scale, y, X_test.astype(np.float32) * scale, y_test


PROTOCOL_FILE = "protocol.json"


def check_protocol(protocol: Protocol, run_dir: str | Path, *, record: bool) -> None:
    """Refuse a run directory that a different protocol trained.

    The first sitting writes the row's :class:`Protocol` to ``protocol.json``; a later
    sitting (or the report) whose protocol differs in any setting stops with the settings
    that differ, before it trains or reports an epoch: resuming would splice two
    protocols into one curve. ``record=False`` (the report) never writes the file.
    """
    path = Path(run_dir) / PROTOCOL_FILE
    wanted = asdict(protocol)
    if not path.exists():
        if record:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, json.dumps(wanted, indent=2, sort_keys=True) + "\n")
        return
    stored = read_json_file(path)
    changed = sorted(
        key for key in wanted.keys() | stored.keys() if stored.get(key) != wanted.get(key)
    )
    if changed:
        difference = N_("{key}: {there!r} there, {now!r} now")
        differences = Listing(
            Message("train", difference, key=k, there=stored.get(k), now=wanted.get(k))
            for k in changed
        )
        template = N_(
            "{run_dir}: trained under another protocol ({differences}); resume it with the "
            "protocol it was started with, or give this one a new --runs directory"
        )
        raise ValueError(Message("train", template, run_dir=run_dir, differences=differences))


def train_row(
    protocol: Protocol,
    data: tuple[np.ndarray, ...],
    run_dir: str | Path,
    *,
    seed: int = 0,
    max_epochs: int | None = None,
    seconds: float | None = None,
    verbose: int = 0,
) -> History:
    """Train one row in ``run_dir`` from where it stands, for at most ``max_epochs`` /
    ``seconds`` in this sitting; return its whole history (every sitting's epochs).

    Test error is measured after every epoch (``validation_data`` is the test set) to
    draw the curve; nothing is chosen by it: the row's figure is its last epoch's.
    """
    X, y, X_test, y_test = data
    check_protocol(protocol, run_dir, record=True)
    model = build_network(protocol, seed)
    return fit(
        model,
        X,
        y,
        loss="cross_entropy",
        optimizer=build_optimizer(model, protocol),
        epochs=protocol.epochs(len(X)),
        batch_size=protocol.batch_size,
        validation_data=(X_test, y_test),
        seed=seed,
        callbacks=[PaperSchedule(protocol), Sitting(max_epochs, seconds)],
        verbose=verbose,
        run_dir=run_dir,
        resume=True,
    )


def run(
    *,
    data_dir: str | None = None,
    quick: bool = False,
    verbose: int = 0,
    progress: Any = None,
    runs_dir: str | Path = "runs/dropout",
    rows: tuple[str, ...] | None = None,
    max_epochs: int | None = None,
    budget_hours: float | None = None,
    train: bool = True,
) -> Any:
    """Train the rows for one sitting (each from where its run directory stands), then
    report on both from what their run directories hold.

    Parameters
    ----------
    data_dir : path, optional
        Folder with MNIST's four IDX ``.gz`` files (directly or in ``mnist/``).
    quick : bool
        The first 6 000 training and 2 000 test images, in ``<key>-quick`` run
        directories: a smoke test, not the published setting.
    runs_dir : path
        Holds one run directory per row (``dropout``, ``dropout-max-norm``).
    rows : keys of :data:`ROWS` to train in this sitting (default: both, in turn).
    max_epochs, budget_hours : per row, the most this sitting trains it (the protocol's
        length stays the paper's; a later sitting continues).
    train : bool
        False: only report on the run directories as they are.
    """
    from ._dropout_report import report
    from .result import announce

    chosen = [row for row in ROWS if rows is None or row.key in rows]
    unknown = set(rows or ()) - {row.key for row in ROWS}
    if unknown:
        template = N_("unknown row(s) {unknown}; known: {known}")
        known = [row.key for row in ROWS]
        raise ValueError(Message("train", template, unknown=sorted(unknown), known=known))
    suffix = "-quick" if quick else ""
    announce(progress, verbose, "dropout: loading MNIST")
    data = load(data_dir, quick)  # also when only reporting: its size sets the epochs
    for protocol in chosen if train else ():
        announce(progress, verbose, f"dropout: training {protocol.key}")
        train_row(
            protocol,
            data,
            Path(runs_dir) / f"{protocol.key}{suffix}",
            max_epochs=max_epochs,
            seconds=None if budget_hours is None else 3600 * budget_hours,
            verbose=2 if verbose else 0,
        )
    for protocol in ROWS:  # a row trained under another protocol is not reported as this one
        check_protocol(protocol, Path(runs_dir) / f"{protocol.key}{suffix}", record=False)
    return report(
        ROWS, Path(runs_dir), suffix, n_train=len(data[0]), quick=quick, data_dir=data_dir
    )
