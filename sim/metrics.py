"""What a run reports: the daily series (MODEL.md §4) and the run summary."""

from __future__ import annotations

import math

import numpy as np

from agents.population import HISTORY_NAMES
from agents.rules import OUTCOME_NAMES
from sim.model import COLUMNS

# The columns of timeseries.csv, as the processes declare them (see sim.model.COLUMNS).
DAILY_COLUMNS = tuple(column.name for column in COLUMNS)


def _share(numerator: float, denominator: float) -> float | None:
    """A ratio, or None (null in JSON) when there is nothing to divide by."""
    return float(numerator) / denominator if denominator else None


def summarise(model) -> dict:
    """The run summary of MODEL.md §4, as plain JSON-ready numbers."""
    p, record = model.people, model.record
    s = record.totals()
    cohort = p.starting_customer
    stayed = cohort & p.with_firm
    by_history = {}
    cohort_sizes = {}
    for code, name in enumerate(HISTORY_NAMES):
        group = cohort & (p.history == code)
        cohort_sizes[name] = int(group.sum())
        by_history[name] = _share(np.sum(group & p.with_firm), group.sum())
    ever_dissatisfied = p.problems > 0
    delays = np.asarray(model.world.resolution_delays)
    visits = s["visits"]
    outcome_counts = [_outcome_count(record, name) for name in OUTCOME_NAMES]
    outcome_total = max(sum(outcome_counts), 1)
    return {
        "days": model.config.days,
        "people_in_market": int(p.size),
        "customers_initial": model.starting_customers,
        "customers_final": int(p.with_firm.sum()),
        "retention": _share(stayed.sum(), cohort.sum()),
        "market_share": float(p.with_firm.mean()),
        "acquisitions": int(s["acquisitions"]),
        "defections": int(s["defections"]),
        "defections_silent": int(s["defections_silent"]),
        "defections_after_complaint": int(s["defections_after_complaint"]),
        "visits": int(visits),
        "failures": int(s["failures"]),
        "first_time_right": _share(visits - s["failures"], visits),
        "outcome_shares": {
            name: float(count) / outcome_total
            for name, count in zip(OUTCOME_NAMES, outcome_counts)
        },
        "dissatisfied_experiences": int(s["dissatisfied"]),
        "complaints": int(s["complaints"]),
        "complaint_share": _share(s["complaints"], s["dissatisfied"]),
        "complaint_ratio": _share(s["complaints"], visits),
        "dissatisfied_customers_who_complained": _share(np.sum(p.complaints > 0), np.sum(ever_dissatisfied)),
        "complaints_on_the_spot": int(s["complaints_on_the_spot"]),
        "resolutions": len(delays),
        "complaints_abandoned": int(s["abandoned"]),
        "mean_recovery_days": float(delays.mean()) if delays.size else None,
        "p90_recovery_days": float(np.quantile(delays, 0.9)) if delays.size else None,
        "share_resolved_fast": _share(int(np.sum(delays <= model.config.recovery.fast_days)), len(delays)),
        "retention_by_history": by_history,
        "retention_complainants": _share(np.sum(cohort & (p.complaints > 0) & p.with_firm), np.sum(cohort & (p.complaints > 0))),
        "cohort_by_history": cohort_sizes,
        "mean_expectation_final": _mean_or_none(p.expectation[p.with_firm]),
        "mean_satisfaction_final": _mean_or_none(p.satisfaction[p.with_firm]),
        "mean_trust_final": _mean_or_none(p.trust[p.with_firm]),
        "cohort_satisfaction_final": _mean_or_none(p.satisfaction[cohort]),
        "customer_lifetime_value": _mean_or_none(p.value[cohort]),
        "revenue": float(s["revenue"]),
        "delivery_cost": float(s["delivery_cost"]),
        "recovery_cost": float(s["recovery_cost"]),
        "guarantee_cost": float(s["guarantee_cost"]),
        "acquisition_cost": float(s["acquisition_cost"]),
        "profit": float(s["profit"]),
    }


def _outcome_count(record, name: str) -> int:
    """Visits with this outcome over the run, from the daily shares."""
    return sum(round(share * visits) for share, visits in zip(record.column(f"share_{name}").tolist(), record.column("visits").tolist()))


def _mean_or_none(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size and not math.isnan(values.mean()) else None
