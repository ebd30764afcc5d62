"""The playground's ASGI app (Starlette): the page, the options, one WebSocket per tab.

:func:`create_app` builds the app of docs/playground-protocol.md:

- ``GET /`` and ``/static/...``: the page (``static/``, shipped as package data);
- ``GET /api/options``: every choice and limit (``config.options``);
- ``WS /ws``: one :class:`~fcnn.playground.session.Session` per socket, in a registry
  under a random id; every frame is checked (:func:`check_message`) and a bad one gets
  an ``error`` message while the socket and the session stay as they were;
- ``/api/session/{sid}/...``: the model as ``.safetensors`` and as a Python snippet, the
  data as CSV, and the upload of a user's CSV (refused by its size before it is read).

Training runs on the event loop, one task per playing session: it trains for a few
milliseconds (:data:`CHUNK_SECONDS`), then yields with ``await asyncio.sleep(0)``, so
every session gets its turn and messages are answered between two turns. A ``state``
goes out after an epoch at most every :data:`STATE_INTERVAL` seconds, and under load
never takes more than half of a session's time. Threads would not help: the
networks are so small that NumPy spends its time in Python, holding the GIL.

A session whose socket closed is kept for ``grace`` seconds (so a download link still
works); one that is not playing and sent no message for ``idle_timeout`` seconds is told
so and closed (a playing one is in use, e.g. left training on a lecture hall's screen).
:func:`serve` runs the app with uvicorn.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from .config import LIMITS, ConfigError, default_config, options
from .session import Session

__all__ = [
    "CHUNK_SECONDS",
    "MAX_SESSIONS",
    "STATE_INTERVAL",
    "STATIC",
    "MessageError",
    "Registry",
    "check_message",
    "create_app",
    "serve",
]

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("fcnn.playground")
CHUNK_SECONDS = 0.01  # training in one turn, between two yields to the event loop
STATE_INTERVAL = 0.05  # at most ~20 states a second while playing
MAX_SESSIONS = 64
MAX_PENDING_STEPS = 100
WS_MAX_SIZE = 16 * 1024 * 1024  # frames above this close the socket (uvicorn's limit)

# Message types and the keys each may carry besides "type": required, optional.
MESSAGES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "config": (frozenset({"config"}), frozenset()),
    "play": (frozenset(), frozenset()),
    "pause": (frozenset(), frozenset()),
    "step": (frozenset(), frozenset()),
    "reset": (frozenset(), frozenset()),
    "regenerate": (frozenset(), frozenset()),
    "set_weight": (frozenset({"layer", "kind", "to", "value"}), frozenset({"from"})),
    "ping": (frozenset(), frozenset()),
}


class MessageError(ValueError):
    """A frame the server refuses; ``field`` is the config key at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _reject_constant(name: str) -> Any:
    raise MessageError(f"The message contains {name}, which is not a JSON number.")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_message(text: str) -> dict[str, Any]:
    """Parse and check one text frame; return the message object.

    Raises
    ------
    MessageError
        For a frame over 2 MB, text that is not JSON (NaN and Infinity included), a
        value that is not an object, a missing or unknown ``type``, an unknown or missing
        key, and a ``set_weight`` field of the wrong type. Config values are checked by
        the session (``config.validate``).
    """
    limit = LIMITS["frame_bytes"]
    if len(text) > limit or len(text.encode("utf-8")) > limit:
        raise MessageError(f"The message is larger than {limit // (1024 * 1024)} MB.")
    try:
        message = json.loads(text, parse_constant=_reject_constant)
    except MessageError:
        raise
    except (ValueError, RecursionError) as err:
        raise MessageError(f"The message is not valid JSON ({err}).") from None
    if not isinstance(message, dict):
        raise MessageError(f"A message must be a JSON object, got {type(message).__name__}.")
    kind = message.get("type")
    if not isinstance(kind, str):
        raise MessageError('A message needs a "type" string, e.g. {"type": "ping"}.')
    if kind not in MESSAGES:
        raise MessageError(f"Unknown message type {kind[:40]!r}; known: {', '.join(MESSAGES)}.")
    required, optional = MESSAGES[kind]
    for key in message:
        if key != "type" and key not in required and key not in optional:
            raise MessageError(f"A {kind} message has no key {str(key)[:40]!r}.")
    for key in sorted(required):
        if key not in message:
            raise MessageError(f"A {kind} message needs the key {key!r}.")
    if kind == "config" and not isinstance(message["config"], dict):
        raise MessageError("config must be an object of config keys and values.")
    if kind == "set_weight":
        _check_set_weight(message)
    return message


