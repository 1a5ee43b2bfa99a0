"""``servsim-dashboard``: the classroom dashboard, a Mesa SolaraViz page on localhost.

A teacher picks a lesson, moves sliders, presses Reset to apply them, then
Step or play, and the class watches expectation, perception, satisfaction and
people react. Every browser session gets its own model (``Page`` creates it per
session), so students on one server each drive their own run.

The model logic (lessons, controls, the customer sample) is in
``sim/classroom/model.py``; this module only draws it.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from agents.firm import Firm
from sim.classroom.model import (
    DEFAULT_LESSON,
    LEFT_AFTER_COMPLAINT,
    LEFT_QUIETLY,
    STATUSES,
    ClassroomModel,
    control_specs,
)
from sim.figures import OUTCOME_COLOURS, readable_range, weekly
from sim.classroom.lessons import LESSONS

# Solara's hook checker flags a pattern inside Mesa 3.3's own SolaraViz; the page works. Keep the teacher's terminal clean.
warnings.filterwarnings("ignore", message=r".*mesa/visualization/solara_viz\.py.*found despite early return", category=UserWarning)
from mesa.visualization import SolaraViz  # noqa: E402

STATUS_COLOURS = {
    "no problem yet": "#5dade2",
    "had a problem, kept quiet": "#f5b041",
    "complaint waiting": "#e67e22",
    "complaint resolved": "#27ae60",
    "complaint unresolved": "#8e44ad",
    "left without complaining": "#2c3e50",
    "left after complaining": "#a04000",
    "with the competitor": "#e5e7e9",
}
STATUS_PALETTE = np.array([STATUS_COLOURS[name] for name in STATUSES])  # indexed by status code
LEFT_MARKER = "x"
LEFT_STATUSES = (LEFT_QUIETLY, LEFT_AFTER_COMPLAINT)
SURPRISE_COLOUR = "#f9e79f"
PLOT_SIZE = (6.4, 3.4)


def _timeseries(model: ClassroomModel) -> pd.DataFrame:
    return pd.DataFrame(model.datacollector.model_vars)


def _figure(title: str) -> tuple[Figure, object]:
    fig = Figure(figsize=PLOT_SIZE, dpi=90)
    # Fixed margins, legend between title and axes: a layout engine costs more than the drawing.
    fig.subplots_adjust(left=0.11, right=0.89, top=0.76, bottom=0.14)
    fig.suptitle(title, fontsize=11, y=0.98)
    return fig, fig.subplots()


def _legend(ax, handles=None) -> None:
    """The legend in a strip above the axes, where it never hides a line."""
    if handles is None:
        handles = ax.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=3, fontsize=8, frameon=False)


def _frame_days(ax, model: ClassroomModel, label_surprise: bool = False) -> None:
    """Days on the x axis, up to the horizon, with the surprise window shaded."""
    ax.set_xlim(0, model.config.days)
    ax.set_xlabel("day")
    window = Firm.from_config(model.config.firm).surprise.window(model.config.days)
    if window is not None:
        label = "surprise in force" if label_surprise else None
        ax.axvspan(*window, color=SURPRISE_COLOUR, alpha=0.6, zorder=0, label=label)


def _show(fig: Figure):
    return solara.FigureMatplotlib(fig, format="png")


def _paragraph(heading: str, text: str):
    return solara.v.Html(tag="p", children=[solara.v.Html(tag="b", children=[heading + " "]), text])


def _describe_change(label: str, value) -> str:
    return f"{label}: {'yes' if value else 'no'}" if isinstance(value, bool) else f"{label} = {value:g}"


def _describe_changes(changes: list[tuple[str, object]]) -> str:
    if not changes:
        return "The lesson as set. Move a control, then press Reset to apply it."
    return "Changed from the lesson: " + "; ".join(_describe_change(label, value) for label, value in changes) + "."


def LessonCard(model: ClassroomModel):
    """The lesson's on-screen explanation: what to watch, why it happens, what to try."""
    lesson = model.lesson
    return solara.Column(
        style={"font-size": "0.9em"},
        children=[
            solara.v.Html(tag="h3", children=[lesson.title]),
            _paragraph("This run.", _describe_changes(model.changes_from_lesson())),
            _paragraph("What to watch.", lesson.watch),
            _paragraph("Why it happens.", lesson.why),
            _paragraph("Try next.", lesson.try_next),
        ],
    )


