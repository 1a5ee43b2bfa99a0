"""AgentServiceModel: the same model, stepped one ``mesa.Agent`` at a time, with the SimPy desk.

Customers are ``agents.customer.Customer`` objects holding their own scalars;
each process runs its per-agent version over them (``customers.do(rule, run, today)``,
the idiomatic Mesa way), with this engine's ``AgentDay`` (its agents by index,
today's block of visit dice, the day's judgements). The day's order, the firm, the dice, the SimPy desk
and the record are ``ServiceModel``'s, so the two engines differ only in how
the population is stored and stepped, and give identical runs for a seed.

Agents are stepped in a fixed order (index order, no shuffle): within a
process no customer's action touches another's state, so order cannot matter
to the decisions, and a fixed order keeps floating-point sums in the same
order as the arrays'.
"""

from __future__ import annotations

import numpy as np
import simpy

from agents.customer import Customer
from agents.desk import RecoveryDesk
from agents.population import Population
from agents.processes.base import AgentDay
from agents.processes.defection import decide_after_outcome
from agents.processes.recovery import abandoned_at_desk, resolved_at_desk
from sim.model import ServiceModel


class AgentServiceModel(ServiceModel):
    """``engine=agent``: the readable, per-customer reference engine."""

    def __init__(self, config):
        super().__init__(config)
        initial = self._people
        self._people = None  # from here on the agents hold the state
        self.fields = initial.fields
        self.customers = [
            Customer(self, index, {f.name: getattr(initial, f.name)[index].item() for f in self.fields})
            for index in range(initial.size)
        ]
        self.today.customers = self.customers

    def _new_day(self) -> AgentDay:
        return AgentDay()

    @property
    def people(self) -> Population:
        """A snapshot of every customer's state as arrays (a copy: writing to it changes nothing)."""
        return Population.of_objects(self.customers, self.fields)

    def _make_desk(self, r):
        """The reference engine keeps the SimPy desk: the two engines' identity checks one desk against the other."""
        self.env = simpy.Environment()  # SimPy's clock is the desk's clock, advanced a day per step
        return RecoveryDesk(
            self.env,
            staff=r.staff,
            on_resolved=self._complaint_resolved,
            on_abandoned=self._complaint_abandoned,
            fixed_delay=r.desk == "fixed_delay",
        )

    def answer_complaints(self, until: float) -> None:
        """§3.9 The SimPy desk runs to ``until``, calling back at each outcome's moment, one customer at a time."""
        self.desk.advance(until)

    def _complaint_resolved(self, index: int, delay: float) -> None:
        customer, now = self.customers[index], self.desk.moment
        resolved_at_desk(customer, delay, now, self.run_context, self.today)
        decide_after_outcome(customer, now, self.run_context, self.today)

    def _complaint_abandoned(self, index: int, waited: float) -> None:
        customer, now = self.customers[index], self.desk.moment
        abandoned_at_desk(customer, waited, now, self.run_context, self.today)
        decide_after_outcome(customer, now, self.run_context, self.today)

    def with_firm(self):
        return np.fromiter((customer.with_firm for customer in self.customers), dtype=np.bool_, count=len(self.customers))

    def roll_dice(self) -> None:
        """Today's dice, and every person's visit dice at once (what one agent reads)."""
        super().roll_dice()
        self.today.visit_dice = self.run_context.dice.visit_block()

    def run_process(self, process) -> None:
        process.agent(self.agents, self.run_context, self.today)
