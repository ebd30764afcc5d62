"""The playground in Chinese and English, in a real headless Chromium (issue #15).

The page takes its language from the link (``?lang=zh`` or ``#…&lang=zh``), else from the
browser (``navigator.languages``), has a visible EN / 中文 switch, and keeps ``lang=`` in
its URL state; its strings come from the server's "playground" catalog, and the session
says its own sentences (errors, diagnostics) in the page's language. Switching language
changes no number. The Chinese page's screenshot is ``test-artifacts/playground/
playground-zh.png``.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
from playwright.sync_api import expect

from fcnn.playground.server import STATIC
from fcnn.playground.session import Session
from playground_browser_support import LARGE, SMALL, get_json, open_page, settle, shot

pytest_plugins = ["playground_browser_fixtures"]

ROOT = Path(__file__).resolve().parents[1]
EPOCH = re.compile(r"^\d{3},\d{3}$")
LOSS = re.compile(r"^(\d+\.\d{3}|\d\.\de[+-]\d+)$")


def load_tool():
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "tools" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numbers(page):
    """What the page shows as numbers: the epoch, both losses, the sliders' values."""
    ids = ["epoch", "train-loss", "test-loss", "noise-value", "batch-size-value"]
    return {i: page.locator(f"#{i}").inner_text() for i in ids}


# What the page shows in each language: a top-bar label, the problem type (written by
# the JS), the Advanced toggle, the network's first column title.
TEXTS = {
    "zh": ("zh-CN", "学习率", "分类", "高级 ▾", "特征"),
    "en": ("en", "Learning rate", "Classification", "Advanced ▾", "Features"),
}


def expect_language(page, lang):
    html_lang, lr, problem, advanced, features = TEXTS[lang]
    expect(page.locator("html")).to_have_attribute("lang", html_lang)
    expect(page.locator("label[for=lr-select]")).to_have_text(lr)
    expect(page.locator("#problem-type")).to_have_text(problem)
    expect(page.locator("#advanced-toggle")).to_have_text(advanced)
    expect(page.get_by_test_id(f"lang-{lang}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".col-title").first).to_have_text(features)


def test_the_catalog_is_served_as_json(server):
    zh = get_json(f"{server}/api/catalog/zh.json")
    assert zh["Learning rate"] == "学习率"
    assert get_json(f"{server}/api/catalog/en.json") == {}


def test_a_chinese_link_switches_to_english_and_back_without_changing_a_number(server, new_context):
    page = open_page(new_context(), f"{server}/?lang=zh")
    expect_language(page, "zh")
    for _ in range(3):
        page.click("#step-button")
    page.wait_for_function("() => window.__fcnnLastState.epoch === 3", timeout=15_000)
    settle(page)
    shown = numbers(page)
    assert EPOCH.match(shown["epoch"]) and shown["epoch"] == "000,003"
    assert LOSS.match(shown["train-loss"]) and LOSS.match(shown["test-loss"])
    assert "lang=zh" in page.evaluate("() => location.hash")

    # English, then Chinese again: the same numbers; the session speaks the page's
    # language too (a refused config comes back in it)
    for noise, (lang, refusal) in enumerate([("en", "must be"), ("zh", "必须是")], 90):
        page.get_by_test_id(f"lang-{lang}").click()
        expect_language(page, lang)
        settle(page)
        assert numbers(page) == shown
        assert f"lang={lang}" in page.evaluate("() => location.hash")
        page.evaluate("n => window.__fcnn.send({type: 'config', config: {noise: n}})", noise)
        expect(page.get_by_test_id("error-message").last).to_contain_text(refusal)


def test_a_chinese_browser_gets_the_chinese_page(server, new_context):
    page = open_page(new_context(LARGE, locale="zh-CN"), server)
    expect_language(page, "zh")
    expect(page.locator("label[for=activation-select]")).to_have_text("激活函数")
    expect(page.locator("#activation-select option:checked")).to_have_text("Tanh")
    expect(page.locator("#dataset-name")).to_have_text("圆形")
    page.click("#advanced-toggle")
    expect(page.locator("#advanced-panel h3").first).to_have_text("优化器")
    settle(page)
    path = shot(page, "playground-zh.png")
    assert path.stat().st_size > 10_000
    # a laptop's width: the Chinese labels (wider per character) still fit the top bar
    page.set_viewport_size(SMALL)
    settle(page)
    shot(page, "playground-zh-1280.png")
    bar = page.get_by_test_id("topbar").bounding_box()
    switch = page.get_by_test_id("lang-switch").bounding_box()
    assert switch["x"] + switch["width"] <= bar["x"] + bar["width"]


def test_an_english_browser_gets_the_english_page(server, context):
    page = open_page(context, server)
    expect_language(page, "en")


def test_the_session_says_its_diagnostics_in_its_language():
    session = Session()
    session.modules[session.dense[0]].weight.data[0, 0] = np.nan  # a diverged network
    english = session.state()["diagnostics"]
    session.lang = "zh"
    chinese = session.state()["diagnostics"]
    assert "Training paused: lower the learning rate and press reset." in english
    assert "训练已暂停：请调低学习率，然后按重置。" in chinese
    assert len(chinese) == len(english)


def test_the_pages_html_text_is_in_the_catalog():
    """Each data-i18n element's text and each data-i18n-attr attribute is a message of
    the playground catalog (so tools/catalogs.py --check covers the HTML too)."""
    tool = load_tool()
    found = {m.id: m.locations for m in tool.template("playground") if m.id}
    html = (STATIC / "index.html").read_text()
    marked = re.findall(r"<(\w+)[^>]*\sdata-i18n[\s>]", html)
    from_html = [k for k, where in found.items() if any(p.endswith(".html") for p, _ in where)]
    assert len(from_html) >= len(marked) > 30
    for text in ("Which data set do you want to use?", "Ratio of training to test data:"):
        assert text in from_html
    assert "Reset the network: new weights from the seed (R)" in from_html  # an attribute
