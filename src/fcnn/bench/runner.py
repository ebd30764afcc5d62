"""Run the benchmark cases side by side and report ratios (``fcnn bench``,
``python benchmarks/run.py``).

Method. All frameworks run in one process, with the same number of BLAS / intra-op
threads (threadpoolctl for NumPy's BLAS, ``torch.set_num_threads`` for PyTorch), in
float32, from the same initial weights and over the same batches. After a warm-up, each
repetition times one unit (a step or an epoch) of every framework in turn, so that drift
in the machine's load hits all of them alike; the table shows the median over the
repetitions, and the ratios are of those medians. The floor is the time of the step's
matrix products alone (see :class:`~fcnn.bench.trainers.FloorTrainer`).

Peak memory is measured for the largest case in two fresh subprocesses (one per
framework, see :mod:`fcnn.bench.memory`), since a process's peak RSS cannot be reset.

Progress is counted in estimated seconds (:mod:`fcnn.bench.progress`), so that a
progress bar can show the time left.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..files import atomic_write_text
from ..i18n import N_, Message
from .cases import CASES, Case, matmul_flops
from .progress import Work, case_seconds, inference_seconds, memory_seconds
from .trainers import FcnnTrainer, FloorTrainer, SklearnTrainer, TorchTrainer, build_model

__all__ = ["load_rows", "run_benchmark"]


def load_rows(data_dir: str | os.PathLike | None, rows: int) -> tuple[np.ndarray, np.ndarray, str]:
    """``rows`` MNIST training images (float32 in [0, 1]) and labels, from ``data_dir``;
    random images and labels of the same shape when ``data_dir`` is None.

    A ``data_dir`` that is not a folder, or holds no intact MNIST, is an error (the
    messages of :func:`fcnn.data.mnist`): timing random pixels instead of the data asked
    for would be a silently different benchmark.
    """
    if data_dir is not None:
        from ..data import mnist

        folder = Path(data_dir).expanduser()
        if not folder.is_dir():
            template = N_(
                "--data-dir {folder}: no such folder; name the folder that holds MNIST's "
                "IDX files (train-images-idx3-ubyte.gz, ...), or leave --data-dir out to "
                "time on random pixels"
            )
            raise NotADirectoryError(Message("train", template, folder=folder))
        X, y, _, _ = mnist(folder)
        X = X[:rows].astype(np.float32) / np.float32(255)
        return np.ascontiguousarray(X), y[:rows].astype(np.int64), "MNIST"
    rng = np.random.default_rng(0)
    X = rng.random((rows, 784), dtype=np.float32)
    return X, rng.integers(0, 10, rows).astype(np.int64), "random pixels"


def _planar_rows() -> tuple[np.ndarray, np.ndarray]:
    from ..data import planar

    X, y = planar()
    return X.astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def _median_times(
    units: dict[str, Callable[[], Any]],
    repeats: int,
    warmup: Callable[[], None],
    tick: Callable[[], None],
) -> dict[str, float]:
    """Median seconds of each unit over ``repeats`` rounds; ``tick`` after every timing
    (and once per unit for the warm-up, which :mod:`.progress` counts as one round)."""
    warmup()
    for _ in units:
        tick()
    times: dict[str, list[float]] = {name: [] for name in units}
    for _ in range(repeats):
        for name, unit in units.items():
            start = time.perf_counter()
            unit()
            times[name].append(time.perf_counter() - start)
            tick()
    return {name: statistics.median(values) for name, values in times.items()}


def _epoch_batches(X: np.ndarray, y: np.ndarray, batch: int, rng) -> list:
    order = rng.permutation(len(X))
    Xs, ys = X[order], y[order]
    return [(Xs[i : i + batch], ys[i : i + batch]) for i in range(0, len(X), batch)]


def _time_case(
    case: Case,
    X: np.ndarray,
    y: np.ndarray,
    frameworks: Sequence[str],
    repeats: int,
    steps: int | None,
    work: Work,
) -> dict[str, Any]:
    """Median seconds per unit for each framework and the floor, for one case."""
    model = build_model(case)
    fcnn = FcnnTrainer(case, model)
    rng = np.random.default_rng(1)
    if case.unit == "step":
        batches = [(X, y)]
        reps = steps or 1000  # one timing = `reps` steps, reported per step
    else:
        batches = _epoch_batches(X, y, case.batch_size, rng)
        if steps is not None:
            batches = batches[:steps]
        reps = 1
    sizes = [len(b[0]) for b in batches]
    units: dict[str, Callable[[], Any]] = {"fcnn": lambda: [fcnn.run(batches) for _ in range(reps)]}
    if "torch" in frameworks:
        torch_trainer = TorchTrainer(case, model)
        units["torch"] = lambda: [torch_trainer.run(batches) for _ in range(reps)]
    if "sklearn" in frameworks and case.sklearn:
        rows = sum(sizes)
        sk_y = y.ravel().astype(np.int64)
        sk = SklearnTrainer(case, model, X[:rows], sk_y[:rows])
        units["sklearn"] = lambda: [sk.run(X[:rows], sk_y[:rows]) for _ in range(reps)]
    floor = FloorTrainer(case, sizes)
    units["floor"] = lambda: [floor.run(sizes) for _ in range(reps)]

    def warmup() -> None:
        short = batches[:3]
        fcnn.run(short)
        if "torch" in units:
            torch_trainer.run(short)
        floor.run(sizes[:3])

    estimate = case_seconds(case, len(X), steps, repeats, frameworks)
    tick = work.spread(estimate, (1 + repeats) * len(units), case.name)
    seconds = {k: v / reps for k, v in _median_times(units, repeats, warmup, tick).items()}
    flops = sum(matmul_flops(case.sizes, n) for n in sizes)
    return {
        "case": case.name,
        "label": case.label,
        "unit": case.unit,
        "rows": sum(sizes),
        "steps": len(sizes),
        "seconds": seconds,
        "fcnn_gflops": flops / seconds["fcnn"] / 1e9,
        "floor_gflops": flops / seconds["floor"] / 1e9,
    }


def _time_inference(
    X: np.ndarray, y: np.ndarray, frameworks: Sequence[str], repeats: int, work: Work
) -> dict[str, Any]:
    case = next(c for c in CASES if c.name == "mnist-800-sgd")
    model = build_model(case)
    fcnn = FcnnTrainer(case, model)
    units: dict[str, Callable[[], Any]] = {"fcnn": lambda: fcnn.predict(X)}
    if "torch" in frameworks:
        torch_trainer = TorchTrainer(case, model)
        units["torch"] = lambda: torch_trainer.predict(X)
    if "sklearn" in frameworks:
        sk = SklearnTrainer(case, model, X, y)
        units["sklearn"] = lambda: sk.predict(X)
    w1, w2 = model[0].weight.data, model[2].weight.data
    hidden = np.empty((len(X), w1.shape[0]), np.float32)
    out = np.empty((len(X), w2.shape[0]), np.float32)

    def floor() -> None:  # the two forward products only
        np.matmul(X, w1.T, out=hidden)
        np.matmul(hidden, w2.T, out=out)

    units["floor"] = floor
    estimate = inference_seconds(len(X), repeats, frameworks)
    tick = work.spread(estimate, (1 + repeats) * len(units), "inference")
    seconds = _median_times(units, repeats, lambda: [u() for u in units.values()], tick)
    flops = 2 * len(X) * (784 * 800 + 800 * 10)
    return {
        "case": "inference",
        "label": f"predict {len(X):,} rows, 784-800-10",
        "unit": "call",
        "rows": len(X),
        "steps": 1,
        "seconds": seconds,
        "fcnn_gflops": flops / seconds["fcnn"] / 1e9,
        "floor_gflops": flops / seconds["floor"] / 1e9,
    }


MEMORY_CASE = next(c for c in CASES if c.name == "mnist-1024x2-adam")


def _memory_probes(frameworks: Sequence[str]) -> list[str]:
    return ["fcnn", *(["torch"] if "torch" in frameworks else [])]


def _memory(threads: int, frameworks: Sequence[str], steps: int, work: Work) -> dict[str, Any]:
    """Peak RSS of fcnn and of torch training the largest case, each in a fresh process."""
    result: dict[str, Any] = {"case": MEMORY_CASE.name, "steps": steps}
    for name in _memory_probes(frameworks):
        command = [sys.executable, "-m", "fcnn.bench.memory", name, str(threads), str(steps)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        result[name] = json.loads(done.stdout.strip().splitlines()[-1])
        work.advance(memory_seconds(MEMORY_CASE, steps, 1), f"peak memory: {name}")
    return result


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import torch

        info["torch"] = torch.__version__
    except ImportError:
        pass
    try:
        import sklearn

        info["sklearn"] = sklearn.__version__
    except ImportError:
        pass
    from threadpoolctl import threadpool_info

    blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if blas:
        info["blas"] = f"{blas[0].get('internal_api')} {blas[0].get('version')}"
    return info


def available_frameworks(wanted: Sequence[str]) -> list[str]:
    """The frameworks of ``wanted`` that can be imported here (fcnn always)."""
    found = []
    for name in wanted:
        module = {"torch": "torch", "sklearn": "sklearn"}.get(name)
        if module is None:
            continue
        try:
            __import__(module)
        except ImportError:
            continue
        found.append(name)
    return found


def run_benchmark(
    *,
    cases: Sequence[str] | None = None,
    data_dir: str | os.PathLike | None = None,
    rows: int = 60000,
    threads: int | None = None,
    repeats: int = 3,
    steps: int | None = None,
    frameworks: Sequence[str] = ("torch", "sklearn"),
    memory: bool = True,
    progress: Callable[[dict[str, Any]], None] | None = None,
    on_work: Callable[[float, float, str], None] | None = None,
) -> dict[str, Any]:
    """Time every case (or those named in ``cases``); return the results as a JSON-able dict.

    Parameters
    ----------
    cases : names from :data:`~fcnn.bench.cases.CASES` (plus ``"inference"``); all if None.
    data_dir : a folder with MNIST's IDX files; random pixels when None. A folder that is
        missing or holds no intact MNIST is an error (see :func:`load_rows`).
    rows : training rows per epoch (60 000 = one MNIST epoch).
    threads : BLAS and PyTorch threads (default: the machine's cores).
    repeats : timings per framework and case; the median is reported.
    steps : cut each epoch to this many steps (and the tiny case to this many steps per
        timing): a quick run that proves the script works, not a measurement.
    frameworks : the competitors to run besides fcnn, those importable here.
    memory : also measure peak RSS of the largest case.
    progress : called with each case's result as it finishes.
    on_work : called as ``on_work(done, total, doing)`` after every timing, with the
        work done and in all in estimated seconds (:mod:`fcnn.bench.progress`) and the
        name of the case running: what a progress bar needs to show the time left.
    """
    from threadpoolctl import threadpool_limits

    names = [c.name for c in CASES] + ["inference"]
    chosen = list(cases) if cases else names
    unknown = [c for c in chosen if c not in names]
    if unknown:
        template = N_("unknown benchmark case(s) {unknown}; expected some of {names}")
        raise ValueError(Message("train", template, unknown=unknown, names=names))
    X, y, source = load_rows(data_dir, rows)  # first: a wrong folder fails at once
    threads = threads or os.cpu_count() or 1
    frameworks = available_frameworks(frameworks)
    if "torch" in frameworks:
        import torch

        torch.set_num_threads(threads)
    todo = [case for case in CASES if case.name in chosen]
    total = sum(case_seconds(case, len(X), steps, repeats, frameworks) for case in todo)
    if "inference" in chosen:
        total += inference_seconds(len(X), repeats, frameworks)
    if memory:
        total += memory_seconds(MEMORY_CASE, steps or 20, len(_memory_probes(frameworks)))
    work = Work(total, on_work)
    results = []
    with threadpool_limits(limits=threads):
        for case in todo:
            Xc, yc = _planar_rows() if case.unit == "step" else (X, y)
            results.append(_time_case(case, Xc, yc, frameworks, repeats, steps, work))
            if progress:
                progress(results[-1])
        if "inference" in chosen:
            results.append(_time_inference(X, y, frameworks, repeats, work))
            if progress:
                progress(results[-1])
    peak = _memory(threads, frameworks, steps or 20, work) if memory else None
    return {
        "machine": machine(),
        "threads": threads,
        "data": source,
        "rows": len(X),
        "repeats": repeats,
        "quick": steps is not None,
        "results": results,
        "memory": peak,
    }


def save_json(report: dict[str, Any], path: str | os.PathLike) -> Path:
    return atomic_write_text(path, json.dumps(report, indent=2) + "\n")
