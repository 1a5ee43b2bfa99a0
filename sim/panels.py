"""The plot panels, drawn once: the run's overview.png, the classroom dashboard and the slides use them.

Each panel draws one idea onto a given matplotlib ``Axes`` from a daily
timeseries (the columns of ``sim.metrics.DAILY_COLUMNS``). An optional
``reference`` timeseries, the counterfactual run on the same seed and dice,
is drawn as a grey line, and the difference at the last day drawn is written
at the line's end. ``Frame`` says what the panels need besides the series:
the horizon, the surprise window, the customers' tolerance, the number of
starting customers and what the reference run is.

Panels set no font sizes: the caller chooses them once with
``matplotlib.rc_context`` (text must stay readable on a projector). Axes of
counts, shares and money start at zero; an axis that cannot (quality on the
0-10 scale) marks its break.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

OUTCOME_COLOURS = {"below": "#c0392b", "equal": "#bdc3c7", "above": "#5dade2", "delight": "#1e8449"}
REFERENCE_COLOUR = "#8c8c8c"
SURPRISE_COLOUR = "#f9e79f"
WEEK = 7


@dataclass(frozen=True)
class Frame:
    """What every panel of one run needs besides its timeseries."""

    days: int  # the horizon: the x axis runs to it even while the run is under way
    window: tuple[int, int] | None = None  # the surprise (first day, first day after), shaded
    tolerance: float = 0.6  # half-width of the zone of tolerance, quality points
    starting_customers: int | None = None  # the firm's customers on day 0
    reference_label: str = "reference"  # what the grey line is, e.g. "never surprised"


def weekly(series: pd.Series) -> pd.Series:
    """7-day rolling mean: daily counts are noisy at classroom sizes."""
    return series.rolling(WEEK, min_periods=1).mean()


def readable_range(frame: pd.DataFrame, min_span: float) -> tuple[float, float]:
    """Y-limits with a margin and a minimum span, so day-to-day noise is not magnified."""
    low, high = float(frame.min().min()), float(frame.max().max())
    middle, half = (low + high) / 2, max(high - low + 1.0, min_span) / 2
    return middle - half, middle + half


def nice_ceiling(value: float) -> float:
    """The next of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above ``value``: axis limits that
    move rarely while a run plays, and waste at most a fifth of the axis."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(power * step for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if power * step >= value * (1 - 1e-9))


def shade_surprise(ax, window, label: bool = False, filled_chart: bool = False) -> None:
    """The surprise window: a yellow band, or its two edges on a filled chart of shares (0-100%) the band would hide under."""
    if window is None:
        return
    if filled_chart:
        start, end = window  # one line for both edges (one legend entry names them), up to 100%: clear of the legend
        ax.plot([start, start, math.nan, end, end], [0, 100, math.nan, 0, 100], color="black", ls="--", lw=1,
                label="surprise starts, ends")
    else:
        ax.axvspan(*window, color=SURPRISE_COLOUR, alpha=0.6, zorder=0, label="surprise in force" if label else None)


def mark_axis_break(ax) -> None:
    """Two slashes across the foot of the y axis: it does not start at zero."""
    kwargs = {"transform": ax.transAxes, "color": "black", "clip_on": False, "lw": 1}
    for dy in (-0.012, 0.012):
        ax.plot([-0.012, 0.012], [0.03 + dy - 0.01, 0.03 + dy + 0.01], **kwargs)


def _days_axis(ax, frame: Frame) -> None:
    ax.set_xlim(0, frame.days)
    ax.set_xlabel("day")


def _reference_line(ax, reference, series, frame: Frame, **style) -> None:
    if reference is not None and len(reference):
        style = {"lw": 2, "label": frame.reference_label, **style}
        ax.plot(reference["day"], series(reference), color=REFERENCE_COLOUR, zorder=1.5, **style)


