"""The playground's ASGI app (Starlette): its routes, and :func:`serve`, which runs it.

:func:`create_app` builds the app of docs/playground-protocol.md:

- ``GET /`` and ``/static/...``: the page (``static/``, shipped as package data);
- ``GET /api/options``: every choice and limit (``config.options``);
- ``GET /api/thumbnails``: sample points of every built-in data set, from the same
  generators the sessions use, for the page's data-set buttons;
- ``WS /ws``: one :class:`~fcnn.playground.session.Session` per socket, in a registry
  under a random id (``connection.py``); every frame is checked
  (``messages.check_message``) and a bad one gets an ``error`` message while the socket
  and the session stay as they were;
- ``/api/session/{sid}/...``: the model as ``.safetensors`` and as a Python snippet, the
  data as CSV, and the upload of a user's CSV (refused by its size before it is read).

With ``workers=N`` (``fcnn playground`` starts one per core) the sessions live and train
in N worker processes (``pool.py``, ``worker.py``) and this event loop only relays, so it
answers every tab at once however many train; with ``workers=0`` they train on this
loop, in turns (``connection.py``).

A session that is not playing and sent no message for ``idle_timeout`` seconds is told
so and closed (a playing one is in use, e.g. left training on a lecture hall's screen).
:func:`serve` runs the app with uvicorn.
"""

from __future__ import annotations

import asyncio
import gettext
import os
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from .. import checks
from ..i18n import LANGUAGES, LOCALE_DIR
from .config import KEYS, LIMITS, default_config, options
from .connection import Connection, Registry, call, handle_safely
from .messages import dumps, error
from .pool import WorkerPool
from .refusals import language_of, refusal
from .session import Session
from .state import thumbnails

__all__ = ["STATIC", "WS_MAX_SIZE", "create_app", "page_url", "serve", "url_of"]

STATIC = Path(__file__).resolve().parent / "static"
WS_MAX_SIZE = 16 * 1024 * 1024  # frames above this close the socket (uvicorn's limit)

# --------------------------------------------------------------------------- the app


@cache
def catalog(lang: str) -> dict[str, str]:
    """The playground's catalog in ``lang`` as ``{English: translation}``: the page's
    strings (static/js/i18n.js) come from the same .mo files as the server's. English
    is the source language: its table is empty and every message stands as written."""
    if lang == "en":
        return {}
    found = gettext.translation("playground", LOCALE_DIR, languages=[lang])
    # GNUTranslations keeps the parsed .mo in _catalog; "" is the header entry
    return {k: v for k, v in found._catalog.items() if isinstance(k, str) and k}  # type: ignore[attr-defined]


