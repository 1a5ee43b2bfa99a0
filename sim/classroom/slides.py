"""``servsim-lesson NAME``: a lesson as one annotated figure for slides (PNG and PDF).

Runs the lesson's preset and the policies it is compared with (same seed, so
the runs share their dice until the policies make them differ), and draws four
panels with the lesson's explanation underneath:

    servsim-lesson trap                          results/lessons/trap.png and .pdf
    servsim-lesson iceberg --customers 5000 --seed 3 --out slides/ --formats pdf
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from agents.firm import Firm
from sim.classroom.model import with_setting
from sim.figures import OUTCOME_COLOURS, weekly
from sim.classroom.lessons import LESSONS, Lesson, lesson_settings
from sim.params import ConfigError, ServsimConfig, validate
from sim.run import simulate

VARIANT_COLOURS = ("#c0392b", "#2c3e50", "#27ae60")
# Starting customers who had a problem, by what followed. (Those who never had one are
# left out: over a long run they are mostly people who left early, for other reasons.)
HISTORIES = {"silent": "problem,\nkept quiet", "unresolved": "complaint\nunresolved", "resolved": "complaint\nresolved",
             "resolved_fast": "resolved\nwithin a day"}
FORMATS = ("png", "pdf")
MIN_GROUP = 30  # a share of fewer people than this is noise, not a lesson


@dataclass(frozen=True)
class Run:
    label: str
    config: ServsimConfig
    timeseries: pd.DataFrame
    summary: dict

    @property
    def surprise_window(self):
        return Firm.from_config(self.config.firm).surprise.window(self.config.days)


def lesson_runs(lesson: Lesson, customers: int | None, seed: int) -> list[Run]:
    """The lesson's preset and each compared policy, on one seed."""
    runs = []
    for label, overrides in lesson.variants:
        settings = lesson_settings(lesson.name)
        for key, value in {**overrides, "seed": seed, "output.progress": False}.items():
            with_setting(settings, key, value)
        if customers is not None:
            with_setting(settings, "market.customers", customers)
        config = validate(settings)
        timeseries, summary, _ = simulate(config)
        runs.append(Run(label, config, timeseries, summary))
    return runs


# ------------------------------------------------------------------ panels
def _days_axis(ax, run: Run) -> None:
    ax.set_xlim(0, run.config.days)
    ax.set_xlabel("day")
    if run.surprise_window is not None:
        ax.axvspan(*run.surprise_window, color="#f9e79f", alpha=0.6, zorder=0)


def _spread(values: list[float], min_gap: float) -> list[float]:
    """Label heights at least ``min_gap`` apart, each as near its value as that allows."""
    order = np.argsort(values)
    placed = np.asarray(values, dtype=float)
    for previous, current in zip(order, order[1:]):
        placed[current] = max(placed[current], placed[previous] + min_gap)
    return placed.tolist()


def _compare(ax, runs: list[Run], series, title: str, ylabel: str, end_format: str = "{:.2f}"):
    """One line per policy (``series(run)``), each labelled with its value at the horizon."""
    _days_axis(ax, runs[0])
    ends = []
    for run, colour in zip(runs, VARIANT_COLOURS):
        line = series(run)
        ax.plot(run.timeseries["day"], line, color=colour, lw=2, label=run.label)
        ends.append(float(line.iloc[-1]))
    low, high = ax.get_ylim()
    for run, colour, end, height in zip(runs, VARIANT_COLOURS, ends, _spread(ends, 0.06 * (high - low))):
        ax.annotate(end_format.format(end), (run.config.days, height), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=9, color=colour, fontweight="bold", annotation_clip=False)
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc="best")