def label_difference(ax, ts, reference, series, frame: Frame, unit: str, fmt: str = "{:+.2f}", on=None) -> None:
    """At the last day drawn: how far the run is from the reference run on that day.

    ``on``: the axes to draw the label onto (at ``ax``'s coordinates), e.g. a twin axes drawn
    after ``ax``, so that the twin's lines do not run across the label."""
    if reference is None or not len(ts):
        return
    today = len(ts) - 1
    if today >= len(reference):
        return
    ours, theirs = float(series(ts).iloc[today]), float(series(reference).iloc[today])
    difference = fmt.format(ours - theirs)
    if any(digit in difference for digit in "123456789"):
        text = f"{difference}{unit} vs {frame.reference_label}"
    else:
        text = f"the same as {frame.reference_label}"
    day = float(ts["day"].iloc[today])
    early = day < 0.5 * frame.days  # early in the run the label goes right of the line's end, later left of it
    (on or ax).annotate(text, (day, ours), xycoords=ax.transData, xytext=(6 if early else -6, 8),
                        textcoords="offset points", ha="left" if early else "right", va="bottom",
                        fontweight="bold", color="#333333",
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": REFERENCE_COLOUR, "alpha": 0.9})


def label_lowest(ax, ts, reference, series, on=None) -> None:
    """The run's lowest point so far, labelled at its depth with its day, when it lies deeper than the
    reference ever went and the line has climbed away from it.

    A lesson's point can be a dip (the trap: satisfaction bottoms out weeks after the surprise ends)
    that the label at the line's end, written where the runs have come together again, does not show."""
    if reference is None or len(ts) < 2 * WEEK:
        return
    values = series(ts)
    lowest = int(values.to_numpy().argmin())
    depth = float(values.iloc[lowest])
    deeper = depth < float(series(reference).min()) - 0.05
    if not deeper or lowest > len(ts) - 2 * WEEK or float(values.iloc[-1]) - depth < 0.05:
        return  # no deeper than the reference, or still at its bottom (the end label says it)
    day = float(ts["day"].iloc[lowest])
    ax.scatter([day], [depth], color="black", s=25, zorder=4)
    (on or ax).annotate(f"lowest {depth:+.2f}, day {day:.0f}", (day, depth), xycoords=ax.transData, xytext=(8, -2),
                        textcoords="offset points", ha="left", va="top", fontweight="bold", color="#333333",
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "black", "alpha": 0.9})


def _legend(ax, **kwargs) -> None:
    kwargs = {"loc": "upper left", "frameon": False, "borderaxespad": 0.2, "handlelength": 1.5, "columnspacing": 1.2,
              **kwargs}
    if kwargs.get("handles", ax.get_legend_handles_labels()[0]):  # nothing drawn yet before the first day
        ax.legend(**kwargs)


def expectation(ax, ts: pd.DataFrame, frame: Frame, reference: pd.DataFrame | None = None) -> None:
    """Mean expectation with its zone of tolerance, perception (7-day mean) and the promise."""
    _days_axis(ax, frame)
    shade_surprise(ax, frame.window)
    tolerance = frame.tolerance

    def expected(t):
        return t["mean_expectation"]

    levels = [ts[["mean_expectation", "promise", "delivered_quality"]]] if len(ts) else []
    if reference is not None and len(reference):
        levels.append(reference[["mean_expectation", "promise"]])
    if len(ts):
        day = ts["day"]
        ax.fill_between(day, expected(ts) - tolerance, expected(ts) + tolerance, color="#d2b4de", alpha=0.5,
                        lw=0, label="zone of tolerance")
        ax.plot(day, expected(ts), color="#8e44ad", lw=2.5, label="expected")
        ax.plot(day, weekly(ts["mean_perceived"]), color="#2980b9", lw=1.8, label="perceived")
        ax.plot(day, ts["promise"], color="black", ls="--", lw=1.2, label="promise")
    _reference_line(ax, reference, expected, frame, label=f"expected, {frame.reference_label}")
    low, high = readable_range(pd.concat(levels), min_span=3.0) if levels else (5.0, 9.0)
    bottom, top = low - tolerance, high + tolerance + 0.35 * (high - low)  # room on top for the legend
    bottom, top = math.floor(2 * bottom) / 2, math.ceil(2 * top) / 2  # half points: the axis moves rarely
    ax.set_ylim(bottom, top)
    ax.set_yticks(range(math.ceil(bottom), min(10, math.floor(top)) + 1))  # the scale ends at 10
    mark_axis_break(ax)
    ax.set_ylabel("quality (0-10)")
    ax.set_title("What customers expect and what they perceive")
    _legend(ax, ncol=3)
    label_difference(ax, ts, reference, expected, frame, " points")


