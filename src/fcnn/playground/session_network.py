"""The network half of a playground :class:`~fcnn.playground.session.Session`: its
network, loss, optimiser and training step, built from the config, and the settings
applied to them while it trains.

``_build`` makes a new network from the seed (``fcnn.mlp`` in float64, its weights from
``default_rng(seed)``, or ``[seed, 2, init_seed]`` for an ``init_seed`` n > 0; the
batch order from the same seed with a 1 appended) and the loss in force: MSE for a
regression, or on a tanh / softmax output when the config's loss is ``mse``; else BCE
or cross-entropy on logits, with the sigmoid / softmax the page shows kept apart as
``head``. It finds the dense layers, each hidden layer's neuron (``taps``) and its
activation, which ``state.py`` reads, and trains through fcnn's
:class:`~fcnn.train.step.TrainStep` with the L1 / L2 penalty. ``_apply_live`` applies
the settings that keep the weights (optimiser, learning rate, momentum, β, dropout,
penalty, max-norm) from the next batch.

``SessionNetwork`` is a mixin: it reads the config, the data (``session_data.py``) and
the loss-surface panel (``surface``), which the session has.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import Sigmoid, Softmax
from ..core import Module
from ..layers import BatchNorm1d, Dropout, Linear, Maxout
from ..losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from ..models import mlp
from ..optim import SGD, Adam, RMSprop
from ..train.step import Penalty, TrainStep
from .config import MAXOUT_PIECES
from .encoding import features
from .session_data import DTYPE

__all__ = ["SessionNetwork"]


class SessionNetwork:
    """A session's network, loss, optimiser and training step."""

    config: dict[str, Any]

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
