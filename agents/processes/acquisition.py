"""§3.12 Acquisition: people with the competitor join, drawn by the promise and word of mouth.

A newcomer starts with no past purchases and sets their bar by what they heard too.
"""

from __future__ import annotations

from mesa.agent import AgentSet

from agents import rules
from agents.customer import Customer
from agents.dice import U_JOIN
from agents.population import Population
from agents.processes.base import AgentDay, DayState, Process, RunContext, chosen, counter

COUNTERS = (counter("acquisitions", "people who joined the firm today"),)


def joining_chance(run: RunContext, expectation, trust, heard, satisfaction):
    m = run.market
    return rules.acquisition_probability(
        expectation, trust, heard, satisfaction, m.competitor_quality, m.acquisition_rate, m.acquisition_scale
    )


def vector(people: Population, run: RunContext, today: DayState) -> None:
    def chance(prospects):
        return joining_chance(
            run, people.expectation[prospects], people.trust[prospects], people.heard[prospects], people.satisfaction[prospects]
        )

    joiners = chosen(~people.with_firm, run.dice.population[U_JOIN], chance, run.slice_size)
    people.with_firm[joiners] = True
    people.purchases[joiners] = 0
    people.expectation[joiners] += people.heard[joiners]  # what they heard sets their bar too
    people.heard[joiners] = 0.0
    today.tally["acquisitions"] += len(joiners)
    run.events.add("joined", today.day, joiners)


def consider_joining(customer: Customer, run: RunContext, today: AgentDay) -> None:
    if customer.with_firm:
        return
    chance = joining_chance(run, customer.expectation, customer.trust, customer.heard, customer.satisfaction)
    if run.dice.population[U_JOIN, customer.index] < chance:
        customer.with_firm = True
        customer.purchases = 0
        customer.expectation += customer.heard
        customer.heard = 0.0
        today.tally["acquisitions"] += 1
        run.events.add("joined", today.day, customer.index)


def agent(customers: AgentSet, run: RunContext, today: AgentDay) -> None:
    customers.do(consider_joining, run, today)

ACQUISITION = Process("acquisition", vector, agent, COUNTERS)
