"""The playground's second-edition small items, server side: new random weights on
request (``init_seed``), the fine output grid, the metrics beside the loss."""

from __future__ import annotations

import base64

import numpy as np
import pytest

import fcnn
from fcnn.playground.encoding import QUANTA, quantised
from fcnn.playground.messages import dumps
from fcnn.playground.session import Session, grid_points


def weights_of(session: Session) -> list[np.ndarray]:
    return [p.data.copy() for p in session.model.parameters()]


# --------------------------------------------------------------------------- init_seed


def test_init_seed_zero_keeps_the_weights_of_the_seed():
    session = Session({"seed": 11, "hidden": [3]})
    fresh = fcnn.mlp(
        [2, 3, 1],
        activation="tanh",
        init="xavier_uniform",
        dtype=np.float64,
        rng=np.random.default_rng(11),
    )
    for a, b in zip(weights_of(session), [p.data for p in fresh.parameters()], strict=True):
        np.testing.assert_array_equal(a, b)


def test_new_init_seed_draws_new_weights_on_the_same_data_and_replays():
    session = Session({"seed": 11})
    X, before = session.X_train.copy(), weights_of(session)
    assert session.apply_config({"init_seed": 12345}) == "net"
    np.testing.assert_array_equal(session.X_train, X)
    after = weights_of(session)
    assert not all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    session.train()
    trained = weights_of(session)
    again = Session({"seed": 11, "init_seed": 12345})
    np.testing.assert_array_equal(again.X_train, X)
    again.train()
    for a, b in zip(trained, weights_of(again), strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- init_scale


def test_init_scale_multiplies_the_weights_not_the_biases_and_one_changes_nothing():
    plain = Session({"seed": 3, "init": "kaiming_uniform", "activation": "relu"})
    one = Session({"seed": 3, "init": "kaiming_uniform", "activation": "relu", "init_scale": 1})
    for a, b in zip(weights_of(plain), weights_of(one), strict=True):
        assert a.tobytes() == b.tobytes()  # 1 is the initialiser bit for bit
    assert plain.apply_config({"init_scale": 10}) == "net"  # a new network, same data
    for i in one.dense:
        scaled, base = plain.modules[i], one.modules[i]
        np.testing.assert_array_equal(scaled.weight.data, 10 * base.weight.data)
        np.testing.assert_array_equal(scaled.bias.data, base.bias.data)
    np.testing.assert_array_equal(plain.X_train, one.X_train)


def test_init_scale_ten_is_the_init_lessons_too_large_weights():
    # lesson-list.js's "init" lesson: He ×10 on the circle (ReLU 4-4, lr 0.03) starts
    # with a loss above 100, kills ReLU units and sticks near 0.7; He ×1 learns.
    config = {"hidden": [4, 4], "activation": "relu", "init": "kaiming_uniform"}
    large = Session({**config, "init_scale": 10})
    assert large.state()["test_loss"] > 100
    for _ in range(50):
        large.train()
    state = large.state()
    assert state["test_loss"] > 0.6
    assert any(n["dead"] for layer in state["neurons"][1:] for n in layer)
    right = Session(config)
    for _ in range(100):
        right.train()
    assert right.state()["test_loss"] < 0.1


# --------------------------------------------------------------------------- fine grid


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8)


@pytest.mark.parametrize(
    "config",
    [
        {"dataset": "circle"},
        {"dataset": "xor", "loss": "mse"},
        {"dataset": "blobs", "classes": 4, "hidden": [6]},
        {"dataset": "plane", "noise": 20},
    ],
)
def test_the_fine_grid_is_the_models_output_within_one_quantum(config, tmp_path):
    session = Session(config)
    session.train()
    fine = session.state()["output"]["fine"]
    assert fine["size"] == 100
    (tmp_path / "model.safetensors").write_bytes(session.export_safetensors())
    namespace: dict = {"__name__": "playground_snippet"}
    exec(session.export_python(), namespace)
    model = namespace["load_model"](tmp_path / "model.safetensors")
    out = namespace["predict"](model, grid_points(session.domain, 100))
    expected = namespace["page_values"](out)
    q = _bytes(fine["bytes"])
    assert q.shape == (10_000,) and q.max() <= QUANTA
    step = (fine["hi"] - fine["lo"]) / QUANTA
    np.testing.assert_allclose(fine["lo"] + q * step, expected, atol=0.51 * step + 1e-3)
    if "page_classes" in namespace:
        assert _bytes(fine["classes"]).tolist() == namespace["page_classes"](out).tolist()
    else:
        assert "classes" not in fine


