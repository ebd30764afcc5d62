"""A session and the socket that drives it: sending, training in turns, the registry.

- :class:`Connection`: one session, its socket and its training task. Training runs on
  the event loop, one task per playing session: it trains for a few milliseconds
  (:data:`CHUNK_SECONDS`), then yields with ``await asyncio.sleep(0)``, so every session
  gets its turn and messages are answered between two turns. A ``state`` goes out after
  an epoch at most every :data:`STATE_INTERVAL` seconds, and under load never takes more
  than half of a session's time. Threads would not help: the networks are so small that
  NumPy spends its time in Python, holding the GIL.
- :class:`Registry`: the live sessions by id; a closed one is kept for ``grace`` seconds
  (so a download link still works), then freed.
- :func:`handle`: one frame from the page, checked (``messages.check_message``) and acted
  on; a bad one gets an ``error`` and changes nothing; :func:`handle_safely` also turns a
  bug into an ``error`` message.
- :func:`call`: what an HTTP endpoint asks of a session (a download, an upload).

With ``create_app(workers=N)`` all of this runs in a worker process (``worker.py``), on
the worker's own event loop, with a pipe in place of the socket (``pool.py``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ..i18n import translator, using_language
from .backprop import BackpropError, backprop_message
from .config import ConfigError
from .drawn import drawn_points
from .messages import MessageError, check_message, dumps, error
from .session import Session

_ = translator("playground")

__all__ = [
    "CHUNK_SECONDS",
    "MAX_PENDING_STEPS",
    "MAX_SESSIONS",
    "STATE_INTERVAL",
    "Connection",
    "Registry",
    "call",
    "handle",
    "handle_safely",
]

log = logging.getLogger("fcnn.playground")
CHUNK_SECONDS = 0.01  # training in one turn, between two yields to the event loop
STATE_INTERVAL = 0.05  # at most ~20 states a second while playing
MAX_SESSIONS = 64
MAX_PENDING_STEPS = 100


class Connection:
    """A session and the socket that drives it: sending, the training task, timestamps."""

    chunk_seconds = CHUNK_SECONDS  # a worker shortens it when it serves many sessions
    state_interval = STATE_INTERVAL  # and lengthens this

    def __init__(self, sid: str, session: Session, websocket: WebSocket) -> None:
        self.sid = sid
        self.session = session
        self.websocket: WebSocket | None = websocket
        self.lock = asyncio.Lock()
        self.playing = False
        self.pending_steps = 0
        self.step_burst = 0  # steps taken on since training last stood still (the cap)
        self.trained_seconds = 0.0  # all the time spent training (a worker's fair shares)
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
        text = message if isinstance(message, str) else dumps(message)
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
        text = dumps(self.session.state(running=running))
        self.sent_running, self.unsent = running, False
        self.state_cost = time.perf_counter() - start  # the CPU it takes, not the wait
        self.last_state = time.monotonic()
        await self.send(text)
        if self.session.surface.due(running):  # the loss-surface panel, throttled
            await self.send(self.session.surface.message(self.session))

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
        self.step_burst = 0

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
            with using_language(self.session.lang):
                text = _("Training stopped: {error}").format(error=f"{type(err).__name__}: {err}")
            await self.send(error(text))

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
                deadline = start + self.chunk_seconds
                ended_any = False
                while self._wants_training():
                    if session.train(budget=max(0.0, deadline - time.perf_counter())):
                        ended_any = self.unsent = True
                        if self.pending_steps > 0:
                            self.pending_steps -= 1
                        if session.diverged or session.stop_reached():
                            self.stop()
                    if time.perf_counter() >= deadline:
                        break
                trained += time.perf_counter() - start
                self.trained_seconds += time.perf_counter() - start
                if ended_any:
                    done = not (self.playing or self.pending_steps > 0)
                    due = time.monotonic() - self.last_state >= self.state_interval
                    if done or (due and trained >= self.state_cost):
                        await self.send_state()
                        trained = 0.0
                await asyncio.sleep(0)
            self.step_burst = 0  # standing still: the next steps start a new burst
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
    """The live sessions by id; a closed one is kept for ``grace`` seconds, then freed
    (``on_free`` is called with each connection freed: the pool forgets it too)."""

    def __init__(self, grace: float, max_sessions: int = MAX_SESSIONS, on_free: Any = None) -> None:
        self.grace = grace
        self.max_sessions = max_sessions
        self.on_free = on_free
        self.connections: dict[str, Connection] = {}

    def __len__(self) -> int:
        self.sweep()
        return len(self.connections)

    def sweep(self) -> None:
        """Free the sessions whose socket closed more than ``grace`` seconds ago."""
        now = time.monotonic()
        for conn in list(self.connections.values()):
            if conn.closed_at is not None and now - conn.closed_at >= self.grace:
                self.free(conn)

    @staticmethod
    def new_sid() -> str:
        return secrets.token_urlsafe(16)

    def add(self, session: Session, websocket: WebSocket) -> Connection:
        return self.put(Connection(self.new_sid(), session, websocket))

    def put(self, conn: Connection) -> Connection:
        self.connections[conn.sid] = conn
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
        if self.connections.pop(conn.sid, None) is not None and self.on_free is not None:
            self.on_free(conn)


async def handle(conn: Connection, text: str) -> None:
    """Check one frame and act on it; a bad one gets an ``error`` and changes nothing.

    What the session says is made in its language (``language`` sets it): each sentence
    is formatted inside ``using_language``, which never spans an ``await`` (another
    session on the same loop may speak another language meanwhile)."""
    session = conn.session
    try:
        with using_language(session.lang):
            message = check_message(text)
    except MessageError as err:
        await conn.send(error(str(err), err.field))
        return
    kind = message["type"]
    if kind == "language":
        session.lang = message["lang"]
        await conn.send_state()  # the diagnostics, said again in the new language
    elif kind == "ping":
        await conn.send({"type": "pong"})
    elif kind == "config":
        try:
            with using_language(session.lang):
                level = session.apply_config(message["config"])
        except ConfigError as err:
            await conn.send(error(str(err), err.field))
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
        # At most MAX_PENDING_STEPS epochs per burst of steps, however long the burst's
        # frames take to arrive: a page that queued 10,000 steps gets 100 epochs.
        conn.playing = False
        if not session.mid_epoch and conn.step_burst < MAX_PENDING_STEPS:
            conn.pending_steps += 1
            conn.step_burst += 1
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
            with using_language(session.lang):
                session.set_weight(
                    message["layer"],
                    message["kind"],
                    message["to"],
                    message.get("from"),
                    float(message["value"]),
                )
        except ValueError as err:
            await conn.send(error(f"set_weight: {err}"))
            return
        await conn.send_all("state")
    elif kind in ("draw", "surface"):
        try:
            with using_language(session.lang):
                if kind == "draw":
                    session.set_drawn(*drawn_points(message))
                else:
                    session.surface.configure(session, message)
        except ValueError as err:  # MessageError too
            await conn.send(error(str(err)))
            return
        if kind == "draw":
            conn.stop()
        await conn.send_all(*(("config", "network", "data") if kind == "draw" else ()), "state")
    elif kind == "backprop":
        conn.stop()  # Backprop mode freezes the network; the trace leaves it unchanged
        try:
            answer = backprop_message(session, message["source"], message.get("index"))
        except BackpropError as err:
            await conn.send(error(str(err)))
            return
        await conn.send(answer)


async def handle_safely(conn: Connection, text: str) -> None:
    """:func:`handle`, with a failure (a bug) logged and told to the page as an ``error``:
    the socket and the server stay."""
    try:
        await handle(conn, text)
    except Exception as err:
        log.exception("playground session %s: message failed", conn.sid)
        with using_language(conn.session.lang if conn.session is not None else None):
            text = _("The server failed on this message: {error}").format(error=err)
        await conn.send(error(text))


# What the HTTP endpoints may ask of a session: its method name, or "upload".
CALLS = frozenset({"export_safetensors", "export_python", "data_csv", "upload"})


async def call(conn: Connection, name: str, *args: Any) -> Any:
    """Run the HTTP request ``name`` on the session; an upload also tells the page.

    Raises
    ------
    ValueError
        For a CSV the session refuses (its message is the answer's ``error``).
    """
    if name not in CALLS:
        raise KeyError(name)
    if name != "upload":
        return getattr(conn.session, name)()
    with using_language(conn.session.lang):
        rows = conn.session.set_upload(*args)
    conn.stop()
    await conn.send_all("config", "network", "data", "state")
    return rows
