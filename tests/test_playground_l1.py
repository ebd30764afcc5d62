"""L1 that reaches zero (issue #16): ``Penalty(..., l1_clip=True)``, which the playground
turns on, sets a weight the L1 step would carry across zero to exactly 0, as the
TensorFlow Playground does; the default ``Penalty`` (fit, sklearn) is unchanged."""

from __future__ import annotations

import numpy as np
import pytest

import fcnn
from fcnn.optim import SGD
from fcnn.playground.session import Session
from fcnn.train.step import Penalty, TrainStep


class _Zero:
    """A loss whose gradient is zero: only the penalty moves the weights."""

    def forward(self, pred, target):
        self.shape = pred.shape
        return 0.0

    def backward(self):
        return np.zeros(self.shape)


def _one_step(l1_clip: bool) -> np.ndarray:
    layer = fcnn.Linear(3, 1, bias=False)
    layer.weight.data[...] = [[0.001, -0.004, 0.5]]
    step = TrainStep(layer, _Zero(), SGD(layer.parameters(), lr=0.1), None)
    step.penalty = Penalty([layer.weight], l1=0.1, l1_clip=l1_clip)
    step(np.ones((2, 3)), np.zeros((2, 1)))
    return layer.weight.data[0]


def test_clip_sets_a_weight_that_crosses_zero_to_zero():
    # The L1 step is lr·l1 = 0.01: 0.001 and -0.004 would cross zero, 0.5 does not.
    np.testing.assert_allclose(_one_step(True), [0.0, 0.0, 0.49], rtol=1e-6)
    assert (_one_step(True)[:2] == 0).all()


def test_the_default_penalty_still_oscillates_around_zero():
    np.testing.assert_allclose(_one_step(False), [-0.009, 0.006, 0.49], rtol=1e-5)


def test_clip_option_is_checked():
    with pytest.raises(TypeError, match="l1_clip"):
        Penalty([], l1=0.1, l1_clip="yes")


def test_playground_l1_drives_weights_to_exactly_zero():
    # The case: rate 0.1 on the circle; with TF's clip most of the first layer's
    # weights sit at exactly 0 after a few epochs (without it they hover at ±0.002).
    session = Session({"regularization": "l1", "reg_rate": 0.1, "hidden": [4, 2]})
    for _ in range(30):
        session.train()
    first = session.modules[session.dense[0]].weight.data
    assert (first == 0).sum() >= 4, first
    weights = session.state()["weights"][0]
    assert any(w == 0 for row in weights["W"] for w in row)
