"""How fast the dashboard is at classroom sizes: model time per day, and drawing time per frame.

    python -m sim.classroom.step_timing                # 10,000 customers, every lesson
    python -m sim.classroom.step_timing --customers 2000 --days 200

Prints numbers; it asserts nothing (timings depend on the machine and its load).
"""

from __future__ import annotations

import argparse
import statistics
import time

from sim.classroom.model import ClassroomModel
from sim.classroom.lessons import LESSONS


def model_seconds_per_day(lesson: str, customers: int, days: int) -> list[float]:
    model = ClassroomModel(lesson, **{"market.customers": customers})
    timings = []
    for _ in range(min(days, model.config.days)):
        start = time.perf_counter()
        model.step()
        timings.append(time.perf_counter() - start)
    return timings


def redraw_seconds(lesson: str, customers: int, days: int, repeats: int) -> tuple[list[float], list[float]]:
    """The lesson's two key plots drawn to PNG: in full (a new layout), and as the play loop draws
    most frames (the data on the saved background), one day apart."""
    from sim.classroom.dashboard import FramePainter, panel_figure, png

    model = ClassroomModel(lesson, **{"market.customers": customers})
    model.reference_timeseries()  # computed once per lesson, before the first frame
    for _ in range(days):
        model.step()
    painters = {name: FramePainter() for name in model.lesson.key_panels}
    full, blitted = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        for name in painters:
            png(panel_figure(name, model))
        full.append(time.perf_counter() - start)
        for name, painter in painters.items():
            painter.png(panel_figure(name, model))  # the layout of today
        model.step()
        start = time.perf_counter()
        for name, painter in painters.items():
            painter.png(panel_figure(name, model))
        blitted.append(time.perf_counter() - start)
    return full, blitted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--redraws", type=int, default=5)
    args = parser.parse_args()
    print(f"model time per day (one step) at {args.customers:,} customers, over {args.days} days:")
    for lesson in LESSONS:
        timings = model_seconds_per_day(lesson, args.customers, args.days)
        print(
            f"  {lesson:18s} median {1000 * statistics.median(timings):6.2f} ms   "
            f"95th percentile {1000 * sorted(timings)[int(0.95 * len(timings))]:6.2f} ms   max {1000 * max(timings):6.2f} ms"
        )
    full, blitted = redraw_seconds("trap", args.customers, 180, args.redraws)
    print(f"one frame of the trap's two key plots (day 180): median {statistics.median(full):.2f} s drawn in full, "
          f"{statistics.median(blitted):.2f} s as the play loop draws it (data on the saved background)")


if __name__ == "__main__":
    main()
