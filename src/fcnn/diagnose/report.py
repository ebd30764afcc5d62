"""``Report``: the per-layer statistics and the verdicts, as text, Markdown or JSON."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

from ..display import html_table
from .probe import LayerStats
from .verdicts import Finding, percent

__all__ = ["COLUMNS", "Report", "layer_row"]

# (heading, meaning) of every column of the per-layer table, in order.
COLUMNS = (
    ("layer", "weight layer, 1 = first"),
    ("module", "path in the model"),
    ("units", "output units"),
    ("activation", "what follows the layer"),
    ("mean", "mean activation"),
    ("std", "std of the activations"),
    ("dead", "ReLU-family units never active"),
    ("saturated", "sigmoid/tanh units near a bound"),
    ("‖∂L/∂W‖", "weight gradient norm"),
    ("‖∂L/∂z‖", "backpropagated gradient norm at the layer's output"),
    ("update/weight", "‖ΔW‖/‖W‖ of one step"),
)


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
        stats.module or "(model)",
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
    notes : list of str
        What was not checked, and why.
    """

    layers: list[LayerStats]
    findings: list[Finding]
    samples: int
    loss: float | None = None
    mode: str = "train"
    notes: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when no finding is a warning (``info`` findings may remain)."""
        return not self.warnings

    def summary(self) -> str:
        loss = "" if self.loss is None else f", loss {self.loss:.4g}"
        head = f"{self.samples} samples, {self.mode} mode{loss}"
        count = len(self.warnings)
        verdict = "no problems found" if self.ok else f"{count} warning{'s' * (count != 1)}"
        return f"{head}: {verdict}"

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
            "notes": list(self.notes),
        }

    def _lines(self) -> list[str]:
        lines = []
        for finding in self.findings:
            lines.append(f"{finding.severity}: {finding.message}")
        lines.extend(f"note: {note}" for note in self.notes)
        return lines

    def to_text(self) -> str:
        """A plain-text table of the layers, then one line per finding and note."""
        rows = [[name for name, _ in COLUMNS]] + [layer_row(s) for s in self.layers]
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        table = [
            "  ".join(
                cell.ljust(w) if i in (1, 3) else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in rows
        ]
        return "\n".join([self.summary(), "", *table, "", *self._lines()]).rstrip() + "\n"

    def to_markdown(self) -> str:
        """A Markdown table of the layers and a list of the findings."""
        header = [name for name, _ in COLUMNS]
        lines = [
            "## Diagnosis",
            "",
            self.summary(),
            "",
            "| " + " | ".join(header) + " |",
            "| " + " | ".join("---" if i in (1, 3) else "---:" for i in range(len(header))) + " |",
        ]
        lines += ["| " + " | ".join(layer_row(s)) + " |" for s in self.layers]
        lines.append("")
        if self.findings:
            lines += [f"- **{f.severity}**: {f.message}" for f in self.findings]
        else:
            lines.append("No findings: the network looks healthy on this data.")
        if self.notes:
            lines.append("")
            lines += [f"- *note*: {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        """In a notebook: the verdict, the per-layer table, the findings and notes."""
        table = html_table(
            [name for name, _ in COLUMNS],
            [layer_row(s) for s in self.layers],
            caption=self.summary(),
            right=[i for i in range(len(COLUMNS)) if i not in (1, 3)],
        )
        items = [
            f"<li><b>{html.escape(f.severity)}</b>: {html.escape(f.message)}</li>"
            for f in self.findings
        ] + [f"<li><i>note</i>: {html.escape(note)}</li>" for note in self.notes]
        return table + (f"<ul>{''.join(items)}</ul>" if items else "")
