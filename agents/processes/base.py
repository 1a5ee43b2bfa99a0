"""What every process of the day shares: its declared columns and the world it acts in.

A process is one step of MODEL.md §3 with two versions side by side: ``vector``
acts on the whole population as numpy arrays, ``agent`` on the ``Customer``
agents one at a time. Both call the same rules of ``agents.rules``, and a test
holds the two engines to identical runs. Processes never call each other and
never import the model: what they need arrives in a ``World``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import add
from typing import Any, Callable

import numpy as np

from agents import rules


@dataclass(frozen=True)
class Column:
    """One column of the daily record: a process's counter or a reading of the day's state.

    ``summed`` columns add up over the run into the summary's totals.
    """

    name: str
    dtype: type
    summed: bool
    meaning: str


def counter(name: str, meaning: str, dtype: type = np.int64) -> Column:
    """A tally a process adds to during the day (summed over the run)."""
    return Column(name, dtype, True, meaning)


@dataclass(frozen=True)
class Process:
    """A step of the day: its two engines' versions and the counters it adds to."""

    name: str
    vector: Callable[[Any, "World"], None]
    agent: Callable[[Any, "World"], None]
    counters: tuple[Column, ...] = ()


@dataclass
class Visits:
    """Today's visitors and what happened at their visits, as arrays in visitor order.

    The vector engine's counterpart of the ``today_*`` attributes a ``Customer``
    agent carries through its day; each visit process fills in its part.
    """

    visitors: np.ndarray
    failed: np.ndarray | None = None
    perceived: np.ndarray | None = None
    gap: np.ndarray | None = None
    outcome: np.ndarray | None = None
    complainants: np.ndarray | None = None


@dataclass
class World:
    """Everything a process may read or touch besides the customers, handed down by the model.

    ``behaviour`` holds the customers' behavioural parameters, ``tally`` the
    day's counters; in the per-agent engine ``customer(i)`` gives person ``i``'s agent.
    """

    firm: Any
    behaviour: Any
    market: Any
    recovery: Any
    dice: Any
    talk_rng: np.random.Generator
    desk: Any
    population_size: int
    slice_size: int
    cohort: np.ndarray
    events: Any
    landmark_rng: np.random.Generator
    customer: Callable[[int], Any] | None = None  # the per-agent engine's agent by index
    day: int = 0
    dawn_with_firm: np.ndarray | None = None  # who was with the firm when the day began
    tally: dict = field(default_factory=dict)
    visits: Visits | None = None  # the vector engine's batch of today's visits
    visit_dice: np.ndarray | None = None  # the per-agent engine's block of today's visit dice
    visit_log: list = field(default_factory=list)  # the per-agent engine's judgements, in visitor order
    resolution_delays: list = field(default_factory=list)


def leaving_chance(behaviour, satisfaction, switching_cost, purchases, trust, grievance, visit_rate):
    """Chance to leave at one decision, for one customer or many, with this run's parameters.

    The daily hazard of ``rules.defection_hazard`` over the days one decision
    stands for: on average one over the customer's visit rate.
    """
    b = behaviour
    hazard = rules.defection_hazard(
        satisfaction,
        switching_cost,
        purchases,
        trust,
        grievance,
        b.defection_floor,
        b.defection_span,
        b.defection_midpoint,
        b.defection_steepness,
        b.purchases_scale,
        b.trust_loyalty,
        b.grievance_weight,
    )
    return rules.defection_probability(hazard, 1.0 / visit_rate)


def added_in_order(total: float, values) -> float:
    """``total`` plus each of ``values`` in turn: a float sum with the rounding of adding them one at a time.

    A batch of events (a day's resolutions, say) must leave the same day's sums as
    the per-agent engine adding them one by one; ``sum`` or ``np.sum`` may round otherwise.
    """
    return reduce(add, values, total)


def chosen(eligible: np.ndarray, u: np.ndarray, chance, slice_size: int) -> np.ndarray:
    """The people who are ``eligible`` and whose die ``u`` falls below ``chance(people)``, in index order.

    The rule is applied one slice of people at a time, so that its temporaries
    stay in the CPU cache (at a million customers that halves the time of these
    phases); the rules are elementwise, so the result is the same as applying
    them to everyone at once.
    """
    picked = []
    for start in range(0, len(eligible), slice_size):
        people = start + np.flatnonzero(eligible[start : start + slice_size])
        picked.append(people[u[people] < chance(people)])
    return np.concatenate(picked)
