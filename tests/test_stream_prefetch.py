"""The reader thread: same items in order, errors raised in the consumer with the
reader's traceback, and no thread left behind when the consumer stops early."""

from __future__ import annotations

import threading
import traceback
from contextlib import closing

import pytest

from fcnn.data.stream import prefetch
from fcnn.data.stream.prefetch import THREAD_NAME


def _readers():
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def test_items_in_order():
    assert list(prefetch(range(100), depth=2)) == list(range(100))
    assert not _readers()


def _failing_reader():
    yield 1
    raise OSError("disk went away")


def test_an_error_is_raised_with_the_readers_traceback():
    with pytest.raises(OSError, match="disk went away") as info:
        list(prefetch(_failing_reader()))
    frames = [frame.name for frame in traceback.extract_tb(info.value.__traceback__)]
    assert "_failing_reader" in frames
    assert not _readers()


def test_stopping_early_stops_the_thread():
    closed = threading.Event()

    def endless():
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.set()

    with closing(prefetch(endless(), depth=3)) as items:
        for item in items:
            if item == 5:
                break
    assert not _readers() and closed.is_set()
    # An exception in the consumer does the same.
    with pytest.raises(KeyError), closing(prefetch(endless())) as items:
        for _ in items:
            raise KeyError("consumer")
    assert not _readers()


def test_room_for_reader_takes_one_blas_thread_and_gives_it_back():
    import sys

    from threadpoolctl import threadpool_info, threadpool_limits

    from fcnn.data.stream.prefetch import SWITCH_INTERVAL, room_for_reader

    def blas():
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):
        before, interval = blas(), sys.getswitchinterval()
        with room_for_reader():
            assert blas() == [max(1, n - 1) for n in before]
            assert sys.getswitchinterval() == pytest.approx(min(interval, SWITCH_INTERVAL))
        assert blas() == before and sys.getswitchinterval() == interval
