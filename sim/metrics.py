"""What a run reports: the daily series (MODEL.md §4) and the run summary."""

from __future__ import annotations

import math

import numpy as np

from agents.population import HISTORY_NAMES

# One row per day in timeseries.csv, in this order.
DAILY_COLUMNS = (
    "day",
    "active",
    "retention",
    "market_share",
    "acquisitions",
    "defections",
    "defections_silent",
    "defections_after_complaint",
    "visits",
    "failures",
    "dissatisfied",
    "silent_dissatisfied",
    "share_below",
    "share_equal",
    "share_above",
    "share_delight",
    "complaints",
    "complaints_on_the_spot",
    "resolutions",
    "abandoned",
    "queue_length",
    "complaints_open",
    "mean_recovery_days",
    "mean_expectation",
    "mean_perceived",
    "mean_satisfaction",
    "mean_trust",
    "cohort_satisfaction",
    "promise",
    "service_level",
    "delivered_quality",
    "gap_knowledge",
    "gap_standards",
    "gap_delivery",
    "gap_communication",
    "gap_customer",
    "recommendations",
    "warnings",
    "revenue",
    "delivery_cost",
    "recovery_cost",
    "guarantee_cost",
    "acquisition_cost",
    "profit",
)

# Daily columns whose run total goes into the summary.
SUMMED = (
    "acquisitions",
    "defections",
    "defections_silent",
    "defections_after_complaint",
    "visits",
    "failures",
    "dissatisfied",
    "silent_dissatisfied",
    "complaints",
    "complaints_on_the_spot",
    "resolutions",
    "abandoned",
    "recommendations",
    "warnings",
    "revenue",
    "delivery_cost",
    "recovery_cost",
    "guarantee_cost",
    "acquisition_cost",
    "profit",
)


class RunTotals:
    """Running sums over the days and every recovery delay, for the summary."""

    def __init__(self):
        self.sums = dict.fromkeys(SUMMED, 0.0)
        self.outcome_counts = np.zeros(4, dtype=np.int64)
        self.recovery_delays: list[float] = []
        self.fast_resolutions = 0
        self.abandoned = 0

    def add_day(self, day: dict) -> None:
        for key in SUMMED:
            self.sums[key] += day[key]
        self.outcome_counts += [
            round(day["share_below"] * day["visits"]),
            round(day["share_equal"] * day["visits"]),
            round(day["share_above"] * day["visits"]),
            round(day["share_delight"] * day["visits"]),
        ]

    def record_recovery(self, delay: float, fast_days: float) -> None:
        self.recovery_delays.append(delay)
        self.fast_resolutions += delay <= fast_days


def _share(numerator: float, denominator: float) -> float | None:
    """A ratio, or None (null in JSON) when there is nothing to divide by."""
    return float(numerator) / denominator if denominator else None


def summarise(model) -> dict:
    """The run summary of MODEL.md §4, as plain JSON-ready numbers."""
    p, t = model.people, model.totals
    s = t.sums
    cohort = p.starting_customer
    stayed = cohort & p.with_firm
    by_history = {}
    cohort_sizes = {}
    for code, name in enumerate(HISTORY_NAMES):
        group = cohort & (p.history == code)
        cohort_sizes[name] = int(group.sum())
        by_history[name] = _share(np.sum(group & p.with_firm), group.sum())
    ever_dissatisfied = p.problems > 0
    delays = np.asarray(t.recovery_delays)
    visits = s["visits"]
    outcome_total = max(int(t.outcome_counts.sum()), 1)
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
            for name, count in zip(("below", "equal", "above", "delight"), t.outcome_counts)
        },
        "dissatisfied_experiences": int(s["dissatisfied"]),
        "complaints": int(s["complaints"]),
        "complaint_share": _share(s["complaints"], s["dissatisfied"]),
        "complaint_ratio": _share(s["complaints"], visits),
        "dissatisfied_customers_who_complained": _share(np.sum(p.complaints > 0), np.sum(ever_dissatisfied)),
        "complaints_on_the_spot": int(s["complaints_on_the_spot"]),
        "resolutions": len(delays),
        "complaints_abandoned": int(t.abandoned),
        "mean_recovery_days": float(delays.mean()) if delays.size else None,
        "p90_recovery_days": float(np.quantile(delays, 0.9)) if delays.size else None,
        "share_resolved_fast": _share(t.fast_resolutions, len(delays)),
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


def _mean_or_none(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size and not math.isnan(values.mean()) else None
