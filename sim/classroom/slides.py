"""``servsim-lesson NAME``: a lesson as one annotated figure for slides (PNG and PDF).

Runs the lesson's preset and its counterfactual (the reference run: the same
seed, so the runs share their dice until the policy makes them differ), and
draws four panels with the reference as a grey line, the run's numbers above
and the lesson's explanation underneath. A lesson with behavioural worlds also
runs both policies in each world, for bar charts that set the worlds side by side:

    servsim-lesson trap                          results/lessons/trap.png and .pdf
    servsim-lesson iceberg --customers 5000 --seed 3 --out slides/ --formats pdf
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

from sim import panels
from sim.classroom.lessons import LESSONS, Lesson, lesson_settings, reference_settings, with_setting, world_settings
from sim.panels import REFERENCE_COLOUR
from sim.params import ConfigError, ServsimConfig, validate
from sim.run import simulate

RUN_COLOURS = ("#2c3e50", REFERENCE_COLOUR)  # the lesson's run, its counterfactual
# The landmark ladder (MODEL.md §6): who stayed 180 days after their first problem, by what followed it
# ("no problem yet": customers with the firm and no problem on the same days, the comparison group).
HISTORIES = ("no_problem", "silent", "resolved_fast", "resolved_slow", "unresolved")
FORMATS = ("png", "pdf")
SLIDE_FONTS = {"font.size": 11, "legend.fontsize": 10.5}
MIN_GROUP = 30  # a share of fewer people than this is noise, not a lesson


@dataclass(frozen=True)
class Run:
    label: str
    config: ServsimConfig
    timeseries: pd.DataFrame
    summary: dict
    window: tuple[int, int] | None  # the surprise, as the run's model scheduled it


def lesson_runs(lesson: Lesson, customers: int | None, seed: int, world: str | None = None) -> list[Run]:
    """The lesson's run and its counterfactual (the reference run), on one seed and the same dice, in one of its worlds."""
    settings = world_settings(lesson, world, lesson_settings(lesson.name))
    for key, value in {"seed": seed, "output.progress": False}.items():
        with_setting(settings, key, value)
    if customers is not None:
        with_setting(settings, "market.customers", customers)
    runs = []
    for label, tree in (("this lesson", settings), (lesson.reference_label, reference_settings(lesson, settings))):
        config = validate(tree)
        timeseries, summary, model = simulate(config)
        runs.append(Run(label, config, timeseries, summary, model.firm.surprise.window(config.days)))
    return runs


def run_frame(run: Run, reference: Run) -> panels.Frame:
    return panels.Frame(
        days=run.config.days,
        window=run.window,
        tolerance=run.config.customers.tolerance,
        starting_customers=run.summary["customers_initial"],
        reference_label=reference.label,
    )


def history_labels(fast_days: float) -> list[str]:
    """The ladder's rungs in words, three short lines each so that neighbours never touch."""
    fast = "within a day" if fast_days == 1 else f"within {fast_days:g} days"
    return ["no problem\nyet", "problem,\nkept quiet", f"complained,\nresolved\n{fast}", "complained,\nresolved\nlater",
            "complained,\nnot resolved"]


