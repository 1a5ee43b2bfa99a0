"""One measured run in a fresh process; prints its timings as one JSON line.

    python -m benchmarks.child market.customers=100000 engine=agent ...

The configuration is composed by Hydra from the same files and overrides the
``servsim`` command uses. The parent measures wall time and peak memory from
outside; this process reports what only it can see: the time spent importing,
simulating and writing outputs, and (with ``--phases``) in each phase of the day.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import mesa  # noqa: E402
import simpy  # noqa: E402
from sim.config import compose  # noqa: E402
from sim.model import ServiceModel  # noqa: E402
from sim.run import simulate, write_outputs  # noqa: E402


class Stopwatch:
    """Accumulates the wall and CPU time spent inside the functions it wraps."""

    def __init__(self):
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    def wrap(self, function):
        def timed(*args, **kwargs):
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.cpu_seconds += time.process_time() - start_cpu

        return timed


# The day's phases as ServiceModel.step() calls them; "desk" is SimPy's event loop
# (queue, resolutions, the complainants' stay-or-leave), "desk_submissions" the
# complaints handed to it during the visits.
PHASES = {
    "dice": (ServiceModel, "_draw_day"),
    "advertising": (ServiceModel, "_advertise"),
    "visits": (ServiceModel, "_serve_the_day"),
    "desk_submissions": (ServiceModel, "_send_to_desk"),
    "word_of_mouth": (ServiceModel, "_word_of_mouth"),
    "acquisition": (ServiceModel, "_acquire"),
    "desk": (simpy.Environment, "run"),
    "daily_record": (ServiceModel, "_close_day"),
    "datacollector": (mesa.DataCollector, "collect"),
}


def time_the_phases() -> dict[str, Stopwatch]:
    """Wrap each phase of the day in a stopwatch (class-wide, in this process only)."""
    watches = {}
    for phase, (owner, name) in PHASES.items():
        watches[phase] = Stopwatch()
        setattr(owner, name, watches[phase].wrap(getattr(owner, name)))
    return watches


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, as for servsim")
    parser.add_argument("--phases", action="store_true", help="also time each phase of the day")
    args = parser.parse_args()
    imported = time.perf_counter()
    config = compose(["output.progress=false", *args.overrides])
    phases = time_the_phases() if args.phases else {}
    start, start_cpu = time.perf_counter(), time.process_time()
    timeseries, summary, _ = simulate(config)
    simulated, simulated_cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as out_dir:
        write_outputs(Path(out_dir), config, timeseries, summary, "benchmark")
    written = time.perf_counter()
    report = {
        "import_s": imported - STARTED,
        "model_s": simulated - start,
        "model_cpu_s": simulated_cpu - start_cpu,
        "outputs_s": written - simulated,
        "phases_s": {phase: watch.seconds for phase, watch in phases.items()},
        "phases_cpu_s": {phase: watch.cpu_seconds for phase, watch in phases.items()},
        "customers": config.market.customers,
        "days": config.days,
        "complaints": summary["complaints"],
        "abandoned": summary["complaints_abandoned"],
        "results_digest": digest(timeseries.to_csv(index=False) + json.dumps(summary)),
    }
    json.dump(report, sys.stdout)
    print()


if __name__ == "__main__":
    main()
