"""The dashboard in a real browser: Debian's chromium, driven by playwright.

Starts ``servsim-dashboard`` on a free localhost port, moves a slider, applies
it, steps the model and checks that the model took the value and that every
plot was redrawn; then checks that two browsers drive two separate models.
Saves a screenshot to results/browser-test/dashboard.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, dashboard_server, launch_chromium, step_label
from sim.classroom.dashboard import RENDER_DAYS

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install installs it)")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no browser: {CHROMIUM} is missing (make install installs Debian's chromium as root)"
)

SCREENSHOT = Path(__file__).resolve().parent.parent / "results" / "browser-test" / "dashboard.png"
PLOTS = 7  # every component but the lesson text is a picture
VIEWPORT = {"width": 1600, "height": 1900}


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory):
    with dashboard_server(tmp_path_factory.mktemp("dashboard") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, dashboard_url):
    """A new browser (own cookies, own session) on the dashboard, ready to step."""
    contexts = []

    def open_new():
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.goto(dashboard_url)
        page.get_by_role("button", name="Step").wait_for(timeout=60_000)
        return page

    yield open_new
    for context in contexts:
        context.close()


def step(page, days_before: int) -> int:
    page.get_by_role("button", name="Step").click()
    days_after = days_before + RENDER_DAYS
    page.get_by_text(step_label(days_after), exact=True).wait_for()
    return days_after


def plot_pixels(page) -> list[bytes]:
    images = page.locator("img")
    assert images.count() == PLOTS
    return [images.nth(i).screenshot() for i in range(PLOTS)]


def press_reset_until_shown(page, text: str, attempts: int = 10) -> None:
    """Reset re-creates the model from the controls. A moved slider reaches the server
    asynchronously, so press again until the page shows the model has the value."""
    for _ in range(attempts):
        page.get_by_role("button", name="Reset").click()
        try:
            page.get_by_text(text).wait_for(timeout=2_000)
            return
        except sync_api.TimeoutError:
            continue
    raise AssertionError(f"after {attempts} resets the page never showed {text!r}")


def test_a_moved_slider_reaches_the_model_and_a_step_redraws_every_plot(open_page):
    page = open_page()
    page.get_by_text(step_label(0), exact=True).wait_for()
    page.get_by_text("The lesson as set.").wait_for()

    promise = page.get_by_role("slider", name="Promise (0-10)")
    assert promise.get_attribute("aria-valuenow") == "7"
    promise.focus()
    for _ in range(5):
        promise.press("ArrowLeft")
    assert promise.get_attribute("aria-valuenow") == "6.5"
    press_reset_until_shown(page, "Changed from the lesson: Promise (0-10) = 6.5.")

    before = plot_pixels(page)
    step(page, 0)
    after = plot_pixels(page)
    unchanged = [i for i, (old, new) in enumerate(zip(before, after)) if old == new]
    assert not unchanged, f"plots {unchanged} were not redrawn after a step"

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT)
    print(f"screenshot: {SCREENSHOT}")


def test_each_browser_drives_its_own_model(open_page):
    first = open_page()
    days = 0
    for _ in range(2):
        days = step(first, days)

    second = open_page()
    second.get_by_text(step_label(0), exact=True).wait_for()
    step(second, 0)
    second.get_by_role("button", name="iceberg").click()
    second.get_by_text("The complaint iceberg").first.wait_for()

    first.get_by_text(step_label(days), exact=True).wait_for()
    assert first.get_by_text("The surprise trap").count() == 1
    assert first.get_by_text("The complaint iceberg").count() == 0
