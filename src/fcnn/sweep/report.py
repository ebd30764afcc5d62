"""A sweep's results, ranked: rows for tables, Markdown, CSV, and the figure.

The figure draws, for each swept option, the metric of every trial against the
option's value (numbers on a numeric axis, log-scaled when they span more than two
decades; anything else as categories), drawn through fcnn.plot; without matplotlib
no figure is drawn.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

__all__ = ["format_value", "markdown", "plot_sweep", "rank", "table_rows", "to_csv"]


def _score(record: dict[str, Any], metric: str) -> float | None:
    value = record.get("metrics", {}).get(metric)
    return None if value is None or not math.isfinite(value) else float(value)


def rank(records: list[dict[str, Any]], metric: str, direction: str) -> list[dict[str, Any]]:
    """Records best first by ``metric``; trials without it (failed, diverged) last, by index."""
    scored = [r for r in records if _score(r, metric) is not None]
    rest = sorted((r for r in records if _score(r, metric) is None), key=lambda r: r["index"])
    sign = -1 if direction == "max" else 1
    scored.sort(key=lambda r: (sign * _score(r, metric), r["index"]))
    return scored + rest


def format_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "-".join(map(str, value)) if value else "none"
    return str(value)


def _metric_columns(records: list[dict[str, Any]], metric: str) -> list[str]:
    names = {k for r in records for k in r.get("metrics", {})}
    order = {"train": 0, "val": 1, "test": 2}
    others = sorted(
        (n for n in names if n != metric and n.partition("_")[2] in ("loss", "accuracy")),
        key=lambda n: (order.get(n.partition("_")[0], 3), n),
    )
    return [metric, *others]


def table_rows(
    records: list[dict[str, Any]],
    params: list[str],
    metric: str,
    direction: str,
    compact: bool = False,
) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the ranked results, every cell a string; ``compact`` shows only
    the ranking metric (for a terminal)."""
    ranked = rank(records, metric, direction)
    repeats = any(r.get("repeat", 0) for r in records)
    metrics = [metric] if compact else _metric_columns(records, metric)
    header = ["rank", "trial", *params, *(["repeat"] if repeats else []), *metrics]
    header += ["epochs", "seconds", "status"]
    rows = []
    for place, r in enumerate(ranked, 1):
        row = [str(place), str(r["index"])]
        row += [format_value(r["params"].get(p)) for p in params]
        row += [str(r.get("repeat", 0))] if repeats else []
        row += [format_value(r.get("metrics", {}).get(m)) for m in metrics]
        row += [
            str(r.get("epochs_run", "—")),
            f"{r.get('seconds', 0):.2f}",
            r["status"] if r["status"] == "ok" else f"{r['status']}: {r.get('error', '')}",
        ]
        rows.append(row)
    return header, rows


def markdown(title: str, header: list[str], rows: list[list[str]], notes: list[str]) -> str:
    lines = [f"# {title}", "", *notes, ""] if notes else [f"# {title}", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def to_csv(records: list[dict[str, Any]], params: list[str], metric: str, direction: str) -> str:
    """One row per trial, ranked: trial, key, swept values, every metric, status, model."""
    ranked = rank(records, metric, direction)
    metrics = sorted({k for r in records for k in r.get("metrics", {})})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rank", "trial", "key", *params, "repeat", "seed", *metrics])
    for place, r in enumerate(ranked, 1):
        values = [r["params"].get(p) for p in params]
        writer.writerow(
            [place, r["index"], r["key"]]
            + [" ".join(map(str, v)) if isinstance(v, list) else v for v in values]
            + [r.get("repeat", 0), r["config"]["seed"]]
            + [r.get("metrics", {}).get(m) for m in metrics]
        )
    return buffer.getvalue().replace("None", "")


def plot_sweep(
    records: list[dict[str, Any]], params: list[str], metric: str, path: str | Path
) -> Path | None:
    """Draw the metric against each swept option into ``path`` (PNG); None without
    matplotlib or without any scored trial. Drawn through :mod:`fcnn.plot` (its style,
    no pyplot, no global backend change)."""
    from .. import plot
    from ..plot import new_figure, require_matplotlib

    try:
        require_matplotlib()
    except ImportError:
        return None
    scored = [r for r in records if _score(r, metric) is not None]
    if not scored or not params:
        return None
    with plot.style():
        fig, axes = new_figure(1, len(params), figsize=(4 * len(params), 3.4))
        for ax, name in zip(axes[0], params, strict=True):
            values = [r["params"][name] for r in scored]
            ys = [_score(r, metric) for r in scored]
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
            if numeric:
                ax.scatter(values, ys, alpha=0.7)
                positive = [v for v in values if v > 0]
                if len(positive) == len(values) and max(values) / min(values) > 100:
                    ax.set_xscale("log")
            else:
                labels = sorted({format_value(v) for v in values}, key=lambda s: (len(s), s))
                where = {label: i for i, label in enumerate(labels)}
                ax.scatter([where[format_value(v)] for v in values], ys, alpha=0.7)
                ax.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 4 else 0)
            ax.set_xlabel(name)
            ax.set_ylabel(metric)
    return plot.save(fig, path, dpi=100)
