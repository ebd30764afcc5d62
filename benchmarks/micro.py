"""Isolated before/after timings of single optimisations (benchmarks/NOTES.md cites them).

    python benchmarks/micro.py [--threads 1]

Each line times two ways of doing one piece of a training step on the same arrays, the
fastest of several repetitions each (robust to a busy neighbour on a shared machine).
The optimisers' chunking is measured inside real steps instead (``phases.py``): on arrays
already in cache, as here, it has nothing to gain.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

import fcnn


def best(fn: Callable[[], object], seconds: float = 0.3) -> float:
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(seconds / 5 / once))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def row(what: str, before: Callable[[], object], after: Callable[[], object]) -> None:
    b, a = best(before), best(after)
    print(f"| {what} | {b * 1e6:,.1f} µs | {a * 1e6:,.1f} µs | {a / b:.2f}× |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"| piece ({args.threads} BLAS thread(s)) | before | after | after / before |")
    print("| --- | --- | --- | --- |")
    with threadpool_limits(limits=args.threads):
        # 1. The first layer's input gradient: backward vs backward_to_parameters.
        for n_in, n_out, batch in ((784, 800, 256), (784, 1024, 512), (784, 256, 128)):
            layer = fcnn.Linear(n_in, n_out, seed=0)
            x = rng.random((batch, n_in), dtype=np.float32)
            g = rng.standard_normal((batch, n_out), dtype=np.float32)
            layer(x)

            def full(layer=layer, g=g):
                layer.zero_grad()
                layer.backward(g)

            def params_only(layer=layer, g=g):
                layer.zero_grad()
                layer.backward_to_parameters(g)

            row(f"first Linear({n_in}, {n_out}) backward, batch {batch}", full, params_only)

        # 2. Accumulating dW: fill with 0, then += a temporary, vs writing into the array.
        for n_in, n_out, batch in ((784, 800, 256), (1024, 1024, 512), (4, 1, 400)):
            x = rng.random((batch, n_in), dtype=np.float32)
            g = rng.standard_normal((batch, n_out), dtype=np.float32)
            grad = np.zeros((n_out, n_in), np.float32)
            p = fcnn.Parameter(np.zeros((n_out, n_in), np.float32))

            def eager(grad=grad, g=g, x=x):
                grad.fill(0)
                grad += g.T @ x

            def lazy(p=p, g=g, x=x):
                p.zero_grad()
                p.accumulate_matmul(g.T, x)

            row(f"zero_grad + dW += dyᵀx, W {n_out}×{n_in}, batch {batch}", eager, lazy)

    # 3. A bias's gradient: NumPy's sum down the rows vs the matrix-vector product 1ᵀ dy.
    with threadpool_limits(limits=args.threads):
        for shape in ((400, 4), (400, 1), (128, 256), (512, 1024)):
            dy = rng.standard_normal(shape, dtype=np.float32)
            out = np.empty(shape[1], np.float32)
            b = fcnn.Parameter(np.zeros(shape[1], np.float32))

            def column_sum(dy=dy, out=out):
                np.sum(dy, axis=0, out=out)

            def gemv(b=b, dy=dy):
                b.zero_grad()
                b.accumulate_sum(dy)

            row(f"bias gradient Σₙ dy, dy {shape[0]}×{shape[1]}", column_sum, gemv)


if __name__ == "__main__":
    main()
