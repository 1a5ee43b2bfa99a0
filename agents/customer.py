"""One customer as a Mesa agent: the per-person reading of the model.

An agent holds one person's state as plain Python numbers. What it does in
each process of the day is a function of ``agents.processes`` beside that
process's vectorised version (``customers.do(judge, run, today)`` is Mesa's
way to apply it to each agent), so the two engines cannot drift apart
unnoticed (a test holds them to identical runs).
"""

from __future__ import annotations

import mesa


class Customer(mesa.Agent):
    """A person in the market, with the firm or with the competitor.

    Besides the state of ``agents.population.CUSTOMER_STATE`` and the run's
    traits, an agent carries what happened at today's visit (``visiting``,
    ``failed_today``, ``perceived_today``, ``gap_today``, ``outcome_today``,
    ``shortfall_today``, ``complaining``) from one process to the next.
    """

    def __init__(self, model, index: int, state: dict):
        super().__init__(model)
        self.index = index  # this person's slot in the day's dice
        for name, value in state.items():
            setattr(self, name, value)
