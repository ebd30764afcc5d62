"""The benchmarks' Markdown tables, written one way: a header line, the rule under it
(``---`` or, for a column of numbers aligned right, ``---:``), a line per row; printed,
and written to the ``.md`` file a benchmark was asked for (the committed results).

A benchmark run as ``python benchmarks/NAME.py`` imports it as ``from table import ...``
(its own folder is first on ``sys.path``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def row(cells: Iterable[Any]) -> str:
    """One table line: ``| a | b | c |``."""
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def table(header: Sequence[str], rows: Iterable[Iterable[Any]] = (), align: str = "") -> list[str]:
    """The lines of a table: ``header``, its rule, then ``rows``. ``align`` holds an ``l`` or
    ``r`` per column (``"lrr"``); columns it does not reach are aligned left."""
    rule = ["---:" if align[i : i + 1] == "r" else "---" for i in range(len(header))]
    return [row(header), row(rule), *(row(cells) for cells in rows)]


def emit(
    lines: Sequence[str], markdown: str | Path | None = None, preamble: Sequence[str] = ()
) -> str:
    """Print ``lines``; with ``markdown``, also write them there after ``preamble`` (lines
    of their own, the last usually ``""``), ending in a newline. Returns the printed text."""
    text = "\n".join(lines)
    print(text)
    if markdown:
        Path(markdown).write_text("\n".join(preamble) + text + "\n", encoding="utf-8")
    return text
