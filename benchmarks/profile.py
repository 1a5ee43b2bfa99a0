"""``python -m benchmarks.profile [overrides]``: where one run spends its time.

Two views of the same configuration (default: the default run): the time of
each phase of the day, stopwatched in a fresh process (no profiler overhead),
then cProfile's functions by own time (the profiler inflates Python-heavy code
such as the SimPy desk against numpy passes; read it for names, not shares).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats

from benchmarks.measure import measure_run
from benchmarks.simpy_desk_model import use_simpy_desk
from sim.config import compose
from sim.run import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, as for servsim")
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    parser.add_argument("--desk", choices=("fast", "simpy"), default="fast",
                        help="simpy: the vectorised engine with the SimPy desk instead of the computed one")
    args = parser.parse_args()

    run = measure_run(*args.overrides, phases=True, desk=args.desk).report
    model = run["model_s"]
    print(f"{run['customers']:,} customers x {run['days']} days: model {model:.2f} s, "
          f"imports {run['import_s']:.2f} s, outputs {run['outputs_s']:.2f} s")
    for phase, seconds in run["phases_s"].items():  # in the day's order; indented: part of the phase above
        print(f"  {phase:22s} {seconds:7.3f} s  {seconds / model:4.0%}")

    config = compose(["output.progress=false", *args.overrides])
    if args.desk == "simpy":
        use_simpy_desk()
    profiler = cProfile.Profile()
    profiler.runcall(simulate, config)
    print()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
