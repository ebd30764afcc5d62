"""The playground page in a real headless Chromium, against the real server (issue #5).

One uvicorn server (in a thread) and one browser serve the whole module; every test opens
its own browser context, so its tabs are new sessions. What the page received is read
from ``window.__fcnnLastState`` and ``window.__fcnn.app``; screenshots go to
``test-artifacts/playground/``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import numpy as np
import pytest
from playwright.sync_api import expect
from safetensors import safe_open

import fcnn
from fcnn.playground.session import grid_points
from playground_browser_support import (
    LARGE,
    config,
    epoch,
    get_json,
    last_state,
    open_page,
    pause,
    server_config,
    shot,
    wait_config,
    wait_epoch_above,
)

# The fixtures (server, browser, new_context, context) are in playground_browser_fixtures.py.
pytest_plugins = ["playground_browser_fixtures"]

SPIRAL_FEATURES = ["x1", "x2", "x1^2", "x2^2", "sin_x1", "sin_x2"]
# Cross-entropy; an untrained net sits near ln 2 ≈ 0.69. With these features, [6, 4, 2]
# and Adam at lr 0.003 the server gets below it in ~150 epochs (a few seconds).
SPIRAL_TEST_LOSS = 0.08


def test_page_builds_its_controls_from_the_servers_options(server, context):
    page = open_page(context, server)
    options = get_json(f"{server}/api/options")
    keys = options["keys"]

    for select, key in [
        ("#activation-select", "activation"),
        ("#optimizer-select", "optimizer"),
        ("#loss-select", "loss"),
        ("#init-select", "init"),
        ("#regularization-select", "regularization"),
    ]:
        values = page.eval_on_selector_all(f"{select} option", "os => os.map(o => o.value)")
        assert values == keys[key]["choices"], key
    lrs = page.eval_on_selector_all("#lr-select option", "os => os.map(o => Number(o.value))")
    assert lrs == sorted(keys["lr"]["presets"])
    for name in keys["dataset"]["choices"]:
        expect(page.get_by_test_id(f"dataset-{name}")).to_be_visible()
    for name in keys["features"]["choices"]:
        expect(page.get_by_test_id(f"feature-{name}")).to_be_visible()
    for slider, key in [("#noise-range", "noise"), ("#batch-size-range", "batch_size")]:
        bounds = page.eval_on_selector(slider, "r => [Number(r.min), Number(r.max)]")
        assert bounds == [keys[key]["min"], keys[key]["max"]], key

    # The default network drawn: 2 features → [4, 2] → 1 output, one link per weight.
    assert page.locator("[data-testid^=neuron-1-]").count() == 4
    assert page.locator("[data-testid^=neuron-2-]").count() == 2
    assert page.locator("#network g.link").count() == 2 * 4 + 4 * 2 + 2 * 1
    expect(page.locator("#epoch")).to_have_text("000,000")
    assert config(page) == options["defaults"]
    shot(page, "initial-1280x800.png")


def test_data_set_buttons_show_the_servers_samples(server, context):
    # The thumbnails are the points of the generators the sessions use, for the class
    # count in force: blobs and spiral redraw with k classes.
    page = open_page(context, f"{server}/#dataset=blobs&classes=4")
    wait_config(page, "classes", 4)
    page.wait_for_function("() => window.__fcnn.thumbnails?.classes === 4", timeout=15_000)
    drawn = page.evaluate("() => window.__fcnn.thumbnails")
    assert drawn == get_json(f"{server}/api/thumbnails?classes=4")
    assert (
        set(drawn["datasets"]["blobs"]["y"])
        == set(drawn["datasets"]["spiral"]["y"])
        == {0, 1, 2, 3}
    )
    # Class 3's colour (purple) is on the blobs button's canvas.
    purple = page.eval_on_selector(
        "[data-testid=dataset-blobs] canvas",
        """c => {
          const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (Math.abs(d[i] - 142) + Math.abs(d[i + 1] - 68) + Math.abs(d[i + 2] - 173) < 30) n++;
          }
          return n;
        }""",
    )
    assert purple > 0


def test_spiral_learns_in_the_browser(server, new_context):
    page = open_page(new_context(LARGE), server)
    page.get_by_test_id("dataset-spiral").click()
    wait_config(page, "dataset", "spiral")
    for name in SPIRAL_FEATURES[2:]:
        page.get_by_test_id(f"feature-{name}").click()
    wait_config(page, "features", SPIRAL_FEATURES)
    page.get_by_test_id("add-layer").click()
    wait_config(page, "hidden", [4, 2, 2])
    for _ in range(2):
        page.get_by_test_id("add-neuron-0").click()
        page.get_by_test_id("add-neuron-1").click()
    wait_config(page, "hidden", [6, 4, 2])
    assert page.locator("[data-testid^=neuron-3-]").count() == 2
    page.get_by_test_id("advanced-toggle").click()
    page.select_option("#optimizer-select", "adam")
    wait_config(page, "optimizer", "adam")
    page.get_by_test_id("advanced-toggle").click()
    page.select_option("#lr-select", "0.003")
    wait_config(page, "lr", 0.003)
    layers = page.get_by_test_id("layers-count")
    expect(layers).to_have_text(re.compile("3 hidden layers", re.I))

    page.get_by_test_id("play").click()
    page.wait_for_function(
        "t => (window.__fcnnLastState?.test_loss ?? Infinity) < t",
        arg=SPIRAL_TEST_LOSS,
        timeout=60_000,
    )
    state = last_state(page)
    assert state["running"] is True and state["epoch"] > 0
    page.get_by_test_id("show-test").check()
    pause(page)
    # The number on the page is the last state's, to its three decimals.
    page.wait_for_function(
        "() => document.querySelector('#test-loss').textContent"
        " === window.__fcnnLastState.test_loss.toFixed(3)"
    )
    page.wait_for_timeout(200)
    shot(page, "spiral-trained-1920x1080.png")


def test_learning_rate_changes_while_running_without_a_reset(server, context):
    page = open_page(context, server)
    page.get_by_test_id("play").click()
    wait_epoch_above(page, 5)
    before = epoch(page)

    page.select_option("#lr-select", "0.1")
    wait_config(page, "lr", 0.1)
    assert page.evaluate("() => window.__fcnn.app.running") is True
    wait_epoch_above(page, before + 5)  # kept counting: no reset
    assert "lr=0.1" in page.url

    # The exact value from the advanced panel, also live.
    page.get_by_test_id("advanced-toggle").click()
    page.select_option("#optimizer-select", "adam")
    wait_config(page, "optimizer", "adam")
    page.fill("#lr-input", "0.005")
    page.press("#lr-input", "Enter")
    wait_config(page, "lr", 0.005)
    page.fill("#beta1-input", "0.8")
    page.press("#beta1-input", "Enter")
    wait_config(page, "beta1", 0.8)
    during = epoch(page)
    wait_epoch_above(page, during + 3)
    expect(page.locator("#lr-select")).to_have_value("0.005")
    shot(page, "running-advanced-1280x800.png")
    pause(page)


@pytest.mark.parametrize(
    ("dataset", "classes", "feature"), [("xor", 2, "x1x2"), ("blobs", 3, "sin_x1")]
)
def test_exported_model_predicts_what_the_page_showed(
    server, context, tmp_path, dataset, classes, feature
):
    page = open_page(context, server)
    page.get_by_test_id(f"dataset-{dataset}").click()
    wait_config(page, "dataset", dataset)
    if classes > 2:
        page.locator("#classes-range").fill(str(classes))
        wait_config(page, "classes", classes)
    page.get_by_test_id(f"feature-{feature}").click()
    wait_config(page, "features", ["x1", "x2", feature])
    for n in (1, 2, 3):  # one epoch per click (a click mid-epoch only finishes that epoch)
        page.get_by_test_id("step").click()
        page.wait_for_function(
            "n => (s => s.epoch === n && !s.running)(window.__fcnnLastState)", arg=n
        )
    state = last_state(page)
    network = page.evaluate("() => window.__fcnn.app.network")
    domain = page.evaluate("() => window.__fcnn.app.data.domain")

    with page.expect_download() as info:
        page.get_by_test_id("download-model").click()
    model_path = tmp_path / "model.safetensors"
    info.value.save_as(model_path)
    with page.expect_download() as info:
        page.get_by_test_id("download-snippet").click()
    snippet_path = tmp_path / "model.py"
    info.value.save_as(snippet_path)

    with safe_open(str(model_path), "np") as f:
        meta = f.metadata()
    assert json.loads(meta["playground_features"]) == network["features"]
    assert json.loads(meta["playground_config"]) == server_config(page)

    snippet: dict = {"__name__": "playground_snippet"}
    exec(compile(snippet_path.read_text(), str(snippet_path), "exec"), snippet)
    size = state["output"]["size"]
    points = grid_points(domain, size)
    np.testing.assert_array_equal(snippet["grid_points"](tuple(domain), size), points)
    model = fcnn.load(model_path).eval()
    out = model(snippet["features"](points))
    # The page's numbers are rounded to 4 significant digits: a relative 5e-4 at most.
    values = snippet["page_values"](out)
    np.testing.assert_allclose(values, state["output"]["values"], rtol=5e-4, atol=1e-12)
    if classes > 2:
        assert network["classes"] == classes
        assert snippet["page_classes"](out).tolist() == state["output"]["classes"]


def test_a_shared_url_reproduces_the_setting(server, context):
    page = open_page(context, server)
    page.get_by_test_id("dataset-blobs").click()
    wait_config(page, "dataset", "blobs")
    page.locator("#classes-range").fill("4")
    wait_config(page, "classes", 4)
    page.get_by_test_id("add-neuron-1").click()
    wait_config(page, "hidden", [4, 3])
    page.select_option("#activation-select", "leaky_relu")
    wait_config(page, "activation", "leaky_relu")
    page.get_by_test_id("feature-sin_x2").click()
    wait_config(page, "features", ["x1", "x2", "sin_x2"])
    page.locator("#noise-range").fill("20")
    wait_config(page, "noise", 20)
    page.get_by_test_id("show-test").check()
    page.get_by_test_id("discretize").check()
    page.wait_for_function("() => location.hash.includes('discretize=true')")
    url = page.url
    assert "hidden=4,3" in url and "activation=leaky_relu" in url
    expected = server_config(page)
    data = page.evaluate("() => window.__fcnn.app.data.train.x.slice(0, 5)")
    shot(page, "blobs-4-classes-1280x800.png")

    other = open_page(context, url)
    other.wait_for_function("() => window.__fcnn.app.server?.dataset === 'blobs'")
    wait_config(other, "noise", 20)
    assert server_config(other) == expected
    assert other.evaluate("() => window.__fcnn.app.data.train.x.slice(0, 5)") == data
    assert other.evaluate("() => window.__fcnn.app.network.classes") == 4
    expect(other.locator(".legend-class")).to_have_count(4)
    expect(other.locator("#activation-select")).to_have_value("leaky_relu")
    expect(other.get_by_test_id("show-test")).to_be_checked()
    expect(other.get_by_test_id("discretize")).to_be_checked()
    expect(other.locator("#classes-range")).to_have_value("4")
    assert other.locator("[data-testid^=neuron-2-]").count() == 3
    assert unquote(other.url) == unquote(url)
    assert other.evaluate("() => window.__fcnn.app.session") != page.evaluate(
        "() => window.__fcnn.app.session"
    )

    # Editing the fragment by hand applies it too.
    other.evaluate("() => { location.hash = location.hash.replace(/noise=\\d+/, 'noise=35'); }")
    wait_config(other, "noise", 35)
    expect(other.locator("#noise-value")).to_have_text("35")

    # A link with one bad value keeps the rest of its settings and says what it ignored.
    bad = re.sub(r"lr=[^&]*", "lr=99", url)
    third = open_page(context, bad)
    wait_config(third, "noise", 20)
    assert server_config(third)["lr"] == 0.03
    assert server_config(third)["hidden"] == [4, 3]
    expect(third.get_by_test_id("error-message")).to_contain_text("lr")


def test_invalid_upload_shows_an_error_and_a_valid_one_is_used(server, context):
    page = open_page(context, server)
    page.set_input_files(
        "#upload-input",
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"a,b\nnot,numbers\n"}],
    )
    message = page.get_by_test_id("error-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("bad.csv")
    page.wait_for_timeout(300)  # the message's drop-in animation
    shot(page, "upload-error-1280x800.png")
    page.get_by_test_id("error-close").click()
    expect(page.get_by_test_id("error-message")).to_have_count(0)

    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(40, 2))
    rows = "\n".join(f"{a:.4f},{b:.4f},{int(a * b > 0)}" for a, b in X)
    good = {"name": "good.csv", "mimeType": "text/csv", "buffer": f"x1,x2,label\n{rows}\n".encode()}
    page.set_input_files("#upload-input", files=[good])
    wait_config(page, "dataset", "upload")
    page.wait_for_function(
        "() => (d => d.train.x.length + d.test.x.length)(window.__fcnn.app.data) === 40"
    )
    expect(page.get_by_test_id("dataset-upload")).to_have_attribute("aria-checked", "true")


def test_server_errors_appear_and_can_be_dismissed(server, context):
    page = open_page(context, server)
    page.get_by_test_id("advanced-toggle").click()
    page.fill("#lr-input", "50")
    page.press("#lr-input", "Enter")
    message = page.get_by_test_id("error-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("lr must be")
    expect(page.locator("#lr-input")).to_have_value("0.03")  # back to the server's value
    assert server_config(page)["lr"] == 0.03
    page.get_by_test_id("error-close").click()
    expect(message).to_have_count(0)


def test_a_weight_edited_on_its_link_reaches_the_server(server, context):
    page = open_page(context, server)
    link = page.get_by_test_id("link-1-0-1")  # dense layer 1: hidden unit 2 → unit 1
    link.dispatch_event("mouseenter")
    card = page.get_by_test_id("link-card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Weight")
    page.fill("#link-card-input", "2.5")
    page.press("#link-card-input", "Enter")
    page.wait_for_function("() => window.__fcnnLastState.weights[1].W[0][1] === 2.5")
    # The link is redrawn on the next animation frame: thicker (|w| = 2.5) and blue.
    page.wait_for_function(
        "() => parseFloat(document.querySelector('[data-testid=link-1-0-1] .link-line')"
        ".style.strokeWidth) > 4"
    )
    color = page.locator("[data-testid=link-1-0-1] .link-line").evaluate("p => p.style.stroke")
    r, _, b = (int(v) for v in re.findall(r"\d+", color)[:3])
    assert b > r  # positive: blue

    page.get_by_test_id("bias-2-0").dispatch_event("mouseenter")
    expect(card).to_contain_text("Bias")
    page.fill("#link-card-input", "-1.25")
    page.press("#link-card-input", "Enter")
    page.wait_for_function("() => window.__fcnnLastState.weights[2].b[0] === -1.25")

    # A tanh unit pushed to its bound is marked saturated; a ReLU unit that never fires, dead.
    set_bias(page, "bias-0-1", 50)
    expect(page.get_by_test_id("neuron-1-1")).to_have_class(re.compile(r"\bsaturated\b"))
    page.select_option("#activation-select", "relu")
    wait_config(page, "activation", "relu")
    set_bias(page, "bias-0-0", -50)
    expect(page.get_by_test_id("neuron-1-0")).to_have_class(re.compile(r"\bdead\b"))
    expect(page.get_by_test_id("neuron-1-1")).not_to_have_class(re.compile(r"\bdead\b"))

    # Hovering a neuron shows its own heat map in the big output.
    page.get_by_test_id("neuron-1-2").dispatch_event("mouseenter")
    expect(page.locator("#preview-label")).to_be_visible()
    page.get_by_test_id("neuron-1-2").dispatch_event("mouseleave")
    expect(page.locator("#preview-label")).to_be_hidden()


def set_bias(page, testid: str, value: float) -> None:
    page.get_by_test_id(testid).dispatch_event("mouseenter")
    page.fill("#link-card-input", str(value))
    page.press("#link-card-input", "Enter")
    layer, unit = (int(v) for v in testid.split("-")[1:])
    page.wait_for_function(
        "([l, u, v]) => window.__fcnnLastState.weights[l].b[u] === v", arg=[layer, unit, value]
    )


def test_step_reset_regenerate_and_keys(server, context):
    page = open_page(context, server)
    page.get_by_test_id("step").click()
    page.wait_for_function("() => window.__fcnnLastState.epoch === 1")
    page.get_by_test_id("step").click()
    page.wait_for_function("() => window.__fcnnLastState.epoch === 2")
    expect(page.locator("#epoch")).to_have_text("000,002")
    page.get_by_test_id("reset").click()
    page.wait_for_function("() => window.__fcnnLastState.epoch === 0")
    data = page.evaluate("() => window.__fcnn.app.data.train.x.slice(0, 3)")
    page.get_by_test_id("regenerate").click()
    wait_config(page, "seed", 1)
    page.wait_for_function("() => location.hash.includes('seed=1')")
    assert page.evaluate("() => window.__fcnn.app.data.train.x.slice(0, 3)") != data

    page.evaluate("() => document.activeElement?.blur()")  # keys go to the page, not a button
    page.keyboard.press("Space")  # run
    wait_epoch_above(page, 3)
    page.keyboard.press("Space")  # pause
    page.wait_for_function("() => window.__fcnnLastState.running === false")
    stopped = epoch(page)
    page.keyboard.press("ArrowRight")  # one step
    page.wait_for_function("n => window.__fcnnLastState.epoch === n + 1", arg=stopped)


def test_two_tabs_are_independent_sessions(server, context):
    first = open_page(context, server)
    second = open_page(context, server)
    assert first.evaluate("() => window.__fcnn.app.session") != second.evaluate(
        "() => window.__fcnn.app.session"
    )
    first.bring_to_front()  # a tab in the background gets few animation frames
    first.get_by_test_id("dataset-gauss").click()
    wait_config(first, "dataset", "gauss")
    first.get_by_test_id("play").click()
    wait_epoch_above(first, 10)

    second.bring_to_front()
    second.select_option("#lr-select", "1")
    wait_config(second, "lr", 1.0)
    assert epoch(second) == 0 and last_state(second)["running"] is False
    assert server_config(second)["dataset"] == "circle"
    assert server_config(first)["lr"] == 0.03
    assert last_state(first)["running"] is True
    first.bring_to_front()
    pause(first)
