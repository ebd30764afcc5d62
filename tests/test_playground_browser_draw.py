"""The playground page in headless Chromium: issue #16's drawn data and loss surface.

A few points of two classes drawn on the output map train, and the drawn set comes back
from the link; on a phone (390×844, touch) taps draw, the draw bar's controls fit side by
side, erasing works by the eraser and by a long press; the loss-surface panel paints and
its path grows while training. The
fixtures (a fresh context per test that fails on any page or console error) come from
``playground_browser_fixtures``; screenshots go to test-artifacts/playground/.
"""

from __future__ import annotations

from playground_browser_support import (
    last_state,
    open_page,
    pause,
    settle,
    shot,
    wait_config,
    wait_epoch_above,
)

pytest_plugins = ["playground_browser_fixtures"]

# Two clusters: class 0 bottom-left, class 1 top-right (domain units).
CLASS_0 = [(-3, -3), (-4, -2), (-2, -4), (-3.5, -3.5), (-2.5, -2)]
CLASS_1 = [(3, 3), (4, 2), (2, 4), (3.5, 3.5), (2.5, 2)]


def _click_point(page, x1: float, x2: float) -> None:
    box = page.evaluate(
        """() => {
            const m = document.getElementById("output-map").getBoundingClientRect();
            return {left: m.left, top: m.top};
        }"""
    )
    b = page.evaluate(
        "async () => (await import(new URL('static/js/views.js', location.href))).outputMap.box"
    )
    lo, hi = -6.0, 6.0
    px = (b["x0"] + (x1 - lo) / (hi - lo) * b["size"]) / b["dpr"]
    py = (b["y0"] + b["size"] - (x2 - lo) / (hi - lo) * b["size"]) / b["dpr"]
    page.mouse.click(box["left"] + px, box["top"] + py)


def test_drawn_points_train_and_come_back_from_the_link(server, context):
    page = open_page(context, f"{server}/#train_ratio=90&lr=0.1")
    page.get_by_test_id("draw-toggle").click()
    for x1, x2 in CLASS_0:
        _click_point(page, x1, x2)
    page.get_by_test_id("draw-class-1").click()
    for x1, x2 in CLASS_1:
        _click_point(page, x1, x2)
    # The set goes out a moment after the last point; the server echoes it as the data.
    page.wait_for_function(
        "() => (window.__fcnn.app.data?.train?.x?.length ?? 0)"
        " + (window.__fcnn.app.data?.test?.x?.length ?? 0) === 10"
    )
    wait_config(page, "dataset", "upload")
    settle(page)
    before = last_state(page)["train_loss"]
    assert "drawn=c" in page.evaluate("() => location.hash")
    shot(page, "draw-points-1280x800.png")
    page.click("#play-button")
    wait_epoch_above(page, 30)
    pause(page)
    after = last_state(page)["train_loss"]
    assert after < before
    shot(page, "draw-trained-1280x800.png")
    # The link gives the same ten points, trained on again.
    other = open_page(context, page.url)
    wait_config(other, "dataset", "upload")
    settle(other)
    data = other.evaluate("() => window.__fcnn.app.data")
    points = sorted(map(tuple, data["train"]["x"] + data["test"]["x"]))
    labels = sorted(data["train"]["y"] + data["test"]["y"])
    assert len(points) == 10 and labels == [0] * 5 + [1] * 5
    for got, want in zip(points, sorted(CLASS_0 + CLASS_1), strict=True):
        assert abs(got[0] - want[0]) < 0.03 and abs(got[1] - want[1]) < 0.03
    assert other.evaluate("() => window.__fcnn.app.server.train_ratio") == 90


def _surface_pixels(page) -> dict:
    return page.evaluate(
        """() => {
            const c = document.getElementById("surface-canvas");
            const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            const colours = new Set();
            for (let i = 0; i < d.length; i += 4 * 97) {
                colours.add(d[i] + "," + d[i + 1] + "," + d[i + 2]);
            }
            return {width: c.width, colours: colours.size};
        }"""
    )


def test_the_loss_surface_paints_and_its_path_grows(server, context):
    page = open_page(context, f"{server}/#dataset=xor&optimizer=sgd&lr=0.1")
    page.get_by_test_id("surface-toggle").check()
    page.wait_for_function("() => window.__fcnnSurface?.values?.length === 625")
    first = page.evaluate("() => window.__fcnnSurface")
    assert first["center"] == last_state(page)["train_loss"]
    page.click("#play-button")
    wait_epoch_above(page, 40)
    page.evaluate("() => window.__fcnn.send({type: 'config', config: {optimizer: 'adam'}})")
    page.wait_for_function(
        "() => (window.__fcnnSurface?.optimizers ?? []).includes('adam')", timeout=15_000
    )
    pause(page)
    settle(page)
    page.wait_for_function("() => window.__fcnnSurface.epoch === window.__fcnnLastState.epoch")
    last = page.evaluate("() => window.__fcnnSurface")
    assert len(last["path"]) > len(first["path"]) >= 1
    assert {"sgd", "adam"} <= set(last["optimizers"])
    page.wait_for_timeout(100)
    pixels = _surface_pixels(page)
    assert pixels["width"] > 100 and pixels["colours"] > 20  # not blank
    assert "epoch" in page.get_by_test_id("surface-caption").inner_text()
    page.get_by_test_id("surface-panel").scroll_into_view_if_needed()
    shot(page, "loss-surface-1280x800.png")
    # Two chosen weights: the directions change, the grid is painted again.
    page.get_by_test_id("surface-mode").select_option("weights")
    page.wait_for_function("() => window.__fcnnSurface.directions === 'weights'")
    settle(page)
    page.get_by_test_id("surface-panel").scroll_into_view_if_needed()
    shot(page, "loss-surface-weights-1280x800.png")


