"""One worker process of the playground's pool: the sessions pinned to it, trained in turns.

``pool.py`` starts each worker with :func:`run` and one pipe. The worker runs its own
event loop with the very code the single-process server runs (``connection.py``): one
:class:`~fcnn.playground.connection.Connection` per session, its training task, and
:func:`~fcnn.playground.connection.handle` for each frame. Only the socket differs: a
:class:`PipeSocket` that hands each message to the pipe, tagged with the session id.

What comes down the pipe (tuples, from the server):

- ``("open", sid)``: a new session; its ``config``, ``network``, ``data`` and ``state``
  go out at once;
- ``("text", sid, text)``: a frame from the page, relayed as it came;
- ``("close", sid)``: the socket closed (training stops; the session stays for
  downloads) and ``("free", sid)``: forget it;
- ``("call", sid, rid, name, args)``: an HTTP request (``connection.call``), answered by
  ``("reply", rid, ok, value)``;
- ``("stop",)``, or the pipe closing (the server went away): the worker ends.

What goes up: ``("ready",)`` once, ``("send", sid, text, playing)`` per message (the
server keeps ``playing`` for its idle timeout) and the replies.

**States.** With many sessions training in one worker each sends fewer states (the
interval grows past 50 ms once more than :data:`STATES_AT_FULL_RATE` train), so the
bytes a worker builds and sends a second stay bounded.

**Fairness.** Every playing session is a task that trains for ``chunk_seconds`` and
yields; the loop runs the ready tasks in turn (round-robin). The turn shrinks as
sessions are added (:data:`ROUND_SECONDS` shared out, between :data:`MIN_CHUNK_SECONDS`
and :data:`MAX_CHUNK_SECONDS`), so a frame waits at most about one round however many
sessions train, and while frames wait on the pipe every training turn is cut to one
batch, so they are read first; the time a session lost so is given back in its next turns
(deficit round-robin). Frames are handled from a per-session inbox for at most
:data:`FRAMES_SECONDS` before yielding: a tab that floods the socket (10,000 ``step``
frames) delays only itself.
"""

from __future__ import annotations

import asyncio
import collections
import time
from typing import Any

from starlette.websockets import WebSocketState

from ..i18n import translator
from .connection import STATE_INTERVAL, Connection, call, handle_safely, log
from .messages import dumps, error
from .session import Session

_ = translator("playground")

__all__ = ["FRAMES_SECONDS", "MAX_CHUNK_SECONDS", "MIN_CHUNK_SECONDS", "ROUND_SECONDS", "run"]

ROUND_SECONDS = 0.02  # one turn of every training session of this worker, at most ...
MIN_CHUNK_SECONDS = 0.001  # ... unless the turns would get shorter than this
MAX_CHUNK_SECONDS = 0.005  # a lone session still yields often: frames wait little
STATES_AT_FULL_RATE = 4
MAX_DEBT_SECONDS = 0.05
FRAMES_SECONDS = 0.002  # frames of one tab handled in one turn (at least one)


class PipeSocket:
    """The part of a WebSocket a :class:`Connection` uses, writing to the worker's pipe."""

    application_state = WebSocketState.CONNECTED

    def __init__(self, worker: Worker, sid: str) -> None:
        self.worker, self.sid = worker, sid

    async def send_text(self, text: str) -> None:
        conn = self.worker.conns.get(self.sid)
        self.worker.put(("send", self.sid, text, bool(conn and conn.playing)))


