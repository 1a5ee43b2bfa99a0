"""§3.12 Acquisition: people with the competitor join, drawn by the promise and word of mouth.

A newcomer starts with tenure 0 and sets their bar by what they heard too.
"""

from __future__ import annotations

from agents import rules
from agents.dice import U_JOIN
from agents.processes.base import Process, chosen, counter

COUNTERS = (counter("acquisitions", "people who joined the firm today"),)


def joining_chance(world, expectation, trust, heard, satisfaction):
    m = world.market
    return rules.acquisition_probability(
        expectation, trust, heard, satisfaction, m.competitor_quality, m.acquisition_rate, m.acquisition_scale
    )


def vector(people, world) -> None:
    def chance(prospects):
        return joining_chance(
            world, people.expectation[prospects], people.trust[prospects], people.heard[prospects], people.satisfaction[prospects]
        )

    joiners = chosen(~people.with_firm, world.dice.population[U_JOIN], chance, world.slice_size)
    people.with_firm[joiners] = True
    people.tenure[joiners] = 0
    people.expectation[joiners] += people.heard[joiners]  # what they heard sets their bar too
    people.heard[joiners] = 0.0
    world.tally["acquisitions"] += len(joiners)


def consider_joining(customer, world) -> None:
    if customer.with_firm:
        return
    chance = joining_chance(world, customer.expectation, customer.trust, customer.heard, customer.satisfaction)
    if world.dice.population[U_JOIN, customer.index] < chance:
        customer.with_firm = True
        customer.tenure = 0
        customer.expectation += customer.heard
        customer.heard = 0.0
        world.tally["acquisitions"] += 1


def agent(customers, world) -> None:
    customers.do("consider_joining", world)


ACQUISITION = Process("acquisition", vector, agent, COUNTERS)
