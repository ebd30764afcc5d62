"""The course notebooks (course/<lang>/NN-name.md, MyST Markdown paired with a stored
.ipynb): each runs top to bottom in a fresh kernel, in both languages; each stored
notebook is its text's (same cells; outputs may differ) and carries outputs; the English
and Chinese chapters have the same code cells, cell for cell."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("course_tool", ROOT / "tools" / "course.py")
course = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course)

CHAPTERS = course.chapters()
ENGLISH = [path for path in CHAPTERS if path.parent.name == "en"]
BUDGET_SECONDS = 30  # wall time per chapter; each takes 3-8 s here


def test_there_are_chapters_in_both_languages():
    assert len(ENGLISH) >= 3
    assert sorted(p.name for p in CHAPTERS if p.parent.name == "zh") == [p.name for p in ENGLISH]


@pytest.mark.parametrize("text", ENGLISH, ids=lambda p: p.stem)
def test_english_and_chinese_code_cells_are_identical(text):
    zh = course.COURSE / "zh" / text.name
    assert course.cells(course.notebook(text), "code") == course.cells(course.notebook(zh), "code")
    # the prose differs: a chapter copied without translating fails here
    assert course.cells(course.notebook(text), "markdown") != course.cells(
        course.notebook(zh), "markdown"
    )


@pytest.mark.parametrize("text", CHAPTERS, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_stored_notebook_is_its_text_with_outputs(text):
    assert course.out_of_step(text) is None
    stored = nbformat.read(text.with_suffix(".ipynb"), as_version=4)
    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), "stored without running: run the tool"
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("text", CHAPTERS, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_chapter_runs_top_to_bottom(text):
    began = time.perf_counter()
    nb = course.execute(course.notebook(text), text.parent.name)  # raises on any error
    seconds = time.perf_counter() - began
    assert seconds < BUDGET_SECONDS, f"{text.name} took {seconds:.0f} s"
    printed = "".join(
        str(o.get("text", o.get("data", {}).get("text/plain", "")))
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )
    # the exercises answer in the chapter's language (FCNN_LANG of the kernel)
    chinese = "还不对" in printed or "还没有答案" in printed
    assert chinese == (text.parent.name == "zh")
