"""One instrumented pass over a data set: what every layer of a network does with it.

The pass runs on a private copy of the model, watched through hooks (a forward hook on
every leaf module, a full backward hook on every weight layer), removed afterwards. For each
*weight layer* — a module holding a 2-D ``weight`` (``Linear``, ``Maxout``), numbered
1, 2, … in the order the forward pass reaches them — it gathers

- the mean and standard deviation of the output of the activation that follows it
  (of the layer's own output when no activation follows; ``Maxout`` is its own);
- for the ReLU family (ReLU, LeakyReLU, PReLU, ELU, SELU): which units never receive a
  positive input on any sample (for ReLU: output 0 everywhere, so no gradient ever
  reaches the unit's weights);
- for sigmoid and tanh: on how many samples each unit's output lies within
  ``saturation_tol`` of the output range from a bound (y ≤ 0.01 or y ≥ 0.99 for sigmoid,
  \\|y\\| ≥ 0.98 for tanh at 1 %: there the derivative is under 4 % of its maximum);
- whether a normalisation layer (BatchNorm) follows it before its activation: its
  output is then independent of the scale of its weights;
- with targets: ``‖∂L/∂W‖`` (the weight gradient of one backward pass of the loss over
  all the data, accumulated chunk by chunk so it equals the full-batch gradient of a
  mean loss) and ``‖∂L/∂z‖``, the backpropagated error signal at the layer's output z —
  the chain-rule product whose shrinking or growth from layer to layer *is* vanishing or
  exploding.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..activations import ACTIVATIONS, ELU, SELU, Identity, LeakyReLU, PReLU, ReLU, Sigmoid, Tanh
from ..core import Module, Parameter
from ..layers import BatchNorm1d, Maxout
from .words import N_, Message

__all__ = [
    "LayerStats",
    "ProbeResult",
    "dead_units",
    "near_bound",
    "probe",
    "relu_like",
    "saturated_units",
    "saturation_bounds",
    "weight_layers",
]

# What is measured after an activation is decided on its type, so a subclass of ReLU is
# watched as a ReLU: dead units for the ReLU family, saturation (with the output range)
# for sigmoid and tanh.
_RELU_TYPES = (ReLU, LeakyReLU, PReLU, ELU, SELU)
_SATURATING_TYPES = {Sigmoid: (0.0, 1.0), Tanh: (-1.0, 1.0)}
_ACTIVATION_TYPES = tuple(cls for cls in set(ACTIVATIONS.values()) if cls is not Identity)
_SELF_ACTIVATED = (Maxout,)  # weight layers that are their own non-linearity
# Layers that normalise their input over the batch: the output of a weight layer followed
# by one does not change when its weights are scaled.
_NORMALIZATION_TYPES = (BatchNorm1d,)


# The rules for one activation's units, shared with the playground's per-unit flags.


def dead_units(x: np.ndarray) -> np.ndarray:
    """Per unit of a ReLU-family activation with inputs ``x`` (samples, units): True
    where no sample gives the unit a positive input."""
    return ~(np.asarray(x) > 0).any(axis=0)


def relu_like(module: Module) -> bool:
    """Whether ``module`` is of the ReLU family, whose units can die."""
    return isinstance(module, _RELU_TYPES)


def saturation_bounds(module: Module) -> tuple[float, float] | None:
    """The output range ``(low, high)`` of a saturating activation (sigmoid, tanh, or a
    subclass of one), None for any other module."""
    return next((b for cls, b in _SATURATING_TYPES.items() if isinstance(module, cls)), None)


def near_bound(bounds: tuple[float, float], y: np.ndarray, saturation_tol: float) -> np.ndarray:
    """Where the output ``y`` of an activation with output range ``bounds`` lies within
    ``saturation_tol`` of that range from a bound (a boolean array shaped like ``y``)."""
    low, high = bounds
    margin = saturation_tol * (high - low)
    return (y <= low + margin) | (y >= high - margin)


def saturated_units(share: np.ndarray, saturation_share: float) -> np.ndarray:
    """Per unit, from the share of samples on which it is near a bound: saturated when
    that share is at least ``saturation_share``."""
    return share >= saturation_share


@dataclass
class LayerStats:
    """What one weight layer (and the activation after it) did on the data.

    ``None`` marks a number that does not apply (no dead-unit count for tanh) or was not
    measured (no gradients without targets; no update ratio without ``lr``/``optimizer``).
    """

    layer: int  # 1-based, in forward order
    module: str  # dotted path of the weight layer in the model, e.g. "2"
    type: str  # "Linear", "Maxout", ...
    units: int
    activation: str | None  # type of the activation that follows, e.g. "ReLU"
    mean: float  # of the activation's output over all samples and units
    std: float
    dead_units: int | None = None
    dead_fraction: float | None = None
    saturated_units: int | None = None
    saturated_fraction: float | None = None
    saturation_rate: float | None = None  # share of (sample, unit) pairs near a bound
    normalization: str | None = (
        None  # type of a normalisation layer right after, e.g. "BatchNorm1d"
    )
    weight_norm: float = math.nan  # ‖W‖ (Frobenius)
    grad_norm: float | None = None  # ‖∂L/∂W‖
    backprop_norm: float | None = None  # ‖∂L/∂z‖, z = the layer's output, over all samples
    update_ratio: float | None = None  # ‖ΔW‖ / ‖W‖ for one optimiser step

    def to_dict(self) -> dict[str, Any]:
        return {k: _json_number(v) for k, v in asdict(self).items()}


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def weight_layers(model: Module) -> Iterator[tuple[str, Module, Parameter]]:
    """``(path, module, weight)`` for every leaf module holding a 2-D ``weight``."""
    for path, module in model.named_modules():
        weight = module._parameters.get("weight")
        if not module._modules and weight is not None and weight.data.ndim == 2:
            yield path, module, weight


class _Moments:
    """Count, sum and sum of squares (float64), for a mean and std over a whole data set."""

    def __init__(self) -> None:
        self.count, self.total, self.total_sq = 0, 0.0, 0.0

    def add(self, y: np.ndarray) -> None:
        self.count += y.size
        self.total += float(y.sum())
        self.total_sq += float(np.square(y).sum())

    def mean_std(self) -> tuple[float, float]:
        n = max(self.count, 1)
        mean = self.total / n
        return mean, math.sqrt(max(self.total_sq / n - mean * mean, 0.0))


class _Accumulator:
    """Running statistics of one weight layer and its activation, filled chunk by chunk."""

    def __init__(self, path: str, module: Module, saturation_tol: float) -> None:
        self.path, self.module, self.tol = path, module, saturation_tol
        self.number: int | None = None
        self.activation: str | None = None
        self.activation_path: str | None = None
        self.relu_like = False  # count dead units
        self.bounds: tuple[float, float] | None = None  # count saturated units
        self.normalization: str | None = None
        if isinstance(module, _SELF_ACTIVATED):
            self.claim(path, module)
        self.units = 0
        self.samples = 0
        self.own = _Moments()  # the weight layer's output
        self.act = _Moments()  # the activation's output
        self.alive: np.ndarray | None = None
        self.saturated: np.ndarray | None = None
        self.delta_sq = 0.0

    def claim(self, path: str, module: Module) -> None:
        """Let the first real activation after the weight layer report for it."""
        if self.activation is None:
            self.activation, self.activation_path = type(module).__name__, path
            self.relu_like = relu_like(module)
            self.bounds = saturation_bounds(module)

    def normalized_by(self, module: Module) -> None:
        """Note a normalisation layer that runs between the weight layer and its activation."""
        if self.activation is None and self.normalization is None:
            self.normalization = type(module).__name__

    def record(self, path: str, x: Any, y: Any) -> None:
        y64 = np.asarray(y, dtype=np.float64)
        if path == self.path:
            self.units = y64.shape[1]
            self.own.add(y64)
        if path != self.activation_path:
            return
        self.samples += y64.shape[0]
        self.act.add(y64)
        if self.relu_like:
            positive = ~dead_units(x)
            self.alive = positive if self.alive is None else self.alive | positive
        elif self.bounds is not None:
            near = near_bound(self.bounds, y64, self.tol).sum(axis=0)
            self.saturated = near if self.saturated is None else self.saturated + near

    def stats(self, saturation_share: float) -> LayerStats:
        mean, std = (self.act if self.activation else self.own).mean_std()
        weight = self.module._parameters["weight"]
        result = LayerStats(
            layer=self.number or 0,
            module=self.path,
            type=type(self.module).__name__,
            units=self.units,
            activation=self.activation,
            mean=mean,
            std=std,
            weight_norm=float(np.linalg.norm(weight.data)),
            normalization=self.normalization,
        )
        if self.alive is not None:
            dead = int(np.count_nonzero(~self.alive))
            result.dead_units, result.dead_fraction = dead, dead / self.alive.size
        if self.saturated is not None:
            share = self.saturated / max(self.samples, 1)
            units = int(np.count_nonzero(saturated_units(share, saturation_share)))
            result.saturated_units, result.saturated_fraction = units, units / share.size
            result.saturation_rate = float(share.mean())
        return result


@dataclass
class ProbeResult:
    layers: list[LayerStats]
    loss: float | None
    samples: int
    finite: bool  # loss and every gradient finite


def _chunks(n: int, batch_size: int) -> list[tuple[int, int]]:
    bounds = [*range(0, n, batch_size), n]
    if len(bounds) > 2 and bounds[-1] - bounds[-2] == 1:
        del bounds[-2]  # a 1-row chunk would break BatchNorm's batch statistics
    return list(itertools.pairwise(bounds))


def probe(
    model: Module,
    X: np.ndarray,
    Y: np.ndarray | None,
    loss: Any,
    *,
    batch_size: int = 256,
    training: bool = True,
    saturation_tol: float = 0.01,
    saturation_share: float = 0.5,
) -> ProbeResult:
    """Run ``model`` over ``X`` (and backward through ``loss`` against ``Y``).

    ``model`` must be a private copy: its mode is set and its gradients overwritten
    (left holding ``∂L/∂θ`` of the whole data set, so that an optimiser built on the copy
    can take a real step with them). ``Y`` must already be
    in the form ``loss`` wants (see ``fcnn.train.prepare_targets``); ``None`` skips the
    backward pass.
    """
    layers = {
        path: _Accumulator(path, module, saturation_tol) for path, module, _ in weight_layers(model)
    }
    order: list[_Accumulator] = []
    current: list[_Accumulator | None] = [None]

    def forward_hook(path: str):
        def hook(module: Module, args: tuple, y: Any) -> None:
            x = args[0]
            acc = layers.get(path)
            if acc is not None:
                if acc.number is None:
                    order.append(acc)
                    acc.number = len(order)
                current[0] = acc
            elif current[0] is not None and isinstance(module, _ACTIVATION_TYPES):
                current[0].claim(path, module)
            elif current[0] is not None and isinstance(module, _NORMALIZATION_TYPES):
                current[0].normalized_by(module)
            if current[0] is not None:
                current[0].record(path, x, y)

        return hook

    def backward_hook(acc: _Accumulator):
        def hook(module: Module, grad_input: tuple, grad_output: tuple) -> None:
            acc.delta_sq += float(np.square(grad_output[0], dtype=np.float64).sum())

        return hook

    handles = []
    for path, module in model.named_modules():
        if module._modules:
            continue
        handles.append(module.register_forward_hook(forward_hook(path)))
        if path in layers:
            handles.append(module.register_full_backward_hook(backward_hook(layers[path])))
    try:
        total = _forward_backward(model, X, Y, loss, batch_size, training)
    finally:
        for handle in handles:
            handle.remove()
    finite = total is None or math.isfinite(total)
    stats = []
    with np.errstate(all="ignore"):
        for acc in order:
            item = acc.stats(saturation_share)
            if Y is not None:
                item.grad_norm = float(np.linalg.norm(acc.module._parameters["weight"].grad))
                item.backprop_norm = math.sqrt(acc.delta_sq)
                finite = finite and math.isfinite(item.grad_norm + item.backprop_norm)
            stats.append(item)
    return ProbeResult(stats, total, len(X), finite)


def _forward_backward(
    model: Module, X: np.ndarray, Y: np.ndarray | None, loss: Any, batch_size: int, training: bool
) -> float | None:
    """Forward ``X`` chunk by chunk (and backward through ``loss``); the loss over all of
    ``X``, or None without targets."""
    reduction = getattr(loss, "reduction", "mean")
    if Y is not None and reduction not in ("mean", "sum"):
        template = N_(
            "diagnose needs a loss that reduces to one number; {loss} has reduction={reduction!r}"
        )
        raise ValueError(Message(template, loss=type(loss).__name__, reduction=reduction))
    model.train(training)
    model.zero_grad()
    n = len(X)
    total = 0.0
    with np.errstate(all="ignore"):  # overflow is a finding here, reported in words
        for begin, end in _chunks(n, batch_size):
            out = model.forward(X[begin:end])
            if Y is None:
                continue
            value = loss.forward(out, Y[begin:end])
            # The gradient of the whole data set's mean loss, whatever the chunking.
            weight = (end - begin) / n if reduction == "mean" else 1.0
            total += float(value) * weight
            grad = loss.backward()
            model.backward(grad * grad.dtype.type(weight))
    return total if Y is not None else None
