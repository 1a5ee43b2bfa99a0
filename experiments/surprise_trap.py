"""Question 3: the surprise-then-regress trap: how deep, how long, and when is a surprise worth it?

Every policy is compared with the never-surprised firm on the same seed and learning
rate (common random numbers), so the differences reported are paired.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.aggregate import Sweep, daily, summarise_replications, wide
from experiments.plotting import CI_NOTE, new_figure, save
from experiments.text import interval, number, points
from sim.params import ServsimConfig
from stats.intervals import daily_mean_ci

START, LENGTH, SIZE, REGRESS = (f"firm.surprise.{key}" for key in ("start", "length", "size", "regress"))
LEARNING = "customers.learning_rate"
PAIRED_BY = [LEARNING, "seed"]
GAPS = ["retention_never_left", "market_share", "profit", "cohort_satisfaction_final"]
POLICY_COLOURS = {"never": "#555555", "regress": "#d62728", "sustained": "#2ca02c"}
REGRESS_COLOURS = ("#1f77b4", "#d62728", "#9467bd")  # one per length of a regressing surprise
# The trap is over when the firm's customers' satisfaction is back within this share of the dip.
RECOVERED_WITHIN = 0.1
SMOOTHING_DAYS = 30
WEEK = 7


def policy(runs: pd.DataFrame) -> pd.Series:
    return pd.Series(
        np.where(runs[LENGTH] == 0, "never", np.where(runs[REGRESS], "regress", "sustained")), index=runs.index
    )


def paired_gaps(runs: pd.DataFrame) -> pd.DataFrame:
    """Each surprising run minus the never-surprised run of the same learning rate and seed."""
    runs = runs.assign(policy=policy(runs))
    never = runs[runs["policy"] == "never"].set_index(PAIRED_BY)[GAPS]
    surprising = runs[runs["policy"] != "never"]
    baseline = never.loc[pd.MultiIndex.from_frame(surprising[PAIRED_BY])].to_numpy()
    gaps = surprising[GAPS].to_numpy() - baseline
    return surprising[["job", "policy", LENGTH, SIZE, *PAIRED_BY]].assign(
        **{f"{metric}_gap": gaps[:, i] for i, metric in enumerate(GAPS)}
    )


def _headline_arm(runs: pd.DataFrame) -> dict:
    """The arm the trajectories show: the default learning rate, size 1.5 for 120 days, if swept."""
    defaults = ServsimConfig()
    wanted = {LEARNING: defaults.customers.learning_rate, SIZE: 1.5, LENGTH: 120}
    surprising = runs[runs[LENGTH] > 0]
    arm = {}
    for key, value in wanted.items():
        pool = surprising if key != LEARNING else runs
        values = np.sort(pool[key].unique())
        arm[key] = value if value in values else values[len(values) // 2]
    return arm


def trap_course(regress: pd.DataFrame, never: pd.DataFrame, regress_day: int) -> dict:
    """Depth, day and duration of the dip of the firm's customers' satisfaction (day x run tables, paired)."""
    gap = (regress.to_numpy() - never.to_numpy()).mean(axis=1)
    gap = pd.Series(gap, index=regress.index).rolling(SMOOTHING_DAYS, min_periods=1, center=True).mean()
    after = gap[gap.index >= regress_day]
    dip_day = int(after.idxmin())
    depth = float(after.min())
    recovered = after[(after.index > dip_day) & (after >= depth * RECOVERED_WITHIN)]
    return {
        "dip_day": dip_day,
        "depth": depth,
        "lasts_days": int(recovered.index[0] - regress_day) if len(recovered) else None,
    }


def falls_behind_on(policy_runs: pd.DataFrame, never: pd.DataFrame) -> int | None:
    """First day from which the policy's mean stays below never-surprised's to the horizon (day x run, paired)."""
    ahead = (policy_runs.to_numpy() - never.to_numpy()).mean(axis=1) >= 0
    if ahead[-1]:
        return None
    last_ahead = np.flatnonzero(ahead)
    return int(policy_runs.index[last_ahead[-1] + 1]) if last_ahead.size else int(policy_runs.index[0])


def report(sweep: Sweep, out_dir: Path) -> str:
    runs = sweep.runs.assign(policy=policy(sweep.runs))
    gaps = paired_gaps(runs)
    gap_means = summarise_replications(gaps, ["policy", LEARNING, LENGTH, SIZE], [f"{m}_gap" for m in GAPS])
    level_means = summarise_replications(runs, ["policy", LEARNING, LENGTH, SIZE], GAPS)
    pd.concat([level_means, gap_means]).to_csv(out_dir / "surprise_trap_means.csv", index=False)
    table = wide(gap_means, ["policy", LEARNING, LENGTH, SIZE])
    arm = _headline_arm(runs)

    trajectory_figure, course = _trajectory_figure(sweep, runs, arm, out_dir)
    grid_figure = _grid_figure(table, sweep, out_dir)
    return "\n".join(_sentences(table, arm, course) + [f"![trap]({trajectory_figure})", "",
                                                             f"![grid]({grid_figure})", ""])


def _select(runs: pd.DataFrame, arm: dict, which: str) -> pd.DataFrame:
    rows = runs[(runs[LEARNING] == arm[LEARNING]) & (runs["policy"] == which)]
    if which != "never":
        rows = rows[(rows[SIZE] == arm[SIZE]) & (rows[LENGTH] == arm[LENGTH])]
    return rows.sort_values("seed")


def _sentences(table: pd.DataFrame, arm: dict, course: dict) -> list[str]:
    def row(which, learning=arm[LEARNING], length=arm[LENGTH], size=arm[SIZE]):
        picked = table[(table["policy"] == which) & (table[LEARNING] == learning)
                       & (table[LENGTH] == length) & (table[SIZE] == size)]
        return picked.iloc[0] if len(picked) else None

    regress, sustained = row("regress"), row("sustained")
    lines = ["## The surprise-then-regress trap", ""]
    lasts = (f"it lasts about {course['lasts_days']} days after the regress (until their satisfaction is back within "
             f"{RECOVERED_WITHIN:.0%} of the dip)" if course["lasts_days"] is not None
             else "it has not closed by the horizon")
    behind = (f"drops below the never-surprised firm's on day {course['behind_from']} and stays below"
              if course["behind_from"] is not None else "does not end below the never-surprised firm's")
    lines += [
        f"**The trap** (+{arm[SIZE]:g} quality for {arm[LENGTH]:g} days, learning rate {arm[LEARNING]:g}). "
        f"After the regress, the firm's customers are less satisfied than a never-surprised firm's: the dip bottoms "
        f"on day {course['dip_day']} at {course['depth']:+.2f} satisfaction points below; {lasts}. "
        f"Retention of the starting customers {behind}, and ends {interval(regress, 'retention_never_left_gap', points)} "
        f"against never surprising (paired by seed), market share {interval(regress, 'market_share_gap', points)}, cumulative "
        f"profit {interval(regress, 'profit_gap', number)}. Sustaining the same surprise instead ends retention "
        f"{interval(sustained, 'retention_never_left_gap', points)}, market share "
        f"{interval(sustained, 'market_share_gap', points)} and profit {interval(sustained, 'profit_gap', number)}.",
        "",
    ]
    learning_rates = sorted(table[LEARNING].unique())
    by_learning = [f"{lr:g}: {interval(row('regress', learning=lr), 'retention_never_left_gap', points)}"
                   for lr in learning_rates if row("regress", learning=lr) is not None]
    lines += [f"**Learning rate.** Retention gap of the regress policy against never, by the customers' "
              f"learning rate (0 = expectations ignore experience): {'; '.join(by_learning)}.", ""]
    at_headline = table[(table[LEARNING] == arm[LEARNING]) & (table["policy"] == "regress")]
    deepest = at_headline.sort_values("retention_never_left_gap").iloc[0]
    lines += [f"**Deepest trap in the grid** (learning rate {arm[LEARNING]:g}): +{deepest[SIZE]:g} for "
              f"{deepest[LENGTH]:g} days, retention {interval(deepest, 'retention_never_left_gap', points)}.", ""]
    lines += [_worth_it(table), ""]
    return lines


def _setting(row) -> str:
    return f"+{row[SIZE]:g} kept" if row["policy"] == "sustained" else f"+{row[SIZE]:g} for {row[LENGTH]:g} days"


def _worth_it(table: pd.DataFrame) -> str:
    """Which surprises pay, learning rate by learning rate: paired profit gain with its interval above zero."""
    parts = []
    for lr, rows in table.groupby(LEARNING):
        counts = ", ".join(
            f"{int((rows[rows['policy'] == which]['profit_gap_low'] > 0).sum())} of "
            f"{int((rows['policy'] == which).sum())} {which}"
            for which in ("regress", "sustained")
        )
        best = rows.loc[rows["profit_gap"].idxmax()]
        parts.append(f"learning rate {lr:g}: {counts} (best {_setting(best)}, {interval(best, 'profit_gap', number)})")
    return ("**When is a surprise worth it?** Surprises whose cumulative profit over the horizon beats never "
            "surprising (paired, interval above zero), by learning rate: " + "; ".join(parts) + ".")


def _trajectory_figure(sweep: Sweep, runs: pd.DataFrame, arm: dict, out_dir: Path) -> tuple[str, dict]:
    chosen = {which: _select(runs, arm, which) for which in POLICY_COLOURS}
    start = int(runs[START].iloc[0])
    window = (start, start + arm[LENGTH])
    fig, axes = new_figure(3, 1, width=10, height_per_row=3.2)
    panels = (("retention_never_left", "starting customers still\nwith the firm (%)", 100, 1),
              ("mean_satisfaction", "satisfaction of the firm's\ncustomers (7-day mean, value units)", 1, WEEK),
              ("mean_expectation", "mean expectation\n(0-10 scale)", 1, 1))
    tables = {}
    for ax, (column, ylabel, scale, smoothing) in zip(axes[:, 0], panels):
        by_day = daily(sweep, column)
        tables[column] = {which: by_day[list(rows["job"])] for which, rows in chosen.items()}
        ax.axvspan(*window, color="#f9e79f", alpha=0.6, lw=0, label="surprise in force")
        for which, colour in POLICY_COLOURS.items():
            band = daily_mean_ci(tables[column][which].rolling(smoothing, min_periods=1).mean()) * scale
            ax.fill_between(band.index, band["low"], band["high"], color=colour, alpha=0.25, lw=0)
            ax.plot(band.index, band["mean"], color=colour, lw=1.6, label=f"{which} surprise" if which == "never"
                    else f"surprise, then {'regress' if which == 'regress' else 'sustain it'}")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    course = trap_course(tables["mean_satisfaction"]["regress"], tables["mean_satisfaction"]["never"], window[1])
    course["behind_from"] = falls_behind_on(tables["retention_never_left"]["regress"], tables["retention_never_left"]["never"])
    _mark_dip(axes[1, 0], tables["mean_satisfaction"], course)
    _mark_final_gap(axes[0, 0], tables["retention_never_left"])
    axes[0, 0].legend(fontsize=8, loc="lower left")
    axes[-1, 0].set_xlabel("day")
    fig.suptitle(f"The surprise trap: +{arm[SIZE]:g} quality for {arm[LENGTH]:g} days from day {start} (shaded), "
                 f"learning rate {arm[LEARNING]:g}\n{len(chosen['never'])} paired replications; {CI_NOTE}", fontsize=10)
    return save(fig, out_dir / "surprise_trap.png"), course


LABEL_BOX = {"boxstyle": "round", "fc": "white", "ec": "grey", "alpha": 0.9}


def _mark_gap(ax, day: int, never: float, regress: float, text: str) -> None:
    """A double arrow from the never-surprised curve down to the regress curve, labelled in a corner."""
    ax.annotate("", xy=(day, regress), xytext=(day, never), arrowprops={"arrowstyle": "<->", "color": "black", "lw": 1.2})
    ax.annotate(text, xy=(day, (never + regress) / 2), xytext=(0.98, 0.94), textcoords="axes fraction", ha="right",
                va="top", fontsize=8, bbox=LABEL_BOX, arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.8})


def _mark_dip(ax, tables: dict, course: dict) -> None:
    day = course["dip_day"]
    lasts = (f"back within {RECOVERED_WITHIN:.0%} of the dip after ~{course['lasts_days']} days"
             if course["lasts_days"] is not None else "not closed by the horizon")
    def plotted(which):  # the 7-day mean the panel draws, so the arrow meets the curves
        return tables[which].rolling(WEEK, min_periods=1).mean().loc[day].mean()

    _mark_gap(ax, day, plotted("never"), plotted("regress"),
              f"dip below never-surprised: {course['depth']:+.2f} on day {day}\n"
              f"({SMOOTHING_DAYS}-day mean, paired by seed); {lasts}")


def _mark_final_gap(ax, tables: dict) -> None:
    last = tables["never"].index.max()
    never, regress = tables["never"].loc[last].mean() * 100, tables["regress"].loc[last].mean() * 100
    _mark_gap(ax, last, never, regress, f"at the horizon, surprise-then-regress keeps\n{regress - never:+.1f} pp "
                                        "of its starting customers against never surprising")


def _grid_figure(table: pd.DataFrame, sweep: Sweep, out_dir: Path) -> str:
    """Paired gaps at the horizon against size: one line per regress length, one for sustained."""
    learning_rates = sorted(table[LEARNING].unique())
    fig, axes = new_figure(2, len(learning_rates), width=3.3 * len(learning_rates) + 1, height_per_row=3.3)
    lengths = sorted(table.loc[table["policy"] == "regress", LENGTH].unique())
    lines = [(f"regress after {length:g} days", (table["policy"] == "regress") & (table[LENGTH] == length), colour, "-")
             for colour, length in zip(REGRESS_COLOURS, lengths)]
    lines.append(("sustained", table["policy"] == "sustained", POLICY_COLOURS["sustained"], "--"))
    for col, lr in enumerate(learning_rates):
        for row, (metric, ylabel, scale) in enumerate((("retention_never_left_gap", "retention vs never (pp)", 100),
                                                       ("profit_gap", "profit vs never (million)", 1e-6))):
            ax = axes[row, col]
            ax.axhline(0, color="grey", lw=0.8)
            for label, chosen, colour, style in lines:
                rows = table[chosen & (table[LEARNING] == lr)].sort_values(SIZE)
                ax.fill_between(rows[SIZE], rows[f"{metric}_low"] * scale, rows[f"{metric}_high"] * scale,
                                color=colour, alpha=0.2, lw=0)
                ax.plot(rows[SIZE], rows[metric] * scale, ls=style, marker="o", ms=3, color=colour, label=label)
            ax.set_title(f"learning rate {lr:g}", fontsize=10)
            ax.set_xlabel("surprise size (quality points)")
            ax.grid(alpha=0.3)
            if col == 0:
                ax.set_ylabel(ylabel)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=len(lines), fontsize=9)
    fig.suptitle(f"Paired gap to never surprising at the horizon, by size, length and learning rate; {CI_NOTE}",
                 fontsize=10)
    return save(fig, out_dir / "surprise_grid.png")
