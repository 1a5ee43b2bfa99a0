"""The dashboard's model logic, without a browser: controls, the classroom model, the people picture."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mesa.visualization.solara_viz import _check_model_params

from agents.population import RESOLVED, SILENT, UNRESOLVED, Population
from sim.classroom.model import (
    CONTROLS,
    KEPT_QUIET,
    LEFT_AFTER_COMPLAINT,
    LEFT_QUIETLY,
    NO_PROBLEM_YET,
    NOT_RECOVERED,
    RECOVERED,
    STATUSES,
    WAITING,
    WITH_COMPETITOR,
    ClassroomModel,
    CustomerSample,
    control_range,
    control_specs,
    schema_field,
)
from sim.classroom.lessons import LESSONS, lesson_settings
from sim.params import ConfigError, validate

SMALL = {"market.customers": 1000}


def test_every_control_range_lies_inside_the_schema_range():
    for control in CONTROLS:
        meta = schema_field(control.key).metadata
        if isinstance(schema_field(control.key).default, bool):
            continue
        low, high = control_range(control)
        assert low is not None and high is not None, control.key
        assert meta["low"] is None or low >= meta["low"], control.key
        assert meta["high"] is None or high <= meta["high"], control.key
        assert low < high, control.key


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_controls_start_at_the_lessons_values(lesson):
    specs = control_specs(lesson)
    settings = lesson_settings(lesson)
    assert specs["lesson"] == lesson
    for control in CONTROLS:
        spec = specs[control.key]
        value = settings
        for part in control.key.split("."):
            value = value[part]
        assert spec["value"] == value, control.key
        if spec["type"] == "Checkbox":
            assert isinstance(value, bool)
        else:
            assert spec["min"] <= value <= spec["max"], control.key
            assert spec["type"] == ("SliderInt" if schema_field(control.key).metadata["integer"] else "SliderFloat")


def test_mesa_accepts_the_controls_as_model_parameters():
    _check_model_params(ClassroomModel.__init__, control_specs("trap"))


def test_the_controls_default_values_rebuild_the_lesson_exactly():
    """What Mesa's Reset does with untouched controls: ClassroomModel(lesson=..., **values)."""
    specs = control_specs("recovery")
    values = {key: spec["value"] if isinstance(spec, dict) else spec for key, spec in specs.items()}
    model = ClassroomModel(**values)
    expected = lesson_settings("recovery")
    expected["output"]["progress"] = False
    assert model.config == validate(expected)
    assert model.changes_from_lesson() == []


def test_control_values_override_the_lesson():
    model = ClassroomModel("promise", **{"firm.promise": 6.0, "recovery.apology": False, **SMALL})
    assert model.config.firm.promise == 6.0
    assert model.config.recovery.apology is False
    assert model.config.days == lesson_settings("promise")["days"]
    assert model.changes_from_lesson() == [("firm.promise", 6.0), ("recovery.apology", False), ("market.customers", 1000)]
    from sim.classroom.dashboard import describe_changes

    assert describe_changes(model.changes_from_lesson()) == (
        "Changed from the lesson: Promise (0-10) = 6; Apologise: no; People in the market = 1000.")


def test_an_out_of_range_control_value_is_refused():
    with pytest.raises(ConfigError, match="firm.promise"):
        ClassroomModel("trap", **{"firm.promise": 11.0})


def test_an_unknown_lesson_is_refused():
    with pytest.raises(ConfigError, match="lesson = 'nap' is not allowed: expected one of"):
        ClassroomModel("nap")


def test_the_model_stops_at_the_lessons_horizon():
    model = ClassroomModel("iceberg", days=5, **SMALL)
    for _ in range(4):
        model.step()
        assert model.running
    model.step()
    assert not model.running
    assert len(model.datacollector.model_vars["day"]) == 5


def test_two_models_of_one_lesson_are_independent():
    first, second = ClassroomModel("trap", **SMALL), ClassroomModel("trap", **SMALL)
    for _ in range(10):
        first.step()
    assert second.day == 0 and len(second.datacollector.model_vars["day"]) == 0
    assert not np.shares_memory(first.people.satisfaction, second.people.satisfaction)


