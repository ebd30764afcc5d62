"""The playground's loss surface (playground/surface.py) and drawn data (playground/drawn.py):
the surface's centre is the training loss, a single-weight direction is that weight
changed, filter normalisation gives each unit its own norm, the path and the cost; the
``draw`` message's checks and a drawn set trained and downloaded."""

from __future__ import annotations

import time

import numpy as np
import pytest

from fcnn.playground.drawn import MAX_POINTS, drawn_points
from fcnn.playground.messages import MessageError
from fcnn.playground.session import Session
from fcnn.playground.surface import SIZE, filter_normalised, loss_grid, parameters


def _trained(config=None, epochs=3):
    session = Session(config or {})
    for _ in range(epochs):
        session.train()
    return session


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"dataset": "spiral", "classes": 3, "hidden": [5, 3], "activation": "relu"},
        {"loss": "mse", "dropout": 0.3, "batchnorm": True},
        {"dataset": "plane", "activation": "maxout"},
    ],
)
def test_the_centre_is_the_training_loss(config):
    session = _trained(config)
    session.surface.configure(session, {"directions": "random"})
    message = session.surface.message(session)
    state = session.state()
    assert message["size"] == SIZE and len(message["values"]) == SIZE * SIZE
    assert message["center"] == state["train_loss"]  # both rounded to 4 digits
    d1, d2 = session.surface.directions(session)
    exact = loss_grid(session, d1, d2, np.zeros(1), np.zeros(1))[0]
    session.model.eval()
    out = session.model.forward(session.F_train)
    session.model.train()
    assert exact == pytest.approx(session.loss.forward(out, session.T_train), rel=1e-12)


def test_a_single_weight_direction_is_that_weight_changed():
    session = _trained({"hidden": [3]})
    a, b = [0, 2, 1], [1, 0, None]  # layer 0's w(x2 → h3), the output's bias
    session.surface.configure(session, {"directions": "weights", "a": a, "b": b})
    d1, d2 = session.surface.directions(session)
    alphas, betas = np.array([-0.7, 0.0, 1.3]), np.array([0.4, -2.0, 0.9])
    grid = loss_grid(session, d1, d2, alphas, betas)
    W = session.modules[session.dense[0]].weight.data
    bias = session.modules[session.dense[1]].bias.data
    w0, b0 = W[2, 1], bias[0]
    for value, alpha, beta in zip(grid, alphas, betas, strict=True):
        W[2, 1], bias[0] = w0 + alpha, b0 + beta
        session.model.eval()
        direct = session.loss.forward(session.model.forward(session.F_train), session.T_train)
        session.model.train()
        assert value == pytest.approx(direct, rel=1e-12)
    W[2, 1], bias[0] = w0, b0


def test_filter_normalisation_matches_each_units_norm():
    session = _trained({"hidden": [4, 3]})
    weights = parameters(session)
    raw = [np.random.default_rng(1).standard_normal(w.shape) for w in weights]
    for k, (d, w) in enumerate(zip(filter_normalised(raw, weights), weights, strict=True)):
        if k % 2:
            assert not d.any()  # biases are not moved (Li et al.)
        else:
            np.testing.assert_allclose(np.linalg.norm(d, axis=1), np.linalg.norm(w, axis=1))


def test_the_path_is_projected_and_follows_the_optimiser():
    session = Session({"hidden": [2]})
    a, b = [0, 0, 0], [0, 1, 1]
    session.surface.configure(session, {"directions": "weights", "a": a, "b": b})
    W = session.modules[session.dense[0]].weight.data
    start = W[0, 0], W[1, 1]
    for _ in range(3):
        session.train()
    session.apply_config({"optimizer": "adam"})
    for _ in range(2):
        session.train()
    message = session.surface.message(session)
    path = np.array(message["path"])
    assert len(path) == 6 and message["optimizers"] == ["sgd"] * 4 + ["adam"] * 2
    # With one-hot directions the projection is the change of the two weights itself.
    np.testing.assert_allclose(path[0], [start[0] - W[0, 0], start[1] - W[1, 1]], atol=2e-3)
    assert path[-1] == pytest.approx([0, 0], abs=1e-9)
    assert message["range"] >= np.abs(path).max()
    with pytest.raises(ValueError, match="two different weights"):
        session.surface.configure(session, {"directions": "weights", "a": a, "b": a})
    with pytest.raises(ValueError, match=r"\[layer, to, from\]"):
        session.surface.configure(session, {"directions": "weights", "a": a, "b": [5, 0, 0]})


def test_the_surface_costs_little():
    """One 25 × 25 surface: the default network on 250 points, and the largest the
    playground allows (six layers of 8 on 1800 training points)."""
    for config, budget, runs in (
        ({}, 0.05, 3),
        ({"hidden": [8] * 6, "n_points": 2000, "train_ratio": 90}, 1.5, 1),
    ):
        session = Session(config)
        session.surface.configure(session, {"directions": "random"})
        best = min(_timed(session) for _ in range(runs))
        print(f"surface of {config}: {best * 1e3:.1f} ms")
        assert best < budget


def _timed(session):
    start = time.perf_counter()
    session.surface.message(session)
    return time.perf_counter() - start


def test_drawn_points_are_checked():
    ok = {"task": "classification", "x": [[0, 1], [2.5, -3]], "y": [0, 1]}
    X, y = drawn_points(ok)
    assert X.shape == (2, 2) and y.dtype.kind == "i"
    bad = [
        ({"x": [[0, 1]], "y": [0]}, "2 to"),
        ({"x": [[0, 1]] * (MAX_POINTS + 1), "y": [0] * (MAX_POINTS + 1)}, "2 to"),
        ({"x": [[0, 9], [0, 0]]}, "within"),
        ({"x": [[0, "a"], [0, 0]]}, "pair"),
        ({"y": [0, 6]}, "integer from 0 to 5"),
        ({"y": [0, True]}, "integer"),
        ({"task": "regression", "y": [0.5, 2]}, "within"),
        ({"task": "votes"}, "task"),
        ({"y": [0]}, "same length"),
    ]
    for change, match in bad:
        with pytest.raises(MessageError, match=match):
            drawn_points({**ok, **change})


def test_a_drawn_set_trains_and_downloads():
    session = Session({"train_ratio": 90})
    X = np.array([[-3, -3], [-3.5, -2], [-2, -3.5], [3, 3], [3.5, 2], [2, 3.5]] * 2, float)
    y = np.array([0, 0, 0, 1, 1, 1] * 2)
    session.set_drawn(*drawn_points({"task": "classification", "x": X.tolist(), "y": y.tolist()}))
    assert session.config["dataset"] == "upload" and session.domain == (-6.0, 6.0)
    assert session.task == "classification" and len(session.X_train) == 11
    before = session.state()["train_loss"]
    for _ in range(40):
        session.train()
    assert session.state()["train_loss"] < before
    csv = session.data_csv().splitlines()
    assert csv[0] == "x1,x2,label,split" and len(csv) == 13
    session.set_drawn(*drawn_points({"task": "regression", "x": [[0, 0], [1, 1]], "y": [0.5, -1]}))
    assert session.task == "regression"
