"""The playground's server: every endpoint and message type, every bad message refused while
the socket stays usable, sessions isolated and freed, and 20 sessions training at once on a
real uvicorn server on loopback with nothing dropped."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import re
import threading
import time
import warnings

import numpy as np
import pytest
import uvicorn
import websockets
from starlette.websockets import WebSocketDisconnect

import fcnn
from fcnn.playground import server as server_module
from fcnn.playground.config import default_config, options
from fcnn.playground.server import STATIC, create_app

with warnings.catch_warnings():  # Starlette 1.x suggests httpx2 over httpx; both work
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

# --------------------------------------------------------------------------- helpers


@pytest.fixture
def client():
    with TestClient(create_app()) as test_client:
        yield test_client


def receive(ws, kind: str, limit: int = 200) -> dict:
    """The next message of type ``kind`` (skipping others, e.g. states of a playing run)."""
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} message in {limit} messages")


def start(ws) -> dict:
    """Read the greeting: hello, config, network, data, state; return them by type."""
    messages = [ws.receive_json() for _ in range(5)]
    assert [m["type"] for m in messages] == ["hello", "config", "network", "data", "state"]
    return {m["type"]: m for m in messages}


def ping(ws) -> None:
    ws.send_json({"type": "ping"})
    assert ws.receive_json() == {"type": "pong"}


def csv_body(rows: int = 20) -> bytes:
    lines = ["x1,x2,label"] + [f"{i / 4},{-i / 3},{i % 2}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


# --------------------------------------------------------------------------- HTTP


def test_page_and_static_files(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.content == (STATIC / "index.html").read_bytes()
    asset = next(p for p in sorted(STATIC.rglob("*")) if p.is_file() and p.name != "index.html")
    response = client.get("/static/" + asset.relative_to(STATIC).as_posix())
    assert response.status_code == 200 and response.content == asset.read_bytes()
    assert client.get("/static/no-such-file.js").status_code == 404


def test_options(client):
    response = client.get("/api/options")
    assert response.status_code == 200
    body = response.json()
    expected = options()
    assert body["keys"] == json.loads(json.dumps(expected["keys"]))
    assert body["defaults"] == default_config()
    assert body["limits"]["idle_timeout"] == 600 and body["limits"]["grace"] == 30


def test_thumbnails_are_the_generators_points(client):
    body = client.get("/api/thumbnails", params={"classes": 3}).json()
    assert body["classes"] == 3 and body["domain"] == [-6.0, 6.0]
    assert sorted(body["datasets"]) == sorted(
        d for d in options()["keys"]["dataset"]["choices"] if d != "upload"
    )
    for name, sample in body["datasets"].items():
        X, y = fcnn.data.playground_set(name, len(sample["x"]), 0, 3, seed=0)
        np.testing.assert_allclose(sample["x"], X, rtol=1e-3, atol=1e-3)
        np.testing.assert_allclose(sample["y"], y, rtol=1e-3, atol=1e-3)
        assert sample["task"] == ("regression" if y.dtype.kind == "f" else "classification")
    assert set(body["datasets"]["blobs"]["y"]) == {0, 1, 2}
    # The six bumps of multi_gauss, three of each sign: the thumbnail shows all of them.
    sample = body["datasets"]["multi_gauss"]
    X, y = np.array(sample["x"]), np.array(sample["y"])
    for cx, cy in itertools.product((-4, 0, 4), (2.5, -2.5)):
        near = np.hypot(X[:, 0] - cx, X[:, 1] - cy) < 1
        assert near.any() and np.abs(y[near]).min() > 0.4, (cx, cy)
    for bad in ("1", "7", "two", ""):
        response = client.get("/api/thumbnails", params={"classes": bad})
        assert response.status_code == 400 and "classes" in response.json()["error"]


@pytest.mark.parametrize("endpoint", ["model.safetensors", "model.py", "data.csv"])
def test_unknown_session_is_404(client, endpoint):
    response = client.get(f"/api/session/nope/{endpoint}")
    assert response.status_code == 404
    assert response.json() == {"error": "no such session"}


def test_upload_to_unknown_session_is_404(client):
    response = client.post("/api/session/nope/data", content=csv_body())
    assert response.status_code == 404 and response.json() == {"error": "no such session"}


def test_downloads(client, tmp_path):
    with client.websocket_connect("/ws") as ws:
        greeting = start(ws)
        sid = greeting["hello"]["session"]
        ws.send_json({"type": "step"})
        state = receive(ws, "state")
        response = client.get(f"/api/session/{sid}/model.safetensors")
        assert response.status_code == 200
        assert "model.safetensors" in response.headers["content-disposition"]
        path = tmp_path / "model.safetensors"
        path.write_bytes(response.content)
        model = fcnn.load(path).eval()
        snippet = client.get(f"/api/session/{sid}/model.py")
        assert snippet.status_code == 200 and "def features(X)" in snippet.text
        namespace: dict = {"__name__": "snippet"}
        exec(compile(snippet.text, "model.py", "exec"), namespace)
        points = namespace["grid_points"](namespace["DOMAIN"], 50)
        values = namespace["page_values"](namespace["predict"](model, points))
        np.testing.assert_allclose(values, state["output"]["values"], atol=5e-4)
        data = client.get(f"/api/session/{sid}/data.csv")
        assert data.status_code == 200 and data.headers["content-type"].startswith("text/csv")
        assert data.text.splitlines()[0] == "x1,x2,label,split"
        assert len(data.text.splitlines()) == 501


def test_upload(client):
    with client.websocket_connect("/ws") as ws:
        sid = start(ws)["hello"]["session"]
        response = client.post(f"/api/session/{sid}/data", content=csv_body(30))
        assert response.status_code == 200 and response.json() == {"ok": True, "n": 30}
        config = receive(ws, "config")["config"]
        assert config["dataset"] == "upload"
        assert receive(ws, "network")["layers"][0] == 2
        data = receive(ws, "data")
        assert len(data["train"]["x"]) + len(data["test"]["x"]) == 30
        assert receive(ws, "state")["epoch"] == 0
        bad = client.post(f"/api/session/{sid}/data", content=b"x1,x2,label\n1,2\n")
        assert bad.status_code == 400
        assert "at least 10" in bad.json()["error"]
        ping(ws)  # nothing else was sent for the refused file


def test_big_uploads_are_refused_before_they_are_read(client):
    with client.websocket_connect("/ws") as ws:
        sid = start(ws)["hello"]["session"]
        big = b"x1,x2,label\n" + b"1.0,2.0,1\n" * (5 * 1024 * 1024)  # ~50 MB
        response = client.post(f"/api/session/{sid}/data", content=big)
        assert response.status_code == 413
        assert "larger than 1024 KB" in response.json()["error"]

        # Without a Content-Length (chunked), the stream is cut at the limit.
        def chunks():
            yield b"x1,x2,label\n"
            for _ in range(200):
                yield b"1.0,2.0,1\n" * 1000

        response = client.post(f"/api/session/{sid}/data", content=chunks())
        assert response.status_code == 413
        bad_length = client.post(
            f"/api/session/{sid}/data", content=b"x", headers={"content-length": "abc"}
        )
        assert bad_length.status_code == 400
        ping(ws)
        ws.send_json({"type": "config", "config": {}})
        assert receive(ws, "config")["config"]["dataset"] == "circle"


# --------------------------------------------------------------------------- messages


def test_greeting(client):
    with client.websocket_connect("/ws") as ws:
        greeting = start(ws)
        hello = greeting["hello"]
        assert len(hello["session"]) >= 16
        assert hello["config"] == default_config()
        assert hello["options"]["keys"]["lr"]["min"] == 1e-5
        assert greeting["network"]["layers"] == [2, 4, 2, 1]
        assert greeting["state"]["epoch"] == 0 and greeting["state"]["running"] is False


def test_config_messages(client):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        # A live change: config and state only.
        ws.send_json({"type": "config", "config": {"lr": 0.1, "optimizer": "adam"}})
        config = ws.receive_json()
        assert config["type"] == "config" and config["config"]["lr"] == 0.1
        assert ws.receive_json()["type"] == "state"
        # A network change: config, network, state.
        ws.send_json({"type": "config", "config": {"hidden": [3, 3, 3]}})
        assert [ws.receive_json()["type"] for _ in range(3)] == ["config", "network", "state"]
        # A data change: config, network, data, state.
        ws.send_json({"type": "config", "config": {"dataset": "blobs", "classes": 3}})
        messages = [ws.receive_json() for _ in range(4)]
        assert [m["type"] for m in messages] == ["config", "network", "data", "state"]
        assert messages[1]["classes"] == 3 and messages[1]["layers"] == [2, 3, 3, 3, 3]
        assert len(messages[3]["output"]["classes"]) == 2500


def test_play_pause_step_reset_regenerate(client):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_json({"type": "step"})
        state = receive(ws, "state")
        assert state["epoch"] == 1 and state["running"] is False
        ws.send_json({"type": "play"})
        epochs = []
        for _ in range(3):
            state = receive(ws, "state")
            assert state["running"] is True
            epochs.append(state["epoch"])
        assert epochs == sorted(epochs) and epochs[0] > 1 and len(set(epochs)) == 3
        ws.send_json({"type": "pause"})
        while state["running"]:
            state = receive(ws, "state")
        paused_at = state["epoch"]
        ping(ws)  # no state follows a pause's last one
        ws.send_json({"type": "step"})
        assert receive(ws, "state")["epoch"] == paused_at + 1
        ws.send_json({"type": "reset"})
        reset = receive(ws, "state")
        assert reset["epoch"] == 0 and reset["running"] is False
        ws.send_json({"type": "regenerate"})
        config = receive(ws, "config")["config"]
        assert config["seed"] == 1
        assert [ws.receive_json()["type"] for _ in range(3)] == ["network", "data", "state"]


def test_reset_replays_the_same_run(client):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_json({"type": "config", "config": {"seed": 5, "dataset": "xor", "noise": 10}})
        receive(ws, "state")
        runs = []
        for _ in range(2):
            ws.send_json({"type": "reset"})
            receive(ws, "state")
            for _ in range(3):
                ws.send_json({"type": "step"})
                state = receive(ws, "state")
            runs.append(state)
        assert runs[0]["epoch"] == 3 and runs[0] == runs[1]


def test_set_weight(client):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_json({"type": "set_weight", "layer": 1, "kind": "weight", "to": 1, "from": 3,
                      "value": 2.5})  # fmt: skip
        state = receive(ws, "state")
        assert state["weights"][1]["W"][1][3] == 2.5
        ws.send_json({"type": "set_weight", "layer": 2, "kind": "bias", "to": 0, "value": -1})
        assert receive(ws, "state")["weights"][2]["b"] == [-1]
        ws.send_json(
            {"type": "set_weight", "layer": 0, "kind": "bias", "to": 0, "from": None, "value": 1}
        )
        assert receive(ws, "state")["weights"][0]["b"][0] == 1


BAD_FRAMES = [
    ("not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('"ping"', "must be a JSON object"),
    ("{}", 'needs a "type"'),
    ('{"type": 3}', 'needs a "type"'),
    ('{"type": "jump"}', "Unknown message type 'jump'"),
    ('{"type": "ping", "extra": 1}', "no key 'extra'"),
    ('{"type": "config"}', "needs the key 'config'"),
    ('{"type": "config", "config": [1]}', "config must be an object"),
    ('{"type": "config", "config": {"lr": NaN}}', "NaN"),
    ('{"type": "config", "config": {"lr": Infinity}}', "Infinity"),
    ('{"type": "config", "config": {"lr": 1e999}}', "lr must be a finite number"),
    ('{"type": "config", "config": {"lr": 100}}', "lr must be a number from 1e-05 to 10"),
    ('{"type": "config", "config": {"batch_size": true}}', "batch_size must be an integer"),
    ('{"type": "config", "config": {"hidden": [10000]}}', "hidden[0] must be an integer"),
    ('{"type": "config", "config": {"colour": "red"}}', "Unknown config key 'colour'"),
    ('{"type": "config", "config": {"dataset": "upload"}}', "upload one first"),
    ('{"type": "set_weight", "layer": 0, "kind": "weight", "to": 0}', "needs the key 'value'"),
    ('{"type": "set_weight", "layer": 0, "kind": "w", "to": 0, "value": 1}', "kind must be"),
    ('{"type": "set_weight", "layer": true, "kind": "bias", "to": 0, "value": 1}', "layer must"),
    ('{"type": "set_weight", "layer": 0, "kind": "weight", "to": 0, "value": 1}', "from must"),
    ('{"type": "set_weight", "layer": 0, "kind": "bias", "to": 0, "from": 1, "value": 1}', "from"),
    ('{"type": "set_weight", "layer": 0, "kind": "bias", "to": 0, "value": 101}', "within ±100"),
    ('{"type": "set_weight", "layer": 0, "kind": "bias", "to": 0, "value": "1"}', "a number"),
    ('{"type": "set_weight", "layer": 9, "kind": "bias", "to": 0, "value": 1}', "layer must be"),
    ('{"type": "set_weight", "layer": 0, "kind": "bias", "to": 99, "value": 1}', "to must be"),
    ('{"type": "set_weight", "layer": 0, "kind": "weight", "to": 0, "from": 5, "value": 1}', "fro"),
    ('{"type": "ping", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "not valid JSON"),
    ('{"type": "ping", "pad": "' + "x" * (2 * 1024 * 1024) + '"}', "larger than 2 MB"),
]


@pytest.mark.parametrize(("frame", "message"), BAD_FRAMES, ids=[m for _, m in BAD_FRAMES])
def test_bad_messages_are_refused_and_the_socket_stays_usable(client, frame, message):
    with client.websocket_connect("/ws") as ws:
        greeting = start(ws)
        ws.send_text(frame)
        error = ws.receive_json()
        assert error["type"] == "error"
        assert message in error["message"]
        ping(ws)
        ws.send_json({"type": "config", "config": {}})
        assert ws.receive_json()["config"] == greeting["config"]["config"]  # unchanged
        state = ws.receive_json()
        assert state["weights"] == greeting["state"]["weights"]


def test_config_errors_name_the_field(client):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_json({"type": "config", "config": {"noise": 51}})
        error = ws.receive_json()
        assert error["field"] == "noise" and "noise" in error["message"]
        ws.send_text('{"type": "ping", "extra": 1}')
        assert ws.receive_json()["field"] is None


def test_binary_frames_are_refused(client):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_bytes(b'{"type": "ping"}')
        assert "Binary frames" in ws.receive_json()["message"]
        ping(ws)


# --------------------------------------------------------------------------- sessions


def test_sockets_from_other_sites_are_refused(client):
    with pytest.raises(WebSocketDisconnect) as caught:
        with client.websocket_connect("/ws", headers={"origin": "http://evil.example"}):
            pass
    assert caught.value.code == 1008
    assert len(client.app.state.registry) == 0
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        start(ws)


def test_two_sessions_do_not_interfere(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        sa, sb = start(a)["hello"]["session"], start(b)["hello"]["session"]
        assert sa != sb
        a.send_json({"type": "config", "config": {"dataset": "spiral", "hidden": [8]}})
        receive(a, "state")
        a.send_json({"type": "play"})
        receive(a, "state")
        b.send_json({"type": "step"})
        state_b = receive(b, "state")
        assert state_b["epoch"] == 1 and len(state_b["weights"][0]["W"]) == 4
        b.send_json({"type": "config", "config": {"lr": 1}})
        assert receive(b, "config")["config"]["dataset"] == "circle"
        assert receive(b, "state")["epoch"] == 1  # a live change keeps the weights
        a.send_json({"type": "pause"})
        state_a = receive(a, "state")
        while state_a["running"]:
            state_a = receive(a, "state")
        assert len(state_a["weights"][0]["W"]) == 8
        ping(b)
        csv_a = client.get(f"/api/session/{sa}/data.csv").text
        csv_b = client.get(f"/api/session/{sb}/data.csv").text
        assert csv_a != csv_b
        registry = client.app.state.registry
        assert registry.connections[sa].session.config["lr"] == 0.03
        assert registry.connections[sb].session.config["lr"] == 1.0


def test_an_idle_session_is_closed_and_freed():
    with TestClient(create_app(idle_timeout=0.5, grace=5)) as client:
        with client.websocket_connect("/ws") as ws:
            sid = start(ws)["hello"]["session"]
            ping(ws)
            ping(ws)
            error = ws.receive_json()  # after 0.5 s of silence
            assert error["type"] == "error" and "without a message" in error["message"]
            with pytest.raises(WebSocketDisconnect):
                ws.receive_json()
        assert client.get(f"/api/session/{sid}/model.py").status_code == 404
        assert len(client.app.state.registry) == 0


def test_a_playing_session_is_not_idle():
    """Left training on a lecture hall's screen, a tab sends nothing and must stay."""
    with TestClient(create_app(idle_timeout=0.3, grace=5)) as client:
        with client.websocket_connect("/ws") as ws:
            sid = start(ws)["hello"]["session"]
            ws.send_json({"type": "play"})
            deadline = time.monotonic() + 1.5  # five idle timeouts
            epochs = []
            while time.monotonic() < deadline:
                message = ws.receive_json()
                assert message["type"] != "error", message
                if message["type"] == "state":
                    epochs.append(message["epoch"])
            assert epochs[-1] > epochs[0]
            assert sid in client.app.state.registry.connections
            ws.send_json({"type": "pause"})


