"""fcnn.i18n: which language is chosen, and the catalogs complete and current.

The catalog check is the one ``python tools/catalogs.py --check`` prints: every message the
code marks has a Chinese translation that is not fuzzy, has the same ``{fields}`` as the
English, no entry is stale, and each compiled ``.mo`` matches its ``.po``.
"""

from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path

import pytest

import fcnn
from fcnn import i18n

ROOT = Path(__file__).resolve().parents[1]


def load_tool():
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "tools" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def clean_environment(monkeypatch):
    for variable in ("FCNN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    i18n.set_language(None)
    yield monkeypatch
    i18n.set_language(None)


@pytest.mark.parametrize("domain", sorted(i18n.DOMAINS))
def test_every_message_has_a_current_translation(domain):
    tool = load_tool()
    for lang in tool.TRANSLATED:
        assert tool.problems(domain, lang) == []


def test_the_check_finds_an_untranslated_and_a_stale_message(tmp_path, monkeypatch):
    """The check can fail: a domain whose catalog lacks one message and keeps another."""
    tool = load_tool()
    (tmp_path / "fcnn").mkdir()
    source = tmp_path / "fcnn" / "part.py"
    source.write_text('_("Loss went up.")\n_("{n} epochs left")\n')
    monkeypatch.setattr(tool, "PACKAGE", tmp_path / "fcnn")
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setitem(tool.DOMAINS, "part", ("part.py",))
    monkeypatch.setattr(tool, "LOCALE_DIR", tmp_path / "locale")
    catalog = tool.updated("part", "zh")
    catalog["{n} epochs left"].string = "还剩 {m} 轮"  # a field renamed by mistake
    catalog.add("Old message.", string="旧消息。")
    path = tool.po_path("part", "zh")
    path.parent.mkdir(parents=True)
    path.write_bytes(tool.po_text(catalog))
    found = "\n".join(tool.problems("part", "zh"))
    assert "untranslated 'Loss went up.'" in found
    assert "stale entry 'Old message.'" in found
    assert "has fields ['n'], its translation ['m']" in found
    assert ".mo: missing" in found


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "FCNN_LANG": "en"}, "en"),
        ({"FCNN_LANG": "zh"}, "zh"),
    ],
)
def test_language_from_the_environment(clean_environment, variables, expected):
    for name, value in variables.items():
        clean_environment.setenv(name, value)
    assert i18n.get_language() == expected


def test_set_language_wins_over_the_environment_until_reset(clean_environment):
    clean_environment.setenv("FCNN_LANG", "zh")
    i18n.set_language("en")
    assert i18n.get_language() == "en"
    i18n.set_language(None)
    assert i18n.get_language() == "zh"
    with i18n.using_language("en"):
        assert i18n.get_language() == "en"
    assert i18n.get_language() == "zh"


def test_unknown_languages_are_refused_in_one_line(clean_environment):
    with pytest.raises(
        ValueError, match="language 'fr' is not one fcnn speaks: choose one of en, zh"
    ):
        i18n.set_language("fr")
    clean_environment.setenv("FCNN_LANG", "klingon")
    with pytest.raises(ValueError, match=r"^FCNN_LANG: language 'klingon'"):
        i18n.get_language()
    with pytest.raises(ValueError, match="no message domain 'nope'"):
        i18n.translator("nope")


def test_the_translator_follows_the_language_on_every_call(clean_environment, tmp_path):
    """A catalog for a made-up domain, compiled into a temporary locale folder."""
    tool = load_tool()
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="zh", domain="demo")
    catalog.add("Hidden layer", string="隐藏层")
    folder = tmp_path
    (folder / "zh" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "zh" / "LC_MESSAGES" / "demo.mo").write_bytes(tool.mo_bytes(catalog))
    clean_environment.setattr(i18n, "LOCALE_DIR", folder)
    clean_environment.setitem(i18n.DOMAINS, "demo", ())
    i18n._catalog.cache_clear()
    _ = i18n.translator("demo")
    assert _("Hidden layer") == "Hidden layer"
    i18n.set_language("zh")
    assert _("Hidden layer") == "隐藏层"
    assert _("Not in the catalog") == "Not in the catalog"
    i18n._catalog.cache_clear()


