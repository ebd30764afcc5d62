"""The fixtures of the playground's browser tests, loaded by their modules through
``pytest_plugins`` (so pytest imports this module itself): one server and one headless
Chromium per module, and browser contexts whose tests fail on any page or console error.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from playground_browser_support import CHROMIUM, CHROMIUM_ARGS, SMALL, running_server


@pytest.fixture(scope="module")
def server():
    with running_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _watch(page, problems: list[str]) -> None:
    """Collect the page's uncaught errors and console errors (a 4xx answer the test asked
    for logs "Failed to load resource", which is expected)."""
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))

    def console(msg):
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            problems.append(f"console {msg.type}: {msg.text}")

    page.on("console", console)


@pytest.fixture
def new_context(browser):
    """Makes browser contexts (fresh cookies, fresh tabs); the test fails on a page error."""
    made = []
    problems: list[str] = []

    def make(viewport=SMALL, **options):
        # options: more of Playwright's new_context arguments (e.g. locale="zh-CN")
        ctx = browser.new_context(viewport=viewport, accept_downloads=True, **options)
        ctx.on("page", lambda page: _watch(page, problems))
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
    assert not problems, problems


@pytest.fixture
def context(new_context):
    """A fresh 1280×800 browser context."""
    return new_context()
