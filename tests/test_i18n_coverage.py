"""What a person reads stays bilingual: the epoch lines of ``fit`` name their numbers in
the current language and keep every number; no user-facing error is raised with a bare
English string (an AST scan of ``src/fcnn``, with the internal modules allowed); the
playground server refuses in the language the page asks for."""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import numpy as np

import fcnn
from fcnn.i18n import using_language

NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def epoch_lines(lang, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = fcnn.mlp([2, 8, 2], seed=0)
    with using_language(lang):
        fcnn.fit(
            model, X, y, epochs=3, lr=0.1, batch_size=16, seed=0, verbose=2,
            validation_split=0.25, metrics=["accuracy", "f1"],
        )  # fmt: skip
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    # the last field is the epoch's time, which no two runs share
    assert all(re.search(r"\ds$|\d 秒$", line) for line in lines), lines
    return [line.rsplit("  ", 1)[0] for line in lines]


def test_epoch_lines_name_their_numbers_in_chinese_and_keep_them(capsys):
    english, chinese = epoch_lines("en", capsys), epoch_lines("zh", capsys)
    assert len(english) == len(chinese) == 3
    for en, zh in zip(english, chinese, strict=True):
        assert "loss" in en and "val_accuracy" in en and "lr" in en
        for word in ("损失", "准确率", "验证损失", "验证准确率", "学习率", "轮"):
            assert word in zh, zh
        for word in ("loss", "accuracy", "lr ", "val_", "epoch"):
            assert word not in zh, (word, zh)
        assert NUMBER.findall(en) == NUMBER.findall(zh)


# --------------------------------------------------------------------------------------
# No user-facing error with a bare English string

SOURCE = Path(fcnn.__file__).resolve().parent

# Errors that report a bug in fcnn or in code calling it wrongly, never bad input.
INTERNAL_ERRORS = {"NotImplementedError", "AssertionError", "StopIteration"}

# Modules whose raises of a bare string stay, with how many: internal invariants and
# programmer-facing checks a CLI user never meets (a bug, a hook, a registry, a worker's
# pipe, the language refused before one is known). A module not listed must raise none;
# a listed one no more than its count, and a count above what the module holds must be
# lowered (the list only shrinks).
BARE_RAISES = {
    # internal: programmer-facing API, invariants and plumbing
    # Module plumbing: assigning before __init__ or a non-Parameter to a parameter's name,
    # spec() of an unregistered class, register_module's two refusals (for those who write
    # a Module subclass, not for bad input)
    "core.py": 5,
    "interop/torch_interop.py": 1,  # the module's __getattr__: Python's AttributeError
    # a hook that returns the wrong thing, or is not callable: for who writes a hook
    "hooks.py": 3,
    "registry.py": 2,  # a name that is not a str, an argument a class lacks: Python only
    "i18n.py": 5,  # said before a language is known
    "optim/_state_dict.py": 12,  # load_state_dict of a hand-made dict
    "explain/verify.py": 3,  # the trace disagreeing with backward: a bug
    "playground/classroom.py": 1,  # the load test's own server
    # a session gone with its worker: a signal the server catches and says in the page's
    # language ("no such session", playground/refusals.py)
    "playground/pool.py": 1,
    "playground/worker.py": 1,  # a call for a session its worker has already closed
    "playground/server.py": 2,  # create_app's arguments (the CLI checks its own)
}


def _bare(node: ast.AST) -> bool:
    """A str literal, an f-string, or text glued onto one: English fixed in the code."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return _bare(node.left) or _bare(node.right)
    return False


def bare_raises(path: Path) -> list[int]:
    """The lines of ``path`` raising an error whose message is a bare string."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in INTERNAL_ERRORS and node.exc.args and _bare(node.exc.args[0]):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_scan_finds_a_bare_raise_and_passes_a_message(tmp_path):
    module = tmp_path / "part.py"
    module.write_text(
        "raise ValueError(f'{x} is bad')\n"
        "raise StreamError('no rows ' + name)\n"
        "raise ValueError(Message('data', N_('{x} is bad'), x=x))\n"
        "raise ValueError(_('no rows'))\n"
        "raise NotImplementedError('subclasses say')\n"
    )
    assert bare_raises(module) == [1, 2]


def test_no_user_facing_error_is_raised_with_bare_english():
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        lines = bare_raises(path)
        if lines:
            found[path.relative_to(SOURCE).as_posix()] = lines
    over = {name: lines for name, lines in found.items() if len(lines) > BARE_RAISES.get(name, 0)}
    assert not over, (
        "errors raised with bare English (wrap the message: Message(domain, N_(...), "
        f"field=...) or _(...).format(...)), by module and line: {over}"
    )
    fewer = {
        name: len(found.get(name, ())) for name, count in BARE_RAISES.items()
        if len(found.get(name, ())) < count
    }  # fmt: skip
    assert not fewer, f"fewer bare raises than BARE_RAISES allows: lower them to {fewer}"


# --------------------------------------------------------------------------------------
# The playground server's own refusals


def test_the_playground_server_refuses_in_the_language_the_page_asks_for():
    from fcnn.playground.server import create_app

    with warnings.catch_warnings():  # Starlette 1.x suggests httpx2 over httpx; both work
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    chinese = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    with TestClient(create_app()) as client:
        missing = client.get("/api/session/nope/model.py", headers=chinese)
        assert missing.status_code == 404 and missing.json() == {"error": "没有这个会话"}
        asked = client.get("/api/session/nope/data.csv?lang=zh")
        assert asked.json() == {"error": "没有这个会话"}
        english = client.get("/api/session/nope/model.py?lang=en", headers=chinese)
        assert english.json() == {"error": "no such session"}  # ?lang= beats the browser
        bad = client.get("/api/thumbnails?classes=x", headers=chinese)
        assert bad.status_code == 400 and "必须是" in bad.json()["error"]
        assert "must be" not in bad.json()["error"]
        length = client.post(
            "/api/session/nope/data", content=b"", headers={**chinese, "content-length": "x"}
        )
        assert "没有这个会话" in length.json()["error"]


def test_no_message_is_marked_inside_an_f_string():
    # Babel's extractor reads an f-string as one token: a _("...") inside one never
    # reaches the catalog, so it would stay English in every language.
    hidden = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in {"_", "N_"}
                ):
                    hidden.append(f"{path.relative_to(SOURCE)}:{inner.lineno}")
    assert not hidden, f"_() or N_() inside an f-string, which the catalogs miss: {hidden}"
