"""The playground's config: every key's valid range accepted, every kind of bad value refused
with a message that names the key, and the options JSON the page builds its controls from."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

import fcnn.playground
from fcnn.activations import ACTIVATIONS
from fcnn.models import INIT_NAMES
from fcnn.playground.config import (
    DATASETS,
    FEATURES,
    KEYS,
    ConfigError,
    default_config,
    options,
    validate,
)


def test_defaults_are_the_protocols():
    config = default_config()
    assert list(config) == list(KEYS)
    assert config == {
        "dataset": "circle",
        "classes": 2,
        "noise": 0,
        "train_ratio": 50,
        "n_points": 500,
        "seed": 0,
        "features": ["x1", "x2"],
        "hidden": [4, 2],
        "activation": "tanh",
        "loss": "cross_entropy",
        "init": "xavier_uniform",
        "init_scale": 1.0,
        "init_seed": 0,
        "batchnorm": False,
        "dropout": 0.0,
        "max_norm": 0.0,
        "regularization": "none",
        "reg_rate": 0.0,
        "optimizer": "sgd",
        "lr": 0.03,
        "momentum": 0.9,
        "beta1": 0.9,
        "beta2": 0.999,
        "batch_size": 10,
        "stop_epoch": 0,
        "stop_test_loss": 0.0,
    }
    assert validate({}) == config
    # A fresh copy each time: changing one never changes the defaults.
    config["hidden"].append(3)
    assert default_config()["hidden"] == [4, 2]


def test_options_describe_every_key_and_are_json():
    opts = options()
    assert list(opts["keys"]) == list(KEYS)
    assert opts["defaults"] == default_config()
    assert json.loads(json.dumps(opts, allow_nan=False)) == opts
    assert set(opts["keys"]["activation"]["choices"]) == {*ACTIVATIONS, "maxout"}
    assert opts["keys"]["init"]["choices"] == list(INIT_NAMES)
    assert opts["keys"]["dataset"]["choices"] == list(DATASETS)
    assert opts["keys"]["features"]["choices"] == list(FEATURES)
    assert opts["grid"] == {"size": 50, "size_small": 20}
    assert opts["domain"] == [-6.0, 6.0]
    assert opts["limits"]["frame_bytes"] == 2 * 1024 * 1024
    for key, spec in opts["keys"].items():
        assert spec["resets"] in ("data", "net", "live"), key
        assert validate({key: spec["default"]})[key] == spec["default"]
        for preset in spec.get("presets", []):
            assert validate({key: preset})[key] == preset


def test_the_page_labels_only_what_the_server_offers():
    # options.js keeps human labels for names; a label for a name no key offers is a
    # control the page pretends to have (both tables: LABELS and FEATURE_LABELS).
    source = (Path(fcnn.playground.__file__).parent / "static/js/options.js").read_text()
    offered = {name for spec in options()["keys"].values() for name in spec.get("choices", ())}
    for table in ("LABELS", "FEATURE_LABELS"):
        body = re.search(rf"const {table} = \{{(.*?)\n\}};", source, re.S).group(1)
        names = re.findall(r"(?:^|[\s,])\"?([\w^]+)\"?:", body)
        assert names, table
        assert set(names) <= offered, (table, sorted(set(names) - offered))


# Every key: values at and inside its bounds that must pass.
VALID = {
    "dataset": ["circle", "xor", "gauss", "spiral", "plane", "multi_gauss", "blobs"],
    "classes": [2, 4, 6],
    "noise": [0, 25, 50],
    "train_ratio": [10, 50, 90],
    "n_points": [100, 2000],
    "seed": [0, 2**31 - 1],
    "features": [["x1"], ["sin_x2"], list(FEATURES)],
    "hidden": [[], [1], [8, 8, 8, 8, 8, 8]],
    "activation": [*ACTIVATIONS, "maxout"],
    "loss": ["mse", "cross_entropy"],
    "init": list(INIT_NAMES),
    "init_scale": [0.01, 0.1, 1, 10],
    "init_seed": [0, 1, 2**31 - 1],
    "batchnorm": [True, False],
    "dropout": [0, 0.5, 0.9],
    "max_norm": [0, 0.5, 3, 10],
    "regularization": ["none", "l1", "l2"],
    "reg_rate": [0, 0.001, 10],
    "optimizer": ["sgd", "momentum", "adam", "rmsprop"],
    "lr": [1e-5, 0.03, 10],
    "momentum": [0, 0.999],
    "beta1": [0, 0.9999],
    "beta2": [0, 0.9999],
    "batch_size": [1, 30],
    "stop_epoch": [0, 1, 1_000_000],
    "stop_test_loss": [0, 0.05, 10],
}


def test_every_key_has_valid_cases():
    assert set(VALID) == set(KEYS)


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, vs in VALID.items() for v in vs])
def test_valid_values_are_accepted(key, value):
    config = validate({key: value})
    assert config[key] == value
    assert type(config[key]) is type(KEYS[key]["default"])


# Every key: values that must be refused (wrong type, bool for a number, out of range, NaN).
INVALID = {
    "dataset": ["moons", 1, None, "upload "],
    "classes": [1, 7, 2.0, True, "3"],
    "noise": [-1, 51, 5.5, False, None],
    "train_ratio": [9, 91, 50.0, True],
    "n_points": [99, 2001, 10_000, 500.0],
    "seed": [-1, 2**31, 1.5, True, "0"],
    "features": [[], "x1", ["x3"], ["x1", "x1"], [1], None, ["X1"]],
    "hidden": [[0], [9], [10_000], [1] * 7, "4,2", [4.0], [True], 4, None],
    "activation": ["Tanh", "soft max", 3, None],
    "loss": ["bce", True],
    "init": ["he", 0],
    "init_scale": [0, 0.009, -1, 10.5, math.nan, math.inf, True, "10", None],
    "init_seed": [-1, 2**31, 2.0, True, "1", None],
    "batchnorm": [1, 0, "true", None],
    "dropout": [-0.1, 0.95, 1, math.nan, math.inf, True, "0.5"],
    "max_norm": [-1, 10.5, math.nan, math.inf, False, "3", None],
    "regularization": ["L2", "", None],
    "reg_rate": [-1e-9, 10.5, math.nan, -math.inf, False],
    "optimizer": ["adamw", "SGD"],
    "lr": [0, 1e-6, 10.01, math.inf, math.nan, True, "0.03", None],
    "momentum": [-0.1, 1.0, math.nan],
    "beta1": [1.0, -0.5, True],
    "beta2": [1.0, math.inf],
    "batch_size": [0, 31, 10.0, True, None],
    "stop_epoch": [-1, 1_000_001, 5.0, True],
    "stop_test_loss": [-0.1, 10.5, math.nan, math.inf, "0.1"],
}


def test_every_key_has_invalid_cases():
    assert set(INVALID) == set(KEYS)


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, vs in INVALID.items() for v in vs])
def test_invalid_values_are_refused_naming_the_key(key, value):
    base = default_config()
    with pytest.raises(ConfigError) as caught:
        validate({key: value}, base)
    assert caught.value.field == key
    assert key in str(caught.value)
    assert base == default_config()  # the config in force is not touched


@pytest.mark.parametrize(
    ("value", "came"),
    [
        pytest.param(True, "got a boolean", id="bool-for-int"),
        pytest.param(3.0, "got the number 3.0", id="float-for-int"),
        pytest.param(31, "got 31", id="above"),
        pytest.param("10", "got a string", id="string"),
    ],
)
def test_messages_say_what_was_expected_and_what_came(value, came):
    with pytest.raises(ConfigError) as caught:
        validate({"batch_size": value})
    assert str(caught.value) == f"batch_size must be an integer from 1 to 30, {came}."


def test_unknown_keys_are_refused():
    with pytest.raises(ConfigError) as caught:
        validate({"learning_rate": 0.1})
    assert caught.value.field == "learning_rate"
    assert "Unknown config key 'learning_rate'" in str(caught.value)


def test_every_problem_is_listed():
    with pytest.raises(ConfigError) as caught:
        validate({"lr": -1, "noise": 99, "colour": "red"})
    fields = [field for field, _ in caught.value.problems]
    assert fields == ["colour", "noise", "lr"]
    assert caught.value.field == "colour"
    for field in fields:
        assert field in str(caught.value)


@pytest.mark.parametrize("changes", [None, [], "lr=0.1", 3])
def test_a_config_must_be_an_object(changes):
    with pytest.raises(ConfigError, match="config must be an object") as caught:
        validate(changes)
    assert caught.value.field is None


def test_normalisation():
    config = validate({"features": ["sin_x1", "x1"], "lr": 1, "dropout": 0})
    assert config["features"] == ["x1", "sin_x1"]  # canonical order
    assert config["lr"] == 1.0 and isinstance(config["lr"], float)
    assert isinstance(config["dropout"], float)


def test_changes_apply_on_top_of_the_base():
    base = validate({"lr": 0.1, "hidden": [3]})
    config = validate({"noise": 10}, base)
    assert config["lr"] == 0.1 and config["hidden"] == [3] and config["noise"] == 10
    assert base["noise"] == 0
    config["hidden"].append(2)
    assert base["hidden"] == [3]


def test_batchnorm_needs_batches_of_two():
    with pytest.raises(ConfigError, match="batch_size must be at least 2") as caught:
        validate({"batchnorm": True, "batch_size": 1})
    assert caught.value.field == "batch_size"
    base = validate({"batch_size": 1})
    with pytest.raises(ConfigError) as caught:
        validate({"batchnorm": True}, base)
    assert caught.value.field == "batchnorm"
    assert validate({"batchnorm": True, "batch_size": 2})["batchnorm"] is True
