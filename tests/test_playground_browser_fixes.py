"""The playground page in headless Chromium: what a user hit (issue #16, first part).

The fixtures (one server and one browser per module, a fresh context per test that fails
on any page or console error) come from ``playground_browser_support``.
"""

from __future__ import annotations

import numpy as np
from playwright.sync_api import expect

from playground_browser_support import (
    SMALL,
    open_page,
    pause,
    running_server,
    server_config,
    settle,
    shot,
    wait_config,
)

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


# Every control a user can click or type into, and the boxes of the visible ones.
CONTROLS_JS = """() => [...document.querySelectorAll('input, select, button, .dataset')]
  .filter(e => !e.closest('#messages') && e.getClientRects().length)
  .map(e => e.getBoundingClientRect())
  .filter(r => r.width > 0 && r.height > 0)
  .map(r => [r.left, r.top, r.right, r.bottom])"""


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_error_messages_cover_no_control_and_go_away(server, context):
    page = open_page(context, server)
    page.evaluate("() => { window.__fcnn.messageTiming.ms = 1500; }")
    page.get_by_test_id("advanced-toggle").click()
    for bad in ["50", "60", "70"]:  # three messages at once, with the Advanced panel open
        page.fill("#lr-input", bad)
        page.press("#lr-input", "Enter")
        settle(page)
    messages = page.get_by_test_id("error-message")
    expect(messages).to_have_count(3)
    boxes = page.eval_on_selector_all(
        "[data-testid=error-message]",
        "ms => ms.map(m => (r => [r.left, r.top, r.right, r.bottom])(m.getBoundingClientRect()))",
    )
    controls = page.evaluate(CONTROLS_JS)
    covered = [c for c in controls for m in boxes if _overlaps(m, c)]
    assert not covered, covered
    shot(page, "error-messages-1280x800.png")
    expect(messages).to_have_count(0, timeout=5_000)  # gone by themselves


def test_a_lost_server_shows_a_banner_and_inert_controls(browser):
    # Its own server, stopped mid-test; its own context, since the refused reconnections
    # are console errors here (uncaught page errors still fail the test).
    ctx = browser.new_context(viewport=SMALL)
    errors: list[str] = []
    ctx.on("page", lambda p: p.on("pageerror", lambda e: errors.append(str(e))))
    with running_server() as url:
        page = open_page(ctx, url)
        banner = page.get_by_test_id("offline-banner")
        expect(banner).to_be_hidden()
    # The server is gone: the page says so and its controls take no input.
    expect(banner).to_be_visible(timeout=10_000)
    expect(banner).to_contain_text("server")
    for control in ["play", "dataset-spiral", "advanced-toggle"]:
        assert page.get_by_test_id(control).evaluate("e => !!e.closest('[inert]')"), control
    shot(page, "server-gone-1280x800.png")
    ctx.close()
    assert not errors, errors


def test_a_weight_l1_set_to_zero_is_drawn_dashed(server, context):
    page = open_page(context, f"{server}/#regularization=l1&reg_rate=0.1")
    wait_config(page, "regularization", "l1")
    page.get_by_test_id("play").click()
    page.wait_for_function(
        "() => window.__fcnnLastState.weights[0].W.flat().some(w => w === 0)", polling=50
    )
    pause(page)
    settle(page)
    dashed = page.eval_on_selector_all(
        "[data-testid=links] .link-line",
        "ls => ls.filter(l => getComputedStyle(l).strokeDasharray !== 'none').length",
    )
    zeros = page.evaluate("() => window.__fcnnLastState.weights.flatMap(l => l.W.flat())")
    assert dashed == sum(w == 0 for w in zeros) > 0


def _readout(page) -> str:
    """What the map says under the pointer at its centre."""
    box = page.locator("#output-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    return page.locator("#map-readout").inner_text()


def test_the_advanced_panel_shows_the_loss_that_applies(server, context):
    page = open_page(context, server)
    page.get_by_test_id("advanced-toggle").click()
    loss = page.locator("#loss-select")
    expect(loss).to_have_value("cross_entropy")
    assert "p(class 1)" in _readout(page)  # a sigmoid's probability
    # A regression trains on mean squared error whatever the loss setting says.
    page.get_by_test_id("dataset-plane").click()
    wait_config(page, "dataset", "plane")
    assert server_config(page)["loss"] == "cross_entropy"
    expect(loss).to_have_value("mse")
    expect(loss).to_be_disabled()
    assert "ŷ =" in _readout(page) and "p(class" not in _readout(page)
    page.get_by_test_id("dataset-circle").click()
    wait_config(page, "dataset", "circle")
    expect(loss).to_be_enabled()
    expect(loss).to_have_value("cross_entropy")
    page.select_option("#loss-select", "mse")
    wait_config(page, "loss", "mse")
    assert "p(class 1)" not in _readout(page)  # a tanh score is no probability


TF_LINK = (
    "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03"
    "&regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false"
    "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false"
    "&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
    "&problem=classification&initZero=false&hideText=false"
)


def test_a_tensorflow_playground_link_opens_with_its_setting(server, context):
    page = open_page(context, f"{server}/{TF_LINK.replace('networkShape=4,2', 'networkShape=3')}")
    wait_config(page, "hidden", [3])
    got = server_config(page)
    want = {"activation": "tanh", "batch_size": 10, "dataset": "circle", "lr": 0.03}
    want |= {"reg_rate": 0, "noise": 0, "train_ratio": 50, "features": ["x1", "x2"]}
    assert {k: got[k] for k in want} == want
    expect(page.get_by_test_id("error-message")).to_have_count(0)  # TF's other keys ignored
    assert "networkShape" not in page.evaluate("() => location.hash")  # now fcnn's keys

    regression = (
        "#problem=regression&regDataset=reg-gauss&dataset=xor&activation=relu&networkShape="
        "&learningRate=0.1&regularization=L1&regularizationRate=0.003&noise=10&x=true&y=false"
        "&xSquared=true&sinY=true&showTestData=true&percTrainData=70&batchSize=5&initZero=true"
    )
    page.goto(f"{server}/{regression}")
    page.reload()
    wait_config(page, "dataset", "multi_gauss")
    got = server_config(page)
    want = {"activation": "relu", "hidden": [], "lr": 0.1, "regularization": "l1"}
    want |= {"reg_rate": 0.003, "noise": 10, "train_ratio": 70, "batch_size": 5}
    want |= {"features": ["x1", "x1^2", "sin_x2"], "init": "zeros"}
    assert {k: got[k] for k in want} == want
    expect(page.locator("#show-test-check")).to_be_checked()
