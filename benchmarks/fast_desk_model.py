"""The model with the queueing-recursion desk, for measuring until the model takes it itself.

``agents.fast_desk.QueueRecursionDesk`` gives the SimPy desk's outcomes (tested
against it); wiring it into ``sim.model`` is the model's own change. Until then
the benchmarks measure the vectorised engine with the fast desk through this
shim: the model is built as usual, then its desk is swapped before the first
day, and its clock (``env.run(until=...)``, all the model asks of SimPy) moves
the new desk. Once the model builds a ``QueueRecursionDesk`` itself, the shim
leaves it alone.
"""

from __future__ import annotations

from agents.fast_desk import QueueRecursionDesk


class DeskClock:
    """Stands in for the SimPy environment: ``run(until=...)`` advances the desk."""

    def __init__(self, desk: QueueRecursionDesk):
        self.desk = desk

    def run(self, until: float) -> None:
        self.desk.advance(until)


def with_fast_desk(model):
    """``model`` (not yet stepped) answering its complaints with a ``QueueRecursionDesk``."""
    if isinstance(model.desk, QueueRecursionDesk):
        return model
    recovery = model.config.recovery
    model.desk = QueueRecursionDesk(
        staff=recovery.staff,
        on_resolved=model._complaint_resolved,
        on_abandoned=model._complaint_abandoned,
        fixed_delay=recovery.desk == "fixed_delay",
    )
    model.env = DeskClock(model.desk)
    return model


def use_fast_desk() -> None:
    """Make ``sim.run.simulate`` build the vectorised engine with the fast desk (in this process only).

    The per-agent engine keeps the SimPy desk, as it will once the model is wired.
    """
    from sim import run

    build = run.build_model

    def build_with_fast_desk(config):
        model = build(config)
        return with_fast_desk(model) if config.engine == "vector" else model

    run.build_model = build_with_fast_desk
