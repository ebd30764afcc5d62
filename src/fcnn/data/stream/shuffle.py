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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

__all__ = ["rebatch"]

Batch = tuple[np.ndarray, "np.ndarray | None"]


def _join(parts: list[Batch]) -> Batch:
    if len(parts) == 1:
        return parts[0]
    X = np.concatenate([x for x, _ in parts])
    y = None if parts[0][1] is None else np.concatenate([t for _, t in parts])
    return X, y


def _take(X: np.ndarray, y: np.ndarray | None, index) -> Batch:
    return X[index], None if y is None else y[index]


def _hand_out(X, y, stop: int, batch_size: int) -> Iterator[Batch]:
    for begin in range(0, stop, batch_size):
        end = min(begin + batch_size, stop)
        yield X[begin:end], None if y is None else y[begin:end]


def rebatch(
    chunks: Iterable[Batch],
    batch_size: int,
    rng: np.random.Generator | None,
    shuffle_buffer: int,
) -> Iterator[Batch]:
    """Batches of ``batch_size`` rows from ``chunks``; mixed with ``rng`` when given."""
    capacity = max(shuffle_buffer, batch_size)
    # Shuffled: wait for a full buffer and keep half of it; in order: a batch is enough.
    threshold, keep = (batch_size, 0) if rng is None else (capacity, capacity // 2)
    parts: list[Batch] = []
    held = 0
    for X, y in chunks:
        if len(X) == 0:
            continue
        parts.append((X, y))
        held += len(X)
        if held < threshold:
            continue
        X, y = _join(parts)
        if rng is not None:
            X, y = _take(X, y, rng.permutation(held))
        out = (held - keep) // batch_size * batch_size
        yield from _hand_out(X, y, out, batch_size)
        parts = [(X[out:], None if y is None else y[out:])]
        held -= out
    if held:
        X, y = _join(parts)
        if rng is not None:
            X, y = _take(X, y, rng.permutation(held))
        yield from _hand_out(X, y, held, batch_size)
