"""Build the course notebooks from their text: course/<lang>/NN-name.md → NN-name.ipynb.

    python tools/course.py             # every chapter, both languages: convert and execute
    python tools/course.py 02          # the chapters whose file name starts with 02
    python tools/course.py --check     # say which stored .ipynb is out of step with its text

Each chapter is a MyST Markdown notebook (jupytext): the ``.md`` is what is edited and
reviewed, the ``.ipynb`` beside it is generated, executed top to bottom in a fresh kernel
(nbclient) so its outputs are real, and committed so that it reads on a repository page.
Each chapter's first code cell says its language, ``fcnn.set_language("en")`` or
``("zh")``, so a Chinese notebook speaks Chinese (the exercises' verdicts, diagnose,
figures) whatever the learner's locale; that call is the one difference allowed between
the two languages' code cells. To prove it, the kernel runs with ``FCNN_LANG`` set to the
*other* language. Figures saved by a chapter go to a temporary folder, never into the
repository.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
LANGUAGES = ("en", "zh")
TIMEOUT = 120  # seconds per cell: a chapter runs in a few seconds


def chapters(prefix: str = "") -> list[Path]:
    """Every chapter's text, English and Chinese, in order."""
    return [
        path
        for lang in LANGUAGES
        for path in sorted((COURSE / lang).glob(f"{prefix}*.md"))
        if path.name[:2].isdigit()
    ]


def notebook(text: Path) -> nbformat.NotebookNode:
    """The chapter's text as an (unexecuted) notebook."""
    return jupytext.read(text, fmt="md:myst")


def language_call(lang: str) -> str:
    """The line of a chapter's first code cell that chooses its language."""
    return f'fcnn.set_language("{lang}")'


def neutral(code: list[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """A chapter's code cells with its first cell's language call made English's: what
    must be identical between the languages."""
    if not code:
        return code
    (kind, first), rest = code[0], code[1:]
    return [(kind, first.replace(language_call(lang), language_call("en"), 1)), *rest]


def execute(nb: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel, in an empty folder; the kernel's environment
    says the other language, so only the chapter's own ``set_language`` makes it speak
    ``lang``."""
    src = str(ROOT / "src")
    path = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != src]
    kernel_environment = {
        "FCNN_LANG": "en" if lang == "zh" else "zh",  # the kernel inherits the environment
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONPATH": os.pathsep.join([src, *path]),
    }
    with mock.patch.dict(os.environ, kernel_environment), tempfile.TemporaryDirectory() as folder:
        NotebookClient(
            nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": folder}}
        ).execute()
    return nb


def cells(nb: nbformat.NotebookNode, kind: str | None = None) -> list[tuple[str, str]]:
    """(type, source) of each cell: what must agree between text and notebook."""
    return [
        (cell.cell_type, cell.source.strip())
        for cell in nb.cells
        if kind is None or cell.cell_type == kind
    ]


def printed(cell: nbformat.NotebookNode) -> str:
    """What a code cell printed (stdout and plain-text results; not stderr, not images)."""
    return "".join(
        str(o.get("text", ""))
        if o.output_type == "stream" and o.get("name") == "stdout"
        else str(o.get("data", {}).get("text/plain", ""))
        if "data" in o and "image/png" not in o.get("data", {})
        else ""
        for o in cell.get("outputs", [])
    )


def out_of_step(text: Path) -> str | None:
    """Why the stored notebook is not the text's, or None when it is."""
    stored = text.with_suffix(".ipynb")
    if not stored.exists():
        return f"{stored.relative_to(ROOT)}: missing (run python tools/course.py)"
    if cells(nbformat.read(stored, as_version=4)) != cells(notebook(text)):
        return f"{stored.relative_to(ROOT)}: its cells differ from {text.name} (rerun the tool)"
    return None


def build(text: Path) -> float:
    """Convert, execute and store one chapter; the seconds it took."""
    began = time.perf_counter()
    nb = execute(notebook(text), text.parent.name)
    nbformat.write(nb, text.with_suffix(".ipynb"))
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefix", nargs="?", default="", help="e.g. 02 for chapter 2 only")
    parser.add_argument("--check", action="store_true", help="only say what is out of step")
    args = parser.parse_args(argv)
    if args.check:
        found = [line for text in chapters(args.prefix) if (line := out_of_step(text))]
        print("\n".join(found) or "every notebook is its text's")
        return 1 if found else 0
    for text in chapters(args.prefix):
        seconds = build(text)
        print(f"{text.relative_to(ROOT)} → .ipynb, executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
