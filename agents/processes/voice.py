"""§3.8 Voice or silence: a customer whose visit fell below the zone complains, or keeps quiet.

The chance rises with the depth of the shortfall and with a guarantee; most
dissatisfied customers still say nothing (TARP 1986). A customer already
waiting on the desk does not complain again.
"""

from __future__ import annotations

import numpy as np

from agents import rules
from agents.dice import V_COMPLAIN
from agents.population import NO_PROBLEM, SILENT
from agents.processes.base import Process, counter

COUNTERS = (
    counter("complaints", "complaints made today (front line and desk)"),
    counter("silent_dissatisfied", "visits below the zone that did not become a complaint"),
)


def complaint_boost(world) -> float:
    return world.behaviour.guarantee_complaint_boost if world.firm.guarantee else 1.0


def vector(people, world) -> None:
    visits = world.visits
    visitors = visits.visitors
    free_to_complain = (visits.outcome == rules.BELOW) & ~people.complaint_pending[visitors]
    candidates = visitors[free_to_complain]
    chance = rules.complaint_probability(
        people.complaint_propensity[candidates], visits.gap[free_to_complain], people.tolerance[candidates], complaint_boost(world)
    )
    complains = world.dice.visit(V_COMPLAIN, candidates) < chance
    complainants, silent = candidates[complains], candidates[~complains]
    people.complaints[complainants] += 1
    quiet_so_far = silent[people.history[silent] == NO_PROBLEM]
    people.history[quiet_so_far] = SILENT
    visits.complainants = complainants
    world.tally["complaints"] += len(complainants)
    world.tally["silent_dissatisfied"] += len(silent)


def speak_up_or_not(customer, world) -> None:
    customer.complaining = False
    if not (customer.visiting and customer.outcome_today == rules.BELOW and not customer.complaint_pending):
        return
    chance = rules.complaint_probability(customer.complaint_propensity, customer.gap_today, customer.tolerance, complaint_boost(world))
    if world.visit_dice[V_COMPLAIN, customer.index] < chance:
        customer.complaining = True
        customer.complaints += 1
        world.tally["complaints"] += 1
    else:
        world.tally["silent_dissatisfied"] += 1
        if customer.history == NO_PROBLEM:
            customer.history = SILENT


def agent(customers, world) -> None:
    customers.do("speak_up_or_not", world)


VOICE = Process("voice", vector, agent, COUNTERS)