def create_app(*, idle_timeout: float = 600.0, grace: float = 30.0, workers: int = 0) -> Starlette:
    """The playground's Starlette app.

    Parameters
    ----------
    idle_timeout : float
        Seconds without a message from the page after which a session is closed (with an
        ``error``) and freed.
    grace : float
        Seconds a session outlives its socket (for a download link still in use).
    workers : int
        Worker processes that train the sessions (started and stopped with the app's
        lifespan); 0 trains them on the server's event loop.
    """
    if not (isinstance(idle_timeout, (int, float)) and idle_timeout > 0):
        raise ValueError(f"create_app(idle_timeout={idle_timeout!r}): expected seconds > 0")
    if not (isinstance(grace, (int, float)) and grace >= 0):
        raise ValueError(f"create_app(grace={grace!r}): expected seconds >= 0")
    checks.non_negative_int("create_app", "workers", workers)
    pool = WorkerPool(workers) if workers else None
    registry = Registry(grace, on_free=pool.free if pool else None)
    public_options = options()
    public_options["limits"].update({"idle_timeout": idle_timeout, "grace": grace})

    def said(request: Request | WebSocket, key: str, **fields: Any) -> str:
        """A refusal in the language the page asks for (:mod:`.refusals`)."""
        return refusal(key, language_of(request.query_params, request.headers), **fields)

    async def index(request: Request) -> Response:
        page = STATIC / "index.html"
        if not page.is_file():
            return PlainTextResponse(said(request, "no_page"), 404)
        return FileResponse(page, media_type="text/html")

    async def get_options(request: Request) -> Response:
        return JSONResponse(public_options)

    async def get_catalog(request: Request) -> Response:
        lang = request.path_params["lang"]
        if lang not in LANGUAGES:
            message = said(request, "no_catalog", lang=lang[:20], choices=", ".join(LANGUAGES))
            return JSONResponse({"error": message}, status_code=404)
        return JSONResponse(catalog(lang))

    samples: dict[int, dict[str, Any]] = {}  # per class count: a few KB, computed once

    async def get_thumbnails(request: Request) -> Response:
        low, high = KEYS["classes"]["min"], KEYS["classes"]["max"]
        text = request.query_params.get("classes", str(low))
        if not text.isdigit() or not low <= int(text) <= high:
            message = said(request, "classes", low=low, high=high, text=text[:20])
            return JSONResponse({"error": message}, status_code=400)
        classes = int(text)
        if classes not in samples:
            samples[classes] = thumbnails(classes)
        return JSONResponse(samples[classes])

    def lookup(request: Request) -> Connection | None:
        return registry.get(request.path_params["sid"])

    def no_session(request: Request) -> Response:
        return JSONResponse({"error": said(request, "no_session")}, status_code=404)

    async def session_call(conn: Connection, name: str, *args: Any) -> Any:
        """``connection.call`` on the session, here or in its worker."""
        if pool is None:
            return await call(conn, name, *args)
        return await pool.call(conn, name, *args)  # type: ignore[arg-type]

    def download(filename: str, media_type: str, name: str):
        """An endpoint that sends the session's ``name()`` as the file ``filename``."""

        async def endpoint(request: Request) -> Response:
            conn = lookup(request)
            if conn is None:
                return no_session(request)
            try:
                body = await session_call(conn, name)
            except LookupError:
                return no_session(request)
            return Response(
                body,
                media_type=media_type,
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )

        return endpoint

    model_file = download("model.safetensors", "application/octet-stream", "export_safetensors")
    model_snippet = download("model.py", "text/x-python; charset=utf-8", "export_python")
    data_csv = download("data.csv", "text/csv; charset=utf-8", "data_csv")

    async def upload(request: Request) -> Response:
        conn = lookup(request)
        if conn is None:
            return no_session(request)
        limit = LIMITS["upload_bytes"]
        too_big = JSONResponse({"error": said(request, "too_big", kb=limit // 1024)}, 413)
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                return JSONResponse({"error": said(request, "length")}, 400)
            if int(declared) > limit:
                return too_big
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return too_big
        try:
            rows = await session_call(conn, "upload", bytes(body))
        except LookupError:
            return no_session(request)
        except ValueError as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        return JSONResponse({"ok": True, "n": rows})

    def spoken(conn: Connection, key: str, **fields: Any) -> str:
        """A refusal on a session's socket: in the session's language when it lives here,
        else in the one its page asked for when it connected."""
        lang = getattr(conn.session, "lang", None)
        if lang is None and conn.websocket is not None:
            lang = language_of(conn.websocket.query_params, conn.websocket.headers)
        return refusal(key, lang, **fields)

    async def websocket_endpoint(websocket: WebSocket) -> None:
        if not _same_origin(websocket):
            await websocket.close(code=1008)  # before accept: the handshake gets a 403
            return
        await websocket.accept()
        if len(registry) >= registry.max_sessions:
            await websocket.send_text(dumps(error(said(websocket, "full"))))
            await websocket.close(code=1013)
            return
        sid = registry.new_sid()
        hello = {"type": "hello", "session": sid, "options": public_options}
        hello["config"] = default_config()
        if pool is None:
            conn = registry.put(Connection(sid, Session(), websocket))
        else:
            conn = registry.put(await pool.open(sid, websocket, dumps(hello)))
        try:
            if pool is None:
                await conn.send(hello)
                await conn.send_all("config", "network", "data", "state")
            while True:
                try:
                    frame = await asyncio.wait_for(websocket.receive(), timeout=idle_timeout)
                except asyncio.TimeoutError:
                    if conn.playing:  # training on screen (a lecture hall): silent, in use
                        continue
                    await conn.cancel()
                    seconds = f"{idle_timeout:g}"
                    await conn.send(error(spoken(conn, "idle", seconds=seconds)))
                    registry.free(conn)
                    await websocket.close(code=1000)
                    return
                if frame["type"] == "websocket.disconnect":
                    break
                text = frame.get("text")
                if text is None:
                    await conn.send(error(spoken(conn, "binary")))
                    continue
                if pool is None:
                    await handle_safely(conn, text)
                else:
                    conn.relay(text)  # type: ignore[attr-defined]
                await asyncio.sleep(0)  # a tab flooding its socket must let the others in
        except WebSocketDisconnect:
            pass
        finally:
            await conn.cancel()
            registry.release(conn)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if pool is not None:
            await pool.start()
        try:
            yield
        finally:
            for conn in list(registry.connections.values()):
                await conn.cancel()
            if pool is not None:
                await pool.close()

    routes = [
        Route("/", index),
        Route("/api/options", get_options),
        Route("/api/catalog/{lang}.json", get_catalog),
        Route("/api/thumbnails", get_thumbnails),
        Route("/api/session/{sid}/model.safetensors", model_file),
        Route("/api/session/{sid}/model.py", model_snippet),
        Route("/api/session/{sid}/data.csv", data_csv),
        Route("/api/session/{sid}/data", upload, methods=["POST"]),
        WebSocketRoute("/ws", websocket_endpoint),
        Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.registry = registry
    app.state.pool = pool
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


def page_url(sock: socket.socket, lang: str | None = None) -> str:
    """The page's address for a bound socket, in ``lang``: English is the bare
    :func:`url_of`, any other language asks for itself with ``?lang=`` (which the page
    reads when its fragment names none)."""
    url = url_of(sock)
    return url if lang in (None, "en") else f"{url}?lang={lang}"


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = True,
    idle_timeout: float = 600.0,
    *,
    grace: float = 30.0,
    workers: int | None = None,
    announce: Callable[[str], None] | None = print,
    lang: str | None = None,
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
    workers : int, optional
        Worker processes that train the sessions (default: one per core); 0 trains them
        on the server's event loop.
    announce : callable, optional
        Called with the URL once the socket is bound (default ``print``).
    lang : str, optional
        The language the page opens in (``"zh"``: the URL carries ``?lang=zh``); None or
        ``"en"`` leave the page to the browser's language.
    """
    import uvicorn

    if workers is None:
        workers = os.cpu_count() or 1
    app = create_app(idle_timeout=idle_timeout, grace=grace, workers=workers)
    sock = _bind(host, port)
    url = page_url(sock, lang)
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