def ExpectationPlot(model: ClassroomModel):
    """Mean expectation with the zone of tolerance around it, against what customers perceive."""
    fig, ax = _figure("What customers expect vs what they perceive")
    _frame_days(ax, model, label_surprise=True)
    ts = _timeseries(model)
    tolerance = float(model.people.tolerance.mean())
    if len(ts):
        day, expected = ts["day"], ts["mean_expectation"]
        ax.fill_between(day, expected - tolerance, expected + tolerance, color="#d2b4de", alpha=0.5, label="zone of tolerance")
        ax.plot(day, expected, color="#8e44ad", lw=2, label="expected")
        ax.plot(day, weekly(ts["mean_perceived"]), color="#2980b9", lw=2, label="perceived (7-day mean)")
        ax.plot(day, ts["promise"], color="black", ls="--", lw=1.2, label="promise")
    levels = ts[["mean_expectation", "promise", "delivered_quality"]] if len(ts) else pd.DataFrame({"promise": [model.config.firm.promise]})
    low, high = readable_range(levels, min_span=3.0)
    ax.set_ylim(low - tolerance, high + tolerance)
    ax.set_ylabel("quality (0-10)")
    _legend(ax)
    return _show(fig)


def AttitudePlot(model: ClassroomModel):
    fig, ax = _figure("Satisfaction and trust of the firm's customers")
    _frame_days(ax, model)
    ax.axhline(0, color="grey", lw=0.8)
    ax_trust = ax.twinx()
    ax_trust.set_ylim(0, 1)
    ts = _timeseries(model)
    if len(ts):
        ax.plot(ts["day"], ts["mean_satisfaction"], color="#16a085", lw=2, label="satisfaction (0 = as expected)")
        ax_trust.plot(ts["day"], ts["mean_trust"], color="#d35400", lw=1.5, ls="--", label="trust in promises")
        span = max(0.5, float(ts["mean_satisfaction"].abs().max()) * 1.2)
        ax.set_ylim(-span, span)
    ax.set_ylabel("satisfaction")
    ax_trust.set_ylabel("trust (0-1)")
    _legend(ax, ax.get_lines()[1:] + ax_trust.get_lines())
    return _show(fig)


def CustomersPlot(model: ClassroomModel):
    fig, ax = _figure("Where the people of the market buy")
    _frame_days(ax, model)
    ts = _timeseries(model)
    people = model.people.size
    if len(ts):
        ax.stackplot(
            ts["day"],
            [ts["active"], people - ts["active"]],
            colors=["#2c3e50", "#e5e7e9"],
            labels=["with the firm", "with the competitor"],
        )
    ax.set_ylim(0, people)
    ax.set_ylabel("people")
    _legend(ax)
    return _show(fig)


def ComplaintsPlot(model: ClassroomModel):
    fig, ax = _figure("Unhappy visits, complaints and the desk's queue")
    _frame_days(ax, model)
    ts = _timeseries(model)
    if len(ts):
        ax.plot(ts["day"], weekly(ts["dissatisfied"]), color="#c0392b", lw=1.5, label="visits below expectation")
        ax.plot(ts["day"], weekly(ts["complaints"]), color="#e67e22", lw=2, label="complaints")
        ax.plot(ts["day"], ts["queue_length"], color="#34495e", lw=1, label="waiting at the desk (end of day)")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("people per day (7-day mean)")
    _legend(ax)
    return _show(fig)


def OutcomeMixPlot(model: ClassroomModel):
    fig, ax = _figure("Each visit against expectation")
    _frame_days(ax, model)
    ts = _timeseries(model)
    if len(ts):
        shares = [weekly(ts[f"share_{name}"]) for name in OUTCOME_COLOURS]
        ax.stackplot(ts["day"], shares, colors=list(OUTCOME_COLOURS.values()), labels=list(OUTCOME_COLOURS))
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of visits (7-day mean)")
    _legend(ax)
    return _show(fig)


