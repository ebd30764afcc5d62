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
