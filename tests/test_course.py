"""The course notebooks (course/<lang>/NN-name.md, MyST Markdown paired with a stored
.ipynb): each stored notebook is its text's (same cells) and carries outputs; the English
and Chinese chapters have the same code cells, cell for cell, except the first cell's
``fcnn.set_language`` call; every chapter, in both languages, runs top to bottom in a fresh
kernel and prints what its stored notebook shows (the examples that were the tutorial's,
held to tests/test_docs.py's rules: each number to one unit of its last digit or 0.1 %),
in its own language; and the stored Chinese notebooks print the English ones' numbers.
"""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


course = _load("course_tool", ROOT / "tools" / "course.py")
docs = _load("docs_rules", ROOT / "tests" / "test_docs.py")

CHAPTERS = course.chapters()
ENGLISH = [path for path in CHAPTERS if path.parent.name == "en"]
CHINESE = [path for path in CHAPTERS if path.parent.name == "zh"]
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _code(text: Path) -> list[tuple[str, str]]:
    return course.cells(course.notebook(text), "code")


def _printed(nb) -> str:
    return "".join(course.printed(cell) for cell in nb.cells if cell.cell_type == "code")


def _is_exercise(cell) -> bool:
    return re.search(r"(?m)^check\(", cell.source) is not None


def _speaks_chinese(printed: str) -> bool:
    return "还不对" in printed or "还没有答案" in printed


def test_there_are_chapters_in_both_languages():
    assert len(ENGLISH) >= 8
    assert sorted(p.name for p in CHINESE) == [p.name for p in ENGLISH]


@pytest.mark.parametrize("text", ENGLISH, ids=lambda p: p.stem)
def test_english_and_chinese_code_cells_differ_only_in_the_language(text):
    zh = course.COURSE / "zh" / text.name
    en_code, zh_code = _code(text), _code(zh)
    assert course.language_call("en") in en_code[0][1]
    assert course.language_call("zh") in zh_code[0][1]
    assert course.neutral(zh_code, "zh") == en_code
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
    assert _speaks_chinese(_printed(stored)) == (text.parent.name == "zh")


@pytest.mark.parametrize("text", ENGLISH, ids=lambda p: p.stem)
def test_both_languages_store_the_same_numbers(text):
    """Switching the language changes no number a chapter prints (exercise verdicts and
    fcnn's messages aside: compared cell by cell, digits only, outside check cells)."""
    en = nbformat.read(text.with_suffix(".ipynb"), as_version=4)
    zh = nbformat.read((course.COURSE / "zh" / text.name).with_suffix(".ipynb"), as_version=4)
    pairs = zip(
        [c for c in en.cells if c.cell_type == "code"],
        [c for c in zh.cells if c.cell_type == "code"],
        strict=True,
    )
    for a, b in pairs:
        if not _is_exercise(a) and "diagnose" not in a.source:
            assert _NUMBER.findall(course.printed(a)) == _NUMBER.findall(course.printed(b))


@pytest.mark.parametrize("text", CHAPTERS, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_chapter_runs_and_prints_what_it_stores(text):
    """Every chapter, in both languages, runs top to bottom in a fresh kernel (any error
    fails) and prints what its stored notebook shows, in its own language."""
    lang = text.parent.name
    began = time.perf_counter()
    nb = course.execute(course.notebook(text), lang)  # raises on any error
    print(f"{lang}/{text.name}: {time.perf_counter() - began:.1f} s")
    stored = nbformat.read(text.with_suffix(".ipynb"), as_version=4)
    fresh = [c for c in nb.cells if c.cell_type == "code"]
    kept = [c for c in stored.cells if c.cell_type == "code"]
    for number, (new, old) in enumerate(zip(fresh, kept, strict=True), start=1):
        shown, printed = course.printed(old), course.printed(new)
        assert docs.output_matches(shown, printed), (
            f"{lang}/{text.name}, code cell {number}: the notebook shows\n{shown}\n"
            f"but it printed\n{printed}"
        )
    assert _speaks_chinese(_printed(nb)) == (lang == "zh")