def _people(**columns) -> Population:
    size = len(next(iter(columns.values())))
    people = Population(size)
    for name, values in columns.items():
        getattr(people, name)[:] = values
    return people


def test_status_tells_what_happened_to_each_person():
    #            0      1      2      3       4       5         6            7
    people = _people(
        with_firm=[True, True, True, True, True, True, True, False],
        history=[0, SILENT, UNRESOLVED, RESOLVED, 0, SILENT, UNRESOLVED, 0],
        complaint_pending=[False, False, False, False, True, False, False, False],
    )
    sample = CustomerSample(people, size=8)
    assert sample.index.tolist() == list(range(8))
    people.with_firm[[5, 6]] = False  # person 5 leaves in silence, person 6 after a complaint
    sample.observe(people)
    assert sample.status(people).tolist() == [
        NO_PROBLEM_YET,
        KEPT_QUIET,
        NOT_RECOVERED,
        RECOVERED,
        WAITING,
        LEFT_QUIETLY,
        LEFT_AFTER_COMPLAINT,
        WITH_COMPETITOR,
    ]


def test_a_newcomer_who_leaves_counts_as_left_not_as_never_came():
    people = _people(with_firm=[False], history=[SILENT], complaint_pending=[False])
    sample = CustomerSample(people, size=1)
    people.with_firm[0] = True
    sample.observe(people)
    people.with_firm[0] = False
    sample.observe(people)
    assert sample.status(people).tolist() == [LEFT_QUIETLY]


def test_the_sample_follows_real_people_through_a_run():
    model = ClassroomModel("recovery", **SMALL)
    for _ in range(120):
        model.step()
    sample, people = model.sample, model.people
    status = sample.status(people)
    counts = model.sample.counts(people)
    assert list(counts) == list(STATUSES) and sum(counts.values()) == sample.index.size == 400
    starters_gone = people.starting_customer[sample.index] & ~people.with_firm[sample.index]
    assert starters_gone.any()
    assert np.isin(status[starters_gone], (LEFT_QUIETLY, LEFT_AFTER_COMPLAINT)).all()
    customers = people.with_firm[sample.index]
    assert not np.isin(status[customers], (LEFT_QUIETLY, LEFT_AFTER_COMPLAINT, WITH_COMPETITOR)).any()
    assert counts["complaint waiting"] == int(people.complaint_pending[sample.index].sum())


def test_every_plot_draws_before_the_first_step_and_after():
    from sim.classroom.dashboard import other_panels, panel_figure, people_figure

    model = ClassroomModel("trap", **SMALL)
    names = [*model.lesson.key_panels, *other_panels(model)]
    for name in names:
        panel_figure(name, model)
    for _ in range(30):
        model.step()
    for name in names:
        panel_figure(name, model)
    legend = people_figure(model).axes[1].get_legend()
    shown = {text.get_text().rsplit(" (", 1)[0]: int(text.get_text().rsplit("(", 1)[1].rstrip(")")) for text in legend.get_texts()}
    assert shown == model.sample.counts(model.people)


def test_the_key_plots_draw_the_reference_run_up_to_today_with_the_difference():
    from sim.classroom.dashboard import panel_figure
    from sim.panels import REFERENCE_COLOUR

    model = ClassroomModel("trap", **SMALL)
    for _ in range(120):
        model.step()
    fig = panel_figure("attitudes", model)
    ax = fig.axes[0]
    grey = [line for line in ax.get_lines() if line.get_color() == REFERENCE_COLOUR]
    assert len(grey) == 1 and len(grey[0].get_xdata()) == 120
    # the label sits on the trust axes (drawn last, so the trust lines do not cross it)
    assert any("vs never surprised" in text.get_text() for axes in fig.axes for text in axes.texts)


def test_plot_text_is_at_least_12_pixels_on_screen():
    """The page shows plots at their natural size, so a font's pixels are its points x dpi / 72."""
    from matplotlib.text import Text

    from sim.classroom.dashboard import DPI, panel_figure, people_figure

    model = ClassroomModel("recovery", **SMALL)
    for _ in range(30):
        model.step()
    figures = [panel_figure(name, model) for name in ("expectation", "outcome_mix", "iceberg", "retention",
                                                     "attitudes", "money")] + [people_figure(model)]
    for fig in figures:
        fig.canvas.draw()
        sizes = [text.get_fontsize() * DPI / 72 for text in fig.findobj(Text) if text.get_text() and text.get_visible()]
        assert min(sizes) >= 12