def test_a_closed_session_lives_for_the_grace_period():
    with TestClient(create_app(grace=30)) as client:
        registry = client.app.state.registry
        with client.websocket_connect("/ws") as ws:
            sid = start(ws)["hello"]["session"]
        assert client.get(f"/api/session/{sid}/model.py").status_code == 200
        registry.connections[sid].closed_at -= 29.0  # the socket closed 29 s ago
        assert client.get(f"/api/session/{sid}/data.csv").status_code == 200
        registry.connections[sid].closed_at -= 1.0  # 30 s ago: freed
        assert client.get(f"/api/session/{sid}/model.py").status_code == 404
        assert len(registry) == 0
    with TestClient(create_app(grace=0.05)) as client:  # the clock itself, briefly
        with client.websocket_connect("/ws") as ws:
            sid = start(ws)["hello"]["session"]
        time.sleep(0.1)
        assert client.get(f"/api/session/{sid}/model.py").status_code == 404


def test_too_many_sessions():
    app = create_app()
    app.state.registry.max_sessions = 1
    with TestClient(app) as client:
        with client.websocket_connect("/ws") as ws:
            start(ws)
            with client.websocket_connect("/ws") as second:
                assert "too many sessions" in second.receive_json()["message"]
                with pytest.raises(WebSocketDisconnect):
                    second.receive_json()
            ping(ws)