def _check_set_weight(message: dict[str, Any]) -> None:
    for key in ("layer", "to"):
        if not _is_int(message[key]) or message[key] < 0:
            raise MessageError(f"set_weight: {key} must be a non-negative integer.")
    if message["kind"] not in ("weight", "bias"):
        raise MessageError('set_weight: kind must be "weight" or "bias".')
    source = message.get("from")
    if message["kind"] == "weight":
        if not _is_int(source) or source < 0:
            raise MessageError("set_weight: from must be a non-negative integer for a weight.")
    elif source is not None:
        raise MessageError("set_weight: from must be omitted (or null) for a bias.")
    value = message["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MessageError("set_weight: value must be a number.")
    bound = LIMITS["max_abs_weight"]
    if not abs(value) <= bound:  # also false for NaN
        raise MessageError(f"set_weight: value must be within ±{bound}, got {value!r}.")


def _dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def _error(message: str, field: str | None = None) -> dict[str, Any]:
    return {"type": "error", "message": message, "field": field}


# --------------------------------------------------------------------------- sessions


class Connection:
    """A session and the socket that drives it: sending, the training task, timestamps."""

    def __init__(self, sid: str, session: Session, websocket: WebSocket) -> None:
        self.sid = sid
        self.session = session
        self.websocket: WebSocket | None = websocket
        self.lock = asyncio.Lock()
        self.playing = False
        self.pending_steps = 0
        self.task: asyncio.Task | None = None
        self.closed_at: float | None = None
        self.last_state = 0.0
        self.state_cost = 0.0
        self.sent_running = False  # the last state sent said running: true
        self.unsent = False  # an epoch ended after the last state was built

    async def send(self, message: dict[str, Any] | str) -> None:
        """Send one message (or its JSON text); a socket that went away is forgotten (the
        session stays)."""
        websocket = self.websocket
        if websocket is None:
            return
        text = message if isinstance(message, str) else _dumps(message)
        async with self.lock:
            if websocket.application_state != WebSocketState.CONNECTED:
                return
            try:
                await websocket.send_text(text)
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.websocket = None

    async def send_state(self) -> None:
        start = time.perf_counter()
        running = self.playing or self.pending_steps > 0
        text = _dumps(self.session.state(running=running))
        self.sent_running, self.unsent = running, False
        self.state_cost = time.perf_counter() - start  # the CPU it takes, not the wait
        self.last_state = time.monotonic()
        await self.send(text)

    async def send_all(self, *kinds: str) -> None:
        """Send ``config``, ``network``, ``data`` and/or ``state``, in that order."""
        for kind in kinds:
            if kind == "config":
                await self.send({"type": "config", "config": self.session.config})
            elif kind == "network":
                await self.send(self.session.network())
            elif kind == "data":
                await self.send(self.session.data())
            elif kind == "state":
                await self.send_state()

    # ----------------------------------------------------------------- training

    def stop(self) -> None:
        """Stop playing and forget queued steps (the running chunk finishes first)."""
        self.playing = False
        self.pending_steps = 0

    def wake(self) -> None:
        """Start the training task unless it runs."""
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._guarded_train())

    async def _guarded_train(self) -> None:
        try:
            await self._train()
        except asyncio.CancelledError:
            raise
        except Exception as err:  # a bug must not pass silently nor stop the server
            log.exception("playground session %s: training failed", self.sid)
            self.stop()
            await self.send(_error(f"Training stopped: {type(err).__name__}: {err}"))

    def _wants_training(self) -> bool:
        return self.playing or self.pending_steps > 0 or self.session.mid_epoch

    async def _train(self) -> None:
        """Train in turns of about CHUNK_SECONDS, yielding to the event loop after each.

        A state goes out after a turn in which an epoch ended when training stops, or when
        STATE_INTERVAL has passed and the session trained at least as long as its last
        state took to build: under load, at most half of a session's time goes to states.
        """
        session = self.session
        trained = 0.0  # seconds of training since the last state
        while self.websocket is not None and self._wants_training():
            while self.websocket is not None and self._wants_training():
                start = time.perf_counter()
                deadline = start + CHUNK_SECONDS
                ended_any = False
                while self._wants_training():
                    if session.train(budget=max(0.0, deadline - time.perf_counter())):
                        ended_any = self.unsent = True
                        if self.pending_steps > 0:
                            self.pending_steps -= 1
                        if session.diverged:
                            self.stop()
                    if time.perf_counter() >= deadline:
                        break
                trained += time.perf_counter() - start
                if ended_any:
                    done = not (self.playing or self.pending_steps > 0)
                    due = time.monotonic() - self.last_state >= STATE_INTERVAL
                    if done or (due and trained >= self.state_cost):
                        await self.send_state()
                        trained = 0.0
                await asyncio.sleep(0)
            if (self.sent_running or self.unsent) and self.websocket is not None:
                await self.send_state()  # stopped between two turns: say so
            # A play or step that came during that last send is served by this same task
            # (wake() saw it running): hence the outer loop.

    async def cancel(self) -> None:
        self.stop()
        task, self.task = self.task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass


