"""The classroom lessons, each read from one YAML file: ``sim/classroom/syllabus/NAME.yaml``.

A lesson's file holds everything the lesson is: its place in the syllabus, its
title, the run (``settings``: the parameters of ``servsim lesson=NAME``), what to
watch and why it happens, the one change to try next, its counterfactual (the
reference run: the same seed and dice with one policy changed, drawn as a grey
line), the two plots that tell it, the days on which it stops for the class to
predict, the four panels of its figure for slides, and, optionally, the
behavioural worlds in which to replay the same decision. The dashboard, the slides
(``servsim-lesson``) and the teacher's guide read it from here; the Hydra preset
``configs/lesson/NAME.yaml`` and the guide's generated blocks are written from it
(``python -m sim.classroom.publish``), and a test keeps them equal. Adding a
lesson is one YAML file and its teacher's note in docs/teaching.md.

``lesson_settings`` composes the preset exactly as the command line does, so the
dashboard, the slides and ``servsim lesson=NAME`` all run the same numbers.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import yaml
from omegaconf import OmegaConf

from sim.params import ConfigError, check_setting

SYLLABUS_DIR = Path(__file__).resolve().parent / "syllabus"
FIELDS = ("number", "title", "settings", "watch", "why", "try_next", "reference", "key_panels", "predict", "figure")
OPTIONAL_FIELDS = ("worlds",)
WORLD_FIELDS = ("label", "settings", "shows")


@dataclass(frozen=True)
class World:
    """One behaviour of customers under which a lesson replays its decision (its run and its reference alike).

    The same choice can win with one kind of customer and lose with another: a lesson
    with worlds shows it by rerunning both policies with these behavioural settings.
    """

    label: str  # the world in a few words (its button)
    settings: dict  # dotted settings laid over the lesson's, for the run and its reference
    shows: str  # what the decision does in this world, from runs of it


@dataclass(frozen=True)
class Follow:
    """A reference setting that copies another setting of the run (e.g. the promise follows the quality)."""

    key: str


@dataclass(frozen=True)
class Lesson:
    name: str
    number: int  # its place in the syllabus
    title: str
    settings: dict  # the run's parameters, as the Hydra preset sets them
    watch: str  # what to look at on the screen, in the order it happens
    why: str  # the idea from the theory (MODEL.md §1) that makes it happen
    try_next: str  # one change for the class to make, and what it will show
    try_settings: dict  # that change, as dotted settings: the dashboard's "Try it" button applies them
    reference_label: str  # what the counterfactual is, in a few words (the grey line's name)
    reference: dict  # dotted overrides that turn the lesson's run into its counterfactual
    key_panels: tuple[str, str]  # the two plots of sim/panels.py that tell the lesson
    predict: tuple[tuple[int, str], ...]  # (day, question): the run stops there for the class to predict
    figure: tuple[str, str, str, str]  # the slide's four panels (sim/panels.py, or the slides' bar charts)
    worlds: tuple[World, ...] = ()  # behavioural worlds to replay the decision in (none: the lesson's one world)


def _reference_value(value):
    return Follow(value["follow"]) if isinstance(value, dict) and set(value) == {"follow"} else value


def _checked_settings(path: Path, field: str, settings: dict) -> dict:
    """Dotted settings, each checked against the schema (a wrong key fails here, naming the file)."""
    for key, value in settings.items():
        if isinstance(value, Follow):
            continue  # its value is the run's: the reference's tests validate it whole
        try:
            check_setting(key, value)
        except ConfigError as error:
            raise ConfigError(f"{path}: {field}: {error}") from None
    return settings


def _fields_checked(path: Path, where: str, what: str, data: dict, required: tuple, optional: tuple = ()) -> None:
    """Refuse a missing or unknown field, naming the file, the place in it, and the fields allowed."""
    missing, unknown = [f for f in required if f not in data], [f for f in data if f not in required + optional]
    if missing or unknown:
        allowed = ", ".join(required) + (f" (and optionally {', '.join(optional)})" if optional else "")
        raise ConfigError(f"{path}: {where}missing fields {missing}, unknown fields {unknown}; {what} has {allowed}")


def _worlds(path: Path, items: list) -> tuple[World, ...]:
    """The lesson's worlds, each with a label, settings that are settings, and its words; labels differ."""
    if not isinstance(items, list) or len(items) < 2:
        raise ConfigError(f"{path}: worlds: a list of at least 2 worlds, not {items!r}")
    worlds = []
    for i, item in enumerate(items):
        where = f"worlds[{i}]: "
        _fields_checked(path, where, "a world", item if isinstance(item, dict) else {}, WORLD_FIELDS)
        worlds.append(World(item["label"], _checked_settings(path, f"worlds[{i}]", dict(item["settings"] or {})), item["shows"]))
    labels = [world.label for world in worlds]
    if len(set(labels)) < len(labels):
        raise ConfigError(f"{path}: worlds: two worlds share a label ({labels}); each button needs its own")
    return tuple(worlds)


