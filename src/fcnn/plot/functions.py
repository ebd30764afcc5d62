"""Every activation function beside its derivative: the notes' two-panel figures, one grid.

The derivative is never a second formula: it is what the module's own ``backward``
returns for an upstream gradient of ones, i.e. the same code that trains networks.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..activations import ACTIVATIONS, LogSoftmax, SiLU, Softmax, get_activation
from ..core import Module
from ..i18n import N_, Message, translator
from ._base import DERIVATIVE_COLOR, FUNCTION_COLOR, new_figure, style, suptitle

__all__ = ["DEFAULT_ACTIVATIONS", "ActivationCurve", "activation_curves", "activations"]

_ = translator("plot")

#: What :func:`activations` draws by default: every element-wise activation of fcnn.
#: Leaky ReLU gets slope 0.1 (its default 0.01 would look exactly like ReLU at this scale).
DEFAULT_ACTIVATIONS: tuple[str | tuple[str, dict[str, Any]], ...] = (
    "sigmoid",
    "tanh",
    "relu",
    ("leaky_relu", {"negative_slope": 0.1}),
    "prelu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "softplus",
)

# A panel's title, by class (looked up through the registry's names); a class of the
# user's own is titled by its name.
_TITLES = {
    ACTIVATIONS[name]: title
    for name, title in {
        "identity": "identity",
        "sigmoid": "sigmoid",
        "tanh": "tanh",
        "relu": "ReLU",
        "leaky_relu": "Leaky ReLU",
        "prelu": "PReLU",
        "elu": "ELU",
        "selu": "SELU",
        "gelu": "GELU",
        "silu": "SiLU",
        "softplus": "softplus",
    }.items()
}


@dataclass
class ActivationCurve:
    """One activation sampled on a grid: ``y = f(x)`` and ``dydx`` from ``backward``."""

    name: str  # "Leaky ReLU"
    title: str  # "Leaky ReLU (negative_slope=0.1)"
    module: Module
    x: np.ndarray
    y: np.ndarray
    dydx: np.ndarray


def _module(item: Any) -> Module:
    if isinstance(item, Module):
        if isinstance(item, (Softmax, LogSoftmax)):
            template = N_("{name} is not element-wise: it has no curve of one variable")
            raise ValueError(Message("plot", template, name=type(item).__name__))
        return copy.deepcopy(item).to(np.float64)  # backward of PReLU touches its grad
    name, kwargs = (item, {}) if isinstance(item, str) else item
    if name in ("softmax", "log_softmax"):
        template = N_("{name} is not element-wise: it has no curve of one variable")
        raise ValueError(Message("plot", template, name=name))
    if name not in ACTIVATIONS:
        template = N_("unknown activation {name!r}; known: {known}")
        raise ValueError(Message("plot", template, name=name, known=", ".join(ACTIVATIONS)))
    return get_activation(name, **dict(kwargs), dtype=np.float64)


def _title(module: Module) -> tuple[str, str]:
    cls = type(module)
    name = _TITLES.get(cls, cls.__name__)
    defaults = cls().config()
    changed = [
        f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}"
        for k, v in module.config().items()
        if defaults.get(k) != v
    ]
    if isinstance(module, SiLU):
        changed = ["swish"]
    return name, f"{name} ({', '.join(changed)})" if changed else name


def activation_curves(
    activations: Sequence[str | tuple[str, dict] | Module] | None = None,
    x: np.ndarray | None = None,
) -> list[ActivationCurve]:
    """Sample each activation and its derivative on ``x`` (the data behind :func:`activations`).

    Parameters
    ----------
    activations : sequence, optional
        Names from ``fcnn.ACTIVATIONS`` (``"relu"``), ``(name, kwargs)`` pairs
        (``("elu", {"alpha": 0.5})``) or activation modules. Default:
        :data:`DEFAULT_ACTIVATIONS`.
    x : array, shape (n,), optional
        Where to sample; default 601 points in [-5, 5].

    Returns
    -------
    list of ActivationCurve
        ``y = module.forward(x)`` and ``dydx = module.backward(ones)``, in float64: the
        element-wise derivative, computed by the library's own backward pass.
    """
    x = np.linspace(-5.0, 5.0, 601) if x is None else np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        template = N_("activation_curves: x must be 1-D with 2 or more points, got {shape}")
        raise ValueError(Message("plot", template, shape=x.shape))
    curves = []
    for item in DEFAULT_ACTIVATIONS if activations is None else activations:
        module = _module(item)
        y = module.forward(x[:, None])
        dydx = module.backward(np.ones_like(y))  # the gradient of Σ f(xᵢ) is f′(xᵢ)
        curves.append(ActivationCurve(*_title(module), module, x, y[:, 0], dydx[:, 0]))
    return curves


def _break_jumps(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a gap (NaN) where ``y`` jumps, so a step is not drawn as a vertical line."""
    span = float(np.ptp(y)) or 1.0
    jumps = np.flatnonzero(np.abs(np.diff(y)) > 0.2 * span) + 1
    return np.insert(x, jumps, np.nan), np.insert(y, jumps, np.nan)


def activations(
    activations: Sequence[str | tuple[str, dict] | Module] | None = None,
    *,
    x: np.ndarray | None = None,
    per_row: int = 2,
    title: str | None = None,
) -> Any:
    """Every activation (blue) with its derivative (red) in two panels, all in one grid.

    The layout of the course notes' figures (function left, derivative right, grid on),
    ``per_row`` activations to a row. The derivative panel plots what ``backward``
    returns, not a formula typed twice.

    Parameters
    ----------
    activations, x
        As for :func:`activation_curves`.
    per_row : int
        Activations per row (each takes two panels).
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(per_row, bool) or not isinstance(per_row, int) or per_row < 1:
        template = N_("activations(per_row={per_row!r}): expected a positive integer")
        raise ValueError(Message("plot", template, per_row=per_row))
    curves = activation_curves(activations, x)
    per_row = min(per_row, len(curves))
    rows = -(-len(curves) // per_row)
    with style():
        fig, axes = new_figure(rows, 2 * per_row, figsize=(2.6 * 2 * per_row, 2.15 * rows + 0.5))
        for i, curve in enumerate(curves):
            left, right = (
                axes[i // per_row, 2 * (i % per_row)],
                axes[i // per_row, 2 * (i % per_row) + 1],
            )
            for ax, values, color, heading in (
                (left, curve.y, FUNCTION_COLOR, curve.title),
                (right, curve.dydx, DERIVATIVE_COLOR, f"{curve.name}′(x)"),
            ):
                ax.axhline(0.0, color="0.6", linewidth=0.6, zorder=1)
                ax.axvline(0.0, color="0.6", linewidth=0.6, zorder=1)
                ax.plot(*_break_jumps(curve.x, values), color=color, linewidth=1.8, zorder=2)
                ax.set_title(heading, color=color if ax is right else "black")
                ax.set_xlabel("x")
                ax.set_xlim(curve.x[0], curve.x[-1])
                low, high = float(np.min(values)), float(np.max(values))
                pad = max(0.08 * (high - low), 0.05)
                ax.set_ylim(low - pad, high + pad)
            left.set_ylabel("f(x)")
            right.set_ylabel("f′(x)")
        for j in range(len(curves), rows * per_row):
            axes[j // per_row, 2 * (j % per_row)].set_visible(False)
            axes[j // per_row, 2 * (j % per_row) + 1].set_visible(False)
        suptitle(
            fig,
            title
            or _(
                "Activation functions (blue) and their derivatives (red), "
                "computed by each module's own backward()"
            ),
        )
    return fig
