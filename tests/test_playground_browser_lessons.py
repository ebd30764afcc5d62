"""The playground's learning aids in headless Chromium (issue #16, "Learn by guided
steps"): a lesson opened from its link and completed by driving the page, the callouts
shown and closed, a lesson in Chinese, the notice of a stop condition.

The fixtures (one server and one browser per module, a fresh context per test that fails
on any page or console error) come from ``playground_browser_fixtures``.
"""

from __future__ import annotations

from playwright.sync_api import expect

from playground_browser_support import (
    last_state,
    open_page,
    pause,
    server_config,
    settle,
    shot,
    wait_config,
)

pytest_plugins = ["playground_browser_fixtures"]

PHONE = {"width": 390, "height": 844}


def test_a_lesson_link_opens_the_lesson_and_the_page_completes_it(server, context):
    page = open_page(context, f"{server}/#lesson=dead_relu")
    wait_config(page, "hidden", [8, 8])
    assert server_config(page)["activation"] == "relu"
    panel = page.get_by_test_id("lesson-panel")
    expect(panel).to_be_visible()
    expect(page.get_by_test_id("lesson-title")).to_have_text("Lesson: Dead ReLUs")
    expect(page.get_by_test_id("lesson-progress")).to_have_text("Step 1 of 2")
    assert "lesson=dead_relu" in page.evaluate("() => location.hash")
    # Step 1: the learning rate, from its control; step 2: play until units die.
    page.get_by_test_id("lr-select").select_option("3")
    wait_config(page, "lr", 3)
    expect(page.get_by_test_id("lesson-progress")).to_have_text("Step 2 of 2")
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("lesson-goal")).to_have_text("Goal reached!", timeout=15_000)
    pause(page)
    expect(page.get_by_test_id("diagnostics")).to_be_visible()
    expect(page.locator(".node.dead").first).to_be_visible()
    shot(page, "lesson-dead-relu-done-1280x800.png")
    # The menu lists every lesson as a link; following one opens that lesson.
    page.get_by_test_id("lessons-toggle").click()
    page.get_by_test_id("lesson-link-vanishing").click()
    expect(page.get_by_test_id("lesson-title")).to_have_text("Lesson: Vanishing gradients")
    wait_config(page, "activation", "sigmoid")
    assert server_config(page)["hidden"] == [6] * 6


def test_the_init_lesson_has_its_too_large_step_and_the_weight_scale_control(server, context):
    page = open_page(context, f"{server}/#lesson=init")
    wait_config(page, "init", "zeros")
    expect(page.get_by_test_id("lesson-progress")).to_have_text("Step 1 of 4")
    page.get_by_test_id("advanced-toggle").click()
    page.get_by_test_id("init-select").select_option("kaiming_uniform")
    page.get_by_test_id("init-scale-select").select_option("10")
    wait_config(page, "init_scale", 10)
    settle(page)
    assert "init_scale=10" in page.evaluate("() => location.hash")
    assert last_state(page)["test_loss"] > 100  # the lesson's "starts above 100"
    # A link with the key opens with it.
    other = open_page(context, f"{server}/#init_scale=0.1")
    wait_config(other, "init_scale", 0.1)
    expect(other.get_by_test_id("init-scale-select")).to_have_value("0.1")


def test_callouts_show_and_close_and_stay_closed(server, new_context):
    page = open_page(new_context(viewport=PHONE), f"{server}/#lesson=spiral")
    wait_config(page, "dataset", "spiral")
    for name in ("data", "neuron", "weights", "colors"):
        expect(page.get_by_test_id(f"callout-{name}")).to_be_visible()
    expect(page.get_by_test_id("callout-neuron")).to_have_text(
        "This is the output from one neuron. Hover to see it larger."
    )
    shot(page, "lesson-callouts-390x844.png")
    page.screenshot(path=str(shot(page, "lesson-callouts-390x844-full.png")), full_page=True)
    page.get_by_test_id("callout-close-neuron").click()
    expect(page.get_by_test_id("callout-neuron")).to_have_count(0)
    page.reload()
    page.wait_for_function("() => window.__fcnnLastState !== undefined")
    expect(page.get_by_test_id("callout-weights")).to_be_visible()
    expect(page.get_by_test_id("callout-neuron")).to_have_count(0)
    # The lesson survived the reload (the link kept it) without resetting its setting.
    expect(page.get_by_test_id("lesson-title")).to_have_text(
        "Lesson: The spiral from x1 and x2 alone"
    )
    page.get_by_test_id("lessons-toggle").click()
    page.get_by_test_id("callouts-show").click()
    expect(page.get_by_test_id("callout-neuron")).to_be_visible()


def test_a_lesson_in_chinese(server, new_context):
    page = open_page(new_context(locale="zh-CN"), f"{server}/#lesson=vanishing")
    wait_config(page, "activation", "sigmoid")
    expect(page.get_by_test_id("lesson-title")).to_have_text("课程：梯度消失")
    expect(page.get_by_test_id("lesson-progress")).to_have_text("第 1 步，共 3 步")
    expect(page.get_by_test_id("callout-neuron")).to_contain_text("神经元")
    shot(page, "lesson-vanishing-zh-1280x800.png")
    page.set_viewport_size(PHONE)
    shot(page, "lesson-vanishing-zh-390x844.png")


def test_a_stop_condition_says_why_training_paused(server, context):
    page = open_page(context, f"{server}/#stop_epoch=5")
    wait_config(page, "stop_epoch", 5)
    page.get_by_test_id("play").click()
    notice = page.get_by_test_id("stop-notice")
    expect(notice).to_contain_text("Training paused by itself at epoch 5", timeout=15_000)
    shot(page, "stop-notice-1280x800.png")
    page.get_by_test_id("stop-notice-close").click()
    expect(notice).to_have_count(0)
    # A pause of one's own says nothing.
    page.get_by_test_id("play").click()
    page.wait_for_function("() => window.__fcnnLastState?.epoch > 6")
    pause(page)
    expect(notice).to_have_count(0)
