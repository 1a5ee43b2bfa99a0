"""The vectorised engine with the SimPy desk, to measure what the computed desk saves.

The vectorised engine answers complaints with ``agents.fast_desk.QueueRecursionDesk``
(the per-agent engine keeps the SimPy desk; both give the same outcomes, tested).
``use_simpy_desk()`` makes every model built afterwards in this process use the
SimPy desk instead, for the benchmarks' before/after comparison only.
"""

from __future__ import annotations

import simpy

from agents.desk import RecoveryDesk
from sim.model import ServiceModel


def _simpy_desk(model, r):
    model.env = simpy.Environment()
    return RecoveryDesk(
        model.env,
        staff=r.staff,
        on_resolved=model._complaint_resolved,
        on_abandoned=model._complaint_abandoned,
        fixed_delay=r.desk == "fixed_delay",
    )


def use_simpy_desk() -> None:
    ServiceModel._make_desk = _simpy_desk
