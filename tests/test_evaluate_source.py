"""``fcnn.evaluate`` on a BatchSource adds the loss and metrics batch by batch (memory:
one batch of outputs) and gives what ``evaluate`` on the same rows in memory gives."""

from __future__ import annotations

import numpy as np
import pytest

import fcnn
from fcnn.data.stream import NpySource
from fcnn.losses import CrossEntropyLoss


def _source(tmp_path, X, y):
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    return NpySource(tmp_path / "X.npy", tmp_path / "y.npy", chunk_rows=90, dtype=X.dtype)


def _model(n_in, n_out, dtype):
    return fcnn.mlp([n_in, 12, n_out], "tanh", seed=3, dtype=dtype)


@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-12), ("float32", 1e-5)])
def test_classification_as_in_memory(tmp_path, dtype, tolerance):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 5)).astype(dtype)
    y = rng.integers(0, 4, size=1000)
    model = _model(5, 4, dtype)
    for loss in (None, CrossEntropyLoss(weight=[1.0, 3.0, 0.5, 2.0])):
        streamed = fcnn.evaluate(
            model, _source(tmp_path, X, y), loss=loss, metrics=["accuracy", "f1"], batch_size=64
        )
        in_memory = fcnn.evaluate(model, X, y, loss=loss, metrics=["accuracy", "f1"])
        assert streamed.keys() == in_memory.keys()
        for name, value in in_memory.items():
            assert streamed[name] == pytest.approx(value, rel=tolerance), name
    assert model.training  # the model's mode is given back


def test_regression_as_in_memory(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(700, 3))
    y = np.c_[X @ [1.0, -2.0, 0.5] + 50.0, X[:, 0] ** 2]  # a large mean: R² must not lose it
    model = _model(3, 2, "float64")
    metrics = ["r2", "rmse", "mae"]
    for loss in ("mse", "l1", fcnn.losses.MSELoss(reduction="sum")):
        streamed = fcnn.evaluate(
            model, _source(tmp_path, X, y), loss=loss, metrics=metrics, batch_size=50
        )
        in_memory = fcnn.evaluate(model, X, y, loss=loss, metrics=metrics)
        for name, value in in_memory.items():
            assert streamed[name] == pytest.approx(value, rel=1e-12), (loss, name)


def test_binary_as_in_memory(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] > 0).astype(np.int64)
    model = _model(4, 1, "float64")
    streamed = fcnn.evaluate(model, _source(tmp_path, X, y), batch_size=32)
    assert streamed == pytest.approx(fcnn.evaluate(model, X, y), rel=1e-12)
