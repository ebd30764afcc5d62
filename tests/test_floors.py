"""The floors of DESIGN.md, checked: a module never imports one on a higher floor.

Every import of an fcnn module by another (at the top of a file or inside a function)
is read from the source with ``ast``; a new top-level module must be given a floor here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "fcnn"

FLOORS = {
    "core": 1,
    "init": 1,
    "checks": 1,
    "registry": 1,
    "parameter": 1,
    "rng": 1,
    "hooks": 1,
    "files": 1,
    "layers": 2,
    "callback": 2,
    "activations": 2,
    "losses": 2,
    "optim": 2,
    "models": 2,
    "data": 3,
    "train": 3,
    "metrics": 3,
    "diagnose": 3,
    "explain": 3,
    "io": 3,
    "interop": 3,
    "plot": 4,
    "reproduce": 4,
    "sklearn": 4,
    "sweep": 4,
    "bench": 4,
    "cli": 5,
    "playground": 5,
}


def top_level(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imports_of(source: str, package: tuple[str, ...]) -> set[str]:
    """The fcnn top-level modules that ``source``, a file in subpackage ``package`` of
    fcnn (``()`` for the top level), imports, relatively or absolutely."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                parts = [*base, *(node.module.split(".") if node.module else [])]
                names = parts[:1] or [alias.name for alias in node.names]
            elif node.module and node.module.split(".")[0] == "fcnn":
                names = node.module.split(".")[1:2] or [alias.name for alias in node.names]
            else:
                continue
            found.update(names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "fcnn" and len(parts) > 1:
                    found.add(parts[1])
    return {name for name in found if name in FLOORS}


def imported_modules(path: Path) -> set[str]:
    package = path.relative_to(PACKAGE).parts[:-1]
    return imports_of(path.read_text(), package)


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def test_every_module_has_a_floor():
    missing = sorted({top_level(p) for p in SOURCES} - set(FLOORS))
    assert not missing, f"give these a floor in tests/test_floors.py: {missing}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_floor(path):
    own = FLOORS[top_level(path)]
    higher = {name: FLOORS[name] for name in imported_modules(path) if FLOORS[name] > own}
    assert not higher, f"{path.relative_to(PACKAGE)} (floor {own}) imports higher floors: {higher}"


def test_the_checker_sees_violations():
    # The test above must be able to fail.
    assert imports_of("from .cli import app\n", ()) == {"cli"}
    assert imports_of("def f():\n    from ..plot import save\n", ("train",)) == {"plot"}
    assert imports_of("import fcnn.sweep.spec\n", ("data",)) == {"sweep"}
    assert imports_of("from . import history\n", ("train",)) == {"train"}
    assert imports_of("from .. import core\n", ("train",)) == {"core"}
