"""§3.9 Recovery: the front line solves some complaints at once, the rest wait for the SimPy desk.

A resolution adds justice-weighted recovery value to satisfaction (outcome:
compensation; procedure: speed; interaction: apology), heals part of the
grievance the problem left, wins back trust in the same measure, and costs
the compensation. A complaint nobody answers before the customer's patience
runs out is a second failure: the grievance grows and trust is cut as by a
broken promise. Patience and handling time come from the
complainant's own dice, so staffing never reorders anyone else's.
The SimPy desk calls ``resolved_at_desk`` and ``abandoned_at_desk`` at the
moment each outcome happens (the per-agent engine wires them, then lets the
customer decide); the vector engine's computed desk hands over a day's
outcomes at once, in the order they happen, and ``answered_at_desk`` applies
them as arrays.
"""

from __future__ import annotations

from itertools import repeat

from typing import TYPE_CHECKING

import numpy as np
from mesa.agent import AgentSet

from agents import rules
from agents.customer import Customer
from agents.dice import V_ARRIVAL, V_HANDLING, V_ON_THE_SPOT, V_PATIENCE
from agents.population import RESOLVED, RESOLVED_FAST, UNRESOLVED, Population
from agents.processes.base import AgentDay, DayState, Process, RunContext, added_in_order, counter

if TYPE_CHECKING:
    from sim.params import RecoveryConfig

COUNTERS = (
    counter("complaints_on_the_spot", "complaints the front line solved at once"),
    counter("resolutions", "complaints resolved today (front line and desk)"),
    counter("abandoned", "complainants who gave up waiting on the desk today"),
    counter("recovery_days", "days from complaint to resolution, summed over today's resolutions", np.float64),
    counter("compensation_cost", "compensation paid on today's resolutions, money units", np.float64),
)


def vector(people: Population, run: RunContext, today: DayState) -> None:
    complainants, dice, r = today.visits.complainants, run.dice, run.recovery
    on_the_spot = dice.visit(V_ON_THE_SPOT, complainants) < r.on_the_spot
    run.events.add("complaint", today.day, complainants, channel=np.where(on_the_spot, 0, 1))
    solved = complainants[on_the_spot]
    resolve_all(people, solved, np.zeros(len(solved)), today.day, run, today)
    today.tally["complaints_on_the_spot"] += int(on_the_spot.sum())
    to_desk = complainants[~on_the_spot]  # send_to_desk for each, in one submission
    people.complaint_pending[to_desk] = True
    run.desk.submit_many(
        to_desk,
        today.day + dice.visit(V_ARRIVAL, to_desk),
        run.behaviour.patience_days * dice.visit(V_PATIENCE, to_desk),
        np.broadcast_to(handling_days(r, dice.visit(V_HANDLING, to_desk)), len(to_desk)),
    )


def take_complaint(customer: Customer, run: RunContext, today: AgentDay) -> None:
    if not customer.complaining:
        return
    i, dice = customer.index, today.visit_dice
    on_the_spot = dice[V_ON_THE_SPOT, i] < run.recovery.on_the_spot
    run.events.add("complaint", today.day, i, channel=0 if on_the_spot else 1)
    if on_the_spot:
        today.tally["complaints_on_the_spot"] += 1
        resolve(customer, 0.0, today.day, run, today)
    else:
        send_to_desk(customer, float(dice[V_ARRIVAL, i]), float(dice[V_PATIENCE, i]), float(dice[V_HANDLING, i]), run, today)


def agent(customers: AgentSet, run: RunContext, today: AgentDay) -> None:
    customers.do(take_complaint, run, today)


def handling_days(r: RecoveryConfig, handling_die):
    """How long handling takes: exponential around the mean (the dice are unit-mean), or exactly the mean at a fixed-delay desk."""
    return r.handling_days if r.desk == "fixed_delay" else r.handling_days * handling_die


def send_to_desk(customer: Customer, moment_in_day: float, patience_die: float, handling_die: float, run: RunContext, today: DayState) -> None:
    """The complaint reaches the desk at its moment today; the customer waits for the answer.

    Patience is exponential around its mean (the dice are unit-mean exponentials).
    """
    customer.complaint_pending = True
    patience = run.behaviour.patience_days * patience_die
    run.desk.submit(customer.index, today.day + moment_in_day, patience, handling_days(run.recovery, handling_die))