def history_panel(ax, runs):
    """Who stayed 180 days after their first problem, by what followed it: the heart of the recovery and iceberg lessons."""
    width = 0.8 / len(runs)
    positions = np.arange(len(HISTORIES))
    for i, (run, colour) in enumerate(zip(runs, RUN_COLOURS)):
        ladder = run.summary["after_first_problem"]["180"]
        kept = [ladder[name]["stayed"] for name in HISTORIES]
        sizes = [ladder[name]["n"] for name in HISTORIES]
        shown = [k is not None and n >= MIN_GROUP for k, n in zip(kept, sizes)]
        heights = [100 * k if show else 0.0 for k, show in zip(kept, shown)]
        bars = ax.bar(positions + (i - (len(runs) - 1) / 2) * width, heights, width, color=colour, label=run.label)
        for bar, k, n, show in zip(bars, kept, sizes, shown):
            x = bar.get_x() + bar.get_width() / 2
            ax.annotate(f"{100 * k:.0f}%" if show else "", (x, bar.get_height()), xytext=(0, 2),
                        textcoords="offset points", ha="center")
            size = f"{n:,} followed" if show else ("none" if n == 0 else f"too few ({n})")
            ax.annotate(size, (x, 2), rotation=90, ha="center", va="bottom", fontsize=10,
                        color="white" if show else "black")
    ax.set_xticks(positions, history_labels(runs[0].config.recovery.fast_days))
    ax.set_ylim(0, 125)  # room on top for the legend
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("% still with the firm 180 days later")
    ax.set_title("After a first problem: still with the firm 180 days later")
    ax.legend(loc="upper center", ncol=len(runs), frameon=False)


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
        ax.annotate(f"{share:.0f}% of shortfalls voiced", (x, max(silent + after) * 1.05), ha="center")
    ax.set_xticks(positions, labels)
    ax.set_ylim(0, max(silent + after) * 1.4)
    ax.set_ylabel("people who left over the run")
    ax.set_title("Who leaves, and how")
    ax.legend(loc="upper right", ncol=2)


def chain_panel(ax, runs):
    """Simulated first-time-right rate against the product of the step reliabilities."""
    positions = np.arange(len(runs))
    simulated = [100 * run.summary["first_time_right"] for run in runs]
    formula = [100 * run.config.firm.step_reliability**run.config.firm.chain_steps for run in runs]
    ax.bar(positions, simulated, 0.5, color=RUN_COLOURS[: len(runs)], label="simulated visits")
    ax.scatter(positions, formula, marker="_", s=1500, linewidths=2, color="black", zorder=3, label="product of the steps")
    for x, run, value, product in zip(positions, runs, simulated, formula):
        r, n = run.config.firm.step_reliability, run.config.firm.chain_steps
        ax.annotate(f"{r:.2f}^{n} = {product:.0f}%", (x, product), xytext=(0, 6), textcoords="offset points",
                    ha="center", fontsize=11)
        ax.annotate(f"{value:.0f}%", (x, value), xytext=(0, -24), textcoords="offset points",
                    ha="center", color="white", fontsize=12, fontweight="bold")
    ax.set_xticks(positions, [run.label for run in runs])
    ax.set_xlim(-0.7, len(runs) - 0.3)
    ax.set_ylim(0, 125)  # room on top for the legend
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("% of visits right first time")
    ax.set_title("Every step must be right: the chain is weaker than each link")
    ax.legend(loc="upper right", ncol=2, markerscale=0.3)


def world_bars(ax, worlds: dict[str, list[Run]], key: str, scale: float, unit: str, fmt: str, title: str):
    """Per world, a summary figure of the lesson's run beside its reference's, with their difference above the pair."""
    positions = np.arange(len(worlds))
    pairs = list(worlds.values())
    for i, colour in enumerate(RUN_COLOURS):
        values = [scale * runs[i].summary[key] for runs in pairs]
        ax.bar(positions + (i - 0.5) * 0.4, values, 0.4, color=colour, label=pairs[0][i].label)
    top = max(scale * run.summary[key] for runs in pairs for run in runs)
    for x, (ours, theirs) in zip(positions, pairs):
        difference = scale * (ours.summary[key] - theirs.summary[key])
        ax.annotate(f"{fmt.format(difference)}{unit}", (x, max(scale * ours.summary[key], scale * theirs.summary[key])),
                    xytext=(0, 4), textcoords="offset points", ha="center", fontweight="bold",
                    color="#1e8449" if difference > 0 else "#b03a2e")
    ax.set_xticks(positions, list(worlds))
    ax.set_xlabel("customers")
    ax.set_ylim(0, top * 1.3)  # room on top for the differences and the legend
    ax.set_title(title)
    ax.legend(loc="upper center", ncol=2, frameon=False)


