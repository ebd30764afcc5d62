"""The results tables in docs/results/ and the README say what runs today.

Every table names the command that regenerates it. Where a fresh run is cheap (the
course's init table, ~10 s), the test reruns it and compares the committed table with it
row by row and note by note; only the line saying where and when it was made may differ.
The planar table gets the same check in tests/test_docs.py, from the README's own
`fcnn reproduce planar` line, so that run is not made twice. The README's results table
quotes the same figures as the committed tables. The long runs (MNIST, Fashion-MNIST,
the activations and optimizers studies, scikit-learn, sweeps, speed) are left to their
scripts; for those the test only checks that each table names its command.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results"

#: Each table and the command that regenerates it (the table must name it).
COMMANDS = {
    "planar": "fcnn reproduce planar",
    "init": "fcnn reproduce init",
    "optimizers": "python benchmarks/reproduce.py optimizers",
    "activations": "python benchmarks/reproduce.py activations",
    "mnist": "python benchmarks/reproduce.py mnist",
    "fashion-mnist": "python benchmarks/reproduce.py fashion-mnist",
    "dropout": "python benchmarks/reproduce.py dropout",
    "sklearn": "python benchmarks/sklearn_compare.py",
    "sweep": "python benchmarks/sweep_speedup.py",
}
CHEAP = ["init"]  # rerun here; planar is rerun by the README's page test


def _named_commands(text: str) -> list[str]:
    return re.findall(r"(?:Made|Measured) with `([^`]+)`|Command: `([^`]+)`", text)


def test_every_table_is_listed_and_names_its_command():
    assert sorted(p.stem for p in RESULTS.glob("*.md")) == sorted(COMMANDS)
    for name, command in COMMANDS.items():
        text = (RESULTS / f"{name}.md").read_text(encoding="utf-8")
        named = [a or b for a, b in _named_commands(text)]
        assert named, f"docs/results/{name}.md names no command that made it"
        assert named[0].startswith(command), f"docs/results/{name}.md: made with {named[0]!r}"


def test_readme_speed_table_names_its_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    speed = readme.split("### Speed", 1)[1].split("\n## ", 1)[0]
    assert "Measured with `python benchmarks/run.py" in speed


from test_docs import _without_provenance  # noqa: E402  (tests/ is on the path)


@pytest.mark.parametrize("name", CHEAP)
def test_committed_table_is_what_a_fresh_run_gives(name):
    from fcnn.reproduce import REPRODUCTIONS

    fresh = REPRODUCTIONS[name]()
    committed = (RESULTS / f"{name}.md").read_text(encoding="utf-8")
    assert _without_provenance(committed) == _without_provenance(fresh.to_markdown()), (
        f"docs/results/{name}.md is not what `{COMMANDS[name]}` gives today; "
        f"rerun `{COMMANDS[name]} --out docs/results`"
    )


def _table_rows(markdown: str) -> dict[str, str]:
    """setting → ours, from a results table."""
    rows = {}
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in ("setting", "---"):
            rows[cells[0]] = cells[1]
    return rows


def test_readme_quotes_the_committed_tables():
    """The README's results table gives the figures the committed tables hold."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    planar = _table_rows((RESULTS / "planar.md").read_text(encoding="utf-8"))
    init = _table_rows((RESULTS / "init.md").read_text(encoding="utf-8"))
    optimizers = _table_rows((RESULTS / "optimizers.md").read_text(encoding="utf-8"))

    def number(cell: str) -> str:
        return cell.removesuffix(" %")

    sweep = ", ".join(
        number(planar[f"{n} hidden unit{'s' if n > 1 else ''}, 5000 steps"])
        for n in (1, 2, 3, 4, 5, 20, 50)
    )
    expected = [
        f"| planar: logistic regression | {planar['logistic regression (2-1, sigmoid)']} |",
        f"| planar: 2-4-1 tanh, 10,000 steps | {planar['2-4-1 tanh/sigmoid, 10000 steps']} |",
        f"| planar: hidden units 1, 2, 3, 4, 5, 20, 50 | {sweep} % |",
        f"| init, circles: zeros (train / test) | {number(init['zeros: train'])} / "
        f"{init['zeros: test']} |",
        f"| init: randn·10 | {number(init['randn·10: train'])} / {init['randn·10: test']} |",
        f"| init: He | {number(init['He, randn·√(2/fan_in): train'])} / "
        f"{init['He, randn·√(2/fan_in): test']} |",
        "| optimizers, moons: mini-batch GD / momentum / Adam | "
        + " / ".join(number(v) for v in optimizers.values())
        + " % |",
    ]
    for row in expected:
        assert row in readme, f"README's results table lacks {row!r}"
