"""A streamed epoch against the in-memory one, on an MNIST-sized network, side by side.

    python benchmarks/stream_speed.py [--rows 60000] [--hidden 256 800] [--batch-size 128]
        [--rounds 5] [--folder /var/tmp/fcnn-speed] [--markdown benchmarks/stream_speed.md]

Issue #17's target: an epoch streamed from Parquet on local disk takes at most 1.15×
the in-memory epoch, on 784-256-10 or 784-800-10. The data are ``--rows`` random rows
of 784 float32 features and ten classes (timing does not depend on the values), written
once into ``--folder`` (never into the repository) as:

- ``.npy`` (features and targets, memory-mapped by :class:`fcnn.data.stream.NpySource`);
- Parquet with pyarrow's default writer options (dictionary encoding, Snappy);
- Parquet as fcnn recommends for streaming (``use_dictionary=False, compression=None``:
  decoding is then a copy).

For each ``--hidden`` size, each round trains one epoch of each way on a fresh copy of
one network (Adam, the cross-entropy, float32), in an order that rotates so that a busy
neighbour slows all of them alike; a table per network gives the median epoch time and
the ratio to the in-memory epoch. The in-memory epoch runs with every BLAS thread; a
streamed one with the default shuffle buffer (16,384 rows), read ahead in fcnn's reader
thread, which takes one BLAS thread for itself (``fcnn.data.stream.room_for_reader``).
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import statistics
import time
from pathlib import Path

import numpy as np
from table import emit, table
from threadpoolctl import threadpool_limits

import fcnn
from fcnn.data.stream import NpySource, ParquetSource

FEATURES, CLASSES = 784, 10
RECOMMENDED = {"use_dictionary": False, "compression": None}


def write_files(folder: Path, rows: int, row_group: int) -> dict[str, Path]:
    """The data in each format, written once (kept for the next run)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    stem = f"speed-{rows}"
    paths = {
        "X": folder / f"{stem}-X.npy",
        "y": folder / f"{stem}-y.npy",
        "default": folder / f"{stem}-default.parquet",
        "recommended": folder / f"{stem}-recommended.parquet",
    }
    if all(p.exists() for p in paths.values()):
        return paths
    rng = np.random.default_rng(0)
    X = rng.random((rows, FEATURES), dtype=np.float32)
    y = rng.integers(0, CLASSES, rows)
    np.save(paths["X"], X)
    np.save(paths["y"], y)
    table = pa.table({**{f"p{j}": X[:, j] for j in range(FEATURES)}, "label": y})
    pq.write_table(table, paths["default"], row_group_size=row_group)
    pq.write_table(table, paths["recommended"], row_group_size=row_group, **RECOMMENDED)
    return paths


def epoch_time(model, data, batch_size: int) -> float:
    X, y, blas = data
    with threadpool_limits(limits=blas, user_api="blas"):
        start = time.perf_counter()
        fcnn.fit(model, X, y, epochs=1, batch_size=batch_size, optimizer="adam", seed=0, verbose=0)
        return time.perf_counter() - start


def measure(ways: dict, hidden: int, batch_size: int, rounds: int) -> dict[str, float]:
    """The median epoch time of each way on 784-``hidden``-10."""
    net = fcnn.mlp([FEATURES, hidden, CLASSES], "relu", seed=0)
    times: dict[str, list[float]] = {name: [] for name in ways}
    names = list(ways)
    epoch_time(copy.deepcopy(net), ways["in memory"], batch_size)  # warm caches
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times[name].append(epoch_time(copy.deepcopy(net), ways[name], batch_size))
    return {name: statistics.median(t) for name, t in times.items()}


def reader_cpu(source, batch_size: int, rounds: int) -> float:
    """CPU seconds (user + system) of one epoch's slabs read alone, the least of
    ``rounds``: the work a reader adds to the epoch, wherever it runs."""
    best = float("inf")
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_SELF)
        for _slab in source.slabs(0, batch_size, seed=1):
            pass
        after = resource.getrusage(resource.RUSAGE_SELF)
        used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        best = min(best, used)
    return best


def blas_threads() -> int:
    from threadpoolctl import threadpool_info

    return min((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"), default=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 800])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--row-group", type=int, default=16_384)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=Path("/var/tmp/fcnn-speed"))
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    paths = write_files(args.folder, args.rows, args.row_group)
    threads = blas_threads()
    X, y = np.load(paths["X"]), np.load(paths["y"])
    ways = {
        "in memory": (X, y, threads),
        # What the streamed epochs train with: the reader thread takes one BLAS thread.
        f"in memory, {max(threads - 1, 1)} BLAS thread(s)": (X, y, max(threads - 1, 1)),
        ".npy (memory-mapped)": (NpySource(paths["X"], paths["y"]), None, threads),
        "Parquet, default writer": (ParquetSource(paths["default"], "label"), None, threads),
        "Parquet, recommended": (ParquetSource(paths["recommended"], "label"), None, threads),
    }
    size = {
        "Parquet, default writer": paths["default"].stat().st_size,
        "Parquet, recommended": paths["recommended"].stat().st_size,
    }
    lines: list[str] = []
    for hidden in args.hidden:
        epochs = measure(ways, hidden, args.batch_size, args.rounds)
        base = epochs["in memory"]
        lines += [
            f"784-{hidden}-10, {args.rows:,} rows, batch {args.batch_size}, row groups of "
            f"{args.row_group:,} rows, {os.cpu_count()} cores, {threads} BLAS threads, "
            f"median of {args.rounds} epochs",
            "",
        ]
        rows = []
        for name, epoch in epochs.items():
            mb = f"{size[name] / 1e6:.0f}" if name in size else "–"
            source = ways[name][0]
            cpu = "–"
            if hasattr(source, "slabs"):
                cpu = f"{reader_cpu(source, args.batch_size, args.rounds):.2f}"
            rows.append([name, f"{epoch:.2f}", f"{epoch / base:.2f}", cpu, mb])
        header = ["data", "epoch (s)", "× in memory", "reader alone (CPU s)", "file (MB)"]
        lines += table(header, rows, align="lrrrr")
        lines.append("")
    emit(lines[:-1], args.markdown)


if __name__ == "__main__":
    main()
