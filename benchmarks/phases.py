"""Where one training step of an MLP spends its time, phase by phase.

    python benchmarks/phases.py [--sizes 784,1024,1024,10] [--batch 512]
        [--optimizer sgd|adam] [--threads 2] [--chunk N]

Times each layer's forward and backward, the loss and the optimiser step inside real
steps (so the arrays are where a real step leaves them: mostly out of cache), averaged
over 20 steps after 3 warm-up steps. ``--chunk`` sets the optimisers' chunk size
(``fcnn.optim.optimizer._CHUNK``; a huge value means one chunk, i.e. no chunking).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

import fcnn
from fcnn import optim
from fcnn.losses import CrossEntropyLoss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="784,1024,1024,10", help="layer widths")
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=None)
    args = parser.parse_args()
    if args.chunk:
        optim.optimizer._CHUNK = args.chunk
    rng = np.random.default_rng(0)
    sizes = [int(n) for n in args.sizes.split(",")]
    X = rng.random((args.batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], args.batch)
    model = fcnn.mlp(sizes, activation="relu", seed=0)
    layers = list(model)
    loss = CrossEntropyLoss()
    if args.optimizer == "sgd":
        optimizer = optim.SGD(model.parameters(), lr=0.1)
    else:
        optimizer = optim.Adam(model.parameters(), lr=1e-3)
    totals: dict[str, float] = {}

    def timed(name, fn, *a):
        start = time.perf_counter()
        out = fn(*a)
        totals[name] = totals.get(name, 0.0) + time.perf_counter() - start
        return out

    def step() -> None:
        x = X
        for i, layer in enumerate(layers):
            x = timed(f"forward {i} {type(layer).__name__}", layer.forward, x)
        timed("loss", loss.forward, x, y)
        g = timed("loss backward", loss.backward)
        timed("zero_grad", optimizer.zero_grad)
        for i in range(len(layers) - 1, 0, -1):
            g = timed(f"backward {i} {type(layers[i]).__name__}", layers[i].backward, g)
        timed("backward 0 (parameters only)", layers[0].backward_to_parameters, g)
        timed(f"optimizer step ({args.optimizer})", optimizer.step)

    with threadpool_limits(limits=args.threads):
        for _ in range(3):
            step()
        totals.clear()
        for _ in range(20):
            step()
    for name, seconds in totals.items():
        print(f"{name:32s} {seconds / 20 * 1e3:7.2f} ms")
    print(f"{'whole step':32s} {sum(totals.values()) / 20 * 1e3:7.2f} ms")


if __name__ == "__main__":
    main()
