"""The customer population as a struct of arrays, declared once.

One slot per person in the market (with the firm or with the competitor).
``CUSTOMER_STATE`` is the whole state of a person in one list: a reader sees
every quantity, its dtype and meaning here, and the engine allocates from it.
Continuous state is float64 so that a per-agent engine working on Python
floats computes exactly the same numbers; flags and counters are compact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Complaint history: the outcome of the latest complaint; else SILENT if the
# customer ever had a shortfall and kept quiet; else NO_PROBLEM.
NO_PROBLEM, SILENT, UNRESOLVED, RESOLVED, RESOLVED_FAST = 0, 1, 2, 3, 4
HISTORY_NAMES = ("no_problem", "silent", "unresolved", "resolved", "resolved_fast")


@dataclass(frozen=True)
class Field:
    name: str
    dtype: type
    meaning: str


CUSTOMER_STATE = (
    # dynamic state
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
    Field("history", np.int8, "complaint record (see HISTORY_NAMES)"),
    Field("problems", np.int32, "experiences below the zone of tolerance so far (at most one a day)"),
    Field("complaints", np.int32, "complaints made so far"),
    Field("starting_customer", np.bool_, "was with the firm on day 0 (the retention cohort)"),
    Field("value", np.float64, "margin the firm has earned from this person, money units"),
    # heterogeneous traits, fixed for life
    Field("learning_rate", np.float64, "alpha: weight of one experience in expectation"),
    Field("loss_aversion", np.float64, "lambda: weight of losses relative to gains"),
    Field("tolerance", np.float64, "half-width of the zone of tolerance, points"),
    Field("visit_rate", np.float64, "visits per day"),
    Field("complaint_propensity", np.float64, "chance to complain after a mild shortfall"),
    Field("switching_cost", np.float64, "damping of the chance to leave"),
)


class Population:
    """Arrays named after ``CUSTOMER_STATE``; one index per person."""

    def __init__(self, size: int):
        self.size = size
        for f in CUSTOMER_STATE:
            setattr(self, f.name, np.zeros(size, dtype=f.dtype))

    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in CUSTOMER_STATE)

    @classmethod
    def of_objects(cls, people, names) -> "Population":
        """The arrays ``names`` gathered from objects holding them as attributes (agents), in order."""
        people = list(people)
        snapshot = cls(len(people))
        dtypes = {f.name: f.dtype for f in CUSTOMER_STATE}
        for name in names:
            setattr(snapshot, name, np.fromiter((getattr(p, name) for p in people), dtype=dtypes[name], count=len(people)))
        return snapshot


def draw_positive(rng: np.random.Generator, mean: float, cv: float, size: int) -> np.ndarray:
    """Gamma-distributed trait with the given mean and coefficient of variation."""
    if mean == 0 or cv * cv == 0:  # no spread asked for (or one that underflows)
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


def populate(
    size: int,
    rng: np.random.Generator,
    *,
    initial_share: float,
    promise: float,
    delivered_level: float,
    competitor_quality: float,
    initial_trust: float,
    learning_rate: float,
    loss_aversion: float,
    tolerance: float,
    visit_rate: float,
    complaint_propensity: float,
    switching_cost: float,
    spread: float,
    initial_tenure_days: float,
) -> Population:
    """Day 0: a market at rest, part of it with the firm.

    Customers already with the firm expect roughly what they have been getting;
    prospects expect what the promise says, to the extent they trust it, and
    otherwise what the competitor gives them. Existing customers have been with
    the firm an exponential time around ``initial_tenure_days``, and have made
    the purchases their visit rate gives in that time.
    """
    people = Population(size)
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
    people.learning_rate[:] = draw_share(rng, learning_rate, spread, size)
    people.loss_aversion[:] = 1.0 + draw_positive(rng, loss_aversion - 1.0, spread, size)
    people.tolerance[:] = draw_positive(rng, tolerance, spread, size)
    people.visit_rate[:] = draw_share(rng, visit_rate, spread, size)
    people.complaint_propensity[:] = draw_share(rng, complaint_propensity, spread, size)
    people.switching_cost[:] = draw_positive(rng, switching_cost, spread, size)
    people.purchases[:] = np.round(tenure * people.visit_rate)
    return people
