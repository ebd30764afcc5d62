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
from table import row, table
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


def compare(what: str, before: Callable[[], object], after: Callable[[], object]) -> None:
    b, a = best(before), best(after)
    print(row([what, f"{b * 1e6:,.1f} µs", f"{a * 1e6:,.1f} µs", f"{a / b:.2f}×"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    piece = f"piece ({args.threads} BLAS thread(s))"
    print("\n".join(table([piece, "before", "after", "after / before"])))
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

            compare(f"first Linear({n_in}, {n_out}) backward, batch {batch}", full, params_only)

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

            compare(f"zero_grad + dW += dyᵀx, W {n_out}×{n_in}, batch {batch}", eager, lazy)

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

            compare(f"bias gradient Σₙ dy, dy {shape[0]}×{shape[1]}", column_sum, gemv)

        # 4. ReLU after a Linear: fresh arrays vs overwriting the Linear's (Sequential's
        # in-place path). Overwriting the same arrays again and again costs the same.
        for shape in ((256, 800), (512, 1024)):
            z = rng.standard_normal(shape, dtype=np.float32)
            g = rng.standard_normal(shape, dtype=np.float32)
            relu = fcnn.ReLU()

            def fresh(relu=relu, z=z, g=g):
                relu.forward(z)
                relu.backward(g)

            z_own, g_own = z.copy(), g.copy()

            def in_place(relu=relu, z=z_own, g=g_own):
                relu._forward_owned(z)
                relu._backward_owned(g)

            compare(f"ReLU forward + backward, {shape[0]}×{shape[1]}", fresh, in_place)

        # 5. Whole SGD steps, the in-place ReLU on and off, interleaved in one process
        # (a whole step gains too little to show across processes, as ab.py does).
        for sizes, batch in (((784, 800, 10), 256), ((784, 1024, 1024, 10), 512)):
            b, a = interleaved_steps(sizes, batch, rng)
            label = "-".join(map(str, sizes))
            step = f"SGD step {label}, batch {batch}"
            print(row([step, f"{b * 1e6:,.0f} µs", f"{a * 1e6:,.0f} µs", f"{a / b:.3f}×"]))


class _PlainSequential(fcnn.Sequential):
    """Sequential without the in-place path: every layer's own forward and backward."""

    def forward(self, x):
        for layer in self:
            x = layer.forward(x)
        return x

    def backward_to_parameters(self, grad):
        layers = list(self)
        for layer in reversed(layers[1:]):
            grad = layer.backward(grad)
        layers[0].backward_to_parameters(grad)


def interleaved_steps(sizes, batch: int, rng, rounds: int = 15, steps: int = 10):
    """Median step time of the plain and the in-place network, alternating rounds."""
    X = rng.random((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    loss = fcnn.CrossEntropyLoss()
    in_place = fcnn.mlp(list(sizes), activation="relu", seed=0)
    plain = _PlainSequential(*fcnn.mlp(list(sizes), activation="relu", seed=0))
    runs = {}
    for model in (plain, in_place):
        optimizer = fcnn.optim.SGD(model.parameters(), lr=0.1)

        def step(model=model, optimizer=optimizer):
            loss(model(X), y)
            optimizer.zero_grad()
            model.backward_to_parameters(loss.backward())
            optimizer.step()

        step()
        runs[model] = (step, [])
    for _ in range(rounds):
        for step, times in runs.values():
            start = time.perf_counter()
            for _ in range(steps):
                step()
            times.append((time.perf_counter() - start) / steps)
    return tuple(float(np.median(times)) for _, times in runs.values())


if __name__ == "__main__":
    main()
