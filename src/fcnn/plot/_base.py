"""What every figure shares: the lazy matplotlib import, the style, the colours, saving.

Figures are built as ``matplotlib.figure.Figure`` objects, never through ``pyplot``: no
global backend is chosen, no figure is kept alive by a registry, and a notebook shows
the returned figure as it shows any other. Files are rendered with Agg (PNG) or the
SVG / PDF backends, picked by the file's suffix, and written atomically.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..activations import Sigmoid, Softmax
from ..core import Module
from ..files import atomic_write_bytes
from ..i18n import N_, Message
from ..layers import BatchNorm1d, Dropout, Flatten, Linear
from ..metrics import last_module, probabilities
from ..train.history import History
from .fonts import figure_language

__all__ = [
    "CLASS_COLORS",
    "FORMATS",
    "STYLE",
    "History",
    "as_history",
    "class_color",
    "footnote",
    "last_module",
    "mark_point",
    "matplotlib",
    "new_figure",
    "probabilities",
    "save",
    "style",
    "suptitle",
    "wrap",
]

FORMATS = (".png", ".svg", ".pdf")

# DejaVu Sans ships with matplotlib and has every glyph the labels use (σ, ′, ₁, ², ‖):
# whatever fonts a user's rcParams name, no label renders as boxes.
STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "mathtext.fontset": "dejavusans",
    "axes.unicode_minus": True,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "normal",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "figure.titlesize": 12,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "image.interpolation": "nearest",
    "svg.fonttype": "path",
}

#: One colour per class, in label order (colour-blind-safe hues, then matplotlib's tab10).
CLASS_COLORS = (
    "#2f6db5",  # blue
    "#d1495b",  # red
    "#3a9d5d",  # green
    "#edae49",  # amber
    "#7b5ea7",  # purple
    "#00798c",  # teal
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#7f7f7f",  # grey
    "#bcbd22",  # olive
)
FUNCTION_COLOR = CLASS_COLORS[0]
DERIVATIVE_COLOR = CLASS_COLORS[1]  # the notes draw derivatives in red


def matplotlib() -> Any:
    """Import matplotlib, or say how to install it."""
    try:
        import matplotlib as mpl
    except ImportError as err:
        from ..interop.optional import install_hint

        raise ImportError(install_hint("plot")) from err
    return mpl


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Apply fcnn's figure style (:data:`STYLE`) for the duration of the block, in
    fcnn's language: in Chinese, with a font that has the characters (else the labels
    drawn inside are English; see :mod:`fcnn.plot.fonts`)."""
    with matplotlib().rc_context(STYLE), figure_language():
        yield


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float], **kwargs: Any):
    """A constrained-layout ``Figure`` and its axes as a 2-D array (call inside ``style()``)."""
    matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def mark_point(ax: Any, x: float, y: float, color: str, label: str) -> None:
    """A dot with a white rim at ``(x, y)``, above the curves (a curve's best point)."""
    ax.plot(x, y, "o", color=color, markersize=7, markeredgecolor="white", zorder=5, label=label)


def footnote(fig: Any, text: str) -> None:
    """Write ``text`` small and grey under the plots of ``fig`` (why a run stopped early)."""
    fig.text(0.5, 0.0, text, ha="center", va="bottom", fontsize=8, color="0.3", wrap=True)
    fig.get_layout_engine().set(h_pad=0.25)  # room for it under the axes


