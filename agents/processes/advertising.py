"""§3.1 Advertising: the promise reaches some people and, as far as they trust it, pulls what they expect."""

from __future__ import annotations

import numpy as np
from mesa.agent import AgentSet

from agents import rules
from agents.customer import Customer
from agents.dice import U_ADVERT
from agents.population import Population
from agents.processes.base import AgentDay, DayState, Process, RunContext


def vector(people: Population, run: RunContext, today: DayState) -> None:
    exposed = np.flatnonzero(run.dice.population[U_ADVERT] < run.market.ad_reach)
    people.expectation[exposed] = rules.promise_pull(
        people.expectation[exposed], run.firm.promise, people.trust[exposed], run.behaviour.promise_pull
    )


def see_advertising(customer: Customer, run: RunContext) -> None:
    if run.dice.population[U_ADVERT, customer.index] < run.market.ad_reach:
        customer.expectation = float(
            rules.promise_pull(customer.expectation, run.firm.promise, customer.trust, run.behaviour.promise_pull)
        )


def agent(customers: AgentSet, run: RunContext, today: AgentDay) -> None:
    customers.do(see_advertising, run)

ADVERTISING = Process("advertising", vector, agent)
