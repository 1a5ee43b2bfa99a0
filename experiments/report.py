"""``servsim-report <multirun dir>``: runs.csv, means with 95% CIs, figures and report.md.

Called automatically when ``servsim -m experiment=...`` ends (experiments.callbacks);
run it by hand on any sweep directory, finished or not, to (re)draw the report from
the runs that are complete. ``--out DIR`` writes the report elsewhere (``make
reference`` uses it to refresh results/reference/).

What an experiment's report holds is said by its YAML alone (``configs/experiment/<name>.yaml``,
under ``hydra.callbacks.report``): ``sections``, the modules whose ``report(sweep, out_dir)``
write its body, and ``figures``, the figures the results page shows. A sweep of no
experiment gets the generic section: a table of key metrics and a figure per swept key.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from experiments.aggregate import (
    COMPLAINANTS_KEPT,
    Sweep,
    is_share,
    landmark_ladder,
    load_sweep,
    load_table,
    summarise_replications,
    sweep_command,
    unfinished_jobs,
    wide,
)
from experiments.labels import label, label_table
from experiments.text import markdown_table
from sim.config import CONFIG_DIR
from sim.run import SUMMARY_FILE
from stats.intervals import MIN_REPLICATIONS

EXPERIMENT_DIR = CONFIG_DIR / "experiment"
REFERENCE_DIR = CONFIG_DIR.parent / "results" / "reference"
RESULTS_PAGE = CONFIG_DIR.parent / "docs" / "results.md"
GENERIC_METRICS = ["retention_never_left", COMPLAINANTS_KEPT, "market_share", "acquisitions", "profit"]
# Drawn against each swept parameter of an ad hoc sweep: (metric, axis label, scale).
FIGURE_METRICS = (
    ("retention_never_left", "starting customers never left (%)", 100),
    (COMPLAINANTS_KEPT, "complainants kept 180 days (%)", 100),
    ("market_share", "market share (%)", 100),
    ("profit", "profit (thousands)", 1e-3),
)
# More combinations of the other swept parameters than this: a figure averages over them.
MAX_LINES = 6
# Written with every digit a researcher needs, the same way in every table (a swept 7.0 reads back as one type).
CSV = {"index": False, "float_format": "%.10g"}


def readable(value: float, share: bool, like: float | None = None) -> str:
    """A number as a person reads it: shares in %, money and counts with separators, never 8.271e+04.

    ``like`` (the mean, for its interval's bounds) sets the decimals, so a mean and its bounds match.
    """
    if value is None or math.isnan(value):
        return "n/a"
    if share:
        return f"{100 * value:.1f}%"
    size = abs(value if like is None or math.isnan(like) else like)
    decimals = 0 if size >= 100 else 2 if size >= 1 or size == 0 else min(6, 2 - math.floor(math.log10(size)))
    return f"{value:,.{decimals}f}"


def generic_section(sweep: Sweep, out_dir: Path) -> str:
    """Any other sweep: a table of the key metrics per setting, and a figure for each swept parameter."""
    if not sweep.parameters:
        return ""
    means = summarise_replications(sweep.runs, sweep.parameters, GENERIC_METRICS)
    shares = {metric for metric in GENERIC_METRICS if is_share(metric, sweep.runs[metric])}
    shown = means.assign(value=[
        readable(mean, m in shares) + ("" if math.isnan(lo) else f" [{readable(lo, m in shares, mean)}, {readable(hi, m in shares, mean)}]")
        for m, mean, lo, hi in means[["metric", "mean", "ci_low", "ci_high"]].values
    ])
    table = shown.pivot_table(index=sweep.parameters, columns="metric", values="value", aggfunc="first")[GENERIC_METRICS]
    table = table.rename(columns=label).rename_axis(index=[label(p) or p for p in sweep.parameters], columns=None)
    figures = [f"![{parameter}]({parameter_figure(sweep, parameter, out_dir)})" for parameter in sweep.parameters]
    return ("## Means over replications\n\n" + markdown_table(table) + "\n\n" + label_table(GENERIC_METRICS) + "\n\n"
            + "\n".join(figures) + "\n")


def parameter_figure(sweep: Sweep, parameter: str, out_dir: Path) -> str:
    """Mean and 95% CI of the key metrics against one swept parameter; one line per setting of the others."""
    from experiments.plotting import PALETTE, new_figure, save

    others = [p for p in sweep.parameters if p != parameter]
    if sweep.runs[others].drop_duplicates().shape[0] > MAX_LINES if others else False:
        others = []  # too many to tell apart: average over them
    means = summarise_replications(sweep.runs, [*others, parameter], [m for m, _, _ in FIGURE_METRICS])
    table = wide(means, [*others, parameter])
    values = sorted(sweep.runs[parameter].unique(), key=lambda v: (isinstance(v, str), v))
    numeric = pd.api.types.is_numeric_dtype(sweep.runs[parameter]) and not pd.api.types.is_bool_dtype(sweep.runs[parameter])
    fig, grid = new_figure(2, 2, width=10.0, height_per_row=3.4)
    axes = [list(grid.flat)]
    groups = table.groupby(others, sort=True) if others else [((), table)]
    for colour, (key, group) in zip(PALETTE, groups):
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{p} = {v}" for p, v in zip(others, key)) or None
        group = group.set_index(parameter).reindex(values).reset_index()
        x = group[parameter] if numeric else range(len(values))
        for ax, (metric, axis, scale) in zip(axes[0], FIGURE_METRICS):
            ax.errorbar(x, group[metric] * scale, yerr=[(group[metric] - group[f"{metric}_low"]) * scale,
                        (group[f"{metric}_high"] - group[metric]) * scale], color=colour, marker="o", ms=4,
                        capsize=3, label=label)
    for ax, (metric, axis, _) in zip(axes[0], FIGURE_METRICS):
        ax.set_xlabel(parameter)
        ax.set_ylabel(axis)
        if table[metric].isna().all():
            ax.text(0.5, 0.5, "not measured in these runs", transform=ax.transAxes, ha="center", va="center")
        if not numeric:
            ax.set_xticks(range(len(values)), [str(v) for v in values], rotation=30, ha="right")
    if others:
        axes[0][0].legend(fontsize=8, frameon=False)
    fig.suptitle(f"Key metrics against {parameter}: means over replications, bars: 95% confidence intervals",
                 fontsize=11)
    return save(fig, out_dir / f"sweep_{parameter}.png")


def _is_replicated(sweep) -> bool:
    """Some setting of the swept parameters was run more than once."""
    if not sweep.parameters:
        return len(sweep.runs) > 1
    return bool(sweep.runs.groupby(sweep.parameters, dropna=False).size().max() > 1)


@dataclass(frozen=True)
class Layout:
    """What an experiment's YAML says its report holds (``hydra.callbacks.report``)."""

    sections: tuple[str, ...] = ()  # modules with report(sweep, out_dir) -> markdown
    figures: tuple[str, ...] = ()  # file names the section draws, shown on the results page


def experiments() -> list[str]:
    """Every experiment, by the name of its YAML in configs/experiment/."""
    return sorted(path.stem for path in EXPERIMENT_DIR.glob("*.yaml"))


def experiment_layout(name: str) -> Layout:
    """The report layout an experiment's YAML names; an empty one for an ad hoc sweep."""
    from omegaconf import OmegaConf

    path = EXPERIMENT_DIR / f"{name}.yaml"
    if not name or not path.exists():
        return Layout()
    spec = OmegaConf.select(OmegaConf.load(path), "hydra.callbacks.report", default=None) or {}
    return Layout(tuple(spec.get("sections", ())), tuple(spec.get("figures", ())))


def body(sweep: Sweep, out_dir: Path, layout: Layout) -> str:
    """The report's sections: the experiment's own, or the generic one."""
    if not layout.sections:
        return generic_section(sweep, out_dir)
    return "\n".join(importlib.import_module(module).report(sweep, out_dir) for module in layout.sections)


INTERVALS = (
    "mean over replications [95% confidence interval]: t-based; for a share whose t interval would run past "
    "0% or 100%, the t interval of its logits, which stays inside (`means.csv` says which in its `interval` "
    f"column); none for a setting with fewer than {MIN_REPLICATIONS} replications (\"too few\"); "
    "landmark shares pooled over replications with Wilson intervals"
)


def write_report(sweep_dir: Path | str, out_dir: Path | str | None = None, layout: Layout | None = None) -> Path:
    """Aggregate the finished runs of ``sweep_dir``; write everything into ``out_dir``; return report.md.

    ``layout`` is the experiment's (its YAML's) unless given (the sweep's callback passes the one it was given).
    """
    sweep = load_sweep(sweep_dir)
    out_dir = Path(out_dir) if out_dir else sweep.directory
    out_dir.mkdir(parents=True, exist_ok=True)
    sweep.table().to_csv(out_dir / "runs.csv", **CSV)
    sweep.full_table().to_parquet(out_dir / "runs.parquet", index=False)
    section = body(sweep, out_dir, layout or experiment_layout(sweep.experiment))
    path = out_dir / "report.md"
    path.write_text("\n".join(summary_tables(sweep, out_dir)) + "\n\n" + section)
    return path


def refresh_from_table(folder: Path | str) -> Path:
    """Redraw a committed report's header, means.csv and landmark.csv from its runs.parquet; keep its sections.

    For ``results/reference/<name>/`` after the report code changes: the experiment's sections
    need the sweep's run folders (daily series, the SALib design), which are not committed, so
    they stay as ``make reference`` wrote them; everything else is redrawn from the runs.
    """
    folder = Path(folder)
    if folder.name not in experiments():
        raise FileNotFoundError(f"{folder} is not named after an experiment of configs/experiment/ ({', '.join(experiments())})")
    report = folder / "report.md"
    old = report.read_text()
    section = old[old.index("\n## ") + 1:] if "\n## " in old else ""
    report.write_text("\n".join(summary_tables(load_table(folder, folder.name), folder)) + "\n\n" + section)
    return report


def summary_tables(sweep: Sweep, out_dir: Path) -> list[str]:
    """Write means.csv and landmark.csv (replicated sweeps only); return the report's header lines."""
    replicated = _is_replicated(sweep)
    if replicated:  # one run per setting (a sensitivity design): runs.csv already is the per-setting table
        means = summarise_replications(sweep.runs, sweep.parameters, sweep.metrics)
        means.insert(means.columns.get_loc("metric") + 1, "label", means["metric"].map(label))
        means.to_csv(out_dir / "means.csv", **CSV)
        landmark_ladder(sweep.runs, sweep.parameters).to_csv(out_dir / "landmark.csv", **CSV)
    title = sweep.experiment or sweep.directory.name
    command = sweep_command(sweep.directory) or (f"servsim -m experiment={sweep.experiment}" if sweep.experiment else "(not recorded)")
    swept = ", ".join(f"`{p}`" for p in sweep.parameters) + " (in words below)" if sweep.parameters else "seed only"
    header = [
        f"# Sweep report: {title}",
        "",
        f"- command: `{command}`",
        f"- finished runs: {len(sweep.runs)} (seeds: {sweep.runs['seed'].nunique()}); swept: {swept}",
        f"- market: {int(sweep.runs['market.customers'].iloc[0]):,} people, {int(sweep.runs['days'].iloc[0])} days",
        f"- model: {model_versions(sweep.runs)}",
        f"- numbers: {INTERVALS}" if replicated else "- numbers: one run per setting, so no means over replications",
        "- tables: `runs.csv` (one row per run: the swept parameters and every summary metric), `runs.parquet` (the "
        "same with every resolved parameter)"
        + (", `means.csv` (every numeric metric's mean and interval per setting, its key beside its words), "
           "`landmark.csv` (loyalty after a first problem, MODEL.md §6, per setting, window and group)"
           if replicated else ""),
    ]
    warning = few_replications_warning(sweep) if replicated else None
    if warning:
        header.append(f"- **warning**: {warning}")
        print(f"servsim-report: warning: {warning} ({out_dir})", file=sys.stderr)
    if sweep.parameters:
        header += ["", "Swept settings in words:", "", label_table(sweep.parameters)]
    return header


def model_versions(runs: pd.DataFrame) -> str:
    """The model version(s) the runs were made by (``summary.json``'s ``model_version``), so a report names its model."""
    if "model_version" not in runs:
        return "version not recorded (runs made before versions were written)"
    versions = sorted(runs["model_version"].dropna().astype(str).unique())
    return ", ".join(versions) if len(versions) == 1 else "several versions: " + ", ".join(versions)


def few_replications_warning(sweep: Sweep) -> str | None:
    """A line when a setting has fewer than MIN_REPLICATIONS replications: its intervals cannot be trusted."""
    sizes = sweep.runs.groupby(sweep.parameters, dropna=False).size() if sweep.parameters else pd.Series([len(sweep.runs)])
    fewest = int(sizes.min())
    if fewest >= MIN_REPLICATIONS:
        return None
    return (f"a setting has only {fewest} replication(s): with fewer than {MIN_REPLICATIONS} the report gives "
            "no 95% interval for it (\"too few\"); add seeds")


def results_page(reference: Path = REFERENCE_DIR, page: Path = RESULTS_PAGE) -> str:
    """docs/results.md: every experiment's committed report in one page, its figures linked from the page's folder.

    Each experiment's section is its report.md as ``make reference`` wrote it, headings one level
    down; a figure its YAML names that the report does not link is added at the end of its section.
    """
    import os
    import re

    times = reference / "wall_times.txt"
    lines = [
        "# Results: the replicated experiments",
        "",
        "<!-- generated by `servsim-report --results-page` from results/reference/: do not edit by hand -->",
        "Generated by `servsim-report --results-page` from the committed reports in `results/reference/`; "
        "`make reference` reruns every sweep afresh, refreshes them and this page. Numbers are means over "
        "replications with their 95% confidence interval in brackets.",
        "",
    ]
    if times.exists():
        lines += [times.read_text().splitlines()[0].capitalize() + ":", "",
                  *[f"- {line}" for line in times.read_text().splitlines()[1:]], ""]
    for name in experiments():
        report = reference / name / "report.md"
        if not report.exists():
            lines += [f"## {name}", "", "Not in `results/reference/` yet: run `make reference`.", ""]
            continue
        folder = os.path.relpath(reference / name, page.parent)
        text = re.sub(r"^(#+) ", r"#\1 ", report.read_text(), flags=re.M)
        text = re.sub(r"!\[([^]]*)\]\(([^)/]+)\)", lambda m: f"![{m[1]}]({folder}/{m[2]})", text)
        missing = [f for f in experiment_layout(name).figures if f"({folder}/{f})" not in text]
        lines += [text.rstrip(), *[f"![{f}]({folder}/{f})" for f in missing], ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="servsim-report", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path, nargs="?", help="a multirun directory, e.g. results/multirun/promise_level")
    parser.add_argument("--out", type=Path, default=None, help="write the report here instead of into sweep_dir")
    parser.add_argument("--from-table", action="store_true",
                        help="redraw the header and tables of a folder holding runs.parquet without its runs "
                             "(results/reference/NAME), keeping its sections")
    parser.add_argument("--results-page", action="store_true",
                        help=f"write {RESULTS_PAGE.relative_to(CONFIG_DIR.parent)} from results/reference/ (no sweep_dir)")
    args = parser.parse_args(argv)
    if args.results_page:
        RESULTS_PAGE.write_text(results_page())
        print(f"servsim-report: {RESULTS_PAGE}")
        return
    if args.sweep_dir is None:
        fail("expected a sweep's folder, e.g. results/multirun/promise_level, or --results-page")
    if args.from_table:
        try:
            print(f"servsim-report: {refresh_from_table(args.sweep_dir)}")
        except FileNotFoundError as error:
            fail(str(error))
        return
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