def test_quantised_keeps_the_middle_and_refuses_nothing_finite():
    q = quantised([-1.0, 0.0, 1.0, 3.0], -1, 1)
    assert _bytes(q["bytes"]).tolist() == [0, QUANTA // 2, QUANTA, QUANTA]
    assert quantised([1.0, np.nan]) is None
    assert _bytes(quantised([2.0, 2.0])["bytes"]).tolist() == [0, 0]


def test_the_state_message_stays_small():
    session = Session({"dataset": "spiral", "hidden": [8] * 6, "features": ["x1", "x2"]})
    state = session.state()
    fine = dumps(state["output"]["fine"])
    assert len(fine) < 14_000  # 10⁴ values in base64: 13,336 characters and the range
    # The whole state as sent, with the biggest network, stays far under the frame limit.
    assert len(dumps(state)) < 200_000


# --------------------------------------------------------------------------- metrics


@pytest.mark.parametrize(
    "config",
    [
        {"dataset": "circle", "noise": 30},
        {"dataset": "xor", "loss": "mse", "noise": 30},
        {"dataset": "blobs", "classes": 3, "noise": 40},
        {"dataset": "plane", "noise": 20},
    ],
)
def test_the_metrics_are_the_exported_models(config, tmp_path):
    session = Session(config)
    for _ in range(3):
        session.train()
    metrics = session.state()["metrics"]
    (tmp_path / "model.safetensors").write_bytes(session.export_safetensors())
    namespace: dict = {"__name__": "playground_snippet"}
    exec(session.export_python(), namespace)
    model = namespace["load_model"](tmp_path / "model.safetensors")
    for split, X, y in (
        ("train", session.X_train, session.y_train),
        ("test", session.X_test, session.y_test),
    ):
        out = namespace["predict"](model, X)
        got = metrics[split]
        if session.task == "regression":
            y_hat = namespace["page_values"](out)
            assert got["r2"] == pytest.approx(
                1 - np.sum((y - y_hat) ** 2) / np.sum((y - y.mean()) ** 2), abs=1e-3
            )
            assert got["rmse"] == pytest.approx(np.sqrt(np.mean((y - y_hat) ** 2)), rel=1e-3)
            continue
        if "page_classes" in namespace:
            predicted = namespace["page_classes"](out)
        else:
            predicted = (namespace["page_values"](out) > 0).astype(int)
        assert got["accuracy"] == pytest.approx(np.mean(predicted == y), abs=1e-4)
        k = session.classes
        expected = np.zeros((k, k), dtype=int)
        np.add.at(expected, (y, predicted), 1)
        assert got["confusion"] == expected.tolist()
        assert sum(map(sum, got["confusion"])) == len(y)


# --------------------------------------------------------------------------- stop conditions


def test_stop_conditions_fire_once_on_reaching_them():
    session = Session({"stop_epoch": 3})
    fired = []
    for _ in range(6):
        session.train()
        fired.append(session.stop_reached())
    assert fired == [False, False, True, False, False, False]
    session = Session({"dataset": "gauss", "lr": 0.3, "stop_test_loss": 0.2})
    fired = []
    for _ in range(40):
        session.train()
        fired.append(session.stop_reached())
    assert fired.count(True) == 1
    assert session.state()["test_loss"] <= 0.2 or not fired[-1]


def test_play_pauses_by_itself_at_the_stop_epoch():
    import warnings

    from fcnn.playground.server import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    with TestClient(create_app()) as client, client.websocket_connect("/ws") as ws:
        for _ in range(5):
            ws.receive_json()
        ws.send_json({"type": "config", "config": {"stop_epoch": 25}})
        assert ws.receive_json()["config"]["stop_epoch"] == 25
        assert ws.receive_json()["type"] == "state"
        ws.send_json({"type": "play"})
        state = ws.receive_json()
        while state["running"]:
            state = ws.receive_json()
        assert state["epoch"] == 25
