"""§3.1 Advertising: the promise reaches some people and, as far as they trust it, pulls what they expect."""

from __future__ import annotations

import numpy as np

from agents import rules
from agents.dice import U_ADVERT
from agents.processes.base import Process


def vector(people, world) -> None:
    exposed = np.flatnonzero(world.dice.population[U_ADVERT] < world.market.ad_reach)
    people.expectation[exposed] = rules.promise_pull(
        people.expectation[exposed], world.firm.promise, people.trust[exposed], world.behaviour.promise_pull
    )


def see_advertising(customer, world) -> None:
    if world.dice.population[U_ADVERT, customer.index] < world.market.ad_reach:
        customer.expectation = float(
            rules.promise_pull(customer.expectation, world.firm.promise, customer.trust, world.behaviour.promise_pull)
        )


def agent(customers, world) -> None:
    customers.do("see_advertising", world)


ADVERTISING = Process("advertising", vector, agent)
