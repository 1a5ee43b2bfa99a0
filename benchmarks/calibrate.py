"""``python -m benchmarks.calibrate BANK``: what calibration costs on this machine (issue 19's targets).

Prints, with the machine's load beside them (the numbers move with it):
- the bank's cost: ``--runs`` fresh runs at the bank's size, wall and CPU seconds per simulation and
  runs per minute with all cores (target: 4,000 in 5 minutes);
- training and sampling each method on the bank BANK (wall seconds, peak resident memory of the
  process; target 2 minutes and 4 GiB);
- a second firm against the existing bank: ``servsim.calibrate`` of configs/observed/example_firm.yaml
  with the bank given, predictive check included (target under 30 s).

Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from experiments.calibrate import bank as banks
from experiments.calibrate.inference import posterior
from experiments.calibrate.observed import load_observed
from experiments.calibrate.priors import priors
from experiments.calibrate.run import calibrate

EXAMPLE = Path(__file__).resolve().parent.parent / "configs" / "observed" / "example_firm.yaml"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bank", help="a bank folder made by servsim-calibrate (at the example firm's settings)")
    parser.add_argument("--runs", type=int, default=40, help="fresh runs timed for the bank's cost")
    args = parser.parse_args()
    spec, rows = banks.load(Path(args.bank))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")

    # CPU seconds of one run in this process (the loop's workers are not reaped, so their CPU is not counted)
    run = banks.overrides(spec, spec.parameters(np.arange(1))[0], 0)
    costs = []
    for _ in range(3):
        cpu = time.process_time()
        banks.run_summary(run)
        costs.append(time.process_time() - cpu)
    with tempfile.TemporaryDirectory() as root:
        wall = time.perf_counter()
        banks.build(banks.BankSpec(spec.settings, spec.customers, spec.days, seed=99), args.runs, Path(root), progress=False)
        wall = time.perf_counter() - wall
    print(f"bank: one run of {spec.customers:,} customers x {spec.days} days costs {np.median(costs):.2f} CPU s (median of 3); "
          f"{args.runs} runs on all cores took {wall:.1f} s wall, {60 * args.runs / wall:.0f} runs a minute; "
          f"4,000 runs would take {4000 * wall / args.runs / 60:.0f} min at this load, "
          f"{4000 * np.median(costs) / os.cpu_count() / 60:.0f} min on idle cores")

    figures = list(load_observed(EXAMPLE).figures)
    for method in ("npe", "abc"):
        start = time.perf_counter()
        posterior(rows, priors(), figures, method=method, draws=2000)
        print(f"{method}: trained and sampled 2,000 draws on {len(rows)} runs in {time.perf_counter() - start:.1f} s; "
              f"peak resident memory so far {peak_mib():.0f} MiB")

    for method in ("npe", "abc"):
        start = time.perf_counter()
        result = calibrate(EXAMPLE, bank=args.bank, method=method, check_runs=20, bank_size=len(rows), progress=False)
        print(f"second firm against the bank ({method}, predictive check of 20 runs included): "
              f"{time.perf_counter() - start:.1f} s; pinned down: "
              f"{', '.join(k for k, v in result.contraction.items() if v >= 0.5) or 'none'}")
    print(f"peak resident memory of this process: {peak_mib():.0f} MiB (np {np.__version__})")


if __name__ == "__main__":
    main()
