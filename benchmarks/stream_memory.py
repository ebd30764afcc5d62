"""Peak memory of one streamed epoch, at two file sizes: it should not grow with the file.

    python benchmarks/stream_memory.py [--rows 200000 400000] [--features 100]
        [--folder /var/tmp/fcnn-memory] [--markdown benchmarks/stream_memory.md]

Issue #17's target: a Parquet file of at least 2 GB (5,000,000 rows × 100 float32
features is 2.0 GB) trains for an epoch with peak RSS under 600 MB, whatever the file's
size. For each ``--rows`` this writes a Parquet file of random rows (float32 features,
a float target ``y``; row groups of ``--row-group`` rows, written with the options
fcnn recommends for streaming: ``use_dictionary=False, compression=None``) into
``--folder`` (never into the repository; kept for the next run, ``--clean`` removes
them), then runs ``fcnn train FILE --target y --task regression --epochs 1`` in a
child process (the statistics pass, the epoch and the evaluation of both splits) and
reads the child's peak resident memory from ``os.wait4``'s ``ru_maxrss``. The bare
``import fcnn`` of a child is measured alongside, for what the interpreter and the
libraries take before any data.

Check the disk first (``df -h /var/tmp``): the files take rows × (features + 1) × 4
bytes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from table import emit, row, table

CLI = "import sys; from fcnn.cli import app; sys.argv[0] = 'fcnn'; app()"
WRITE_ROWS = 250_000  # rows generated and written at a time, so that writing stays small


def write_file(path: Path, rows: int, features: int, row_group: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.exists():
        return path
    rng = np.random.default_rng(0)
    names = [f"x{j}" for j in range(features)]
    schema = pa.schema([*(pa.field(n, pa.float32()) for n in names), pa.field("y", pa.float32())])
    partial = path.with_suffix(".partial")
    with pq.ParquetWriter(partial, schema, use_dictionary=False, compression=None) as writer:
        for begin in range(0, rows, WRITE_ROWS):
            n = min(WRITE_ROWS, rows - begin)
            X = rng.standard_normal((n, features), dtype=np.float32)
            y = X[:, :10].sum(axis=1) + rng.standard_normal(n, dtype=np.float32)
            table = pa.table([*(X[:, j] for j in range(features)), y], schema=schema)
            writer.write_table(table, row_group_size=row_group)
    partial.rename(path)
    return path


def peak_rss(args: list[str]) -> tuple[float, float]:
    """(peak resident MB, seconds) of a child python running ``args``."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the child failed: {' '.join(args)}")
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return usage.ru_maxrss * scale / 1e6, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 400_000])
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--row-group", type=int, default=65_536)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--folder", type=Path, default=Path("/var/tmp/fcnn-memory"))
    parser.add_argument("--clean", action="store_true", help="remove the files afterwards")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    base, _ = peak_rss(["-c", "import fcnn, fcnn.cli, pyarrow.parquet"])
    lines = [
        f"{args.features} float32 features, row groups of {args.row_group:,} rows, batch "
        f"{args.batch_size}, network {args.features}-64-1; `import fcnn` alone: {base:.0f} MB",
        "",
        *table(["rows", "file (MB)", "peak RSS (MB)", "time (s)"], align="rrrr"),
    ]
    for rows in args.rows:
        path = write_file(
            args.folder / f"memory-{rows}x{args.features}.parquet",
            rows,
            args.features,
            args.row_group,
        )
        with tempfile.TemporaryDirectory(dir=args.folder) as runs:
            train = ["train", str(path), "--target", "y", "--task", "regression"]
            train += ["--epochs", "1", "--hidden", "64", "--batch-size", str(args.batch_size)]
            train += ["--verbose", "0", "--run-dir", str(Path(runs) / "run")]
            peak, seconds = peak_rss(["-c", CLI, *train])
        size = path.stat().st_size / 1e6
        lines.append(row([f"{rows:,}", f"{size:,.0f}", f"{peak:,.0f}", f"{seconds:.0f}"]))
        print(lines[-1], flush=True)
        if args.clean:
            path.unlink()
    if args.clean:
        shutil.rmtree(args.folder, ignore_errors=True)
    emit(lines, args.markdown)


if __name__ == "__main__":
    main()