def test_a_run_stops_on_its_question_day_until_answered():
    from sim.classroom.dashboard import advance

    model = ClassroomModel("trap", **SMALL)
    question_day = model.lesson.predict[0][0]
    assert advance(model, question_day + 50) is True
    assert model.day == question_day and model.question()
    assert advance(model, 5) is True and model.day == question_day
    model.answered()
    assert advance(model, 5) is False and model.day == question_day + 5


def test_a_blitted_frame_looks_like_a_full_drawing():
    """The play loop draws only the data on a saved background; the picture must be the one a full drawing gives."""
    import io

    from PIL import Image, ImageChops

    from sim.classroom.dashboard import FramePainter, panel_figure, png

    model = ClassroomModel("trap", **SMALL)
    painter = FramePainter()
    for _ in range(150):
        model.step()
    painter.png(panel_figure("expectation", model))  # the layout of day 150
    layout = painter.layout
    model.step()
    fig = panel_figure("expectation", model)
    blitted, full = (Image.open(io.BytesIO(image)).convert("RGB") for image in (painter.png(fig), png(fig)))
    assert painter.layout is layout, "day 151 should reuse day 150's background"
    assert blitted.size == full.size
    difference = ImageChops.difference(blitted, full).convert("L")
    assert (np.asarray(difference) > 40).sum() < 0.002 * blitted.size[0] * blitted.size[1]


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_every_slider_can_show_the_lessons_value(lesson):
    """A slider shows only min + k x step: a lesson value off that grid is shown (and restarted) as its neighbour."""
    for key, spec in control_specs(lesson).items():
        if isinstance(spec, dict) and spec["type"] != "Checkbox":
            steps = (spec["value"] - spec["min"]) / spec["step"]
            assert abs(steps - round(steps)) < 1e-6, f"{key} = {spec['value']} is off the grid of its slider"


def test_every_line_of_every_plot_is_named_in_a_legend():
    """On a projector a line nobody can name is noise: each data line, and each surprise edge, has a legend entry.

    Zero lines (drawn across the axes, explained by the axis label) are the only lines left unnamed."""
    from sim.classroom.dashboard import panel_figure
    from sim.panels import PANELS

    for lesson in ("trap", "recovery"):  # the trap has the surprise, recovery the desk's queue
        model = ClassroomModel(lesson, **SMALL)
        for _ in range(250):
            model.step()
        for name in PANELS:
            fig = panel_figure(name, model)
            named = {text.get_text() for ax in fig.axes if ax.get_legend() for text in ax.get_legend().get_texts()}
            for ax in fig.axes:
                for line in ax.get_lines():
                    if line.get_transform() == ax.get_yaxis_transform() or line.get_transform() == ax.transAxes:
                        continue  # a zero line, or the two slashes of an axis break
                    assert line.get_label() in named, f"{lesson} {name}: an unnamed line ({line.get_color()})"


def test_the_traps_dip_is_labelled_at_its_depth_and_day():
    from sim.classroom.dashboard import panel_figure
    from sim.panels import weekly

    model = ClassroomModel("trap", **{"market.customers": 3000})
    while model.day < 330:
        model.step()
    satisfaction = weekly(pd.DataFrame(model.datacollector.model_vars)["mean_satisfaction"])
    lowest = int(satisfaction.idxmin())
    labels = [text.get_text() for ax in panel_figure("attitudes", model).axes for text in ax.texts]
    assert f"lowest {satisfaction[lowest]:+.2f}, day {lowest + 1}" in labels
    surprise_ends = model.config.firm.surprise.start + model.config.firm.surprise.length
    assert surprise_ends < lowest + 1 < 330, "the dip comes after the surprise ends"
    never_surprised = weekly(model.reference_timeseries()["mean_satisfaction"])
    assert satisfaction[lowest] < never_surprised.min()


