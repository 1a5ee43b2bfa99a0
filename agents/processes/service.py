"""§3.2-3.3 Service: customers visit at their own rate, the chain delivers (or fails), each perceives it.

Delivered quality is today's service level plus noise, minus the loss when the
service chain fails (with probability 1 - r ** steps); perception adds the
customer's own noise.
"""

from __future__ import annotations

import numpy as np
from mesa.agent import AgentSet

from agents.customer import Customer
from agents.dice import U_VISIT, V_FAILURE, V_PERCEPTION, V_QUALITY
from agents.population import Population
from agents.processes.base import AgentDay, DayState, Process, RunContext, Visits, counter

COUNTERS = (
    counter("visits", "visits to the firm today"),
    counter("failures", "visits on which the service chain failed"),
)


def perceived_quality(run: RunContext, day: int, z_quality, z_perception, failed):
    """What a visitor perceives: the firm's delivery plus their own perception noise."""
    delivered = run.firm.delivered_quality(day, z_quality, failed)
    return delivered + run.behaviour.perception_noise * z_perception


def vector(people: Population, run: RunContext, today: DayState) -> None:
    dice = run.dice
    visitors = np.flatnonzero(people.with_firm & (dice.population[U_VISIT] < people.visit_rate))
    failed = dice.visit(V_FAILURE, visitors) < run.firm.failure_probability
    perceived = perceived_quality(run, today.day, dice.visit(V_QUALITY, visitors), dice.visit(V_PERCEPTION, visitors), failed)
    today.visits = Visits(visitors, failed=failed, perceived=perceived)
    today.tally["visits"] += len(visitors)
    today.tally["failures"] += int(np.sum(failed))


def visit(customer: Customer, run: RunContext, today: AgentDay) -> None:
    i, dice = customer.index, today.visit_dice
    customer.visiting = bool(customer.with_firm and run.dice.population[U_VISIT, i] < customer.visit_rate)
    if not customer.visiting:
        return
    failed = bool(dice[V_FAILURE, i] < run.firm.failure_probability)
    customer.failed_today = failed
    customer.perceived_today = float(perceived_quality(run, today.day, dice[V_QUALITY, i], dice[V_PERCEPTION, i], failed))
    today.tally["visits"] += 1
    today.tally["failures"] += failed


def agent(customers: AgentSet, run: RunContext, today: AgentDay) -> None:
    customers.do(visit, run, today)


SERVICE = Process("service", vector, agent, COUNTERS)
