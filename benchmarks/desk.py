"""``python -m benchmarks.desk``: what one complaint costs at the desk, SimPy against the recursion.

    python -m benchmarks.desk --desk simpy --workload overloaded --complaints 500000

Standalone, without the model: complaints arrive day by day as the model hands
them over (moments in the day in visitor order, each with its own exponential
patience and handling time), the desk's clock advances a day at a time, and the
callbacks do nothing, so the time is the desk's own: submitting, queueing,
deciding and calling back. Prints one JSON line (CPU time, which other work on
the machine barely moves). The workloads are the model's two regimes:

* ``light``: the default market of 10,000 people, about 5 complaints a day
  reaching two handlers (load 0.6): small daily batches, so a desk's fixed cost
  per day counts;
* ``overloaded``: a million people, 730 complaints a day at the same two
  handlers (load 90): long lines, two thirds giving up after a week on average.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
import simpy

from agents.desk import RecoveryDesk
from agents.fast_desk import QueueRecursionDesk

# complaints a day, handlers, mean handling and patience (days), as the model's defaults give them
WORKLOADS = {
    "light": dict(per_day=5, staff=2, handling_days=0.25, patience_days=7.0),
    "overloaded": dict(per_day=730, staff=2, handling_days=0.25, patience_days=7.0),
}


def complaints_by_day(complaints: int, per_day: int, handling_days: float, patience_days: float, seed: int = 0):
    """Days of (customer, arrival, patience, handling) as Python numbers, until ``complaints`` are made."""
    rng = np.random.default_rng(seed)
    days, made = [], 0
    while made < complaints:
        count = min(int(rng.poisson(per_day)), complaints - made)
        day = len(days)
        days.append(
            list(
                zip(
                    range(made, made + count),
                    (day + rng.random(count)).tolist(),
                    (patience_days * rng.exponential(1.0, count)).tolist(),
                    (handling_days * rng.exponential(1.0, count)).tolist(),
                )
            )
        )
        made += count
    return days


def build(desk: str, staff: int, on_outcome):
    if desk == "simpy":
        return RecoveryDesk(simpy.Environment(), staff=staff, on_resolved=on_outcome, on_abandoned=on_outcome)
    return QueueRecursionDesk(staff=staff, on_resolved=on_outcome, on_abandoned=on_outcome)


def measure(desk_name: str, workload: str, complaints: int) -> dict:
    """CPU seconds per complaint of one desk on one workload (submitting, advancing, calling back)."""
    settings = WORKLOADS[workload]
    days = complaints_by_day(complaints, settings["per_day"], settings["handling_days"], settings["patience_days"])
    abandoned = [0]

    def resolved(customer, delay):
        pass

    def gave_up(customer, waited):
        abandoned[0] += 1

    desk = build(desk_name, settings["staff"], resolved)
    desk.on_abandoned = gave_up
    start = time.process_time()
    for day, day_complaints in enumerate(days):
        submit = desk.submit
        for complaint in day_complaints:
            submit(*complaint)
        desk.advance(day + 1)
    desk.advance(len(days) + 10_000)  # everyone still waiting is answered or gives up
    seconds = time.process_time() - start
    return {
        "desk": desk_name,
        "workload": workload,
        "complaints": complaints,
        "days": len(days),
        "abandoned_share": abandoned[0] / complaints,
        "us_per_complaint": seconds / complaints * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desk", choices=("simpy", "fast"), required=True)
    parser.add_argument("--workload", choices=tuple(WORKLOADS), required=True)
    parser.add_argument("--complaints", type=int, default=500_000)
    args = parser.parse_args()
    json.dump(measure(args.desk, args.workload, args.complaints), sys.stdout)
    print()


if __name__ == "__main__":
    main()
