"""What a run reports: the daily series (MODEL.md §4) and the run summary, with the loyalty measures of §6."""

from __future__ import annotations

import math

import numpy as np

from agents.rules import OUTCOME_NAMES
from sim import landmark
from sim.model import COLUMNS

# The columns of timeseries.csv, as the processes declare them (see sim.model.COLUMNS).
DAILY_COLUMNS = tuple(column.name for column in COLUMNS)


def _share(numerator: float, denominator: float) -> float | None:
    """A ratio, or None (null in JSON) when there is nothing to divide by."""
    return float(numerator) / denominator if denominator else None


def summarise(model, events) -> dict:
    """The run summary of MODEL.md §4 and §6, as plain JSON-ready numbers; ``events`` is the run's event table."""
    p, record = model.people, model.record
    s = record.totals()
    cohort = p.starting_customer
    delays = np.asarray(model.run_context.resolution_delays)
    visits = s["visits"]
    outcome_counts = [_outcome_count(record, name) for name in OUTCOME_NAMES]
    outcome_total = max(sum(outcome_counts), 1)
    days, fast_days = model.config.days, model.config.recovery.fast_days
    ladder, complaint_effects = landmark.loyalty_measures(
        events, cohort, days, fast_days, model.config.customers.satisfaction_rate
    )
    return {
        "days": days,
        "people_in_market": int(p.size),
        "customers_initial": model.starting_customers,
        "customers_final": int(p.with_firm.sum()),
        "retention_never_left": _share(np.sum(cohort & ~p.ever_left), cohort.sum()),
        "retention_at_horizon": _share(np.sum(cohort & p.with_firm), cohort.sum()),
        "market_share": float(p.with_firm.mean()),
        "acquisitions": int(s["acquisitions"]),
        "defections": int(s["defections"]),
        "defections_silent": int(s["defections_silent"]),
        "defections_after_complaint": int(s["defections_after_complaint"]),
        "visits": int(visits),
        "failures": int(s["failures"]),
        "first_time_right": _share(visits - s["failures"], visits),
        "outcome_shares": {name: float(count) / outcome_total for name, count in zip(OUTCOME_NAMES, outcome_counts)},
        "dissatisfied_experiences": int(s["dissatisfied"]),
        "complaints": int(s["complaints"]),
        "complaint_share": _share(s["complaints"], s["dissatisfied"]),
        "complaint_ratio": _share(s["complaints"], visits),
        "dissatisfied_customers_who_complained": _share(np.sum(p.complaints > 0), np.sum(p.problems > 0)),
        "complaints_on_the_spot": int(s["complaints_on_the_spot"]),
        "resolutions": len(delays),
        "complaints_abandoned": int(s["abandoned"]),
        "mean_recovery_days": float(delays.mean()) if delays.size else None,
        "p90_recovery_days": float(np.quantile(delays, 0.9)) if delays.size else None,
        "share_resolved_fast": _share(int(np.sum(delays <= fast_days)), len(delays)),
        "after_first_problem": ladder,
        "complaint_effects": complaint_effects,
        "retention_by_visit_rate_fifth": _by_fifths(p.visit_rate[cohort], ~p.ever_left[cohort]),
        "mean_expectation_final": _mean_or_none(p.expectation[p.with_firm]),
        "mean_satisfaction_final": _mean_or_none(p.satisfaction[p.with_firm]),
        "mean_trust_final": _mean_or_none(p.trust[p.with_firm]),
        "cohort_satisfaction_final": _mean_or_none(p.satisfaction[cohort]),
        "customer_lifetime_value": _mean_or_none(p.value[cohort]),
        **{name: float(s[name]) for name in MONEY},
    }


# Money over the run, in the order the summary prints it: revenue, then each cost line, then profit.
MONEY = ("revenue", "delivery_cost", "recovery_cost", "compensation_cost", "guarantee_cost", "acquisition_cost", "profit")


def _by_fifths(trait: np.ndarray, stayed: np.ndarray) -> dict:
    """Share staying in each fifth of ``trait``, fifth_1 the lowest (F11: heavy users are not less loyal)."""
    fifth = np.searchsorted(np.quantile(trait, [0.2, 0.4, 0.6, 0.8]), trait, side="right") if len(trait) else trait
    return {f"fifth_{k + 1}": float(stayed[fifth == k].mean()) if np.any(fifth == k) else None for k in range(5)}


def _outcome_count(record, name: str) -> int:
    """Visits with this outcome over the run, from the daily shares."""
    return sum(round(share * visits) for share, visits in zip(record.column(f"share_{name}").tolist(), record.column("visits").tolist()))


def _mean_or_none(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size and not math.isnan(values.mean()) else None
