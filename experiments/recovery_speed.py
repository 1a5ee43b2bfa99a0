"""Question 2: how fast must recovery be, and what can compensation, apology and the front line buy?"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter

from experiments.aggregate import COMPLAINANTS_KEPT, Sweep, daily, summarise_replications, wide
from experiments.plotting import CI_NOTE, PALETTE, band, new_figure, save
from experiments.text import interval, number, pct, points
from stats.intervals import daily_mean_ci

DESK, DELAY, STAFF = "recovery.desk", "recovery.handling_days", "recovery.staff"
DESIGN = ["recovery.compensation", "recovery.apology", "recovery.on_the_spot"]
STANDARD = {"recovery.compensation": 0.5, "recovery.apology": True, "recovery.on_the_spot": 0.0}
METRICS = [COMPLAINANTS_KEPT, "retention_never_left", "mean_recovery_days", "p90_recovery_days", "complaints_abandoned",
           "profit"]
LOG_TICKS = (0.125, 0.25, 0.5, 1, 2, 4, 8, 16)  # days
# The delay at which the levers are compared with speed, days.
COMPARE_AT = 4.0


def design_label(compensation: float, apology: bool, on_the_spot: float) -> str:
    parts = [f"compensation {compensation:g}", "apology" if apology else "no apology"]
    if on_the_spot:
        parts.append(f"{on_the_spot:.0%} solved on the spot")
    return ", ".join(parts)


def _is_standard(rows: pd.DataFrame) -> pd.Series:
    return np.logical_and.reduce([rows[key] == value for key, value in STANDARD.items()])


def equivalent_delay(standard: pd.DataFrame, retention: float) -> float | None:
    """Desk delay at which the standard design keeps this share of complainants (None: off the curve)."""
    curve = standard.sort_values(DELAY)
    kept, delays = curve[COMPLAINANTS_KEPT].to_numpy(), curve[DELAY].to_numpy()
    if not kept.min() <= retention <= kept.max():
        return None
    order = np.argsort(kept)  # retention falls with delay: interpolate delay as a function of retention
    return float(np.interp(retention, kept[order], delays[order]))


def report(sweep: Sweep, out_dir: Path) -> str:
    runs = sweep.runs
    fixed = runs[runs[DESK] == "fixed_delay"]
    queue = runs[runs[DESK] == "queue"]
    fixed_means = summarise_replications(fixed, [*DESIGN, DELAY], METRICS).assign(**{DESK: "fixed_delay"})
    queue_means = summarise_replications(queue, [STAFF], METRICS).assign(**{DESK: "queue"})
    pd.concat([fixed_means, queue_means]).to_csv(out_dir / "recovery_speed_means.csv", index=False)
    curves = wide(fixed_means, [*DESIGN, DELAY])
    staffing = wide(queue_means, [STAFF])

    figures = [_speed_figure(curves, staffing, sweep, out_dir), _trajectory_figure(sweep, out_dir)]
    lines = ["## How fast must recovery be?", ""]
    lines += _speed_sentences(curves) + _lever_sentences(curves, runs) + _staffing_sentences(staffing)
    lines += [f"![{name}]({name})" for name in figures]
    return "\n".join(lines) + "\n"


def _speed_sentences(curves: pd.DataFrame) -> list[str]:
    standard = curves[_is_standard(curves)].sort_values(DELAY)
    if standard.empty:
        return []
    fastest, slowest = standard.iloc[0], standard.iloc[-1]
    kept = standard[COMPLAINANTS_KEPT].to_numpy()
    monotone = "falls at every step" if np.all(np.diff(kept) < 0) else "falls overall (not at every step)"
    return [
        f"**Speed.** With the default recovery design ({design_label(0.5, True, 0.0)}), retention of complainants "
        f"{monotone} as the desk slows: {interval(fastest, COMPLAINANTS_KEPT, pct)} when complaints are "
        f"resolved at once, {interval(slowest, COMPLAINANTS_KEPT, pct)} after {slowest[DELAY]:g} days; "
        f"overall retention of the starting customers goes from {interval(fastest, 'retention_never_left', pct)} "
        f"to {interval(slowest, 'retention_never_left', pct)}. Slow desks lose complainants before they answer: "
        f"{interval(slowest, 'complaints_abandoned', number)} complaints abandoned at {slowest[DELAY]:g} days.",
        "",
    ]


def gaps_to_standard(runs: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Each other fixed-delay design minus the default design at the same delay and seed."""
    fixed = runs[runs[DESK] == "fixed_delay"]
    standard = fixed[_is_standard(fixed)].set_index([DELAY, "seed"])[metric]
    other = fixed[~_is_standard(fixed)]
    baseline = standard.loc[pd.MultiIndex.from_frame(other[[DELAY, "seed"]])].to_numpy()
    return other[[*DESIGN, DELAY, "seed"]].assign(gap=other[metric].to_numpy() - baseline)