def outcome_mix(ax, ts: pd.DataFrame, frame: Frame, reference: pd.DataFrame | None = None) -> None:
    """Each visit against expectation: the share below, equal, above and far above (delight), 7-day means."""
    _days_axis(ax, frame)

    def below(t):
        return 100 * weekly(t["share_below"])

    if len(ts):
        shares = [100 * weekly(ts[f"share_{name}"]) for name in OUTCOME_COLOURS]
        ax.stackplot(ts["day"], shares, colors=list(OUTCOME_COLOURS.values()), labels=list(OUTCOME_COLOURS))
    shade_surprise(ax, frame.window, filled_chart=True)
    _reference_line(ax, reference, below, frame, label=f"below, {frame.reference_label}")
    ax.set_ylim(0, 150)  # a white band above 100% for two rows of legend
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("% of visits")
    ax.set_title("Each visit against expectation")
    _legend(ax, ncol=4, loc="upper center", columnspacing=1.0)
    label_difference(ax, ts, reference, below, frame, " points below", "{:+.0f}")


def iceberg(ax, ts: pd.DataFrame, frame: Frame, reference: pd.DataFrame | None = None) -> None:
    """Visits below expectation against the complaints the firm hears of, and the desk's queue (7-day means)."""
    _days_axis(ax, frame)
    shade_surprise(ax, frame.window)

    def complaints(t):
        return weekly(t["complaints"])

    if len(ts):
        ax.plot(ts["day"], weekly(ts["dissatisfied"]), color="#c0392b", lw=1.8, label="visits below expectation")
        ax.plot(ts["day"], complaints(ts), color="#e67e22", lw=2.5, label="complaints")
        ax.plot(ts["day"], ts["queue_length"], color="#34495e", lw=1.2, label="waiting at the desk")
    _reference_line(ax, reference, complaints, frame, label=f"complaints, {frame.reference_label}")
    _reference_line(ax, reference, lambda t: t["queue_length"], frame, lw=1, ls=":",
                    label=f"waiting, {frame.reference_label}")
    ax.set_ylim(bottom=0)
    ax.set_ylim(0, nice_ceiling(ax.get_ylim()[1] * 1.6))  # room on top for the legend
    ax.set_ylabel("people per day")
    ax.set_title("The iceberg: unhappy visits, complaints, the queue")
    _legend(ax, ncol=2)
    label_difference(ax, ts, reference, complaints, frame, " complaints a day", "{:+.1f}")


def retention(ax, ts: pd.DataFrame, frame: Frame, reference: pd.DataFrame | None = None) -> None:
    """The starting customers who never left the firm, and all its customers, as % of the day-0 count.

    Never left (``retention_never_left``), not "with the firm today": the loyalty measure every
    report and slide headline quotes, so the line ends on the headline's number."""
    _days_axis(ax, frame)
    shade_surprise(ax, frame.window)

    def kept(t):
        return 100 * t["retention_never_left"]

    if len(ts):
        if frame.starting_customers:
            ax.plot(ts["day"], 100 * ts["active"] / frame.starting_customers, color="#2c3e50", lw=1.5,
                    label="all customers (newcomers too)")
        ax.plot(ts["day"], kept(ts), color="#27ae60", lw=2.5, label="starting customers who never left")
    _reference_line(ax, reference, kept, frame, label=f"never left, {frame.reference_label}")
    top = max(110.0, float((100 * ts["active"] / frame.starting_customers).max()) + 10) if (
        len(ts) and frame.starting_customers) else 110.0
    ax.set_ylim(0, 10 * math.ceil(top / 10))
    ax.set_ylabel("% of the day-0 customers")
    ax.set_title("Customers kept")
    _legend(ax, loc="lower left")
    label_difference(ax, ts, reference, kept, frame, " points", "{:+.1f}")


