"""§3.10 Defection: at each decision moment a customer stays or leaves.

Decision moments are a visit (unless a complaint is still waiting on the
desk: voice before exit) and the moment a desk outcome arrives. The daily
hazard rises as satisfaction falls and with the grievance problems left (as
much as the customer's own grievance weight makes it), and
is damped by switching costs, past purchases and trust; a decision covers the
days since the last one (one over the visit rate, on average).
"""

from __future__ import annotations

import numpy as np
from mesa.agent import AgentSet

from agents.customer import Customer
from agents.dice import V_AFTER_OUTCOME, V_DEFECT
from agents.population import SILENT, UNRESOLVED, Population
from agents.processes.base import AgentDay, DayState, Process, RunContext, counter, leaving_chance

COUNTERS = (
    counter("defections", "customers who left the firm today"),
    counter("defections_silent", "of them, dissatisfied customers who had never complained"),
    counter("defections_after_complaint", "of them, customers whose latest complaint was unresolved or resolved"),
)


# What a person's chance to leave reads of them, in ``leaving_chance``'s order.
LEAVING_READS = ("satisfaction", "switching_cost", "purchases", "trust", "grievance", "visit_rate", "grievance_weight")


def vector(people: Population, run: RunContext, today: DayState) -> None:
    visitors = today.visits.visitors
    deciding = visitors[~people.complaint_pending[visitors]]
    chance = _chances(people, deciding, run)
    leave_all(people, deciding[run.dice.visit(V_DEFECT, deciding) < chance], today.day, run, today)


def decide_to_stay(customer: Customer, run: RunContext, today: AgentDay) -> None:
    if not customer.visiting or customer.complaint_pending:
        return
    if today.visit_dice[V_DEFECT, customer.index] < _chance(customer, run):
        leave(customer, today.day, run, today)


def agent(customers: AgentSet, run: RunContext, today: AgentDay) -> None:
    customers.do(decide_to_stay, run, today)


def decide_after_outcome(customer: Customer, time: float, run: RunContext, today: DayState) -> None:
    """The complainant decides when the desk's outcome is known (the per-agent engine, at each SimPy callback)."""
    if customer.with_firm and run.dice.uniform_of(V_AFTER_OUTCOME, customer.index) < _chance(customer, run):
        leave(customer, time, run, today)


def decide_after_outcomes(people: Population, customers: np.ndarray, moments: np.ndarray, run: RunContext, today: DayState) -> None:
    """``decide_after_outcome`` for a day's desk outcomes at once (each customer listed once), at their moments."""
    deciding = people.with_firm[customers]
    customers, moments = customers[deciding], moments[deciding]
    chance = _chances(people, customers, run)
    leaving = run.dice.visit(V_AFTER_OUTCOME, customers) < chance
    leave_all(people, customers[leaving], moments[leaving], run, today)


def _chances(people: Population, who: np.ndarray, run: RunContext) -> np.ndarray:
    """Each of ``who``'s chance to leave at this decision, from the population's arrays."""
    return leaving_chance(run.behaviour, *(getattr(people, name)[who] for name in LEAVING_READS))


def _chance(customer: Customer, run: RunContext):
    return leaving_chance(run.behaviour, *(getattr(customer, name) for name in LEAVING_READS))


def leave(customer: Customer, time: float, run: RunContext, today: DayState) -> None:
    customer.with_firm = False
    customer.ever_left = True
    customer.purchases = 0
    count_departures(today, np.array([customer.history]))
    run.events.add("left", time, customer.index)


def leave_all(people: Population, leavers: np.ndarray, times, run: RunContext, today: DayState) -> None:
    """``leave`` for many customers at once, at one time or each at their own."""
    if not len(leavers):  # most days' desk outcomes at a small market: nothing to count
        return
    people.with_firm[leavers] = False
    people.ever_left[leavers] = True
    people.purchases[leavers] = 0
    count_departures(today, people.history[leavers])
    run.events.add("left", times, leavers)


def count_departures(today: DayState, histories: np.ndarray) -> None:
    tally = today.tally
    tally["defections"] += len(histories)
    tally["defections_silent"] += int(np.sum(histories == SILENT))
    tally["defections_after_complaint"] += int(np.sum(histories >= UNRESOLVED))


DEFECTION = Process("defection", vector, agent, COUNTERS)
