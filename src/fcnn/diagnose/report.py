"""``Report``: the per-layer statistics and the verdicts, as text, Markdown or JSON.

Every word is said in the language chosen when the report is shown (``to_text()``,
``to_markdown()``, ``to_dict()``, a notebook's HTML), not when it was made.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

from rich.cells import cell_len

from ..display import html_table
from .probe import LayerStats
from .verdicts import Finding, percent
from .words import N_, Message, _

__all__ = ["COLUMNS", "Report", "layer_row"]

# (heading, meaning) of every column of the per-layer table, in order.
# The English words, marked for the catalog; a report shows them through ``headings()``.
COLUMNS = (
    (N_("layer"), N_("weight layer, 1 = first")),
    (N_("module"), N_("path in the model")),
    (N_("units"), N_("output units")),
    (N_("activation"), N_("what follows the layer")),
    (N_("mean"), N_("mean activation")),
    (N_("std"), N_("std of the activations")),
    (N_("dead"), N_("ReLU-family units never active")),
    (N_("saturated"), N_("sigmoid/tanh units near a bound")),
    ("‖∂L/∂W‖", N_("weight gradient norm")),
    ("‖∂L/∂z‖", N_("backpropagated gradient norm at the layer's output")),
    (N_("update/weight"), N_("‖ΔW‖/‖W‖ of one step")),
)
LEFT = (1, 3)
"""The columns of words (module, activation), left-aligned; the numbers go right."""

# What a line of the report starts with, by the finding's severity (and for a note).
LABELS = {"warning": N_("warning"), "info": N_("info"), "note": N_("note")}


def headings() -> list[str]:
    """The column headings in the current language."""
    return [_(name) for name, _meaning in COLUMNS]


def label(severity: str) -> str:
    """``"warning"``, ``"info"`` or ``"note"`` in the current language."""
    return _(LABELS.get(severity, severity))


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.2e}" if value else "0"


def _share(count: int | None, fraction: float | None) -> str:
    if count is None or fraction is None:
        return "—"
    return f"{count} ({percent(fraction)})" if count else "0"


def layer_row(stats: LayerStats) -> list[str]:
    """One row of the per-layer table, as strings (shared by text, Markdown and the CLI)."""
    return [
        str(stats.layer),
        stats.module or _("(model)"),
        str(stats.units),
        stats.activation or "—",
        f"{stats.mean:.3g}",
        f"{stats.std:.3g}",
        _share(stats.dead_units, stats.dead_fraction),
        _share(stats.saturated_units, stats.saturated_fraction),
        _number(stats.grad_norm),
        _number(stats.backprop_norm),
        _number(stats.update_ratio),
    ]


@dataclass
class Report:
    """What :func:`fcnn.diagnose.diagnose` found.

    Attributes
    ----------
    layers : list of LayerStats
        One entry per weight layer, in forward order.
    findings : list of Finding
        The verdicts, each with ``kind``, ``layer``, ``severity``, ``message``, ``numbers``.
    samples : int
        Rows of data the statistics were computed on.
    loss : float or None
        The loss over those rows (None without targets).
    mode : str
        ``"train"`` or ``"eval"``: the mode the network ran in.
    notes : list of str or Message
        What was not checked, and why (``str(note)`` says it in the current language).
    """

    layers: list[LayerStats]
    findings: list[Finding]
    samples: int
    loss: float | None = None
    mode: str = "train"
    notes: list[str | Message] = field(default_factory=list)

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when no finding is a warning (``info`` findings may remain)."""
        return not self.warnings

    def summary(self) -> str:
        mode = _(MODES.get(self.mode, self.mode))
        if self.loss is None:
            head = _("{samples} samples, {mode} mode").format(samples=self.samples, mode=mode)
        else:
            head = _("{samples} samples, {mode} mode, loss {loss:.4g}").format(
                samples=self.samples, mode=mode, loss=self.loss
            )
        count = len(self.warnings)
        if self.ok:
            verdict = _("no problems found")
        else:
            # one and many: English's two forms (Chinese has one for every count)
            warnings = N_("{n} warning") if count == 1 else N_("{n} warnings")
            verdict = _(warnings).format(n=count)
        return _("{head}: {verdict}").format(head=head, verdict=verdict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (non-finite numbers become None)."""
        loss = self.loss if self.loss is None or math.isfinite(self.loss) else None
        return {
            "ok": self.ok,
            "samples": self.samples,
            "mode": self.mode,
            "loss": loss,
            "layers": [s.to_dict() for s in self.layers],
            "findings": [f.to_dict() for f in self.findings],
            "notes": [str(note) for note in self.notes],
        }

    def _lines(self) -> list[str]:
        lines = []
        for finding in self.findings:
            lines.append(_line(label(finding.severity), finding.message))
        lines.extend(_line(label("note"), str(note)) for note in self.notes)
        return lines

    def to_text(self) -> str:
        """A plain-text table of the layers, then one line per finding and note."""
        rows = [headings()] + [layer_row(s) for s in self.layers]
        widths = [max(cell_len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        table = [
            "  ".join(
                _pad(cell, w, right=i not in LEFT)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in rows
        ]
        return "\n".join([self.summary(), "", *table, "", *self._lines()]).rstrip() + "\n"

    def to_markdown(self) -> str:
        """A Markdown table of the layers and a list of the findings."""
        header = headings()
        lines = [
            "## " + _("Diagnosis"),
            "",
            self.summary(),
            "",
            "| " + " | ".join(header) + " |",
            "| " + " | ".join("---" if i in LEFT else "---:" for i in range(len(header))) + " |",
        ]
        lines += ["| " + " | ".join(layer_row(s)) + " |" for s in self.layers]
        lines.append("")
        if self.findings:
            lines += ["- " + _line(f"**{label(f.severity)}**", f.message) for f in self.findings]
        else:
            lines.append(_("No findings: the network looks healthy on this data."))
        if self.notes:
            lines.append("")
            lines += ["- " + _line(f"*{label('note')}*", str(note)) for note in self.notes]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        """In a notebook: the verdict, the per-layer table, the findings and notes."""
        table = html_table(
            headings(),
            [layer_row(s) for s in self.layers],
            caption=self.summary(),
            right=[i for i in range(len(COLUMNS)) if i not in LEFT],
        )
        note = html.escape(label("note"))
        items = [
            "<li>"
            + _line(f"<b>{html.escape(label(f.severity))}</b>", html.escape(f.message))
            + "</li>"
            for f in self.findings
        ] + [
            "<li>" + _line(f"<i>{note}</i>", html.escape(str(text))) + "</li>"
            for text in self.notes
        ]
        return table + (f"<ul>{''.join(items)}</ul>" if items else "")


MODES = {"train": N_("train"), "eval": N_("eval")}
"""The modes a report names, for the catalog."""


def _line(head: str, text: str) -> str:
    """``"warning: …"``: a label and its text (``"警告：…"`` in Chinese)."""
    return _("{label}: {text}").format(label=head, text=text)


def _pad(cell: str, width: int, right: bool) -> str:
    """``cell`` in ``width`` terminal columns (a Chinese character takes two)."""
    space = " " * max(width - cell_len(cell), 0)
    return space + cell if right else cell + space
