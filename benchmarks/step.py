"""The cost of one training step on the course's 2-4-1 network, four ways, side by side.

    python benchmarks/step.py [--repeats 7] [--threads 1] [--markdown benchmarks/step.md]

The network of the notes' planar experiment: 2 inputs, 4 tanh units, 1 output, the
binary cross-entropy on the logit, plain SGD (lr 1.2), the whole 400-point flower as one
batch, float32. Timed:

- **NumPy by hand**: the same step written out in NumPy (forward, the loss, its
  gradient, the backward pass, the update in place) — the floor a library's Python
  overhead is measured against;
- **fcnn TrainStep**: ``fcnn.train.step.TrainStep``, the one step that ``fit``, the
  playground and the scikit-learn estimators share;
- **fcnn fit**: ``fcnn.fit`` for many epochs of one batch, per step (adds the epoch's
  bookkeeping: accuracy, history, callbacks);
- **PyTorch**: ``loss(model(x), y).backward(); optimizer.step()`` with ``torch.nn``.

Each round times every way once, in an order that rotates, so a busy neighbour slows
all of them alike; the table gives the median over the rounds and each way's ratio to
the hand-written step. Timings vary from machine to machine and run to run: compare
the ratios, not the microseconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
from table import emit, table
from threadpoolctl import threadpool_limits

import fcnn
from fcnn.train.step import TrainStep

LR = 1.2


def by_hand(X: np.ndarray, Y: np.ndarray, model: fcnn.Module) -> Callable[[], float]:
    """The step in plain NumPy, on copies of ``model``'s initial weights."""
    W1, b1 = model[0].weight.data.copy(), model[0].bias.data.copy()
    W2, b2 = model[2].weight.data.copy(), model[2].bias.data.copy()
    n = np.float32(len(X))
    lr = np.float32(LR)

    def step() -> float:
        h = np.tanh(X @ W1.T + b1)  # (N, 4)
        z = h @ W2.T + b2  # (N, 1) logits
        # BCE on logits, stable form: max(z, 0) - z·y + log(1 + e^-|z|)
        loss = float(np.mean(np.maximum(z, 0) - z * Y + np.log1p(np.exp(-np.abs(z)))))
        dz = (1 / (1 + np.exp(-z)) - Y) / n  # dL/dz = (σ(z) - y) / N
        dW2, db2 = dz.T @ h, dz.sum(axis=0)
        dh = (dz @ W2) * (1 - h * h)  # tanh' = 1 - tanh²
        dW1, db1 = dh.T @ X, dh.sum(axis=0)
        for p, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
            p -= lr * g
        return loss

    return step


def fcnn_step(X: np.ndarray, Y: np.ndarray, model: fcnn.Module) -> Callable[[], float]:
    step = TrainStep(model, fcnn.BCEWithLogitsLoss(), fcnn.optim.SGD(model.parameters(), lr=LR))
    return lambda: step(X, Y).loss


def fcnn_fit(X: np.ndarray, y: np.ndarray, model: fcnn.Module, steps: int) -> Callable[[], None]:
    optimizer = fcnn.optim.SGD(model.parameters(), lr=LR)

    def run() -> None:
        fcnn.fit(
            model,
            X,
            y,
            loss="bce_with_logits",
            optimizer=optimizer,
            epochs=steps,
            batch_size=len(X),
            shuffle=False,
            verbose=0,
        )

    return run


def torch_step(X: np.ndarray, Y: np.ndarray, model: fcnn.Module) -> Callable[[], float] | None:
    try:
        import torch
    except ImportError:
        return None
    net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    with torch.no_grad():
        for i in (0, 2):
            net[i].weight.copy_(torch.from_numpy(model[i].weight.data))
            net[i].bias.copy_(torch.from_numpy(model[i].bias.data))
    x, t = torch.from_numpy(X), torch.from_numpy(Y)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)

    def step() -> float:
        optimizer.zero_grad()
        loss = loss_fn(net(x), t)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
    except OSError:
        names = []
    return names[0] if names else platform.machine()


def per_step(fn: Callable[[], object], steps: int) -> float:
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="rounds of side-by-side timings")
    parser.add_argument("--steps", type=int, default=2000, help="steps per timing")
    parser.add_argument("--threads", type=int, default=1, help="BLAS (and torch) threads")
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args()

    X, y = fcnn.data.planar()  # the course's flower: (400, 2) float64, labels 0/1
    X = X.astype(np.float32)
    Y = y.reshape(-1, 1).astype(np.float32)

    def fresh() -> fcnn.Module:
        return fcnn.Sequential(fcnn.Linear(2, 4, seed=1), fcnn.Tanh(), fcnn.Linear(4, 1, seed=2))

    # The first steps of each way must agree: the same step, not just the same speed.
    hand, ours = by_hand(X, Y, fresh()), fcnn_step(X, Y, fresh())
    for _ in range(3):
        a, b = hand(), ours()
        assert abs(a - b) < 1e-5, f"the hand-written step and TrainStep disagree: {a} vs {b}"

    ways: dict[str, Callable[[], float]] = {
        "NumPy by hand": lambda: per_step(by_hand(X, Y, fresh()), args.steps),
        "fcnn TrainStep": lambda: per_step(fcnn_step(X, Y, fresh()), args.steps),
        "fcnn fit": lambda: per_step(fcnn_fit(X, y, fresh(), args.steps), 1) / args.steps,
    }
    import importlib.util

    if importlib.util.find_spec("torch") is not None:
        import torch

        torch.set_num_threads(args.threads)
        ways["PyTorch 2 (torch.nn)"] = lambda: per_step(torch_step(X, Y, fresh()), args.steps)
    times: dict[str, list[float]] = {name: [] for name in ways}
    names = list(ways)
    with threadpool_limits(limits=args.threads):
        for name in names:  # warm-up
            ways[name]()
        for round_ in range(args.repeats):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                times[name].append(ways[name]())
    floor = statistics.median(times["NumPy by hand"])
    lines = [
        f"2-4-1 tanh, BCE on logits, SGD, full batch of 400, float32, {args.threads} thread(s); "
        f"median of {args.repeats} side-by-side rounds of {args.steps} steps",
        "",
    ]
    rows = []
    for name in names:
        median = statistics.median(times[name])
        spread = f"{min(times[name]) * 1e6:.1f}–{max(times[name]) * 1e6:.1f} µs"
        rows.append([name, f"{median * 1e6:.1f} µs", spread, f"{median / floor:.2f}×"])
    lines += table(["step", "per step", "spread (min–max)", "÷ NumPy by hand"], rows)
    header: list[str] = []
    if args.markdown:
        import sys

        command = "python benchmarks/step.py " + " ".join(sys.argv[1:])
        header = [
            "# One training step on the course's 2-4-1 network, four ways",
            "",
            f"Made with `{command}` on {_cpu()} ({os.cpu_count()} cores), "
            f"Python {platform.python_version()}, NumPy {np.__version__}. The microseconds "
            "vary from machine to machine and run to run; the ratios, measured side by side, "
            "are what to compare. The issue's target: `TrainStep` within 1.2× of the step "
            "written by hand.",
            "",
        ]
    emit(lines, args.markdown, header)


if __name__ == "__main__":
    main()
