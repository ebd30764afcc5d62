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

The session's points (generated, uploaded or drawn), their split and targets are its
data half, :class:`~fcnn.playground.session_data.SessionData`; its network, loss,
optimiser and training step, built from the config, are its network half,
:class:`~fcnn.playground.session_network.SessionNetwork`; this file holds the session
itself: its config changes, training in pieces and the messages and downloads, which
are built in ``state.py`` and ``export.py``. The data sets and the upload reader are
``fcnn.data``'s (``playground_sets.py``); the loss-surface panel is ``surface.py``'s
``Surface``, told of each new network and each epoch's weights.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from ..i18n import translator
from ..layers import Sequential
from . import export
from .config import KEYS, LIMITS, ConfigError, default_config, validate
from .encoding import features, grid_points
from .session_data import SessionData
from .session_network import SessionNetwork
from .state import data_message, network_message, state_message
from .surface import Surface

__all__ = ["Session", "features", "grid_points"]

_ = translator("playground")

_LEVELS = {"live": 1, "net": 2, "data": 3}


class Session(SessionData, SessionNetwork):
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
