"""Inside the network, layer by layer: histograms of the activations (the cs231n
initialisation experiment) and gradient flow (the norms ``diagnose`` measures)."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import init as initializers
from ..activations import ACTIVATIONS, Identity, get_activation
from ..core import Module, get_rng
from ..diagnose import Report, diagnose
from ..diagnose.probe import saturation_bounds, weight_layers
from ..i18n import N_, Message, translator
from ..layers import Linear, Maxout, Sequential
from ._base import CLASS_COLORS, new_figure, style, suptitle

__all__ = [
    "INIT_SCHEMES",
    "LayerActivations",
    "activation_histograms",
    "gradient_flow",
    "gradient_norms",
    "init_comparison",
    "init_experiment",
    "layer_activations",
]

_ = translator("plot")

_ACTIVATION_TYPES = tuple(cls for cls in set(ACTIVATIONS.values()) if cls is not Identity)
# The bounded activations: their output range is the histogram's x range.


@dataclass
class LayerActivations:
    """What one weight layer passes on: the output of the activation after it (or its own
    output when none follows), over every sample, ``values`` of shape (N, units)."""

    layer: int  # 1-based
    module: str  # path of the weight layer in the model
    activation: str | None  # type of the activation that follows, e.g. "Tanh"
    values: np.ndarray
    bounds: tuple[float, float] | None = None  # that activation's output range, if bounded

    @property
    def label(self) -> str:
        if self.activation:
            return _("layer {layer} ({kind})").format(layer=self.layer, kind=self.activation)
        return _("layer {layer}").format(layer=self.layer)


def layer_activations(model: Module, X: Any, *, training: bool = False) -> list[LayerActivations]:
    """Run ``model`` on ``X`` and keep what every weight layer passes on.

    For each weight layer (``Linear``, ``Maxout``: a module with a 2-D ``weight``), in
    forward order, the output of the first activation that follows it before the next
    weight layer (through BatchNorm and Dropout), else the layer's own output. Runs on a
    copy in eval mode (``training=True``: train mode, as the optimiser sees it); the
    model itself is left untouched.
    """
    work = copy.deepcopy(model)
    paths = {path for path, _, _ in weight_layers(work)}
    if not paths:
        template = N_("layer_activations: {name} has no weight layer")
        raise ValueError(Message("plot", template, name=type(model).__name__))
    found: list[LayerActivations] = []
    claimed: list[bool] = []

    def record(path: str) -> Callable:
        def hook(module: Module, args: tuple, y: Any) -> None:
            if path in paths:
                found.append(LayerActivations(len(found) + 1, path, None, np.array(y)))
                claimed.append(isinstance(module, Maxout))
                if claimed[-1]:
                    found[-1].activation = "Maxout"
            elif found and not claimed[-1] and isinstance(module, _ACTIVATION_TYPES):
                found[-1].activation = type(module).__name__
                found[-1].values = np.array(y)
                found[-1].bounds = saturation_bounds(module)
                claimed[-1] = True

        return hook

    for path, module in work.named_modules():
        if not module._modules:
            module.register_forward_hook(record(path))  # on the copy: nothing to remove
    work.train(training)
    with np.errstate(all="ignore"):
        work.forward(np.asarray(X))
    return found


# how a layer's activation is named in a title ("output" and "linear" when there is none)
_SHORT = {"Tanh": "tanh", "Sigmoid": "sigmoid", "output": N_("output"), "linear": N_("linear")}


def _kind(kind: str) -> str:
    return _(_SHORT.get(kind, kind))


def _ranges(layers: Sequence[LayerActivations]) -> list[tuple[float, float]]:
    """One x range per layer, shared by the layers with the same activation: the output
    range of tanh / sigmoid, else the 0.5–99.5 percentiles of those layers' values."""
    shared: dict[str | None, tuple[float, float]] = {}
    for layer in layers:
        if layer.bounds is not None:
            shared[layer.activation] = layer.bounds
    for kind in {layer.activation for layer in layers} - set(shared):
        values = [layer.values[np.isfinite(layer.values)] for layer in layers]
        values = [v for v, layer in zip(values, layers, strict=True) if layer.activation == kind]
        low = min((float(np.percentile(v, 0.5)) for v in values if v.size), default=-1.0)
        high = max((float(np.percentile(v, 99.5)) for v in values if v.size), default=1.0)
        shared[kind] = (low, high) if high > low else (low - 1.0, high + 1.0)
    return [shared[layer.activation] for layer in layers]


