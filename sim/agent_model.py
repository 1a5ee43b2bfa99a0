"""AgentServiceModel: the same model, stepped one ``mesa.Agent`` at a time.

Customers are ``agents.customer.Customer`` objects holding their own scalars;
each phase of the day is ``self.agents.do(...)``, the idiomatic Mesa way.
Everything else (the firm, the day's dice, the SimPy desk, the records) is
inherited from ``ServiceModel``, so the two engines differ only in how the
population is stored and stepped, and give identical runs for a seed.

Agents are stepped in a fixed order (index order, no shuffle): within a phase
no customer's action touches another's state, so order cannot matter to the
decisions, and a fixed order keeps floating-point sums in the same order as
the arrays'.
"""

from __future__ import annotations

import numpy as np

from agents.customer import Customer
from agents.population import CUSTOMER_STATE, Population
from sim.model import ServiceModel

# What the daily record reads from the population.
DAY_STATE_FIELDS = ("with_firm", "starting_customer", "expectation", "satisfaction", "trust")


class AgentServiceModel(ServiceModel):
    """``engine=agent``: the readable, per-customer reference engine."""

    def __init__(self, config):
        super().__init__(config)
        initial = self._people
        self._people = None  # from here on the agents hold the state
        self.customers = [
            Customer(self, index, {f.name: getattr(initial, f.name)[index].item() for f in CUSTOMER_STATE})
            for index in range(initial.size)
        ]

    @property
    def people(self) -> Population:
        """A snapshot of every customer's state as arrays (a copy: writing to it changes nothing)."""
        return self._snapshot(field.name for field in CUSTOMER_STATE)

    def _snapshot(self, names) -> Population:
        snapshot = Population(self.population_size)
        dtypes = {f.name: f.dtype for f in CUSTOMER_STATE}
        for name in names:
            values = np.fromiter((getattr(c, name) for c in self.customers), dtype=dtypes[name], count=len(self.customers))
            setattr(snapshot, name, values)
        return snapshot

    def _day_state(self) -> Population:
        return self._snapshot(DAY_STATE_FIELDS)

    def customer(self, index: int) -> Customer:
        return self.customers[index]

    def _advertise(self, u) -> None:
        self.agents.do("see_advertising", u)

    def _serve_the_day(self, uniform, normal) -> None:
        visit_log: list = []
        self.agents.do("visit", uniform, normal, visit_log)
        if visit_log:
            perceived, gap, outcome, failed, payouts, silent = (np.array(column) for column in zip(*visit_log))
        else:
            perceived = gap = failed = payouts = silent = np.array([], dtype=float)
            outcome = np.array([], dtype=np.int8)
        self._account_visits(perceived, gap, outcome.astype(np.int8), failed, payouts, int(np.sum(silent)))

    def _word_of_mouth(self, u) -> None:
        messages: list = []
        self.agents.do("talk", u, messages)
        listeners = self._draw_listeners(len(messages))
        self.agents.do("let_memory_fade")
        for listener, message in zip(listeners, messages):
            self.customers[listener].hear(message)
        self._count_messages(np.array(messages))

    def _acquire(self, u) -> None:
        self.agents.do("consider_joining", u)

    def _age_customers(self) -> None:
        self.agents.do("age")