# --------------------------------------------------------------------------- a phone

PHONE = {"width": 390, "height": 844}


def _map_point(page, x1: float, x2: float) -> tuple[float, float]:
    """Where (x1, x2) is on the screen now (CSS pixels, the viewport's coordinates)."""
    return page.evaluate(
        """async ([x1, x2]) => {
            const {outputMap} = await import(new URL("static/js/views.js", location.href));
            const m = document.getElementById("output-map").getBoundingClientRect();
            const b = outputMap.box, [lo, hi] = outputMap.domain();
            return [m.left + (b.x0 + (x1 - lo) / (hi - lo) * b.size) / b.dpr,
                    m.top + (b.y0 + b.size - (x2 - lo) / (hi - lo) * b.size) / b.dpr];
        }""",
        [x1, x2],
    )


def _drawn_count(page) -> int:
    return page.evaluate(
        "async () => (await import(new URL('static/js/draw.js', location.href)))"
        ".drawing.set.x.length"
    )


def _long_press(page, x: float, y: float, ms: int = 800) -> None:
    """A finger held on (x, y): touch events through the DevTools protocol (Playwright's
    touchscreen only taps)."""
    cdp = page.context.new_cdp_session(page)
    point = [{"x": x, "y": y}]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": point})
    page.wait_for_timeout(ms)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def _overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


def test_drawing_with_taps_on_a_phone(server, new_context):
    context = new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = open_page(context, f"{server}/#train_ratio=90")
    page.get_by_test_id("output-map").scroll_into_view_if_needed()
    page.get_by_test_id("draw-toggle").tap()
    for x1, x2 in CLASS_0:
        page.touchscreen.tap(*_map_point(page, x1, x2))
    page.get_by_test_id("draw-class-1").tap()
    for x1, x2 in CLASS_1:
        page.touchscreen.tap(*_map_point(page, x1, x2))
    assert _drawn_count(page) == 10
    wait_config(page, "dataset", "upload")
    settle(page)
    # The metrics under the map made it smaller: the drawn points follow it.
    overlay = page.locator("#draw-overlay").bounding_box()
    assert overlay == page.get_by_test_id("output-map").bounding_box()
    page.get_by_test_id("draw-bar").scroll_into_view_if_needed()
    shot(page, "draw-bar-390x844.png")
    # The bar's controls: inside the screen, none over another or over the map, each a
    # finger's size.
    boxes = page.evaluate(
        """() => [...document.querySelectorAll("#draw-bar > *, #draw-bar .draw-swatch")]
            .filter((e) => e.offsetParent !== null && !e.classList.contains("draw-swatches"))
            .map((e) => {
                const r = e.getBoundingClientRect();
                return {id: e.id || e.dataset.testid, x: r.x, y: r.y,
                        width: r.width, height: r.height, tag: e.tagName};
            })"""
    )
    names = {b["id"] for b in boxes}
    assert {"draw-toggle", "draw-kind", "draw-erase", "draw-clear", "draw-note"} <= names
    assert {f"draw-class-{k}" for k in range(6)} <= names
    map_box = page.get_by_test_id("output-map").bounding_box()
    for i, a in enumerate(boxes):
        assert a["x"] >= 0 and a["x"] + a["width"] <= PHONE["width"], a
        assert not _overlaps(a, map_box), a
        if a["tag"] in ("BUTTON", "SELECT"):
            assert a["height"] >= 24 and a["width"] >= 24, a
        for b in boxes[i + 1 :]:
            assert not _overlaps(a, b), (a, b)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    # Erase mode: a tap takes away the nearest point.
    page.get_by_test_id("draw-erase").tap()
    page.touchscreen.tap(*_map_point(page, *CLASS_1[0]))
    assert _drawn_count(page) == 9
    page.get_by_test_id("draw-erase").tap()  # back to adding
    # A long press erases too (the point its touch made first is taken back).
    _long_press(page, *_map_point(page, *CLASS_0[0]))
    page.wait_for_function(
        "async () => (await import(new URL('static/js/draw.js', location.href)))"
        ".drawing.set.x.length === 8"
    )
    left = page.evaluate(
        "async () => (await import(new URL('static/js/draw.js', location.href))).drawing.set.x"
    )
    assert [-3, -3] not in left and [3, 3] not in left
    page.get_by_test_id("draw-clear").tap()
    assert _drawn_count(page) == 0
