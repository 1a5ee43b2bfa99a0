"""§3.2-3.3 Service: customers visit at their own rate, the chain delivers (or fails), each perceives it.

Delivered quality is today's service level plus noise, minus the loss when the
service chain fails (with probability 1 - r ** steps); perception adds the
customer's own noise.
"""

from __future__ import annotations

import numpy as np

from agents.dice import U_VISIT, V_FAILURE, V_PERCEPTION, V_QUALITY
from agents.processes.base import Process, Visits, counter

COUNTERS = (
    counter("visits", "visits to the firm today"),
    counter("failures", "visits on which the service chain failed"),
)


def perceived_quality(world, z_quality, z_perception, failed):
    """What a visitor perceives: the firm's delivery plus their own perception noise."""
    delivered = world.firm.delivered_quality(world.day, z_quality, failed)
    return delivered + world.behaviour.perception_noise * z_perception


def vector(people, world) -> None:
    dice = world.dice
    visitors = np.flatnonzero(people.with_firm & (dice.population[U_VISIT] < people.visit_rate))
    failed = dice.visit(V_FAILURE, visitors) < world.firm.failure_probability
    perceived = perceived_quality(world, dice.visit(V_QUALITY, visitors), dice.visit(V_PERCEPTION, visitors), failed)
    world.visits = Visits(visitors, perceived=perceived)
    world.tally["visits"] += len(visitors)
    world.tally["failures"] += int(np.sum(failed))


def visit(customer, world) -> None:
    i, dice = customer.index, world.visit_dice
    customer.visiting = bool(customer.with_firm and world.dice.population[U_VISIT, i] < customer.visit_rate)
    if not customer.visiting:
        return
    failed = bool(dice[V_FAILURE, i] < world.firm.failure_probability)
    customer.perceived_today = float(perceived_quality(world, dice[V_QUALITY, i], dice[V_PERCEPTION, i], failed))
    world.tally["visits"] += 1
    world.tally["failures"] += failed


def agent(customers, world) -> None:
    customers.do("visit", world)


SERVICE = Process("service", vector, agent, COUNTERS)