def worlds_profit_panel(ax, worlds):
    world_bars(ax, worlds, "profit", 1e-3, "k", "{:+,.0f}", "Profit over the run, in each world")
    ax.set_ylabel("thousands")


def worlds_retention_panel(ax, worlds):
    world_bars(ax, worlds, "retention_never_left", 100, " pp", "{:+.1f}", "Starting customers who never left, in each world")
    ax.set_ylabel("% never left")


# Bar charts of a run's totals, drawn on the slides only (the shared panels are time series).
BARS = {"history": history_panel, "voice": voice_panel, "chain": chain_panel}
# Bar charts across a lesson's behavioural worlds: each is given {world label: [run, reference]}.
WORLD_BARS = {"worlds_profit": worlds_profit_panel, "worlds_retention": worlds_retention_panel}


def headline(lesson: Lesson, runs: list[Run]) -> str:
    """The slide's numbers, from the runs: customers kept, satisfaction and profit at the horizon, against the reference."""
    ours, theirs = (run.summary for run in runs)

    def pair(key: str, fmt: str) -> str:
        return f"{fmt.format(ours[key])} (reference {fmt.format(theirs[key])})"

    days = runs[0].config.days
    return (f"After {days} days: starting customers who never left {pair('retention_never_left', '{:.0%}')}; "
            f"satisfaction {pair('mean_satisfaction_final', '{:+.2f}')}; profit {pair('profit', '{:,.0f}')}.\n"
            f"Grey: the same market on the same dice, {runs[1].label}.")


def lesson_figure(lesson: Lesson, runs: list[Run], worlds: dict[str, list[Run]] | None = None):
    """Four panels, the lesson's title and numbers above and its explanation below (``worlds``: the runs per world)."""
    from matplotlib.figure import Figure

    frame = run_frame(*runs)
    # Shown full-screen at 1280x720 (96% of its 1330 px), 11 pt is 14.7 px and 10.5 pt legends 14 px: readable
    # from the back of a room. Legends half a point smaller: at 11 the longest (satisfaction and trust) overrun their axes.
    with matplotlib.rc_context(SLIDE_FONTS):
        fig = Figure(figsize=(13.3, 8.2))
        axes = fig.subplots(2, 2)
        fig.subplots_adjust(left=0.06, right=0.94, top=0.83, bottom=0.15, hspace=0.42, wspace=0.3)
        for name, ax in zip(lesson.figure, axes.flat):
            if name in WORLD_BARS:
                WORLD_BARS[name](ax, worlds)
            elif name in BARS:
                BARS[name](ax, runs)
            else:
                panels.PANELS[name](ax, runs[0].timeseries, frame, runs[1].timeseries)
        config = runs[0].config
        fig.suptitle(lesson.title, fontsize=15, fontweight="bold")
        fig.text(0.5, 0.935, f"{config.description}  ({config.market.customers:,} people, seed {config.seed})",
                 ha="center", color="#555555")
        told = headline(lesson, runs) + (" Plots over days: the lesson as set." if worlds else "")
        numbers = "\n".join(textwrap.fill(line, width=165) for line in told.split("\n"))
        fig.text(0.5, 0.915, numbers, ha="center", va="top", fontweight="bold", fontsize=10.5)
        fig.text(0.06, 0.02, textwrap.fill("Why: " + lesson.why, width=150), va="bottom")
    return fig


def write_lesson(name: str, out_dir: Path, formats: tuple[str, ...], customers: int | None, seed: int) -> list[Path]:
    lesson = LESSONS[name]
    worlds = {world.label: lesson_runs(lesson, customers, seed, world.label) for world in lesson.worlds}
    fig = lesson_figure(lesson, lesson_runs(lesson, customers, seed), worlds)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.{fmt}" for fmt in formats]
    for path in paths:
        if path.suffix == ".png":
            panels.save(fig, path)
        else:
            fig.savefig(path)
    return paths


class OneLineParser(argparse.ArgumentParser):
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
    parser = OneLineParser(prog="servsim-lesson", description="Draw a lesson as an annotated figure for slides.")
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