def _lever_sentences(curves: pd.DataFrame, runs: pd.DataFrame) -> list[str]:
    """Each other design against the default one at the comparison delay, paired by seed, in days of speed."""
    standard = curves[_is_standard(curves)]
    base = standard[standard[DELAY] == COMPARE_AT]
    if base.empty:
        return []
    gaps = wide(summarise_replications(gaps_to_standard(runs, COMPLAINANTS_KEPT), [*DESIGN, DELAY], ["gap"]),
                [*DESIGN, DELAY])
    lines = [f"**Levers against speed** (complainants kept at a {COMPARE_AT:g}-day desk: "
             f"{interval(base.iloc[0], COMPLAINANTS_KEPT, pct)} with the default design; "
             "gaps paired by seed):", ""]
    for key, rows in curves[~_is_standard(curves)].groupby(DESIGN):
        at = rows[rows[DELAY] == COMPARE_AT]
        gap = gaps[np.logical_and.reduce([gaps[k] == v for k, v in zip(DESIGN, key)]) & (gaps[DELAY] == COMPARE_AT)]
        if at.empty or gap.empty:
            continue
        at, gap = at.iloc[0], gap.iloc[0]
        if gap["gap_low"] <= 0 <= gap["gap_high"]:
            worth = "no difference the replications can resolve"
        else:
            equal = equivalent_delay(standard, at[COMPLAINANTS_KEPT])
            worth = (f"as many as the default design keeps at a {equal:.1f}-day desk" if equal is not None
                     else "more than the default design keeps even at once" if gap["gap"] > 0
                     else "fewer than the default design keeps at the slowest desk")
        lines.append(f"- {design_label(*key)}: {interval(at, COMPLAINANTS_KEPT, pct)}, "
                     f"{interval(gap, 'gap', points)} against the default design: {worth}")
    return lines + [""]


def _staffing_sentences(staffing: pd.DataFrame) -> list[str]:
    if staffing.empty:
        return []
    rows = [
        f"{int(row[STAFF])} handler(s): mean delay {interval(row, 'mean_recovery_days')} days, "
        f"complainants kept {interval(row, COMPLAINANTS_KEPT, pct)}"
        for _, row in staffing.sort_values(STAFF).iterrows()
    ]
    return ["**Staffing** (a queueing desk, mean 0.25 days per complaint, nothing solved on the spot): "
            + "; ".join(rows) + ".", ""]


