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
from agents.desk import RecoveryDesk  # noqa: E402
from agents.fast_desk import QueueRecursionDesk  # noqa: E402
from benchmarks.simpy_desk_model import use_simpy_desk  # noqa: E402
from sim.config import compose  # noqa: E402
from sim.model import BOOKKEEPING, DAY, ServiceModel  # noqa: E402
from sim.records import DailyRecord  # noqa: E402
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


# The day's phases as ServiceModel.step() runs them: each process of sim.model.DAY
# (its vectorised version), the desk (its clock and the day's outcomes; "desk_outcomes"
# is applying those outcomes to the customers, who then decide), the record and the
# DataCollector. Indented names are parts of a phase. A phase the model does not have is
# left out, not an error.
PHASES = {
    "dice": [(ServiceModel, "roll_dice")],
    **{process.name: [(process, "vector")] for process in DAY if process is not BOOKKEEPING},
    "  desk_submissions": [(QueueRecursionDesk, "submit_many"), (RecoveryDesk, "submit")],
    "desk": [(ServiceModel, "answer_complaints")],
    "  desk_outcomes": [(ServiceModel, "apply_desk_outcomes")],
    "bookkeeping": [(BOOKKEEPING, "vector")],
    "record": [(DailyRecord, "write")],
    "datacollector": [(mesa.DataCollector, "collect")],
}


def time_the_phases() -> dict[str, Stopwatch]:
    """Wrap each phase of the day in a stopwatch (class-wide, in this process only).

    Call before the model is built: bound methods handed out at construction
    (the desk's callbacks) are then the wrapped ones. Processes are frozen
    dataclasses, so their ``vector`` is replaced with ``object.__setattr__``.
    """
    watches = {}
    for phase, places in PHASES.items():
        found = [(owner, name) for owner, name in places if hasattr(owner, name)]
        if found:
            watches[phase] = Stopwatch()
            for owner, name in found:
                wrapped = watches[phase].wrap(getattr(owner, name))
                if isinstance(owner, type):
                    setattr(owner, name, wrapped)
                else:  # a process: a frozen dataclass instance
                    object.__setattr__(owner, name, wrapped)
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
