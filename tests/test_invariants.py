"""Invariants every run must keep, on the baseline and on random valid configs."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.metrics import DAILY_COLUMNS
from sim.run import simulate
from tests.conftest import small_config

# Columns that are undefined on days when there is nothing to average: defined exactly when the
# count named beside them is positive.
DEFINED_WHEN = {
    "mean_recovery_days": "resolutions",
    "mean_perceived": "visits",
    "gap_customer": "visits",
    "mean_expectation": "active",
    "mean_satisfaction": "active",
    "mean_trust": "active",
    "gap_knowledge": "active",
}
SHARES = ("retention", "retention_never_left", "market_share", "share_below", "share_equal", "share_above", "share_delight", "mean_trust")


def check_invariants(timeseries, summary, model):
    people = model.people
    n = people.size
    active = timeseries["active"].to_numpy()
    # customers are conserved: each day's change is exactly joins minus departures
    previous = np.concatenate([[model.starting_customers], active[:-1]])
    assert np.array_equal(active - previous, timeseries["acquisitions"] - timeseries["defections"])
    assert np.all((active >= 0) & (active <= n))
    assert summary["customers_final"] == active[-1] == int(people.with_firm.sum())
    # the outcome mix covers every visit
    mix = timeseries[["share_below", "share_equal", "share_above", "share_delight"]].sum(axis=1)
    visited = timeseries["visits"] > 0
    assert np.allclose(mix[visited], 1.0)
    for column in SHARES:
        values = timeseries[column].dropna()
        assert values.between(0.0, 1.0).all(), column
    assert (timeseries["queue_length"] >= 0).all()
    assert (timeseries["complaints"] <= timeseries["dissatisfied"]).all()
    assert (timeseries["defections_silent"] + timeseries["defections_after_complaint"] <= timeseries["defections"]).all()
    for column in DAILY_COLUMNS:
        values = timeseries[column].to_numpy(dtype=float)
        if column in DEFINED_WHEN:
            defined = timeseries[DEFINED_WHEN[column]].to_numpy() > 0
            assert np.isfinite(values[defined]).all() and np.isnan(values[~defined]).all(), column
        elif column != "cohort_satisfaction" or model.starting_customers:
            assert np.isfinite(values).all(), column
    # per-person state stays in range
    assert np.all((people.trust >= 0) & (people.trust <= 1))
    for name in ("expectation", "satisfaction", "heard", "value"):
        assert np.isfinite(getattr(people, name)).all(), name
    # every complaint is resolved (on the spot or at the desk), abandoned, or still open
    handled = summary["resolutions"] + summary["complaints_abandoned"] + model.desk.in_system
    assert summary["complaints"] == handled
    assert model.desk.in_system == int(people.complaint_pending.sum())
    for window in summary["after_first_problem"].values():
        for group in window.values():
            assert group["n"] >= 0
            if group["n"]:
                assert 0.0 <= group["ci_low"] <= group["stayed"] <= group["ci_high"] <= 1.0
                assert 0.0 <= group["never_left"] <= group["stayed"]  # never left implies still here
            else:
                assert group["stayed"] is None
    # the event log agrees with the counters: every complaint, outcome, departure and arrival is in it
    events = model.event_table.frame()["kind"].astype(str).value_counts()
    assert events.get("complaint", 0) == summary["complaints"]
    assert events.get("resolved", 0) == summary["resolutions"]
    assert events.get("abandoned", 0) == summary["complaints_abandoned"]
    assert events.get("left", 0) == summary["defections"] and events.get("joined", 0) == summary["acquisitions"]
    assert events.get("problem", 0) == summary["dissatisfied_experiences"]
    # people are conserved, and who is with the firm follows from the log's joins and leaves
    assert summary["customers_final"] == summary["customers_initial"] + summary["acquisitions"] - summary["defections"]
    assert np.all(people.ever_left[people.starting_customer & ~people.with_firm])
    if summary["customers_initial"]:
        assert 0.0 <= summary["retention_never_left"] <= summary["retention_at_horizon"] <= 1.0
    else:
        assert summary["retention_never_left"] is None and summary["retention_at_horizon"] is None


def test_baseline_keeps_every_invariant(baseline_run):
    check_invariants(*baseline_run)


valid_overrides = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**32),
        "days": st.integers(1, 80),
        "market.customers": st.integers(10, 400),
        "market.initial_share": st.floats(0, 1),
        "firm.quality": st.floats(0, 10),
        "firm.promise": st.floats(0, 10),
        "firm.guarantee": st.booleans(),
        "firm.quality_noise": st.floats(0, 3),
        "firm.step_reliability": st.floats(0, 1),
        "firm.surprise.start": st.integers(0, 79),
        "firm.surprise.length": st.integers(0, 80),
        "firm.surprise.size": st.floats(-5, 5),
        "firm.surprise.regress": st.booleans(),
        "recovery.desk": st.sampled_from(["queue", "fixed_delay"]),
        "recovery.staff": st.integers(1, 4),
        "recovery.handling_days": st.floats(0, 5),
        "recovery.on_the_spot": st.floats(0, 1),
        "customers.learning_rate": st.floats(0, 1),
        "customers.loss_aversion": st.floats(1, 5),
        "customers.complaint_propensity": st.floats(0, 1),
        "customers.trait_spread": st.floats(0, 1.5),
        "customers.patience_days": st.floats(0, 30),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_overrides)
def test_random_valid_configs_keep_the_invariants(overrides):
    # keep the combinations valid: a surprise within the run and on the 0-10 scale
    days, quality = overrides["days"], overrides["firm.quality"]
    overrides["firm.surprise.start"] = start = min(overrides["firm.surprise.start"], days - 1)
    if overrides["firm.surprise.regress"]:
        overrides["firm.surprise.length"] = min(overrides["firm.surprise.length"], days - start)
    overrides["firm.surprise.size"] = min(max(overrides["firm.surprise.size"], -quality), 10.0 - quality)
    check_invariants(*simulate(small_config(overrides)))
