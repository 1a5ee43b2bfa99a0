"""``python -m benchmarks``: measure servsim and write benchmarks/results.md.

Every number comes from fresh processes on this machine, now; the machine
and its load are written next to the table. Medians are over ``--repeats``
runs (the slowest configurations run once). ``--quick`` skips the million
customers and the per-agent engine at 10,000 and writes nothing.
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
# An overpromising firm whose customers speak up: the desk gets about ten times the default load.
HIGH_COMPLAINT_LOAD = ("scenario=overpromise", "customers.complaint_propensity=0.4", "recovery.staff=8")
SWEEP_RUNS = 8


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def repeated(times: int, measure, *args, **kwargs) -> list[Measurement]:
    return [measure(*args, **kwargs) for _ in range(times)]


def model_seconds(m: Measurement) -> float:
    return m.report["model_s"]


def wall_seconds(m: Measurement) -> float:
    return m.wall_s


def rss(m: Measurement) -> float:
    return m.peak_rss_mib


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    import mesa
    import numpy
    import simpy

    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"Mesa {mesa.__version__}, SimPy {simpy.__version__}; commit {commit or 'unknown'}"
    )


def load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def bench_default_run(repeats: int) -> list[str]:
    log("default run: servsim as typed ...")
    runs = repeated(max(repeats, 5), measure_servsim)
    walls = sorted(m.wall_s for m in runs)
    return [
        "## The default run, `servsim` as typed (10,000 customers, 730 days, all outputs)",
        "",
        "| runs | wall median | fastest | slowest | peak RSS |",
        "|---|---|---|---|---|",
        f"| {len(runs)} | {median_of(runs, wall_seconds):.2f} s | {walls[0]:.2f} s | {walls[-1]:.2f} s | {median_of(runs, rss):.0f} MiB |",
    ]


def bench_sizes(repeats: int, sizes) -> tuple[list[str], dict]:
    rows, model_times = [], {}
    for customers in sizes:
        times = 1 if customers >= 1_000_000 else repeats
        log(f"{customers:,} customers x 730 days, {times} run(s) ...")
        runs = repeated(times, measure_run, f"market.customers={customers}")
        model = median_of(runs, model_seconds)
        model_times[customers] = model
        report = runs[0].report
        rows.append(
            f"| {customers:,} | {median_of(runs, wall_seconds):.2f} s | {median_of(runs, rss):.0f} MiB | {model:.2f} s "
            f"| {model / (customers * 730) * 1e9:.0f} ns | {report['complaints']:,} | {report['abandoned']:,} | {times} |"
        )
    table = [
        "## One run by market size (730 days, default configuration, all outputs)",
        "",
        "Wall time and peak RSS are the whole process (start-up, simulation, outputs); model",
        "time is the simulation alone. The desk keeps its default two handlers, so from",
        "100,000 customers on most complainants give up waiting (that is the model, not the code).",
        "",
        "| customers | wall | peak RSS | model | per customer-day | complaints | abandoned | runs |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    return table, model_times


def bench_engines(repeats: int, sizes) -> list[str]:
    rows = []
    for customers in sizes:
        log(f"engines at {customers:,} customers: per-agent once, vector {repeats} times ...")
        agent = measure_run(f"market.customers={customers}", "engine=agent")
        vector = repeated(repeats, measure_run, f"market.customers={customers}", "engine=vector")
        identical = all(v.report["results_digest"] == agent.report["results_digest"] for v in vector)
        vector_model = median_of(vector, model_seconds)
        rows.append(
            f"| {customers:,} | {agent.report['model_s']:.1f} s | {vector_model:.3f} s | "
            f"**{agent.report['model_s'] / vector_model:.0f}x** | {agent.wall_s / median_of(vector, wall_seconds):.0f}x "
            f"| {agent.peak_rss_mib:.0f} / {median_of(vector, rss):.0f} MiB | {'yes' if identical else 'NO'} |"
        )
    return [
        "## Per-agent (`engine=agent`, idiomatic Mesa) against vectorised engine, same config and seed",
        "",
        "| customers | per-agent model | vector model | speed-up (model) | speed-up (wall) | peak RSS agent / vector | identical results |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]


def bench_phases(overrides: tuple[str, ...], label: str) -> tuple[list[str], dict, float]:
    log(f"phases: {label} ...")
    run = measure_run(*overrides, phases=True)
    model = run.report["model_s"]
    phases = run.report["phases_s"]
    desk = phases["desk"] + phases["desk_submissions"]
    days = run.report["days"]
    lines = [
        f"| {label} | {run.report['customers']:,} | {run.report['complaints'] / days:.0f} | "
        f"{run.report['abandoned'] / max(run.report['complaints'], 1):.0%} | {model:.2f} s | {desk:.2f} s | **{desk / model:.0%}** |"
    ]
    return lines, phases, model


def bench_desk(sizes) -> list[str]:
    rows, breakdowns = [], []
    for customers in sizes:
        row, phases, model = bench_phases((f"market.customers={customers}",), "default")
        rows += row
        breakdowns.append((f"default, {customers:,}", phases, model))
    row, phases, model = bench_phases(("market.customers=10000", *HIGH_COMPLAINT_LOAD), "high complaint load")
    rows += row
    breakdowns.append(("high load, 10,000", phases, model))
    names = list(breakdowns[0][1])
    table = [
        "## Where a run spends its time, and the SimPy desk's share",
        "",
        f"High complaint load: `{' '.join(HIGH_COMPLAINT_LOAD)}`. Desk time is SimPy's event",
        "loop (queue, resolutions, the complainants' stay-or-leave decisions) plus handing",
        "complaints to it; phases are timed with a stopwatch around each (no profiler overhead).",
        "",
        "| run | customers | complaints/day | abandoned | model | desk | desk share |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        "| phase | " + " | ".join(label for label, _, _ in breakdowns) + " |",
        "|---|" + "---|" * len(breakdowns),
    ]
    for name in names:
        table.append(
            f"| {name} | " + " | ".join(f"{phases[name]:.2f} s ({phases[name] / model:.0%})" for _, phases, model in breakdowns) + " |"
        )
    return table


def bench_sweep() -> list[str]:
    rows = []
    sweep = (f"seed=range(0,{SWEEP_RUNS})", "output.summary=false")
    for label, launcher in (
        ("basic (in-process, one after another)", ("hydra/launcher=basic",)),
        ("joblib, 1 worker", ("hydra/launcher=joblib", "hydra.launcher.n_jobs=1")),
        ("joblib, 2 workers", ("hydra/launcher=joblib", "hydra.launcher.n_jobs=2")),
    ):
        log(f"sweep of {SWEEP_RUNS} default runs: {label} ...")
        run = measure_servsim("-m", *sweep, *launcher)
        rows.append(f"| {label} | {run.wall_s:.1f} s | **{SWEEP_RUNS / run.wall_s * 60:.0f}** |")
    return [
        f"## Sweep throughput: `servsim -m seed=range(0,{SWEEP_RUNS})` (default runs, all outputs)",
        "",
        "| launcher | wall | runs per minute |",
        "|---|---|---|",
        *rows,
    ]


def bench_days(repeats: int) -> dict:
    times = {}
    for days in DAYS:
        log(f"{DAYS_FIT_CUSTOMERS:,} customers x {days} days ...")
        times[days] = median_of(repeated(repeats, measure_run, f"market.customers={DAYS_FIT_CUSTOMERS}", f"days={days}"), model_seconds)
    return times


def fits(model_by_size: dict, model_by_days: dict) -> list[str]:
    by_size = fit_line(list(model_by_size), list(model_by_size.values()))
    by_days = fit_line(list(model_by_days), list(model_by_days.values()))
    days_row = " ".join(f"{days} d: {seconds:.2f} s;" for days, seconds in model_by_days.items())
    return [
        "## Linear growth: model time against customers and against days",
        "",
        "| fit | intercept | slope | R^2 | points |",
        "|---|---|---|---|---|",
        f"| time = a + b x customers (730 days) | {by_size.intercept:.2f} s | {by_size.slope * 1e6:.1f} us per customer "
        f"| {by_size.r_squared:.4f} | the sizes above |",
        f"| time = a + b x days ({DAYS_FIT_CUSTOMERS:,} customers) | {by_days.intercept:.2f} s | {by_days.slope * 1e3:.1f} ms per day "
        f"| {by_days.r_squared:.4f} | {days_row} |",
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

    done(bench_default_run(args.repeats))
    size_table, model_by_size = bench_sizes(args.repeats, sizes)
    done(size_table)
    done(fits(model_by_size, bench_days(args.repeats)))
    done(bench_engines(args.repeats, (1_000,) if args.quick else (1_000, 10_000)))
    done(bench_desk((10_000,) if args.quick else (10_000, 1_000_000)))
    done(bench_sweep())
    minutes = (datetime.datetime.now().astimezone() - started).total_seconds() / 60
    header = [
        "# servsim benchmarks",
        "",
        f"Measured {started:%Y-%m-%d %H:%M %Z} by `python -m benchmarks` ({minutes:.1f} min) on {machine()}.",
        f"Load average (1/5/15 min) before: {load_before}, after: {load()}; other work shared the machine,",
        "so single numbers are noisy: medians are reported.",
    ]
    text = "\n\n".join("\n".join(section) for section in [header, *sections]) + "\n"
    print("\n".join(header))
    if not args.quick:
        RESULTS.write_text(text)
        log(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
