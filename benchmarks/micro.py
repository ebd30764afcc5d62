"""Isolated before/after timings of single optimisations (benchmarks/NOTES.md cites them).

    python benchmarks/micro.py [--threads 1]

Each line times two ways of doing one piece of a training step on the same arrays, the
fastest of several repetitions each (robust to a busy neighbour on a shared machine).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

import fcnn
from fcnn import optim


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

    # 3. An optimiser's elementwise update on one thread vs split over the BLAS threads
    #    (the split follows the BLAS limit, so it is measured with --threads 2).
    threads = optim._blas_threads
    for name, shape, options in (
        ("SGD", (800, 784), {}),
        ("SGD", (800, 784), {"momentum": 0.9}),
        ("Adam", (800, 784), {}),
        ("Adam", (1024, 1024), {}),
        ("Adam", (256, 784), {}),
    ):
        p = fcnn.Parameter(rng.standard_normal(shape, dtype=np.float32))
        p.grad[...] = rng.standard_normal(shape, dtype=np.float32)
        opt = getattr(optim, name)([p], lr=1e-3, **options)
        name += " (momentum)" if options else ""
        with threadpool_limits(limits=args.threads):
            optim._blas_threads = lambda: 1
            one = best(opt.step)
            optim._blas_threads = threads
            split = best(opt.step)
        ratio = split / one
        print(
            f"| {name} step, {shape[0]}×{shape[1]}: 1 thread vs {threads()} | "
            f"{one * 1e6:,.1f} µs | {split * 1e6:,.1f} µs | {ratio:.2f}× |"
        )


if __name__ == "__main__":
    main()
