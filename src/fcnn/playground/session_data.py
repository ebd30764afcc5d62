"""The data half of a playground :class:`~fcnn.playground.session.Session`: its points
and what the network trains and is drawn on.

A session's points are one of three: a generated set (``fcnn.data.playground_set``,
seeded by the config's ``seed``), an uploaded CSV (``fcnn.data.parse_points_csv``, drawn
over its own range plus a margin) or points drawn on the page (checked by
``drawn.drawn_points``, drawn over the built-in sets' fixed domain). Uploaded and drawn
points are both the ``upload`` data set, shuffled by the seed. They are split into
training and test points by ``train_ratio``; the heat maps' grids cover the domain; the
targets are what the loss in force trains on (±1 for a tanh output, one-hot for MSE on
classes).

``SessionData`` is a mixin: it reads the config, the loss in force (``loss_name``, from
``session_network.py``) and ``_build``, which the session has.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import parse_points_csv, playground_set
from .config import DOMAIN, GRID_SIZE, GRID_SIZE_FINE, GRID_SIZE_SMALL, LIMITS, REGRESSION_DATASETS
from .encoding import grid_points, signed

__all__ = ["DTYPE", "SessionData"]

DTYPE = np.float64  # the playground's models are float64 (see session.py)


def _upload_domain(X: np.ndarray) -> tuple[float, float]:
    """The heat maps' axis range for uploaded points: their range plus 10 % each side."""
    lo, hi = float(X.min()), float(X.max())
    pad = 0.1 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


class SessionData:
    """A session's points, their split, the grids over their domain and the targets."""

    config: dict[str, Any]
    upload: tuple[np.ndarray, np.ndarray] | None  # uploaded or drawn points, if any
    upload_drawn: bool  # the upload was drawn on the page: the fixed domain

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
