"""``python -m benchmarks``: measure servsim and write benchmarks/results.md.

Every number comes from fresh processes on this machine, now; the machine
and its load are written next to the tables. Medians are over ``--repeats``
runs (the slowest configurations run once). Wall time is what a user waits;
CPU time (user + system) is shown beside it because, unlike wall time, it
barely moves when other work shares the machine. ``--quick`` skips the
million customers and the per-agent engine, times launchers on small sweeps
only, and writes nothing.

Two desks are measured: the queueing-recursion desk (``agents.fast_desk``) the
vectorised engine computes, and the SimPy desk it ran before (and the per-agent
engine still runs), swapped in through ``benchmarks.simpy_desk_model``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.desk import WORKLOADS
from benchmarks.imports import import_times
from benchmarks.launchers import launcher_costs
from benchmarks.measure import ROOT, Measurement, fit_line, measure_process, measure_run, measure_servsim, median_of

RESULTS = Path(__file__).resolve().parent / "results.md"
SIZES = (10_000, 100_000, 1_000_000)
DESK_COMPLAINTS = 500_000
# An overpromising firm whose customers speak up: about ten times the default complaints.
HIGH_COMPLAINT_LOAD = ("scenario=overpromise", "customers.complaint_propensity=0.4", "recovery.staff=8")
SWEEP_RUNS = 8
TYPED, NO_FIGURE = "`servsim` as typed", "`servsim output.figures=false`"


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


def bench_desk(repeats: int, complaints: int) -> tuple[list[str], dict]:
    """Per-complaint cost of the SimPy and the recursion desk, standalone (``benchmarks.desk``)."""
    cost, rows = {}, []
    for workload, settings in WORKLOADS.items():
        for desk in ("simpy", "fast"):
            log(f"desk: {desk}, {workload}, {complaints:,} complaints, {repeats} time(s) ...")
            command = [sys.executable, "-m", "benchmarks.desk", "--desk", desk, "--workload", workload,
                       "--complaints", str(complaints)]
            runs = repeated(repeats, measure_process, command)
            cost[desk, workload] = median_of(runs, lambda m: m.report["us_per_complaint"])
        rows.append(
            f"| {workload} | {settings['per_day']} a day, {settings['staff']} handlers "
            f"| {runs[0].report['abandoned_share']:.0%} | {cost['simpy', workload]:.1f} us "
            f"| **{cost['fast', workload]:.2f} us** | {cost['simpy', workload] / cost['fast', workload]:.0f}x |"
        )
    table = [
        f"## The desk alone: CPU per complaint, {complaints:,} complaints (`python -m benchmarks.desk`)",
        "",
        "Complaints handed over day by day as the model does, each with its own exponential patience",
        "(mean 7 days) and handling time (mean 0.25 days); callbacks that do nothing, so this is the",
        "desk's own cost. Identical outcomes, moments and order: `tests/test_fast_desk.py`.",
        "",
        "| workload | complaints | gave up | SimPy desk | recursion desk | speed-up |",
        "|---|---|---|---|---|---|",
        *rows,
    ]
    return table, cost


def bench_default_run(repeats: int) -> tuple[list[str], dict]:
    rows, walls = [], {}
    for label, overrides in ((TYPED, ()), (NO_FIGURE, ("output.figures=false",))):
        log(f"default run: {label}, {max(repeats, 5)} times ...")
        runs = repeated(max(repeats, 5), measure_servsim, *overrides)
        ordered = sorted(m.wall_s for m in runs)
        walls[label] = median_of(runs, wall)
        rows.append(
            f"| {label} | {len(runs)} | **{walls[label]:.2f} s** | {ordered[0]:.2f} s | {ordered[-1]:.2f} s "
            f"| {median_of(runs, cpu):.2f} s | {median_of(runs, rss):.0f} MiB |"
        )
    table = [
        "## The default run (10,000 customers, 730 days; the recursion desk)",
        "",
        "| command | runs | wall median | fastest | slowest | CPU median | peak RSS |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    return table, walls


def bench_imports(repeats: int) -> list[str]:
    """Import time per package of a run with and without its figure (medians of fresh processes)."""
    columns = {}
    for label, overrides in ((TYPED, ()), (NO_FIGURE, ("output.figures=false",))):
        log(f"import times: {label}, {repeats} time(s) ...")
        samples = [import_times(*overrides, "output.summary=false", "output.progress=false") for _ in range(repeats)]
        groups = set().union(*samples)
        columns[label] = {group: statistics.median(s.get(group, 0.0) for s in samples) for group in groups}
    order = sorted(columns[TYPED], key=lambda group: (group == "total", -columns[TYPED][group]))
    return [
        "## Import time per package (`python -X importtime`, each module's self time summed per package)",
        "",
        "A package counts wherever it is first imported: pandas, scipy.spatial and networkx come in",
        "with `import mesa` (its DataCollector, continuous space and network grid). `-X importtime`",
        "itself slows importing by some 10-20%.",
        "",
        f"| package | {TYPED} | {NO_FIGURE} |",
        "|---|---|---|",
        *(f"| {group} | {columns[TYPED][group]:.3f} s | {columns[NO_FIGURE].get(group, 0.0):.3f} s |" for group in order),
    ]


def bench_sizes(repeats: int, sizes) -> tuple[list[str], dict, dict]:
    rows, model_times, largest = [], {}, {}
    for customers in sizes:
        times = 1 if customers >= 1_000_000 else repeats
        by_desk, digests = {}, set()
        for desk in ("simpy", "fast"):
            log(f"{customers:,} customers x 730 days, {desk} desk, {times} run(s) ...")
            by_desk[desk] = repeated(times, measure_run, f"market.customers={customers}", desk=desk)
            model_times[customers, desk] = median_of(by_desk[desk], model_cpu)
            digests |= {m.report["results_digest"] for m in by_desk[desk]}
        simpy_runs, fast_runs = by_desk["simpy"], by_desk["fast"]
        largest = {"customers": customers, "wall": median_of(fast_runs, wall), "rss": median_of(fast_runs, rss)}
        report = fast_runs[0].report
        rows.append(
            f"| {customers:,} | {median_of(simpy_runs, wall):.1f} / {median_of(fast_runs, wall):.1f} s "
            f"| {median_of(simpy_runs, rss):.0f} / {median_of(fast_runs, rss):.0f} MiB "
            f"| {median_of(fast_runs, lambda m: m.report['import_s']):.2f} s "
            f"| {model_times[customers, 'simpy']:.2f} / **{model_times[customers, 'fast']:.2f} s** "
            f"| {model_times[customers, 'simpy'] / (customers * 730) * 1e9:.0f} / "
            f"**{model_times[customers, 'fast'] / (customers * 730) * 1e9:.0f} ns** "
            f"| {report['complaints']:,} | {report['abandoned']:,} | {'yes' if len(digests) == 1 else 'NO'} | {times} |"
        )
    table = [
        "## One run by market size (730 days, default configuration, all outputs)",
        "",
        "Each cell: the SimPy desk swapped in / the recursion desk the vectorised engine computes. Wall and peak RSS",
        "are the whole process (start-up, simulation, outputs); model time is CPU. The desk keeps its",
        "default two handlers at every size, so from 100,000 customers on most complainants give up",
        "waiting (that is the model, not the code). Identical: one digest of `timeseries.csv` and",
        "`summary.json` for both desks.",
        "",
        "| customers | wall | peak RSS | imports | model CPU | per customer-day (CPU) | complaints | abandoned | identical | runs |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    return table, model_times, largest


def bench_fit(model_times: dict, sizes) -> list[str]:
    by_size = {customers: model_times[customers, "fast"] for customers in sizes}
    fit = fit_line(list(by_size), list(by_size.values()))
    return [
        "## Linear growth: model CPU time against customers (recursion desk, 730 days)",
        "",
        f"time = {fit.intercept:.2f} s + {fit.slope * 1e6:.1f} us x customers; R^2 {fit.r_squared:.4f} over "
        + "; ".join(f"{n:,}: {s:.2f} s" for n, s in by_size.items()),
    ]


def bench_engines(repeats: int, customers: int) -> tuple[list[str], dict]:
    log(f"engines at {customers:,} customers: per-agent once, vectorised {repeats} times with each desk ...")
    agent = measure_run(f"market.customers={customers}", "engine=agent", "output.figures=false")
    rows, ratios = [], {}
    for desk, label in (("simpy", "the SimPy desk (before)"), ("fast", "the recursion desk")):
        vector = repeated(repeats, measure_run, f"market.customers={customers}", "engine=vector", "output.figures=false", desk=desk)
        identical = all(v.report["results_digest"] == agent.report["results_digest"] for v in vector)
        ratios[desk] = model_wall(agent) / median_of(vector, model_wall)
        rows.append(
            f"| {label} | {model_wall(agent):.1f} / {model_cpu(agent):.1f} s "
            f"| {median_of(vector, model_wall):.3f} / {median_of(vector, model_cpu):.3f} s "
            f"| **{ratios[desk]:.0f}x** / {model_cpu(agent) / median_of(vector, model_cpu):.0f}x "
            f"| {agent.peak_rss_mib:.0f} / {median_of(vector, rss):.0f} MiB | {'yes' if identical else 'NO'} |"
        )
    table = [
        f"## Per-agent engine (`engine=agent`, idiomatic Mesa, SimPy desk) against the vectorised engine, {customers:,} customers",
        "",
        "Same configuration and seed; model time only (start-up is the same for both). Identical",
        "results: one digest of `timeseries.csv` and `summary.json`.",
        "",
        "| vectorised engine with | per-agent model wall / CPU | vectorised model wall / CPU | speed-up wall / CPU | peak RSS agent / vector | identical |",
        "|---|---|---|---|---|---|",
        *rows,
    ]
    return table, ratios


def bench_phases(sizes) -> list[str]:
    runs = []
    for label, overrides in [(f"{n:,}", (f"market.customers={n}",)) for n in sizes] + [
        ("10,000, high complaint load", ("market.customers=10000", *HIGH_COMPLAINT_LOAD))
    ]:
        log(f"phases (recursion desk): {label} ...")
        runs.append((label, measure_run(*overrides, "output.figures=false", phases=True, desk="fast").report))
    rows = []
    for label, run in runs:
        phases, model = run["phases_cpu_s"], run["model_cpu_s"]
        machinery = phases["desk"] - phases["  desk_outcomes"] + phases["  desk_submissions"]
        rows.append(
            f"| {label} | {run['complaints'] / run['days']:.0f} | {run['abandoned'] / max(run['complaints'], 1):.0%} "
            f"| {model:.2f} s | {model / (run['customers'] * run['days']) * 1e9:.0f} ns | {machinery:.2f} s "
            f"| {phases['  desk_outcomes']:.2f} s | **{phases['  desk_outcomes'] / max(run['complaints'], 1) * 1e6:.0f} us** |"
        )
    table = [
        "## Where a run spends its time once the desk is cheap (vectorised engine, recursion desk)",
        "",
        f"High complaint load: `{' '.join(HIGH_COMPLAINT_LOAD)}`. Each phase of the day is timed with a",
        "stopwatch around it (CPU time, no profiler; a stopwatch costs about a microsecond a call).",
        "Desk machinery: submitting and the desk's clock; desk outcomes: applying the day's outcomes",
        "(recovery or abandonment, then stay or leave) as arrays, once a day.",
        "",
        "| customers | complaints/day | abandoned | model CPU | per customer-day | desk machinery | desk outcomes | outcomes per complaint |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "| phase (CPU) | " + " | ".join(label for label, _ in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]
    for phase in runs[0][1]["phases_cpu_s"]:
        cells = [f"{run['phases_cpu_s'][phase]:.2f} s ({run['phases_cpu_s'][phase] / run['model_cpu_s']:.0%})" for _, run in runs]
        table.append(f"| {phase.replace(' ', '&nbsp;')} | " + " | ".join(cells) + " |")
    table.append("")
    table.append("Indented phases are parts of the one above; the rest of a run's model time is the day loop itself.")
    return table


def bench_sweep(repeats: int) -> tuple[list[str], dict]:
    rows, per_minute = [], {}
    sweep = (f"seed=range(0,{SWEEP_RUNS})", "output.summary=false")
    for label, launcher in (
        ("basic (in-process, one after another)", ("hydra/launcher=basic",)),
        ("joblib, 1 worker", ("hydra/launcher=joblib", "hydra.launcher.n_jobs=1")),
        ("joblib, 2 workers", ("hydra/launcher=joblib", "hydra.launcher.n_jobs=2")),
    ):
        log(f"sweep of {SWEEP_RUNS} default runs, {repeats} time(s): {label} ...")
        runs = repeated(repeats, measure_servsim, "-m", *sweep, *launcher)
        per_minute[label] = SWEEP_RUNS / median_of(runs, wall) * 60
        rows.append(f"| {label} | {median_of(runs, wall):.1f} s | {median_of(runs, cpu):.1f} s | **{per_minute[label]:.0f}** |")
    table = [
        f"## Sweep throughput: `servsim -m seed=range(0,{SWEEP_RUNS})` (default runs, all outputs, the recursion desk)",
        "",
        "Two workers can only beat one when the machine's second core is free of other work.",
        "",
        "| launcher | wall (median) | CPU, all processes | runs per minute |",
        "|---|---|---|---|",
        *rows,
    ]
    return table, per_minute


def bench_launchers(repeats: int, quick: bool) -> tuple[list[str], list[dict]]:
    log("launcher overhead: sweeps of tiny runs under each launcher ...")
    rows = launcher_costs(repeats, scale=0.25 if quick else 1.0)
    table = [
        "## Launcher overhead per run: sweeps of tiny runs (200 people, 5 days, no figure)",
        "",
        "A tiny run simulates in milliseconds, so its sweep is almost all launcher and Hydra. Each",
        "launcher runs a small and a large sweep, once each (200 tiny runs take a minute or more); the",
        "slope between them is the cost per run, the intercept the fixed cost (starting workers or Ray,",
        "and the report written when the sweep ends).",
        "",
        "| launcher | sweeps timed | per run | fixed |",
        "|---|---|---|---|",
        *(
            f"| {r['launcher']} | {r['small']} runs: {r['small_s']:.1f} s; {r['large']} runs: {r['large_s']:.1f} s "
            f"| **{r['per_run_s']:.2f} s** | {r['fixed_s']:.1f} s |"
            for r in rows
        ),
    ]
    return table, rows


def launcher_verdict(launchers: list[dict]) -> str:
    """Which launchers meet the 0.3 s per run target: they differ by design (submitit starts a process per run)."""
    missed = [r["launcher"].split(" (")[0] for r in launchers if r["per_run_s"] >= 0.3]
    if not missed:
        return "met"
    return f"met by all but {' and '.join(missed)}" if len(missed) < len(launchers) else "**not met**"


def targets(walls: dict, model_times: dict, largest: dict, ratios: dict, desk: dict, per_minute: dict,
            launchers: list[dict]) -> list[str]:
    def verdict(met: bool) -> str:
        return "met" if met else "**not met**"

    fast_desk = max(cost for (name, _), cost in desk.items() if name == "fast")
    simpy_desk = max(cost for (name, _), cost in desk.items() if name == "simpy")
    model_10k = model_times[10_000, "fast"]
    one_worker = per_minute["joblib, 1 worker"]
    lines = [
        "## Targets (issue 13)",
        "",
        "| target | measured (medians) | |",
        "|---|---|---|",
        f"| desk under 2 us per complaint | {fast_desk:.2f} us at worst (the SimPy desk: {simpy_desk:.0f} us) "
        f"| {verdict(fast_desk < 2)} |",
        f"| `servsim` as typed under 1.5 s wall | {walls[TYPED]:.2f} s; without the figure {walls[NO_FIGURE]:.2f} s "
        f"(recursion desk) | {verdict(walls[TYPED] < 1.5)} |",
        f"| the model at 10,000 customers under 0.2 s | {model_10k:.2f} s CPU (recursion desk) | {verdict(model_10k < 0.2)} |",
    ]
    if largest.get("customers", 0) >= 1_000_000:
        per_day = model_times[1_000_000, "fast"] / (1_000_000 * 730) * 1e9
        lines += [
            f"| 1,000,000 x 730 days under 20 s wall (27 ns per customer-day) "
            f"| {largest['wall']:.0f} s wall, {per_day:.0f} ns CPU (recursion desk) | {verdict(largest['wall'] < 20)} |",
            f"| 1,000,000 x 730 days in under 1 GB | {largest['rss']:.0f} MiB peak (recursion desk, all outputs) "
            f"| {verdict(largest['rss'] * 2**20 < 1e9)} |",
        ]
    else:
        lines.append("| 1,000,000 x 730 days under 20 s wall, under 1 GB | not run (--quick) | |")
    if ratios:
        lines.append(
            f"| vectorised at least 300x the per-agent engine at 10,000, identical | {ratios['fast']:.0f}x with the "
            f"recursion desk, {ratios['simpy']:.0f}x with SimPy's (model wall) | {verdict(ratios['fast'] >= 300)} |"
        )
    lines += [
        f"| at least 60 default runs per minute per core | {one_worker:.0f} with one worker, "
        f"{per_minute['joblib, 2 workers']:.0f} with two (recursion desk, all outputs) | {verdict(one_worker >= 60)} |",
        "| launcher overhead under 0.3 s per run | "
        + "; ".join(f"{r['launcher'].split(' (')[0]}: {r['per_run_s']:.2f} s" for r in launchers)
        + f" | {launcher_verdict(launchers)} |",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per configuration (median reported)")
    parser.add_argument("--quick", action="store_true", help="up to 100,000 customers, no per-agent run, small sweeps; writes nothing")
    args = parser.parse_args()
    sizes = SIZES[:-1] if args.quick else SIZES
    started = datetime.datetime.now().astimezone()
    load_before = load()
    sections = []

    def done(section: list[str]) -> None:
        """Print each table as soon as it is measured: a long session shows progress, a failure keeps it."""
        sections.append(section)
        print("\n".join(section) + "\n", flush=True)

    desk_table, desk = bench_desk(args.repeats, 50_000 if args.quick else DESK_COMPLAINTS)
    done(desk_table)
    default_table, walls = bench_default_run(args.repeats)
    done(default_table)
    done(bench_imports(args.repeats))
    size_table, model_times, largest = bench_sizes(args.repeats, sizes)
    done(size_table)
    done(bench_fit(model_times, sizes))
    ratios = {}
    if not args.quick:
        engine_table, ratios = bench_engines(args.repeats, 10_000)
        done(engine_table)
    done(bench_phases(sizes))
    sweep_table, per_minute = bench_sweep(args.repeats)
    done(sweep_table)
    launcher_table, launchers = bench_launchers(1, args.quick)  # 200 tiny runs per launcher: one sweep each
    done(launcher_table)
    minutes = (datetime.datetime.now().astimezone() - started).total_seconds() / 60
    header = [
        "# servsim benchmarks",
        "",
        f"Measured {started:%Y-%m-%d %H:%M %Z} by `python -m benchmarks` ({minutes:.0f} min) on {machine()}.",
        f"Load average (1 / 5 / 15 min) before: {load_before}; after: {load()}. Other work shared the",
        "machine, so single numbers are noisy: medians are reported, and CPU time beside wall time.",
    ]
    summary = targets(walls, model_times, largest, ratios, desk, per_minute, launchers)
    print("\n".join(header + [""] + summary))
    if not args.quick:
        RESULTS.write_text("\n\n".join("\n".join(section) for section in [header, summary, *sections]) + "\n")
        log(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
