"""The classroom lessons: what each one shows, what to watch, why it happens.

A lesson's parameters live in its Hydra preset ``configs/lesson/NAME.yaml``
(so ``servsim lesson=trap`` runs it); this module holds the words around it,
shown on screen by the dashboard and on the slides by ``servsim-lesson``, its
counterfactual (the reference run: the same seed and dice with one policy
changed, drawn as a grey line), the two plots that tell it, and the days on
which it stops to let the class predict. ``lesson_settings`` composes
a preset exactly as the command line does, so the dashboard, the slides and
``servsim lesson=NAME`` all run the same numbers.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from omegaconf import OmegaConf


@dataclass(frozen=True)
class Follow:
    """A reference setting that copies another setting of the run (e.g. the promise follows the quality)."""

    key: str


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    watch: str  # what to look at on the screen, in the order it happens
    why: str  # the idea from the theory (MODEL.md §1) that makes it happen
    try_next: str  # one change for the class to make, and what it will show
    reference_label: str  # what the counterfactual is, in a few words (the grey line's name)
    reference: dict  # dotted overrides that turn the lesson's run into its counterfactual
    key_panels: tuple[str, str]  # the two plots of sim/panels.py that tell the lesson
    predict: tuple[tuple[int, str], ...] = ()  # (day, question): the run stops there for the class to predict


LESSONS: dict[str, Lesson] = {
    lesson.name: lesson
    for lesson in (
        Lesson(
            name="trap",
            title="The surprise trap: one moment of joy, many days of sorrow",
            watch=(
                "In the yellow window the firm gives 1.5 points more than usual: perception jumps above "
                "expectation and many visits are 'above' or 'delight'. Then expectation creeps up to the new level. "
                "When the window closes, the old service falls below the raised bar: 'below' visits, complaints "
                "and silent departures jump, and satisfaction sinks lower than before the surprise."
            ),
            why=(
                "Expectations learn from experience (each visit moves them toward what was perceived), so a delight "
                "raises the bar. Losses weigh more than gains (loss aversion), so falling back hurts more than the "
                "surprise pleased. A surprise the firm cannot keep is worse than none."
            ),
            try_next=(
                "Untick 'surprise falls back' and restart: a surprise the firm keeps up becomes its new standard. "
                "Or set 'customers learn from each visit' to 0: without learning there is no trap."
            ),
            reference_label="never surprised",
            reference={"firm.surprise.length": 0},
            key_panels=("expectation", "attitudes"),
            predict=((240, "The surprise ends today: service goes back to what it was before day 90. "
                           "What happens to satisfaction now: back to where it was, or lower?"),),
        ),
        Lesson(
            name="promise",
            title="Promise loud, pay later",
            watch=(
                "The firm promises 8.5 but delivers 7. The loud promise draws newcomers, but visits keep "
                "breaking it: trust in the firm's promises collapses, more visits fall 'below', and starting "
                "customers leave faster than under the honest promise (grey)."
            ),
            why=(
                "Promises form expectations, to the extent customers trust them. A loud promise draws customers "
                "but raises the bar they judge the firm by; every broken promise cuts trust, and trust holds "
                "customers. Replacing the customers it loses costs the firm money. A low-key promise that the "
                "firm beats keeps expectations reachable."
            ),
            try_next="Set the promise to 6 and restart: fewer newcomers, but more customers stay and trust holds.",
            reference_label="honest promise",
            reference={"firm.promise": Follow("firm.quality")},
            key_panels=("attitudes", "retention"),
            predict=((60, "The firm keeps promising 8.5 and delivering 7. Will trust recover once customers "
                          "get used to it? Who keeps more of its customers by day 365?"),),
        ),
        Lesson(
            name="recovery",
            title="Recovery speed: complaints are a gift, if answered fast",
            watch=(
                "Almost one visit in four goes wrong somewhere, and every complaint waits for one slow handler. The "
                "queue at the desk grows, complainants wait for days, some give up, and complainants leave. "
                "In the picture of customers, watch the orange 'complaint waiting' squares and the brown "
                "'left after complaining' crosses."
            ),
            why=(
                "A complainant judges the recovery by its outcome (compensation), its procedure (speed) and "
                "the interaction (apology). Speed decays fast: a late answer is worth little, and no answer is a "
                "second failure. A desk with fewer hands than the complaint load makes delays grow until "
                "complainants give up waiting."
            ),
            try_next=(
                "Set 'front line solves on the spot' to 0.8 and 'desk handlers' to 4, then restart: the queue "
                "vanishes and recovered customers stay."
            ),
            reference_label="fast desk",
            reference={"recovery.on_the_spot": 0.8, "recovery.staff": 4, "recovery.handling_days": 0.1},
            key_panels=("iceberg", "retention"),
            predict=((45, "The queue keeps growing. What happens to the customers who complained and wait? "
                          "How many more would a fast desk keep?"),),
        ),
        Lesson(
            name="iceberg",
            title="The complaint iceberg: most unhappy customers never complain",
            watch=(
                "Compare the red line (visits that fell short of expectations) with the orange line (complaints): "
                "the firm hears of only a small part of its failures. In the picture of customers, the dark "
                "crosses of people who left silently far outnumber the people who complained."
            ),
            why=(
                "Complaining costs effort and most people do not believe it helps, so they stay silent, and "
                "a silent problem is never put right: over many runs, customers who kept quiet about their first "
                "problem stay about a point less often than those whose complaint was solved fast (in one run "
                "the gap is within chance). Complaints are a gift: a guarantee invites them and opens the channel."
            ),
            try_next="Tick 'guarantee' and restart: more complaints reach the firm, and fewer leave silently.",
            reference_label="with a guarantee",
            reference={"firm.guarantee": True},
            key_panels=("iceberg", "retention"),
            predict=((90, "The firm hears only the orange line. For each complaint, how many unhappy visits "
                          "does it not hear about?"),),
        ),
        Lesson(
            name="reliability_chain",
            title="Reliability compounds along the service chain",
            watch=(
                "Each of the five steps of the service is right 95% of the time, yet only 77% of visits are right "
                "from start to end. Watch the share of 'below' visits, the complaints, and satisfaction falling "
                "below zero."
            ),
            why=(
                "A visit is right only if every step is right: 0.95 x 0.95 x 0.95 x 0.95 x 0.95 = 0.77. Reliability, "
                "doing it right the first time, is the first determinant of perceived quality, and small "
                "slips at each step add up to many failed visits."
            ),
            try_next="Set 'each step right first time' to 0.99 and restart: 95% of visits are right, and customers stay.",
            reference_label="steps 99% right",
            reference={"firm.step_reliability": 0.99},
            key_panels=("outcome_mix", "attitudes"),
            predict=((60, "Each step is right 95% of the time. What share of visits will fall below what "
                          "customers expect?"),),
        ),
    )
}

def with_setting(tree: dict, key: str, value) -> None:
    """Set a dotted key of a nested settings tree, in place."""
    config = OmegaConf.create(tree)
    OmegaConf.update(config, key, value)
    tree.update(OmegaConf.to_container(config))


def setting(tree: dict, key: str):
    """The value at a dotted key of a nested settings tree."""
    return OmegaConf.select(OmegaConf.create(tree), key)


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