def expectation_panel(ax, runs: list[Run]) -> None:
    """The lesson run: expectation with its zone of tolerance, perception, promise; the turning points marked."""
    run = runs[0]
    ts, tolerance = run.timeseries, run.config.customers.tolerance
    day, expected, perceived = ts["day"], ts["mean_expectation"], weekly(ts["mean_perceived"])
    _days_axis(ax, run)
    ax.fill_between(day, expected - tolerance, expected + tolerance, color="#d2b4de", alpha=0.5, label="zone of tolerance")
    ax.plot(day, expected, color="#8e44ad", lw=2, label="expected")
    ax.plot(day, perceived, color="#2980b9", lw=2, label="perceived (7-day mean)")
    ax.plot(day, ts["promise"], color="black", ls="--", lw=1.2, label="promise")
    low = float(min((expected - tolerance).min(), perceived.min()))
    high = float(max((expected + tolerance).max(), perceived.max(), ts["promise"].max()))
    ax.set_ylim(low - 0.1, high + 0.45 * (high - low))  # a free band on top for the legend and the notes
    ax.set_title(f"Expected vs perceived: {run.label}", fontsize=11)
    ax.set_ylabel("quality (0-10)")
    ax.legend(fontsize=8, loc="upper right", ncol=2)
    window = run.surprise_window
    if window is None:
        return
    start, end = window
    arrow = {"arrowstyle": "->", "color": "black"}
    top = high + 0.2 * (high - low)
    ax.annotate("delight: far better\nthan expected", (start + 15, perceived.iloc[start + 15]), xytext=(5, top),
                textcoords="data", fontsize=9, arrowprops=arrow)
    ax.annotate("expectation\ncatches up", (end - 10, expected.iloc[end - 10]), xytext=(start + 10, low + 0.05),
                textcoords="data", fontsize=9, arrowprops=arrow)
    if end + 40 < len(ts):
        ax.annotate("back to the old level:\nnow short of the raised bar", (end + 25, perceived.iloc[end + 25]),
                    xytext=(end + 60, low + 0.05), textcoords="data", fontsize=9, arrowprops=arrow)


def _daily(column: str, scale: float = 1.0):
    return lambda run: run.timeseries[column] * scale


def _weekly(column: str, scale: float = 1.0):
    return lambda run: weekly(run.timeseries[column] * scale)


def satisfaction_panel(ax, runs):
    _compare(ax, runs, _weekly("mean_satisfaction"), "Satisfaction of the firm's customers", "satisfaction (0 = as expected)")
    ax.axhline(0, color="grey", lw=0.8)


def retention_panel(ax, runs):
    _compare(ax, runs, _daily("retention", 100), "Starting customers still with the firm", "% still here", "{:.0f}%")


def below_panel(ax, runs):
    _compare(ax, runs, _weekly("share_below", 100), "Visits that fall below expectation", "% of visits (7-day mean)", "{:.0f}%")


def profit_panel(ax, runs):
    _compare(ax, runs, lambda run: run.timeseries["profit"].cumsum() / 1000,
             "Profit so far (after acquisition and recovery costs)", "thousands of money units", "{:,.0f}k")


def trust_panel(ax, runs):
    _compare(ax, runs, _daily("mean_trust"), "Trust in the firm's promises", "trust (0-1)")


def customers_panel(ax, runs):
    _compare(ax, runs, _daily("active"), "Customers with the firm (newcomers included)", "people", "{:,.0f}")


def queue_panel(ax, runs):
    _compare(ax, runs, _daily("queue_length"), "Complaints waiting at the desk", "complaints (end of day)", "{:.0f}")


def delay_panel(ax, runs):
    _compare(ax, runs, _weekly("mean_recovery_days"), "Days from complaint to resolution", "days (7-day mean)")


