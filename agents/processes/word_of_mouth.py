"""§3.11 Word of mouth: satisfied customers recommend, dissatisfied ones warn (more often).

Each message reaches one person drawn from the whole market; only people not
with the firm are swayed, and what they heard fades day by day.
"""

from __future__ import annotations

import numpy as np

from agents import rules
from agents.dice import U_TALK
from agents.processes.base import Process, chosen, counter

COUNTERS = (
    counter("recommendations", "messages praising the firm today"),
    counter("warnings", "messages warning against it today"),
)


def talk_rate(world, satisfaction):
    b = world.behaviour
    return rules.word_of_mouth_rate(satisfaction, b.wom_threshold, b.wom_rate_satisfied, b.wom_rate_dissatisfied)


def vector(people, world) -> None:
    b = world.behaviour
    talkers = chosen(
        people.with_firm, world.dice.population[U_TALK], lambda some: talk_rate(world, people.satisfaction[some]), world.slice_size
    )
    messages = np.sign(people.satisfaction[talkers]) * b.wom_impact
    listeners = world.talk_rng.integers(0, world.population_size, size=len(messages))
    prospects = ~people.with_firm[listeners]
    people.heard *= 1.0 - b.wom_decay
    np.add.at(people.heard, listeners[prospects], messages[prospects])
    count_messages(world, messages)


def talk(customer, world) -> float | None:
    """A customer with something to tell tells it: the message, or None."""
    if customer.with_firm and world.dice.population[U_TALK, customer.index] < talk_rate(world, customer.satisfaction):
        return float(np.sign(customer.satisfaction) * world.behaviour.wom_impact)
    return None


def let_memory_fade(customer, world) -> None:
    customer.heard *= 1.0 - world.behaviour.wom_decay


def hear(customer, message: float) -> None:
    """Only people not yet with the firm are swayed by what they hear."""
    if not customer.with_firm:
        customer.heard += message


def agent(customers, world) -> None:
    messages = [message for message in customers.map("talk", world) if message is not None]
    listeners = world.talk_rng.integers(0, world.population_size, size=len(messages))
    customers.do("let_memory_fade", world)
    for listener, message in zip(listeners, messages):
        world.customer(int(listener)).hear(message)
    count_messages(world, np.array(messages))


def count_messages(world, messages: np.ndarray) -> None:
    world.tally["recommendations"] += int(np.sum(messages > 0))
    world.tally["warnings"] += int(np.sum(messages < 0))


WORD_OF_MOUTH = Process("word_of_mouth", vector, agent, COUNTERS)
