"""netgrad playground in a real headless browser: Debian's chromium driven by Playwright.

Playwright's own browser download is not used: the test launches /usr/bin/chromium (CI installs the
``chromium`` package, see .ci/run). Where neither Playwright nor that browser can be had, the tests
skip with the reason; CI sets NETGRAD_REQUIRE_BROWSER=1 so that they fail there instead.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from netgrad.playground import make_server

CHROMIUM = "/usr/bin/chromium"
_REQUIRED = os.environ.get("NETGRAD_REQUIRE_BROWSER") == "1"


def _skip_or_fail(reason: str) -> None:
    if _REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def page():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        _skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    srv = make_server("127.0.0.1", 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-dev-shm-usage"])
        pg = browser.new_page(viewport={"width": 1400, "height": 900})
        pg.set_default_timeout(15000)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.base_url = srv.url  # type: ignore[attr-defined]
        pg.js_errors = errors  # type: ignore[attr-defined]
        yield pg
        browser.close()
    srv.shutdown()
    srv.server_close()


def number(page, selector: str) -> float:
    return float(page.text_content(selector).replace("\u2212", "-").split()[-1])


def shot(page, name: str) -> None:
    out = os.environ.get("NETGRAD_PLAYGROUND_SHOTS")
    if out:
        page.screenshot(path=str(Path(out) / f"{name}.png"), full_page=True)


def press(page, button: str, phase: str) -> None:
    page.click(f"#btn-{button}")
    page.wait_for_function(f"STATE && STATE.phase === '{phase}'")


def test_worked_example_numbers_appear_neuron_by_neuron(page):
    page.goto(page.base_url + "?preset=worked-221")
    page.wait_for_selector("#n-0-0")
    assert page.text_content("#n-1-0").strip().endswith("?")   # nothing computed yet
    press(page, "forward", "forward")
    np.testing.assert_allclose([number(page, "#v-net-1-0"), number(page, "#v-net-1-1")], [0.755, 0.68])
    assert number(page, "#v-a-2-0") == pytest.approx(0.8385)
    assert page.query_selector("#v-delta-1-0") is None            # no delta before Backward
    assert "0.755, 0.68" in page.text_content("#eq-body")
    shot(page, "worked-221-forward")
    press(page, "backward", "backward")
    err = 0.8385 - 1.0
    np.testing.assert_allclose([number(page, "#v-delta-1-0"), number(page, "#v-delta-1-1")],
                               [2 * err * 0.3, 2 * err * 0.9], rtol=1e-4)
    assert number(page, "#v-delta-2-0") == pytest.approx(2 * err, rel=1e-4)
    # the edges' dJ/dw: dJ/dbeta = 2 x^T (y_hat - y) theta^T, dJ/dtheta = 2 h^T (y_hat - y)
    np.testing.assert_allclose([[number(page, f"#dw-1-{i}-{j}") for j in range(2)] for i in range(2)],
                               [[-0.033915, -0.101745], [-0.08721, -0.26163]], rtol=1e-4)
    d_theta = [number(page, "#dw-2-0-0"), number(page, "#dw-2-1-0")]
    np.testing.assert_allclose(d_theta, [-0.243865, -0.21964], rtol=1e-4)
    assert "\u22120.033915, \u22120.101745" in page.text_content("#eq-body")
    shot(page, "worked-221-backward")
    press(page, "update", "update")
    np.testing.assert_allclose([number(page, "#wv-2-0-0"), number(page, "#wv-2-1-0")],
                               [0.3 + 0.1 * 0.243865, 0.9 + 0.1 * 0.21964], rtol=1e-4)
    assert "0.1033915, 0.4101745" in page.text_content("#eq-body")
    shot(page, "worked-221-update")
    assert page.js_errors == []


def test_notation_switch_rewrites_the_equations(page):
    page.goto(page.base_url + "?preset=worked-221&delta=-&first=1")
    page.wait_for_selector("#n-0-0")
    press(page, "step", "update")
    text = page.text_content("#eq-body")
    assert "net(2)" in text and "net(3)" in text   # input layer numbered 1
    # delta = -dJ/dnet: the printed deltas change sign (ids count layers from the input, 0)
    assert number(page, "#v-delta-1-0") == pytest.approx(-2 * 0.3 * (0.8385 - 1), rel=1e-4)
    assert number(page, "#v-delta-2-0") == pytest.approx(-2 * (0.8385 - 1), rel=1e-4)
    assert "(layer 3)" in page.text_content("#n-2-0")


def test_play_xor_trains_and_separates(page):
    page.goto(page.base_url + "?preset=xor")
    page.wait_for_selector("#n-0-0")
    assert page.get_attribute("#loss-path", "data-n") == "1"
    page.click("#btn-play")
    page.wait_for_function("STATE.epoch >= 40 && STATE.history[STATE.history.length - 1].errors === 0",
                           timeout=30000)
    page.click("#btn-play")
    page.wait_for_timeout(300)  # the request in flight lands
    n = int(page.get_attribute("#loss-path", "data-n"))
    assert n > 10
    losses = page.evaluate("STATE.history.map(h => h.loss)")
    assert losses[-1] < losses[0]
    # the heat map's colour under each XOR corner is the corner's class colour
    colours = page.evaluate("""() => {
        const b = STATE.boundary, n = b.n, at = (x, y) => {
          const c = Math.round((x - b.x0) / (b.x1 - b.x0) * (n - 1));
          const r = Math.round((y - b.y0) / (b.y1 - b.y0) * (n - 1));
          return b.cls[r * n + c]; };
        return [at(0, 0), at(0, 1), at(1, 0), at(1, 1)]; }""")
    assert colours == [0, 1, 1, 0]
    assert len(page.query_selector_all("#heat rect")) == 41 * 41
    shot(page, "xor-after-play")


def test_perceptron_on_xor_never_settles(page):
    page.goto(page.base_url + "?preset=xor-perceptron")
    page.wait_for_selector("#n-0-0")
    page.select_option("#speed", "20")
    page.click("#btn-play")
    page.wait_for_function("STATE.epoch >= 60", timeout=30000)
    page.click("#btn-play")
    errors = page.evaluate("STATE.history.map(h => h.errors)")
    assert min(errors) >= 1
    assert "Misclassified" in page.text_content("#loss-title")
    shot(page, "xor-perceptron")


def test_bad_setup_shows_the_servers_message_and_page_keeps_working(page):
    page.goto(page.base_url + "?preset=curve")
    page.wait_for_selector("#n-0-0")
    # the function plot's y labels (e.g. -1.9211) lie wholly inside the plot, none clipped at its left
    lefts = page.eval_on_selector_all("#boundary text.axis-label", "ts => ts.map(t => t.getBBox().x)")
    assert len(lefts) >= 3 and min(lefts) >= 0, lefts
    page.select_option("#loss", "cross_entropy")
    page.click("#apply")
    page.wait_for_selector("#error:not([hidden])")
    assert re.match(r"loss: .*regression", page.text_content("#error"))
    page.select_option("#preset", "moons")
    page.wait_for_function("STATE.config.preset === 'moons'")
    press(page, "step", "update")
    assert page.is_hidden("#error")
    shot(page, "moons-step")


def test_the_address_bar_holds_the_setup(page):
    page.goto(page.base_url + "?preset=moons")
    page.wait_for_selector("#n-0-0")
    page.fill("#hidden", "3")
    page.dispatch_event("#hidden", "change")
    page.fill("#lr", "0.25")
    page.check("#n-aug")
    page.click("#apply")
    page.wait_for_function("STATE.config.lr === 0.25")
    url = page.url
    assert "preset=moons" in url and "lr=0.25" in url and "hidden=3" in url and "aug=1" in url
    page.goto(url)   # a shared link brings the same set-up back
    page.wait_for_function("STATE && STATE.config.lr === 0.25")
    assert page.evaluate("STATE.sizes") == [2, 3, 1]
    assert page.is_checked("#n-aug")
    press(page, "forward", "forward")
    assert "\u0398" in page.text_content("#eq-body")   # the augmented Theta
