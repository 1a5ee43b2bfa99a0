"""The lessons: presets, the words around them, and ``servsim-lesson``'s figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf
from PIL import Image

from sim.classroom import publish
from sim.classroom.lessons import LESSONS, lesson_settings, read_lesson, reference_settings, world_settings
from sim.classroom.model import CONTROL_LABELS
from sim.classroom.slides import BARS, WORLD_BARS, lesson_runs, main
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
        assert set(lesson.figure) <= set(PANELS) | set(BARS) | (set(WORLD_BARS) if lesson.worlds else set())
        assert len(lesson.figure) == 4
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


WORLDS_LESSON = publish.ROOT / "sim" / "classroom" / "syllabus" / "three_worlds.yaml"


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("    shows: >-", "    said: >-", r"worlds\[0\]: missing fields \['shows'\], unknown fields \['said'\]; a world has label"),
        ("customers.grievance_weight: 0.5", "customers.grievance_wait: 0.5", r"worlds\[1\]: .*customers.grievance_wait"),
        ("customers.tolerance: 0.3", "customers.tolerance: -1.0", r"worlds\[2\]: .*customers.tolerance"),
        ("label: forgiving", "label: default", r"worlds: two worlds share a label \(\[.default., .default., .grudging.\]\)"),
        ("customers.negativity_bias: 1.0", "firm.promise: 7.0", r"worlds: \['firm.promise'\] set the decision the reference changes"),
        ("\nworlds:", "\nmondes:", r"missing fields \[\], unknown fields \['mondes'\]; a lesson has .* \(and optionally worlds\)"),
    ],
)
def test_a_lesson_with_a_wrong_world_is_refused_naming_the_file_and_the_world(tmp_path, old, new, message):
    broken = tmp_path / "three_worlds.yaml"
    assert old in WORLDS_LESSON.read_text()
    broken.write_text(WORLDS_LESSON.read_text().replace(old, new, 1))
    with pytest.raises(ConfigError, match="three_worlds.yaml: " + message):
        read_lesson(broken)


def test_a_lesson_with_one_world_is_refused(tmp_path):
    broken = tmp_path / "three_worlds.yaml"
    broken.write_text(WORLDS_LESSON.read_text().split("  - label: forgiving")[0])
    with pytest.raises(ConfigError, match="worlds: a list of at least 2 worlds"):
        read_lesson(broken)


def test_a_world_lays_its_settings_over_the_run_and_its_reference_alike():
    lesson = LESSONS["three_worlds"]
    for world in lesson.worlds:
        run = validate(world_settings(lesson, world.label, lesson_settings(lesson.name)))
        reference = validate(reference_settings(lesson, world_settings(lesson, world.label, lesson_settings(lesson.name))))
        for key, value in world.settings.items():
            assert OmegaConf.select(OmegaConf.structured(run), key) == value
            assert OmegaConf.select(OmegaConf.structured(reference), key) == value
        assert (run.firm.promise, reference.firm.promise) == (8.0, run.firm.quality)
        assert reference.customers == run.customers and reference.seed == run.seed
    with pytest.raises(ConfigError, match="world = 'kind' is not a world of lesson 'three_worlds': expected one of"):
        world_settings(lesson, "kind", lesson_settings(lesson.name))
    with pytest.raises(ConfigError, match="is not a world of lesson 'trap': expected one of none"):
        world_settings(LESSONS["trap"], "default", lesson_settings("trap"))


def test_the_bold_promise_wins_only_among_forgiving_customers():
    """What the lesson's worlds say, on seeds 0 and 1 at the lesson's size: the sign of profit's difference
    flips between worlds, and grudge holders make the default's loss larger (all 10 runs of seeds 0-4 agree)."""
    lesson = LESSONS["three_worlds"]
    gains = {world.label: [] for world in lesson.worlds}
    for world in lesson.worlds:
        for seed in (0, 1):
            run, reference = lesson_runs(lesson, customers=None, seed=seed, world=world.label)
            gains[world.label].append(run.summary["profit"] - reference.summary["profit"])
    assert all(gain > 0 for gain in gains["forgiving"]), gains
    assert all(gain < 0 for gain in gains["default"] + gains["grudging"]), gains
    assert max(gains["grudging"]) < 2 * min(gains["default"]), gains


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
