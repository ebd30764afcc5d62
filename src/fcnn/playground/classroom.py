"""A simulated classroom: many tabs training on one playground server, and what they feel.

Used by ``tests/test_classroom_load.py`` and ``benchmarks/classroom.py``. :func:`measure`
serves the app (:class:`served`: ``serve`` in a process of its own, on a free loopback
port), opens ``tabs`` sockets
with the ``websockets`` library, sets every tab playing, and then, for ``seconds``:

- every tab sends a ``ping`` and, alternately, a control change (``lr``) every
  :data:`PROBE_EVERY` seconds and times the answer (``pong``; the echoed ``config``);
- a new tab is opened and timed from its handshake to its first ``state``;
- optionally one tab sends ``flood`` ``step`` frames at once (it is paused first).

It returns the latencies, each tab's epochs and batches per second, and what the flooding
tab saw. States are not parsed as JSON (only their epoch is read), so the clients cost
the machine little beside the server they measure.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PROBE_EVERY", "Report", "measure", "served"]

PROBE_EVERY = 0.2
_EPOCH = re.compile(r'"epoch":(\d+)')
_RUNNING = re.compile(r'"running":(true|false)')


@dataclass
class Report:
    """What one classroom run measured (times in seconds)."""

    tabs: int
    workers: int
    seconds: float
    pings: list[float] = field(default_factory=list)
    controls: list[float] = field(default_factory=list)
    first_state: float = math.nan
    epochs_per_second: list[float] = field(default_factory=list)  # per tab
    batches_per_epoch: int = 0
    errors: list[str] = field(default_factory=list)
    flood_epochs: int | None = None  # epochs the flooding tab trained (the cap is 100)
    flood_closed: bool = False

    @staticmethod
    def quantile(values: list[float], q: float) -> float:
        if not values:
            return math.nan
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def steps_per_second(self) -> list[float]:
        """Mini-batch steps per second of each tab."""
        return [e * self.batches_per_epoch for e in self.epochs_per_second]

    def summary(self) -> dict[str, float]:
        steps = self.steps_per_second
        return {
            "ping_median": statistics.median(self.pings) if self.pings else math.nan,
            "ping_p90": self.quantile(self.pings, 0.9),
            "control_median": statistics.median(self.controls) if self.controls else math.nan,
            "first_state": self.first_state,
            "steps_per_tab": statistics.median(steps) if steps else math.nan,
            "steps_total": sum(steps),
            "fairness": min(steps) / max(steps) if steps and max(steps) > 0 else math.nan,
        }


_SERVE = (
    "from fcnn.playground.server import serve\n"
    "try:\n"
    "    serve('127.0.0.1', 0, open_browser=False, workers={workers},\n"
    "          announce=lambda url: print(url, flush=True))\n"
    "except KeyboardInterrupt:\n"
    "    pass\n"
)


class served:
    """``with served(workers) as (url, process):`` runs ``fcnn.playground.serve`` in a
    process of its own (so the clients measured do not share its interpreter), on a free
    loopback port; on leaving, the server is interrupted as Ctrl+C would (then killed)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def __enter__(self) -> tuple[str, subprocess.Popen]:
        import httpx

        code = _SERVE.format(workers=self.workers)
        self.process = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
        )
        url = self.process.stdout.readline().strip()
        deadline = time.monotonic() + 60
        while True:  # listening once the workers are up
            try:
                if httpx.get(url + "api/options", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("the playground server did not start")
            time.sleep(0.05)
        return url, self.process

    def __exit__(self, *exc: Any) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process.stdout.close()


class _Tab:
    """One simulated tab: its socket, its reader, and the answers it is waiting for."""

    def __init__(self, ws: Any, report: Report) -> None:
        self.ws, self.report = ws, report
        self.waiting: list[tuple[str, float, list[float]]] = []  # kind, sent at, where
        self.epochs: list[tuple[float, int]] = []
        self.running = False
        self.closed = False

    async def read(self) -> None:
        try:
            async for text in self.ws:
                now = time.perf_counter()
                kind = text[9 : text.index('"', 9)] if text.startswith('{"type":"') else ""
                if kind == "state":
                    self.epochs.append((now, int(_EPOCH.search(text).group(1))))
                    self.running = _RUNNING.search(text).group(1) == "true"
                elif kind == "error":
                    self.report.errors.append(json.loads(text)["message"])
                if self.waiting and self.waiting[0][0] == kind:
                    _, sent, where = self.waiting.pop(0)
                    where.append(now - sent)
        except Exception:
            pass
        self.closed = True

    async def ask(self, message: dict[str, Any], answer: str, where: list[float]) -> None:
        self.waiting.append((answer, time.perf_counter(), where))
        await self.ws.send(json.dumps(message))


async def _open(url: str) -> tuple[Any, float, dict[str, Any]]:
    """A new tab: its socket, the seconds to its first ``state``, its ``hello``."""
    import websockets

    began = time.perf_counter()
    ws = await websockets.connect(url, max_size=None, open_timeout=30)
    hello = json.loads(await ws.recv())
    while not (await ws.recv()).startswith('{"type":"state"'):
        pass
    return ws, time.perf_counter() - began, hello


async def _classroom(url: str, report: Report, flood: int, play: bool) -> None:
    opened = await asyncio.gather(*(_open(url) for _ in range(report.tabs)))
    config = opened[0][2]["config"]
    n_train = round(config["n_points"] * config["train_ratio"] / 100)
    report.batches_per_epoch = math.ceil(n_train / config["batch_size"])
    tabs = [_Tab(ws, report) for ws, _, _ in opened]
    readers = [asyncio.create_task(tab.read()) for tab in tabs]
    for tab in tabs if play else ():
        await tab.ws.send('{"type":"play"}')
    await asyncio.sleep(1.0)  # every tab under way
    flooder = tabs[0] if flood else None
    if flooder is not None:
        await flooder.ws.send('{"type":"pause"}')
        await asyncio.sleep(0.2)
        start_epoch = flooder.epochs[-1][1] if flooder.epochs else 0
        for _ in range(flood):
            await flooder.ws.send('{"type":"step"}')
    began = time.perf_counter()
    marks = [len(tab.epochs) for tab in tabs]
    newcomer = None
    probe = 0
    while time.perf_counter() - began < report.seconds:
        for i, tab in enumerate(tabs):
            if tab is flooder or tab.closed:
                continue
            if (i + probe) % 2:
                await tab.ask({"type": "ping"}, "pong", report.pings)
            else:
                lr = 0.03 if probe % 4 < 2 else 0.01
                await tab.ask({"type": "config", "config": {"lr": lr}}, "config", report.controls)
        if newcomer is None and time.perf_counter() - began > report.seconds / 2:
            newcomer = asyncio.create_task(_open(url))
        probe += 1
        await asyncio.sleep(PROBE_EVERY)
    if newcomer is not None:
        ws, report.first_state, _ = await newcomer
        await ws.close()
    for tab, mark in zip(tabs, marks, strict=True):
        if tab is flooder:
            continue
        window = tab.epochs[mark:]
        if len(window) < 2:  # states come seldom on a loaded machine: the whole run instead
            window = tab.epochs
        if len(window) >= 2:
            (t0, e0), (t1, e1) = window[0], window[-1]
            report.epochs_per_second.append((e1 - e0) / (t1 - t0) if t1 > t0 else 0.0)
        else:
            report.epochs_per_second.append(0.0)
    if flooder is not None:
        deadline = time.perf_counter() + 30
        while flooder.running and time.perf_counter() < deadline and not flooder.closed:
            await asyncio.sleep(0.1)
        report.flood_epochs = flooder.epochs[-1][1] - start_epoch
        report.flood_closed = flooder.closed
    for tab in tabs:
        await tab.ws.close()
    await asyncio.gather(*readers)


def measure(
    tabs: int, workers: int, seconds: float = 4.0, flood: int = 0, play: bool = True
) -> Report:
    """Serve the playground with ``workers`` (0: on its event loop) and run a classroom
    of ``tabs`` against it (training unless ``play`` is false)."""
    report = Report(tabs=tabs, workers=workers, seconds=seconds)
    with served(workers) as (url, _):
        asyncio.run(_classroom(url.replace("http", "ws", 1) + "ws", report, flood, play))
    return report