def history_panel(ax, runs):
    """Starting customers kept, by what followed their problem: the heart of the recovery and iceberg lessons."""
    width = 0.8 / len(runs)
    positions = np.arange(len(HISTORIES))
    for i, (run, colour) in enumerate(zip(runs, VARIANT_COLOURS)):
        kept = [run.summary["retention_by_history"][name] for name in HISTORIES]
        sizes = [run.summary["cohort_by_history"][name] for name in HISTORIES]
        shown = [k is not None and n >= MIN_GROUP for k, n in zip(kept, sizes)]
        heights = [100 * k if show else 0.0 for k, show in zip(kept, shown)]
        bars = ax.bar(positions + (i - (len(runs) - 1) / 2) * width, heights, width, color=colour, label=run.label)
        for bar, k, n, show in zip(bars, kept, sizes, shown):
            text = f"{100 * k:.0f}%\nof {n:,}" if show else f"{n} people"
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 2),
                        textcoords="offset points", ha="center", fontsize=7)
    ax.set_xticks(positions, list(HISTORIES.values()), fontsize=9)
    ax.set_ylim(0, 125)
    ax.set_ylabel("% of the group still with the firm")
    ax.set_title("Starting customers who had a problem: still with the firm", fontsize=11)
    ax.legend(fontsize=8, loc="upper left")


