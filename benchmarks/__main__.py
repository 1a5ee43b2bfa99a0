"""``python -m benchmarks``: measure servsim and write benchmarks/results.md.

Every number comes from fresh processes on this machine, now; the machine
and its load are written next to the tables. Medians are over ``--repeats``
runs (the slowest configurations run once). Wall time is what a user waits;
CPU time (user + system) is shown beside it because, unlike wall time, it
barely moves when other work shares the machine. ``--quick`` skips the
million customers and the per-agent engine at 10,000, and writes nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

from benchmarks.measure import ROOT, Measurement, fit_line, measure_run, measure_servsim, median_of

RESULTS = Path(__file__).resolve().parent / "results.md"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
DAYS = (91, 182, 365, 730)
DAYS_FIT_CUSTOMERS = 100_000
# An overpromising firm whose customers speak up: about ten times the default complaints.
HIGH_COMPLAINT_LOAD = ("scenario=overpromise", "customers.complaint_propensity=0.4", "recovery.staff=8")
SWEEP_RUNS = 8


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def repeated(times: int, measure, *args, **kwargs) -> list[Measurement]:
    return [measure(*args, **kwargs) for _ in range(times)]


def wall(m: Measurement) -> float:
    return m.wall_s


def cpu(m: Measurement) -> float:
    return m.cpu_s


def rss(m: Measurement) -> float:
    return m.peak_rss_mib


def model_wall(m: Measurement) -> float:
    return m.report["model_s"]


def model_cpu(m: Measurement) -> float:
    return m.report["model_cpu_s"]


def machine() -> str:
    cpu_name = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    import mesa
    import numpy
    import simpy

    return (
        f"{cpu_name}, {os.cpu_count()} cores; Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"Mesa {mesa.__version__}, SimPy {simpy.__version__}; commit {commit or 'unknown'}"
    )


def load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def bench_default_run(repeats: int) -> tuple[list[str], float]:
    log("default run: servsim as typed ...")
    runs = repeated(max(repeats, 5), measure_servsim)
    walls = sorted(m.wall_s for m in runs)
    table = [
        "## The default run: `servsim` as typed (10,000 customers, 730 days, all outputs)",
        "",
        "| runs | wall median | fastest | slowest | CPU median | peak RSS |",
        "|---|---|---|---|---|---|",
        f"| {len(runs)} | **{median_of(runs, wall):.2f} s** | {walls[0]:.2f} s | {walls[-1]:.2f} s "
        f"| {median_of(runs, cpu):.2f} s | {median_of(runs, rss):.0f} MiB |",
    ]
    return table, median_of(runs, wall)


def bench_sizes(repeats: int, sizes) -> tuple[list[str], dict, dict]:
    rows, model_times, largest = [], {}, {}
    for customers in sizes:
        times = 1 if customers >= 1_000_000 else repeats
        log(f"{customers:,} customers x 730 days, {times} run(s) ...")
        runs = repeated(times, measure_run, f"market.customers={customers}")
        model_times[customers] = median_of(runs, model_cpu)
        largest = {"customers": customers, "wall": median_of(runs, wall), "rss": median_of(runs, rss)}
        report = runs[0].report
        rows.append(
            f"| {customers:,} | {median_of(runs, wall):.2f} s | {median_of(runs, cpu):.2f} s | {median_of(runs, rss):.0f} MiB "
            f"| {median_of(runs, lambda m: m.report['import_s']):.2f} s | {median_of(runs, model_wall):.2f} / {model_times[customers]:.2f} s "
            f"| {median_of(runs, lambda m: m.report['outputs_s']):.2f} s "
            f"| {model_times[customers] / (customers * 730) * 1e9:.0f} ns | {report['complaints']:,} | {report['abandoned']:,} | {times} |"
        )
    table = [
        "## One run by market size (730 days, default configuration, all outputs)",
        "",
        "Wall, CPU and peak RSS are the whole process (start-up, simulation, outputs). The desk",
        "keeps its default two handlers at every size, so from 100,000 customers on most",
        "complainants give up waiting (that is the model, not the code).",
        "",
        "| customers | wall | CPU | peak RSS | imports | model wall / CPU | outputs | per customer-day (CPU) | complaints | abandoned | runs |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    return table, model_times, largest


def bench_days(repeats: int) -> dict:
    times = {}
    for days in DAYS:
        log(f"{DAYS_FIT_CUSTOMERS:,} customers x {days} days ...")
        runs = repeated(repeats, measure_run, f"market.customers={DAYS_FIT_CUSTOMERS}", f"days={days}", "output.figures=false")
        times[days] = median_of(runs, model_cpu)
    return times


def fits(model_by_size: dict, model_by_days: dict) -> tuple[list[str], float]:
    by_size = fit_line(list(model_by_size), list(model_by_size.values()))
    by_days = fit_line(list(model_by_days), list(model_by_days.values()))
    size_points = "; ".join(f"{n:,}: {s:.2f} s" for n, s in model_by_size.items())
    days_points = "; ".join(f"{d}: {s:.2f} s" for d, s in model_by_days.items())
    table = [
        "## Linear growth: model CPU time against customers and against days",
        "",
        "| fit | intercept | slope | R^2 | points |",
        "|---|---|---|---|---|",
        f"| time = a + b x customers (730 days) | {by_size.intercept:.2f} s | {by_size.slope * 1e6:.1f} us per customer "
        f"| {by_size.r_squared:.4f} | {size_points} |",
        f"| time = a + b x days ({DAYS_FIT_CUSTOMERS:,} customers) | {by_days.intercept:.2f} s | {by_days.slope * 1e3:.1f} ms per day "
        f"| {by_days.r_squared:.4f} | {days_points} |",
    ]
    return table, min(by_size.r_squared, by_days.r_squared)


def bench_engines(repeats: int, sizes) -> tuple[list[str], tuple[int, float]]:
    rows, ratio = [], 0.0
    for customers in sizes:
        log(f"engines at {customers:,} customers: per-agent once, vector {repeats} times ...")
        agent = measure_run(f"market.customers={customers}", "engine=agent", "output.figures=false")
        vector = repeated(repeats, measure_run, f"market.customers={customers}", "engine=vector", "output.figures=false")
        identical = all(v.report["results_digest"] == agent.report["results_digest"] for v in vector)
        ratio = model_wall(agent) / median_of(vector, model_wall)
        rows.append(
            f"| {customers:,} | {model_wall(agent):.1f} / {model_cpu(agent):.1f} s "
            f"| {median_of(vector, model_wall):.3f} / {median_of(vector, model_cpu):.3f} s "
            f"| **{ratio:.0f}x** / {model_cpu(agent) / median_of(vector, model_cpu):.0f}x "
            f"| {agent.peak_rss_mib:.0f} / {median_of(vector, rss):.0f} MiB | {'yes' if identical else 'NO'} |"
        )
    table = [
        "## Per-agent engine (`engine=agent`, idiomatic Mesa) against the vectorised engine",
        "",
        "Same configuration and seed; model time only (start-up is the same for both). Identical",
        "results: the same digest of `timeseries.csv` and `summary.json`.",
        "",
        "| customers | per-agent model wall / CPU | vector model wall / CPU | speed-up wall / CPU | peak RSS agent / vector | identical results |",
        "|---|---|---|---|---|---|",
        *rows,
    ]
    return table, (customers, ratio)


def bench_phases(sizes) -> list[str]:
    runs = []
    for label, overrides in [(f"default, {n:,}", (f"market.customers={n}",)) for n in sizes] + [
        ("high complaint load, 10,000", ("market.customers=10000", *HIGH_COMPLAINT_LOAD))
    ]:
        log(f"phases: {label} ...")
        runs.append((label, measure_run(*overrides, "output.figures=false", phases=True).report))
    rows = []
    for label, run in runs:
        phases, model = run["phases_cpu_s"], run["model_cpu_s"]
        desk = phases["desk"] + phases["desk_submissions"]
        rows.append(
            f"| {label} | {run['complaints'] / run['days']:.0f} | {run['abandoned'] / max(run['complaints'], 1):.0%} "
            f"| {model:.2f} s | {desk:.2f} s | **{desk / model:.0%}** | {desk / max(run['complaints'], 1) * 1e6:.0f} us |"
        )
    table = [
        "## Where a run spends its time; the SimPy desk's share",
        "",
        f"High complaint load: `{' '.join(HIGH_COMPLAINT_LOAD)}`. Desk time is SimPy's event loop",
        "(queue, resolutions, the complainants' stay-or-leave decisions) plus handing complaints",
        "to it. Each phase of the day is timed with a stopwatch around it (CPU time, no profiler).",
        "",
        "| run | complaints/day | abandoned | model CPU | desk CPU | desk share | desk per complaint |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        "| phase (CPU) | " + " | ".join(label for label, _ in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]
    for phase in runs[0][1]["phases_cpu_s"]:
        cells = [f"{run['phases_cpu_s'][phase]:.2f} s ({run['phases_cpu_s'][phase] / run['model_cpu_s']:.0%})" for _, run in runs]
        table.append(f"| {phase} | " + " | ".join(cells) + " |")
    table.append("")
    table.append("`desk_submissions` runs inside `visits`; the rest of a run's model time is the day loop itself.")
    return table


def bench_sweep(repeats: int) -> list[str]:
    rows = []
    sweep = (f"seed=range(0,{SWEEP_RUNS})", "output.summary=false")
    for label, launcher in (
        ("basic (in-process, one after another)", ("hydra/launcher=basic",)),
        ("joblib, 1 worker", ("hydra/launcher=joblib", "hydra.launcher.n_jobs=1")),
        ("joblib, 2 workers", ("hydra/launcher=joblib", "hydra.launcher.n_jobs=2")),
    ):
        log(f"sweep of {SWEEP_RUNS} default runs, {repeats} time(s): {label} ...")
        runs = repeated(repeats, measure_servsim, "-m", *sweep, *launcher)
        rows.append(
            f"| {label} | {median_of(runs, wall):.1f} s | {median_of(runs, cpu):.1f} s "
            f"| **{SWEEP_RUNS / median_of(runs, wall) * 60:.0f}** |"
        )
    return [
        f"## Sweep throughput: `servsim -m seed=range(0,{SWEEP_RUNS})` (default runs, all outputs)",
        "",
        "Two workers can only beat one when the machine's second core is free of other work.",
        "",
        "| launcher | wall (median) | CPU, all processes | runs per minute |",
        "|---|---|---|---|",
        *rows,
    ]


def targets(default_wall: float, largest: dict, speed_up: tuple[int, float], r_squared: float) -> list[str]:
    def verdict(met: bool) -> str:
        return "met" if met else "**not met**"

    million = largest["customers"] >= 1_000_000
    customers, ratio = speed_up
    return [
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| default run under 2 s wall, start-up included | {default_wall:.2f} s (median) | {verdict(default_wall < 2.0)} |",
        f"| 1,000,000 customers x 730 days under 60 s and 2 GB | "
        + (
            f"{largest['wall']:.0f} s, {largest['rss']:.0f} MiB | {verdict(largest['wall'] < 60 and largest['rss'] < 2048)} |"
            if million
            else "not run (--quick) | |"
        ),
        f"| vectorised at least 200x faster than per-agent at 10,000 | {ratio:.0f}x at {customers:,} (model wall) "
        f"| {verdict(ratio >= 200 and customers >= 10_000)} |",
        f"| time linear in customers and in days | R^2 >= {r_squared:.4f} | {verdict(r_squared >= 0.99)} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per configuration (median reported)")
    parser.add_argument("--quick", action="store_true", help="up to 100,000 customers, no agent run at 10,000; writes nothing")
    args = parser.parse_args()
    sizes = SIZES[:-1] if args.quick else SIZES
    started = datetime.datetime.now().astimezone()
    load_before = load()
    sections = []

    def done(section: list[str]) -> None:
        """Print each table as soon as it is measured: a long session shows progress, a failure keeps it."""
        sections.append(section)
        print("\n".join(section) + "\n", flush=True)

    default_table, default_wall = bench_default_run(args.repeats)
    done(default_table)
    size_table, model_by_size, largest = bench_sizes(args.repeats, sizes)
    done(size_table)
    fit_table, r_squared = fits(model_by_size, bench_days(args.repeats))
    done(fit_table)
    engine_table, speed_up = bench_engines(args.repeats, (1_000,) if args.quick else (1_000, 10_000))
    done(engine_table)
    done(bench_phases((10_000,) if args.quick else (10_000, 1_000_000)))
    done(bench_sweep(args.repeats))
    minutes = (datetime.datetime.now().astimezone() - started).total_seconds() / 60
    header = [
        "# servsim benchmarks",
        "",
        f"Measured {started:%Y-%m-%d %H:%M %Z} by `python -m benchmarks` ({minutes:.0f} min) on {machine()}.",
        f"Load average (1 / 5 / 15 min) before: {load_before}; after: {load()}. Other work shared the",
        "machine, so single numbers are noisy: medians are reported, and CPU time beside wall time.",
    ]
    summary = targets(default_wall, largest, speed_up, r_squared)
    print("\n".join(header + [""] + summary))
    if not args.quick:
        RESULTS.write_text("\n\n".join("\n".join(section) for section in [header, summary, *sections]) + "\n")
        log(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