class Registry:
    """The live sessions by id; a closed one is kept for ``grace`` seconds, then freed."""

    def __init__(self, grace: float, max_sessions: int = MAX_SESSIONS) -> None:
        self.grace = grace
        self.max_sessions = max_sessions
        self.connections: dict[str, Connection] = {}

    def __len__(self) -> int:
        self.sweep()
        return len(self.connections)

    def sweep(self) -> None:
        """Free the sessions whose socket closed more than ``grace`` seconds ago."""
        now = time.monotonic()
        for sid, conn in list(self.connections.items()):
            if conn.closed_at is not None and now - conn.closed_at >= self.grace:
                del self.connections[sid]

    def add(self, session: Session, websocket: WebSocket) -> Connection:
        sid = secrets.token_urlsafe(16)
        conn = Connection(sid, session, websocket)
        self.connections[sid] = conn
        return conn

    def get(self, sid: str) -> Connection | None:
        self.sweep()
        return self.connections.get(sid)

    def release(self, conn: Connection) -> None:
        """The socket closed: keep the session for ``grace`` seconds."""
        conn.websocket = None
        conn.closed_at = time.monotonic()
        self.sweep()

    def free(self, conn: Connection) -> None:
        self.connections.pop(conn.sid, None)


# --------------------------------------------------------------------------- the app


