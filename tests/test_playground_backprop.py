"""Backprop mode's ``backprop`` message (issue #16, "See backprop happen"): the notes'
worked 2-2-2 example and one training point, traced by ``fcnn.explain`` on the server."""

from __future__ import annotations

import json
import warnings

import pytest

from fcnn.explain import classic_example, explain
from fcnn.playground.backprop import BackpropError, backprop_message
from fcnn.playground.messages import MessageError, check_message, dumps
from fcnn.playground.server import create_app
from fcnn.playground.session import Session

with warnings.catch_warnings():  # Starlette 1.x suggests httpx2 over httpx; both work
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def nine(v: float) -> str:
    """A number as the notes print it: 9 decimals, trailing zeros trimmed."""
    return f"{v:.9f}".rstrip("0")


def test_the_preset_is_the_worked_example_to_nine_digits():
    message = backprop_message(Session(), "preset")
    trace, after = message["trace"], message["next"]
    assert message["type"] == "backprop" and message["index"] is None
    w5 = trace["params"]["w5"]
    (factor,) = w5["factors"]
    assert [nine(factor[k]) for k in ("dE_dout", "dout_dnet", "dnet_dparam", "product")] == [
        "0.74136507",
        "0.186815602",
        "0.593269992",
        "0.082167041",
    ]
    assert factor["source"] == "out_h1" and nine(w5["updated"]) == "0.35891648"
    assert nine(trace["loss"]) == "0.298371109"
    assert nine(after["loss"]) == "0.291027774"
    assert nine(trace["units"]["h1"]["out"]) == "0.593269992"
    assert nine(trace["units"]["o1"]["out"]) == "0.75136507"
    # the hidden unit that fans out: ∂E/∂out_h1 is the sum of its two paths
    paths = trace["units"]["h1"]["downstream"]
    assert [p["unit"] for p in paths] == ["o1", "o2"]
    assert nine(trace["units"]["h1"]["dE_dout"]) == "0.036350306"
    assert nine(trace["params"]["w1"]["gradient"]) == "0.000438568"
    # biases held fixed, η = 0.5, as in the example; the trace is fcnn.explain's own
    assert trace["params"]["b1"]["updated"] == 0.35 and trace["lr"] == 0.5
    model, x, target, options = classic_example()
    expected = explain(model, x, target, **options).to_dict()
    assert json.loads(dumps(trace)) == json.loads(json.dumps(expected))
    dumps(message)  # JSON with no NaN


def test_a_training_point_is_traced_without_changing_the_session():
    session = Session({"hidden": [3], "activation": "sigmoid", "loss": "mse"})
    before = {k: v.copy() for k, v in session.model.state_dict().items()}
    message = backprop_message(session, "point", 4)
    assert message["point"]["x"] == session.X_train[4].tolist()
    assert message["trace"]["loss_name"] == "mse" and message["trace"]["sizes"] == (2, 3, 1)
    assert message["trace"]["lr"] == session.config["lr"]
    assert message["features"] == ["x1", "x2"]
    after = session.model.state_dict()
    assert all((after[k] == v).all() for k, v in before.items())
    # cross-entropy on two classes is traced on the logits, as the session trains
    assert backprop_message(Session(), "point", 0)["trace"]["loss_name"] == "bce_with_logits"


@pytest.mark.parametrize(
    ("config", "index", "words"),
    [
        ({}, 10_000, "index must be 0 to"),
        ({"batchnorm": True}, 0, "turn off maxout and BatchNorm"),
        ({"activation": "maxout"}, 0, "turn off maxout and BatchNorm"),
        ({"hidden": [8, 8, 8, 8]}, 0, "cannot trace this network"),
    ],
)
def test_what_cannot_be_traced_is_refused(config, index, words):
    with pytest.raises(BackpropError, match=words):
        backprop_message(Session(config), "point", index)


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        ({"type": "backprop"}, "needs the key 'source'"),
        ({"type": "backprop", "source": "other"}, 'source must be "preset" or "point"'),
        ({"type": "backprop", "source": "point"}, "index must be a non-negative integer"),
        ({"type": "backprop", "source": "point", "index": -1}, "non-negative integer"),
        ({"type": "backprop", "source": "point", "index": 1.5}, "non-negative integer"),
        ({"type": "backprop", "source": "preset", "index": 1}, "omitted (or null)"),
        ({"type": "backprop", "source": "preset", "at": 1}, "no key 'at'"),
    ],
)
def test_bad_backprop_frames_are_refused(frame, words):
    with pytest.raises(MessageError, match=words.replace("(", r"\(").replace(")", r"\)")):
        check_message(json.dumps(frame))


def test_over_the_socket_the_network_freezes_and_errors_keep_it_open():
    with TestClient(create_app()) as client, client.websocket_connect("/ws") as ws:
        for _ in range(5):  # hello, config, network, data, state
            ws.receive_json()
        ws.send_json({"type": "backprop", "source": "preset"})
        message = ws.receive_json()
        assert message["type"] == "backprop"
        assert nine(message["next"]["loss"]) == "0.291027774"
        ws.send_json({"type": "backprop", "source": "point", "index": 99_999})
        error = ws.receive_json()
        assert error["type"] == "error" and "index must be 0 to" in error["message"]
        ws.send_json({"type": "backprop", "source": "point", "index": 2})
        assert ws.receive_json()["point"]["x"] is not None
