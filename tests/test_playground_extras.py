"""The playground's second-edition small items, server side: new random weights on
request (``init_seed``), the fine output grid, the metrics beside the loss."""

from __future__ import annotations

import numpy as np

import fcnn
from fcnn.playground.session import Session


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
