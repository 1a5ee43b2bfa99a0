"""§3.13 Bookkeeping: grievances fade a day, and the day's state is read into the record.

Readings describe the population and the firm at the end of the day (who is
with the firm, mean attitudes, the five gaps of MODEL.md §1.5, the desk's
queue) and turn the day's counters into money. Both engines read the same
arrays: the per-agent engine hands in a snapshot of its customers.

The day's first problems are landmarks of the loyalty measure (MODEL.md §6):
for each, one customer of the same day's risk set (with the firm when the day
began, no problem yet) is drawn into the comparison group and logged as a
``control`` event.
"""

from __future__ import annotations

import math

import numpy as np

from mesa.agent import AgentSet

from agents import rules
from agents.customer import Customer
from agents.population import CUSTOMER_STATE, Population
from agents.processes.base import AgentDay, Column, DayState, Process, RunContext


def reading(name: str, meaning: str, dtype: type = np.float64, summed: bool = False) -> Column:
    return Column(name, dtype, summed, meaning)


READINGS = (
    reading("day", "day number, 1 = the first simulated day", np.int64),
    reading("active", "customers with the firm at the end of the day", np.int64),
    reading("retention", "share of the starting customers with the firm (those who left and came back count)"),
    reading("retention_never_left", "share of the starting customers who have never left the firm"),
    reading("market_share", "share of the market with the firm"),
    reading("queue_length", "complaints waiting for a desk handler", np.int64),
    reading("complaints_open", "complaints at the desk, waiting or being handled", np.int64),
    reading("mean_recovery_days", "mean delay of today's resolutions, days"),
    reading("mean_expectation", "mean expectation of customers with the firm, points"),
    reading("mean_satisfaction", "mean satisfaction of customers with the firm (0 = as expected)"),
    reading("mean_trust", "mean trust of customers with the firm, 0-1"),
    reading("cohort_satisfaction", "mean satisfaction of the starting customers, those who left included"),
    reading("promise", "advertised level, points"),
    reading("service_level", "mean quality of a visit that goes right, points"),
    reading("delivered_quality", "mean delivered quality including failures, points"),
    reading("gap_knowledge", "GAP 1: what management believes customers expect minus what they expect"),
    reading("gap_standards", "GAP 2: the designed standard minus that belief"),
    reading("gap_delivery", "GAP 3: delivered quality minus the standard"),
    reading("gap_communication", "GAP 4: delivered quality minus the promise"),
    reading("revenue", "revenue of today's visits, money units", summed=True),
    reading("delivery_cost", "cost of delivering today's visits, money units", summed=True),
    reading("recovery_cost", "compensation plus the desk's wages, money units", summed=True),
    reading("acquisition_cost", "cost of today's acquisitions, money units", summed=True),
    reading("profit", "revenue minus every cost of the day, money units", summed=True),
)

# What the readings need of each customer: the per-agent engine snapshots only these.
READ_FIELDS = tuple(
    f
    for f in CUSTOMER_STATE
    if f.name in ("with_firm", "starting_customer", "ever_left", "expectation", "satisfaction", "trust", "problems", "purchases")
)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else math.nan


def read_the_day(people: Population, run: RunContext, today: DayState) -> None:
    """Fill the day's readings from the population's arrays, the firm and the day's counters."""
    firm, d, day = run.firm, today.tally, today.day
    customers = np.flatnonzero(people.with_firm)  # an index array: gathering by index beats masking
    mean_expectation = _mean(people.expectation[customers])
    delivered = firm.expected_delivery(day)
    revenue = d["visits"] * firm.price
    delivery_cost = d["visits"] * firm.visit_cost(day)
    recovery_cost = d["compensation_cost"] + run.recovery.staff * run.recovery.staff_cost
    acquisition_cost = d["acquisitions"] * run.market.acquisition_cost
    d.update(
        day=day + 1,
        active=len(customers),
        retention=np.count_nonzero(people.with_firm & people.starting_customer) / max(len(run.cohort), 1),
        retention_never_left=np.count_nonzero(people.starting_customer & ~people.ever_left) / max(len(run.cohort), 1),
        market_share=len(customers) / run.population_size,
        queue_length=run.desk.queue_length,
        complaints_open=run.desk.in_system,
        mean_recovery_days=d["recovery_days"] / d["resolutions"] if d["resolutions"] else math.nan,
        mean_expectation=mean_expectation,
        mean_satisfaction=_mean(people.satisfaction[customers]),
        mean_trust=_mean(people.trust[customers]),
        cohort_satisfaction=_mean(people.satisfaction[run.cohort]),
        promise=firm.promise,
        service_level=firm.service_level(day),
        delivered_quality=delivered,
        gap_knowledge=firm.believed_expectation - mean_expectation,
        gap_standards=firm.standard - firm.believed_expectation,
        gap_delivery=delivered - firm.standard,
        gap_communication=delivered - firm.promise,
        revenue=revenue,
        delivery_cost=delivery_cost,
        recovery_cost=recovery_cost,
        acquisition_cost=acquisition_cost,
        profit=revenue - delivery_cost - recovery_cost - d["guarantee_cost"] - acquisition_cost,
    )


def draw_controls(people: Population, run: RunContext, today: DayState) -> None:
    """One comparison customer per first problem today, from today's risk set, logged as events."""
    landmarks = today.tally["first_problems"]
    at_risk = np.flatnonzero(today.dawn_with_firm & (people.problems == 0))
    if landmarks and len(at_risk):
        controls = at_risk[run.landmark_rng.integers(0, len(at_risk), size=landmarks)]
        run.events.add("control", today.day, controls, purchases=people.purchases[controls])


def vector(people: Population, run: RunContext, today: DayState) -> None:
    people.grievance[:] = rules.fade(people.grievance, run.behaviour.grievance_half_life_days)
    draw_controls(people, run, today)
    read_the_day(people, run, today)


def let_grievance_fade(customer: Customer, run: RunContext, today: AgentDay) -> None:
    customer.grievance = float(rules.fade(customer.grievance, run.behaviour.grievance_half_life_days))


def agent(customers: AgentSet, run: RunContext, today: AgentDay) -> None:
    customers.do(let_grievance_fade, run, today)
    snapshot = Population.of_objects(customers, READ_FIELDS)
    draw_controls(snapshot, run, today)
    read_the_day(snapshot, run, today)

BOOKKEEPING = Process("bookkeeping", vector, agent, READINGS)