def test_divergence_pauses_training(client):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_json(
            {
                "type": "config",
                "config": {"dataset": "plane", "lr": 10, "hidden": [8, 8], "activation": "relu"},
            }
        )
        receive(ws, "state")
        ws.send_json({"type": "play"})
        state = receive(ws, "state")
        while state["running"]:
            state = receive(ws, "state")
        assert state["train_loss"] is None
        assert any("Training paused" in s for s in state["diagnostics"])


def test_states_are_throttled_while_playing(client):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_json({"type": "config", "config": {"n_points": 100, "batch_size": 30}})
        receive(ws, "state")
        ws.send_json({"type": "play"})
        first = receive(ws, "state")
        began = time.monotonic()
        epochs = [first["epoch"]]
        while time.monotonic() - began < 1.0:
            epochs.append(receive(ws, "state")["epoch"])
        elapsed = time.monotonic() - began
        ws.send_json({"type": "pause"})
        state = receive(ws, "state")
        while state["running"]:
            state = receive(ws, "state")
    # Tiny epochs: many per state, and no more than ~20 states a second.
    assert len(epochs) - 1 <= 22 * elapsed + 1
    assert epochs[-1] - epochs[0] > len(epochs)


def test_a_failure_inside_the_server_is_reported_and_survived(client, monkeypatch):
    from fcnn.playground.session import Session

    with client.websocket_connect("/ws") as ws:
        start(ws)

        def broken(self, running=False):
            raise ArithmeticError("boom")

        with monkeypatch.context() as patch:
            patch.setattr(Session, "state", broken)
            ws.send_json({"type": "reset"})
            error = ws.receive_json()
            assert error["type"] == "error" and "boom" in error["message"]
            ws.send_json({"type": "step"})
            error = ws.receive_json()
            assert error["type"] == "error" and "Training stopped" in error["message"]
        ping(ws)
        ws.send_json({"type": "step"})
        assert receive(ws, "state")["running"] is False


