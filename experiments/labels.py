"""Every key a sweep report shows, in words: swept settings from the schema, summary metrics from here.

Reports print a raw key only beside its words, so a manager can read the tables
and a researcher can still find the column in ``runs.csv`` and ``means.csv``.
"""

from __future__ import annotations

from functools import cache

# The run summary's metrics (sim/metrics.py), in words.
METRICS = {
    "days": "days simulated",
    "people_in_market": "people in the market",
    "customers_initial": "customers at the start",
    "customers_final": "customers at the horizon",
    "retention_never_left": "starting customers who never left",
    "retention_at_horizon": "starting customers with the firm at the horizon (those who came back count)",
    "market_share": "market share at the horizon",
    "acquisitions": "customers won",
    "defections": "customers lost",
    "defections_silent": "customers lost without complaining",
    "defections_after_complaint": "customers lost after a complaint",
    "visits": "visits",
    "failures": "visits with a service failure",
    "first_time_right": "visits right the first time",
    "outcome_shares": "share of visits judged",
    "dissatisfied_experiences": "visits below the zone of tolerance",
    "complaints": "complaints",
    "complaint_share": "shortfalls voiced as complaints",
    "complaint_ratio": "complaints per visit",
    "dissatisfied_customers_who_complained": "customers with a shortfall who ever complained",
    "complaints_on_the_spot": "complaints solved on the spot",
    "resolutions": "complaints answered",
    "complaints_abandoned": "complaints abandoned while waiting",
    "mean_recovery_days": "mean recovery delay (days)",
    "p90_recovery_days": "recovery delay, 90th percentile (days)",
    "share_resolved_fast": "complaints answered fast",
    "retention_by_visit_rate_fifth": "starting customers never left, by fifth of visit rate",
    "mean_expectation_final": "mean expectation at the horizon (points)",
    "mean_satisfaction_final": "mean satisfaction at the horizon (0 = as expected)",
    "mean_trust_final": "mean trust at the horizon (0-1)",
    "cohort_satisfaction_final": "starting customers' mean satisfaction at the horizon",
    "customer_lifetime_value": "value per starting customer",
    "revenue": "revenue",
    "delivery_cost": "cost of delivery",
    "recovery_cost": "cost of recovery (wages and compensation)",
    "compensation_cost": "compensation paid",
    "guarantee_cost": "guarantee payouts",
    "acquisition_cost": "cost of winning customers",
    "profit": "profit",
}
# The landmark ladder's groups and statistics (sim/landmark.py, MODEL.md §6).
LANDMARK_GROUPS = {
    "no_problem": "no problem yet",
    "silent": "silent after the problem",
    "resolved_fast": "complaint resolved fast",
    "resolved_slow": "complaint resolved slowly",
    "unresolved": "complaint unresolved",
    "complained": "complained (any outcome)",
}
STATISTICS = {"n": "landmarks followed", "stayed": "share stayed", "ci_low": "95% interval, low",
              "ci_high": "95% interval, high"}


def label(key: str) -> str:
    """The words for a report's key: a parameter's meaning, a metric's name, or '' when there are none."""
    parameters = _parameters()
    if key in parameters:
        return parameters[key]
    if key in ("scenario", "seed"):
        return {"scenario": "the preset (scenario or lesson)", "seed": "the random seed"}[key]
    head, _, rest = key.partition(".")
    if head == "after_first_problem":
        window, group, statistic = (rest.split(".") + ["", "", ""])[:3]
        if group in LANDMARK_GROUPS and statistic in STATISTICS:
            return f"{window} days after a first problem, {LANDMARK_GROUPS[group]}: {STATISTICS[statistic]}"
        return ""
    if head in METRICS:
        return METRICS[head] + (f": {rest.replace('_', ' ')}" if rest else "")
    return ""


@cache
def _parameters() -> dict[str, str]:
    from sim.params import describe_parameters

    return {name: meaning for name, _, _, meaning in describe_parameters()}


def label_table(keys) -> str:
    """A markdown table of each key beside its words, for a report's header."""
    rows = [f"| {label(key) or '(no description)'} | `{key}` |" for key in keys]
    return "\n".join(["| in words | key |", "|---|---|", *rows])
