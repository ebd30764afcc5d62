"""From chunks of any size to batches of one size, shuffled in a buffer of bounded size.

Chunks come in (in an order already drawn by the source); their rows are held until
the buffer holds ``shuffle_buffer`` rows (or a batch, if that is more). Then the buffer
is permuted, full batches are handed out from its front, and about half of it is kept
to be mixed with the rows of the chunks that follow, so a row can travel further than
one buffer's worth. At the end of the epoch what is left is permuted and handed out,
the last batch short. Memory: at most one and a half buffers plus one chunk.

A buffer at least as large as the data set mixes every row with every other: one
permutation of all rows, as an in-memory epoch. The batches are still not those of
``fit`` on the same arrays (that draws its permutation from its own generator, over the
rows in their original order rather than in chunk order): streamed and in-memory
training see the same rows per epoch, in different batches.

Without a generator (``shuffle=False``) rows keep their order and the batches are the
in-memory ones exactly.

The rows come out in *slabs*: runs of whole batches, at most :data:`SLAB_ROWS` rows (or
one batch, if that is more), each gathered from the buffer in one NumPy call. A reader
thread hands a slab over at once and the step slices its batches from it: one hand-over
per slab instead of one per batch, and the thread's work stays in a few long calls that
release the GIL (see :mod:`.prefetch`). :func:`rebatch` gives the same rows as single
batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

__all__ = ["SLAB_ROWS", "rebatch", "slabs", "split_slab"]

# 4,096 rows of 784 float32 features hold 12.8 MB: a few in flight cost little memory,
# and an epoch of 60,000 rows is handed over in 15 pieces instead of 469 batches.
SLAB_ROWS = 4096

Batch = tuple[np.ndarray, "np.ndarray | None"]


def _join(parts: list[Batch]) -> Batch:
    if len(parts) == 1:
        return parts[0]
    X = np.concatenate([x for x, _ in parts])
    y = None if parts[0][1] is None else np.concatenate([t for _, t in parts])
    return X, y


def split_slab(X, y, batch_size: int) -> Iterator[Batch]:
    """The batches of a slab (or of any rows), as views, in order; the last may be short."""
    for begin in range(0, len(X), batch_size):
        end = begin + batch_size
        yield X[begin:end], None if y is None else y[begin:end]


def _slab_bounds(stop: int, batch_size: int) -> Iterator[tuple[int, int]]:
    """(begin, end) of the slabs that cut ``stop`` rows: whole batches, at most
    SLAB_ROWS rows each (one batch if that is more)."""
    step = max(SLAB_ROWS // batch_size, 1) * batch_size
    for begin in range(0, stop, step):
        yield begin, min(begin + step, stop)


class _Buffer:
    """Rows held for mixing, in arrays allocated once and reused chunk after chunk.

    Why not a fresh array per chunk: arrays of tens of megabytes come from the system
    (mmap) and go back to it when freed, so every one is page-faulted in anew; on a
    784-feature data set the concatenations and permuted copies of the buffer cost more
    than decoding the file. Here a chunk is copied in once, each batch is gathered from
    the buffer and the rows kept for the next round are gathered into a spare array of the
    same size, which then becomes the buffer."""

    def __init__(self) -> None:
        self.X = self.y = self.spare_X = self.spare_y = None
        self.held = 0

    @staticmethod
    def _grown(old, rows: int, like: np.ndarray, held: int):
        dtype = like.dtype if old is None else np.result_type(old.dtype, like.dtype)
        if old is not None and len(old) >= rows and dtype == old.dtype:
            return old
        new = np.empty((max(rows, 2 * held), *like.shape[1:]), dtype=dtype)
        if old is not None:
            new[:held] = old[:held]
        return new

    def add(self, X: np.ndarray, y: np.ndarray | None) -> None:
        end = self.held + len(X)
        self.X = self._grown(self.X, end, X, self.held)
        self.X[self.held : end] = X
        if y is not None:
            self.y = self._grown(self.y, end, np.asarray(y), self.held)
            self.y[self.held : end] = y
        self.held = end

    def hand_out(self, rng, stop: int, batch_size: int) -> Iterator[Batch]:
        """Slabs of the first ``stop`` rows of a random order of the held rows; the rest
        of that order is kept, at the front, for the next round."""
        order = rng.permutation(self.held)
        for begin, end in _slab_bounds(stop, batch_size):
            rows = order[begin:end]
            yield self.X.take(rows, axis=0), None if self.y is None else self.y.take(rows, axis=0)
        kept = order[stop:]
        if len(kept):
            # Gathered into the spare arrays, which then change places with the buffer's:
            # the kept rows are at the front without a second copy.
            self.spare_X = self._grown(self.spare_X, len(self.X), self.X, 0)
            np.take(self.X, kept, axis=0, out=self.spare_X[: len(kept)])
            self.X, self.spare_X = self.spare_X, self.X
            if self.y is not None:
                self.spare_y = self._grown(self.spare_y, len(self.y), self.y, 0)
                np.take(self.y, kept, axis=0, out=self.spare_y[: len(kept)])
                self.y, self.spare_y = self.spare_y, self.y
        self.held = len(kept)


def rebatch(
    chunks: Iterable[Batch],
    batch_size: int,
    rng: np.random.Generator | None,
    shuffle_buffer: int,
) -> Iterator[Batch]:
    """Batches of ``batch_size`` rows from ``chunks``; mixed with ``rng`` when given."""
    for X, y in slabs(chunks, batch_size, rng, shuffle_buffer):
        yield from split_slab(X, y, batch_size)


def slabs(
    chunks: Iterable[Batch],
    batch_size: int,
    rng: np.random.Generator | None,
    shuffle_buffer: int,
) -> Iterator[Batch]:
    """The rows :func:`rebatch` gives, in slabs of whole batches (the last may end short)."""
    if rng is None:
        yield from _in_order(chunks, batch_size)
        return
    capacity = max(shuffle_buffer, batch_size)
    keep = capacity // 2  # wait for a full buffer, hand out all but about half of it
    buffer = _Buffer()
    for X, y in chunks:
        if len(X) == 0:
            continue
        buffer.add(X, y)
        if buffer.held >= capacity:
            yield from buffer.hand_out(
                rng, (buffer.held - keep) // batch_size * batch_size, batch_size
            )
    if buffer.held:
        yield from buffer.hand_out(rng, buffer.held, batch_size)


def _in_order(chunks: Iterable[Batch], batch_size: int) -> Iterator[Batch]:
    """The rows in their order, in slabs that are views of the chunks where they fit in one."""
    parts: list[Batch] = []
    held = 0
    for X, y in chunks:
        if len(X) == 0:
            continue
        parts.append((X, y))
        held += len(X)
        if held < batch_size:
            continue
        X, y = _join(parts)
        out = held // batch_size * batch_size
        for begin, end in _slab_bounds(out, batch_size):
            yield X[begin:end], None if y is None else y[begin:end]
        parts = [(X[out:], None if y is None else y[out:])]
        held -= out
    if held:
        yield _join(parts)
