"""Initialisers: PyTorch's formulas, checked by bounds, mean and variance against theory and
against torch.nn.init on tensors of the same shape."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import fcnn
from fcnn import init

SHAPE = (300, 500)  # (fan_out, fan_in): 150,000 draws, so std estimates are good to ~0.4 %
FAN_OUT, FAN_IN = SHAPE


@pytest.mark.parametrize(
    "nonlinearity, param",
    [
        ("linear", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
    ],
)
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15
    )


def test_identity_gain_is_linear_gain():
    # fcnn's activation registry calls the linear activation "identity"; torch does not know it.
    assert init.calculate_gain("identity") == init.calculate_gain("linear") == 1.0


def _ours_and_theirs(name, **kwargs):
    ours = np.zeros(SHAPE)
    getattr(init, name)(ours, seed=0, **kwargs)
    theirs = torch.empty(SHAPE, dtype=torch.float64)
    torch.manual_seed(0)
    getattr(torch.nn.init, name)(theirs, **kwargs)
    return ours, theirs.numpy()


UNIFORM = [
    ("uniform_", {"a": -0.3, "b": 0.7}, -0.3, 0.7),
    ("xavier_uniform_", {}, None, None),
    ("xavier_uniform_", {"gain": 5 / 3}, None, None),
    ("kaiming_uniform_", {}, None, None),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, None, None),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, None, None),
]


def _uniform_bound(name, kwargs):
    if name == "xavier_uniform_":
        return kwargs.get("gain", 1.0) * math.sqrt(6 / (FAN_IN + FAN_OUT))
    gain = init.calculate_gain(kwargs.get("nonlinearity", "leaky_relu"), kwargs.get("a", 0))
    fan = FAN_IN if kwargs.get("mode", "fan_in") == "fan_in" else FAN_OUT
    return math.sqrt(3) * gain / math.sqrt(fan)


@pytest.mark.parametrize("name, kwargs, low, high", UNIFORM, ids=lambda v: str(v))
def test_uniform_initialisers(name, kwargs, low, high):
    ours, theirs = _ours_and_theirs(name, **kwargs)
    if low is None:
        high = _uniform_bound(name, kwargs)
        low = -high
    for values in (ours, theirs):
        assert values.min() >= low and values.max() <= high
        assert values.min() < low + 0.01 * (high - low) and values.max() > high - 0.01 * (
            high - low
        )
    expected_std = (high - low) / math.sqrt(12)
    assert ours.std() == pytest.approx(expected_std, rel=0.01)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.015)
    assert ours.mean() == pytest.approx((low + high) / 2, abs=0.01 * (high - low))


NORMAL = [
    ("normal_", {"mean": 0.5, "std": 0.02}, 0.5, 0.02),
    ("xavier_normal_", {}, 0.0, math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("kaiming_normal_", {}, 0.0, math.sqrt(2 / FAN_IN)),
    (
        "kaiming_normal_",
        {"mode": "fan_out", "nonlinearity": "tanh"},
        0.0,
        (5 / 3) / math.sqrt(FAN_OUT),
    ),
]


@pytest.mark.parametrize("name, kwargs, mean, std", NORMAL, ids=lambda v: str(v))
def test_normal_initialisers(name, kwargs, mean, std):
    ours, theirs = _ours_and_theirs(name, **kwargs)
    assert ours.std() == pytest.approx(std, rel=0.01)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.015)
    assert ours.mean() == pytest.approx(mean, abs=0.01 * std)
    # Gaussian tails: about 0.27 % of draws beyond 3 std.
    assert 0.0015 < np.mean(np.abs(ours - mean) > 3 * std) < 0.004


def test_constant_initialisers_and_parameters():
    p = fcnn.Parameter(np.ones((2, 3)))
    assert init.zeros_(p) is p and not p.data.any()
    assert (init.ones_(np.zeros(4)) == 1).all()
    assert (init.constant_(p, 0.25).data == 0.25).all()


def test_float32_targets_get_the_same_draws_rounded():
    a = init.xavier_uniform_(np.zeros((4, 5), dtype=np.float32), seed=3)
    b = init.xavier_uniform_(np.zeros((4, 5)), seed=3)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, b.astype(np.float32))


def test_same_seed_same_weights_and_generators_advance():
    rng = np.random.default_rng(5)
    a = init.kaiming_normal_(np.zeros((3, 3)), rng=rng).copy()
    b = init.kaiming_normal_(np.zeros((3, 3)), rng=rng)
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, init.kaiming_normal_(np.zeros((3, 3)), seed=5))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: init.xavier_uniform_(np.zeros(5)), r"at least 2 dimensions, got shape \(5,\)"),
        (lambda: init.kaiming_uniform_(np.zeros((2, 2)), mode="fan"), r"mode='fan'"),
        (lambda: init.calculate_gain("swish"), r"unsupported nonlinearity 'swish'"),
        (lambda: init.calculate_gain("leaky_relu", "x"), r"negative_slope 'x' is not a number"),
        (lambda: init.uniform_(np.zeros(2), 1, 0), r"a=1 must not exceed b=0"),
        (lambda: init.normal_(np.zeros(2), std=-1), r"std=-1 must be non-negative"),
        (lambda: init.zeros_([1, 2]), r"expected a Parameter or numpy array, got list"),
    ],
)
def test_initialiser_errors(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
