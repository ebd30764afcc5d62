"""Registry cases for fcnn.losses: every loss, every reduction, every option that changes
the numbers (weights, pos_weight, ignore_index, label smoothing, probability targets),
alone and combined. Each case's torch twin is the ``torch.nn`` class of the same name
with the same arguments."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from fcnn import losses
from support import TORCH_DTYPES, LossCase

N, C = 6, 4
IGNORED_ROWS = (1, 4)  # rows whose target is set to ignore_index in the *-ignore cases
ARRAY_ARGS = ("weight", "pos_weight")

CLASS_WEIGHT = [0.5, 2.0, 1.0, 1.5]
BCE_WEIGHT = [[0.5], [1.0], [2.0], [1.5], [0.25], [1.0]]  # one per sample: (N, 1)
POS_WEIGHT = [3.0, 0.5, 1.0, 2.0]  # one per output: (C,)


def _tensor(value: Any, dtype: Any) -> torch.Tensor:
    return torch.tensor(np.asarray(value), dtype=TORCH_DTYPES[np.dtype(dtype).type])


def case(id: str, cls: str, kwargs: dict, make_pred, make_target, **extra) -> LossCase:
    def make(dtype):
        return getattr(losses, cls)(**kwargs).to(dtype)

    def torch_make(dtype):
        args = {
            k: _tensor(v, dtype) if k in ARRAY_ARGS and v is not None else v
            for k, v in kwargs.items()
        }
        return getattr(torch.nn, cls)(**args)

    return LossCase(id, cls, make, torch_make, make_pred, make_target, extra=dict(extra))


# --------------------------------------------------------------------------- inputs


def normal(*shape: int, scale: float = 1.0):
    return lambda rng: rng.standard_normal(shape) * scale


def probabilities(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0.05, 0.95, (N, C))  # away from BCE's clamp


def soft_labels(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0.0, 1.0, (N, C))


def binary_labels(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 2, (N, C)).astype(np.float64)


def classes(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, C, N)


def classes_ignoring(ignore_index: int):
    """Class indices with IGNORED_ROWS set to ``ignore_index``; when ignore_index is a
    class, the other rows avoid it so that exactly those rows are ignored."""

    def make(rng: np.random.Generator) -> np.ndarray:
        target = rng.integers(0, C - 1, N)
        if 0 <= ignore_index < C:
            target[target >= ignore_index] += 1
        target[list(IGNORED_ROWS)] = ignore_index
        return target

    return make


def distributions(rng: np.random.Generator) -> np.ndarray:
    return rng.dirichlet(np.ones(C), N)


# --------------------------------------------------------------------------- cases

CASES: list[LossCase] = []

for reduction in ("mean", "sum", "none"):
    CASES += [
        case(f"mse-{reduction}", "MSELoss", {"reduction": reduction}, normal(N, 3), normal(N, 3)),
        case(f"l1-{reduction}", "L1Loss", {"reduction": reduction}, normal(N, 3), normal(N, 3)),
        case(f"bce-{reduction}", "BCELoss", {"reduction": reduction}, probabilities, soft_labels),
        case(
            f"bce_with_logits-{reduction}",
            "BCEWithLogitsLoss",
            {"reduction": reduction},
            normal(N, C, scale=3.0),
            binary_labels,
        ),
        case(
            f"cross_entropy-{reduction}",
            "CrossEntropyLoss",
            {"reduction": reduction},
            normal(N, C, scale=2.0),
            classes,
        ),
        case(
            f"cross_entropy-prob-{reduction}",
            "CrossEntropyLoss",
            {"reduction": reduction},
            normal(N, C, scale=2.0),
            distributions,
        ),
        case(f"nll-{reduction}", "NLLLoss", {"reduction": reduction}, normal(N, C), classes),
        # Huber: residuals ~ N(0, 1.8²), so some fall on each side of every delta here.
        case(
            f"huber-{reduction}",
            "HuberLoss",
            {"reduction": reduction},
            normal(N, 3, scale=1.5),
            normal(N, 3),
            delta=1.0,
        ),
        case(
            f"huber-delta0.5-{reduction}",
            "HuberLoss",
            {"reduction": reduction, "delta": 0.5},
            normal(N, 3, scale=1.5),
            normal(N, 3),
            delta=0.5,
        ),
        # Every option of each loss at once, under each reduction.
        case(
            f"bce-weight-{reduction}",
            "BCELoss",
            {"weight": BCE_WEIGHT, "reduction": reduction},
            probabilities,
            binary_labels,
        ),
        case(
            f"bce_with_logits-weight-pos_weight-{reduction}",
            "BCEWithLogitsLoss",
            {"weight": BCE_WEIGHT, "reduction": reduction, "pos_weight": POS_WEIGHT},
            normal(N, C, scale=3.0),
            soft_labels,
        ),
        case(
            f"cross_entropy-weight-smoothing-ignore-{reduction}",
            "CrossEntropyLoss",
            {
                "weight": CLASS_WEIGHT,
                "ignore_index": -100,
                "reduction": reduction,
                "label_smoothing": 0.2,
            },
            normal(N, C, scale=2.0),
            classes_ignoring(-100),
            ignored=IGNORED_ROWS,
        ),
        case(
            f"cross_entropy-prob-weight-smoothing-{reduction}",
            "CrossEntropyLoss",
            {"weight": CLASS_WEIGHT, "reduction": reduction, "label_smoothing": 0.2},
            normal(N, C, scale=2.0),
            distributions,
        ),
        case(
            f"nll-weight-ignore-{reduction}",
            "NLLLoss",
            {"weight": CLASS_WEIGHT, "ignore_index": -100, "reduction": reduction},
            normal(N, C),
            classes_ignoring(-100),
            ignored=IGNORED_ROWS,
        ),
    ]

# Single options and pairs, under the default mean reduction.
CASES += [
    case(
        "bce_with_logits-pos_weight",
        "BCEWithLogitsLoss",
        {"pos_weight": POS_WEIGHT},
        normal(N, C, scale=3.0),
        binary_labels,
    ),
    case(
        "bce_with_logits-weight",
        "BCEWithLogitsLoss",
        {"weight": BCE_WEIGHT},
        normal(N, C, scale=3.0),
        soft_labels,
    ),
    case(
        "bce-weight-per-output",
        "BCELoss",
        {"weight": [1.0, 0.5, 2.0, 3.0]},
        probabilities,
        soft_labels,
    ),
    case(
        "cross_entropy-weight",
        "CrossEntropyLoss",
        {"weight": CLASS_WEIGHT},
        normal(N, C, scale=2.0),
        classes,
    ),
    case(
        "cross_entropy-ignore",
        "CrossEntropyLoss",
        {},
        normal(N, C, scale=2.0),
        classes_ignoring(-100),
        ignored=IGNORED_ROWS,
    ),
    case(
        "cross_entropy-ignore-a-class",
        "CrossEntropyLoss",
        {"ignore_index": 1},
        normal(N, C, scale=2.0),
        classes_ignoring(1),
        ignored=IGNORED_ROWS,
    ),
    case(
        "cross_entropy-smoothing",
        "CrossEntropyLoss",
        {"label_smoothing": 0.1},
        normal(N, C, scale=2.0),
        classes,
    ),
    case(
        "cross_entropy-weight-smoothing",
        "CrossEntropyLoss",
        {"weight": CLASS_WEIGHT, "label_smoothing": 0.3},
        normal(N, C, scale=2.0),
        classes,
    ),
    case(
        "cross_entropy-weight-ignore",
        "CrossEntropyLoss",
        {"weight": CLASS_WEIGHT, "ignore_index": 2},
        normal(N, C, scale=2.0),
        classes_ignoring(2),
        ignored=IGNORED_ROWS,
    ),
    case(
        "cross_entropy-smoothing-ignore",
        "CrossEntropyLoss",
        {"label_smoothing": 0.25},
        normal(N, C, scale=2.0),
        classes_ignoring(-100),
        ignored=IGNORED_ROWS,
    ),
    case(
        "cross_entropy-prob-smoothing",
        "CrossEntropyLoss",
        {"label_smoothing": 0.15},
        normal(N, C, scale=2.0),
        distributions,
    ),
    case(
        "cross_entropy-prob-weight",
        "CrossEntropyLoss",
        {"weight": CLASS_WEIGHT},
        normal(N, C, scale=2.0),
        distributions,
    ),
    case(  # torch allows probability rows that do not sum to 1
        "cross_entropy-prob-unnormalised",
        "CrossEntropyLoss",
        {"weight": CLASS_WEIGHT, "label_smoothing": 0.1},
        normal(N, C, scale=2.0),
        soft_labels,
    ),
    # More classes than the column-by-column row maximum handles (the .max(axis=1) path).
    case(
        "cross_entropy-many-classes",
        "CrossEntropyLoss",
        {"label_smoothing": 0.1},
        normal(N, 40, scale=3.0),
        lambda rng: rng.integers(0, 40, N),
    ),
    case(
        "cross_entropy-prob-many-classes",
        "CrossEntropyLoss",
        {"weight": np.linspace(0.5, 2.0, 40).tolist()},
        normal(N, 40, scale=3.0),
        lambda rng: rng.dirichlet(np.ones(40), N),
    ),
    case("nll-weight", "NLLLoss", {"weight": CLASS_WEIGHT}, normal(N, C), classes),
    case(
        "nll-ignore",
        "NLLLoss",
        {"ignore_index": -100},
        normal(N, C),
        classes_ignoring(-100),
        ignored=IGNORED_ROWS,
    ),
    case(
        "nll-weight-ignore-a-class",
        "NLLLoss",
        {"weight": CLASS_WEIGHT, "ignore_index": 0},
        normal(N, C),
        classes_ignoring(0),
        ignored=IGNORED_ROWS,
    ),
]
