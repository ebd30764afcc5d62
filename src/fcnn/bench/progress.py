"""How much work ``fcnn bench`` has ahead of it, so a progress bar can tell the time left.

A progress bar estimates the time left from its speed so far, which only works when each
advance stands for a similar stretch of time. The benchmark's timings differ a thousand-
fold (a 2-4-1 step against an epoch of 784-1024-1024-10), so the bar does not count
timings: it counts each timing's *estimated seconds*, the FLOPs of its matrix products at
a nominal speed plus a fixed cost per training step (what the Python loop, the
activations and the optimiser add). The nominal figures need only be right relative to
each other: the bar scales them by the speed it observes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import pairwise

from .cases import Case, matmul_flops

__all__ = ["Work", "case_seconds", "inference_seconds", "memory_seconds"]

#: Fitted to benchmarks/results.md (2 cores, the four timings of each case summed): FLOP/s
#: of the matrix products; seconds per training step besides them; and Adam's extra
#: seconds per parameter and step (its moment updates are elementwise, not products).
NOMINAL_FLOPS = 180e9
STEP_SECONDS = 4e-4
ADAM_SECONDS = 3e-9
#: Building a case's network and its trainers in every framework.
SETUP_SECONDS = 0.3
#: Starting a Python process that imports NumPy (and PyTorch) for a memory probe.
PROCESS_SECONDS = 2.0
#: The tiny case's timing covers this many steps (``runner._time_case``).
STEPS_PER_TIMING = 1000
#: The planar data set the tiny case trains on: 400 rows, one full batch.
PLANAR_ROWS = 400


def timings_per_round(case: Case | None, frameworks: Sequence[str]) -> int:
    """How many timings one repetition makes: fcnn, the floor, and each competitor that
    runs this case (scikit-learn has no BatchNorm; ``case`` None is the inference)."""
    sklearn = "sklearn" in frameworks and (case is None or case.sklearn)
    return 2 + ("torch" in frameworks) + sklearn


def _train_seconds(case: Case, rows: int, steps: int | None) -> float:
    """Estimated seconds of one timing of one framework on ``case``."""
    if case.unit == "step":
        count = steps or STEPS_PER_TIMING
        return count * (matmul_flops(case.sizes, PLANAR_ROWS) / NOMINAL_FLOPS + STEP_SECONDS)
    batches = math.ceil(rows / case.batch_size)
    if steps is not None:
        batches = min(batches, steps)
    used = min(rows, batches * case.batch_size)
    step = STEP_SECONDS + (ADAM_SECONDS * _parameters(case) if case.optimizer == "adam" else 0)
    return matmul_flops(case.sizes, used) / NOMINAL_FLOPS + batches * step


def _parameters(case: Case) -> int:
    return sum(a * b + b for a, b in pairwise(case.sizes))


def case_seconds(
    case: Case, rows: int, steps: int | None, repeats: int, frameworks: Sequence[str]
) -> float:
    """Estimated seconds of a case: setting up, a warm-up round, then ``repeats`` rounds."""
    rounds = (1 + repeats) * timings_per_round(case, frameworks)
    return SETUP_SECONDS + rounds * _train_seconds(case, rows, steps)


def inference_seconds(rows: int, repeats: int, frameworks: Sequence[str]) -> float:
    """Estimated seconds of the inference case: ``rows`` through 784-800-10."""
    one = 2 * rows * (784 * 800 + 800 * 10) / NOMINAL_FLOPS
    return (1 + repeats) * timings_per_round(None, frameworks) * one


def memory_seconds(case: Case, steps: int, processes: int) -> float:
    """Estimated seconds of the memory probes: one fresh process per framework."""
    per_step = matmul_flops(case.sizes, case.batch_size) / NOMINAL_FLOPS + STEP_SECONDS
    return processes * (PROCESS_SECONDS + steps * per_step)


class Work:
    """The benchmark's progress in estimated seconds: ``advance`` adds to what is done and
    tells ``report(done, total, doing)``, where ``doing`` names what runs now."""

    def __init__(self, total: float, report: Callable[[float, float, str], None] | None):
        self.total, self.done, self.report = total, 0.0, report

    def advance(self, seconds: float, doing: str) -> None:
        self.done = min(self.total, self.done + seconds)
        if self.report is not None:
            self.report(self.done, self.total, doing)

    def spread(self, seconds: float, parts: int, doing: str) -> Callable[[], None]:
        """A function to call ``parts`` times that advances by ``seconds`` in all."""
        return lambda: self.advance(seconds / parts, doing)
