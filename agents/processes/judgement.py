"""§3.4-3.7 Judgement: perception against expectation moves satisfaction, trust and expectation.

Disconfirmation is classified into the four outcomes by the zone of tolerance;
its prospect-theory value moves satisfaction; a broken promise (explicit or
implicit) cuts trust, softened when a guarantee pays out; expectation learns
from what was perceived.
"""

from __future__ import annotations

import math

import numpy as np

from agents import rules
from agents.processes.base import Column, Process, counter

COUNTERS = (
    counter("dissatisfied", "visits below the zone of tolerance"),
    Column("share_below", np.float64, False, "share of today's visits below the zone"),
    Column("share_equal", np.float64, False, "share inside the zone"),
    Column("share_above", np.float64, False, "share above the zone"),
    Column("share_delight", np.float64, False, "share far above it (delight)"),
    Column("mean_perceived", np.float64, False, "mean perceived quality of today's visits, points"),
    Column("gap_customer", np.float64, False, "GAP 5: mean perceived minus expected quality, points"),
    counter("guarantee_cost", "guarantee compensation paid today, money units", np.float64),
)


def guarantee_value(world) -> float:
    """Satisfaction a guarantee's automatic compensation adds on a broken promise."""
    if not world.firm.guarantee:
        return 0.0
    return float(rules.compensation_value(world.firm.guarantee_payout, world.behaviour.compensation_weight))


def trust_softening(world) -> float:
    return world.behaviour.guarantee_trust_softening if world.firm.guarantee else 0.0


def vector(people, world) -> None:
    visits, b, firm = world.visits, world.behaviour, world.firm
    visitors, perceived = visits.visitors, visits.perceived
    expectation = people.expectation[visitors]
    tolerance = people.tolerance[visitors]
    gap = rules.disconfirmation(perceived, expectation)
    outcome = rules.classify_outcome(gap, tolerance, b.delight_margin)
    value = rules.experience_value(gap, tolerance, people.loss_aversion[visitors], b.value_curvature)
    broken = rules.promise_broken(perceived, firm.promise, expectation, tolerance)
    value = value + broken * guarantee_value(world)
    people.satisfaction[visitors] = rules.update_satisfaction(people.satisfaction[visitors], value, b.satisfaction_rate)
    people.trust[visitors] = rules.update_trust(people.trust[visitors], broken, b.trust_gain, b.trust_loss, trust_softening(world))
    people.expectation[visitors] = rules.learn_expectation(expectation, perceived, people.learning_rate[visitors], b.negativity_bias)
    people.last_perceived[visitors] = perceived
    people.problems[visitors] += outcome == rules.BELOW
    payouts = broken * firm.payout_per_broken_promise
    people.value[visitors] += firm.visit_margin(world.day) - payouts
    visits.gap, visits.outcome = gap, outcome
    record(world, perceived, gap, outcome, payouts)


def judge(customer, world) -> None:
    if not customer.visiting:
        return
    b, firm = world.behaviour, world.firm
    perceived = customer.perceived_today
    gap = float(rules.disconfirmation(perceived, customer.expectation))
    outcome = int(rules.classify_outcome(gap, customer.tolerance, b.delight_margin))
    value = rules.experience_value(gap, customer.tolerance, customer.loss_aversion, b.value_curvature)
    broken = bool(rules.promise_broken(perceived, firm.promise, customer.expectation, customer.tolerance))
    value = value + broken * guarantee_value(world)
    customer.satisfaction = float(rules.update_satisfaction(customer.satisfaction, value, b.satisfaction_rate))
    customer.trust = float(rules.update_trust(customer.trust, broken, b.trust_gain, b.trust_loss, trust_softening(world)))
    customer.expectation = float(
        rules.learn_expectation(customer.expectation, perceived, customer.learning_rate, b.negativity_bias)
    )
    customer.last_perceived = perceived
    customer.problems += outcome == rules.BELOW
    payout = broken * firm.payout_per_broken_promise
    customer.value += firm.visit_margin(world.day) - payout
    customer.gap_today, customer.outcome_today = gap, outcome
    world.visit_log.append((perceived, gap, outcome, payout))


def agent(customers, world) -> None:
    world.visit_log = []
    customers.do("judge", world)
    if world.visit_log:
        perceived, gap, outcome, payouts = (np.array(column) for column in zip(*world.visit_log))
    else:
        perceived = gap = payouts = np.array([], dtype=float)
        outcome = np.array([], dtype=np.int8)
    record(world, perceived, gap, outcome.astype(np.int8), payouts)


def record(world, perceived, gap, outcome, payouts) -> None:
    """Today's judgements in the record; both engines hand the same arrays in visitor order."""
    n_visits = len(perceived)
    counts = np.bincount(outcome, minlength=4)
    world.tally.update(
        dissatisfied=int(counts[rules.BELOW]),
        share_below=counts[rules.BELOW] / max(n_visits, 1),
        share_equal=counts[rules.EQUAL] / max(n_visits, 1),
        share_above=counts[rules.ABOVE] / max(n_visits, 1),
        share_delight=counts[rules.DELIGHT] / max(n_visits, 1),
        mean_perceived=float(np.mean(perceived)) if n_visits else math.nan,
        gap_customer=float(np.mean(gap)) if n_visits else math.nan,
        guarantee_cost=float(np.sum(payouts)),
    )


JUDGEMENT = Process("judgement", vector, agent, COUNTERS)
