"""Write what the lesson YAMLs decide: the Hydra presets and the generated blocks of docs/teaching.md.

    python -m sim.classroom.publish          rewrite configs/lesson/*.yaml and the guide's blocks
    python -m sim.classroom.publish --check  exit 1, naming each stale file, if either is out of date

Each lesson's file (``sim/classroom/syllabus/NAME.yaml``) is the one place its
words and settings are written. Hydra reads its presets from ``configs/lesson/``
and cannot skip the words, so the preset is written from the lesson's
``settings``. In the teacher's guide the story around each lesson is the
teacher's own; between a lesson's two markers the page shows the lesson's YAML
(what the dashboard shows and asks, its reference and its figure), rewritten here.
``make lesson-figures`` runs this before drawing the figures.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from sim.classroom.lessons import LESSONS, Follow, Lesson
from sim.classroom.model import CONTROL_LABELS, describe_setting
from sim.config import CONFIG_DIR

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "teaching.md"
PRESET_DIR = Path(CONFIG_DIR) / "lesson"
BEGIN, END = "<!-- BEGIN generated: {} -->", "<!-- END generated: {} -->"
NOTICE = "<!-- written from sim/classroom/syllabus/ by `python -m sim.classroom.publish`: edit the YAML, not this block -->"


def preset_text(lesson: Lesson) -> str:
    """The Hydra preset of ``servsim lesson=NAME``: the lesson's settings, at the top level of the config."""
    header = (f"# @package _global_\n# Written from sim/classroom/syllabus/{lesson.name}.yaml by "
              "`python -m sim.classroom.publish`: edit that file, not this one.\n")
    return header + yaml.safe_dump(lesson.settings, sort_keys=False, width=200, allow_unicode=True)


def _settings_in_words(settings: dict) -> str:
    return "; ".join(describe_setting(key, value) for key, value in settings.items())


def lessons_table() -> str:
    lines = ["| lesson | reference run (grey) | stops to ask on day | *Try it* sets |", "|---|---|---|---|"]
    for lesson in LESSONS.values():
        reference = "; ".join(f"{CONTROL_LABELS[key]} follows {CONTROL_LABELS[value.key]}" if isinstance(value, Follow) else describe_setting(key, value)
                              for key, value in lesson.reference.items())
        days = ", ".join(str(day) for day, _ in lesson.predict)
        lines.append(f"| `{lesson.name}` | {lesson.reference_label} ({reference}) | {days} | "
                     f"{_settings_in_words(lesson.try_settings)} |")
    return "\n".join(lines)


def worlds_list(lesson: Lesson) -> str:
    """The lesson's worlds, one line each: its button, its settings, what the decision does there."""
    return "\n".join(f"- **{world.label}** ({_settings_in_words(world.settings) or 'the lesson as set'}): {world.shows}"
                     for world in lesson.worlds)


def lesson_block(lesson: Lesson) -> str:
    """What the dashboard shows of a lesson, in the guide: its words, its question, its try-next, its worlds and its figure."""
    questions = "\n".join(f"- *Predict* (the run stops on day {day}): {question}" for day, question in lesson.predict)
    worlds = [f"*Worlds* (each button restarts the run and its reference with these customers):\n\n{worlds_list(lesson)}"] if lesson.worlds else []
    return "\n\n".join([
        f"> **On screen: what to watch.** {lesson.watch}\n>\n> **Why it happens.** {lesson.why}",
        questions,
        f"*Try next* (the **Try it** button restarts with {_settings_in_words(lesson.try_settings)}): "
        f"{lesson.try_next}",
        *worlds,
        f"Grey in every plot: the same market on the same dice, {lesson.reference_label}.",
        f"![{lesson.title}](lessons/{lesson.name}.png)",
    ])


def blocks() -> dict[str, str]:
    """Block name -> its generated text."""
    return {"lessons table": lessons_table(), **{f"lesson {name}": lesson_block(lesson) for name, lesson in LESSONS.items()}}


def filled_guide(text: str) -> str:
    """The guide with every generated block rewritten; a block without its markers is an error naming them."""
    for name, body in blocks().items():
        begin, end = BEGIN.format(name), END.format(name)
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"{GUIDE.name} has no block for {name!r}: put the lines {begin} and {end} where it goes")
        text = pattern.sub(lambda _: f"{begin}\n{NOTICE}\n\n{body}\n\n{end}", text)
    return text


def outputs() -> dict[Path, str]:
    """Every file this command writes, with the text it should hold."""
    written = {PRESET_DIR / f"{name}.yaml": preset_text(lesson) for name, lesson in LESSONS.items()}
    written[GUIDE] = filled_guide(GUIDE.read_text())
    return written


def stale(wanted: dict[Path, str]) -> list[Path]:
    """The written files that differ from what the lesson YAMLs say, and presets of lessons that no longer exist."""
    orphans = [path for path in PRESET_DIR.glob("*.yaml") if path not in wanted]
    return [path for path, text in wanted.items() if not path.exists() or path.read_text() != text] + orphans


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.classroom.publish", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files (exit 1 if any)")
    args = parser.parse_args(argv)
    wanted = outputs()
    out_of_date = stale(wanted)
    if args.check:
        for path in out_of_date:
            print(f"out of date: {path.relative_to(ROOT)} (run python -m sim.classroom.publish)", file=sys.stderr)
        sys.exit(1 if out_of_date else 0)
    for path in out_of_date:
        if path in wanted:
            path.write_text(wanted[path])
            print(path.relative_to(ROOT))
        else:
            path.unlink()
            print(f"removed {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
