"""The customer population as a struct of arrays, declared once.

One slot per person in the market (with the firm or with the competitor).
``CUSTOMER_STATE`` is what changes in a person's life, in one list: a reader
sees every quantity, its dtype and meaning here, and the engine allocates from
it; the traits each person is born with come from the schema's trait table.
Continuous state is float64 so that a per-agent engine working on Python
floats computes exactly the same numbers; flags and counters are compact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

# Complaint history: the outcome of the latest complaint; else SILENT if the
# customer ever had a shortfall and kept quiet; else NO_PROBLEM.
NO_PROBLEM, SILENT, UNRESOLVED, RESOLVED, RESOLVED_FAST = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Field:
    name: str
    dtype: type
    meaning: str


# What changes during a person's life. The heterogeneous traits, fixed for
# life, are declared with their parameters in the schema (``TraitDraw`` below
# is how the population receives them) and added as float64 columns.
CUSTOMER_STATE = (
    Field("with_firm", np.bool_, "is a customer of the firm today (else with the competitor)"),
    Field("expectation", np.float64, "E: quality expected from the firm, points 0-10"),
    Field("trust", np.float64, "tau: belief in the firm's promises, 0-1"),
    Field("satisfaction", np.float64, "S: running attitude toward the firm, value units (0 = as expected)"),
    Field("heard", np.float64, "net word of mouth heard about the firm, attraction points"),
    Field("last_perceived", np.float64, "quality perceived at the last visit, points"),
    Field("purchases", np.int32, "visits in the current spell with the firm (past purchases protect)"),
    Field("grievance", np.float64, "what problems have left against the firm and recovery has not healed, points"),
    Field("ever_left", np.bool_, "has left the firm at least once"),
    Field("complaint_pending", np.bool_, "a complaint is waiting at the recovery desk"),
    Field("history", np.int8, "complaint record: NO_PROBLEM, SILENT, UNRESOLVED, RESOLVED or RESOLVED_FAST"),
    Field("problems", np.int32, "experiences below the zone of tolerance so far (at most one a day)"),
    Field("complaints", np.int32, "complaints made so far"),
    Field("starting_customer", np.bool_, "was with the firm on day 0 (the retention cohort)"),
    Field("value", np.float64, "margin the firm has earned from this person, money units"),
)


# A trait's distribution: ``draw(rng, mean, spread, size)``, ``spread`` its coefficient of variation.
Distribution = Callable[[np.random.Generator, float, float, int], np.ndarray]


@dataclass(frozen=True)
class TraitDraw:
    """A heterogeneous trait as the population draws it at day 0: ``draw(rng, mean, spread, size)``."""

    name: str
    meaning: str
    mean: float
    spread: float
    draw: Distribution

    def field(self) -> Field:
        return Field(self.name, np.float64, self.meaning)


class Population:
    """Arrays named after ``fields`` (``CUSTOMER_STATE`` and the run's traits); one index per person."""

    def __init__(self, size: int, fields: tuple[Field, ...] = CUSTOMER_STATE):
        self.size = size
        self.fields = fields
        for f in fields:
            setattr(self, f.name, np.zeros(size, dtype=f.dtype))

    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in self.fields)

    @classmethod
    def of_objects(cls, people, fields: tuple[Field, ...]) -> "Population":
        """The arrays ``fields`` gathered from objects holding them as attributes (agents), in order."""
        people = list(people)
        snapshot = cls(0, fields)
        snapshot.size = len(people)
        for f in fields:
            setattr(snapshot, f.name, np.fromiter((getattr(p, f.name) for p in people), dtype=f.dtype, count=len(people)))
        return snapshot


def draw_positive(rng: np.random.Generator, mean: float, cv: float, size: int) -> np.ndarray:
    """Gamma-distributed trait with the given mean and coefficient of variation."""
    if mean == 0 or cv * cv < np.finfo(float).tiny:  # no spread asked for, or one so small that 1 / cv**2 overflows
        return np.full(size, float(mean))
    shape = 1.0 / (cv * cv)  # gamma: mean = shape * scale, cv = 1 / sqrt(shape)
    return rng.gamma(shape, mean / shape, size)


def draw_share(rng: np.random.Generator, mean: float, cv: float, size: int) -> np.ndarray:
    """Beta-distributed trait in [0, 1] with the given mean and (capped) variation."""
    variance = min((cv * mean) ** 2, 0.9 * mean * (1.0 - mean))
    if variance <= 0.0:  # no spread asked for, or a mean at (or within underflow of) 0 or 1
        return np.full(size, float(mean))
    concentration = mean * (1.0 - mean) / variance - 1.0
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size)


def draw_above_one(rng: np.random.Generator, mean: float, cv: float, size: int) -> np.ndarray:
    """One plus a gamma-distributed excess: a weight that is at least 1 (loss aversion), ``cv`` that of the excess."""
    return 1.0 + draw_positive(rng, mean - 1.0, cv, size)


def populate(
    size: int,
    rng: np.random.Generator,
    traits: Sequence[TraitDraw],
    *,
    initial_share: float,
    promise: float,
    delivered_level: float,
    competitor_quality: float,
    initial_trust: float,
    spread: float,
    initial_tenure_days: float,
) -> Population:
    """Day 0: a market at rest, part of it with the firm.

    Customers already with the firm expect roughly what they have been getting;
    prospects expect what the promise says, to the extent they trust it, and
    otherwise what the competitor gives them. Existing customers have been with
    the firm an exponential time around ``initial_tenure_days``, and have made
    the purchases their visit rate gives in that time. The ``traits`` are drawn
    last, in their order: a trait added at the end of the list, or one with no
    spread (which draws nothing), leaves every earlier draw of ``rng`` as it was.
    """
    people = Population(size, CUSTOMER_STATE + tuple(trait.field() for trait in traits))
    with_firm = rng.random(size) < initial_share
    trust = draw_share(rng, initial_trust, spread, size)
    noise = rng.normal(0.0, 0.3, size)
    customer_expectation = delivered_level + noise
    prospect_expectation = trust * promise + (1.0 - trust) * competitor_quality + noise
    people.with_firm[:] = with_firm
    people.starting_customer[:] = with_firm
    people.trust[:] = trust
    people.expectation[:] = np.where(with_firm, customer_expectation, prospect_expectation)
    people.last_perceived[:] = people.expectation
    tenure = np.where(with_firm, rng.exponential(initial_tenure_days, size), 0.0)
    for trait in traits:
        getattr(people, trait.name)[:] = trait.draw(rng, trait.mean, trait.spread, size)
    people.purchases[:] = np.round(tenure * people.visit_rate)
    return people
