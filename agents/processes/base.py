"""What every process of the day shares: its declared columns, the run it belongs to and the day it acts on.

A process is one step of MODEL.md §3 with two versions side by side: ``vector``
acts on the whole population as numpy arrays, ``agent`` on the ``Customer``
agents one at a time. Both call the same rules of ``agents.rules``, and a test
holds the two engines to identical runs. Processes never call each other and
never import the model: what they need arrives as the run's fixed ``RunContext``
and the day's ``DayState`` (the per-agent engine's ``AgentDay`` adds its agents,
its block of visit dice and its log of judgements).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import add
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
from mesa.agent import AgentSet

from agents import rules
from agents.customer import Customer
from agents.desk import RecoveryDesk
from agents.dice import DailyDice
from agents.events import EventLog
from agents.fast_desk import QueueRecursionDesk
from agents.firm import Firm
from agents.population import Population

if TYPE_CHECKING:  # the schema's records, named for readers and type checkers; agents never import sim at run time
    from sim.params import CustomersConfig, MarketConfig, RecoveryConfig


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
    """A step of the day: its two engines' versions and the counters it adds to.

    ``vector(people, run, today)`` acts on the population's arrays,
    ``agent(customers, run, today)`` on the Mesa agents: each reads the run's
    fixed context and writes the customers and the day's state, nothing else.
    """

    name: str
    vector: Callable[[Population, "RunContext", "DayState"], None]
    agent: Callable[[AgentSet, "RunContext", "AgentDay"], None]
    counters: tuple[Column, ...] = ()


@dataclass
class Visits:
    """Today's visitors and what happened at their visits, as arrays in visitor order.

    The vector engine's counterpart of the ``today_*`` attributes a ``Customer``
    agent carries through its day; each visit process fills in its part.
    ``shortfall`` is how far below the zone of tolerance each visit fell: the
    zone is placed once, by judgement, and voice reads the depth from here.
    """

    visitors: np.ndarray
    failed: np.ndarray | None = None
    perceived: np.ndarray | None = None
    gap: np.ndarray | None = None
    outcome: np.ndarray | None = None
    shortfall: np.ndarray | None = None
    complainants: np.ndarray | None = None


@dataclass(frozen=True)
class RunContext:
    """What is fixed for a run: its parameters, the firm, the desk, the random streams and the sizes.

    Built once by the model; no field is ever rebound. Some of the objects it
    holds change inside (the desk's queue, the dice rolled each day), and
    ``events`` and ``resolution_delays`` are the run's logs, appended to: state
    that changes during a run lives in such an object or in the ``DayState``.
    """

    firm: Firm
    behaviour: CustomersConfig
    market: MarketConfig
    recovery: RecoveryConfig
    weights: rules.RecoveryWeights
    desk: RecoveryDesk | QueueRecursionDesk
    dice: DailyDice
    talk_rng: np.random.Generator
    landmark_rng: np.random.Generator
    population_size: int
    slice_size: int
    cohort: np.ndarray
    events: EventLog
    resolution_delays: list[float] = field(default_factory=list)


@dataclass
class DayState:
    """What changes from day to day: the day's number, its tally, who began it with the firm, today's visits."""

    day: int = 0
    tally: dict[str, float] = field(default_factory=dict)
    dawn_with_firm: np.ndarray | None = None
    visits: Visits | None = None


@dataclass
class AgentDay(DayState):
    """The day state of the per-agent engine: its agents by index, today's visit dice and judgements.

    ``visit_dice`` holds every person's visit dice for today (what one agent
    reads: ``visit_dice[decision, index]``); ``visit_log`` the day's
    judgements in visitor order, for the record.
    """

    customers: Sequence[Customer] = ()
    visit_dice: np.ndarray | None = None
    visit_log: list[tuple[int, float, float, int, float]] = field(default_factory=list)  # visitor, perceived, gap, outcome, payout


def leaving_chance(behaviour, satisfaction, switching_cost, purchases, trust, grievance, visit_rate, grievance_weight=None):
    """Chance to leave at one decision, for one customer or many, with this run's parameters.

    The daily hazard of ``rules.defection_hazard`` over the days one decision
    stands for: on average one over the customer's visit rate. ``grievance_weight``
    is the customers' own (a trait); left out, the population's mean (a typical customer).
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
        b.grievance_weight if grievance_weight is None else grievance_weight,
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
