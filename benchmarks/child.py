"""One measured run in a fresh process; prints its timings as one JSON line.

    python -m benchmarks.child market.customers=100000 engine=agent ...
    python -m benchmarks.child --desk simpy --phases market.customers=1000000

The configuration is composed from the same files and overrides the ``servsim``
command uses (``sim.config.compose``). The parent measures wall time and peak memory from
outside; this process reports what only it can see: the time spent importing,
simulating and writing outputs, and (with ``--phases``) in each phase of the day.
``--desk simpy`` runs the vectorised engine with the SimPy desk it used before
it computed the desk (``benchmarks.simpy_desk_model``), for comparison.
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
from agents.fast_desk import QueueRecursionDesk  # noqa: E402
from benchmarks.simpy_desk_model import use_simpy_desk  # noqa: E402
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


# The day's phases as ServiceModel.step() calls them. "desk" is the desk's clock
# (SimPy's event loop, or the recursion desk's advance), callbacks included;
# "desk_outcomes" those callbacks (recovery or abandonment, then stay or leave);
# "desk_submissions" the complaints handed to the desk during the visits. Indented
# names are parts of the phase above them. A phase the model no longer has (its
# day is being split into per-process modules) is left out, not an error.
PHASES = {
    "dice": [(ServiceModel, "_draw_day")],
    "advertising": [(ServiceModel, "_advertise")],
    "visits": [(ServiceModel, "_serve_the_day")],
    "  choose_visitors": [(ServiceModel, "_choose_visitors")],
    "  serve": [(ServiceModel, "_serve")],
    "  judge": [(ServiceModel, "_judge")],
    "  voice_or_silence": [(ServiceModel, "_voice_or_silence")],
    "  recover": [(ServiceModel, "_recover")],
    "    desk_submissions": [(ServiceModel, "_send_to_desk")],
    "  decide_to_stay": [(ServiceModel, "_decide_to_stay")],
    "  account_visits": [(ServiceModel, "_account_visits")],
    "word_of_mouth": [(ServiceModel, "_word_of_mouth")],
    "acquisition": [(ServiceModel, "_acquire")],
    "desk": [(simpy.Environment, "run"), (QueueRecursionDesk, "advance")],
    "  desk_outcomes": [(ServiceModel, "_complaint_resolved"), (ServiceModel, "_complaint_abandoned")],
    "daily_record": [(ServiceModel, "_close_day")],
    "datacollector": [(mesa.DataCollector, "collect")],
}


def time_the_phases() -> dict[str, Stopwatch]:
    """Wrap each phase of the day in a stopwatch (class-wide, in this process only).

    Call before the model is built: bound methods handed out at construction
    (the desk's callbacks) are then the wrapped ones.
    """
    watches = {}
    for phase, places in PHASES.items():
        found = [(owner, name) for owner, name in places if hasattr(owner, name)]
        if found:
            watches[phase] = Stopwatch()
            for owner, name in found:
                setattr(owner, name, watches[phase].wrap(getattr(owner, name)))
    return watches


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, as for servsim")
    parser.add_argument("--phases", action="store_true", help="also time each phase of the day")
    parser.add_argument("--desk", choices=("fast", "simpy"), default="fast",
                        help="fast: the desk the vectorised engine computes; simpy: the SimPy desk instead")
    args = parser.parse_args()
    if args.desk == "simpy":
        use_simpy_desk()
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
