"""The lessons: presets, the words around them, and ``servsim-lesson``'s figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf
from PIL import Image

from sim.classroom import publish
from sim.classroom.lessons import LESSONS, lesson_settings, read_lesson, reference_settings
from sim.classroom.model import CONTROL_LABELS
from sim.classroom.slides import BARS, lesson_runs, main
from sim.panels import PANELS
from sim.config import CONFIG_DIR, compose
from sim.params import ConfigError, validate

PRESETS = sorted(p.stem for p in (Path(CONFIG_DIR) / "lesson").glob("*.yaml"))


def test_the_contracted_lessons_exist_with_words_and_a_figure():
    assert {"trap", "promise", "recovery", "iceberg", "reliability_chain"} <= set(PRESETS)
    assert set(PRESETS) == set(LESSONS)
    assert [lesson.number for lesson in LESSONS.values()] == list(range(1, len(LESSONS) + 1))
    for lesson in LESSONS.values():
        assert lesson.title and lesson.watch and lesson.why and lesson.try_next and lesson.reference_label
        assert set(lesson.key_panels) <= set(PANELS) and len(lesson.key_panels) == 2
        assert set(lesson.figure) <= set(PANELS) | set(BARS) and len(lesson.figure) == 4
        assert all(0 < day < validate(lesson_settings(lesson.name)).days for day, _ in lesson.predict)
        assert set(lesson.try_settings) <= set(CONTROL_LABELS), "the Try it change must be a setting on the page"


def test_the_presets_and_the_guide_are_written_from_the_lesson_yamls():
    """`python -m sim.classroom.publish` has been run since the last edit of a lesson's YAML."""
    assert publish.stale(publish.outputs()) == []


def test_the_guide_has_a_generated_block_for_every_lesson_holding_its_words():
    guide = publish.GUIDE.read_text()
    for name, lesson in LESSONS.items():
        block = guide.split(publish.BEGIN.format(f"lesson {name}"))[1].split(publish.END.format(f"lesson {name}"))[0]
        assert lesson.watch in block and lesson.why in block and f"(lessons/{name}.png)" in block
        assert all(question in block for _, question in lesson.predict)


def test_a_guide_without_a_lessons_markers_is_refused_naming_them():
    with pytest.raises(SystemExit, match="has no block for 'lesson trap'"):
        publish.filled_guide(publish.GUIDE.read_text().replace(publish.BEGIN.format("lesson trap"), ""))


def test_a_lesson_yaml_with_a_wrong_field_or_setting_is_refused_naming_the_file(tmp_path):
    source = (publish.ROOT / "sim" / "classroom" / "syllabus" / "trap.yaml").read_text()
    broken = tmp_path / "trap.yaml"
    broken.write_text(source.replace("why:", "reason:"))
    with pytest.raises(ConfigError, match=r"trap.yaml: missing fields \['why'\], unknown fields \['reason'\]"):
        read_lesson(broken)
    broken.write_text(source.replace("firm.surprise.regress: false", "firm.surprise.regres: false"))
    with pytest.raises(ConfigError, match="trap.yaml: try_next: .*firm.surprise.regres"):
        read_lesson(broken)


@pytest.mark.parametrize("name", PRESETS)
def test_lesson_settings_are_what_the_command_line_composes(name):
    config = compose(lesson=name)
    assert config == validate(lesson_settings(name))
    assert config.description.startswith(f"Lesson {name}:")


@pytest.mark.parametrize("name", PRESETS)
def test_every_reference_is_valid_and_differs_from_the_lesson_only_in_its_policy(name):
    lesson = LESSONS[name]
    settings = lesson_settings(name)
    reference = validate(reference_settings(lesson, settings))
    assert reference != validate(settings)
    assert reference.seed == validate(settings).seed and reference.days == validate(settings).days


def test_the_promise_reference_follows_the_delivered_quality():
    settings = lesson_settings("promise")
    settings["firm"]["quality"] = 6.2
    assert validate(reference_settings(LESSONS["promise"], settings)).firm.promise == 6.2


def test_the_presets_set_what_their_lessons_say():
    trap = validate(lesson_settings("trap")).firm.surprise
    assert trap.length > 0 and trap.size > 0 and trap.regress
    assert validate(lesson_settings("promise")).firm.promise > validate(lesson_settings("promise")).firm.quality
    chain = validate(lesson_settings("reliability_chain")).firm
    assert round(chain.step_reliability**chain.chain_steps, 2) == 0.77
    recovery = validate(lesson_settings("recovery")).recovery
    assert recovery.staff == 1 and recovery.on_the_spot == 0.0


def test_the_lesson_and_its_reference_share_their_dice_until_they_differ():
    """Same seed: before the trap's surprise starts, the lesson and the never-surprised firm are one run."""
    lesson, reference = lesson_runs(LESSONS["trap"], customers=600, seed=4)
    start = lesson.config.firm.surprise.start
    assert reference.timeseries.iloc[:start].equals(lesson.timeseries.iloc[:start])
    assert not reference.timeseries.iloc[start:].equals(lesson.timeseries.iloc[start:])


def test_servsim_lesson_writes_png_and_pdf(tmp_path, capsys):
    main(["iceberg", "--customers", "500", "--seed", "2", "--out", str(tmp_path), "--formats", "png,pdf"])
    png, pdf = tmp_path / "iceberg.png", tmp_path / "iceberg.pdf"
    assert capsys.readouterr().out.split() == [str(png), str(pdf)]
    with Image.open(png) as picture:
        assert picture.format == "PNG" and picture.size == (1330, 820)
    assert pdf.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["nap"], "servsim-lesson: unknown lesson 'nap': choose one of trap, promise, recovery, iceberg, reliability_chain"),
        (["trap", "--formats", "gif"], "servsim-lesson: argument --formats: formats must be"),
        (["trap", "--customers", "5"], "servsim-lesson: invalid setting: market.customers = 5 is outside the allowed range"),
        (["trap", "--seed", "x"], "servsim-lesson: argument --seed: invalid int value: 'x'"),
        ([], "servsim-lesson: the following arguments are required: lesson"),
    ],
)
def test_bad_input_gets_one_line(argv, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--out", str(tmp_path)])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(message), error
    assert not list(tmp_path.iterdir())


def test_servsim_runs_a_lesson_from_the_command_line(tmp_path):
    from tests.test_cli import servsim

    result = servsim(tmp_path, "lesson=trap", "market.customers=300", "days=120", "output.figures=false")
    assert result.returncode == 0, result.stderr
    assert "scenario 'trap'" in result.stdout and "Preset scenario 'baseline' with lesson 'trap' sets:" in result.stdout
    # the lesson's description speaks of a fall back 240 days in: a 120-day run never shows it, so it is left out
    assert "Lesson trap:" not in result.stdout and "you changed days" in result.stdout
    written = validate(OmegaConf.load(tmp_path / "config.yaml"))
    assert written.firm.surprise.length == 150 and written.days == 120
