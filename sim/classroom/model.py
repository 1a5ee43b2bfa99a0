"""The dashboard's model logic, free of any web code so it is tested without a browser.

``ClassroomModel`` is the simulation as a teacher drives it: a lesson's preset
plus the values of the on-screen controls, stopping at the lesson's horizon,
with its reference run for the grey line. ``CONTROLS`` lists the parameters a
teacher changes; ``control_specs`` turns them into slider and checkbox
specifications (in Mesa's ``model_params`` format), taking every range from
the parameter schema (``sim/params.py``). ``CustomerSample`` follows a fixed
set of people so the dashboard can show who complained, who was recovered
and who left without a word.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from agents.population import NO_PROBLEM, RESOLVED, RESOLVED_FAST, SILENT, UNRESOLVED, Population
from sim.classroom.lessons import LESSONS, lesson_settings, reference_settings, setting, with_setting, world_settings
from sim.model import ServiceModel
from sim.params import ServsimConfig, validate
from sim.run import simulate

DEFAULT_LESSON = "trap"
SAMPLE_SIZE = 400  # a 20 x 20 picture of people


@dataclass(frozen=True)
class Control:
    """One on-screen control for a schema parameter.

    ``low``/``high`` narrow the schema's range where it is open or too wide
    for a slider a class can use (a test checks they lie inside it).
    """

    key: str
    label: str
    step: float = 1
    low: float | None = None
    high: float | None = None


CONTROLS = (
    Control("firm.promise", "Promise (0-10)", 0.1),
    Control("firm.quality", "Delivered quality (0-10)", 0.1),
    Control("firm.step_reliability", "Each step right first time", 0.01, low=0.8),
    Control("firm.guarantee", "Guarantee: pay back when a promise is broken"),
    Control("firm.surprise.start", "Surprise starts on day", 10, high=365),
    Control("firm.surprise.length", "Surprise lasts (days, 0 = none)", 10, high=365),
    Control("firm.surprise.size", "Surprise size (quality points)", 0.1, low=-3.0, high=3.0),
    Control("firm.surprise.regress", "Surprise falls back to the old level"),
    Control("recovery.staff", "Desk handlers", 1, high=10),
    Control("recovery.handling_days", "Days to handle one complaint", 0.05, high=5.0),
    Control("recovery.on_the_spot", "Front line solves on the spot (share)", 0.05),
    Control("recovery.compensation", "Compensation (visit prices)", 0.1, high=3.0),
    Control("recovery.apology", "Apologise"),
    Control("customers.learning_rate", "Customers learn from each visit", 0.01, high=0.5),
    Control("customers.loss_aversion", "Loss aversion (losses weigh x times)", 0.05, high=5.0),
    Control("market.customers", "People in the market", 500, low=1000, high=20000),
    Control("days", "Days to run", 5, low=60, high=730),  # steps of 5 from 60: 365, 540 and 730 lie on the grid
    Control("seed", "Seed", 1, high=99),
)


CONTROL_LABELS = {control.key: control.label for control in CONTROLS}


def describe_setting(key: str, value) -> str:
    """A setting in the words of its on-screen control ("Promise (0-10) = 6.5")."""
    label = CONTROL_LABELS.get(key, key)
    return f"{label}: {'yes' if value else 'no'}" if isinstance(value, bool) else f"{label} = {value:g}"


def schema_field(key: str):
    """The schema's field for a dotted key (its default type and range metadata)."""
    *parents, leaf = key.split(".")
    section = ServsimConfig
    for part in parents:
        section = {f.name: f for f in fields(section)}[part].default_factory
    return {f.name: f for f in fields(section)}[leaf]


def config_value(config: ServsimConfig, key: str):
    """The value at a dotted key of a typed config."""
    for part in key.split("."):
        config = getattr(config, part)
    return config


def control_range(control: Control) -> tuple[float, float]:
    """The slider's bounds: the schema's range, narrowed where the control says so."""
    meta = schema_field(control.key).metadata
    low = control.low if control.low is not None else meta["low"]
    high = control.high if control.high is not None else meta["high"]
    return low, high


def control_specs(lesson: str, world: str | None = None) -> dict:
    """Mesa's ``model_params`` for a lesson: the lesson name fixed, each control at the lesson's value (in ``world``).

    A world that sets an on-screen parameter moves its control, so a restart keeps the world's value.
    """
    settings = world_settings(LESSONS[lesson], world, lesson_settings(lesson)) if world else lesson_settings(lesson)
    specs: dict = {"lesson": lesson}
    for control in CONTROLS:
        value = setting(settings, control.key)
        meta = schema_field(control.key).metadata
        if isinstance(value, bool):
            specs[control.key] = {"type": "Checkbox", "label": control.label, "value": value}
            continue
        low, high = control_range(control)
        specs[control.key] = {
            "type": "SliderInt" if meta["integer"] else "SliderFloat",
            "label": control.label,
            "value": value,
            "min": low,
            "max": high,
            "step": control.step,
        }
    return specs


