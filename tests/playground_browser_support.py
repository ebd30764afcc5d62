"""Machinery of the playground's browser tests: the real server in a thread, headless
Chromium through Playwright, and small helpers that read what the page holds.

The page exposes what it received: ``window.__fcnnLastState`` (the last ``state``
message) and ``window.__fcnn.app`` (session id, options, the config in force, the
``network`` and ``data`` messages, the page-only settings). Waits poll every 50 ms
rather than per animation frame, which a tab in the background does not get.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from fcnn.playground.server import create_app

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "playground"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SMALL = {"width": 1280, "height": 800}
LARGE = {"width": 1920, "height": 1080}


@contextmanager
def running_server() -> Iterator[str]:
    """The playground's app served by uvicorn on a free loopback port; yields its URL."""
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="playground-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the playground server did not start")
        time.sleep(0.02)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def open_page(context: Any, url: str) -> Any:
    """A new tab on ``url``, returned once the page has its first ``state``."""
    page = context.new_page()
    page.goto(url)
    wait_ready(page)
    return page


def wait_ready(page: Any) -> None:
    page.wait_for_function(
        "() => window.__fcnnLastState !== undefined && window.__fcnn?.app?.config", timeout=15_000
    )


def config(page: Any) -> dict[str, Any]:
    return page.evaluate("() => window.__fcnn.app.config")


def server_config(page: Any) -> dict[str, Any]:
    """The config the server last echoed (the page's own may run ahead of it)."""
    return page.evaluate("() => window.__fcnn.app.server")


def last_state(page: Any) -> dict[str, Any]:
    return page.evaluate("() => window.__fcnnLastState")


def epoch(page: Any) -> int:
    return page.evaluate("() => window.__fcnnLastState.epoch")


def wait_config(page: Any, key: str, value: Any, timeout: float = 10_000) -> None:
    """Wait until the server has echoed ``config[key] == value``, then until the page has
    the messages that follow that echo (``network``, ``data``, ``state``)."""
    page.wait_for_function(
        "([k, v]) => JSON.stringify(window.__fcnn.app.server?.[k]) === JSON.stringify(v)",
        arg=[key, value],
        timeout=timeout,
        polling=50,
    )
    settle(page)


def settle(page: Any) -> None:
    """Wait until the server has answered every frame the page sent so far (a ping's
    ``pong`` comes after them) and the page has drawn what came."""
    page.evaluate("() => window.__fcnn.sync()")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r)))")


def wait_epoch_above(page: Any, n: int, timeout: float = 15_000) -> None:
    page.wait_for_function("n => (window.__fcnnLastState?.epoch ?? -1) > n", arg=n, timeout=timeout)


def pause(page: Any) -> None:
    """Press pause and wait for the server to say it stopped."""
    if page.evaluate("() => window.__fcnn.app.running"):
        page.click("#play-button")
    page.wait_for_function(
        "() => window.__fcnnLastState?.running === false", timeout=10_000, polling=50
    )


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path
