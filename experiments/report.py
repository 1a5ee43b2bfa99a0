"""``servsim-report <multirun dir>``: runs.csv, means with 95% CIs, figures and report.md.

Called automatically when ``servsim -m experiment=...`` ends (experiments.callbacks);
run it by hand on any sweep directory, finished or not, to (re)draw the report from
the runs that are complete. ``--out DIR`` writes the report elsewhere (``make
reference`` uses it to refresh results/reference/).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments import promise_level, recovery_speed, sensitivity, surprise_trap
from experiments.aggregate import (
    COMPLAINANTS_KEPT,
    Sweep,
    landmark_ladder,
    load_sweep,
    summarise_replications,
    unfinished_jobs,
)
from experiments.text import markdown_table
from sim.run import SUMMARY_FILE

# experiment name (configs/experiment/<name>.yaml) -> its report section
SECTIONS = {
    "promise_level": promise_level.report,
    "recovery_speed": recovery_speed.report,
    "surprise_trap": surprise_trap.report,
    "sensitivity": sensitivity.report,
    "sensitivity_sobol": sensitivity.report,
}
GENERIC_METRICS = ["retention_never_left", COMPLAINANTS_KEPT, "market_share", "acquisitions", "profit"]


def generic_section(sweep: Sweep, out_dir: Path) -> str:
    """Any other sweep: means and 95% CIs of the key metrics per setting of the swept parameters."""
    means = summarise_replications(sweep.runs, sweep.parameters, GENERIC_METRICS)
    means.to_csv(out_dir / "means.csv", index=False)
    shown = means.assign(value=[f"{m:.4g} [{lo:.4g}, {hi:.4g}]" for m, lo, hi in means[["mean", "ci_low", "ci_high"]].values])
    table = shown.pivot_table(index=sweep.parameters or None, columns="metric", values="value", aggfunc="first")
    return "## Means over replications\n\n" + markdown_table(table) + "\n" if sweep.parameters else ""


def write_report(sweep_dir: Path | str, out_dir: Path | str | None = None) -> Path:
    """Aggregate the finished runs of ``sweep_dir``; write everything into ``out_dir``; return report.md."""
    sweep = load_sweep(sweep_dir)
    out_dir = Path(out_dir) if out_dir else sweep.directory
    out_dir.mkdir(parents=True, exist_ok=True)
    sweep.table().to_csv(out_dir / "runs.csv", index=False, float_format="%.6g")
    section = SECTIONS.get(sweep.experiment, generic_section)(sweep, out_dir)
    ladder = landmark_ladder(sweep.runs, sweep.parameters)
    ladder.to_csv(out_dir / "landmark.csv", index=False, float_format="%.6g")
    title = sweep.experiment or sweep.directory.name
    command = f"servsim -m experiment={sweep.experiment}" if sweep.experiment else "(ad hoc sweep)"
    header = [
        f"# Sweep report: {title}",
        "",
        f"- command: `{command}`",
        f"- finished runs: {len(sweep.runs)} (seeds: {sweep.runs['seed'].nunique()}); "
        f"swept: {', '.join(f'`{p}`' for p in sweep.parameters) or 'seed only'}",
        f"- market: {int(sweep.runs['market.customers'].iloc[0]):,} people, {int(sweep.runs['days'].iloc[0])} days",
        "- numbers: mean over replications [95% confidence interval, t-based]; tables: `runs.csv` (one row per run), "
        "`means.csv` (means and intervals), `landmark.csv` (loyalty after a first problem, MODEL.md §6: landmarks "
        "pooled over replications per setting, window and group, with Wilson intervals)",
        "",
    ]
    path = out_dir / "report.md"
    path.write_text("\n".join(header) + "\n" + section)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="servsim-report", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path, help="a multirun directory, e.g. results/multirun/promise_level")
    parser.add_argument("--out", type=Path, default=None, help="write the report here instead of into sweep_dir")
    args = parser.parse_args(argv)
    if not args.sweep_dir.exists():
        fail(f"{args.sweep_dir} does not exist: expected a sweep's folder, e.g. results/multirun/promise_level")
    if not args.sweep_dir.is_dir():
        fail(f"{args.sweep_dir} is not a folder: expected a sweep's folder, e.g. results/multirun/promise_level")
    try:
        path = write_report(args.sweep_dir, args.out)
    except FileNotFoundError as error:
        fail(str(error))
    unfinished = unfinished_jobs(args.sweep_dir)
    if unfinished:
        print(
            f"servsim-report: left out {len(unfinished)} unfinished run(s) of {args.sweep_dir} (no {SUMMARY_FILE}): "
            f"job(s) {', '.join(unfinished)}; launch the sweep's command again to finish them",
            file=sys.stderr,
        )
    print(f"servsim-report: {path}")


def fail(message: str) -> None:
    print(f"servsim-report: {message}", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
