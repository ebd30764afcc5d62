"""One playground session: its data, its network, its optimiser and what the page draws.

A :class:`Session` is plain, synchronous Python: the server (``server.py``) owns one per
browser tab and calls it between ``await``\\ s, so nothing here needs a lock. Everything
random comes from generators seeded by the config's ``seed`` (the data from
``fcnn.data.playground(..., seed=seed)``, the weights and dropout masks from
``default_rng(seed)``, the batch order from ``default_rng([seed, 1])``), never from
NumPy's global state, so :meth:`Session.reset` with the same seed replays a run bit for
bit.

Models are float64: the heat map the page shows, the exported ``.safetensors`` file read
back with ``fcnn.load`` and the snippet's :func:`features` give the same numbers.

Also here, because the TensorFlow Playground has no such sets and ``fcnn.data`` keeps to
its formulas: the multiclass sets (``blobs`` with k clusters, ``spiral`` with k arms) and
the reader of a user's uploaded CSV (:func:`parse_csv`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..activations import Sigmoid, Softmax
from ..core import Module
from ..data import playground as playground_data
from ..data._checks import split_counts
from ..diagnose.probe import RELU_FAMILY, SATURATING, LayerStats
from ..diagnose.verdicts import Thresholds, judge
from ..io import save
from ..layers import BatchNorm1d, Dropout, Linear, Maxout, Sequential
from ..losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from ..models import mlp
from ..optim import SGD, Adam, RMSprop
from .config import (
    DOMAIN,
    GRID_SIZE,
    GRID_SIZE_SMALL,
    KEYS,
    LIMITS,
    REGRESSION_DATASETS,
    ConfigError,
    default_config,
    validate,
)

__all__ = [
    "MIN_UPLOAD_ROWS",
    "Session",
    "blobs",
    "features",
    "grid_points",
    "parse_csv",
    "round_sig",
    "spiral_arms",
]

DTYPE = np.float64
MAXOUT_PIECES = 2
MIN_UPLOAD_ROWS = 10
# Saturated: within 1 % of a bound on more than 90 % of the training points (the protocol).
SATURATED_SHARE = 0.9
THRESHOLDS = Thresholds(saturation_tol=0.01, saturation_share=SATURATED_SHARE)
_LEVELS = {"live": 1, "net": 2, "data": 3}


# --------------------------------------------------------------------------- numbers


def round_sig(values: Any, digits: int = 4) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits (float64; NaN / inf kept).

    Rounds by a power of ten that is exact in binary (``x·10ᵉ`` then ``/10ᵉ``, or ``/10ᵉ``
    then ``·10ᵉ`` for large numbers), so each result is the double nearest to its short
    decimal form and prints as such (``0.1235``, not ``0.12350000000000001``).
    """
    a = np.asarray(values, dtype=np.float64)
    out = a.copy()
    ok = np.isfinite(a) & (np.abs(a) > 1e-300)
    out[np.isfinite(a) & ~ok] = 0.0
    v = a[ok]
    exponent = (digits - 1) - np.floor(np.log10(np.abs(v)))
    small = exponent >= 0
    result = np.empty_like(v)
    scale = 10.0 ** exponent[small]
    result[small] = np.round(v[small] * scale) / scale
    scale = 10.0 ** -exponent[~small]
    result[~small] = np.round(v[~small] / scale) * scale
    out[ok] = result
    return out


def _json(values: Any) -> Any:
    """Rounded numbers as (nested) lists for JSON, with ``None`` for NaN / infinity."""
    a = round_sig(values)
    if np.isfinite(a).all():
        return a.tolist()
    return np.where(np.isfinite(a), a, None).tolist()


def _number(value: float) -> float | None:
    value = float(round_sig(value))
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- features


def features(X: np.ndarray, names: list[str] | tuple[str, ...]) -> np.ndarray:
    """The network's inputs for points ``X`` of shape (N, 2): one column per name, in order.

    ``x1``, ``x2``, ``x1^2``, ``x2^2``, ``x1x2``, ``sin_x1``, ``sin_x2`` (the TensorFlow
    Playground's features). The exported snippet calls this function.
    """
    X = np.asarray(X, dtype=np.float64)
    x1, x2 = X[:, 0], X[:, 1]
    columns = {
        "x1": x1,
        "x2": x2,
        "x1^2": x1 * x1,
        "x2^2": x2 * x2,
        "x1x2": x1 * x2,
        "sin_x1": np.sin(x1),
        "sin_x2": np.sin(x2),
    }
    return np.stack([columns[name] for name in names], axis=1)


