"""The run's overview figure: the story of one run at a glance.

Drawn on a bare ``matplotlib.figure.Figure`` with fixed margins: no pyplot
(no GUI backend, no global figure registry) and no layout engine, which
would draw the whole figure twice to measure it. Together that halves the
time a run spends on its figure.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

OUTCOME_COLOURS = {"below": "#c0392b", "equal": "#bdc3c7", "above": "#5dade2", "delight": "#1e8449"}
WEEK = 7


def weekly(series: pd.Series) -> pd.Series:
    """7-day rolling mean: daily counts are noisy at classroom sizes."""
    return series.rolling(WEEK, min_periods=1).mean()


def shade_surprise(ax, window, label: bool = False) -> None:
    if window is not None:
        ax.axvspan(*window, color="#f9e79f", alpha=0.5, zorder=0, label="surprise in force" if label else None)


def overview_figure(timeseries: pd.DataFrame, summary: dict, title: str, surprise_window, fast_days: float):
    """Six panels: expectation vs perception, attitudes, customers, experience mix, complaints, delay."""
    ts = timeseries
    day = ts["day"]
    fig = Figure(figsize=(16, 8.6))
    axes = fig.subplots(2, 3, sharex=True)
    fig.subplots_adjust(left=0.04, right=0.975, bottom=0.065, top=0.915, wspace=0.36, hspace=0.16)
    (ax_q, ax_att, ax_cust), (ax_mix, ax_comp, ax_delay) = axes

    shade_surprise(ax_q, surprise_window, label=True)
    ax_q.plot(day, ts["mean_expectation"], color="#8e44ad", lw=2, label="expected (customers' mean)")
    ax_q.plot(day, weekly(ts["mean_perceived"]), color="#2980b9", lw=2, label="perceived (7-day mean)")
    ax_q.plot(day, ts["promise"], color="black", ls="--", lw=1.2, label="promise")
    ax_q.plot(day, ts["delivered_quality"], color="#7f8c8d", ls=":", lw=1.5, label="delivered (mean, incl. failures)")
    ax_q.set_ylim(*readable_range(ts[["mean_expectation", "promise", "delivered_quality"]], min_span=2.0))
    ax_q.set_title("What customers expect vs what they get")
    ax_q.set_ylabel("quality (0-10 scale)")
    ax_q.legend(loc="upper right", fontsize=8)

    shade_surprise(ax_att, surprise_window)
    ax_att.axhline(0, color="grey", lw=0.8)
    ax_att.plot(day, ts["mean_satisfaction"], color="#16a085", lw=2, label="satisfaction (0 = as expected)")
    ax_att.set_ylabel("satisfaction (value units)")
    ax_att.set_title("Satisfaction and trust (customers with the firm)")
    ax_trust = ax_att.twinx()
    ax_trust.plot(day, ts["mean_trust"], color="#d35400", lw=1.5, ls="--", label="trust in promises")
    ax_trust.set_ylim(0, 1)
    ax_trust.set_ylabel("trust (0-1)")
    lines = ax_att.get_lines()[1:] + ax_trust.get_lines()
    ax_att.legend(lines, [line.get_label() for line in lines], loc="upper right", fontsize=8)

    shade_surprise(ax_cust, surprise_window)
    start = summary["customers_initial"]
    ax_cust.plot(day, ts["active"], color="#2c3e50", lw=2, label="customers with the firm")
    ax_cust.plot(day, ts["retention"] * start, color="#27ae60", lw=2, label="starting customers still here")
    ax_cust.set_ylim(0, max(ts["active"].max(), start) * 1.1)
    ax_cust.set_ylabel("people")
    ax_cust.set_title(f"Customers (retention at horizon {summary['retention_never_left']:.0%})")
    ax_cust.legend(loc="lower left", fontsize=8)

    shares = [weekly(ts[f"share_{name}"]) for name in OUTCOME_COLOURS]
    ax_mix.stackplot(day, shares, colors=list(OUTCOME_COLOURS.values()), labels=list(OUTCOME_COLOURS))
    shade_window_edges(ax_mix, surprise_window)
    ax_mix.set_ylim(0, 1)
    ax_mix.set_ylabel("share of visits (7-day mean)")
    ax_mix.set_title("Each visit against expectation")
    ax_mix.legend(loc="lower left", fontsize=8, ncol=4)

    shade_surprise(ax_comp, surprise_window)
    ax_comp.plot(day, weekly(ts["dissatisfied"]), color="#c0392b", lw=1.5, label="dissatisfying visits")
    ax_comp.plot(day, weekly(ts["complaints"]), color="#e67e22", lw=2, label="complaints")
    ax_comp.plot(day, ts["queue_length"], color="#34495e", lw=1, alpha=0.8, label="queue at the desk (end of day)")
    ax_comp.set_ylabel("per day (7-day mean)")
    ax_comp.set_title(f"The complaint iceberg ({summary['complaint_share'] or 0:.0%} of shortfalls are voiced)")
    ax_comp.legend(loc="upper left", fontsize=8)

    shade_surprise(ax_delay, surprise_window)
    ax_delay.plot(day, ts["mean_recovery_days"], color="#95a5a6", lw=0.8, label="mean delay of the day's resolutions")
    ax_delay.plot(day, weekly(ts["mean_recovery_days"]), color="#2c3e50", lw=2, label="7-day mean")
    ax_delay.axhline(fast_days, color="#27ae60", ls="--", lw=1, label=f"'fast' = within {fast_days:g} day(s)")
    ax_delay.set_ylabel("days from complaint to resolution")
    ax_delay.set_title("Recovery delay (front line counts as 0)")
    ax_delay.set_ylim(bottom=0)
    ax_delay.legend(loc="upper left", fontsize=8)

    for ax in axes[1]:
        ax.set_xlabel("day")
    fig.suptitle(title, fontsize=13)
    return fig


def readable_range(frame: pd.DataFrame, min_span: float) -> tuple[float, float]:
    """Y-limits with a margin and a minimum span, so day-to-day noise is not magnified."""
    low, high = float(frame.min().min()), float(frame.max().max())
    middle, half = (low + high) / 2, max(high - low + 1.0, min_span) / 2
    return middle - half, middle + half


def shade_window_edges(ax, window) -> None:
    """On a filled chart a shaded band would hide; mark the surprise with edges instead."""
    if window is not None:
        for edge in window:
            ax.axvline(edge, color="black", ls="--", lw=1)


def save(fig, path: Path) -> None:
    fig.savefig(path, dpi=110, format="png")