def create_app(*, idle_timeout: float = 600.0, grace: float = 30.0) -> Starlette:
    """The playground's Starlette app.

    Parameters
    ----------
    idle_timeout : float
        Seconds without a message from the page after which a session is closed (with an
        ``error``) and freed.
    grace : float
        Seconds a session outlives its socket (for a download link still in use).
    """
    if not (isinstance(idle_timeout, (int, float)) and idle_timeout > 0):
        raise ValueError(f"create_app(idle_timeout={idle_timeout!r}): expected seconds > 0")
    if not (isinstance(grace, (int, float)) and grace >= 0):
        raise ValueError(f"create_app(grace={grace!r}): expected seconds >= 0")
    registry = Registry(grace)
    public_options = options()
    public_options["limits"].update({"idle_timeout": idle_timeout, "grace": grace})

    async def index(request: Request) -> Response:
        page = STATIC / "index.html"
        if not page.is_file():
            return PlainTextResponse("The playground's page (static/index.html) is missing.", 404)
        return FileResponse(page, media_type="text/html")

    async def get_options(request: Request) -> Response:
        return JSONResponse(public_options)

    def lookup(request: Request) -> Connection | None:
        return registry.get(request.path_params["sid"])

    def no_session() -> Response:
        return JSONResponse({"error": "no such session"}, status_code=404)

    def download(filename: str, media_type: str, make: Callable[[Session], Any]):
        """An endpoint that sends ``make(session)`` as the file ``filename``."""

        async def endpoint(request: Request) -> Response:
            conn = lookup(request)
            if conn is None:
                return no_session()
            return Response(
                make(conn.session),
                media_type=media_type,
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )

        return endpoint

    model_file = download(
        "model.safetensors", "application/octet-stream", Session.export_safetensors
    )
    model_snippet = download("model.py", "text/x-python; charset=utf-8", Session.export_python)
    data_csv = download("data.csv", "text/csv; charset=utf-8", Session.data_csv)

    async def upload(request: Request) -> Response:
        conn = lookup(request)
        if conn is None:
            return no_session()
        limit = LIMITS["upload_bytes"]
        too_big = JSONResponse(
            {"error": f"The file is larger than {limit // 1024} KB."}, status_code=413
        )
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                return JSONResponse({"error": "Content-Length is not a number."}, 400)
            if int(declared) > limit:
                return too_big
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return too_big
        try:
            rows = conn.session.set_upload(bytes(body))
        except ValueError as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        conn.stop()
        await conn.send_all("config", "network", "data", "state")
        return JSONResponse({"ok": True, "n": rows})

    async def websocket_endpoint(websocket: WebSocket) -> None:
        if not _same_origin(websocket):
            await websocket.close(code=1008)  # before accept: the handshake gets a 403
            return
        await websocket.accept()
        if len(registry) >= registry.max_sessions:
            await websocket.send_text(
                _dumps(_error("The server has too many sessions open; try again later."))
            )
            await websocket.close(code=1013)
            return
        conn = registry.add(Session(), websocket)
        try:
            await conn.send(
                {
                    "type": "hello",
                    "session": conn.sid,
                    "options": public_options,
                    "config": default_config(),
                }
            )
            await conn.send_all("config", "network", "data", "state")
            while True:
                try:
                    frame = await asyncio.wait_for(websocket.receive(), timeout=idle_timeout)
                except asyncio.TimeoutError:
                    if conn.playing:  # training on screen (a lecture hall): silent, in use
                        continue
                    await conn.cancel()
                    await conn.send(
                        _error(
                            f"The session was closed after {idle_timeout:g} s without a "
                            f"message; reload the page to start a new one."
                        )
                    )
                    registry.free(conn)
                    await websocket.close(code=1000)
                    return
                if frame["type"] == "websocket.disconnect":
                    break
                text = frame.get("text")
                if text is None:
                    await conn.send(_error("Binary frames are not accepted; send JSON text."))
                    continue
                try:
                    await _handle(conn, text)
                except Exception as err:  # a bug: say so, keep the socket and the server
                    log.exception("playground session %s: message failed", conn.sid)
                    await conn.send(_error(f"The server failed on this message: {err}"))
        except WebSocketDisconnect:
            pass
        finally:
            await conn.cancel()
            registry.release(conn)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        for conn in list(registry.connections.values()):
            await conn.cancel()

    routes = [
        Route("/", index),
        Route("/api/options", get_options),
        Route("/api/session/{sid}/model.safetensors", model_file),
        Route("/api/session/{sid}/model.py", model_snippet),
        Route("/api/session/{sid}/data.csv", data_csv),
        Route("/api/session/{sid}/data", upload, methods=["POST"]),
        WebSocketRoute("/ws", websocket_endpoint),
        Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.registry = registry
    return app


def _same_origin(websocket: WebSocket) -> bool:
    """False when a browser opened the socket from another site's page.

    Browsers send ``Origin`` with every WebSocket handshake; a page on another site must
    not drive (or read) the sessions of this local server. Clients that are not browsers
    send none and are let in.
    """
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == websocket.headers.get("host", "").lower()


async def _handle(conn: Connection, text: str) -> None:
    """Check one frame and act on it; a bad one gets an ``error`` and changes nothing."""
    try:
        message = check_message(text)
    except MessageError as err:
        await conn.send(_error(str(err), err.field))
        return
    session = conn.session
    kind = message["type"]
    if kind == "ping":
        await conn.send({"type": "pong"})
    elif kind == "config":
        try:
            level = session.apply_config(message["config"])
        except ConfigError as err:
            await conn.send(_error(str(err), err.field))
            return
        if level in ("data", "net"):
            conn.stop()
        sends = {"data": ("network", "data"), "net": ("network",)}.get(level or "", ())
        await conn.send_all("config", *sends, "state")
    elif kind == "play":
        conn.playing = True
        conn.wake()
    elif kind == "pause":
        conn.stop()
        if conn.task is None or conn.task.done():
            await conn.send_state()
    elif kind == "step":
        conn.playing = False
        if not session.mid_epoch:
            conn.pending_steps = min(conn.pending_steps + 1, MAX_PENDING_STEPS)
        conn.wake()
    elif kind == "reset":
        conn.stop()
        session.reset()
        await conn.send_all("state")
    elif kind == "regenerate":
        conn.stop()
        session.regenerate()
        await conn.send_all("config", "network", "data", "state")
    elif kind == "set_weight":
        try:
            session.set_weight(
                message["layer"],
                message["kind"],
                message["to"],
                message.get("from"),
                float(message["value"]),
            )
        except ValueError as err:
            await conn.send(_error(f"set_weight: {err}"))
            return
        await conn.send_all("state")


# --------------------------------------------------------------------------- serving


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """``http://host:port/`` for a bound socket (IPv6 hosts in brackets; a socket bound to
    every interface is reached through loopback)."""
    host, port = sock.getsockname()[:2]
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = True,
    idle_timeout: float = 600.0,
    *,
    grace: float = 30.0,
    announce: Callable[[str], None] | None = print,
) -> None:
    """Run the playground with uvicorn until interrupted (Ctrl+C).

    Parameters
    ----------
    host, port
        Where to listen; port 0 takes any free port. The default host is loopback only.
    open_browser : bool
        Open the page in the default browser once the server listens.
    idle_timeout : float
        Seconds without a message after which a session is closed.
    grace : float
        Seconds a session outlives its socket.
    announce : callable, optional
        Called with the URL once the socket is bound (default ``print``).
    """
    import uvicorn

    app = create_app(idle_timeout=idle_timeout, grace=grace)
    sock = _bind(host, port)
    url = url_of(sock)
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws_max_size=WS_MAX_SIZE,
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    if announce is not None:
        announce(url)
    if open_browser:

        def _open() -> None:
            for _ in range(100):
                if server.started:
                    break
                time.sleep(0.05)
            webbrowser.open(url)

        threading.Thread(target=_open, daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
