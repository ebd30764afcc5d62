"""The benchmark's table: times per unit, ratios against PyTorch, scikit-learn and the
matrix-product floor, and achieved GFLOP/s; as a rich table or as Markdown."""

from __future__ import annotations

from typing import Any

__all__ = ["markdown_table", "rich_table", "rows"]

HEADER = [
    "case",
    "fcnn",
    "torch",
    "sklearn",
    "matmul floor",
    "fcnn / torch",
    "fcnn / sklearn",
    "fcnn / floor",
    "fcnn GFLOP/s",
]


SHORT_HEADER = [
    "case",
    "fcnn",
    "torch",
    "sklearn",
    "floor",
    "/torch",
    "/sklearn",
    "/floor",
    "GFLOP/s",
]

#: The ratio table's header when the results are folded into two tables.
NARROW_RATIOS = ["case", "vs torch", "vs sklearn", "vs floor", "GFLOP/s"]


def _time(seconds: float | None, unit: str) -> str:
    if seconds is None:
        return "—"
    if unit == "step":
        return f"{seconds * 1e6:,.0f} µs"
    if unit == "call":
        return f"{seconds * 1e3:,.1f} ms"
    return f"{seconds:,.2f} s"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None else f"{a / b:.2f}×"


def rows(report: dict[str, Any], short: bool = False) -> list[list[str]]:
    """One row of strings per case, in :data:`HEADER`'s order (``short``: the case's name
    instead of its description, for a terminal)."""
    out = []
    for r in report["results"]:
        s = r["seconds"]
        per = {"step": "step", "epoch": "epoch", "call": "call"}[r["unit"]]
        out.append(
            [
                f"{r['case']} /{per}" if short else f"{r['label']} (per {per})",
                _time(s["fcnn"], r["unit"]),
                _time(s.get("torch"), r["unit"]),
                _time(s.get("sklearn"), r["unit"]),
                _time(s.get("floor"), r["unit"]),
                _ratio(s["fcnn"], s.get("torch")),
                _ratio(s["fcnn"], s.get("sklearn")),
                _ratio(s["fcnn"], s.get("floor")),
                f"{r['fcnn_gflops']:.1f}",
            ]
        )
    return out


def memory_line(report: dict[str, Any]) -> str | None:
    mem = report.get("memory")
    if not mem:
        return None
    parts = []
    for name in ("fcnn", "torch"):
        if name in mem:
            m = mem[name]
            parts.append(
                f"{name} peak {m['peak_mib']:.0f} MiB (training added {m['training_mib']:.0f} MiB)"
            )
    return f"Peak RSS, {mem['case']}, {mem['steps']} steps: " + "; ".join(parts)


def markdown_table(report: dict[str, Any]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(report)]
    extra = memory_line(report)
    return "\n".join(lines) + (f"\n\n{extra}\n" if extra else "\n")


def _rich(title: str, header: list[str], body: list[list[str]], caption: str | None = None):
    from rich import box
    from rich.table import Table

    table = Table(title=title, caption=caption, box=box.SIMPLE_HEAD, title_justify="left")
    table.caption_justify = "left"
    for i, name in enumerate(header):
        # Only the case's name may wrap: a number cut in two is misread.
        table.add_column(name, justify="left" if i == 0 else "right", no_wrap=i > 0)
    for row in body:
        table.add_row(*row)
    return table


def rich_table(report: dict[str, Any], width: int | None = None):
    """The results for a terminal ``width`` columns wide (None: any width).

    One table when it fits; otherwise two stacked ones, each fitting 80 columns: the
    time per unit of every framework, then fcnn's ratios to each and its GFLOP/s.
    """
    from rich.console import Console, Group
    from rich.measure import Measurement

    m = report["machine"]
    title = (
        f"fcnn bench: {report['threads']} thread(s), float32, {report['data']}, "
        f"median of {report['repeats']}"
    )
    caption = f"{m.get('cpu', '?')}; a ratio below 1: fcnn is faster"
    body = rows(report, short=True)
    one = _rich(title, SHORT_HEADER, body, caption)
    wide = Console(width=1000)
    if width is None or Measurement.get(wide, wide.options, one).maximum <= width:
        return one
    times = _rich(f"{title}: time per unit", SHORT_HEADER[:5], [r[:5] for r in body])
    ratios = _rich("fcnn's time over each framework's, and fcnn's speed", NARROW_RATIOS,
                   [r[:1] + r[5:] for r in body], caption)  # fmt: skip
    return Group(times, ratios)
