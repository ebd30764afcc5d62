"""One playground session: data, features, training, live changes, the state the page draws,
and the exports (the model file read back by ``fcnn.load`` must predict what the page showed)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import fcnn
from fcnn.data import parse_points_csv as parse_csv
from fcnn.data import ring_blobs as blobs
from fcnn.data import spiral_arms
from fcnn.optim import SGD, Adam, RMSprop
from fcnn.playground.config import FEATURES, ConfigError
from fcnn.playground.encoding import round_sig
from fcnn.playground.session import Session, features, grid_points

ALL_FEATURES = list(FEATURES)


def weights_of(session: Session) -> list[np.ndarray]:
    return [p.data.copy() for p in session.model.parameters()]


# --------------------------------------------------------------------------- numbers


def test_round_sig_keeps_four_significant_digits():
    values = [0.123456, -98765.4, 1.5e-7, 0.0, 12345678.9, 2.0, -0.00099996, 5e-324]
    assert round_sig(values).tolist() == [
        0.1235,
        -98770.0,
        1.5e-7,
        0.0,
        12350000.0,
        2.0,
        -0.001,
        0.0,
    ]
    assert json.dumps(round_sig([1 / 3, 2 / 3]).tolist()) == "[0.3333, 0.6667]"
    special = round_sig([math.nan, math.inf])
    assert math.isnan(special[0]) and special[1] == math.inf


# --------------------------------------------------------------------------- data and features


def test_grid_points_order():
    points = grid_points((-6.0, 6.0), 3)
    assert points.tolist() == [
        [-6.0, 6.0],
        [0.0, 6.0],
        [6.0, 6.0],
        [-6.0, 0.0],
        [0.0, 0.0],
        [6.0, 0.0],
        [-6.0, -6.0],
        [0.0, -6.0],
        [6.0, -6.0],
    ]
    assert grid_points((-1.0, 2.0), 50).shape == (2500, 2)


def test_features_columns():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    F = features(X, ALL_FEATURES)
    assert F.shape == (2, 7)
    expected = np.c_[X, X**2, X[:, 0] * X[:, 1], np.sin(X)]
    np.testing.assert_array_equal(F, expected)
    np.testing.assert_array_equal(features(X, ["x1x2", "x1"]), np.c_[X[:, 0] * X[:, 1], X[:, 0]])


@pytest.mark.parametrize(
    ("dataset", "task", "classes"),
    [
        ("circle", "classification", 2),
        ("xor", "classification", 2),
        ("gauss", "classification", 2),
        ("spiral", "classification", 2),
        ("blobs", "classification", 2),
        ("plane", "regression", 1),
        ("multi_gauss", "regression", 1),
    ],
)
def test_data_sets(dataset, task, classes):
    session = Session({"dataset": dataset, "n_points": 200, "train_ratio": 70, "noise": 20})
    assert session.task == task and session.classes == classes
    assert session.X_train.shape == (140, 2) and session.X_test.shape == (60, 2)
    assert session.y_train.shape == (140,) and session.y_test.shape == (60,)
    assert session.domain == (-6.0, 6.0)
    if task == "classification":
        assert session.y_train.dtype == np.int64
        assert set(np.unique(np.r_[session.y_train, session.y_test])) == {0, 1}
    else:
        assert session.y_train.dtype == np.float64
    assert session.F_train.shape == (140, 2)
    data = session.data()
    assert len(data["train"]["x"]) == 140 and len(data["test"]["y"]) == 60
    assert data["domain"] == [-6.0, 6.0]
    network = session.network()
    assert network["layers"] == [2, 4, 2, 1] and network["classes"] == 1
    assert network["task"] == task and network["features"] == ["x1", "x2"]


def test_two_class_spiral_is_the_tensorflow_playgrounds():
    session = Session({"dataset": "spiral", "noise": 10, "seed": 3, "train_ratio": 50})
    X, y = fcnn.data.playground("spiral", 500, 10, seed=3)
    np.testing.assert_array_equal(np.r_[session.X_train, session.X_test], X)
    np.testing.assert_array_equal(np.r_[session.y_train, session.y_test], y)


@pytest.mark.parametrize("maker", [blobs, spiral_arms])
@pytest.mark.parametrize("k", [2, 3, 6])
def test_multiclass_sets(maker, k):
    X, y = maker(301, k, 10, np.random.default_rng(0))
    assert X.shape == (301, 2) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == k and counts.max() - counts.min() <= 1
    if maker is blobs:  # centred on a circle of radius 3.5
        for label in range(k):
            angle = 2 * np.pi * label / k
            centre = 3.5 * np.array([np.cos(angle), np.sin(angle)])
            assert np.linalg.norm(X[y == label].mean(axis=0) - centre) < 0.5
    else:  # radius 0..5, noise 0.1
        assert np.hypot(X[:, 0], X[:, 1]).max() < 5 + 0.15
    X2, y2 = maker(301, k, 10, np.random.default_rng(0))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_classes_shape_the_network():
    session = Session({"dataset": "blobs", "classes": 4, "hidden": [3]})
    assert session.classes == 4 and session.outputs == 4
    assert session.network()["layers"] == [2, 3, 4]
    assert session.network()["classes"] == 4
    # Data sets that have two classes ignore ``classes``.
    assert Session({"dataset": "xor", "classes": 5}).outputs == 1


def test_features_shape_the_network():
    session = Session({"features": ["x1^2", "sin_x2", "x2"], "hidden": []})
    assert session.feature_names == ["x2", "x1^2", "sin_x2"]
    assert session.F_train.shape == (250, 3)
    assert session.network()["layers"] == [3, 1]
    state = session.state()
    assert len(state["neurons"]) == 1 and len(state["neurons"][0]) == 3
    assert len(state["weights"]) == 1


# --------------------------------------------------------------------------- training


def test_reset_reproduces_the_run_bit_for_bit():
    config = {
        "dataset": "xor",
        "noise": 15,
        "seed": 7,
        "hidden": [5, 3],
        "activation": "relu",
        "dropout": 0.2,
        "batchnorm": True,
        "optimizer": "adam",
        "lr": 0.01,
        "batch_size": 7,
    }
    session = Session(config)
    for _ in range(3):
        session.train()
    first = weights_of(session)
    first_state = session.state()
    session.reset()
    assert session.epoch == 0
    for _ in range(3):
        session.train()
    for a, b in zip(first, weights_of(session), strict=True):
        np.testing.assert_array_equal(a, b)
    assert session.state() == first_state
    # A second session with the same config, trained in small time slices, agrees too.
    other = Session(config)
    while other.epoch < 3:
        other.train(budget=0.0)
    for a, b in zip(first, weights_of(other), strict=True):
        np.testing.assert_array_equal(a, b)
    # The state snapshot does not disturb training.
    session.reset()
    session.train()
    session.state()
    session.train()
    session.state()
    session.train()
    assert session.state() == first_state


def test_another_seed_gives_another_run():
    a, b = Session({"seed": 1}), Session({"seed": 2})
    assert not np.array_equal(a.X_train, b.X_train)
    assert not np.array_equal(weights_of(a)[0], weights_of(b)[0])


def test_train_in_slices_counts_epochs():
    session = Session({"batch_size": 1})
    assert not session.mid_epoch
    assert session.train(budget=0.0) is False  # one batch, then the budget is spent
    assert session.mid_epoch and session.epoch == 0
    session.train()  # finishes the epoch under way
    assert session.epoch == 1 and not session.mid_epoch


def test_batchnorm_never_gets_a_batch_of_one():
    # 251 training rows in batches of 10 would leave one row; it joins the last batch.
    session = Session({"batchnorm": True, "n_points": 502, "train_ratio": 50})
    assert len(session.F_train) == 251
    session.train()
    assert session.epoch == 1


def test_live_lr_change_keeps_adams_state():
    session = Session({"optimizer": "adam", "lr": 0.01})
    session.train()
    optimizer = session.optimizer
    first = optimizer.param_groups[0]["params"][0]
    steps = optimizer.state[first]["step"]
    assert steps == 25
    weights = weights_of(session)
    assert session.apply_config({"lr": 0.1, "beta1": 0.8, "beta2": 0.99}) == "live"
    assert session.optimizer is optimizer
    assert optimizer.param_groups[0]["lr"] == 0.1
    assert optimizer.param_groups[0]["betas"] == (0.8, 0.99)
    for a, b in zip(weights, weights_of(session), strict=True):
        np.testing.assert_array_equal(a, b)
    assert session.epoch == 1
    session.train()
    assert optimizer.state[first]["step"] == 50  # the step count continues


def test_optimizer_kinds_and_live_momentum():
    session = Session({"optimizer": "momentum", "momentum": 0.5})
    assert isinstance(session.optimizer, SGD)
    assert session.optimizer.param_groups[0]["momentum"] == 0.5
    session.train()
    optimizer = session.optimizer
    session.apply_config({"momentum": 0.8, "batch_size": 5})
    assert session.optimizer is optimizer
    assert optimizer.param_groups[0]["momentum"] == 0.8
    session.apply_config({"optimizer": "rmsprop"})
    assert isinstance(session.optimizer, RMSprop) and not session.optimizer.state
    assert session.epoch == 1  # the weights stay
    session.apply_config({"optimizer": "adam"})
    assert isinstance(session.optimizer, Adam)
    assert session.apply_config({"optimizer": "sgd"}) == "live"
    assert session.optimizer.param_groups[0]["momentum"] == 0


def test_what_each_change_resets():
    session = Session()
    session.train()
    assert session.apply_config({}) is None
    assert session.apply_config({"dropout": 0.3}) == "live" and session.epoch == 1
    assert session.apply_config({"hidden": [3]}) == "net" and session.epoch == 0
    x_before = session.X_train.copy()
    session.train()
    assert session.apply_config({"activation": "relu"}) == "net"
    np.testing.assert_array_equal(session.X_train, x_before)
    assert session.apply_config({"seed": 30}) == "data"
    assert not np.array_equal(session.X_train, x_before)
    assert session.apply_config({"noise": 30}) == "data" and session.epoch == 0


def test_a_refused_config_changes_nothing():
    session = Session()
    session.train()
    weights = weights_of(session)
    config = json.loads(json.dumps(session.config))
    with pytest.raises(ConfigError):
        session.apply_config({"hidden": [10_000], "lr": 0.1})
    with pytest.raises(ConfigError, match="upload one first") as caught:
        session.apply_config({"dataset": "upload"})
    assert caught.value.field == "dataset"
    assert session.config == config and session.epoch == 1
    for a, b in zip(weights, weights_of(session), strict=True):
        np.testing.assert_array_equal(a, b)


def test_live_dropout_change():
    session = Session({"hidden": [6]})
    dropouts = [m for m in session.modules if isinstance(m, fcnn.Dropout)]
    assert [m.p for m in dropouts] == [0.0]
    session.apply_config({"dropout": 0.5})
    assert [m.p for m in dropouts] == [0.5]
    session.train()
    # Dropout is a training-time thing: the page's snapshot is deterministic.
    assert session.state() == session.state()


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularisation_changes_the_gradient_as_expected(kind):
    # Full-batch plain gradient descent: one step per epoch, so the two runs differ by
    # exactly the penalty's step, lr · rate · (w or sign w), on the weights only; an L1
    # step that carries a weight across zero leaves it at exactly 0 (TF's clip, #16).
    config = {"batch_size": 30, "n_points": 100, "train_ratio": 30, "lr": 0.1}
    plain, penalised = Session(config), Session(config)
    assert penalised.apply_config({"regularization": kind, "reg_rate": 0.5}) == "live"
    dense = [penalised.modules[i] for i in penalised.dense]
    before = [m.weight.data.copy() for m in dense]
    plain.train()
    penalised.train()
    for i, w0 in zip(penalised.dense, before, strict=True):
        penalty = w0 if kind == "l2" else np.sign(w0)
        expected = plain.modules[i].weight.data - 0.1 * 0.5 * penalty
        if kind == "l1":
            expected[expected * plain.modules[i].weight.data < 0] = 0.0
        np.testing.assert_allclose(
            penalised.modules[i].weight.data,
            expected,
            rtol=0,
            atol=1e-12,
        )
        np.testing.assert_array_equal(penalised.modules[i].bias.data, plain.modules[i].bias.data)
    # The loss shown is the data loss, without the penalty.
    assert plain.state()["train_loss"] != penalised.state()["train_loss"]


def test_spiral_is_learned_in_a_bounded_number_of_epochs():
    session = Session(
        {
            "dataset": "spiral",
            "n_points": 300,
            "features": ALL_FEATURES,
            "hidden": [8, 8],
            "optimizer": "adam",
            "lr": 0.03,
            "batch_size": 30,
        }
    )
    start = session.state()["train_loss"]
    for _ in range(60):
        session.train()
    state = session.state()
    assert start > 0.5
    assert state["train_loss"] < 0.1 and state["test_loss"] < 0.4
    values = np.array(state["output"]["values"])
    assert values.min() < -0.9 and values.max() > 0.9


def test_multiclass_training():
    session = Session(
        {
            "dataset": "blobs",
            "classes": 4,
            "hidden": [6],
            "activation": "relu",
            "optimizer": "adam",
            "lr": 0.03,
        }
    )
    assert isinstance(session.loss, fcnn.CrossEntropyLoss)
    for _ in range(20):
        session.train()
    state = session.state()
    assert state["train_loss"] < 0.2
    output = state["output"]
    assert set(output["classes"]) == {0, 1, 2, 3}
    assert len(output["values"]) == 2500
    assert 0.25 <= min(output["values"]) and max(output["values"]) <= 1
    # The argmax over the grid agrees with the blobs' labels near each centre.
    for label in range(4):
        angle = 2 * np.pi * label / 4
        point = 3.5 * np.array([[np.cos(angle), np.sin(angle)]])
        probs = fcnn.Softmax()(session.model.eval()(features(point, ["x1", "x2"])))
        assert probs.argmax() == label
    session.model.train()


def test_multiclass_mse_and_binary_mse():
    session = Session({"dataset": "spiral", "classes": 3, "loss": "mse"})
    assert isinstance(session.loss, fcnn.MSELoss)
    assert isinstance(session.modules[-1], fcnn.Softmax)
    session.train()
    assert len(session.state()["output"]["classes"]) == 2500
    binary = Session({"loss": "mse"})
    assert isinstance(binary.modules[-1], fcnn.Tanh)
    np.testing.assert_array_equal(np.unique(binary.T_train), [-1.0, 1.0])
    regression = Session({"dataset": "plane", "loss": "cross_entropy"})
    assert isinstance(regression.loss, fcnn.MSELoss)  # regression is always mse


# --------------------------------------------------------------------------- state


def test_state_shape():
    session = Session({"hidden": [3, 2], "features": ["x1", "x2", "x1x2"]})
    session.train()
    state = session.state(running=True)
    assert state["type"] == "state" and state["epoch"] == 1 and state["running"] is True
    json.dumps(state, allow_nan=False)
    assert state["output"]["size"] == 50 and len(state["output"]["values"]) == 2500
    assert "classes" not in state["output"]
    assert [len(layer) for layer in state["neurons"]] == [3, 3, 2]
    for layer in state["neurons"]:
        for neuron in layer:
            assert len(neuron["values"]) == 400
            assert neuron["dead"] is False or neuron["dead"] is True
    assert [np.shape(w["W"]) for w in state["weights"]] == [(3, 3), (2, 3), (1, 2)]
    assert [len(w["b"]) for w in state["weights"]] == [3, 2, 1]
    assert len(state["grad_flow"]) == 3 and all(g > 0 for g in state["grad_flow"])
    # Input neurons show the features themselves; numbers have 4 significant digits.
    x1 = np.array(state["neurons"][0][0]["values"]).reshape(20, 20)
    np.testing.assert_array_equal(x1[0], round_sig(np.linspace(-6, 6, 20)))
    assert all(v == float(f"{v:.4g}") for v in state["output"]["values"])
    assert state["train_loss"] == float(f"{state['train_loss']:.4g}")


def test_binary_output_is_the_mapped_probability():
    session = Session()
    state = session.state()
    out = session.model.eval()(session.F_grid)
    p = 1 / (1 + np.exp(-out[:, 0]))
    np.testing.assert_allclose(state["output"]["values"], 2 * p - 1, atol=1e-3)


def test_dead_units_are_flagged():
    session = Session({"activation": "relu", "hidden": [3]})
    for unit in (0, 2):  # a very negative bias: never a positive input on [-6, 6]²
        session.set_weight(0, "bias", unit, None, -100.0)
    state = session.state()
    assert [n["dead"] for n in state["neurons"][1]] == [True, False, True]
    assert not any(n["saturated"] for n in state["neurons"][1])
    assert any("2 of 3" in s or "67 %" in s for s in state["diagnostics"])
    assert state["diagnostics"][0].startswith("Layer 1:")


def test_saturated_units_are_flagged():
    session = Session({"activation": "tanh", "hidden": [2]})
    session.set_weight(0, "weight", 1, 0, 100.0)  # |100·x1| ≫ 1 almost everywhere
    session.set_weight(0, "weight", 1, 1, 0.0)
    state = session.state()
    assert [n["saturated"] for n in state["neurons"][1]] == [False, True]
    assert not any(n["dead"] for n in state["neurons"][1])
    assert any("saturated" in s for s in state["diagnostics"])


def test_set_weight():
    session = Session({"hidden": [3]})
    optimizer = session.optimizer
    session.set_weight(1, "weight", 0, 2, -1.5)
    session.set_weight(0, "bias", 1, None, 0.25)
    state = session.state()
    assert state["weights"][1]["W"][0][2] == -1.5
    assert state["weights"][0]["b"][1] == 0.25
    assert session.optimizer is optimizer
    for args, field in [
        ((2, "weight", 0, 0, 1.0), "layer"),
        ((0, "weight", 3, 0, 1.0), "to"),
        ((0, "weight", 0, 2, 1.0), "from"),
        ((0, "weight", 0, None, 1.0), "from"),
        ((0, "bias", 0, None, 101.0), "value"),
        ((0, "bias", 0, None, math.nan), "value"),
    ]:
        with pytest.raises(ValueError, match=field):
            session.set_weight(*args)
    assert session.state()["weights"] == state["weights"]


def test_divergence_is_caught():
    session = Session({"dataset": "plane", "lr": 10, "hidden": [8, 8], "activation": "relu"})
    for _ in range(20):
        session.train()
        if session.diverged:
            break
    assert session.diverged
    state = session.state()
    json.dumps(state, allow_nan=False)
    assert state["train_loss"] is None
    assert any("Training paused" in s for s in state["diagnostics"])
    session.reset()
    assert not session.diverged


# --------------------------------------------------------------------------- exports


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({}, id="binary"),
        pytest.param({"loss": "mse", "activation": "relu"}, id="binary-mse"),
        pytest.param({"dataset": "blobs", "classes": 3, "hidden": [5]}, id="multiclass"),
        pytest.param({"dataset": "multi_gauss", "features": ALL_FEATURES}, id="regression"),
        pytest.param(
            {"batchnorm": True, "dropout": 0.3, "activation": "maxout", "hidden": [3, 3]},
            id="batchnorm-dropout-maxout",
        ),
        pytest.param({"hidden": [], "activation": "prelu"}, id="no-hidden"),
    ],
)
def test_export_round_trip(tmp_path, config):
    session = Session(config)
    for _ in range(2):
        session.train()
    state = session.state()
    (tmp_path / "model.safetensors").write_bytes(session.export_safetensors())
    snippet = session.export_python()
    (tmp_path / "model.py").write_text(snippet)
    namespace: dict = {"__name__": "playground_snippet"}
    exec(compile(snippet, str(tmp_path / "model.py"), "exec"), namespace)
    model = namespace["load_model"](tmp_path / "model.safetensors")
    assert not any(isinstance(m, fcnn.Dropout) for m in model)
    points = namespace["grid_points"](namespace["DOMAIN"], 50)
    np.testing.assert_array_equal(points, grid_points(session.domain, 50))
    out = namespace["predict"](model, points)
    values = namespace["page_values"](out)
    assert round_sig(values).tolist() == state["output"]["values"]
    if "page_classes" in namespace:
        assert namespace["page_classes"](out).tolist() == state["output"]["classes"]
    # The same with nothing but fcnn: load, the features of the grid, forward.
    loaded = fcnn.load(tmp_path / "model.safetensors").eval()
    assert loaded.dtype == np.float64
    direct = loaded(features(points, namespace["FEATURES"]))
    np.testing.assert_array_equal(direct, out)
    metadata = fcnn.io.read_metadata(tmp_path / "model.safetensors")
    assert json.loads(metadata["playground_config"]) == session.config
    assert json.loads(metadata["playground_features"]) == session.feature_names


def test_data_csv_round_trip():
    session = Session({"dataset": "gauss", "n_points": 120, "noise": 30})
    text = session.data_csv()
    lines = text.splitlines()
    assert lines[0] == "x1,x2,label,split"
    assert len(lines) == 121
    assert lines[1].endswith(",train") and lines[-1].endswith(",test")
    X, y = parse_csv(text.encode())
    np.testing.assert_array_equal(X, np.r_[session.X_train, session.X_test])
    np.testing.assert_array_equal(y, np.r_[session.y_train, session.y_test])
    regression = Session({"dataset": "plane", "n_points": 100}).data_csv()
    assert regression.startswith("x1,x2,y,split\n")
    X, y = parse_csv(regression.encode())
    assert y.dtype == np.float64 and len(y) == 100


# --------------------------------------------------------------------------- uploads


def _csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_upload_classification():
    rows = [f"{i / 10},{-i / 5},{i % 3}" for i in range(30)]
    session = Session()
    assert session.set_upload(_csv("x1,x2,label", rows)) == 30
    assert session.config["dataset"] == "upload"
    assert session.classes == 3 and session.outputs == 3
    assert len(session.X_train) == 15
    lo, hi = session.domain
    assert lo < -5.8 and hi > 2.9  # the data's range plus 10 %
    session.train()
    # A later data change re-splits the uploaded points; they stay the upload.
    assert session.apply_config({"train_ratio": 80}) == "data"
    assert len(session.X_train) == 24 and session.config["dataset"] == "upload"
    assert session.apply_config({"dataset": "circle"}) == "data"
    assert session.apply_config({"dataset": "upload"}) == "data"  # kept for later


def test_upload_regression_with_bom_crlf_and_split_column():
    text = "\ufeffx1,x2,y,split\r\n" + "".join(f"{i},{i * 2},{i / 7},train\r\n" for i in range(12))
    X, y = parse_csv(text.encode())
    assert X.shape == (12, 2) and y.dtype == np.float64
    session = Session()
    session.set_upload(text.encode())
    assert session.task == "regression" and session.outputs == 1


GOOD = [f"{i},{i},{i % 2}" for i in range(12)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (_csv("a,b,c", GOOD), "Line 1: the header must be x1,x2,label or x1,x2,y"),
        (_csv("x1,x2", GOOD), "Line 1: the header"),
        (_csv("x1,x2,label,colour", [r + ",red" for r in GOOD]), "fourth column"),
        (_csv("x1,x2,label", GOOD[:5]), "5 data rows; at least 10"),
        (_csv("x1,x2,label", [*GOOD, "1,2"]), "Line 14: expected 3 values, got 2"),
        (_csv("x1,x2,label", ["1,abc,0", *GOOD]), "Line 2, column x2: 'abc' is not a number"),
        (_csv("x1,x2,label", [*GOOD[:3], "nan,1,0", *GOOD]), "Line 5, column x1"),
        (_csv("x1,x2,y", [*GOOD, "1,1,inf"]), "not finite"),
        (_csv("x1,x2,label", [*GOOD, "1,1,0.5"]), "Line 14, column label: labels must be"),
        (_csv("x1,x2,label", [*GOOD, "1,1,6"]), "integers 0 to 5"),
        (_csv("x1,x2,label", [*GOOD, "1,1,-1"]), "integers 0 to 5"),
        (_csv("x1,x2,label", [f"{i},{i},1" for i in range(12)]), "at least two classes"),
        (_csv("x1,x2,y", [*GOOD, "1e9,1,1"]), "within ±1e6"),
    ],
)
def test_bad_uploads_are_refused_clearly(data, message):
    session = Session()
    config = dict(session.config)
    with pytest.raises(ValueError, match=message):
        session.set_upload(data)
    assert session.config == config and session.upload is None