def test_a_complete_catalog_with_a_plural_passes_the_check(tmp_path, monkeypatch):
    tool = load_tool()
    (tmp_path / "fcnn").mkdir()
    (tmp_path / "fcnn" / "part.py").write_text('ngettext("{n} epoch", "{n} epochs", n)\n')
    monkeypatch.setattr(tool, "PACKAGE", tmp_path / "fcnn")
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setitem(tool.DOMAINS, "part", ("part.py",))
    monkeypatch.setattr(tool, "LOCALE_DIR", tmp_path / "locale")
    catalog = tool.updated("part", "zh")
    catalog[("{n} epoch", "{n} epochs")].string = ("{n} 轮",)
    path = tool.po_path("part", "zh")
    path.parent.mkdir(parents=True)
    path.write_bytes(tool.po_text(catalog))
    path.with_suffix(".mo").write_bytes(tool.mo_bytes(catalog))
    assert tool.problems("part", "zh") == []


def test_the_glossary_gives_each_term_one_row():
    """docs/zh/glossary.md: one Chinese word per English term, so no term twice."""
    rows = [
        line.split("|")[1:3]
        for line in (ROOT / "docs" / "zh" / "glossary.md").read_text().splitlines()
        if line.startswith("| ") and not line.startswith("| 中文") and "---" not in line
    ]
    chinese = [zh.strip() for zh, _ in rows]
    english = [en.strip() for _, en in rows]
    assert len(rows) > 50
    assert sorted({t for t in chinese if chinese.count(t) > 1}) == []
    assert sorted({t for t in english if english.count(t) > 1}) == []


def test_argument_refusals_read_in_the_language_current_when_shown(clean_environment):
    """fcnn.checks' errors carry a Message: made in English, printed in Chinese after the
    switch, with the same numbers; they pickle (they cross process boundaries)."""
    import pickle

    import numpy as np

    import fcnn
    from fcnn import checks

    with pytest.raises(ValueError) as caught:
        fcnn.Dropout(1.5)
    english = str(caught.value)
    assert english == "Dropout(p=1.5): p must be in [0, 1)"
    i18n.set_language("zh")
    assert str(caught.value) == "Dropout(p=1.5)：p 必须在 [0, 1) 之内"
    assert str(pickle.loads(pickle.dumps(caught.value))) == str(caught.value)
    with pytest.raises(TypeError, match="必须是正整数，传入的却是 float"):
        fcnn.Linear(2.5, 3)
    with pytest.raises(ValueError, match=r"X\[0, 1\] 是 nan（第 0 行、第 1 列"):
        checks.check_finite("X", np.array([[1.0, np.nan]]))
    # a phrase a caller wrote itself stays English, set off by a space
    error = checks.refusal(TypeError, "f", "x", "a", "a teapot")
    assert str(error) == "f(x='a')：x 必须 a teapot，传入的却是 str"
    said = checks.said_of(caught.value, "--dropout 1.5")
    assert str(said) == "--dropout 1.5：必须在 [0, 1) 之内"
    i18n.set_language("en")
    assert str(said) == "--dropout 1.5: must be in [0, 1)"
    assert checks.said_of(ValueError("plain"), "--x") is None


def test_a_model_summary_in_chinese_has_the_same_numbers(clean_environment):
    import re

    import fcnn

    model = fcnn.mlp([2, 4, 1], activation="tanh")
    english = model.summary().to_text()
    i18n.set_language("zh")
    chinese = model.summary().to_text()
    assert "参数总数" in chinese and "输出形状" in chinese and "Total params" in english
    assert re.findall(r"\d+", chinese) == re.findall(r"\d+", english)
    assert "参数总数" in model._repr_html_()


def test_a_listing_takes_each_language_s_comma_when_read():
    from fcnn.i18n import N_, Listing, Message

    said = Message("diagnose", N_("layers {names}: {step}"), names=Listing([1, 2, 3]), step="")
    layers = Listing([1, 2, 3])
    assert str(layers) == "1, 2, 3"
    fcnn.set_language("zh")
    assert str(layers) == "1、2、3"
    assert "1、2、3" in str(said)
    assert pickle.loads(pickle.dumps(layers)) == layers