class WorkerConnection(Connection):
    """A Connection whose turn shrinks with the number of sessions training beside it."""

    def __init__(self, worker: Worker, sid: str) -> None:
        super().__init__(sid, Session(), PipeSocket(worker, sid))
        self.worker = worker
        self.inbox: collections.deque[str] = collections.deque()
        self.reader: asyncio.Task | None = None

    @property
    def chunk_seconds(self) -> float:  # type: ignore[override]
        if self.worker.pipe.poll(0):
            # Frames have come: one batch, then the loop reads them. (Frames already read
            # wait in their inbox for its turn: a tab's flood must not cut the others.)
            return 0.0
        busy = [c for c in self.worker.conns.values() if c.task and not c.task.done()]
        turn = max(MIN_CHUNK_SECONDS, min(MAX_CHUNK_SECONDS, ROUND_SECONDS / max(1, len(busy))))
        # Deficit round-robin: a session whose turns were cut short (frames came) gets
        # the time back in later turns; a debt is forgotten beyond MAX_DEBT_SECONDS.
        mean = sum(c.trained_seconds for c in busy) / len(busy) if busy else 0.0
        self.trained_seconds = max(self.trained_seconds, mean - MAX_DEBT_SECONDS)
        return (
            min(turn + mean - self.trained_seconds, 4 * turn)
            if mean > self.trained_seconds
            else turn
        )

    @property
    def state_interval(self) -> float:  # type: ignore[override]
        """States come less often when many sessions train here (20 a second each for up
        to STATES_AT_FULL_RATE of them): the pipe and the sockets carry the same bytes a
        second however many tabs watch."""
        return STATE_INTERVAL * max(1.0, self.worker.busy() / STATES_AT_FULL_RATE)

    async def read_inbox(self) -> None:
        """Handle the frames that came, a few per turn, in order."""
        while self.inbox:
            deadline = time.perf_counter() + FRAMES_SECONDS
            while self.inbox:
                text = self.inbox.popleft()
                await handle_safely(self, text)
                if time.perf_counter() >= deadline:
                    break
            await asyncio.sleep(0)


class Worker:
    """The sessions of one worker process and its pipe to the server."""

    def __init__(self, pipe: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.pipe, self.loop = pipe, loop
        self.conns: dict[str, WorkerConnection] = {}
        self.done = asyncio.Event()

    def busy(self) -> int:
        """Sessions of this worker whose training task runs."""
        return sum(1 for c in self.conns.values() if c.task and not c.task.done())

    def put(self, message: tuple) -> None:
        try:
            self.pipe.send(message)
        except (OSError, EOFError, ValueError):  # the server went away
            self.done.set()

    def receive(self, message: tuple) -> None:
        """One message from the server (on the loop, in the order they came)."""
        kind = message[0]
        if kind == "stop":
            self.done.set()
        elif kind == "open":
            self.loop.create_task(self.open(message[1]))
        elif kind == "call":
            self.loop.create_task(self.answer(*message[1:]))
        else:
            conn = self.conns.get(message[1])
            if conn is None:
                return
            if kind == "text":
                conn.inbox.append(message[2])
                if conn.reader is None or conn.reader.done():
                    conn.reader = self.loop.create_task(conn.read_inbox())
            elif kind in ("close", "free"):
                self.loop.create_task(self.close(conn, forget=kind == "free"))

    async def open(self, sid: str) -> None:
        try:
            conn = self.conns[sid] = WorkerConnection(self, sid)
            await conn.send_all("config", "network", "data", "state")
        except Exception as err:  # a bug: the page is told, the worker stays
            log.exception("playground session %s: opening failed", sid)
            text = _("The session could not start: {error}").format(error=err)
            self.put(("send", sid, dumps(error(text)), False))

    async def close(self, conn: WorkerConnection, forget: bool) -> None:
        await conn.cancel()
        conn.websocket = None
        if conn.reader is not None:
            conn.reader.cancel()
        conn.inbox.clear()
        if forget:
            self.conns.pop(conn.sid, None)

    async def answer(self, sid: str, rid: int, name: str, args: tuple) -> None:
        conn = self.conns.get(sid)
        try:
            if conn is None:
                raise LookupError("no such session")
            self.put(("reply", rid, True, await call(conn, name, *args)))
        except ValueError as err:
            self.put(("reply", rid, False, str(err)))
        except Exception as err:
            log.exception("playground session %s: %s failed", sid, name)
            self.put(("reply", rid, None, f"{type(err).__name__}: {err}"))


def _drain(pipe: Any, worker: Worker) -> None:
    """The pipe is readable: every message waiting, in order (on the loop itself: a
    reader thread would wait up to 5 ms for the GIL per message while training holds it)."""
    try:
        while pipe.poll(0):
            worker.receive(pipe.recv())
    except (EOFError, OSError):
        worker.loop.remove_reader(pipe.fileno())
        worker.receive(("stop",))


def run(pipe: Any) -> None:
    """The worker process's main: serve sessions until told to stop or the server is gone."""

    async def main() -> None:
        worker = Worker(pipe, asyncio.get_running_loop())
        worker.loop.add_reader(pipe.fileno(), _drain, pipe, worker)
        worker.put(("ready",))
        await worker.done.wait()
        for conn in list(worker.conns.values()):
            await conn.cancel()

    asyncio.run(main())
