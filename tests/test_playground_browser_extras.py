"""The playground page in headless Chromium: issue #16's small items (new random
weights, the fine heat map, the phone layout, metrics, classroom links).

The fixtures (one server and one browser per module, a fresh context per test that fails
on any page or console error) come from ``playground_browser_fixtures``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playground_browser_support import ARTIFACTS, last_state, open_page, settle, shot, wait_config

pytest_plugins = ["playground_browser_fixtures"]


def test_new_weights_draws_a_seed_the_link_keeps(server, context):
    page = open_page(context, f"{server}/#seed=3")
    first = last_state(page)["weights"]
    button = page.get_by_test_id("new-weights")
    expect(button).to_have_attribute(
        "title", "New random weights: draw a new weight seed, kept in the link (N)"
    )
    button.click()
    page.wait_for_function("() => (window.__fcnn.app.server?.init_seed ?? 0) > 0")
    settle(page)
    init_seed = page.evaluate("() => window.__fcnn.app.server.init_seed")
    drawn = last_state(page)["weights"]
    assert drawn != first
    assert f"init_seed={init_seed}" in page.evaluate("() => location.hash")
    shot(page, "new-weights-1280x800.png")
    # Reset replays the drawn seed; the link opens the same weights in a new tab.
    page.get_by_test_id("reset").click()
    settle(page)
    assert last_state(page)["weights"] == drawn
    other = open_page(context, page.url)
    wait_config(other, "init_seed", init_seed)
    assert last_state(other)["weights"] == drawn


def test_the_output_map_is_painted_from_the_fine_grid(server, context):
    page = open_page(
        context, f"{server}/#dataset=spiral&hidden=8,8&activation=relu&discretize=true"
    )
    page.click("#play-button")
    page.wait_for_function("() => (window.__fcnnLastState?.epoch ?? 0) > 40", timeout=20_000)
    page.click("#play-button")
    settle(page)
    assert last_state(page)["output"]["fine"]["size"] == 100
    size = page.evaluate(
        """async () => {
            const views = await import(new URL("static/js/views.js", location.href));
            return [views.outputMap.grid.width, views.outputMap.grid.height];
        }"""
    )
    assert size == [100, 100]
    shot(page, "fine-output-spiral-1280x800.png")


PHONE = {"width": 390, "height": 844}
# Everything written in the network: feature names, the layer titles and their neuron
# counts, "output", the gradient-flow numbers.
LABELS = (
    "#network .feature-label, #network .col-title, #network .out-title, "
    "#network .layer-controls, #network .grad-text, #network .grad-title"
)


def _overlaps(boxes: list[dict]) -> list[tuple[int, int]]:
    """Pairs of boxes that share more than a pixel each way."""
    pairs = []
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            dx = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
            dy = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
            if dx > 1 and dy > 1:
                pairs.append((i, j))
    return pairs


@pytest.mark.parametrize("hidden", ["4,2", "8,8,8,8,8,8"])
def test_a_phone_gets_a_network_it_can_read(server, new_context, hidden):
    page = open_page(new_context(viewport=PHONE), f"{server}/#hidden={hidden}")
    settle(page)
    net = page.locator("#network").bounding_box()
    assert net["width"] >= 300, net  # not squeezed into a sliver
    # Every node square is a square a finger can hit.
    for box in page.locator("#network .node").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().width)"
    ):
        assert box >= 22
    labels = page.locator(LABELS)
    texts = labels.evaluate_all("els => els.map(e => e.textContent)")
    boxes = labels.evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })"
    )
    clash = [(texts[i], texts[j]) for i, j in _overlaps(boxes)]
    assert not clash, clash
    # None is cut off by the left edge of the network's box (it scrolls to the right only).
    cut = [t for t, b in zip(texts, boxes, strict=True) if b["x"] < net["x"] - 1]
    assert not cut, cut
    # Nodes never sit on one another either.
    nodes = page.locator("#network .node").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })"
    )
    assert not _overlaps(nodes)
    # The controls stay reachable: play is on screen, and the page does not scroll sideways.
    assert page.locator("#play-button").bounding_box()["x"] + 10 < PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    # A diagram wider than the screen scrolls sideways to its output.
    page.locator("#network").evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    out = page.get_by_test_id("output-node-0").bounding_box()
    assert out["x"] + out["width"] <= PHONE["width"]
    page.get_by_test_id("output-node-0").scroll_into_view_if_needed()
    shot(page, f"phone-390x844-hidden-{hidden.replace(',', '-')}.png")
    name = f"phone-full-hidden-{hidden.replace(',', '-')}.png"
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_metrics_beside_the_loss(server, context):
    page = open_page(context, f"{server}/#dataset=blobs&classes=3&noise=30")
    page.click("#play-button")
    page.wait_for_function("() => (window.__fcnnLastState?.epoch ?? 0) > 20", timeout=20_000)
    page.click("#play-button")
    page.wait_for_function("() => window.__fcnnLastState?.running === false", timeout=10_000)
    settle(page)
    metrics = last_state(page)["metrics"]
    expect(page.get_by_test_id("metric-test-accuracy")).to_have_text(
        f"{metrics['test']['accuracy']:.3f}"
    )
    expect(page.get_by_test_id("metric-train-accuracy")).to_have_text(
        f"{metrics['train']['accuracy']:.3f}"
    )
    page.locator("#metrics summary").click()
    cells = page.get_by_test_id("confusion").locator("td").all_inner_texts()
    assert [int(c) for c in cells] == [n for r in metrics["test"]["confusion"] for n in r]
    shot(page, "metrics-blobs-3-1280x800.png")
    # The folded matrix stays open across states; a regression shows R² and RMSE.
    page.get_by_test_id("dataset-plane").click()
    wait_config(page, "dataset", "plane")
    r2 = last_state(page)["metrics"]["test"]["r2"]
    expect(page.get_by_test_id("metric-test-r2")).to_have_text(f"{r2:.3f}")
    expect(page.get_by_test_id("metric-test-rmse")).to_be_visible()
    expect(page.get_by_test_id("confusion")).to_have_count(0)
    shot(page, "metrics-plane-1280x800.png")


def test_a_classroom_link_hides_controls_and_stops_by_itself(server, context):
    link = "#lr_hide=true&playButton_hide=true&numHiddenLayers_hide=true&stop_epoch=15"
    page = open_page(context, f"{server}/{link}")
    wait_config(page, "stop_epoch", 15)
    expect(page.get_by_test_id("lr-select")).to_be_hidden()
    expect(page.get_by_test_id("play")).to_be_hidden()
    expect(page.get_by_test_id("add-layer")).to_be_hidden()
    expect(page.get_by_test_id("add-neuron-0")).to_be_hidden()
    expect(page.get_by_test_id("activation-select")).to_be_visible()
    expect(page.get_by_test_id("step")).to_be_visible()
    fragment = page.evaluate("() => location.hash")
    assert "lr_hide=true" in fragment and "play_hide=true" in fragment
    assert "hidden_hide=true" in fragment and "stop_epoch=15" in fragment
    shot(page, "classroom-link-1280x800.png")
    # The stop condition: play (the space key; the button is hidden) pauses at epoch 15.
    page.get_by_test_id("advanced-toggle").click()
    expect(page.get_by_test_id("stop-epoch-input")).to_have_value("15")
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => window.__fcnnLastState?.epoch >= 15 && !window.__fcnnLastState.running",
        timeout=20_000,
    )
    assert last_state(page)["epoch"] == 15
    expect(page.get_by_test_id("epoch")).to_have_text("000,015")
    # A stop at a test loss, set from its control.
    page.get_by_test_id("stop-loss-input").fill("0.3")
    page.get_by_test_id("stop-loss-input").press("Enter")
    wait_config(page, "stop_test_loss", 0.3)
    assert "stop_test_loss=0.3" in page.evaluate("() => location.hash")