def grid_points(domain: tuple[float, float] | list[float], size: int) -> np.ndarray:
    """The heat maps' points, shape (size², 2), row-major.

    Row 0 is the top (x2 = hi), column 0 the left (x1 = lo); both axes run over
    ``np.linspace(lo, hi, size)``, ends included.
    """
    lo, hi = domain
    xs = np.linspace(lo, hi, size)
    x1, x2 = np.meshgrid(xs, xs[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


# --------------------------------------------------------------------------- data


def blobs(
    n: int, classes: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` Gaussian clusters with centres on a circle of radius 3.5, shuffled.

    Cluster j (label j) is centred at angle 2πj/k and has the variance of the
    playground's ``gauss`` set: 0.5 growing to 4 as ``noise`` goes from 0 to 50.

    Parameters
    ----------
    n : int
        Points; the first ``n % classes`` clusters get one more than the others.
    classes : int
        Clusters, k >= 2.
    noise : float
        The playground's noise slider, 0 to 50.
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0..k-1
    """
    variance = 0.5 + noise / 50 * 3.5
    parts, labels = [], []
    for label, count in enumerate(split_counts(n, classes)):
        angle = 2 * np.pi * label / classes
        centre = 3.5 * np.array([np.cos(angle), np.sin(angle)])
        parts.append(rng.normal(centre, np.sqrt(variance), size=(count, 2)))
        labels.append(np.full(count, label, dtype=np.int64))
    order = rng.permutation(n)
    return np.concatenate(parts)[order], np.concatenate(labels)[order]


def spiral_arms(
    n: int, classes: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` spiral arms (the playground's ``spiral``, arm j turned by 2πj/k), shuffled.

    Each arm runs from radius 0 to 5 over 1.75 turns, with uniform noise in
    ±noise/100 on each coordinate, as in ``fcnn.data.playground("spiral")`` (whose two
    arms have the labels the other way round: the playground's session uses it for k = 2).

    Parameters
    ----------
    n, classes, noise, rng
        As for :func:`blobs`.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64 labels 0..k-1 (label j = arm j)
    """
    level = noise / 100
    parts, labels = [], []
    for label, count in enumerate(split_counts(n, classes)):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * np.pi + 2 * np.pi * label / classes
        arm = np.c_[r * np.sin(t), r * np.cos(t)]
        parts.append(arm + rng.uniform(-1, 1, size=arm.shape) * level)
        labels.append(np.full(count, label, dtype=np.int64))
    order = rng.permutation(n)
    return np.concatenate(parts)[order], np.concatenate(labels)[order]


def parse_csv(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Read an uploaded 2-D data set: a header ``x1,x2,label`` or ``x1,x2,y``, then rows.

    ``label`` holds integer class labels 0..5 (at least two classes), ``y`` float targets
    (regression). A fourth column ``split`` (as in the playground's own ``data.csv``) is
    allowed and ignored: the split is the config's ``train_ratio``.

    Returns
    -------
    X : ndarray (N, 2), float64
    y : ndarray (N,), int64 labels or float64 targets

    Raises
    ------
    ValueError
        With a sentence that names the line and column of the problem.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"The file is not UTF-8 text (byte {err.start} cannot be read).") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        raise ValueError("The file is empty; expected a header x1,x2,label or x1,x2,y.")
    header = [cell.strip().lower() for cell in rows[0]]
    if header[:2] != ["x1", "x2"] or len(header) not in (3, 4) or header[2] not in ("label", "y"):
        raise ValueError(
            f"Line 1: the header must be x1,x2,label or x1,x2,y (optionally ,split), "
            f"got {','.join(rows[0])[:80]!r}."
        )
    if len(header) == 4 and header[3] != "split":
        raise ValueError(f"Line 1: the fourth column may only be split, got {rows[0][3]!r}.")
    target = header[2]
    body = rows[1:]
    if len(body) < MIN_UPLOAD_ROWS:
        raise ValueError(f"The file has {len(body)} data rows; at least {MIN_UPLOAD_ROWS} needed.")
    X = np.empty((len(body), 2))
    y = np.empty(len(body))
    for i, row in enumerate(body):
        line = i + 2
        if len(row) != len(header):
            raise ValueError(f"Line {line}: expected {len(header)} values, got {len(row)}.")
        for column, cell in enumerate(row[:3]):
            try:
                value = float(cell)
            except ValueError:
                raise ValueError(
                    f"Line {line}, column {header[column]}: {cell.strip()[:40]!r} is not a number."
                ) from None
            if not math.isfinite(value):
                raise ValueError(
                    f"Line {line}, column {header[column]}: {cell.strip()!r} is not finite."
                )
            if column < 2:
                X[i, column] = value
            else:
                y[i] = value
        if target == "label":
            label = y[i]
            if label != int(label) or not 0 <= label < LIMITS["max_classes"]:
                raise ValueError(
                    f"Line {line}, column label: labels must be integers 0 to "
                    f"{LIMITS['max_classes'] - 1}, got {row[2].strip()!r}."
                )
    if np.abs(X).max() > 1e6:
        raise ValueError("The coordinates x1, x2 must lie within ±1e6.")
    if target == "y":
        return X, y
    labels = y.astype(np.int64)
    if len(np.unique(labels)) < 2:
        raise ValueError("Column label: the data must have at least two classes.")
    return X, labels


def _upload_domain(X: np.ndarray) -> tuple[float, float]:
    lo, hi = float(X.min()), float(X.max())
    pad = 0.1 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


# --------------------------------------------------------------------------- the session


class Session:
    """The state of one browser tab: config, data, network, optimiser, epoch.

    Parameters
    ----------
    config : dict, optional
        Changes to the defaults (validated as the page's ``config`` message is).

    Notes
    -----
    Training runs in pieces so the server can interleave sessions: :meth:`train` runs
    mini-batches of the current epoch until it ends (or a time budget passes);
    :meth:`train_epoch` runs one whole epoch. The snapshot the page draws is
    :meth:`state`.
    """

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.upload: tuple[np.ndarray, np.ndarray] | None = None
        self.config = self._checked(config or {}, default_config())
        self.diverged = False
        self._make_data()
        self._build()

    # ----------------------------------------------------------------- data

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``."""
        return self._task

    @property
    def classes(self) -> int:
        """Classes of the data (2 for binary), 1 for regression."""
        return self._classes

    @property
    def outputs(self) -> int:
        """Output units: 1 (binary or regression) or the number of classes (softmax)."""
        return self._classes if self._classes > 2 else 1

    def _make_data(self) -> None:
        c = self.config
        name, seed = c["dataset"], c["seed"]
        if name == "upload" and self.upload is not None:
            X, y = self.upload
            order = np.random.default_rng(seed).permutation(len(X))
            X, y = X[order], y[order]
            domain = _upload_domain(X)
        elif name == "blobs":
            X, y = blobs(c["n_points"], c["classes"], c["noise"], np.random.default_rng(seed))
            domain = DOMAIN
        elif name == "spiral" and c["classes"] > 2:
            X, y = spiral_arms(c["n_points"], c["classes"], c["noise"], np.random.default_rng(seed))
            domain = DOMAIN
        else:
            X, y = playground_data(name, c["n_points"], c["noise"], seed=seed)
            domain = DOMAIN
        if name in REGRESSION_DATASETS or y.dtype.kind == "f":
            self._task, self._classes = "regression", 1
        else:
            self._task, self._classes = "classification", max(2, int(y.max()) + 1)
        n = len(X)
        n_train = min(n - 1, max(1, round(n * c["train_ratio"] / 100)))
        self.X_train, self.y_train = X[:n_train], y[:n_train]
        self.X_test, self.y_test = X[n_train:], y[n_train:]
        self.domain = (float(domain[0]), float(domain[1]))
        self._grid = grid_points(self.domain, GRID_SIZE)
        self._grid_small = grid_points(self.domain, GRID_SIZE_SMALL)

    def _targets(self, y: np.ndarray) -> np.ndarray:
        if self._task == "regression":
            return y.reshape(-1, 1).astype(DTYPE)
        if self._classes == 2:
            t = y.reshape(-1, 1).astype(DTYPE)
            return 2 * t - 1 if self._loss_name == "mse" else t
        if self._loss_name == "mse":
            return np.eye(self._classes, dtype=DTYPE)[y]
        return y

    # ----------------------------------------------------------------- the network

    @property
    def _loss_name(self) -> str:
        return "mse" if self._task == "regression" else self.config["loss"]

    def _build(self) -> None:
        """A new network, optimiser and batch order from the seed; epoch 0."""
        c = self.config
        names = c["features"]
        self.feature_names = list(names)
        sizes = [len(names), *c["hidden"], self.outputs]
        output, head = None, None
        if self._task == "classification":
            if self._loss_name == "mse":
                output = "tanh" if self._classes == 2 else "softmax"
            else:
                head = Sigmoid(dtype=DTYPE) if self._classes == 2 else Softmax(dtype=DTYPE)
        self.model = mlp(
            sizes,
            activation=c["activation"],
            output=output,
            batchnorm=c["batchnorm"],
            dropout=0.5 if c["hidden"] else 0.0,  # placeholder modules; p is set just below
            init=c["init"],
            pieces=MAXOUT_PIECES,
            dtype=DTYPE,
            rng=np.random.default_rng(c["seed"]),
        )
        self.head: Module | None = head
        self.modules: list[Module] = list(self.model)
        self._set_dropout()
        if self._loss_name == "mse":
            self.loss = MSELoss()
        elif self._classes == 2:
            self.loss = BCEWithLogitsLoss()
        else:
            self.loss = CrossEntropyLoss()
        self._describe_layers()
        self.F_train = features(self.X_train, names)
        self.F_test = features(self.X_test, names)
        self.T_train = self._targets(self.y_train)
        self.T_test = self._targets(self.y_test)
        self.F_grid = features(self._grid, names)
        self.F_grid_small = features(self._grid_small, names)
        self.optimizer = self._make_optimizer()
        self._shuffle = np.random.default_rng([c["seed"], 1])
        self._order: np.ndarray | None = None
        self._cursor = 0
        self.epoch = 0
        self.diverged = False

    def _describe_layers(self) -> None:
        """Find the dense layers, each hidden layer's output module and its activation."""
        self.dense: list[int] = [
            i for i, m in enumerate(self.modules) if isinstance(m, (Linear, Maxout))
        ]
        self.taps: list[int] = []  # per hidden layer: the module whose output is the neuron
        self.activation_at: list[int | None] = []  # per hidden layer: its activation module
        for block, start in enumerate(self.dense[:-1]):
            end = self.dense[block + 1]
            inside = [i for i in range(start, end) if not isinstance(self.modules[i], Dropout)]
            self.taps.append(inside[-1])
            acts = [
                i
                for i in inside
                if not isinstance(self.modules[i], (Linear, Maxout, BatchNorm1d, Dropout))
            ]
            self.activation_at.append(acts[-1] if acts else None)

    def _set_dropout(self) -> None:
        for module in self.modules:
            if isinstance(module, Dropout):
                module.p = float(self.config["dropout"])

    def _make_optimizer(self) -> Any:
        c = self.config
        params = list(self.model.parameters())
        kind = c["optimizer"]
        if kind == "sgd":
            return SGD(params, lr=c["lr"])
        if kind == "momentum":
            return SGD(params, lr=c["lr"], momentum=c["momentum"])
        if kind == "adam":
            return Adam(params, lr=c["lr"], betas=(c["beta1"], c["beta2"]))
        return RMSprop(params, lr=c["lr"])

    def _apply_live(self, changed: set[str]) -> None:
        c = self.config
        if "optimizer" in changed:
            self.optimizer = self._make_optimizer()  # a new kind: fresh state, same weights
        else:
            for group in self.optimizer.param_groups:
                group["lr"] = c["lr"]
                if c["optimizer"] == "momentum":
                    group["momentum"] = c["momentum"]
                elif c["optimizer"] == "adam":
                    group["betas"] = (c["beta1"], c["beta2"])
        self._set_dropout()

    # ----------------------------------------------------------------- changes

    def apply_config(self, changes: Any) -> str | None:
        """Validate ``changes`` (a partial config) and apply them.

        Returns
        -------
        str or None
            What was reset: ``"data"`` (data and network), ``"net"``, ``"live"`` (nothing
            reset; settings applied from the next batch) or None (nothing changed).

        Raises
        ------
        ConfigError
            Nothing is changed then.
        """
        new = self._checked(changes, self.config)
        changed = {key for key in new if new[key] != self.config[key]}
        if not changed:
            return None
        level = max(_LEVELS[_reset_level(key)] for key in changed)
        self.config = new
        if level == _LEVELS["data"]:
            self._make_data()
            self._build()
            return "data"
        if level == _LEVELS["net"]:
            self._build()
            return "net"
        self._apply_live(changed)
        return "live"

    def _checked(self, changes: Any, base: dict[str, Any]) -> dict[str, Any]:
        new = validate(changes, base)
        if new["dataset"] == "upload" and self.upload is None:
            raise ConfigError([("dataset", "dataset upload needs a CSV file: upload one first.")])
        return new

    def reset(self) -> None:
        """New initial weights, optimiser and batch order from the config's seed; epoch 0."""
        self._build()

    def regenerate(self) -> None:
        """New data: the seed is advanced by one (wrapping at 2³¹ − 1), then data + net."""
        self.config["seed"] = (self.config["seed"] + 1) % 2**31
        self._make_data()
        self._build()

    def set_upload(self, data: bytes) -> int:
        """Use an uploaded CSV (see :func:`parse_csv`) as the data set; returns its rows."""
        X, y = parse_csv(data)
        self.upload = (X, y)
        self.config["dataset"] = "upload"
        self._make_data()
        self._build()
        return len(X)

    def set_weight(self, layer: int, kind: str, to: int, source: int | None, value: float) -> None:
        """Set one weight (``kind="weight"``, row ``to``, column ``source``) or bias.

        Raises
        ------
        ValueError
            For an index out of range or a value that is not finite or above the limit.
        """
        limit = LIMITS["max_abs_weight"]
        if not math.isfinite(value) or abs(value) > limit:
            raise ValueError(f"value must be a finite number within ±{limit}, got {value!r}.")
        if not 0 <= layer < len(self.dense):
            raise ValueError(f"layer must be 0 to {len(self.dense) - 1}, got {layer}.")
        module = self.modules[self.dense[layer]]
        rows, columns = module.weight.data.shape
        if not 0 <= to < rows:
            raise ValueError(f"to must be 0 to {rows - 1} in layer {layer}, got {to}.")
        if kind == "bias":
            module.bias.data[to] = value
        else:
            if source is None or not 0 <= source < columns:
                raise ValueError(
                    f"from must be 0 to {columns - 1} in layer {layer}, got {source!r}."
                )
            module.weight.data[to, source] = value
        self.diverged = False

    # ----------------------------------------------------------------- training

    @property
    def mid_epoch(self) -> bool:
        """True between the first and the last batch of an epoch."""
        return self._order is not None

    def train(self, budget: float | None = None) -> bool:
        """Train mini-batches of the current epoch (a new one starts if none is under way).

        Parameters
        ----------
        budget : float, optional
            Seconds after which to stop between two batches; None runs to the epoch's end.

        Returns
        -------
        bool
            True when the epoch ended (``epoch`` was incremented).
        """
        deadline = None if budget is None else time.perf_counter() + budget
        n = len(self.F_train)
        if self._order is None:
            self._order = self._shuffle.permutation(n)
            self._cursor = 0
        self.model.train()
        with np.errstate(all="ignore"):
            while self._cursor < n:
                end = min(n, self._cursor + self.config["batch_size"])
                if self.config["batchnorm"] and 0 < n - end < 2:
                    end = n  # BatchNorm cannot take a batch of one: the last row joins
                self._step(self._order[self._cursor : end])
                self._cursor = end
                if deadline is not None and time.perf_counter() >= deadline and end < n:
                    return False
        self._order = None
        self.epoch += 1
        return True

    def train_epoch(self) -> None:
        """Train to the end of the current epoch (a whole new one when none is under way)."""
        self.train()

    def _step(self, rows: np.ndarray) -> None:
        out = self.model.forward(self.F_train[rows])
        value = self.loss.forward(out, self.T_train[rows])
        self.optimizer.zero_grad()
        self.model.backward_to_parameters(self.loss.backward())  # as fcnn.fit does
        rate = self.config["reg_rate"]
        kind = self.config["regularization"]
        if kind != "none" and rate > 0:
            for i in self.dense:
                weight = self.modules[i].weight
                if kind == "l2":
                    weight.grad += rate * weight.data  # d(rate·w²/2)/dw
                else:
                    weight.grad += rate * np.sign(weight.data)  # d(rate·|w|)/dw
        self.optimizer.step()
        if not math.isfinite(value):
            self.diverged = True

    # ----------------------------------------------------------------- what the page draws

    def _forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        outs = []
        for module in self.modules:
            x = module.forward(x)
            outs.append(x)
        return x, outs

    def _page_output(self, out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The model's raw output → (``output.values``, ``output.classes`` or None)."""
        if self.head is not None:
            out = self.head.forward(out)
        if self.outputs > 1:
            return out.max(axis=1), out.argmax(axis=1)
        if self._task == "classification" and self.head is not None:
            return 2.0 * out[:, 0] - 1.0, None  # probability of class 1 → [-1, 1]
        return out[:, 0], None

    def network(self) -> dict[str, Any]:
        """The ``network`` message."""
        return {
            "type": "network",
            "layers": [len(self.feature_names), *self.config["hidden"], self.outputs],
            "features": list(self.feature_names),
            "task": self._task,
            "classes": self.outputs,
            "activation": self.config["activation"],
            "pieces": MAXOUT_PIECES if self.config["activation"] == "maxout" else 1,
        }

    def data(self) -> dict[str, Any]:
        """The ``data`` message."""

        def part(X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
            labels = y.tolist() if y.dtype.kind == "i" else _json(y)
            return {"x": _json(X), "y": labels}

        return {
            "type": "data",
            "train": part(self.X_train, self.y_train),
            "test": part(self.X_test, self.y_test),
            "domain": list(self.domain),
        }

    def state(self, running: bool = False) -> dict[str, Any]:
        """The ``state`` message: losses, heat maps, weights, gradient flow, diagnostics."""
        model = self.model
        model.eval()
        try:
            with np.errstate(all="ignore"):
                return self._state(running)
        finally:
            model.train()

    def _state(self, running: bool) -> dict[str, Any]:
        grid_out, _ = self._forward(self.F_grid)
        values, classes = self._page_output(grid_out)
        output: dict[str, Any] = {"size": GRID_SIZE, "values": _json(values)}
        if classes is not None:
            output["classes"] = classes.tolist()
        _, small = self._forward(self.F_grid_small)
        test_loss = self.loss.forward(self._forward(self.F_test)[0], self.T_test)
        train_out, outs = self._forward(self.F_train)
        train_loss = self.loss.forward(train_out, self.T_train)
        stats, flags, grad_flow = self._health(outs)
        neurons = [
            [
                {"values": _json(self.F_grid_small[:, j]), "dead": False, "saturated": False}
                for j in range(len(self.feature_names))
            ]
        ]
        for layer, tap in enumerate(self.taps):
            dead, saturated = flags[layer]
            neurons.append(
                [
                    {
                        "values": _json(small[tap][:, j]),
                        "dead": bool(dead[j]),
                        "saturated": bool(saturated[j]),
                    }
                    for j in range(small[tap].shape[1])
                ]
            )
        weights = []
        for i in self.dense:
            module = self.modules[i]
            weights.append({"W": _json(module.weight.data), "b": _json(module.bias.data)})
        finite = math.isfinite(train_loss) and all(
            np.isfinite(p.data).all() for p in self.model.parameters()
        )
        if not finite:
            self.diverged = True
        return {
            "type": "state",
            "epoch": self.epoch,
            "running": bool(running),
            "train_loss": _number(train_loss),
            "test_loss": _number(test_loss),
            "output": output,
            "neurons": neurons,
            "weights": weights,
            "grad_flow": [_number(g) for g in grad_flow],
            "diagnostics": self._diagnostics(stats, finite),
        }

    def _health(
        self, outs: list[np.ndarray]
    ) -> tuple[list[LayerStats], list[tuple[np.ndarray, np.ndarray]], list[float]]:
        """Dead / saturated units on the training set and the full-batch gradient flow.

        ``outs`` are the module outputs of the forward pass over the training set just
        made (the loss's last forward too); then one backward pass of the data loss runs
        through the model in eval mode. The optimiser's state, the weights and every
        generator are untouched.
        """
        flags = []
        stats = []
        for number, i in enumerate(self.dense, start=1):
            module = self.modules[i]
            hidden = number <= len(self.taps)
            tap = self.taps[number - 1] if hidden else len(self.modules) - 1
            act_index = self.activation_at[number - 1] if hidden else None
            act_name = None if act_index is None else type(self.modules[act_index]).__name__
            if isinstance(module, Maxout):
                act_name = "Maxout"
            y = outs[tap]
            units = y.shape[1]
            dead = np.zeros(units, dtype=bool)
            saturated = np.zeros(units, dtype=bool)
            follows = self.modules[i + 1] if i + 1 < len(self.modules) else None
            entry = LayerStats(
                layer=number,
                module=str(i),
                type=type(module).__name__,
                units=units,
                activation=act_name,
                mean=float(y.mean()),
                std=float(y.std()),
                weight_norm=float(np.linalg.norm(module.weight.data)),
                normalization="BatchNorm1d" if isinstance(follows, BatchNorm1d) else None,
            )
            if hidden and act_index is not None and act_name in RELU_FAMILY:
                dead = ~(outs[act_index - 1] > 0).any(axis=0)  # never a positive input
                entry.dead_units = int(dead.sum())
                entry.dead_fraction = entry.dead_units / units
            elif hidden and act_name in SATURATING:
                low, high = SATURATING[act_name]
                margin = THRESHOLDS.saturation_tol * (high - low)
                near = ((y <= low + margin) | (y >= high - margin)).mean(axis=0)
                saturated = near > SATURATED_SHARE
                entry.saturated_units = int(saturated.sum())
                entry.saturated_fraction = entry.saturated_units / units
                entry.saturation_rate = float(near.mean())
            stats.append(entry)
            if hidden:
                flags.append((dead, saturated))
        self.model.zero_grad()
        grad = self.loss.backward()
        for i in range(len(self.modules) - 1, -1, -1):
            if i in self.dense:  # ‖∂L/∂z‖ at the dense layer's output z
                stats[self.dense.index(i)].backprop_norm = float(np.linalg.norm(grad))
            grad = self.modules[i].backward(grad)
        grad_flow = []
        for entry, i in zip(stats, self.dense, strict=True):
            dW = self.modules[i].weight.grad
            entry.grad_norm = float(np.linalg.norm(dW))
            grad_flow.append(float(np.sqrt(np.mean(np.square(dW)))))
        return stats, flags, grad_flow

    def _diagnostics(self, stats: list[LayerStats], finite: bool) -> list[str]:
        findings = judge(
            stats,
            thresholds=THRESHOLDS,
            samples=len(self.F_train),
            where="the training set",
            finite=finite,
        )
        sentences = []
        for finding in findings:
            text = finding.message
            sentences.append(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
        if not finite:
            sentences.append("Training paused: lower the learning rate and press reset.")
        return sentences

    # ----------------------------------------------------------------- export

    def export_model(self) -> Sequential:
        """The trained network as one ``Sequential``, with its output activation and
        without dropout (what ``fcnn.load`` gives back from :meth:`export_safetensors`)."""
        layers = [m for m in self.modules if not isinstance(m, Dropout)]
        if self.head is not None:
            layers.append(self.head)
        return Sequential(*layers)

    def export_safetensors(self) -> bytes:
        """The model file (``fcnn.save``) with metadata ``playground_config`` (the config
        JSON) and ``playground_features`` (the feature names in input order)."""
        metadata = {
            "playground_config": json.dumps(self.config),
            "playground_features": json.dumps(self.feature_names),
        }
        with tempfile.TemporaryDirectory(prefix="fcnn-playground-") as folder:
            path = Path(folder) / "model.safetensors"
            save(self.export_model(), path, metadata=metadata)
            return path.read_bytes()

    def export_python(self) -> str:
        """A Python snippet that rebuilds the features, loads the model and predicts."""
        return _SNIPPET.format(
            version=__version__,
            epoch=self.epoch,
            features=json.dumps(self.feature_names),
            domain=f"({self.domain[0]!r}, {self.domain[1]!r})",
            task=self._task,
            classes=self._classes,
            config=_python_dict(self.config),
            output=self._output_words(),
            page_values=_PAGE_VALUES[self._page_kind()],
        )

    def _output_words(self) -> str:
        if self._task == "regression":
            return "the prediction, shape (N, 1)"
        if self.outputs > 1:
            what = "probabilities" if self.head is not None else "softmax outputs"
            return f"the {self.outputs} class {what}, shape (N, {self.outputs})"
        if self.head is not None:
            return "the probability of class 1, shape (N, 1)"
        return "a tanh score in [-1, 1], shape (N, 1); above 0 means class 1"

    def _page_kind(self) -> str:
        if self.outputs > 1:
            return "multiclass"
        if self._task == "classification" and self.head is not None:
            return "probability"
        return "identity"

    def data_csv(self) -> str:
        """The current data as CSV: ``x1,x2,label,split`` (or ``x1,x2,y,split``)."""
        target = "label" if self._task == "classification" else "y"
        lines = [f"x1,x2,{target},split"]
        for X, y, split in (
            (self.X_train, self.y_train, "train"),
            (self.X_test, self.y_test, "test"),
        ):
            for (x1, x2), value in zip(X.tolist(), y.tolist(), strict=True):
                lines.append(f"{x1!r},{x2!r},{value!r},{split}")
        return "\n".join(lines) + "\n"


def _python_dict(mapping: dict[str, Any]) -> str:
    """A dict of JSON-able values as Python source, one key a line."""
    lines = [
        f"    {json.dumps(key)}: {value!r},"
        if isinstance(value, bool) or value is None
        else f"    {json.dumps(key)}: {json.dumps(value)},"
        for key, value in mapping.items()
    ]
    return "{\n" + "\n".join(lines) + "\n}"


def _reset_level(key: str) -> str:
    return KEYS[key]["resets"]


_PAGE_VALUES = {
    "probability": '''def page_values(out):
    """The page's heat-map values: the probability of class 1 mapped to [-1, 1]."""
    return 2.0 * out[:, 0] - 1.0''',
    "identity": '''def page_values(out):
    """The page's heat-map values: the network's single output as it is."""
    return out[:, 0]''',
    "multiclass": '''def page_values(out):
    """The page's heat-map values: the winning class's probability (see page_classes)."""
    return out.max(axis=1)


def page_classes(out):
    """The winning class of each point."""
    return out.argmax(axis=1)''',
}

_SNIPPET = '''"""A network trained in the fcnn playground: its features, weights and predictions.

Generated by fcnn {version} at epoch {epoch}. Save the playground's model download next
to this file as model.safetensors, then run:  python model.py
"""

import fcnn
from fcnn import playground

MODEL_FILE = "model.safetensors"
FEATURES = {features}  # the network's inputs, in order
DOMAIN = {domain}  # both axes of the playground's heat maps
TASK = "{task}"
CLASSES = {classes}  # classes of a classification task (1 for regression)
CONFIG = {config}


def features(X):
    """The network's inputs for points X of shape (N, 2): one column per FEATURES name
    (x1, x2, x1^2, x2^2, x1x2, sin_x1, sin_x2, as in the TensorFlow Playground)."""
    return playground.features(X, FEATURES)


def grid_points(domain=DOMAIN, size=50):
    """The heat maps' points, (size², 2), row-major: row 0 at the top (x2 = hi),
    column 0 at the left (x1 = lo)."""
    return playground.grid_points(domain, size)


def load_model(path=MODEL_FILE):
    """The trained network (with its output activation), ready for inference."""
    return fcnn.load(path).eval()


def predict(model, X):
    """The network's output for points X of shape (N, 2):
    {output}."""
    return model(features(X))


{page_values}


if __name__ == "__main__":
    model = load_model()
    print(model)
    points = grid_points(DOMAIN, 50)
    values = page_values(predict(model, points))
    print("heat map:", values.shape, "from", values.min(), "to", values.max())
'''
