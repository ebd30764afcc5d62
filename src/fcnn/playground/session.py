"""One playground session: its data, its network, its optimiser, and training it.

A :class:`Session` is plain, synchronous Python: the server owns one per browser tab and
calls it between ``await``\\ s, so nothing here needs a lock. Everything random comes
from generators seeded by the config's ``seed`` (the data from
``fcnn.data.playground_set(..., seed=seed)``, the weights and dropout masks from
``default_rng(seed)``, the batch order from ``default_rng([seed, 1])``; with an
``init_seed`` n > 0, from ``[seed, 2, n]`` and ``[seed, 2, n, 1]``), never from NumPy's
global state, so :meth:`Session.reset` with the same seeds replays a run bit for bit.

Models are float64: the heat map the page shows, the exported ``.safetensors`` file read
back with ``fcnn.load`` and the snippet's ``features`` give the same numbers.

The data sets and the upload reader are ``fcnn.data``'s (``playground_sets.py``); what
the page draws is built in ``state.py``, the downloads in ``export.py``.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from ..activations import Sigmoid, Softmax
from ..core import Module
from ..data import parse_points_csv, playground_set
from ..i18n import translator
from ..layers import BatchNorm1d, Dropout, Linear, Maxout, Sequential
from ..losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from ..models import mlp
from ..optim import SGD, Adam, RMSprop
from ..train.step import Penalty, TrainStep
from . import export
from .config import (
    DOMAIN,
    GRID_SIZE,
    GRID_SIZE_FINE,
    GRID_SIZE_SMALL,
    KEYS,
    LIMITS,
    MAXOUT_PIECES,
    REGRESSION_DATASETS,
    ConfigError,
    default_config,
    validate,
)
from .encoding import features, grid_points, signed
from .state import data_message, network_message, state_message
from .surface import Surface

__all__ = ["Session", "features", "grid_points"]

_ = translator("playground")

DTYPE = np.float64
_LEVELS = {"live": 1, "net": 2, "data": 3}


def _upload_domain(X: np.ndarray) -> tuple[float, float]:
    """The heat maps' axis range for uploaded points: their range plus 10 % each side."""
    lo, hi = float(X.min()), float(X.max())
    pad = 0.1 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


