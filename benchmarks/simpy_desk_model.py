"""The vectorised engine with the SimPy desk, to measure what the computed desk saves.

The vectorised engine answers complaints with ``agents.fast_desk.QueueRecursionDesk``
(the per-agent engine keeps the SimPy desk; both give the same outcomes, tested).
``use_simpy_desk()`` makes every model built afterwards in this process build the
per-agent engine's SimPy desk instead, for the benchmarks' before/after comparison only.
"""

from __future__ import annotations

from sim.agent_model import AgentServiceModel
from sim.model import ServiceModel


def use_simpy_desk() -> None:
    ServiceModel._make_desk = AgentServiceModel._make_desk