def _ems(text: str) -> float:
    """How wide ``text`` is, in ems: a Chinese character one, anything else about 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def wrap(text: str, width: float) -> str:
    """``text`` broken into lines of at most ``width`` ems: between words, or between any
    two Chinese characters (Chinese has no spaces), never before a closing mark ("，")."""
    # tokens: a Latin word with the spaces after it, or one wide character
    tokens = re.findall(r"[^\s\u2E80-\uFFEF]+\s*|\s+|[\u2E80-\uFFEF]", text)
    lines, line = [], ""
    for token in tokens:
        if line and _ems(line + token.rstrip()) > width and token[0] not in "，。、：；）,.:;)":
            lines.append(line.rstrip())
            line, token = "", token.lstrip()
        line += token
    return "\n".join([*lines, line.rstrip()])


def suptitle(fig: Any, text: str) -> None:
    """The figure's title, wrapped to its width (a long Chinese title has no spaces for
    matplotlib's own ``wrap=True`` to break at)."""
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=matplotlib().rcParams["figure.titlesize"]).get_size_in_points()
    width = 0.94 * fig.get_figwidth() * 72 / size
    fig.suptitle("\n".join(wrap(part, width) for part in text.split("\n")))


def class_color(label: int) -> str:
    return CLASS_COLORS[int(label) % len(CLASS_COLORS)]


def lighten(color: str, amount: float) -> np.ndarray:
    """``color`` mixed with white: 0 keeps it, 1 is white. Returns RGB in [0, 1]."""
    from matplotlib.colors import to_rgb

    rgb = np.asarray(to_rgb(color))
    return rgb + (1.0 - rgb) * amount


def save(fig: Any, path: str | os.PathLike[str], *, dpi: float | None = None) -> Path:
    """Write ``fig`` to ``path`` as PNG, SVG or PDF (by the suffix), atomically.

    The folder is created when missing. PNG and SVG files carry no date or version in
    their metadata, so the same figure gives the same bytes.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        template = N_("cannot write a figure to {path!r}: the file name must end in {formats}")
        raise ValueError(Message("plot", template, path=str(path), formats=", ".join(FORMATS)))
    metadata: dict[str, Any] = {
        ".png": {"Software": None},
        ".svg": {"Date": None, "Creator": None},
        ".pdf": {"CreationDate": None, "Creator": None, "Producer": None},
    }[suffix]
    buffer = io.BytesIO()
    with style():
        fig.savefig(buffer, format=suffix[1:], dpi=dpi or "figure", metadata=metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(path, buffer.getvalue())


# --------------------------------------------------------------------------- shared helpers


def outputs_logits(model: Module) -> bool:
    """True when ``model``'s output is logits (not probabilities from Sigmoid / Softmax)."""
    return not isinstance(last_module(model), (Sigmoid, Softmax))


def as_history(source: History | Mapping[str, Any] | str | os.PathLike[str]) -> History:
    """A :class:`History` from a History, its ``to_dict()`` form, a plain
    ``{"loss": [...], ...}`` mapping, or a ``history.json`` file (or a run directory
    holding one)."""
    if isinstance(source, History):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            path = path / "history.json"
        return History.load(path)
    if isinstance(source, Mapping):
        if "history" in source and "epoch" in source:
            return History.from_dict(dict(source))
        history = History()
        lengths = {len(v) for v in source.values()}
        if len(lengths) > 1:
            template = N_("history: the lists have different lengths {lengths}")
            raise ValueError(Message("plot", template, lengths=sorted(lengths)))
        for i in range(lengths.pop() if lengths else 0):
            history.append(i + 1, {k: v[i] for k, v in source.items()})
        return history
    template = N_("expected a History, a dict or a history.json path, got {type}")
    raise TypeError(Message("plot", template, type=type(source).__name__))


def describe(model: Module) -> str:
    """``"2-16-16-2 ReLU"``: the widths of the weight layers and the hidden activation."""
    from ..diagnose.probe import weight_layers

    layers = [(m, w.data.shape) for _, m, w in weight_layers(model)]
    if not layers:
        return type(model).__name__
    widths = [layers[0][1][1], *(getattr(m, "out_features", shape[0]) for m, shape in layers)]
    plumbing = (Linear, BatchNorm1d, Dropout, Flatten)
    leaves = [m for m in model.modules() if not m._modules]
    hidden = next((type(m).__name__ for m in leaves if not isinstance(m, plumbing)), None)
    text = "-".join(str(w) for w in widths)
    return f"{text} {hidden}" if hidden and len(layers) > 1 else text
