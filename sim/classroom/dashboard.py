"""``servsim-dashboard``: the classroom dashboard, a Solara page for a projector.

A teacher picks a lesson and presses Play: the simulation runs at a chosen
number of days per second, the lesson's two key plots show the run against
its counterfactual (a grey line: the same market on the same dice with the
lesson's reference policy), and the run stops on the lesson's question days
until the class has answered. At a projector's 1280x720 the lesson's words (what
to watch, why it happens, what to try next with its *Try it* button), the
controls and the two key plots fit on one screen (with, for a lesson that has them,
buttons that replay its decision among customers who behave otherwise); the settings, the picture of
people and the other plots follow below, for a class that scrolls.

Why not Mesa's SolaraViz: its controller always shows "Play Interval (ms)",
"Render Interval (steps)" and "Use Threads" and counts steps, not days, and it
redraws every plot after every step. This page keeps Mesa's model
(``ClassroomModel`` and its ``datacollector``) and draws with the shared panels
of ``sim/panels.py``. Playing advances the model by wall-clock time (speed x
seconds elapsed), so slow drawing costs frames, never the pace of the lesson.
Every browser session gets its own model.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from matplotlib.lines import Line2D

from sim import panels
from sim.classroom.lessons import LESSONS
from sim.classroom.model import (
    CONTROLS,
    DEFAULT_LESSON,
    LEFT_AFTER_COMPLAINT,
    LEFT_QUIETLY,
    STATUSES,
    ClassroomModel,
    control_specs,
    describe_setting,
)
from sim.classroom.slides import OneLineParser

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
LEFT_STATUSES = (LEFT_QUIETLY, LEFT_AFTER_COMPLAINT)

DPI = 100
PLOT_FONT_PT = 11  # 15 px at 100 dpi, shown at its natural size: readable from the back of a room
PLOT_TITLE_PT = 12.5  # 17 px
KEY_PLOT_SIZE = (8.85, 2.8)  # inches at DPI: 885 x 280 px, two of them beside the lesson column at 1280x720
OTHER_PLOT_SIZE = (6.2, 3.2)
PLOT_FONTS = {"font.size": PLOT_FONT_PT, "axes.titlesize": PLOT_TITLE_PT, "legend.fontsize": PLOT_FONT_PT}
FRAME_SECONDS = 0.2  # at most five redraws a second while playing
SPEED_DAYS_PER_SECOND = (5, 100, 50)  # slider range and default: a two-year lesson in under 15 s
STEP_DAYS = 7

PAGE_CSS = """
.v-application--wrap > div:first-child { padding: 0 !important; }
.servsim-page { padding: 6px 10px; font-size: 15px; line-height: 1.35; }
.servsim-page h2 { font-size: 19px; margin: 0; }
.servsim-page h3 { font-size: 17px; margin: 0 0 4px 0; }
.servsim-page p { margin: 0 0 6px 0; }
.servsim-lesson { width: 360px; min-width: 360px; }
.servsim-key-column { width: 885px; }
.servsim-small { font-size: 13px; color: #444; }
.servsim-worlds .v-btn { padding: 0 6px !important; letter-spacing: 0 !important; }
.servsim-question { background: #fff3cd; border-left: 5px solid #e67e22; padding: 6px 8px; margin: 4px 0; }
.servsim-plot img { display: block; }
.servsim-page .v-slider__thumb-container[aria-valuenow]::after {
    content: attr(aria-valuenow); position: absolute; top: 8px; left: 50%; transform: translateX(-50%);
    font-size: 12px; color: #555;
}
"""


# ------------------------------------------------------------------ drawing
def timeseries(model: ClassroomModel) -> pd.DataFrame:
    return pd.DataFrame(model.datacollector.model_vars)


def frame_of(model: ClassroomModel) -> panels.Frame:
    config = model.config
    return panels.Frame(
        days=config.days,
        window=model.firm.surprise.window(config.days),
        tolerance=config.customers.tolerance,
        starting_customers=model.starting_customers,
        reference_label=model.lesson.reference_label,
    )


def png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


class FramePainter:
    """Draws the frames of one plot while the lesson plays: the frame, ticks, titles and legend
    once per layout, then each frame only the data on top of them (blitting).

    The panel is built afresh each frame from the data (``sim/panels.py`` draws it), but
    only its data is rendered: the axes, whose limits move rarely, come from the saved
    background. A frame costs a third of a full drawing.
    """

    def __init__(self):
        self.layout = None
        self.background = None

    def png(self, fig: Figure) -> bytes:
        canvas = FigureCanvasAgg(fig)
        data = [artist for ax in fig.axes
                for artist in sorted((*ax.lines, *ax.collections, *ax.texts), key=lambda artist: artist.get_zorder())]
        legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
        layout = tuple((ax.get_xlim(), ax.get_ylim()) for ax in fig.axes) + tuple(
            tuple(text.get_text() for text in legend.get_texts()) for legend in legends)
        if layout != self.layout:
            for artist in data + legends:
                artist.set_visible(False)
            canvas.draw()
            self.background, self.layout = canvas.copy_from_bbox(fig.bbox), layout
            for artist in data + legends:
                artist.set_visible(True)
        else:
            canvas.get_renderer()
        canvas.restore_region(self.background)
        for artist in data + legends:  # legends last: they sit on top of the lines, as in a full drawing
            fig.draw_artist(artist)
        buffer = io.BytesIO()
        width, height = canvas.get_width_height()
        Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
            buffer, format="png", compress_level=1)
        return buffer.getvalue()


def panel_figure(name: str, model: ClassroomModel, size=KEY_PLOT_SIZE) -> Figure:
    """One shared panel of the run so far, with the reference run drawn up to the same day."""
    with model.lock:
        ts = timeseries(model)
    reference = model.reference_timeseries().iloc[: len(ts)]
    with matplotlib.rc_context(PLOT_FONTS):
        fig = Figure(figsize=size, dpi=DPI)
        ax = fig.subplots()
        fig.subplots_adjust(left=0.09, right=0.935, top=0.89, bottom=0.19)
        panels.PANELS[name](ax, ts, frame_of(model), reference)
    return fig


def people_figure(model: ClassroomModel) -> Figure:
    """A sample of the market, one square per person, coloured by what has happened to them."""
    with model.lock:
        status = model.sample.status(model.people)
        counts = model.sample.counts(model.people)
        day = model.day
    side = int(np.ceil(np.sqrt(status.size)))
    column, row = np.divmod(np.arange(status.size), side)
    colours = STATUS_PALETTE[status]
    left = np.isin(status, LEFT_STATUSES)
    with matplotlib.rc_context(PLOT_FONTS):
        fig = Figure(figsize=OTHER_PLOT_SIZE, dpi=DPI)
        grid_ax, legend_ax = fig.subplots(1, 2, width_ratios=[1.0, 1.1])
        fig.subplots_adjust(left=0.02, right=0.99, top=0.9, bottom=0.03, wspace=0.05)
        grid_ax.scatter(column[~left], row[~left], c=colours[~left], marker="s", s=30)
        grid_ax.scatter(column[left], row[left], c=colours[left], marker="x", s=25, linewidths=1.5)
        grid_ax.set_aspect("equal")
        grid_ax.axis("off")
        fig.suptitle(f"{status.size} people of the market, one square each (day {day})")
        handles = [
            Line2D([], [], ls="", marker="x" if code in LEFT_STATUSES else "s", color=colour, markersize=8, mew=2)
            for code, colour in enumerate(STATUS_PALETTE)
        ]
        labels = [f"{name} ({n})" for name, n in counts.items()]
        legend_ax.legend(handles, labels, loc="center left", frameon=False, handletextpad=0.3, borderaxespad=0)
        legend_ax.axis("off")
    return fig


def other_panels(model: ClassroomModel) -> list[str]:
    return [name for name in panels.PANELS if name not in model.lesson.key_panels]


@solara.component
def Plot(image: bytes, css_class: str = "servsim-plot"):
    with solara.Div(classes=[css_class]):
        solara.Image(image, format="png")


# ------------------------------------------------------------------ words
def describe_changes(changes: list[tuple[str, object]], world: str | None = None) -> str:
    place = f"Customers: {world}. " if world else ""
    if not changes:
        return place + "The lesson as set. Move a setting below, then press Restart with these settings."
    return place + "Changed from the lesson: " + "; ".join(describe_setting(key, value) for key, value in changes) + "."


@solara.component
def WorldButtons(lesson, world: str | None, on_world):
    """One button per behavioural world of the lesson: each restarts the run and its reference with those customers."""
    with solara.Row(gap="4px", classes=["servsim-worlds"], style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.v.Html(tag="b", children=["Customers:"])
        current = world or next((item.label for item in lesson.worlds if not item.settings), None)
        for item in lesson.worlds:
            solara.Button(item.label, on_click=lambda label=item.label: on_world(label), color="secondary",
                          outlined=item.label != current, small=True)


def _paragraph(heading: str, text: str, css_class: str = ""):
    return solara.v.Html(tag="p", class_=css_class, children=[solara.v.Html(tag="b", children=[heading + " "]), text])


# ------------------------------------------------------------------ the page
def advance(model: ClassroomModel, days: int) -> bool:
    """Step up to ``days`` days; stop early at the horizon or on a question day. True if it stopped early."""
    with model.lock:
        for _ in range(days):
            if not model.running or model.question():
                return True
            model.step()
        return not model.running or model.question() is not None


@solara.component
def Settings(lesson: str, draft: solara.Reactive[dict], on_apply):
    specs = control_specs(lesson)
    with solara.Card("Settings (applied when you press Restart with these settings)"):
        with solara.Row(style={"flex-wrap": "wrap"}):
            for control in CONTROLS:
                spec = specs[control.key]

                def set_value(value, key=control.key):
                    draft.value = {**draft.value, key: value}

                with solara.Div(style={"width": "300px", "height": "60px", "margin-right": "16px"}):
                    value = draft.value[control.key]
                    if spec["type"] == "Checkbox":
                        solara.Checkbox(label=spec["label"], value=value, on_value=set_value)
                    else:
                        slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
                        slider(spec["label"], value=value, min=spec["min"], max=spec["max"], step=spec["step"],
                               on_value=set_value, thumb_label=False)
        solara.Button("Restart with these settings", color="primary", on_click=on_apply, style={"margin-top": "12px"})


@solara.component
def DayCounter(model: ClassroomModel, shown_day: solara.Reactive[int]):
    solara.v.Html(tag="p", class_="servsim-day", children=[f"Day {shown_day.value} of {model.config.days}"])


@solara.component
def KeyPlots(model: ClassroomModel, shown_day: solara.Reactive[int]):
    """The lesson's two key plots: the only drawing done while the lesson plays."""
    shown_day.value  # read: each frame redraws them
    painters = solara.use_memo(lambda: {name: FramePainter() for name in model.lesson.key_panels}, dependencies=[model])
    with solara.Column(gap="4px"):
        for name, painter in painters.items():
            Plot(painter.png(panel_figure(name, model)), css_class=f"servsim-plot servsim-key-plot servsim-{name}")


@solara.component
def MorePlots(model: ClassroomModel, shown_day: solara.Reactive[int], playing: bool):
    """The picture of people and the other panels, below the fold.

    Drawn when the run pauses (so playing stays fast), in a thread of their own (so a
    question or the last day shows at once, without waiting for five more figures).
    """
    day = None if playing else shown_day.value  # read only when paused: frames while playing do not redraw them

    def draw():
        if day is None:
            return []
        return [png(people_figure(model)), *(png(panel_figure(name, model, OTHER_PLOT_SIZE)) for name in other_panels(model))]

    result = solara.use_thread(draw, dependencies=[model, day], intrusive_cancel=False)
    with solara.Row(style={"flex-wrap": "wrap"}) as row:
        if result.state == solara.ResultState.FINISHED:
            for image in result.value:
                Plot(image)
    return row


def use_play_loop(model: ClassroomModel, playing: solara.Reactive[bool], speed: solara.Reactive[int],
                  shown_day: solara.Reactive[int]) -> None:
    """While the lesson is on screen, a thread that, while playing, steps as many days as the speed and the clock say.

    Setting ``shown_day`` draws the frame in this thread (Solara renders where the state
    changes), so frames never queue up: the next one starts a frame's time after the last
    one started, or at once if drawing took longer, and the days it shows catch up with the clock.
    """

    def play_loop(cancel):
        last, owed, wait = time.perf_counter(), 0.0, FRAME_SECONDS
        while not cancel.wait(wait):
            now = time.perf_counter()
            if not playing.value:
                last, owed, wait = now, 0.0, FRAME_SECONDS
                continue
            owed += speed.value * (now - last)
            last = now
            days = int(owed)
            owed -= days
            stopped = advance(model, days)  # the end, or a question: show the day, then stop
            shown_day.value = model.day
            if stopped:
                playing.value = False
            wait = max(0.01, FRAME_SECONDS - (time.perf_counter() - now))

    solara.use_thread(play_loop, dependencies=[model], intrusive_cancel=False)


@solara.component
def Controls(model: ClassroomModel, playing: solara.Reactive[bool], speed: solara.Reactive[int],
             shown_day: solara.Reactive[int], on_restart):
    """The lesson's question when it has stopped for one, Play, a week's step, Start again, the day, the speed."""

    def step_week():
        advance(model, STEP_DAYS)
        shown_day.value = model.day

    def reveal():
        model.answered()
        playing.value = True

    shown_day.value  # read: a step onto a question day, or to the end, shows the question or greys Play
    question = model.question()
    with solara.Column(gap="4px") as controls:
        if question:
            with solara.Div(classes=["servsim-question"]):
                solara.v.Html(tag="p", children=[solara.v.Html(tag="b", children=[f"Day {model.day}. Predict: "]), question])
                solara.Button("Show what happens", color="warning", on_click=reveal)
        with solara.Row(gap="6px", style={"align-items": "center"}):
            solara.Button("❚❚ Pause" if playing.value else "▶ Play", color="primary",
                          on_click=lambda: playing.set(not playing.value),
                          disabled=not model.running or (question is not None and not playing.value))
            solara.Button("+1 week", on_click=step_week, disabled=playing.value or not model.running)
            solara.Button("Start again", on_click=on_restart)
        DayCounter(model, shown_day)
        solara.SliderInt("Speed (days per second)", value=speed, min=SPEED_DAYS_PER_SECOND[0],
                         max=SPEED_DAYS_PER_SECOND[1], step=5, thumb_label=False)
    return controls


@solara.component
def LessonView(lesson_name: str, on_lesson):
    """One lesson in one browser session: its model, the play loop, the page."""
    lesson = LESSONS[lesson_name]
    world, set_world = solara.use_state(None)  # one of the lesson's worlds, or None: the lesson as set

    def control_values(label: str | None) -> dict:
        return {key: spec["value"] for key, spec in control_specs(lesson_name, label).items() if key != "lesson"}

    defaults = control_values(None)
    draft = solara.use_reactive(defaults)
    applied, set_applied = solara.use_state(defaults)
    generation, set_generation = solara.use_state(0)
    model = solara.use_memo(lambda: ClassroomModel(lesson_name, world=world, **applied), dependencies=[generation])
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(SPEED_DAYS_PER_SECOND[2])
    shown_day = solara.use_reactive(0)  # the day on screen; setting it redraws the day counter and the plots
    use_play_loop(model, playing, speed, shown_day)

    def restart():
        playing.value = False
        set_applied(dict(draft.value))
        set_generation(generation + 1)
        shown_day.value = 0

    def try_next():
        draft.value = {**control_values(world), **lesson.try_settings}
        restart()

    def in_world(label: str):
        draft.value = control_values(label)
        set_world(label)
        restart()

    with solara.Column(classes=["servsim-page"], gap="4px"):
        with solara.Row(style={"align-items": "center"}, gap="6px"):
            solara.v.Html(tag="h2", children=["servsim classroom"])
            for name in LESSONS:
                solara.Button(name.replace("_", " "), on_click=lambda name=name: on_lesson(name),
                              color="primary", outlined=name != lesson_name, small=True)
        with solara.Row(gap="12px", style={"flex-wrap": "nowrap"}):
            with solara.Column(classes=["servsim-lesson"], gap="4px"):
                solara.v.Html(tag="h3", children=[lesson.title])
                solara.v.Html(tag="p", class_="servsim-watch", children=[lesson.watch])
                if lesson.worlds:
                    WorldButtons(lesson, model.world, in_world)
                Controls(model, playing, speed, shown_day, restart)
                with solara.Div(classes=["servsim-try"]):
                    _paragraph("Try next.", lesson.try_next)
                    solara.Button("Try it", color="success", small=True, on_click=try_next)
                solara.v.Html(tag="p", class_="servsim-small servsim-this-run",
                              children=[describe_changes(model.changes_from_lesson(), model.world)])
            with solara.Column(classes=["servsim-key-column"], gap="4px"):
                KeyPlots(model, shown_day)
                _paragraph("Why it happens.", lesson.why, "servsim-why")
        Settings(lesson_name, draft, restart)
        MorePlots(model, shown_day, playing.value)


@solara.component
def Page():
    lesson, set_lesson = solara.use_state(DEFAULT_LESSON)
    solara.Style(PAGE_CSS)
    solara.Title("servsim classroom")
    LessonView(lesson, set_lesson).key(f"lesson-{lesson}")


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"port must be a whole number from 1 to 65535, not {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> None:
    """Start the dashboard server on servsim's options (Solara's own stay hidden: a teacher needs three)."""
    parser = OneLineParser(
        prog="servsim-dashboard",
        description=f"The servsim classroom: {len(LESSONS)} lessons to play live, made for a projector (1280x720). "
        "Each browser that opens the page drives its own simulation.",
    )
    parser.add_argument("--host", default="localhost",
                        help="address to listen on (default localhost; 0.0.0.0 lets students on the network open it)")
    parser.add_argument("--port", type=_port, default=8765, help="port of the page (default 8765)")
    parser.add_argument("--no-open", action="store_true", help="do not open a browser window")
    args = parser.parse_args(argv)

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
    settings.theme.show_banner = False  # its corner badge would sit over the lesson text on a projector
    settings.theme.title = "servsim classroom"
    options = ["--host", args.host, "--port", str(args.port), *(["--no-open"] if args.no_open else [])]
    cli(["run", f"{__name__}:Page", "--production", "--no-check-version", *options], prog_name="servsim-dashboard")