def iceberg_panel(ax, runs):
    """Dissatisfying visits against the complaints the firm hears about, per week."""
    run = runs[0]
    ts = run.timeseries
    full_weeks = len(ts) // 7
    weeks = ts.iloc[: 7 * full_weeks].groupby(np.arange(7 * full_weeks) // 7)[["dissatisfied", "complaints"]].sum()
    ax.fill_between(weeks.index, 0, weeks["dissatisfied"], color="#d6eaf8", label="visits below expectation (unseen)")
    ax.fill_between(weeks.index, 0, weeks["complaints"], color="#e67e22", label="complaints (what the firm sees)")
    share = run.summary["complaint_share"] or 0.0
    ax.annotate(f"only {share:.0%} of the\nshortfalls are voiced", (weeks.index[len(weeks) // 2], weeks["complaints"].median()),
                xytext=(0, 60), textcoords="offset points", ha="center", fontsize=10, arrowprops={"arrowstyle": "->"})
    ax.set_xlim(0, weeks.index[-1])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("week")
    ax.set_ylabel("per week")
    ax.set_title(f"The complaint iceberg ({run.label})", fontsize=11)
    ax.legend(fontsize=8, loc="lower left")


def voice_panel(ax, runs):
    """Per policy: how many shortfalls became complaints, and how many customers left without a word."""
    labels = [run.label for run in runs]
    voiced = [100 * (run.summary["complaint_share"] or 0.0) for run in runs]
    silent = [run.summary["defections_silent"] for run in runs]
    after = [run.summary["defections_after_complaint"] for run in runs]
    positions = np.arange(len(runs))
    ax.bar(positions - 0.2, silent, 0.4, color="#2c3e50", label="left without complaining")
    ax.bar(positions + 0.2, after, 0.4, color="#a04000", label="left after complaining")
    for x, share in zip(positions, voiced):
        ax.annotate(f"{share:.0f}% of shortfalls voiced", (x, max(silent + after) * 1.05), ha="center", fontsize=9)
    ax.set_xticks(positions, labels, fontsize=9)
    ax.set_ylim(0, max(silent + after) * 1.4)
    ax.set_ylabel("people who left over the run")
    ax.set_title("Who leaves, and how", fontsize=11)
    ax.legend(fontsize=8, loc="upper right", ncol=2)


def chain_panel(ax, runs):
    """Simulated first-time-right rate against the product of the step reliabilities."""
    positions = np.arange(len(runs))
    simulated = [100 * run.summary["first_time_right"] for run in runs]
    formula = [100 * run.config.firm.step_reliability**run.config.firm.chain_steps for run in runs]
    ax.bar(positions, simulated, 0.5, color=VARIANT_COLOURS[: len(runs)], label="simulated visits")
    ax.scatter(positions, formula, marker="_", s=1500, linewidths=2, color="black", zorder=3, label="product of the steps")
    for x, run, value, product in zip(positions, runs, simulated, formula):
        r, n = run.config.firm.step_reliability, run.config.firm.chain_steps
        ax.annotate(f"{r:.2f}^{n} = {product:.0f}%", (x, product), xytext=(0, 6), textcoords="offset points",
                    ha="center", fontsize=10)
        ax.annotate(f"{value:.0f}%", (x, value), xytext=(0, -24), textcoords="offset points",
                    ha="center", color="white", fontsize=12, fontweight="bold")
    ax.set_xticks(positions, [run.label for run in runs], fontsize=9)
    ax.set_xlim(-0.7, len(runs) - 0.3)
    ax.set_ylim(0, 125)
    ax.set_ylabel("% of visits right first time")
    ax.set_title("Every step must be right: the chain is weaker than each link", fontsize=11)
    ax.legend(fontsize=8, loc="upper right", ncol=2, markerscale=0.3)


def outcome_panel(ax, runs):
    """The lesson run's mix of visits against expectation."""
    run = runs[0]
    ts = run.timeseries
    _days_axis(ax, run)
    shares = [100 * weekly(ts[f"share_{name}"]) for name in OUTCOME_COLOURS]
    ax.stackplot(ts["day"], shares, colors=list(OUTCOME_COLOURS.values()), labels=list(OUTCOME_COLOURS))
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of visits (7-day mean)")
    ax.set_title(f"Each visit against expectation ({run.label})", fontsize=11)
    ax.legend(fontsize=8, loc="lower left", ncol=4)


PANELS = {
    "trap": (expectation_panel, outcome_panel, satisfaction_panel, retention_panel),
    "promise": (trust_panel, customers_panel, retention_panel, profit_panel),
    "recovery": (queue_panel, delay_panel, history_panel, retention_panel),
    "iceberg": (iceberg_panel, voice_panel, history_panel, retention_panel),
    "reliability_chain": (chain_panel, below_panel, satisfaction_panel, retention_panel),
}


def lesson_figure(lesson: Lesson, runs: list[Run]):
    """Four panels, the lesson's title above and its explanation below."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(13.3, 8.2))
    fig.subplots_adjust(left=0.06, right=0.95, top=0.9, bottom=0.2, hspace=0.38, wspace=0.2)
    for panel, ax in zip(PANELS[lesson.name], axes.flat):
        panel(ax, runs)
    config = runs[0].config
    fig.suptitle(lesson.title, fontsize=15, fontweight="bold")
    fig.text(0.5, 0.935, f"{config.description}  ({config.market.customers:,} people, seed {config.seed})",
             ha="center", fontsize=10, color="#555555")
    fig.text(0.06, 0.03, textwrap.fill("Why: " + lesson.why, width=170), fontsize=10, va="bottom")
    return fig


def write_lesson(name: str, out_dir: Path, formats: tuple[str, ...], customers: int | None, seed: int) -> list[Path]:
    import matplotlib.pyplot as plt

    lesson = LESSONS[name]
    fig = lesson_figure(lesson, lesson_runs(lesson, customers, seed))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.{fmt}" for fmt in formats]
    for path in paths:
        fig.savefig(path, dpi=100)
        if path.suffix == ".png":  # a palette PNG: a third of the size, the same look for flat plots
            Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)
    plt.close(fig)
    return paths


class _OneLineParser(argparse.ArgumentParser):
    """Bad input gets one line naming the problem, not a usage block."""

    def error(self, message):
        print(f"{self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"formats must be a comma-separated list of {', '.join(FORMATS)}, not {text!r}")
    return chosen


def main(argv: list[str] | None = None) -> None:
    parser = _OneLineParser(prog="servsim-lesson", description="Draw a lesson as an annotated figure for slides.")
    parser.add_argument("lesson", help=f"one of: {', '.join(LESSONS)}")
    parser.add_argument("--out", type=Path, default=Path("results/lessons"), help="folder for the figures")
    parser.add_argument("--formats", type=_formats, default=FORMATS, help="png,pdf (default both)")
    parser.add_argument("--customers", type=int, default=None, help="people in the market (default: the lesson's)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.lesson not in LESSONS:
        parser.error(f"unknown lesson {args.lesson!r}: choose one of {', '.join(LESSONS)}")
    try:
        paths = write_lesson(args.lesson, args.out, args.formats, args.customers, args.seed)
    except ConfigError as error:
        parser.error(f"invalid setting: {error}")
    print("\n".join(str(path) for path in paths))


if __name__ == "__main__":
    main()