def read_lesson(path: Path) -> Lesson:
    """One lesson from its YAML file; a missing or unknown field is named with the file."""
    data = yaml.safe_load(path.read_text())
    _fields_checked(path, "", "a lesson", data, FIELDS, OPTIONAL_FIELDS)
    reference = {key: _reference_value(value) for key, value in data["reference"]["settings"].items()}
    worlds = _worlds(path, data["worlds"]) if "worlds" in data else ()
    deciding = [key for world in worlds for key in world.settings if key in reference]
    if deciding:
        raise ConfigError(f"{path}: worlds: {deciding} set the decision the reference changes; a world sets how customers "
                          "behave and leaves the decision to the lesson")
    return Lesson(
        name=path.stem,
        number=int(data["number"]),
        title=data["title"],
        settings=data["settings"],
        watch=data["watch"],
        why=data["why"],
        try_next=data["try_next"]["text"],
        try_settings=_checked_settings(path, "try_next", dict(data["try_next"]["settings"])),
        reference_label=data["reference"]["label"],
        reference=_checked_settings(path, "reference", reference),
        key_panels=tuple(data["key_panels"]),
        predict=tuple((int(item["day"]), item["question"]) for item in data["predict"]),
        figure=tuple(data["figure"]),
        worlds=worlds,
    )


def read_syllabus(directory: Path = SYLLABUS_DIR) -> dict[str, Lesson]:
    """Every lesson of the syllabus, in its order."""
    lessons = sorted((read_lesson(path) for path in directory.glob("*.yaml")), key=lambda lesson: lesson.number)
    return {lesson.name: lesson for lesson in lessons}


LESSONS: dict[str, Lesson] = read_syllabus()


def with_setting(tree: dict, key: str, value) -> None:
    """Set a dotted key of a nested settings tree, in place."""
    config = OmegaConf.create(tree)
    OmegaConf.update(config, key, value)
    tree.update(OmegaConf.to_container(config))


def setting(tree: dict, key: str):
    """The value at a dotted key of a nested settings tree."""
    return OmegaConf.select(OmegaConf.create(tree), key)


def world_settings(lesson: Lesson, label: str | None, settings: dict) -> dict:
    """A run's settings in one of the lesson's worlds (None: as the lesson sets them); an unknown label is refused."""
    if label is None:
        return settings
    worlds = {world.label: world for world in lesson.worlds}
    if label not in worlds:
        raise ConfigError(f"world = {label!r} is not a world of lesson {lesson.name!r}: expected one of {list(worlds) or 'none'}")
    placed = copy.deepcopy(settings)
    for key, value in worlds[label].settings.items():
        with_setting(placed, key, value)
    return placed


def reference_settings(lesson: Lesson, settings: dict) -> dict:
    """The counterfactual of a run: its settings (seed included) with the lesson's reference policy."""
    reference = copy.deepcopy(settings)
    for key, value in lesson.reference.items():
        with_setting(reference, key, setting(settings, value.key) if isinstance(value, Follow) else value)
    return reference


def lesson_settings(name: str) -> dict:
    """The lesson's full parameter tree, composed as ``servsim lesson=NAME`` composes it."""
    from sim.config import preset_tree

    return preset_tree(lesson=name)  # refuses an unknown lesson with the one-line configuration error
