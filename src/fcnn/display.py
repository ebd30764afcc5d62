"""Floor 1: how fcnn shows things, in a terminal and in a Jupyter notebook.

- :func:`summary`: a model's layers, each one's output shape and parameter count, and
  the totals, as Keras's ``model.summary()`` and torchinfo show them. The
  :class:`Summary` it returns prints as a rich table in a terminal and renders as an
  HTML table in a notebook (``Module._repr_html_`` shows any model this way).
- :func:`html_table` and :func:`svg_curves`: the HTML pieces that ``History``,
  the diagnose ``Report`` and others return from ``_repr_html_``.

It sits on floor 1, beside ``core``, because ``Module`` itself calls it: it needs
nothing of a model but what every ``Module`` has (children, parameters, buffers,
``config()``, ``forward``), so it imports no other fcnn module.
"""

from __future__ import annotations

import copy
import html
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import checks
from .i18n import N_, translator

if TYPE_CHECKING:
    from .core import Module

__all__ = ["LayerRow", "Summary", "html_table", "summary", "svg_curves"]

_ = translator("display")


# --------------------------------------------------------------------------- HTML pieces


def html_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    caption: str | None = None,
    right: Sequence[int] = (),
    footer: Sequence[Sequence[Any]] = (),
) -> str:
    """An HTML ``<table>``, every cell escaped; the columns in ``right`` right-aligned
    (numbers), ``footer`` rows after a rule (totals)."""

    def row(cells: Sequence[Any], tag: str) -> str:
        out = []
        for i, cell in enumerate(cells):
            style = ' style="text-align:right"' if i in right else ' style="text-align:left"'
            out.append(f"<{tag}{style}>{html.escape(str(cell))}</{tag}>")
        return "<tr>" + "".join(out) + "</tr>"

    parts = ["<table>"]
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead>" + row(header, "th") + "</thead>")
    parts.append("<tbody>" + "".join(row(r, "td") for r in rows) + "</tbody>")
    if footer:
        parts.append("<tfoot>" + "".join(row(r, "th") for r in footer) + "</tfoot>")
    parts.append("</table>")
    return "".join(parts)


# Colours of the curves, one per series in turn (matplotlib's first four, colour-blind safe).
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