class Session:
    """The state of one browser tab: config, data, network, optimiser, epoch.

    Parameters
    ----------
    config : dict, optional
        Changes to the defaults (validated as the page's ``config`` message is).

    Notes
    -----
    Training runs in pieces so the server can interleave sessions: :meth:`train` runs
    mini-batches of the current epoch until it ends or a time budget passes (without a
    budget, to the end of the epoch). The snapshot the page draws is :meth:`state`.
    """

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.upload: tuple[np.ndarray, np.ndarray] | None = None
        self.upload_drawn = False  # the upload was drawn on the page: the fixed domain
        self.surface = Surface()  # the loss-surface panel's settings and the path
        # The language of what this session says (its errors, the diagnostics): the
        # page's, set by its ``language`` message; the sentences are made in it.
        self.lang = "en"
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
            domain = DOMAIN if self.upload_drawn else _upload_domain(X)
        else:
            X, y = playground_set(name, c["n_points"], c["noise"], c["classes"], seed=seed)
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
        self._grid_fine = grid_points(self.domain, GRID_SIZE_FINE)

    def _targets(self, y: np.ndarray) -> np.ndarray:
        if self._task == "regression":
            return y.reshape(-1, 1).astype(DTYPE)
        if self._classes == 2:
            t = y.reshape(-1, 1).astype(DTYPE)
            return signed(t) if self.loss_name == "mse" else t  # ±1 for the tanh output
        if self.loss_name == "mse":
            return np.eye(self._classes, dtype=DTYPE)[y]
        return y

    # ----------------------------------------------------------------- the network

    @property
    def loss_name(self) -> str:
        """The loss in force: ``"mse"`` for a regression, else ``config["loss"]``."""
        return "mse" if self._task == "regression" else self.config["loss"]

    def _build(self) -> None:
        """A new network, optimiser and batch order from the seed; epoch 0."""
        c = self.config
        names = c["features"]
        self.feature_names = list(names)
        sizes = [len(names), *c["hidden"], self.outputs]
        output, head = None, None
        if self._task == "classification":
            if self.loss_name == "mse":
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
            rng=np.random.default_rng(self._weight_seed()),
        )
        self.head: Module | None = head
        self.modules: list[Module] = list(self.model)
        self._set_dropout()
        self._describe_layers()
        self._scale_weights()
        if self.loss_name == "mse":
            self.loss = MSELoss()
        elif self._classes == 2:
            self.loss = BCEWithLogitsLoss()
        else:
            self.loss = CrossEntropyLoss()
        self._set_max_norm()
        self.F_train = features(self.X_train, names)
        self.F_test = features(self.X_test, names)
        self.T_train = self._targets(self.y_train)
        self.T_test = self._targets(self.y_test)
        self.F_grid = features(self._grid, names)
        self.F_grid_small = features(self._grid_small, names)
        self.F_grid_fine = features(self._grid_fine, names)
        # The one training step fcnn.fit uses too, with the L1 / L2 penalty on the dense
        # layers' weights (not the biases) set from the config by _set_penalty; L1 with
        # the TensorFlow Playground's clip at zero.
        weights = [self.modules[i].weight for i in self.dense]
        penalty = Penalty(weights, l1_clip=True)
        self.step = TrainStep(self.model, self.loss, self._make_optimizer(), penalty)
        self._set_penalty()
        self._shuffle = np.random.default_rng([*self._weight_seed(), 1])
        self._order: np.ndarray | None = None
        self._cursor = 0
        self.epoch = 0
        self.diverged = False
        self._loss_above_stop = True  # stop_test_loss fires when the loss comes down to it
        self.surface.restart(self)  # a new network: a new path

    def _weight_seed(self) -> list[int]:
        """The seed of the weights, dropout masks and batch order: ``[seed]`` while
        ``init_seed`` is 0 (NumPy seeds ``[s]`` as ``s``: the runs before the key existed,
        bit for bit), else ``[seed, 2, init_seed]`` (2: apart from the batch order's 1)."""
        c = self.config
        return [c["seed"]] if c["init_seed"] == 0 else [c["seed"], 2, c["init_seed"]]

    def _scale_weights(self) -> None:
        """``init_scale`` times the dense layers' initial weights (biases untouched); at 1
        nothing is touched, so the weights are the initialiser's bit for bit."""
        scale = self.config["init_scale"]
        if scale != 1.0:
            for i in self.dense:
                self.modules[i].weight.data *= scale

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

    @property
    def optimizer(self) -> Any:
        """The optimiser of the training step."""
        return self.step.optimizer

    def _set_dropout(self) -> None:
        for module in self.modules:
            if isinstance(module, Dropout):
                module.p = float(self.config["dropout"])

    def _set_max_norm(self) -> None:
        """``max_norm`` (0: off) on the hidden layers' incoming weights, as ``fcnn.mlp``
        puts it; the output layer is left free."""
        radius = self.config["max_norm"] or None
        for i in self.dense[:-1]:
            self.modules[i].max_norm = radius

    def _set_penalty(self) -> None:
        """``regularization`` and ``reg_rate`` as the step's penalty: one of L1 or L2."""
        kind, rate = self.config["regularization"], self.config["reg_rate"]
        self.step.penalty.l1 = rate if kind == "l1" else 0.0
        self.step.penalty.l2 = rate if kind == "l2" else 0.0

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
            self.step.optimizer = self._make_optimizer()  # a new kind: fresh state, same weights
        else:
            for group in self.optimizer.param_groups:
                group["lr"] = c["lr"]
                if c["optimizer"] == "momentum":
                    group["momentum"] = c["momentum"]
                elif c["optimizer"] == "adam":
                    group["betas"] = (c["beta1"], c["beta2"])
        self._set_dropout()
        self._set_penalty()
        if "max_norm" in changed:  # the step finds its constrained layers when it is built
            self._set_max_norm()
            self.step = TrainStep(self.model, self.loss, self.optimizer, self.step.penalty)

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
        level = max(_LEVELS[KEYS[key]["resets"]] for key in changed)
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
            message = _("dataset upload needs a CSV file: upload one first.")
            raise ConfigError([("dataset", message)])
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
        """Use an uploaded CSV (``fcnn.data.parse_points_csv``) as the data set; returns
        its rows."""
        X, y = parse_points_csv(data, max_classes=LIMITS["max_classes"])
        self.upload, self.upload_drawn = (X, y), False
        self.config["dataset"] = "upload"
        self._make_data()
        self._build()
        return len(X)

    def set_drawn(self, X: np.ndarray, y: np.ndarray) -> None:
        """Use points drawn on the page (checked by ``drawn.drawn_points``) as the data set:
        an upload over the built-in sets' domain."""
        self.upload, self.upload_drawn = (X, y), True
        self.config["dataset"] = "upload"
        self._make_data()
        self._build()

    def set_weight(self, layer: int, kind: str, to: int, source: int | None, value: float) -> None:
        """Set one weight (``kind="weight"``, row ``to``, column ``source``) or bias.

        Raises
        ------
        ValueError
            For an index out of range or a value that is not finite or above the limit.
        """
        limit = LIMITS["max_abs_weight"]
        if not math.isfinite(value) or abs(value) > limit:
            text = _("value must be a finite number within ±{limit}, got {got}.")
            raise ValueError(text.format(limit=limit, got=repr(value)))
        if not 0 <= layer < len(self.dense):
            text = _("layer must be 0 to {last}, got {got}.")
            raise ValueError(text.format(last=len(self.dense) - 1, got=layer))
        module = self.modules[self.dense[layer]]
        rows, columns = module.weight.data.shape
        if not 0 <= to < rows:
            text = _("to must be 0 to {last} in layer {layer}, got {got}.")
            raise ValueError(text.format(last=rows - 1, layer=layer, got=to))
        if kind == "bias":
            module.bias.data[to] = value
        else:
            if source is None or not 0 <= source < columns:
                text = _("from must be 0 to {last} in layer {layer}, got {got}.")
                raise ValueError(text.format(last=columns - 1, layer=layer, got=repr(source)))
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
        self.surface.record(self)
        return True

    def stop_reached(self) -> bool:
        """True when the epoch just ended meets a stop condition of the config: the epoch
        count reached ``stop_epoch``, or the test loss came down to ``stop_test_loss``
        (each fires once, on reaching it: play again and training goes on)."""
        c = self.config
        if c["stop_epoch"] and self.epoch == c["stop_epoch"]:
            return True
        if not c["stop_test_loss"]:
            return False
        self.model.eval()
        try:
            with np.errstate(all="ignore"):
                out = self.model.forward(self.F_test)
                loss = float(self.loss.forward(out, self.T_test))
        finally:
            self.model.train()
        reached = loss <= c["stop_test_loss"] and self._loss_above_stop
        self._loss_above_stop = not loss <= c["stop_test_loss"]
        return reached

    def _step(self, rows: np.ndarray) -> None:
        result = self.step(self.F_train[rows], self.T_train[rows])
        if not math.isfinite(result.loss):
            self.diverged = True

    # ----------------------------------------------------------------- what the page draws

    def network(self) -> dict[str, Any]:
        """The ``network`` message (see ``state.py``)."""
        return network_message(self)

    def data(self) -> dict[str, Any]:
        """The ``data`` message (see ``state.py``)."""
        return data_message(self)

    def state(self, running: bool = False) -> dict[str, Any]:
        """The ``state`` message: losses, heat maps, weights, gradient flow, diagnostics."""
        return state_message(self, running)

    # ----------------------------------------------------------------- downloads

    def export_model(self) -> Sequential:
        """The trained network with its output activation, without dropout."""
        return export.export_model(self)

    def export_safetensors(self) -> bytes:
        """The model file, with the config and the feature names in its metadata."""
        return export.export_safetensors(self)

    def export_python(self) -> str:
        """A Python snippet that rebuilds the features, loads the model and predicts."""
        return export.export_python(self)

    def data_csv(self) -> str:
        """The current data as CSV: ``x1,x2,label,split`` (or ``x1,x2,y,split``)."""
        return export.data_csv(self)
