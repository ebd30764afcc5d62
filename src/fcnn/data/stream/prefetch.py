"""Batches read and converted in a background thread while the training step runs.

Reading a Parquet row group or a CSV block and converting it to NumPy mostly runs in
pyarrow's and NumPy's C code, which releases the GIL, so a thread overlaps it with the
step (whose matrix products release the GIL too). The queue between them is bounded
(``depth`` batches), so the reader never runs far ahead of the memory budget.

An exception in the reader is raised again in the consumer, with the reader's
traceback; a consumer that stops early (``break``, an exception, ``close()``) stops and
joins the thread before it goes on.

The overlap only pays when the reader has a core and the GIL when it needs them:
:func:`room_for_reader` gives BLAS one thread fewer and shortens the interpreter's switch
interval while a reader runs beside the step.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ... import checks

__all__ = ["SWITCH_INTERVAL", "THREAD_NAME", "prefetch", "room_for_reader"]

THREAD_NAME = "fcnn-prefetch"
_ITEM, _DONE, _ERROR = range(3)
_POLL = 0.05  # seconds between looks at the stop flag while the queue is full

# Seconds a thread may keep the GIL while another waits for it. Python's default, 5 ms, is
# what the reader waits each time it comes back from a C call while the step runs Python
# between its NumPy calls: hundreds of times an epoch. 0.1 ms lets it in at once
# (benchmarks/stream_speed.md measures the difference).
SWITCH_INTERVAL = 1e-4


def prefetch(items: Iterable[Any], depth: int = 2) -> Iterator[Any]:
    """``items``, produced by a background thread at most ``depth`` ahead.

    Use it in a ``for`` loop or inside ``contextlib.closing``: the thread is stopped
    when the loop ends, breaks or raises, or when the generator is closed.
    """
    depth = checks.positive_int("prefetch", "depth", depth)
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(message: tuple[int, Any]) -> bool:
        while not stop.is_set():
            try:
                handoff.put(message, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not put((_ITEM, item)):
                    return
            put((_DONE, None))
        except BaseException as err:  # handed to the consumer, raised there
            put((_ERROR, err))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name=THREAD_NAME, daemon=True)
    thread.start()
    try:
        while True:
            kind, item = handoff.get()
            if kind == _DONE:
                return
            if kind == _ERROR:
                raise item  # its __traceback__ still holds the reader's frames
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:  # unblock a reader waiting to put
                handoff.get(timeout=_POLL)
            except queue.Empty:
                pass
        thread.join()


@contextmanager
def room_for_reader() -> Iterator[None]:
    """Within: BLAS runs one thread fewer (at least one) and the interpreter hands the GIL
    over within :data:`SWITCH_INTERVAL`, so that a reader thread beside the training step
    has a core of its own and gets the GIL back quickly. Both are put back on exit."""
    from threadpoolctl import threadpool_info, threadpool_limits

    blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    interval = sys.getswitchinterval()
    with threadpool_limits(limits=max(1, min(blas, default=1) - 1), user_api="blas"):
        sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
        try:
            yield
        finally:
            sys.setswitchinterval(interval)