class ClassroomModel(ServiceModel):
    """The simulation as the dashboard runs it: a lesson, the controls' values, stop at the horizon.

    The page re-creates the model on a restart as ``ClassroomModel(lesson, **values)``
    with the controls' values under their dotted keys (``firm.promise=8``), the way
    Mesa's own controller does, so keyword arguments are the way in; anything out
    of range raises ``ConfigError``. ``world`` names one of the lesson's behavioural
    worlds, laid over the lesson before the controls. Each model knows its
    counterfactual (the lesson's reference policy on the same settings, world and
    seed) and the questions the lesson stops for.
    """

    def __init__(self, lesson: str = DEFAULT_LESSON, world: str | None = None, **kwargs):
        settings = lesson_settings(lesson)
        self.world = world
        settings = world_settings(LESSONS[lesson], world, settings)
        for key, value in kwargs.items():
            with_setting(settings, key, value)
        settings["output"]["progress"] = False
        super().__init__(validate(settings))
        self.lesson = LESSONS[lesson]
        self.sample = CustomerSample(self.people, SAMPLE_SIZE)
        self.reference_config = validate(reference_settings(self.lesson, settings))
        self.questions = dict(self.lesson.predict)  # day -> question; removed once the class has answered
        self.lock = threading.RLock()  # the page draws while its play loop steps: one at a time

    def reference_timeseries(self) -> pd.DataFrame:
        """The counterfactual run to the horizon: same seed and dice, the lesson's reference policy."""
        return _reference_run(self.reference_config)

    def question(self) -> str | None:
        """The question the class is to answer before the run goes on, if today has one."""
        return self.questions.get(self.day)

    def answered(self) -> None:
        self.questions.pop(self.day, None)

    def changes_from_lesson(self) -> list[tuple[str, object]]:
        """(key, value) of each control this run sets differently from its lesson (in its world): what a restart applied."""
        preset = world_settings(self.lesson, self.world, lesson_settings(self.lesson.name))
        return [
            (control.key, config_value(self.config, control.key))
            for control in CONTROLS
            if config_value(self.config, control.key) != setting(preset, control.key)
        ]

    def step(self) -> None:
        super().step()
        self.sample.observe(self.people)
        self.running = self.day < self.config.days


# What a sampled person's square shows, in legend order.
STATUSES = (
    "no problem yet",
    "had a problem, kept quiet",
    "complaint waiting",
    "complaint resolved",
    "complaint unresolved",
    "left without complaining",
    "left after complaining",
    "with the competitor",
)
(
    NO_PROBLEM_YET,
    KEPT_QUIET,
    WAITING,
    RECOVERED,
    NOT_RECOVERED,
    LEFT_QUIETLY,
    LEFT_AFTER_COMPLAINT,
    WITH_COMPETITOR,
) = range(len(STATUSES))


_reference_runs: dict[str, pd.DataFrame] = {}
_reference_lock = threading.Lock()


def _reference_run(config: ServsimConfig) -> pd.DataFrame:
    """The run of ``config``, computed once per configuration (every student's lesson shares its reference)."""
    key = repr(config)
    with _reference_lock:
        if key not in _reference_runs:
            if len(_reference_runs) >= 32:  # a class tries a few settings; keep the memory bounded
                _reference_runs.pop(next(iter(_reference_runs)))
            _reference_runs[key] = simulate(config)[0]
        return _reference_runs[key]


class CustomerSample:
    """A fixed, evenly spread sample of the market, followed day by day.

    People are exchangeable, so every k-th person is a fair sample and needs no
    dice of its own (the model's random streams stay untouched). The sample
    remembers who has ever been with the firm, to tell people who left from
    people who never came.
    """

    def __init__(self, people: Population, size: int):
        self.index = np.unique(np.linspace(0, people.size - 1, min(size, people.size)).round().astype(np.int64))
        self.ever_with_firm = people.with_firm[self.index].copy()

    def observe(self, people: Population) -> None:
        self.ever_with_firm |= people.with_firm[self.index]

    def status(self, people: Population) -> np.ndarray:
        """One code of ``STATUSES`` per sampled person, from today's state."""
        i = self.index
        history = people.history[i]
        complained = history >= UNRESOLVED
        customer_status = np.select(
            [
                people.complaint_pending[i],
                (history == RESOLVED) | (history == RESOLVED_FAST),
                history == UNRESOLVED,
                history == SILENT,
                history == NO_PROBLEM,
            ],
            [WAITING, RECOVERED, NOT_RECOVERED, KEPT_QUIET, NO_PROBLEM_YET],
        )
        former_status = np.where(complained, LEFT_AFTER_COMPLAINT, LEFT_QUIETLY)
        return np.where(
            people.with_firm[i], customer_status, np.where(self.ever_with_firm, former_status, WITH_COMPETITOR)
        ).astype(np.int8)

    def counts(self, people: Population) -> dict[str, int]:
        return dict(zip(STATUSES, np.bincount(self.status(people), minlength=len(STATUSES)).tolist()))