def test_the_dashboards_run_is_the_command_lines_run(tmp_path):
    """A lesson played to its end in the dashboard gives, day by day, the numbers `servsim lesson=NAME` writes."""
    from tests.test_cli import servsim

    settings = {"market.customers": 1500, "days": 120, "firm.promise": 7.5}
    model = ClassroomModel("trap", **settings)
    while model.running:
        model.step()
    shown = pd.DataFrame(model.datacollector.model_vars)
    result = servsim(tmp_path, "lesson=trap", *(f"{key}={value}" for key, value in settings.items()),
                     "output.figures=false")
    assert result.returncode == 0, result.stderr
    written = pd.read_csv(tmp_path / "timeseries.csv")
    assert list(written.columns) == list(shown.columns) and len(written) == len(shown) == 120
    for column in written.columns:
        if pd.api.types.is_integer_dtype(written[column]):
            assert (written[column] == shown[column]).all(), column  # counts: to the unit
        else:
            np.testing.assert_allclose(written[column], shown[column], rtol=1e-5, atol=1e-9, err_msg=column)  # %.6g


def test_servsim_dashboard_help_describes_servsims_options(capsys):
    from sim.classroom.dashboard import main

    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: servsim-dashboard [-h] [--host HOST] [--port PORT] [--no-open]")
    assert f"{len(LESSONS)} lessons" in text and "solara" not in text.lower()


@pytest.mark.parametrize("argv, message", [
    (["--port", "70000"], "servsim-dashboard: argument --port: port must be a whole number from 1 to 65535, not '70000'"),
    (["--colour", "red"], "servsim-dashboard: unrecognized arguments: --colour red"),
])
def test_servsim_dashboard_refuses_bad_options_in_one_line(argv, message, capsys):
    from sim.classroom.dashboard import main

    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(message), error


def test_the_classroom_reaches_the_firm_only_through_the_model():
    """sim/classroom wires the model (sim/), it does not reach past it into the firm's rules."""
    import ast
    from pathlib import Path

    import sim.classroom

    for path in Path(sim.classroom.__file__).parent.glob("*.py"):
        imported = [node.module for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ImportFrom)]
        assert "agents.firm" not in imported, path.name


def test_a_world_reaches_the_model_and_its_reference_and_is_named_under_try_it():
    from sim.classroom.dashboard import describe_changes

    world = LESSONS["three_worlds"].worlds[1]
    model = ClassroomModel("three_worlds", world=world.label, **{"firm.promise": 7.5, **SMALL})
    for config in (model.config, model.reference_config):
        assert {key: getattr(config.customers, key.split(".")[1]) for key in world.settings} == world.settings
    assert (model.config.firm.promise, model.reference_config.firm.promise) == (7.5, model.config.firm.quality)
    assert model.changes_from_lesson() == [("firm.promise", 7.5), ("market.customers", 1000)]
    assert describe_changes(model.changes_from_lesson(), model.world).startswith(
        f"Customers: {world.label}. Changed from the lesson: Promise (0-10) = 7.5;")
    as_set = ClassroomModel("three_worlds", world=world.label)
    assert as_set.changes_from_lesson() == [] and describe_changes([], world.label).startswith(
        f"Customers: {world.label}. The lesson as set.")


def test_an_unknown_world_is_refused():
    with pytest.raises(ConfigError, match="world = 'kind' is not a world of lesson 'three_worlds'"):
        ClassroomModel("three_worlds", world="kind")


def test_a_world_that_sets_an_on_screen_parameter_moves_its_control(monkeypatch):
    """The page restarts with the controls' values: a world's value of a control must be the control's, or it is lost."""
    import dataclasses

    from sim.classroom.lessons import World

    lesson = LESSONS["three_worlds"]
    averse = World("loss averse", {"customers.loss_aversion": 4.0}, "a test world")
    monkeypatch.setitem(LESSONS, "three_worlds", dataclasses.replace(lesson, worlds=(*lesson.worlds, averse)))
    values = {key: spec["value"] for key, spec in control_specs("three_worlds", averse.label).items() if key != "lesson"}
    assert values["customers.loss_aversion"] == 4.0
    assert control_specs("three_worlds")["customers.loss_aversion"]["value"] == 2.25
    model = ClassroomModel("three_worlds", world=averse.label, **values)
    assert model.config.customers.loss_aversion == model.reference_config.customers.loss_aversion == 4.0
    assert model.changes_from_lesson() == []
