"""The README's examples (and its Chinese counterpart's, docs/zh/README.md, run in
Chinese) run, and print what the page shows; the tutorial points to
every chapter of the course (its examples are the chapters' cells: tests/test_course.py).

Sybil (https://sybil.readthedocs.io) reads the Markdown: every ```python block runs in one
namespace per page, in page order; every ```bash block runs its ``fcnn ...`` lines through
typer's CliRunner; a ```text block right after a block is the output that block must
print. A block that cannot run in a test is marked in the page itself with Sybil's skip
directive and the reason, ``<!-- skip: next "reason" -->``; ``SKIPPED`` below lists them,
so a new one is a failing test until it is listed here on purpose.

How an output is compared (tests/test_course.py holds the course notebooks to the same rules):

- whitespace runs count as one space, and runs of a table's horizontal rule characters as
  one character, so a column that grows by a digit still matches;
- a number matches when it is within one unit of its last printed digit, or 0.1 % of its
  value, whichever is larger (float32 sums differ in the last bits between BLAS kernels);
- a range ``low–high`` (an en dash) stands where a figure depends on the machine's BLAS
  kernel (a chaotic training run): the number printed must lie in it, give or take one
  unit of the last digit; the page says why beside it;
- a number followed by ``s``, ``ms`` or ``µs`` (in Chinese ``秒``, ``毫秒``, ``微秒``) is a
  timing and matches any number;
- ``...`` alone on a line stands for any number of lines (an excerpt); inside a line, for
  any text;
- a warning prints as Python prints it, with the page's file shown as ``script.py`` and
  the line counted from the top of the block, so the page shows where it points.

Every page runs in a fresh temporary folder (with an empty ``docs/tutorial/`` for any
figure a page saves), so nothing is written into the repository.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import re
import shlex
import time
import unittest
import warnings
from pathlib import Path

import pytest
from sybil import Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.evaluators.skip import Skipper
from sybil.parsers.markdown import CodeBlockParser, SkipParser
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "docs/zh/README.md"]

#: The language each page is run in (``FCNN_LANG``): its shown outputs are in it. The rest
#: of the suite speaks English (tests/conftest.py).
LANGUAGE = {"docs/zh/README.md": "zh"}

#: Every block a page marks as not run in the tests: (page, reason). A new skip marker
#: fails test_skipped_blocks_are_the_listed_ones until it is listed here.
SKIPPED = [
    ("README.md", "installs fcnn (the tests run inside that install)"),
    ("README.md", "installs packages and runs the whole suite: it is .ci/run"),
    ("README.md", "needs your own CSV and the MNIST IDX files"),
    ("README.md", "takes 10 minutes and needs the MNIST IDX files"),
    ("README.md", "starts a server and opens a browser (tests/test_playground_*.py)"),
    ("docs/zh/README.md", "installs fcnn (the tests run inside that install)"),
    ("docs/zh/README.md", "installs packages and runs the whole suite: it is .ci/run"),
    ("docs/zh/README.md", "installs packages and starts JupyterLab"),
    ("docs/zh/README.md", "starts a server and opens a browser (tests/test_playground_*.py)"),
]

#: The whole docs test must stay fast (a minute at most). Counted in this process's CPU
#: seconds, which a machine shared with other work does not inflate as it does wall time.
BUDGET_SECONDS = {"README.md": 35, "docs/zh/README.md": 10}

OUTPUT = "_docs_output"  # the namespace key holding the last block's output
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_SHOWN = re.compile(f"({_NUMBER.pattern})(?:–({_NUMBER.pattern}))?")  # a number or a range
_TIMING = re.compile(r"\s?(?:s|ms|µs|秒|毫秒|微秒)\b")
_RULES = re.compile(r"([─━═│┃])\1+")
runner = CliRunner()


def _source_line(filename: str, lineno: int) -> str:
    return linecache.getline(filename, lineno).strip()


def _warning_text(caught: list[warnings.WarningMessage], page: str, first: int) -> str:
    """The warnings as Python prints them; the page's own lines shown as ``script.py``."""
    lines = []
    for w in caught:
        where = f"{w.filename}:{w.lineno}"
        if Path(w.filename) == Path(page):
            where = f"script.py:{w.lineno - first + 1}"
        lines.append(f"{where}: {w.category.__name__}: {w.message}")
        source = _source_line(w.filename, w.lineno)
        if source:
            lines.append(f"  {source}")
    return "\n".join(lines) + ("\n" if lines else "")


