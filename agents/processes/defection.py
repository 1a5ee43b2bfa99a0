"""§3.10 Defection: at each decision moment a customer stays or leaves.

Decision moments are a visit (unless a complaint is still waiting on the
desk: voice before exit) and the moment a desk outcome arrives. The daily
hazard rises as satisfaction falls and with the grievance problems left, and
is damped by switching costs, past purchases and trust; a decision covers the
days since the last one (one over the visit rate, on average).
"""

from __future__ import annotations

import numpy as np

from agents.dice import V_AFTER_OUTCOME, V_DEFECT
from agents.population import SILENT, UNRESOLVED
from agents.processes.base import Process, counter, leaving_chance

COUNTERS = (
    counter("defections", "customers who left the firm today"),
    counter("defections_silent", "of them, dissatisfied customers who had never complained"),
    counter("defections_after_complaint", "of them, customers whose latest complaint was unresolved or resolved"),
)


def vector(people, world) -> None:
    visitors = world.visits.visitors
    deciding = visitors[~people.complaint_pending[visitors]]
    chance = _chances(people, deciding, world)
    leave_all(people, deciding[world.dice.visit(V_DEFECT, deciding) < chance], world.day, world)


def decide_to_stay(customer, world) -> None:
    if not customer.visiting or customer.complaint_pending:
        return
    if world.visit_dice[V_DEFECT, customer.index] < _chance(customer, world):
        leave(customer, world.day, world)


def agent(customers, world) -> None:
    customers.do("decide_to_stay", world)


def decide_after_outcome(customer, time: float, world) -> None:
    """The complainant decides when the desk's outcome is known (the per-agent engine, at each SimPy callback)."""
    if customer.with_firm and world.dice.uniform_of(V_AFTER_OUTCOME, customer.index) < _chance(customer, world):
        leave(customer, time, world)


def decide_after_outcomes(people, customers: np.ndarray, moments: np.ndarray, world) -> None:
    """``decide_after_outcome`` for a day's desk outcomes at once (each customer listed once), at their moments."""
    deciding = people.with_firm[customers]
    customers, moments = customers[deciding], moments[deciding]
    chance = _chances(people, customers, world)
    leaving = world.dice.visit(V_AFTER_OUTCOME, customers) < chance
    leave_all(people, customers[leaving], moments[leaving], world)


def _chances(people, who: np.ndarray, world) -> np.ndarray:
    """Each of ``who``'s chance to leave at this decision, from the population's arrays."""
    return leaving_chance(
        world.behaviour,
        people.satisfaction[who],
        people.switching_cost[who],
        people.purchases[who],
        people.trust[who],
        people.grievance[who],
        people.visit_rate[who],
    )


def _chance(customer, world):
    return leaving_chance(
        world.behaviour,
        customer.satisfaction,
        customer.switching_cost,
        customer.purchases,
        customer.trust,
        customer.grievance,
        customer.visit_rate,
    )


def leave(customer, time: float, world) -> None:
    customer.with_firm = False
    customer.ever_left = True
    customer.purchases = 0
    count_departures(world, np.array([customer.history]))
    world.events.add("left", time, customer.index)


def leave_all(people, leavers: np.ndarray, times, world) -> None:
    """``leave`` for many customers at once, at one time or each at their own."""
    if not len(leavers):  # most days' desk outcomes at a small market: nothing to count
        return
    people.with_firm[leavers] = False
    people.ever_left[leavers] = True
    people.purchases[leavers] = 0
    count_departures(world, people.history[leavers])
    world.events.add("left", times, leavers)


def count_departures(world, histories: np.ndarray) -> None:
    tally = world.tally
    tally["defections"] += len(histories)
    tally["defections_silent"] += int(np.sum(histories == SILENT))
    tally["defections_after_complaint"] += int(np.sum(histories >= UNRESOLVED))


DEFECTION = Process("defection", vector, agent, COUNTERS)
