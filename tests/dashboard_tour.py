"""Play a lesson in the dashboard in headless chromium and save a screenshot (docs/dashboard.png).

    python -m tests.dashboard_tour                       # the trap, played to day 301
    python -m tests.dashboard_tour --lesson iceberg --day 182 --out /tmp/iceberg.png

Prints how long the page took to load and to play.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from tests.browser import dashboard_server, launch_chromium, step_label
from sim.classroom.dashboard import RENDER_DAYS


def tour(lesson: str, day: int, out: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch, dashboard_server(Path(scratch) / "server.log") as url:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1500, "height": 1800})
            start = time.perf_counter()
            page.goto(url)
            page.get_by_role("button", name="Step").wait_for(timeout=60_000)
            print(f"page ready in {time.perf_counter() - start:.1f} s")
            page.get_by_role("button", name=lesson.replace("_", " ")).click()
            page.get_by_text(step_label(0), exact=True).wait_for()
            start = time.perf_counter()
            page.get_by_role("button", name="▶").click()
            page.get_by_text(step_label(day), exact=True).wait_for(timeout=600_000)
            page.get_by_role("button", name="❚❚").click()
            played = time.perf_counter() - start
            print(f"played {day} days ({day // RENDER_DAYS} redraws) in {played:.1f} s: {played / (day // RENDER_DAYS):.2f} s per redraw")
            time.sleep(2)  # let the last redraw arrive
            page.screenshot(path=out)
            browser.close()
    # A palette PNG is a third of the size and looks the same for flat plots.
    Image.open(out).convert("RGB").quantize(colors=256).save(out, optimize=True)
    print(f"screenshot: {out} ({out.stat().st_size // 1024} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="trap")
    parser.add_argument("--day", type=int, default=301, help="a multiple of the days per redraw (7)")
    parser.add_argument("--out", type=Path, default=Path("docs/dashboard.png"))
    args = parser.parse_args()
    tour(args.lesson, args.day, args.out)


if __name__ == "__main__":
    main()
