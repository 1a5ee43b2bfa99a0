"""§3.11 Word of mouth: satisfied customers recommend, dissatisfied ones warn (more often).

Each message reaches one person drawn from the whole market; only people not
with the firm are swayed, and what they heard fades day by day.
"""

from __future__ import annotations

import numpy as np
from mesa.agent import AgentSet

from agents import rules
from agents.customer import Customer
from agents.dice import U_TALK
from agents.population import Population
from agents.processes.base import AgentDay, DayState, Process, RunContext, chosen, counter

COUNTERS = (
    counter("recommendations", "messages praising the firm today"),
    counter("warnings", "messages warning against it today"),
)


def talk_rate(run: RunContext, satisfaction):
    b = run.behaviour
    return rules.word_of_mouth_rate(satisfaction, b.wom_threshold, b.wom_rate_satisfied, b.wom_rate_dissatisfied)


def vector(people: Population, run: RunContext, today: DayState) -> None:
    b = run.behaviour
    talkers = chosen(
        people.with_firm, run.dice.population[U_TALK], lambda some: talk_rate(run, people.satisfaction[some]), run.slice_size
    )
    messages = np.sign(people.satisfaction[talkers]) * b.wom_impact
    listeners = run.talk_rng.integers(0, run.population_size, size=len(messages))
    prospects = ~people.with_firm[listeners]
    people.heard *= 1.0 - b.wom_decay
    np.add.at(people.heard, listeners[prospects], messages[prospects])
    count_messages(today, messages)


def talk(customer: Customer, run: RunContext) -> float | None:
    """A customer with something to tell tells it: the message, or None."""
    if customer.with_firm and run.dice.population[U_TALK, customer.index] < talk_rate(run, customer.satisfaction):
        return float(np.sign(customer.satisfaction) * run.behaviour.wom_impact)
    return None


def let_memory_fade(customer: Customer, run: RunContext) -> None:
    customer.heard *= 1.0 - run.behaviour.wom_decay


def hear(customer: Customer, message: float) -> None:
    """Only people not yet with the firm are swayed by what they hear."""
    if not customer.with_firm:
        customer.heard += message


def agent(customers: AgentSet, run: RunContext, today: AgentDay) -> None:
    messages = [message for message in customers.map(talk, run) if message is not None]
    listeners = run.talk_rng.integers(0, run.population_size, size=len(messages))
    customers.do(let_memory_fade, run)
    for listener, message in zip(listeners, messages):
        hear(today.customers[int(listener)], message)
    count_messages(today, np.array(messages))


def count_messages(today: DayState, messages: np.ndarray) -> None:
    today.tally["recommendations"] += int(np.sum(messages > 0))
    today.tally["warnings"] += int(np.sum(messages < 0))

WORD_OF_MOUTH = Process("word_of_mouth", vector, agent, COUNTERS)
