"""§3.8 Voice or silence: a customer whose visit fell below the zone complains, or keeps quiet.

The chance rises with the depth of the shortfall (placed against the zone of
tolerance once, by judgement) and with a guarantee; most
dissatisfied customers still say nothing (TARP 1986). A customer already
waiting on the desk does not complain again.
"""

from __future__ import annotations


from mesa.agent import AgentSet

from agents import rules
from agents.customer import Customer
from agents.dice import V_COMPLAIN
from agents.population import NO_PROBLEM, SILENT, Population
from agents.processes.base import AgentDay, DayState, Process, RunContext, counter

COUNTERS = (
    counter("complaints", "complaints made today (front line and desk)"),
    counter("silent_dissatisfied", "visits below the zone that did not become a complaint"),
)


def complaint_boost(run: RunContext) -> float:
    return run.behaviour.guarantee_complaint_boost if run.firm.guarantee else 1.0


def vector(people: Population, run: RunContext, today: DayState) -> None:
    visits = today.visits
    visitors = visits.visitors
    free_to_complain = (visits.outcome == rules.BELOW) & ~people.complaint_pending[visitors]
    candidates = visitors[free_to_complain]
    chance = rules.complaint_probability(
        people.complaint_propensity[candidates], visits.shortfall[free_to_complain], complaint_boost(run)
    )
    complains = run.dice.visit(V_COMPLAIN, candidates) < chance
    complainants, silent = candidates[complains], candidates[~complains]
    people.complaints[complainants] += 1
    quiet_so_far = silent[people.history[silent] == NO_PROBLEM]
    people.history[quiet_so_far] = SILENT
    visits.complainants = complainants
    today.tally["complaints"] += len(complainants)
    today.tally["silent_dissatisfied"] += len(silent)


def speak_up_or_not(customer: Customer, run: RunContext, today: AgentDay) -> None:
    customer.complaining = False
    if not (customer.visiting and customer.outcome_today == rules.BELOW and not customer.complaint_pending):
        return
    chance = rules.complaint_probability(customer.complaint_propensity, customer.shortfall_today, complaint_boost(run))
    if today.visit_dice[V_COMPLAIN, customer.index] < chance:
        customer.complaining = True
        customer.complaints += 1
        today.tally["complaints"] += 1
    else:
        today.tally["silent_dissatisfied"] += 1
        if customer.history == NO_PROBLEM:
            customer.history = SILENT


def agent(customers: AgentSet, run: RunContext, today: AgentDay) -> None:
    customers.do(speak_up_or_not, run, today)


VOICE = Process("voice", vector, agent, COUNTERS)
