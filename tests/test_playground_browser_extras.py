"""The playground page in headless Chromium: issue #16's small items (new random
weights, the fine heat map, the phone layout, metrics, classroom links).

The fixtures (one server and one browser per module, a fresh context per test that fails
on any page or console error) come from ``playground_browser_fixtures``.
"""

from __future__ import annotations

from playwright.sync_api import expect

from playground_browser_support import last_state, open_page, settle, shot, wait_config

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
