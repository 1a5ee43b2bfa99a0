"""Play a lesson in the dashboard in headless chromium at 1280x720 and save a screenshot (docs/dashboard.png).

    python -m tests.dashboard_tour                       # the trap, played to its last day
    python -m tests.dashboard_tour --lesson iceberg --day 200 --out /tmp/iceberg.png
    python -m tests.dashboard_tour --lesson three_worlds --world forgiving   # in one of the lesson's worlds

Answers the lesson's questions as they come, pauses on the first frame at or after the
day (on a busy machine a frame can jump many days; the last day is always shown), and
prints how long the page took to be ready and to play.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

from tests.browser import dashboard_server, launch_chromium

PROJECTOR = {"width": 1280, "height": 720}


def shown_day(page) -> int:
    return int(re.match(r"Day (\d+)", page.locator(".servsim-day").inner_text()).group(1))


def horizon(page) -> int:
    return int(re.search(r"of (\d+)", page.locator(".servsim-day").inner_text()).group(1))


def tour(lesson: str, day: int, out: Path, world: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as scratch, dashboard_server(Path(scratch) / "server.log") as url:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport=PROJECTOR)
            start = time.perf_counter()
            page.goto(url)
            page.locator(".servsim-key-plot img").nth(1).wait_for(timeout=60_000)
            if lesson != "trap":
                page.get_by_role("button", name=lesson.replace("_", " ")).click()
                page.get_by_text(page.locator(".servsim-day").inner_text()).wait_for()
                time.sleep(3)
            if world:
                page.get_by_role("button", name=world, exact=True).click()
                page.get_by_text(f"Customers: {world}.").wait_for()
                time.sleep(3)
            print(f"page ready in {time.perf_counter() - start:.1f} s")
            start = time.perf_counter()
            page.get_by_role("button", name="▶ Play").click()
            day = min(day or horizon(page), horizon(page))
            while shown_day(page) < day:
                reveal = page.get_by_role("button", name="Show what happens")
                if reveal.count():
                    try:
                        reveal.click(timeout=2_000)
                        # Gone before the next look: a click on the answered button, as it is taken off the
                        # page, waits for it in vain while the lesson plays on past the day.
                        reveal.wait_for(state="detached", timeout=10_000)
                    except PlaywrightTimeoutError:
                        pass  # redrawn under the click, or already gone: look again
                time.sleep(0.05)
            if shown_day(page) < horizon(page):
                page.get_by_role("button", name="❚❚ Pause").click()
            page.get_by_role("button", name="▶ Play").wait_for()
            print(f"played to day {shown_day(page)} in {time.perf_counter() - start:.1f} s")
            time.sleep(2)  # let the last redraw arrive
            page.screenshot(path=out)
            browser.close()
    # A palette PNG is a third of the size and looks the same for flat plots.
    Image.open(out).convert("RGB").quantize(colors=256).save(out, optimize=True)
    print(f"screenshot: {out} ({out.stat().st_size // 1024} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="trap")
    parser.add_argument("--day", type=int, default=0, help="the day to pause on (default: the lesson's last)")
    parser.add_argument("--out", type=Path, default=Path("docs/dashboard.png"))
    parser.add_argument("--world", default=None, help="one of the lesson's worlds (its button's label)")
    args = parser.parse_args()
    tour(args.lesson, args.day, args.out, args.world)


if __name__ == "__main__":
    main()
