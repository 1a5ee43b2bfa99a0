"""One customer as a Mesa agent: the reference, per-person reading of the model.

Each method is one phase of MODEL.md §3 for this one person, calling the same
rules as the vectorised engine on this person's own numbers, and reading this
person's slot of the day's dice. It is the version of the model to read when
teaching ("this is what one customer does each day"), and the baseline the
vectorised engine is checked against: both give identical runs.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents import rules
from agents.dice import (
    V_ARRIVAL,
    V_COMPLAIN,
    V_DEFECT,
    V_FAILURE,
    V_HANDLING,
    V_ON_THE_SPOT,
    V_PATIENCE,
    V_PERCEPTION,
    V_QUALITY,
)
from agents.population import NO_PROBLEM, SILENT


class Customer(mesa.Agent):
    """A person in the market, with the firm or with the competitor."""

    def __init__(self, model, index: int, state: dict):
        super().__init__(model)
        self.index = index  # this person's slot in the day's dice
        for name, value in state.items():
            setattr(self, name, value)

    # §3.1
    def see_advertising(self, u_advert) -> None:
        """A credible promise pulls what I expect toward it."""
        model = self.model
        if u_advert[self.index] < model.market.ad_reach:
            self.expectation = float(
                rules.promise_pull(self.expectation, model.firm.promise, self.trust, model.customer_rules.promise_pull)
            )

    # §3.2-3.10
    def visit(self, u_visit, visit_dice, visit_log: list) -> None:
        """If I visit today: perceive, judge, update, complain or stay silent, then stay or leave."""
        model, c, i = self.model, self.model.customer_rules, self.index
        if not (self.with_firm and u_visit[i] < self.visit_rate):
            return
        failed = bool(visit_dice[V_FAILURE, i] < model.firm.failure_probability)
        delivered = model.delivered_quality(visit_dice[V_QUALITY, i], failed)
        perceived = float(model.perceived_quality(delivered, visit_dice[V_PERCEPTION, i]))

        gap = float(rules.disconfirmation(perceived, self.expectation))
        outcome = int(rules.classify_outcome(gap, self.tolerance, c.delight_margin))
        value = rules.experience_value(gap, self.tolerance, self.loss_aversion, c.value_curvature)
        broken = bool(rules.promise_broken(perceived, model.firm.promise, self.expectation, self.tolerance))
        value = value + broken * model.guarantee_value
        self.satisfaction = float(rules.update_satisfaction(self.satisfaction, value, c.satisfaction_rate))
        self.trust = float(rules.update_trust(self.trust, broken, c.trust_gain, c.trust_loss, model.trust_softening))
        self.expectation = float(rules.learn_expectation(self.expectation, perceived, self.learning_rate, c.negativity_bias))
        self.last_perceived = perceived
        below = outcome == rules.BELOW
        self.problems += below
        payout = broken * model.guarantee_payout
        self.value += model.visit_margin - payout

        silent = False
        if below and not self.complaint_pending:
            chance = rules.complaint_probability(self.complaint_propensity, gap, self.tolerance, model.complaint_boost)
            if visit_dice[V_COMPLAIN, i] < chance:
                self._complain(visit_dice)
            else:
                silent = True
                if self.history == NO_PROBLEM:
                    self.history = SILENT
        visit_log.append((perceived, gap, outcome, failed, payout, silent))

        if not self.complaint_pending:
            chance = model.defection_chance(self.satisfaction, self.switching_cost, self.tenure, self.trust)
            if visit_dice[V_DEFECT, i] < chance:
                self.with_firm = False
                self.tenure = 0
                model._count_departures(np.array([self.history]))

    def _complain(self, visit_dice) -> None:
        """Speak up: the front line may solve it at once, else it goes to the desk."""
        model, i = self.model, self.index
        self.complaints += 1
        model.day_totals["complaints"] += 1
        if visit_dice[V_ON_THE_SPOT, i] < model.recovery.on_the_spot:
            model.day_totals["complaints_on_the_spot"] += 1
            model._apply_resolution(self, 0.0)
        else:
            model._send_to_desk(
                self, float(visit_dice[V_ARRIVAL, i]), float(visit_dice[V_PATIENCE, i]), float(visit_dice[V_HANDLING, i])
            )

    # §3.11
    def talk(self, u_talk, messages: list) -> None:
        """A customer with something to tell tells it: praise or a warning."""
        c = self.model.customer_rules
        if not self.with_firm:
            return
        rate = rules.word_of_mouth_rate(self.satisfaction, c.wom_threshold, c.wom_rate_satisfied, c.wom_rate_dissatisfied)
        if u_talk[self.index] < rate:
            messages.append(float(np.sign(self.satisfaction) * c.wom_impact))

    def let_memory_fade(self) -> None:
        self.heard *= 1.0 - self.model.customer_rules.wom_decay

    def hear(self, message: float) -> None:
        """Only people not yet with the firm are swayed by what they hear."""
        if not self.with_firm:
            self.heard += message

    # §3.12
    def consider_joining(self, u_join) -> None:
        """With the competitor: join the firm if its promise and reputation draw me."""
        model = self.model
        if self.with_firm:
            return
        chance = model.joining_chance(self.expectation, self.trust, self.heard, self.satisfaction)
        if u_join[self.index] < chance:
            self.with_firm = True
            self.tenure = 0
            self.expectation += self.heard
            self.heard = 0.0
            model.day_totals["acquisitions"] += 1

    def age(self) -> None:
        if self.with_firm:
            self.tenure += 1
