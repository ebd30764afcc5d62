"""The floors of docs/architecture.md, checked: a module never imports one on a higher
floor, and there is no import cycle, between packages or between modules.

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
    "module_state": 1,
    "specs": 1,
    "init": 1,
    "checks": 1,
    "i18n": 1,
    "registry": 1,
    "parameter": 1,
    "rng": 1,
    "hooks": 1,
    "files": 1,
    "tensorfile": 1,
    "constraints": 1,
    "display": 1,
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
    "exercises": 4,
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


# --------------------------------------------------------------------------- import cycles


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:``, which never run
    (annotations of types from a module that imports this one are no cycle)."""
    nodes, stack = [], [tree]
    while stack:
        node = stack.pop()
        nodes.append(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return nodes


def module_imports(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The fcnn modules (dotted, relative to fcnn; a package is its ``__init__``) that a
    module imports anywhere in its source, inside functions too."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    if module == "":
        package = []
    found = set()

    def add(base: list[str], names: list[str]) -> None:
        for name in names:
            candidate = ".".join([*base, name])
            if candidate in known:
                found.add(candidate)
            elif ".".join(base) in known:
                found.add(".".join(base))

    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                base = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "fcnn":
                base = node.module.split(".")[1:]
            else:
                continue
            add(base, [alias.name for alias in node.names])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "fcnn" and len(parts) > 1:
                    found.add(".".join(parts[1:]))
    found.discard("")  # fcnn itself: every module's parent package, never a cycle of its own
    found.discard(module)
    return found


def _graph(paths: list[Path]) -> dict[str, set[str]]:
    known = {_module_name(p) for p in paths}
    return {
        _module_name(p): module_imports(
            p.read_text(), _module_name(p), p.name == "__init__.py", known
        )
        for p in paths
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


ALL_SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_no_import_cycle_between_modules():
    found = cycles(_graph(ALL_SOURCES))
    assert not found, f"import cycles (imports inside functions count): {found}"


def test_no_import_cycle_between_packages():
    graph: dict[str, set[str]] = {}
    for module, targets in _graph(ALL_SOURCES).items():
        if not module:
            continue
        own = module.split(".")[0]
        graph.setdefault(own, set()).update(t.split(".")[0] for t in targets)
        graph[own].discard(own)
    found = cycles(graph)
    assert not found, f"packages that import each other (inside functions too): {found}"


def test_the_cycle_check_sees_cycles():
    # The tests above must be able to fail, imports inside functions included.
    known = {"io", "interop", "interop.onnx_export", "train", "train.loop", "diagnose"}
    assert module_imports("from .interop import to_onnx\n", "io", False, known) == {"interop"}
    inside = "def f():\n    from ..io import atomic_write_bytes\n"
    assert module_imports(inside, "interop.onnx_export", False, known) == {"io"}
    assert module_imports("from .loop import fit\n", "train", True, known) == {"train.loop"}
    typing_only = "if TYPE_CHECKING:\n    from ..io import load\n"
    assert module_imports(typing_only, "interop.onnx_export", False, known) == set()
    graph = {"io": {"interop"}, "interop": {"interop.onnx_export"}, "interop.onnx_export": {"io"}}
    assert cycles(graph) == [["interop", "interop.onnx_export", "io"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