def test_create_app_checks_its_arguments():
    with pytest.raises(ValueError, match="idle_timeout"):
        create_app(idle_timeout=0)
    with pytest.raises(ValueError, match="grace"):
        create_app(grace=-1)


def test_cli_registers_the_command():
    from typer.testing import CliRunner

    from fcnn.cli import app
    from fcnn.cli.playground import is_loopback

    result = CliRunner().invoke(app, ["playground", "--help"])
    assert result.exit_code == 0 and "--no-browser" in result.output
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")


def test_serve_prints_the_url_and_warns_off_loopback(monkeypatch):
    from typer.testing import CliRunner

    from fcnn.cli import app

    seen: dict = {}
    opened = threading.Event()

    def fake_run(self, sockets=None):  # uvicorn's loop, skipped: the socket is bound
        seen["address"] = sockets[0].getsockname()
        self.started = True
        if seen.get("browser"):
            opened.wait(5)  # the browser opens once the server has started

    def fake_open(url):
        seen["opened"] = url
        opened.set()

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    monkeypatch.setattr(server_module.webbrowser, "open", fake_open)
    result = CliRunner().invoke(app, ["playground", "--port", "0", "--no-browser"])
    assert result.exit_code == 0, result.output
    port = seen["address"][1]
    assert port > 0 and f"http://127.0.0.1:{port}/" in result.output
    assert "warning" not in result.output and "opened" not in seen
    seen["browser"] = True
    result = CliRunner().invoke(app, ["playground", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "not on loopback" in result.output
    port = seen["address"][1]
    assert seen["opened"] == f"http://127.0.0.1:{port}/"  # all interfaces: open loopback


@pytest.mark.parametrize(
    ("args", "env", "query"),
    [
        pytest.param(["--lang", "zh"], {}, "?lang=zh", id="--lang-zh"),
        pytest.param([], {"FCNN_LANG": "zh"}, "?lang=zh", id="FCNN_LANG"),
        pytest.param([], {"LANG": "zh_CN.UTF-8"}, "?lang=zh", id="locale"),
        pytest.param(["--lang", "en"], {"FCNN_LANG": "zh"}, "", id="--lang-en"),
        pytest.param([], {}, "", id="english"),
    ],
)
def test_the_page_opens_in_fcnns_language(monkeypatch, args, env, query):
    from typer.testing import CliRunner

    from fcnn.cli import app

    seen: dict = {}
    opened = threading.Event()

    def fake_run(self, sockets=None):
        seen["port"] = sockets[0].getsockname()[1]
        self.started = True
        opened.wait(5)

    def fake_open(url):
        seen["opened"] = url
        opened.set()

    for variable in ("FCNN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    monkeypatch.setattr(server_module.webbrowser, "open", fake_open)
    result = CliRunner().invoke(app, [*args, "playground", "--port", "0"])
    assert result.exit_code == 0, result.output
    url = f"http://127.0.0.1:{seen['port']}/{query}"
    # The URL ends at a space (in Chinese too, so a terminal links it whole).
    assert re.search(rf"(?<![\w/]){re.escape(url)}\s", result.output), result.output
    assert seen["opened"] == url


# --------------------------------------------------------------------------- load


def _run_server(app):
    sock = server_module._bind("127.0.0.1", 0)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", ws_max_size=server_module.WS_MAX_SIZE)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    return server, thread, sock.getsockname()[1]


async def _load_client(url: str, index: int, seconds: float, states: int) -> dict:
    """Play for at least ``seconds`` and until ``states`` running states came (or 20 s)."""
    loop = asyncio.get_running_loop()
    result = {"states": [], "errors": [], "pong": False, "final": None}
    async with websockets.connect(url, max_size=None) as ws:
        greeting = [json.loads(await ws.recv()) for _ in range(5)]
        assert greeting[0]["type"] == "hello"
        datasets = ["circle", "xor", "gauss", "spiral", "plane"]
        config = {"dataset": datasets[index % 5], "seed": index, "hidden": [4, 4]}
        await ws.send(json.dumps({"type": "config", "config": config}))
        await ws.send(json.dumps({"type": "play"}))
        began = loop.time()
        paused = False
        while True:
            now = loop.time() - began
            enough = now >= seconds and len(result["states"]) >= states
            if not paused and (enough or now > 20):
                await ws.send(json.dumps({"type": "ping"}))
                await ws.send(json.dumps({"type": "pause"}))
                paused = True
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
            if message["type"] == "error":
                result["errors"].append(message)
            elif message["type"] == "pong":
                result["pong"] = True
            elif message["type"] == "state" and message["running"]:
                result["states"].append(message["epoch"])
            elif message["type"] == "state" and paused:
                result["final"] = message["epoch"]
                if result["pong"]:
                    break
    return result


def test_twenty_sessions_train_at_once_on_loopback():
    server, thread, port = _run_server(create_app())
    try:

        async def main():
            url = f"ws://127.0.0.1:{port}/ws"
            return await asyncio.gather(*(_load_client(url, i, 2.0, 3) for i in range(20)))

        start_time = time.monotonic()
        results = asyncio.run(main())
        elapsed = time.monotonic() - start_time
    finally:
        server.should_exit = True
        thread.join(10)
    assert elapsed < 30
    for i, result in enumerate(results):
        assert result["errors"] == [], i
        assert result["pong"], i
        epochs = result["states"]
        assert len(epochs) >= 3, (i, epochs)
        assert all(a < b for a, b in itertools.pairwise(epochs)), (i, epochs)
        assert result["final"] >= epochs[-1]
    assert not thread.is_alive()


def test_upload_over_http_on_a_real_server():
    # The 413 answer must come before the body is read, also through uvicorn's HTTP stack.
    import httpx

    server, thread, port = _run_server(create_app())
    try:

        async def main():
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
                hello = json.loads(await ws.recv())
                sid = hello["session"]
                async with httpx.AsyncClient() as http:
                    url = f"http://127.0.0.1:{port}/api/session/{sid}/data"
                    big = io.BytesIO(b"x1,x2,label\n" + b"1,2,1\n" * (8 * 1024 * 1024))
                    big_response = await http.post(url, content=big.getvalue())
                    good = await http.post(url, content=csv_body(15))
                return big_response, good

        big_response, good = asyncio.run(main())
    finally:
        server.should_exit = True
        thread.join(10)
    assert big_response.status_code == 413
    assert good.status_code == 200 and good.json()["n"] == 15
