"""§3.10 Defection: at each decision moment a customer stays or leaves.

Decision moments are a visit (unless a complaint is still waiting on the
desk: voice before exit) and the moment a desk outcome arrives. The chance
rises as satisfaction falls, damped by switching costs, tenure and trust.
"""

from __future__ import annotations

import numpy as np

from agents.dice import V_AFTER_OUTCOME, V_DEFECT
from agents.population import SILENT, UNRESOLVED
from agents.processes.base import Process, counter, defection_chance

COUNTERS = (
    counter("defections", "customers who left the firm today"),
    counter("defections_silent", "of them, dissatisfied customers who had never complained"),
    counter("defections_after_complaint", "of them, customers whose latest complaint was unresolved or resolved"),
)


def vector(people, world) -> None:
    visitors = world.visits.visitors
    deciding = visitors[~people.complaint_pending[visitors]]
    chance = defection_chance(
        world.behaviour, people.satisfaction[deciding], people.switching_cost[deciding], people.tenure[deciding], people.trust[deciding]
    )
    leavers = deciding[world.dice.visit(V_DEFECT, deciding) < chance]
    people.with_firm[leavers] = False
    people.tenure[leavers] = 0
    count_departures(world, people.history[leavers])


def decide_to_stay(customer, world) -> None:
    if not customer.visiting or customer.complaint_pending:
        return
    if world.visit_dice[V_DEFECT, customer.index] < _chance(customer, world):
        leave(customer, world)


def agent(customers, world) -> None:
    customers.do("decide_to_stay", world)


def decide_after_outcome(customer, world) -> None:
    """The complainant decides when the desk's outcome is known (both engines)."""
    if customer.with_firm and world.dice.uniform_of(V_AFTER_OUTCOME, customer.index) < _chance(customer, world):
        leave(customer, world)


def _chance(customer, world):
    return defection_chance(world.behaviour, customer.satisfaction, customer.switching_cost, customer.tenure, customer.trust)


def leave(customer, world) -> None:
    customer.with_firm = False
    customer.tenure = 0
    count_departures(world, np.array([customer.history]))


def count_departures(world, histories: np.ndarray) -> None:
    tally = world.tally
    tally["defections"] += len(histories)
    tally["defections_silent"] += int(np.sum(histories == SILENT))
    tally["defections_after_complaint"] += int(np.sum(histories >= UNRESOLVED))


DEFECTION = Process("defection", vector, agent, COUNTERS)
