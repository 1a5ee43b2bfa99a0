"""The vectorised engine with the SimPy desk, to measure what the computed desk saves.

The vectorised engine answers complaints with ``agents.fast_desk.QueueRecursionDesk``
(the per-agent engine keeps the SimPy desk; both give the same outcomes, tested).
``use_simpy_desk()`` makes every model built afterwards in this process build the
per-agent engine's SimPy desk instead, for the benchmarks' before/after comparison only;
its callbacks collect a day's outcomes so that the model applies them as it does the
computed desk's.
"""

from __future__ import annotations

import simpy

from agents.desk import RecoveryDesk
from sim.model import ServiceModel


class SimPyDeskInBatches(RecoveryDesk):
    """The SimPy desk handing over a day's outcomes at once, as ``QueueRecursionDesk.take_outcomes`` does."""

    def __init__(self, *, staff: int, fixed_delay: bool):
        super().__init__(simpy.Environment(), staff=staff, on_resolved=self._resolved, on_abandoned=self._abandoned,
                         fixed_delay=fixed_delay)
        self._outcomes: list = []

    def _resolved(self, customer: int, delay: float) -> None:
        self._outcomes.append((customer, self.env.now, delay, True))

    def _abandoned(self, customer: int, waited: float) -> None:
        self._outcomes.append((customer, self.env.now, waited, False))

    def take_outcomes(self, until: float) -> tuple[list, list, list, list]:
        self.advance(until)
        outcomes, self._outcomes = self._outcomes, []
        return tuple(map(list, zip(*outcomes))) if outcomes else ([], [], [], [])


def use_simpy_desk() -> None:
    ServiceModel._make_desk = lambda model, r: SimPyDeskInBatches(staff=r.staff, fixed_delay=r.desk == "fixed_delay")