def attitudes(ax, ts: pd.DataFrame, frame: Frame, reference: pd.DataFrame | None = None) -> None:
    """Satisfaction (0 = as expected) of the firm's customers, and their trust in its promises (right axis)."""
    _days_axis(ax, frame)
    shade_surprise(ax, frame.window)
    ax.axhline(0, color="grey", lw=0.8)

    def satisfaction(t):
        return weekly(t["mean_satisfaction"])

    trust_ax = ax.twinx()
    trust_ax.set_ylim(0, 1.3)
    trust_ax.set_yticks([0, 0.5, 1])
    trust_ax.set_ylabel("trust (0-1)")
    if len(ts):
        ax.plot(ts["day"], satisfaction(ts), color="#16a085", lw=2.5, label="satisfaction")
        trust_ax.plot(ts["day"], ts["mean_trust"], color="#d35400", lw=1.5, ls="--", label="trust in promises")
    _reference_line(ax, reference, satisfaction, frame, label=f"satisfaction, {frame.reference_label}")
    _reference_line(trust_ax, reference, lambda t: t["mean_trust"], frame, lw=1.5, ls="--",
                    label=f"trust, {frame.reference_label}")
    series = [satisfaction(t).abs().max() for t in (ts, reference) if t is not None and len(t)]
    span = nice_ceiling(max([0.5, *(1.25 * float(s) for s in series)]))
    ax.set_ylim(-span, 1.45 * span)  # room on top for two rows of legend
    ax.set_ylabel("satisfaction (0 = as expected)")
    ax.set_title("Satisfaction and trust of the firm's customers")
    handles = [line for line in ax.get_lines() + trust_ax.get_lines() if not line.get_label().startswith("_")]
    _legend(ax, handles=handles, ncol=2)
    label_difference(ax, ts, reference, satisfaction, frame, "", on=trust_ax)  # above the trust lines
    label_lowest(ax, ts, reference, satisfaction, on=trust_ax)


def money(ax, ts: pd.DataFrame, frame: Frame, reference: pd.DataFrame | None = None) -> None:
    """Revenue, costs and profit so far (costs: delivery, recovery, guarantee payouts, winning customers)."""
    _days_axis(ax, frame)
    shade_surprise(ax, frame.window)
    ax.axhline(0, color="grey", lw=0.8)

    def profit(t):
        return t["profit"].cumsum() / 1000

    if len(ts):
        costs = ts[["delivery_cost", "recovery_cost", "guarantee_cost", "acquisition_cost"]].sum(axis=1)
        ax.plot(ts["day"], ts["revenue"].cumsum() / 1000, color="#2980b9", lw=1.5, label="revenue")
        ax.plot(ts["day"], costs.cumsum() / 1000, color="#c0392b", lw=1.5, label="costs")
        ax.plot(ts["day"], profit(ts), color="#1e8449", lw=2.5, label="profit")
    _reference_line(ax, reference, profit, frame, label=f"profit, {frame.reference_label}")
    low, high = ax.get_ylim()
    ax.set_ylim(-nice_ceiling(-low) if low < 0 else 0.0, nice_ceiling(max(high, 1.0) * 1.25))
    ax.set_ylabel("thousands, so far")
    ax.set_title("Money: revenue, costs and profit so far")
    _legend(ax, ncol=2)
    label_difference(ax, ts, reference, profit, frame, "k profit", "{:+,.0f}")


PANELS = {panel.__name__: panel for panel in (expectation, outcome_mix, iceberg, retention, attitudes, money)}


def save(fig, path: Path, dpi: int = 100, smallest: bool = True) -> None:
    """Write a figure as a compact palette PNG (a third of the size; the same look for flat plots).

    The drawn pixels go straight to the palette step, not through a full-colour PNG
    written and read back. ``smallest=False`` compresses less hard: a tenth larger,
    and about 50 ms less for a 16 x 9 inch figure (a run's overview.png).
    """
    from PIL import Image

    pixels = io.BytesIO()
    previous_dpi, fig.dpi = fig.dpi, dpi  # as savefig does while drawing: the canvas then says the size drawn
    try:
        fig.savefig(pixels, dpi=dpi, format="rgba")
        size = fig.canvas.get_width_height(physical=True)
    finally:
        fig.dpi = previous_dpi
    image = Image.frombuffer("RGBA", size, pixels.getbuffer(), "raw", "RGBA", 0, 1)
    image.convert("RGB").quantize(colors=256).save(path, format="png", optimize=smallest)
