"""Peak memory of one framework training the largest benchmark case, in a fresh process.

    python -m fcnn.bench.memory {fcnn|torch} THREADS STEPS

Prints one JSON line: the peak resident set size (``VmHWM``) after the imports and
the data are ready (``setup_mib``), after ``STEPS`` training steps (``peak_mib``), and
their difference (``training_mib``: what training itself added). Both frameworks train
on the same random float32 rows (60 000 × 784), so the data's share is the same.
"""

from __future__ import annotations

import json
import resource
import sys

import numpy as np


def _peak_mib() -> float:
    """Peak RSS so far. Linux's VmHWM belongs to this program's address space; getrusage's
    ru_maxrss is not used because it carries over the parent's peak through fork + exec."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # elsewhere: best effort


def main(argv: list[str]) -> None:
    framework, threads, steps = argv[0], int(argv[1]), int(argv[2])
    from threadpoolctl import threadpool_limits

    from .cases import CASES
    from .trainers import FcnnTrainer, TorchTrainer, build_model, torch_threads

    case = next(c for c in CASES if c.name == "mnist-1024x2-adam")
    rng = np.random.default_rng(0)
    X = rng.random((60000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 60000).astype(np.int64)
    batches = [
        (X[i : i + case.batch_size], y[i : i + case.batch_size])
        for i in range(0, steps * case.batch_size, case.batch_size)
    ]
    with threadpool_limits(limits=threads):
        model = build_model(case)
        if framework == "torch":
            torch_threads(threads)
            trainer = TorchTrainer(case, model)
        else:
            trainer = FcnnTrainer(case, model)
        del model  # torch holds its own copy; fcnn's trainer keeps the model
        setup = _peak_mib()
        trainer.run(batches)
    peak = _peak_mib()
    print(json.dumps({"setup_mib": setup, "peak_mib": peak, "training_mib": peak - setup}))


if __name__ == "__main__":
    main(sys.argv[1:])
