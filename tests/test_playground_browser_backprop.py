"""Backprop mode in headless Chromium (issue #16, "See backprop happen"): the notes' 2-2-2
example stepped through, its numbers read off the page, and a training point picked by a
click on the output map. The fixtures come from ``playground_browser_support``."""

from __future__ import annotations

from playwright.sync_api import expect

from playground_browser_support import open_page, shot

pytest_plugins = ["playground_browser_fixtures"]

W5 = (
    "∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5"
    " = 0.74136507 · 0.186815602 · 0.593269992 = 0.082167041"
)


def step_to(page, kind: str) -> None:
    """Press ▶ until the step of ``kind`` (and layer) is shown."""
    for _ in range(12):
        if page.evaluate(
            "k => window.__fcnnBackprop.steps[window.__fcnnBackprop.at]?.kind === k", kind
        ):
            return
        page.get_by_test_id("backprop-next").click()
    raise AssertionError(f"no {kind} step")


def test_the_preset_steps_through_with_the_notes_numbers(server, context):
    page = open_page(context, server)
    page.get_by_test_id("backprop").click()
    expect(page.get_by_test_id("backprop-panel")).to_be_visible()
    expect(page.get_by_test_id("network")).to_be_hidden()
    page.get_by_test_id("backprop-preset").click()
    expect(page.get_by_test_id("backprop-stepno")).to_have_text("Step 1 of 8")

    page.get_by_test_id("backprop-next").click()  # forward, layer 1
    page.locator('[data-unit="h1"] circle').hover()
    detail = page.get_by_test_id("backprop-detail")
    expect(detail).to_contain_text(
        "net_h1 = w1·i1 + w2·i2 + b1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775"
    )
    expect(detail).to_contain_text("out_h1 = σ(net_h1) = 0.593269992")

    step_to(page, "loss")
    expect(page.locator("#backprop-loss-value")).to_have_text(
        "E = E_o1 + E_o2 = 0.274811083 + 0.023560026 = 0.298371109"
    )
    page.get_by_test_id("backprop-next").click()  # backward, output layer
    page.locator('[data-param="w5"] .bp-wlabel').hover()
    expect(detail).to_contain_text(W5)
    shot(page, "backprop-preset-w5-1280x800.png")
    page.get_by_test_id("backprop-next").click()  # backward, hidden layer: h1 fans out
    page.locator('[data-param="w1"] .bp-wlabel').hover()
    expect(detail).to_contain_text("h1 fans out")
    expect(detail).to_contain_text("= 0.055399425 + (−0.019049118) = 0.036350306")
    expect(detail).to_contain_text("= 0.000438568")

    step_to(page, "update")
    page.locator('[data-param="w5"] .bp-wlabel').hover()
    expect(detail).to_contain_text("w5 ← w5 − η·∂E/∂w5 = 0.4 − 0.5·0.082167041 = 0.35891648")
    page.get_by_test_id("backprop-next").click()  # the next forward pass
    expect(page.locator("#backprop-next-loss")).to_have_text(
        "Next pass: E = 0.298371109 → 0.291027774"
    )
    shot(page, "backprop-preset-1280x800.png")


def test_a_click_on_the_map_traces_that_training_point(server, context):
    page = open_page(context, server)
    page.get_by_test_id("backprop").click()
    box = page.get_by_test_id("output-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.wait_for_function("() => window.__fcnnBackprop.msg?.source === 'point'", timeout=10_000)
    expect(page.get_by_test_id("backprop-caption")).to_contain_text("Training point")
    assert page.evaluate("() => window.__fcnnLastState.running") is False
    expect(page.get_by_test_id("backprop-ring")).to_be_visible()
    for _ in range(7):  # to the backward pass into the first layer of the default 2-4-2-1
        page.get_by_test_id("backprop-next").click()
    page.locator('[data-unit="h1.1"] circle').hover()
    expect(page.get_by_test_id("backprop-detail")).to_contain_text("∂E/∂out_h1.1 = δ_h2.1·")
    shot(page, "backprop-point-1280x800.png")
    page.get_by_test_id("backprop-close").click()
    expect(page.get_by_test_id("network")).to_be_visible()
    expect(page.get_by_test_id("backprop-ring")).to_be_hidden()
    page.get_by_test_id("backprop").click()  # back in: the same trace, on a phone
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_test_id("backprop-panel").scroll_into_view_if_needed()
    shot(page, "backprop-point-390x844.png")
