"""§3.9 Recovery: the front line solves some complaints at once, the rest wait for the SimPy desk.

A resolution adds justice-weighted recovery value to satisfaction (outcome:
compensation; procedure: speed; interaction: apology) and costs the
compensation. A complaint nobody answers before the customer's patience runs
out is a second failure. Patience and handling time come from the
complainant's own dice, so staffing never reorders anyone else's.
The desk calls ``resolved_at_desk`` and ``abandoned_at_desk`` at the moment
each outcome happens (the model wires them, then lets the customer decide).
"""

from __future__ import annotations

import numpy as np

from agents import rules
from agents.dice import V_ARRIVAL, V_HANDLING, V_ON_THE_SPOT, V_PATIENCE
from agents.population import RESOLVED, RESOLVED_FAST, UNRESOLVED
from agents.processes.base import Process, counter

COUNTERS = (
    counter("complaints_on_the_spot", "complaints the front line solved at once"),
    counter("resolutions", "complaints resolved today (front line and desk)"),
    counter("abandoned", "complainants who gave up waiting on the desk today"),
    counter("recovery_days", "days from complaint to resolution, summed over today's resolutions", np.float64),
    counter("compensation_cost", "compensation paid on today's resolutions, money units", np.float64),
)


def vector(people, world) -> None:
    complainants, dice = world.visits.complainants, world.dice
    on_the_spot = dice.visit(V_ON_THE_SPOT, complainants) < world.recovery.on_the_spot
    for index in complainants[on_the_spot]:
        resolve(world.customer(int(index)), 0.0, world)
    world.tally["complaints_on_the_spot"] += int(on_the_spot.sum())
    to_desk = complainants[~on_the_spot]
    for index, moment, patience, handling in zip(
        to_desk, dice.visit(V_ARRIVAL, to_desk), dice.visit(V_PATIENCE, to_desk), dice.visit(V_HANDLING, to_desk)
    ):
        send_to_desk(world.customer(int(index)), float(moment), float(patience), float(handling), world)


def take_complaint(customer, world) -> None:
    if not customer.complaining:
        return
    i, dice = customer.index, world.visit_dice
    if dice[V_ON_THE_SPOT, i] < world.recovery.on_the_spot:
        world.tally["complaints_on_the_spot"] += 1
        resolve(customer, 0.0, world)
    else:
        send_to_desk(customer, float(dice[V_ARRIVAL, i]), float(dice[V_PATIENCE, i]), float(dice[V_HANDLING, i]), world)


def agent(customers, world) -> None:
    customers.do("take_complaint", world)


def send_to_desk(customer, moment_in_day: float, patience_die: float, handling_die: float, world) -> None:
    """The complaint reaches the desk at its moment today; the customer waits for the answer.

    Patience and handling time are exponential around their means (the dice are
    unit-mean exponentials); a fixed-delay desk takes exactly ``handling_days``.
    """
    customer.complaint_pending = True
    r = world.recovery
    handling = r.handling_days if r.desk == "fixed_delay" else r.handling_days * handling_die
    world.desk.submit(customer.index, world.day + moment_in_day, world.behaviour.patience_days * patience_die, handling)


def resolve(customer, delay: float, world) -> None:
    """Justice-weighted recovery value, the record, and what it cost."""
    r, b = world.recovery, world.behaviour
    weights = (b.compensation_weight, b.speed_weight, b.speed_scale_days, b.apology_weight)
    customer.satisfaction += rules.recovery_value(delay, r.compensation, float(r.apology), int(customer.complaints), weights)
    customer.history = RESOLVED_FAST if delay <= r.fast_days else RESOLVED
    compensation = r.compensation * world.firm.price
    customer.value -= compensation
    world.tally["compensation_cost"] += compensation
    world.tally["resolutions"] += 1
    world.tally["recovery_days"] += delay
    world.resolution_delays.append(delay)


def resolved_at_desk(customer, delay: float, world) -> None:
    resolve(customer, delay, world)
    customer.complaint_pending = False


def abandoned_at_desk(customer, waited: float, world) -> None:
    """Nobody answered in time: a second failure (double deviation)."""
    customer.satisfaction -= world.behaviour.abandonment_penalty
    customer.history = UNRESOLVED
    world.tally["abandoned"] += 1
    customer.complaint_pending = False


RECOVERY = Process("recovery", vector, agent, COUNTERS)