def PeopleGrid(model: ClassroomModel):
    """A sample of the market, one square per person, coloured by what has happened to them."""
    status = model.sample.status(model.people)
    side = int(np.ceil(np.sqrt(status.size)))
    column, row = np.divmod(np.arange(status.size), side)
    colours = STATUS_PALETTE[status]
    left = np.isin(status, LEFT_STATUSES)

    fig = Figure(figsize=PLOT_SIZE, dpi=90)
    grid_ax, legend_ax = fig.subplots(1, 2, width_ratios=[1.2, 1.0])
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.03, wspace=0.05)
    grid_ax.scatter(column[~left], row[~left], c=colours[~left], marker="s", s=55)
    grid_ax.scatter(column[left], row[left], c=colours[left], marker=LEFT_MARKER, s=40, linewidths=2)
    grid_ax.set_aspect("equal")
    grid_ax.axis("off")
    fig.suptitle(f"{status.size} people of the market, one square each (day {model.day})", fontsize=11)
    handles = [
        Line2D([], [], ls="", marker=LEFT_MARKER if code in LEFT_STATUSES else "s", color=colour, markersize=8, mew=2)
        for code, colour in enumerate(STATUS_PALETTE)
    ]
    labels = [f"{name} ({n})" for name, n in model.sample.counts(model.people).items()]
    legend_ax.legend(handles, labels, loc="center left", fontsize=9, frameon=False)
    legend_ax.axis("off")
    return _show(fig)


def PeopleScatter(model: ClassroomModel):
    """The sampled customers by what they expect and how satisfied they are."""
    fig, ax = _figure("The firm's customers in the picture")
    index = model.sample.index
    customers = model.people.with_firm[index]
    colours = STATUS_PALETTE[model.sample.status(model.people)]
    ax.scatter(
        model.people.expectation[index][customers],
        model.people.satisfaction[index][customers],
        c=colours[customers],
        s=24,
        edgecolors="white",
        linewidths=0.4,
    )
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(model.config.firm.promise, color="black", ls="--", lw=1, label="promise")
    ax.set_xlabel("what they expect (0-10)")
    ax.set_ylabel("satisfaction (0 = as expected)")
    _legend(ax)
    return _show(fig)


# Two per row, in the order of the story: the lesson, then expectation against
# perception, the people, the mix of visits, attitudes, complaints, customers.
COMPONENTS = [
    LessonCard,
    ExpectationPlot,
    PeopleGrid,
    OutcomeMixPlot,
    AttitudePlot,
    ComplaintsPlot,
    CustomersPlot,
    PeopleScatter,
]
RENDER_DAYS = 7  # days per Step and per redraw while playing: drawing, not the model, is the slow part

# Show each slider's value under its handle (Mesa's sliders show it only while dragged).
SLIDER_VALUES_CSS = """
.v-slider__thumb-container[aria-valuenow]::after {
    content: attr(aria-valuenow);
    position: absolute;
    top: 8px;
    left: 50%;
    transform: translateX(-50%);
    font-size: 11px;
    color: #555;
}
"""


@solara.component
def Page():
    """One model per browser session, re-created when the lesson changes."""
    lesson, set_lesson = solara.use_state(DEFAULT_LESSON)
    model = solara.use_memo(lambda: ClassroomModel(lesson=lesson), dependencies=[lesson])
    solara.Style(SLIDER_VALUES_CSS)
    with solara.Sidebar():
        with solara.Card("Lesson"):
            for name in LESSONS:
                solara.Button(
                    name.replace("_", " "),
                    on_click=lambda name=name: set_lesson(name),
                    color="primary",
                    outlined=name != lesson,
                    block=True,
                    classes=["mb-2"],
                )
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=control_specs(lesson),
        name="servsim classroom: service expectations, complaints and loyalty",
        play_interval=50,
        render_interval=RENDER_DAYS,
    ).key(f"lesson-{lesson}")


def main() -> None:
    """Start the dashboard server; extra arguments go to ``solara run`` (e.g. ``--port 8800 --no-open``)."""
    from solara.__main__ import cli
    from solara.server import settings

    cache = Path(settings.assets.proxy_cache_dir)
    if not any(cache.glob("@widgetti/solara-vuetify-app@*")):
        print(
            f"servsim-dashboard: the page's JavaScript is not in {cache}; without internet access the page stays "
            "blank. Run `make install` (it fetches the files from the npm registry).",
            file=sys.stderr,
        )
    settings.telemetry.mixpanel_enable = False  # no usage reports leave the classroom
    cli(["run", f"{__name__}:Page", "--production", "--no-check-version", *sys.argv[1:]], prog_name="servsim-dashboard")
