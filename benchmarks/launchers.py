"""What a Hydra launcher costs per run: sweeps of tiny runs, timed at two sizes.

A tiny run (200 people, 5 days, no figure) simulates in a few milliseconds, so
a sweep of them is almost all launcher: starting workers, shipping each job,
Hydra's set-up per job, writing the run's files. Timing the same sweep with
``small`` and ``large`` runs gives a line: its slope is the cost per run, its
intercept the fixed cost of starting the launcher (and of the report written
when the sweep ends).
"""

from __future__ import annotations

import os
import statistics
import sys

from benchmarks.measure import measure_servsim


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)

TINY_RUN = ("market.customers=200", "days=5", "output.figures=false", "output.summary=false", "output.progress=false")
QUIET_RAY = {"RAY_USAGE_STATS_ENABLED": "0"}  # as tests/test_launchers.py and the README run Ray

# name, launcher overrides, (small, large) sweep sizes
LAUNCHERS = (
    ("basic (one process, one run after another)", ("hydra/launcher=basic",), (20, 200)),
    ("joblib, 1 worker", ("hydra/launcher=joblib", "hydra.launcher.n_jobs=1"), (20, 200)),
    ("joblib, 2 workers", ("hydra/launcher=joblib", "hydra.launcher.n_jobs=2"), (20, 200)),
    ("Ray, private local (ray_local, 2 CPUs)", ("hydra/launcher=ray_local",), (20, 200)),
    # submitit_local starts every job at once, each its own Python process (about 150 MiB):
    # 200 would need some 30 GiB here, so it is timed on 5 and 20 runs.
    ("submitit_local (a process per run, all at once)", ("hydra/launcher=submitit_local",), (5, 20)),
)


def sweep_seconds(launcher: tuple[str, ...], runs: int) -> float:
    os.environ.update(QUIET_RAY)
    return measure_servsim("-m", f"seed=range(0,{runs})", *TINY_RUN, *launcher).wall_s


def launcher_costs(repeats: int, scale: float = 1.0) -> list[dict]:
    """Per launcher: seconds per run (slope) and fixed seconds (intercept); the large sweep ``repeats`` times.

    ``scale`` shrinks the sweeps (a quick look).
    """
    rows = []
    for name, launcher, sizes in LAUNCHERS:
        small, large = (max(2, round(size * scale)) for size in sizes)
        log(f"  {name}: {small} and {large} tiny runs ...")
        small_s = sweep_seconds(launcher, small)
        large_s = statistics.median(sweep_seconds(launcher, large) for _ in range(repeats))
        per_run = (large_s - small_s) / (large - small)
        rows.append(
            {"launcher": name, "small": small, "large": large, "small_s": small_s, "large_s": large_s,
             "per_run_s": per_run, "fixed_s": small_s - small * per_run}
        )
    return rows
