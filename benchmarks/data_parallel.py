"""Data-parallel ``fit(..., dask=client)`` against one process, as a Markdown table.

    python benchmarks/data_parallel.py [--rows 32768] [--batch 4096] [--epochs 2]
                                       [--hidden 1024 1024] [--data file.npz]

Network 784-1024-1024-10 (float32, SGD) on synthetic data (784 features, 10 classes from
a random linear teacher) or on ``--data``, an ``.npz`` with ``X`` (N, 784) and ``y``.
Each setting runs in its own process, its BLAS threads set before NumPy is imported:

- ``fit``, 1 BLAS thread and 2 BLAS threads (plain single-process training);
- ``fit(dask=)`` on a LocalCluster of 1 and of 2 worker processes, 1 thread each
  (the workers inherit ``OPENBLAS_NUM_THREADS=1``).

Reported: seconds per global batch (the median over the epochs after the first, which
pays for starting up), and the speed-up against the 1-worker cluster. The per-step
overhead of Dask is the 1-worker time minus the 1-thread ``fit`` time (weights out,
gradient back, tasks scheduled). Quick check: ``--rows 2048 --batch 512 --hidden 64``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from table import emit, table

SETTINGS = {
    "fit, 1 BLAS thread": ("fit", 1, 0),
    "fit, 2 BLAS threads": ("fit", 2, 0),
    "Dask, 1 worker": ("dask", 1, 1),
    "Dask, 2 workers": ("dask", 1, 2),
}


def _child(args: argparse.Namespace) -> None:
    import time

    import numpy as np

    import fcnn

    if args.data:
        found = np.load(args.data)
        X, y = found["X"].astype(np.float32), found["y"].astype(np.int64)
    else:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(args.rows, 784)).astype(np.float32)
        y = (X @ rng.normal(size=(784, 10))).argmax(1)
    model = fcnn.models.mlp([X.shape[1], *args.hidden, 10], activation="relu", seed=0)
    times: list[float] = []

    class Clock(fcnn.train.Callback):
        def on_epoch_begin(self, state):
            self.started = time.perf_counter()

        def on_epoch_end(self, state, logs):
            steps = -(-len(X) // args.batch)
            times.append((time.perf_counter() - self.started) / steps)

    options = dict(
        optimizer="sgd", lr=0.01, epochs=args.epochs, batch_size=args.batch, seed=0,
        verbose=0, callbacks=[Clock()], metrics=[],
    )  # fmt: skip
    if args.child_workers:
        # the cluster `fcnn train --dask local:N` starts: N single-threaded workers
        from fcnn.cli.cluster import dask_client

        with dask_client(f"local:{args.child_workers}") as client:
            fcnn.fit(model, X, y, dask=client, **options)
    else:
        fcnn.fit(model, X, y, **options)
    later = sorted(times[1:] or times)
    print(json.dumps({"step": later[len(later) // 2]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=32768)
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--hidden", type=int, nargs="+", default=[1024, 1024])
    parser.add_argument("--data", default=None, help=".npz with X and y (e.g. MNIST)")
    parser.add_argument("--child-workers", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_workers is not None:
        _child(args)
        return
    passed = [a for a in sys.argv[1:]]
    found = {}
    for name, (_, threads, workers) in SETTINGS.items():
        env = dict(os.environ)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
        done = subprocess.run(
            [sys.executable, __file__, *passed, "--child-workers", str(workers)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        found[name] = json.loads(done.stdout.strip().splitlines()[-1])["step"]
        print(f"{name}: {found[name]:.4f} s/step", file=sys.stderr)
    base = found["Dask, 1 worker"]
    print(f"\nNetwork 784-{'-'.join(map(str, args.hidden))}-10, global batch {args.batch}, "
          f"{args.rows if not args.data else args.data} rows, float32 SGD\n")  # fmt: skip
    rows = [[name, f"{seconds:.4f}", f"{base / seconds:.2f}×"] for name, seconds in found.items()]
    emit(table(["setting", "s per global batch", "speed-up vs Dask, 1 worker"], rows, "lrr"))
    overhead = base - found["fit, 1 BLAS thread"]
    print(f"\nDask's overhead per step (1 worker − fit with 1 thread): {overhead * 1000:.1f} ms")


if __name__ == "__main__":
    main()