def resolve(customer: Customer, delay: float, time: float, run: RunContext, today: DayState) -> None:
    """Justice-weighted recovery value and healing, the record, and what it cost."""
    r, b = run.recovery, run.behaviour
    complaints = int(customer.complaints)
    customer.satisfaction += rules.recovery_value(delay, r.compensation, float(r.apology), complaints, run.weights)
    healed = rules.restoration(delay, r.compensation, float(r.apology), complaints, run.weights, b.recovery_restoration)
    customer.grievance = float(rules.grievance_after_resolution(customer.grievance, healed))
    customer.trust = float(rules.trust_after_recovery(customer.trust, healed))
    customer.history = RESOLVED_FAST if delay <= r.fast_days else RESOLVED
    compensation = r.compensation * run.firm.price
    customer.value -= compensation
    today.tally["compensation_cost"] += compensation
    today.tally["resolutions"] += 1
    today.tally["recovery_days"] += delay
    run.resolution_delays.append(delay)
    run.events.add("resolved", time, customer.index, delay=delay, satisfaction=customer.satisfaction)


def resolve_all(people: Population, customers: np.ndarray, delays: np.ndarray, times, run: RunContext, today: DayState) -> None:
    """``resolve`` for many customers at once, each listed at most once, in the order they are resolved.

    Each resolution touches its own customer and adds to the day's sums: applied
    together they give what one by one would, the float sums added in the same order.
    """
    if not len(customers):
        return
    r, b = run.recovery, run.behaviour
    complaints = people.complaints[customers]
    satisfaction = people.satisfaction[customers] + rules.recovery_value(delays, r.compensation, float(r.apology), complaints, run.weights)
    people.satisfaction[customers] = satisfaction
    healed = rules.restoration(delays, r.compensation, float(r.apology), complaints, run.weights, b.recovery_restoration)
    people.grievance[customers] = rules.grievance_after_resolution(people.grievance[customers], healed)
    people.trust[customers] = rules.trust_after_recovery(people.trust[customers], healed)
    people.history[customers] = np.where(delays <= r.fast_days, RESOLVED_FAST, RESOLVED)
    compensation = r.compensation * run.firm.price
    people.value[customers] -= compensation
    tally, delay_list = today.tally, delays.tolist()
    tally["compensation_cost"] = added_in_order(tally["compensation_cost"], repeat(compensation, len(customers)))
    tally["resolutions"] += len(customers)
    tally["recovery_days"] = added_in_order(tally["recovery_days"], delay_list)
    run.resolution_delays.extend(delay_list)
    run.events.add("resolved", times, customers, delay=delays, satisfaction=satisfaction)


def resolved_at_desk(customer: Customer, delay: float, time: float, run: RunContext, today: DayState) -> None:
    resolve(customer, delay, time, run, today)
    customer.complaint_pending = False


def abandoned_at_desk(customer: Customer, waited: float, time: float, run: RunContext, today: DayState) -> None:
    """Nobody answered in time: a second failure (double deviation)."""
    b = run.behaviour
    customer.satisfaction -= b.abandonment_penalty
    customer.grievance = float(rules.grievance_after_abandonment(customer.grievance, b.abandonment_grievance))
    # nobody answered: the implicit promise to hear the customer is broken
    customer.trust = float(rules.update_trust(customer.trust, True, 0.0, b.trust_loss, 0.0))
    customer.history = UNRESOLVED
    today.tally["abandoned"] += 1
    customer.complaint_pending = False
    run.events.add("abandoned", time, customer.index, delay=waited, satisfaction=customer.satisfaction)


def abandon_all(people: Population, customers: np.ndarray, waits: np.ndarray, times: np.ndarray, run: RunContext, today: DayState) -> None:
    """``abandoned_at_desk`` for many customers at once, each listed at most once (no float sums here)."""
    if not len(customers):
        return
    b = run.behaviour
    satisfaction = people.satisfaction[customers] - b.abandonment_penalty
    people.satisfaction[customers] = satisfaction
    people.grievance[customers] = rules.grievance_after_abandonment(people.grievance[customers], b.abandonment_grievance)
    people.trust[customers] = rules.update_trust(people.trust[customers], True, 0.0, b.trust_loss, 0.0)
    people.history[customers] = UNRESOLVED
    today.tally["abandoned"] += len(customers)
    run.events.add("abandoned", times, customers, delay=waits, satisfaction=satisfaction)


def answered_at_desk(
    people: Population, customers: np.ndarray, moments: np.ndarray, values: np.ndarray, resolved: np.ndarray, run: RunContext, today: DayState
) -> None:
    """A day's desk outcomes in the order they happen: ``resolved_at_desk`` or ``abandoned_at_desk`` for each, as arrays.

    A customer has at most one complaint at the desk (voice waits for the
    answer), so each is listed once and every outcome touches only its own
    customer: resolutions and abandonments can go as two groups, each in the
    desk's order (the order of the float sums and of ``resolution_delays``).
    """
    resolve_all(people, customers[resolved], values[resolved], moments[resolved], run, today)
    gave_up = ~resolved
    abandon_all(people, customers[gave_up], values[gave_up], moments[gave_up], run, today)
    people.complaint_pending[customers] = False

RECOVERY = Process("recovery", vector, agent, COUNTERS)
