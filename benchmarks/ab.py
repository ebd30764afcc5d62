"""Before / after: time training steps of one fcnn source tree against another.

    python benchmarks/ab.py BEFORE_SRC AFTER_SRC [--threads 1] [--rounds 5]

Each ``*_SRC`` is a folder holding an ``fcnn`` package (e.g. a ``git worktree`` of an
older commit, plus ``/src``). Every round runs one fresh process per tree, alternating,
and each process reports the fastest of several timings per case, so that slow moments
of a shared machine hit both trees alike; the table shows the median over the rounds.
The loop timed is the one ``fcnn bench`` times (forward, loss, zero_grad, backward,
step), written here against the public API so that it runs on both trees: the newer
tree's ``backward_to_parameters`` is used when it exists.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from table import emit, table

CASES = {
    # name: (sizes, activation, output, batch, optimizer, lr)
    "tiny 2-4-1 sgd": ((2, 4, 1), "tanh", "sigmoid", 400, "sgd", 1.2),
    "784-256-128-10 b128 adam": ((784, 256, 128, 10), "relu", None, 128, "adam", 1e-3),
    "784-800-10 b256 sgd": ((784, 800, 10), "relu", None, 256, "sgd", 0.1),
    "784-1024-1024-10 b512 adam": ((784, 1024, 1024, 10), "relu", None, 512, "adam", 1e-3),
}

CHILD = r"""
import json, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
import fcnn
from fcnn.losses import BCELoss, CrossEntropyLoss
from fcnn.optim import SGD, Adam
cases, threads = json.loads(sys.argv[1]), int(sys.argv[2])
out = {}
with threadpool_limits(limits=threads):
    for name, (sizes, act, output, batch, opt, lr) in cases.items():
        rng = np.random.default_rng(0)
        X = rng.standard_normal((batch, sizes[0])).astype(np.float32)
        if output == "sigmoid":
            y = (X[:, :1] > 0).astype(np.float32); loss = BCELoss()
        else:
            y = rng.integers(0, sizes[-1], batch); loss = CrossEntropyLoss()
        model = fcnn.mlp(list(sizes), activation=act, output=output, seed=0)
        optimizer = (SGD if opt == "sgd" else Adam)(model.parameters(), lr=lr)
        backward = getattr(model, "backward_to_parameters", model.backward)
        def step():
            loss(model(X), y)
            optimizer.zero_grad()
            backward(loss.backward())
            optimizer.step()
        start = time.perf_counter(); step(); step(); once = (time.perf_counter() - start) / 2
        steps = max(3, min(2000, int(0.25 / once)))
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(steps):
                step()
            best = min(best, (time.perf_counter() - start) / steps)
        out[name] = best
print(json.dumps(out))
"""


def measure(src: str, threads: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": src}
    command = [sys.executable, "-c", CHILD, json.dumps(CASES), str(threads)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    for _ in range(args.rounds):
        for label, src in (("before", args.before), ("after", args.after)):
            for name, seconds in measure(src, args.threads).items():
                times[label].setdefault(name, []).append(seconds)
    rows = []
    for name in CASES:
        before = statistics.median(times["before"][name])
        after = statistics.median(times["after"][name])
        ratio = after / before
        rows.append([name, f"{before * 1e6:,.0f} µs", f"{after * 1e6:,.0f} µs", f"{ratio:.2f}×"])
    case = f"case (per step, {args.threads} thread(s))"
    emit(table([case, "before", "after", "after / before"], rows))


if __name__ == "__main__":
    main()