def _speed_figure(curves: pd.DataFrame, staffing: pd.DataFrame, sweep: Sweep, out_dir: Path) -> str:
    fig, axes = new_figure(2, 2, width=12)
    (ax_kept, ax_all), (ax_delay, ax_staff) = axes
    for colour, (key, rows) in zip(PALETTE, curves.groupby(DESIGN)):
        rows = rows.sort_values(DELAY)
        band(ax_kept, rows[DELAY], rows, COMPLAINANTS_KEPT, design_label(*key), colour, 100, alpha=0.12)
        band(ax_all, rows[DELAY], rows, "retention_never_left", design_label(*key), colour, 100, alpha=0.12)
    for ax, what in ((ax_kept, "complainants kept, 180 days on (%)"), (ax_all, "starting customers who never left (%)")):
        ax.set_xlabel("desk delay from complaint to resolution (days, fixed)")
        ax.set_ylabel(what)
        ax.grid(alpha=0.3)
    ax_kept.legend(fontsize=8, title="recovery design", title_fontsize=8)
    ax_kept.set_title("Complainants kept against recovery delay")
    ax_all.set_title("All starting customers kept against recovery delay")

    if not staffing.empty:
        staffing = staffing.sort_values(STAFF)
        band(ax_delay, staffing[STAFF], staffing, "mean_recovery_days", "mean delay", PALETTE[0])
        band(ax_delay, staffing[STAFF], staffing, "p90_recovery_days", "90th percentile", PALETTE[1])
        ax_delay.set_yscale("log")
        ax_delay.yaxis.set_major_locator(FixedLocator(LOG_TICKS))
        ax_delay.yaxis.set_major_formatter(ScalarFormatter())
        ax_delay.yaxis.set_minor_formatter(NullFormatter())
        ax_delay.set_title("Queueing desk: recovery delay against staffing")
        ax_delay.set_ylabel("days from complaint to resolution (log)")
        ax_delay.legend(fontsize=8)
        band(ax_staff, staffing[STAFF], staffing, COMPLAINANTS_KEPT, "complainants kept", PALETTE[0], 100)
        band(ax_staff, staffing[STAFF], staffing, "retention_never_left", "starting customers who never left", PALETTE[2], 100)
        ax_staff.set_title("Queueing desk: retention against staffing")
        ax_staff.set_ylabel("kept (%)")
        ax_staff.legend(fontsize=8)
        for ax in (ax_delay, ax_staff):
            ax.set_xlabel("complaint handlers at the desk")
            ax.set_xticks(staffing[STAFF])
            ax.grid(alpha=0.3)
    fig.suptitle(f"Recovery speed: {sweep.runs['seed'].nunique()} replications per policy; {CI_NOTE}", fontsize=11)
    return save(fig, out_dir / "recovery_speed.png")


def _trajectory_figure(sweep: Sweep, out_dir: Path) -> str:
    """Retention of the starting customers day by day for a few desk delays and staffings,
    and each one's gap to the instant desk on the same seed."""
    runs = sweep.runs.sort_values("seed")
    standard_runs = runs[(runs[DESK] == "fixed_delay") & _is_standard(runs)]
    policies = [(f"fixed {d:g}-day desk", standard_runs[standard_runs[DELAY] == d]["job"])
                for d in sorted(standard_runs[DELAY].unique())[::2]]
    queue = runs[runs[DESK] == "queue"]
    policies += [(f"queue, {s} handler(s)", queue[queue[STAFF] == s]["job"]) for s in sorted(queue[STAFF].unique())[:2]]
    retention = daily(sweep, "retention_never_left") * 100
    instant = retention[list(policies[0][1])].to_numpy()
    fig, axes = new_figure(1, 2, width=13, height_per_row=4.6)
    ax_level, ax_gap = axes[0]
    for index, (label, jobs) in enumerate(policies):
        colour, style = PALETTE[index % len(PALETTE)], "--" if label.startswith("queue") else "-"
        level = daily_mean_ci(retention[list(jobs)])
        gap = daily_mean_ci(pd.DataFrame(retention[list(jobs)].to_numpy() - instant, index=retention.index))
        for ax, stats_ in ((ax_level, level), (ax_gap, gap)):
            ax.fill_between(stats_.index, stats_["low"], stats_["high"], color=colour, alpha=0.2, lw=0)
            ax.plot(stats_.index, stats_["mean"], color=colour, label=label, ls=style)
    ax_level.set_ylabel("starting customers still with the firm (%)")
    ax_level.set_title("Retention of the starting customers per recovery policy", fontsize=10)
    ax_gap.axhline(0, color="grey", lw=0.8)
    ax_gap.set_ylabel(f"gap to the {policies[0][0]} (pp, paired by seed)")
    ax_gap.set_title(f"The same, against the {policies[0][0]}", fontsize=10)
    for ax in (ax_level, ax_gap):
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    ax_gap.legend(fontsize=8, loc="lower left")
    fig.suptitle(f"Retention trajectories; {CI_NOTE}", fontsize=10)
    return save(fig, out_dir / "recovery_trajectories.png")