def run_python(example) -> None:
    """Run a ```python block; keep what it printed (stdout, then warnings)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        PythonEvaluator()(example)
    first = example.line + example.parsed.line_offset + 1
    example.namespace[OUTPUT] = out.getvalue() + _warning_text(caught, example.path, first)


def commands(block: str) -> list[list[str]]:
    """The command lines of a ```bash block: continuations joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", block)
    return [words for line in joined.splitlines() if (words := shlex.split(line, comments=True))]


def run_commands(example) -> None:
    """Run each ``fcnn ...`` line of a ```bash block in-process; keep what they printed."""
    from fcnn.cli import app

    printed = []
    for words in commands(example.parsed):
        assert words[0] == "fcnn", (
            f"line {example.line}: only fcnn commands run here, not {words[0]!r}; "
            'mark the block <!-- skip: next "reason" --> if it cannot run in a test'
        )
        result = runner.invoke(app, words[1:], env={"COLUMNS": "80"})
        assert result.exit_code == 0, (
            f"line {example.line}: `{shlex.join(words)}` exited {result.exit_code}:\n"
            f"{result.output}"
        )
        printed.append(result.output)
    example.namespace[OUTPUT] = "".join(printed)


def _normal(line: str) -> str:
    return " ".join(_RULES.sub(r"\1", line).split())


def _decimals(text: str) -> float:
    mantissa, _, exponent = text.lower().partition("e")
    places = len(mantissa.partition(".")[2])
    return 10.0 ** (-places + (int(exponent) if exponent else 0))


def _line_matches(shown: str, actual: str) -> bool:
    """One line of the page against one line printed, by the rules in the docstring."""
    shown, actual = _normal(shown), _normal(actual)
    pattern, numbers, position = [], [], 0
    for match in _SHOWN.finditer(shown):
        text = shown[position : match.start()]
        pattern.append(".*".join(re.escape(part) for part in text.split("...")))
        timing = _TIMING.match(shown, match.end()) is not None
        numbers.append(None if timing else match.groups())
        pattern.append(f"({_NUMBER.pattern})")
        position = match.end()
    pattern.append(".*".join(re.escape(part) for part in shown[position:].split("...")))
    found = re.fullmatch("".join(pattern), actual)
    if found is None:
        return False
    for expected, got in zip(numbers, found.groups(), strict=True):
        if expected is None:
            continue
        low, high = expected[0], expected[1] or expected[0]
        unit = max(_decimals(low), _decimals(high)) * (1 + 1e-9)
        g = float(got)
        if not float(low) - max(1e-3 * abs(float(low)), unit) <= g:
            return False
        if not g <= float(high) + max(1e-3 * abs(float(high)), unit):
            return False
    return True


def output_matches(shown: str, actual: str) -> bool:
    """The page's output block against what ran; ``...`` lines match any lines."""
    want = [line for line in shown.splitlines() if line.strip()]
    got = [line for line in actual.splitlines() if line.strip()]

    def match(i: int, j: int) -> bool:
        if i == len(want):
            return j == len(got)
        if want[i].strip() == "...":
            return any(match(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and _line_matches(want[i], got[j]) and match(i + 1, j + 1)

    return match(0, 0)


def check_output(example) -> None:
    """A ```text block: what the block before it printed, by the rules above."""
    actual = example.namespace.pop(OUTPUT, None)
    assert actual is not None, f"line {example.line}: an output block with no block before it"
    assert output_matches(example.parsed, actual), (
        f"line {example.line}: the page shows\n{example.parsed}\nbut the block printed\n{actual}"
    )


SYBIL = Sybil(
    parsers=[
        CodeBlockParser("python", run_python),
        CodeBlockParser("bash", run_commands),
        CodeBlockParser("text", check_output),
        SkipParser(),
    ]
)


def run_page(page: str, folder: Path, monkeypatch) -> list[tuple[str, str]]:
    """Run every block of ``page`` in ``folder``; return the (page, reason) of each skip."""
    (folder / "docs" / "tutorial").mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("FCNN_LANG", LANGUAGE.get(page, "en"))
    skipped = []
    examples = list(SYBIL.parse(ROOT / page).examples())
    for example, following in zip(examples, [*examples[1:], None], strict=True):
        try:
            example.evaluate()
        except unittest.SkipTest as err:  # raised by the block after a skip marker
            skipped.append((page, str(err)))
            continue
        shown = following is not None and following.region.evaluator is check_output
        if example.region.evaluator is run_python and not shown:
            # what a Python block prints is part of the page's promise: it must be shown
            assert not example.namespace.get(OUTPUT), (
                f"{page}, line {example.line}: the block prints what the page does not "
                f"show:\n{example.namespace[OUTPUT]}"
            )
    return skipped


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_and_prints_what_it_shows(page, tmp_path, monkeypatch):
    began = time.process_time()
    skipped = run_page(page, tmp_path, monkeypatch)
    seconds = time.process_time() - began
    assert skipped == [skip for skip in SKIPPED if skip[0] == page]
    budget = BUDGET_SECONDS[page]
    assert seconds < budget, f"{page} took {seconds:.0f} CPU s (budget {budget} s)"
    table = tmp_path / "results" / "planar.md"  # written by the README's `fcnn reproduce planar`
    if page == "README.md":
        committed = (ROOT / "docs" / "results" / "planar.md").read_text(encoding="utf-8")
        assert _without_provenance(table.read_text(encoding="utf-8")) == _without_provenance(
            committed
        ), "docs/results/planar.md is not what `fcnn reproduce planar` gives today: rerun it"


def _without_provenance(markdown: str) -> str:
    """A results table without the line saying where, when and how fast it was made."""
    return re.sub(r"(?m)^Made with `.*$", "Made with ...", markdown)


def test_skipped_blocks_are_the_listed_ones():
    """Counted from the pages' own skip markers, without running the pages."""
    found = []
    for page in PAGES:
        for example in SYBIL.parse(ROOT / page).examples():
            if isinstance(example.region.evaluator, Skipper):
                action, reason = example.parsed
                assert action == "next", f"{page}, line {example.line}: use 'skip: next'"
                assert reason, f"{page}, line {example.line}: a skip needs its reason"
                found.append((page, eval(reason)))
    assert found == SKIPPED


def test_the_tutorial_is_an_index_of_the_chapters():
    """docs/tutorial.md became the course: it runs nothing and links every chapter."""
    page = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    assert "```python" not in page and "```bash" not in page
    chapters = sorted((ROOT / "course" / "en").glob("[0-9][0-9]-*.md"))
    assert chapters
    for chapter in chapters:
        link = f"../course/en/{chapter.stem}.ipynb"
        assert f"]({link})" in page, f"docs/tutorial.md does not link {link}"
        assert (ROOT / "docs" / link).resolve().exists()


def test_comparison_rules():
    """The rules the pages are held to, on lines they could show."""
    assert _line_matches("accuracy 0.962", "accuracy 0.9620001")
    assert not _line_matches("accuracy 0.962", "accuracy 0.920")
    assert _line_matches("│ 0.2471 │ 91.2% │ 2.9 s │", "│  0.2471 │ 91.2% │ 13.4 s │")
    assert not _line_matches("20 hidden units: 90.50 %", "20 hidden units: 90.00 %")
    assert _line_matches("loss 3.65e-10", "loss 3.651e-10")
    assert _line_matches("│ 91.2% │ 0.6 秒 │", "│ 91.2% │ 2.5 秒 │")
    assert not _line_matches("│ 91.2% │ 0.6 秒 │", "│ 90.2% │ 2.5 秒 │")
    assert _line_matches("accuracy 0.920–0.946", "accuracy 0.93")
    assert not _line_matches("accuracy 0.920–0.946", "accuracy 0.95")
    assert _line_matches("...: Warning: epoch 1: ...", "a.py:3: Warning: epoch 1: x")
    assert output_matches("a\n...\nz", "a\nb\nc\nz")
    assert not output_matches("a\n...\nz", "a\nb\nc")
