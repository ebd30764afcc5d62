"""The server's side of the worker pool: sessions trained in other processes.

With ``create_app(workers=N)`` the event loop only relays: each session is pinned to
one of N worker processes (``worker.py``; the one with the fewest sessions), which keeps
its state and trains it; frames from the page go down that worker's pipe as they came,
and what the worker sends comes back up and out of the socket. A reader thread per
worker waits on its pipe, so the loop never blocks on one.

- :class:`WorkerPool`: starts the workers (``spawn``: a clean interpreter, no copy of
  the server's threads), relays, answers HTTP requests through them (``call``), and
  stops them with the server. A worker that dies is reported to each of its tabs (an
  ``error``, then the socket closes with 1011) and replaced for new sessions; a worker
  whose server died sees its pipe close and ends.
- :class:`RemoteConnection`: the server's handle on a session in a worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import queue
import threading
from typing import Any
from unittest import mock

from starlette.websockets import WebSocket

from ..i18n import N_, Message, translator
from .connection import Connection, log
from .messages import dumps, error

_ = translator("playground")

__all__ = ["CRASHED", "RemoteConnection", "WorkerPool"]

# said in the server's language (the server does not read the frames it relays)
CRASHED = N_("The training worker of this session stopped unexpectedly; reload the page.")
START_SECONDS = 60.0  # a worker not ready by then (an overloaded machine) is an error
# Each worker is one training thread: BLAS threads would only fight over the same cores.
_ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
_ENV_LOCK = threading.Lock()


class RemoteConnection(Connection):
    """A session that lives in worker ``worker``: sends go out of the socket here,
    everything else goes down the worker's pipe."""

    def __init__(self, sid: str, websocket: WebSocket, pool: WorkerPool, worker: int) -> None:
        super().__init__(sid, None, websocket)  # type: ignore[arg-type]
        self.pool, self.worker = pool, worker
        self.outbox: asyncio.Queue[str | None] = asyncio.Queue()
        self.sender = asyncio.get_running_loop().create_task(self._send_out())

    async def _send_out(self) -> None:
        while (text := await self.outbox.get()) is not None:
            await self.send(text)

    def relay(self, text: str) -> None:
        self.pool.post(self.worker, ("text", self.sid, text))

    async def cancel(self) -> None:
        self.playing = False
        self.pool.post(self.worker, ("close", self.sid))

    async def hang_up(self) -> None:
        """Its worker died: send what is queued (the error last), then close (1011)."""
        self.outbox.put_nowait(None)
        with contextlib.suppress(Exception):
            await self.sender
        websocket = self.websocket
        if websocket is not None:
            with contextlib.suppress(Exception):
                await websocket.close(code=1011)


class _Handle:
    """One worker process, its pipe and the sessions pinned to it.

    Messages to the worker go through a queue and a writer thread: the loop must never
    block on a full pipe (the worker, blocked on its own full pipe up, would wait for
    the loop: a deadlock)."""

    def __init__(self, process: Any, pipe: Any) -> None:
        self.process, self.pipe = process, pipe
        self.sids: set[str] = set()
        self.queue: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self.writer = threading.Thread(target=self._write, daemon=True)
        self.writer.start()

    def _write(self) -> None:
        while (message := self.queue.get()) is not None:
            try:
                self.pipe.send(message)
            except (OSError, ValueError):
                return  # the worker is gone: the loop's reader reports it