def svg_curves(
    x: Sequence[float],
    series: dict[str, Sequence[float]],
    *,
    title: str = "",
    width: int = 420,
    height: int = 220,
) -> str:
    """Line charts of ``series`` against ``x`` as one inline ``<svg>`` (no matplotlib).

    A non-finite value (a diverged loss) breaks its line; the y axis spans the finite
    values of all the series, labelled with its two ends.
    """
    left, bottom, top, right = 56, 24, 22, 110
    finite = [v for values in series.values() for v in values if math.isfinite(v)]
    if not x or not finite:
        return ""
    low, high = min(finite), max(finite)
    high = high if high > low else low + 1.0  # one flat value still draws a line
    x_low, x_high = min(x), max(x)
    x_span = (x_high - x_low) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def point(xv: float, yv: float) -> str:
        px = left + (xv - x_low) / x_span * plot_w
        py = top + (high - yv) / (high - low) * plot_h
        return f"{px:.1f},{py:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<text x="{left}" y="14">{html.escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{high:.3g}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">{low:.3g}</text>',
        f'<text x="{left}" y="{height - 6}">{x_low:g}</text>',
        f'<text x="{left + plot_w}" y="{height - 6}" text-anchor="end">{x_high:g}</text>',
    ]
    for k, (name, values) in enumerate(series.items()):
        colour = _COLOURS[k % len(_COLOURS)]
        segments: list[list[str]] = [[]]
        for xv, yv in zip(x, values, strict=False):
            if math.isfinite(yv):
                segments[-1].append(point(xv, yv))
            elif segments[-1]:
                segments.append([])
        for seg in segments:
            if seg:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" '
                    f'points="{" ".join(seg)}"/>'
                )
        y = top + 12 + 16 * k
        parts.append(
            f'<line x1="{width - right + 8}" y1="{y - 4}" x2="{width - right + 24}" '
            f'y2="{y - 4}" stroke="{colour}" stroke-width="2"/>'
            f'<text x="{width - right + 28}" y="{y}">{html.escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- model summary


@dataclass(frozen=True)
class LayerRow:
    """One module of a summary: its dotted name, class, depth, output shape and parameters.

    ``output_shape`` is ``(None, features)`` with ``None`` for the batch, as Keras shows
    it; ``features`` is None where it cannot be known without an input. ``params`` is
    the module's parameter count, all of its children's for a container.
    """

    name: str
    kind: str
    depth: int
    output_shape: tuple[int | None, ...]
    params: int
    container: bool

    @property
    def shape(self) -> str:
        """``"(N, 64)"``: the batch as ``N``, an unknown size as ``?``."""
        sizes = ["?" if size is None else str(size) for size in self.output_shape[1:]]
        return "(" + ", ".join(["N", *sizes]) + ")"


@dataclass(frozen=True)
class Summary:
    """What :func:`summary` found: the rows, the totals and how the shapes were found.

    ``trainable_params`` equals ``total_params``: every fcnn ``Parameter`` is trained.
    ``buffers`` counts the scalars a model keeps but does not train (BatchNorm's running
    statistics; Keras lists them as "non-trainable params").
    """

    model: str
    rows: tuple[LayerRow, ...]
    total_params: int
    trainable_params: int
    buffers: int
    input_size: tuple[int, ...] | None

    def _cells(self) -> list[list[str]]:
        return [
            ["  " * row.depth + row.name, row.kind, row.shape, f"{row.params:,}"]
            for row in self.rows
        ]

    def _totals(self) -> list[list[str]]:
        totals = [
            [_("Total params"), "", "", f"{self.total_params:,}"],
            [_("Trainable params"), "", "", f"{self.trainable_params:,}"],
            [_("Non-trainable params"), "", "", f"{self.total_params - self.trainable_params:,}"],
        ]
        if self.buffers:
            totals.append([_("Buffers (not trained)"), "", "", f"{self.buffers:,}"])
        return totals

    def _caption(self) -> str:
        if self.input_size is None:
            return _("{model}: output shapes from the layers' configs").format(model=self.model)
        size = ", ".join(map(str, self.input_size))
        return _("{model}: output shapes by a forward pass of input (N, {size})").format(
            model=self.model, size=size
        )

    HEADER = (N_("Layer"), N_("Type"), N_("Output shape"), N_("Params"))

    def header(self) -> list[str]:
        """The column names in the current language."""
        return [_(name) for name in self.HEADER]

    def __rich__(self) -> Any:
        from rich.table import Table  # rich comes with the CLI; imported only to draw

        table = Table(title=self._caption(), show_footer=False)
        for i, name in enumerate(self.header()):
            table.add_column(name, justify="right" if i == 3 else "left")
        for cells in self._cells():
            table.add_row(*cells)
        table.add_section()  # a rule between the layers and the totals
        for cells in self._totals():
            table.add_row(*cells, style="bold")
        return table

    def to_text(self, width: int = 100) -> str:
        """The table as text, drawn by rich as in a terminal (no colours)."""
        from rich.console import Console

        out = io.StringIO()
        Console(file=out, width=width, color_system=None, legacy_windows=False).print(self)
        return out.getvalue()

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return html_table(
            self.header(),
            [[row.name, row.kind, row.shape, f"{row.params:,}"] for row in self.rows],
            caption=self._caption(),
            right=(3,),
            footer=self._totals(),
        )


def _own_params(module: Module) -> int:
    return sum(p.size for p in module._parameters.values())


def _config_features(module: Module, features: int | None) -> int | None:
    """The output features of a module from what its config declares: ``out_features``
    (Linear, Maxout) or ``num_features`` (BatchNorm1d); every other module keeps the
    number of features it is given (activations, Dropout, Flatten of 2-D input)."""
    config = module.config()
    for key in ("out_features", "num_features"):
        if checks.is_int(config.get(key)):
            return config[key]
    return features


def _shapes_from_configs(model: Module) -> dict[str, tuple[int | None, ...]]:
    shapes: dict[str, tuple[int | None, ...]] = {}

    def walk(name: str, module: Module, features: int | None) -> int | None:
        children = list(module.named_children())
        if children:
            for child_name, child in children:
                features = walk(f"{name}.{child_name}" if name else child_name, child, features)
        else:
            features = _config_features(module, features)
        shapes[name] = (None, features)
        return features

    walk("", model, None)
    return shapes


def _shapes_from_forward(model: Module, size: tuple[int, ...]) -> dict[str, tuple[int | None, ...]]:
    # A deep copy in eval mode: the pass neither moves BatchNorm's running statistics
    # nor draws Dropout masks from the model's generator.
    probe = copy.deepcopy(model).eval()
    for module in probe.modules():
        if module._hooks is not None:  # the user's hooks came along with the copy: not run
            for table in (module._hooks.forward_pre, module._hooks.forward, module._hooks.backward):
                table.clear()
            module._drop_hooks_if_none()
    shapes: dict[str, tuple[int | None, ...]] = {}
    handles = []
    for name, module in probe.named_modules():

        def record(_module: Any, _args: Any, output: Any, name: str = name) -> None:
            shapes[name] = (None, *np.shape(output)[1:])

        handles.append(module.register_forward_hook(record))
    try:
        probe(np.zeros((1, *size), dtype=probe.dtype))
    finally:
        for handle in handles:
            handle.remove()
    return shapes


def summary(model: Module, input_size: int | Sequence[int] | None = None) -> Summary:
    """The layers of ``model``, each one's output shape and parameters, and the totals.

    Parameters
    ----------
    model : Module
    input_size : int or sequence of int, optional
        The shape of one input row (``784``, or ``(28, 28)`` before a ``Flatten``). Given,
        the shapes come from a forward pass of one row of zeros through a deep copy in
        eval mode (``model`` is not touched); omitted, from the layers' configs.

    Returns
    -------
    Summary
        Prints as a table in a terminal, renders as HTML in a notebook.
    """
    size: tuple[int, ...] | None = None
    if input_size is not None:
        size = tuple(input_size) if isinstance(input_size, (tuple, list)) else (input_size,)
        for value in size:
            checks.positive_int("summary", "input_size", value)
    shapes = _shapes_from_configs(model) if size is None else _shapes_from_forward(model, size)
    rows = []
    for name, module in model.named_modules():
        if not name:
            continue
        container = any(True for _ in module.children())
        rows.append(
            LayerRow(
                name=name,
                kind=type(module).__name__,
                depth=name.count("."),
                output_shape=shapes.get(name, (None, None)),
                params=module.num_parameters() if container else _own_params(module),
                container=container,
            )
        )
    if not rows:  # a lone layer is its own only row
        kind = type(model).__name__
        rows.append(LayerRow(kind, kind, 0, shapes[""], _own_params(model), container=False))
    total = model.num_parameters()
    return Summary(
        model=type(model).__name__,
        rows=tuple(rows),
        total_params=total,
        trainable_params=total,
        buffers=sum(int(np.size(b)) for _, b in model.named_buffers()),
        input_size=size,
    )