def _histograms(axes, layers, bins, ranges, color, row_label: str | None) -> None:
    for ax, layer, value_range in zip(axes, layers, ranges, strict=False):
        values = layer.values.ravel()
        values = values[np.isfinite(values)]
        weights = np.full(values.shape, 1.0 / max(values.size, 1))
        ax.hist(
            values, bins=bins, range=value_range, weights=weights, color=color, edgecolor="none"
        )
        mean = round(float(values.mean()), 2) + 0.0 if values.size else math.nan  # no "-0.00"
        std = float(values.std()) if values.size else math.nan
        ax.set_xlabel(
            _("mean {mean:.2f}, std {std:.2g}").format(mean=mean, std=std), fontsize=7, color="0.3"
        )
        low, high = value_range
        ax.set_xlim(low, high)
        ax.set_xticks(
            [low, (low + high) / 2, high],
            [f"{t:.2g}".replace("-", "−") for t in (low, (low + high) / 2, high)],
        )
        ax.tick_params(axis="x", labelsize=7)
        ax.set_yticks([])
        ax.grid(False)
        ax.spines["left"].set_visible(False)
    if row_label:
        axes[0].set_ylabel(row_label)


def activation_histograms(
    model: Module,
    X: Any,
    *,
    bins: int = 50,
    value_range: tuple[float, float] | None = None,
    per_row: int = 5,
    title: str | None = None,
) -> Any:
    """Histograms of what each weight layer passes on, one panel per layer.

    Parameters
    ----------
    model : Module
    X : array_like, shape (N, features)
    bins : int
    value_range : (low, high), optional
        The same x range for every panel; default (-1, 1) for tanh, (0, 1) for sigmoid,
        else the 0.5–99.5 percentiles over all layers.
    per_row : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel shows the share of all (sample, unit) values per bin, with their mean
        and standard deviation (the data: :func:`layer_activations`).
    """
    layers = layer_activations(model, X)
    ranges = [value_range] * len(layers) if value_range else _ranges(layers)
    ncols = min(per_row, len(layers))
    nrows = -(-len(layers) // ncols)
    with style():
        fig, axes = new_figure(nrows, ncols, figsize=(2.3 * ncols, 1.9 * nrows + 0.5))
        flat = axes.ravel()
        _histograms(flat, layers, bins, ranges, CLASS_COLORS[0], None)
        for ax, layer in zip(flat, layers, strict=False):
            kind = layer.activation or ("output" if layer is layers[-1] else "linear")
            ax.set_title(_("layer {layer} ({kind})").format(layer=layer.layer, kind=_kind(kind)))
        for ax in flat[len(layers) :]:
            ax.set_visible(False)
        suptitle(
            fig, title or _("Activations per layer ({n} samples)").format(n=len(np.asarray(X)))
        )
    return fig


# --------------------------------------------------------------------------- cs231n


#: Weight scales of the initialisation experiment: key → (label, how to fill W (out, in)).
INIT_SCHEMES: dict[str, tuple[str, Callable[..., None]]] = {
    "0.01": ("N(0, 0.01²)", lambda w, rng: initializers.normal_(w, 0.0, 0.01, rng=rng)),
    "1.0": ("N(0, 1)", lambda w, rng: initializers.normal_(w, 0.0, 1.0, rng=rng)),
    "xavier": (N_("Xavier normal"), lambda w, rng: initializers.xavier_normal_(w, rng=rng)),
    "he": (
        N_("He normal"),
        lambda w, rng: initializers.kaiming_normal_(w, nonlinearity="relu", rng=rng),
    ),
}


def init_experiment(
    inits: Sequence[str] = ("0.01", "xavier", "he"),
    *,
    depth: int = 10,
    width: int = 500,
    samples: int = 1000,
    activation: str = "tanh",
    seed: int = 0,
) -> tuple[dict[str, Module], np.ndarray]:
    """The cs231n initialisation experiment: one deep network per weight scale.

    ``depth`` layers of ``width`` units, each ``Linear`` (zero bias) + ``activation``,
    fed ``samples`` rows of standard normal data. With tanh: weights ``N(0, 0.01²)``
    shrink the activations towards 0 layer after layer (and the gradients with them);
    Xavier's ``std = √(2 / (fan_in + fan_out))`` keeps them spread; He's ``√2`` gain,
    made for ReLU, pushes tanh towards saturation; ``N(0, 1)`` saturates it at ±1.

    Parameters
    ----------
    inits : sequence of str
        Keys of :data:`INIT_SCHEMES`: ``"0.01"``, ``"xavier"``, ``"he"``, ``"1.0"``.

    Returns
    -------
    models : dict
        Label (``"N(0, 0.01²)"``, ...) → the network.
    X : ndarray, shape (samples, width)
        The shared input.
    """
    unknown = [key for key in inits if key not in INIT_SCHEMES]
    if unknown:
        template = N_("init_experiment: unknown init {init!r}; expected {known}")
        said = {"init": unknown[0], "known": ", ".join(INIT_SCHEMES)}
        raise ValueError(Message("plot", template, **said))
    for name, value in (("depth", depth), ("width", width), ("samples", samples)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            template = N_("init_experiment({name}={value!r}): expected a positive integer")
            raise ValueError(Message("plot", template, name=name, value=value))
    rng = get_rng(seed=seed)
    X = rng.standard_normal((samples, width)).astype(np.float32)
    models = {}
    for key in inits:
        label, fill = INIT_SCHEMES[key]
        layers: list[Module] = []
        for _ in range(depth):
            linear = Linear(width, width, rng=rng)
            fill(linear.weight, rng)
            initializers.zeros_(linear.bias)
            layers += [linear, get_activation(activation)]
        models[label] = Sequential(*layers)
    return models, X


def init_comparison(
    models: Mapping[str, Module],
    X: Any,
    *,
    bins: int = 40,
    value_range: tuple[float, float] | None = None,
    title: str | None = None,
) -> Any:
    """One row of per-layer activation histograms per network (e.g. per initialisation).

    ``models`` maps a row label to a network; all see the same ``X``. Made for
    :func:`init_experiment`'s output: ``init_comparison(*init_experiment())``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not models:
        raise ValueError(Message("plot", N_("init_comparison: no models given")))
    rows = {label: layer_activations(model, X) for label, model in models.items()}
    depth = max(len(layers) for layers in rows.values())
    everything = [layer for ls in rows.values() for layer in ls]
    ranges = [value_range] * len(everything) if value_range else _ranges(everything)
    with style():
        fig, axes = new_figure(
            len(rows), depth, figsize=(1.55 * depth + 0.6, 1.55 * len(rows) + 0.7)
        )
        start = 0
        for r, (label, layers) in enumerate(rows.items()):
            color = CLASS_COLORS[r % len(CLASS_COLORS)]
            row_ranges = ranges[start : start + len(layers)]
            start += len(layers)
            _histograms(axes[r], layers, bins, row_ranges, color, _(label) if label else label)
            for ax in axes[r, len(layers) :]:
                ax.set_visible(False)
        for c in range(depth):
            axes[0, c].set_title(_("layer {layer}").format(layer=c + 1))
        kind = next((layer.activation for layer in everything if layer.activation), "linear")
        units = everything[0].values.shape[1]
        suptitle(
            fig,
            title
            or _(
                "Activations per layer of a {depth}-layer {kind} network ({units} units) on "
                "{n} inputs, one row per initialisation"
            ).format(depth=depth, kind=_kind(kind), units=units, n=len(np.asarray(X))),
        )
    return fig


# --------------------------------------------------------------------------- gradients


def gradient_norms(
    source: Report | Module | Mapping[str, Report | Module],
    X: Any = None,
    y: Any = None,
    *,
    loss: Any = None,
) -> dict[str, tuple[list[int], np.ndarray, np.ndarray]]:
    """Per weight layer, ``‖∂L/∂W‖`` and ``‖∂L/∂z‖`` (the data behind :func:`gradient_flow`).

    ``source``: a ``diagnose`` Report, a model (diagnosed on ``X``, ``y`` with ``loss``),
    or a mapping of labels to either. Returns label → (layer numbers, weight-gradient
    norms, backpropagated-gradient norms); a single source is labelled ``""``.
    """
    items = source.items() if isinstance(source, Mapping) else [("", source)]
    result = {}
    for label, item in items:
        if isinstance(item, Module):
            if X is None or y is None:
                template = N_("gradient_norms: a model needs X and y to measure gradients")
                raise ValueError(Message("plot", template))
            item = diagnose(item, X, y, loss=loss)
        if not isinstance(item, Report):
            template = N_("gradient_norms: expected a Report or a Module, got {type}")
            raise TypeError(Message("plot", template, type=type(item).__name__))
        if any(s.grad_norm is None for s in item.layers):
            template = N_("gradient_norms: this Report has no gradients (diagnosed without y)")
            raise ValueError(Message("plot", template))
        result[str(label)] = (
            [s.layer for s in item.layers],
            np.array([s.grad_norm for s in item.layers], dtype=np.float64),
            np.array([s.backprop_norm for s in item.layers], dtype=np.float64),
        )
    return result


def gradient_flow(
    source: Report | Module | Mapping[str, Report | Module],
    X: Any = None,
    y: Any = None,
    *,
    loss: Any = None,
    title: str | None = None,
) -> Any:
    """Bars of the gradient norms per layer, on a log scale: vanishing and exploding
    gradients at a glance.

    Two panels: ``‖∂L/∂W‖``, the weight gradient each layer's optimiser step uses, and
    ``‖∂L/∂z‖``, the error signal backpropagated to the layer's output (the chain-rule
    product that shrinks or grows from layer to layer). Several networks are compared
    with one bar each per layer; the legend gives each one's first-to-last-layer ratio.

    Parameters
    ----------
    source : Report, Module, or mapping of label → Report / Module
        A ``diagnose`` report, or a model diagnosed here on ``X``, ``y``.
    X, y, loss
        The data a Module is diagnosed on (see ``fcnn.diagnose.diagnose``).

    Returns
    -------
    matplotlib.figure.Figure
        The data: :func:`gradient_norms`.
    """
    norms = gradient_norms(source, X, y, loss=loss)
    depth = max(len(layers) for layers, _, _ in norms.values())
    width = 0.8 / len(norms)
    with style():
        fig, axes = new_figure(1, 2, figsize=(max(8.0, 0.9 * depth + 3.5), 4.0), sharey=True)
        for column, (ax, heading) in enumerate(
            zip(
                axes[0],
                (_("‖∂L/∂W‖: weight gradient"), _("‖∂L/∂z‖: gradient at the layer output")),
                strict=True,
            )
        ):
            for i, (label, series) in enumerate(norms.items()):
                layers, values = series[0], series[1 + column]
                positions = np.asarray(layers) + (i - (len(norms) - 1) / 2) * width
                shown = np.where(values > 0, values, np.nan)  # 0 has no place on a log axis
                ratio = values[0] / values[-1] if len(values) > 1 and values[-1] > 0 else None
                text = _(label) if label else label  # _("") is the catalog's header
                if ratio is not None:
                    text = (
                        _("{run}: first/last {ratio:.2g}").format(run=text, ratio=ratio)
                        if label
                        else _("first/last {ratio:.2g}").format(ratio=ratio)
                    )
                ax.bar(
                    positions,
                    shown,
                    width=width * 0.95,
                    label=text,
                    color=CLASS_COLORS[i % len(CLASS_COLORS)],
                )
            ax.set_yscale("log")
            ax.set_xticks(range(1, depth + 1))
            ax.set_xlabel(_("layer (1 = nearest the input)"))
            ax.set_title(heading)
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncols=1, fontsize=7)
        axes[0, 0].set_ylabel(_("gradient norm"))
        suptitle(fig, title or _("Gradient flow, layer by layer"))
    return fig
