"""One customer as a Mesa agent: the per-person reading of the model.

Each method is what this one person does in one process of the day; the
process modules in ``agents.processes`` hold the behaviour, beside its
vectorised version, so the two engines cannot drift apart unnoticed (a test
holds them to identical runs). Read top to bottom, the methods are a
customer's day.
"""

from __future__ import annotations

import mesa

from agents.processes import (
    acquisition,
    advertising,
    bookkeeping,
    defection,
    judgement,
    recovery,
    service,
    voice,
    word_of_mouth,
)


class Customer(mesa.Agent):
    """A person in the market, with the firm or with the competitor.

    Besides the state of ``agents.population.CUSTOMER_STATE`` an agent carries
    what happened at today's visit (``visiting``, ``perceived_today``,
    ``gap_today``, ``outcome_today``, ``complaining``) from one process to the next.
    """

    def __init__(self, model, index: int, state: dict):
        super().__init__(model)
        self.index = index  # this person's slot in the day's dice
        for name, value in state.items():
            setattr(self, name, value)

    def see_advertising(self, world) -> None:
        advertising.see_advertising(self, world)

    def visit(self, world) -> None:
        service.visit(self, world)

    def judge(self, world) -> None:
        judgement.judge(self, world)

    def speak_up_or_not(self, world) -> None:
        voice.speak_up_or_not(self, world)

    def take_complaint(self, world) -> None:
        recovery.take_complaint(self, world)

    def decide_to_stay(self, world) -> None:
        defection.decide_to_stay(self, world)

    def talk(self, world) -> float | None:
        return word_of_mouth.talk(self, world)

    def let_memory_fade(self, world) -> None:
        word_of_mouth.let_memory_fade(self, world)

    def hear(self, message: float) -> None:
        word_of_mouth.hear(self, message)

    def consider_joining(self, world) -> None:
        acquisition.consider_joining(self, world)

    def age(self, world) -> None:
        bookkeeping.age(self, world)