class WorkerPool:
    """N worker processes that train the sessions; see the module docstring."""

    def __init__(self, workers: int) -> None:
        self.size = workers
        self.handles: list[_Handle | None] = [None] * workers
        self.conns: dict[str, RemoteConnection] = {}
        self.replies: dict[int, tuple[int, asyncio.Future]] = {}  # by id: worker, answer
        self.ids = itertools.count()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closing = False

    # ----------------------------------------------------------------- processes

    def _spawn(self, index: int) -> _Handle:
        """Start worker ``index`` and wait until it is ready (blocking: run in a thread)."""
        from . import worker

        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=worker.run, args=(theirs,), name=f"fcnn-playground-worker-{index}", daemon=True
        )
        # the child inherits the environment at start: one BLAS thread each, ours untouched
        with _ENV_LOCK, mock.patch.dict(os.environ, _ONE_THREAD):
            process.start()
        theirs.close()
        if not ours.poll(START_SECONDS) or ours.recv() != ("ready",):
            process.kill()
            raise RuntimeError(
                Message("playground", N_("playground worker {index} did not start"), index=index)
            )
        return _Handle(process, ours)

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.available = asyncio.Event()  # set while at least one worker lives
        await asyncio.gather(*(self._start(i) for i in range(self.size)))

    async def _start(self, index: int) -> None:
        handle = await asyncio.to_thread(self._spawn, index)
        self.handles[index] = handle
        self.loop.add_reader(handle.pipe.fileno(), self._drain, index, handle)
        self.available.set()

    def _drain(self, index: int, handle: _Handle) -> None:
        """Worker ``index``'s pipe is readable: relay every message waiting."""
        try:
            while handle.pipe.poll(0):
                self._receive(handle.pipe.recv())
        except (EOFError, OSError):
            self.loop.remove_reader(handle.pipe.fileno())
            self._lost(index, handle)

    async def close(self) -> None:
        """Stop every worker (asked first, then terminated, then killed): no orphans."""
        self.closing = True
        for handle in self.handles:
            if handle is not None:
                self.loop.remove_reader(handle.pipe.fileno())
                handle.queue.put(("stop",))
                handle.queue.put(None)
        await asyncio.to_thread(self._join)

    def _join(self) -> None:
        for handle in self.handles:
            if handle is None:
                continue
            handle.writer.join(2)
            handle.process.join(2)
            if handle.process.is_alive():
                handle.process.terminate()
                handle.process.join(2)
            if handle.process.is_alive():
                handle.process.kill()
                handle.process.join(2)
            handle.pipe.close()

    @property
    def pids(self) -> list[int]:
        return [h.process.pid for h in self.handles if h is not None]

    # ----------------------------------------------------------------- relaying

    def post(self, index: int, message: tuple) -> None:
        handle = self.handles[index]
        if handle is not None:
            handle.queue.put(message)

    async def open(self, sid: str, websocket: WebSocket, hello: str) -> RemoteConnection:
        """A new session, pinned to the live worker with the fewest sessions (waiting for
        one while a dead worker is replaced); ``hello`` goes out first, then what the
        worker sends."""
        await asyncio.wait_for(self.available.wait(), START_SECONDS)
        live = [i for i, h in enumerate(self.handles) if h is not None]
        index = min(live, key=lambda i: len(self.handles[i].sids))
        conn = RemoteConnection(sid, websocket, self, index)
        conn.outbox.put_nowait(hello)
        self.conns[sid] = conn
        self.handles[index].sids.add(sid)
        self.post(index, ("open", sid))
        return conn

    def free(self, conn: RemoteConnection) -> None:
        self.conns.pop(conn.sid, None)
        conn.outbox.put_nowait(None)  # ends its sender
        handle = self.handles[conn.worker]
        if handle is not None and conn.sid in handle.sids:
            handle.sids.discard(conn.sid)
            self.post(conn.worker, ("free", conn.sid))

    async def call(self, conn: RemoteConnection, name: str, *args: Any) -> Any:
        """Run ``connection.call(name, *args)`` on the session in its worker."""
        if conn.sid not in self.conns:
            raise LookupError("no such session")  # its worker died
        rid = next(self.ids)
        future = self.loop.create_future()
        self.replies[rid] = (conn.worker, future)
        self.post(conn.worker, ("call", conn.sid, rid, name, args))
        try:
            ok, value = await future
        finally:
            self.replies.pop(rid, None)
        if ok is None:
            raise RuntimeError(value)
        if not ok:
            raise ValueError(value)
        return value

    def _receive(self, message: tuple) -> None:
        if message[0] == "send":
            _, sid, text, playing = message
            conn = self.conns.get(sid)
            if conn is not None:
                conn.playing = playing
                conn.outbox.put_nowait(text)
        elif message[0] == "reply":
            _, future = self.replies.get(message[1], (None, None))
            if future is not None and not future.done():
                future.set_result(message[2:])

    def _lost(self, index: int, handle: _Handle) -> None:
        """Worker ``index`` died: tell its tabs, fail its requests, start a new one."""
        if self.closing or self.handles[index] is not handle:
            return
        self.handles[index] = None
        if not any(self.handles):
            self.available.clear()
        log.error("playground worker %d (pid %s) stopped", index, handle.process.pid)
        for sid in handle.sids:
            conn = self.conns.pop(sid, None)
            if conn is not None:
                conn.playing = False
                conn.outbox.put_nowait(dumps(error(_(CRASHED))))
                self.loop.create_task(conn.hang_up())
        for worker, future in self.replies.values():
            if worker == index and not future.done():
                future.set_result((None, CRASHED))
        handle.queue.put(None)
        handle.process.join(0)
        self.loop.create_task(self._replace(index))

    async def _replace(self, index: int) -> None:
        try:
            await self._start(index)
        except Exception:
            log.exception("playground worker %d could not be restarted", index)
