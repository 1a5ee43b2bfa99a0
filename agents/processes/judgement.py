"""§3.4-3.7 Judgement: perception against expectation moves satisfaction, trust and expectation.

Disconfirmation is classified into the four outcomes by the zone of tolerance;
its prospect-theory value moves satisfaction; a broken promise (explicit or
implicit) cuts trust; a guarantee pays when the *stated* promise is missed
(and then softens the cut); expectation learns from what was perceived. A
visit below the zone leaves a grievance of ``problem_grievance`` plus the depth
of the shortfall, and is logged as a problem.
"""

from __future__ import annotations

import math

import numpy as np

from mesa.agent import AgentSet

from agents import rules
from agents.customer import Customer
from agents.population import Population
from agents.processes.base import AgentDay, Column, DayState, Process, RunContext, counter

COUNTERS = (
    counter("dissatisfied", "visits below the zone of tolerance"),
    counter("first_problems", "customers whose visit today was their first below the zone"),
    Column("share_below", np.float64, False, "share of today's visits below the zone"),
    Column("share_equal", np.float64, False, "share inside the zone"),
    Column("share_above", np.float64, False, "share above the zone"),
    Column("share_delight", np.float64, False, "share far above it (delight)"),
    Column("mean_perceived", np.float64, False, "mean perceived quality of today's visits, points"),
    Column("gap_customer", np.float64, False, "GAP 5: mean perceived minus expected quality, points"),
    counter("guarantee_cost", "guarantee compensation paid today, money units", np.float64),
)


def guarantee_value(run: RunContext) -> float:
    """Satisfaction a guarantee's automatic compensation adds on a broken promise."""
    if not run.firm.guarantee:
        return 0.0
    return float(rules.compensation_value(run.firm.guarantee_payout, run.behaviour.compensation_weight))


def trust_softening(run: RunContext) -> float:
    return run.behaviour.guarantee_trust_softening if run.firm.guarantee else 0.0


def vector(people: Population, run: RunContext, today: DayState) -> None:
    visits, b, firm = today.visits, run.behaviour, run.firm
    visitors, perceived = visits.visitors, visits.perceived
    expectation = people.expectation[visitors]
    tolerance = people.tolerance[visitors]
    gap = rules.disconfirmation(perceived, expectation)
    outcome = rules.classify_outcome(gap, tolerance, b.delight_margin)
    value = rules.experience_value(gap, tolerance, people.loss_aversion[visitors], b.value_curvature)
    broken = rules.promise_broken(perceived, firm.promise, expectation, tolerance)
    owed = firm.guarantee & rules.guarantee_owed(perceived, firm.promise, firm.guarantee_tolerance)
    value = value + owed * guarantee_value(run)
    before = people.satisfaction[visitors]
    after = rules.update_satisfaction(before, value, b.satisfaction_rate)
    people.satisfaction[visitors] = after
    people.trust[visitors] = rules.update_trust(
        people.trust[visitors], broken, b.trust_gain, b.trust_loss, owed * trust_softening(run)
    )
    people.expectation[visitors] = rules.learn_expectation(expectation, perceived, people.learning_rate[visitors], b.negativity_bias)
    people.last_perceived[visitors] = perceived
    depth = rules.shortfall(gap, tolerance)
    people.grievance[visitors] = rules.grievance_after_problem(people.grievance[visitors], depth, b.problem_grievance)
    below = outcome == rules.BELOW
    purchases = people.purchases[visitors]
    today.tally["first_problems"] += int(np.sum(below & (people.problems[visitors] == 0)))
    people.problems[visitors] += below
    people.purchases[visitors] = purchases + 1
    payouts = owed * firm.payout_per_broken_promise
    people.value[visitors] += firm.visit_margin(today.day) - payouts
    visits.gap, visits.outcome, visits.shortfall = gap, outcome, depth
    run.events.add(
        "problem",
        today.day,
        visitors[below],
        shortfall=depth[below],
        chain_failed=visits.failed[below],
        purchases=purchases[below],
        satisfaction_before=before[below],
        satisfaction=after[below],
    )
    if run.events.every_visit:
        run.events.add("visit", today.day, visitors, perceived=perceived, gap=gap, outcome=outcome)
    record(today, perceived, gap, outcome, payouts)


def judge(customer: Customer, run: RunContext, today: AgentDay) -> None:
    if not customer.visiting:
        return
    b, firm = run.behaviour, run.firm
    perceived = customer.perceived_today
    gap = float(rules.disconfirmation(perceived, customer.expectation))
    outcome = int(rules.classify_outcome(gap, customer.tolerance, b.delight_margin))
    value = rules.experience_value(gap, customer.tolerance, customer.loss_aversion, b.value_curvature)
    broken = bool(rules.promise_broken(perceived, firm.promise, customer.expectation, customer.tolerance))
    owed = bool(firm.guarantee and rules.guarantee_owed(perceived, firm.promise, firm.guarantee_tolerance))
    value = value + owed * guarantee_value(run)
    before = customer.satisfaction
    customer.satisfaction = float(rules.update_satisfaction(before, value, b.satisfaction_rate))
    customer.trust = float(
        rules.update_trust(customer.trust, broken, b.trust_gain, b.trust_loss, owed * trust_softening(run))
    )
    customer.expectation = float(
        rules.learn_expectation(customer.expectation, perceived, customer.learning_rate, b.negativity_bias)
    )
    customer.last_perceived = perceived
    depth = float(rules.shortfall(gap, customer.tolerance))
    customer.grievance = float(rules.grievance_after_problem(customer.grievance, depth, b.problem_grievance))
    below = outcome == rules.BELOW
    if below:
        today.tally["first_problems"] += customer.problems == 0
        run.events.add(
            "problem",
            today.day,
            customer.index,
            shortfall=depth,
            chain_failed=customer.failed_today,
            purchases=customer.purchases,
            satisfaction_before=before,
            satisfaction=customer.satisfaction,
        )
    customer.problems += below
    customer.purchases += 1
    payout = owed * firm.payout_per_broken_promise
    customer.value += firm.visit_margin(today.day) - payout
    customer.gap_today, customer.outcome_today, customer.shortfall_today = gap, outcome, depth
    today.visit_log.append((customer.index, perceived, gap, outcome, payout))


def agent(customers: AgentSet, run: RunContext, today: AgentDay) -> None:
    today.visit_log = []
    customers.do(judge, run, today)
    if today.visit_log:
        visitors, perceived, gap, outcome, payouts = (np.array(column) for column in zip(*today.visit_log))
    else:
        visitors = np.array([], dtype=np.int64)
        perceived = gap = payouts = np.array([], dtype=float)
        outcome = np.array([], dtype=np.int8)
    outcome = outcome.astype(np.int8)
    if run.events.every_visit:
        run.events.add("visit", today.day, visitors, perceived=perceived, gap=gap, outcome=outcome)
    record(today, perceived, gap, outcome, payouts)


def record(today: DayState, perceived, gap, outcome, payouts) -> None:
    """Today's judgements in the record; both engines hand the same arrays in visitor order."""
    n_visits = len(perceived)
    counts = np.bincount(outcome, minlength=4)
    today.tally.update(
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
