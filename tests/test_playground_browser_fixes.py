"""The playground page in headless Chromium: what a user hit (issue #16, first part).

The fixtures (one server and one browser per module, a fresh context per test that fails
on any page or console error) come from ``playground_browser_support``.
"""

from __future__ import annotations

import numpy as np
from playwright.sync_api import expect

from playground_browser_support import open_page, settle, shot, wait_config

pytest_plugins = ["playground_browser_fixtures"]


def _csv(name: str, target: str, rows: str) -> dict:
    """An upload: a ``y`` column holds regression targets, a ``label`` column classes."""
    body = f"x1,x2,{target}\n{rows}\n".encode()
    return {"name": name, "mimeType": "text/csv", "buffer": body}


def test_regression_to_three_classes_draws_without_an_error(server, context):
    # The class count came before the new data: the old regression targets were drawn
    # as class indices and the repaint threw, leaving "Regression" on the page.
    page = open_page(context, f"{server}/#dataset=plane&classes=3")
    wait_config(page, "dataset", "plane")
    expect(page.get_by_test_id("problem-type")).to_have_text("Regression")
    page.get_by_test_id("dataset-blobs").click()
    wait_config(page, "dataset", "blobs")
    expect(page.get_by_test_id("problem-type")).to_have_text("Classification")
    expect(page.locator("#dataset-name")).to_contain_text("3 classes")
    shot(page, "plane-to-blobs-3-1280x800.png")

    # The same through uploads: a regression CSV, then a three-class one.
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(60, 2))
    page.set_input_files(
        "#upload-input",
        files=[
            _csv("reg.csv", "y", "\n".join(f"{a:.3f},{b:.3f},{a + 0.37 * b:.3f}" for a, b in X))
        ],
    )
    page.wait_for_function("() => window.__fcnn.app.network?.task === 'regression'")
    settle(page)
    expect(page.get_by_test_id("problem-type")).to_have_text("Regression")
    labels = "\n".join(f"{a:.3f},{b:.3f},{int(a > -1) + int(a > 1)}" for a, b in X)
    page.set_input_files("#upload-input", files=[_csv("three.csv", "label", labels)])
    page.wait_for_function("() => window.__fcnn.app.network?.classes === 3")
    settle(page)
    expect(page.get_by_test_id("problem-type")).to_have_text("Classification")
