"""The stylized facts of MODEL.md §5-6 as statistical tests over replicated seeds.

Two labs run every configuration the facts need once per session, in
parallel, on 8 fixed seeds: 3,000 people for F1-F3, F6, F8, F9, and 10,000
for the facts measured on customers after a problem (F4, F5, F7 on runs,
F10-F12), whose smaller groups need the larger market. An effect "holds" when
its 95% interval lies on the predicted side of zero. Policies are paired by
seed (common random numbers); landmark shares pool the landmarks of all seeds.
``servsim-facts`` prints every number (docs/facts.md).
"""

import numpy as np
import pytest
from scipy import stats

from experiments.stylized_facts import (
    F2_LOSS_AVERSIONS,
    F3_PROMISES,
    F4_DELAYS,
    F4_STAFF,
    SCENARIOS,
    Lab,
    all_configurations,
    f1_surprise_trap,
    f2_trap_has_a_cause,
    f3_promise_level,
    f4_recovery_speed,
    f5_complaint_iceberg,
    f6_reliability_compounds,
    f7_recovery_paradox,
    f7_recovery_paradox_in_runs,
    f8_losses_outweigh_gains,
    f9_variability_costs,
    f10_complaints_predict_churn,
    f11_past_purchases_protect,
    f12_double_deviation,
    loyalty_configurations,
    loyalty_lab,
)
from sim.config import compose

pytestmark = pytest.mark.facts
# A gap in staying smaller than this would not change a decision about the desk: the
# whole complaint-handling ladder spanned about this much before the loyalty work.
DECISION_GAP = 0.02


@pytest.fixture(scope="module")
def lab():
    lab = Lab(customers=3000, days=730, seeds=range(8), workers=2)
    lab.prefetch(all_configurations())
    return lab


@pytest.fixture(scope="module")
def loyalty():
    lab = loyalty_lab(seeds=range(8), workers=2)
    lab.prefetch(loyalty_configurations())
    return lab


def positive(effect):
    return effect.low > 0


def negative(effect):
    return effect.high < 0


def test_f1_surprise_then_regress_trap(lab):
    e = f1_surprise_trap(lab)
    assert negative(e["retention at horizon, regress - never"])
    assert negative(e["retention 100 days after the regress, regress - never"])
    assert negative(e["cohort satisfaction at horizon, regress - never"])
    for name in (
        "retention at horizon, sustained - never",
        "retention at horizon, sustained - regress",
        "cohort satisfaction at horizon, sustained - never",
        "cohort satisfaction at horizon, sustained - regress",
    ):
        assert positive(e[name]), name


def test_f2_no_learning_no_trap_and_the_trap_deepens(lab):
    e = f2_trap_has_a_cause(lab)
    # falsification: with expectations that do not learn the surprise only helps retention
    assert negative(e["trap depth in retention, learning rate 0.0"])
    assert positive(e["trap deepens, learning rate 0.05 - 0.0"])
    assert positive(e["trap deepens, learning rate 0.15 - 0.05"])
    for low, high in zip(F2_LOSS_AVERSIONS, F2_LOSS_AVERSIONS[1:]):
        assert positive(e[f"trap deepens, loss aversion {high} - {low}"])


@pytest.mark.xfail(
    strict=False,
    reason="measured (8 seeds): trap depth in retention +0.040 at learning rate 0.15 and +0.033 at 0.3, "
    "deepening -0.007 [-0.016, +0.002]: past 0.15 faster learners also re-learn the old level faster after "
    "the regress, so the trap stops deepening (docs/model.md §6, docs/facts.md)",
)
def test_f2_the_trap_keeps_deepening_with_faster_learning(lab):
    assert positive(f2_trap_has_a_cause(lab)["trap deepens, learning rate 0.3 - 0.15"])


def test_f3_promise_level(lab):
    e = f3_promise_level(lab)
    for low, high in zip(F3_PROMISES, F3_PROMISES[1:]):
        assert positive(e[f"retention falls, promise {low} - {high}"])
        assert positive(e[f"acquisitions rise, promise {high} - {low}"])
    delivered = compose().firm.quality
    for measure in ("profit", "market_share"):
        assert abs(e[f"{measure} peak promise"].mean - delivered) <= 1.0
        assert positive(e[f"{measure} at its peak - at the highest promise"])


def test_f4_recovery_speed_and_queueing(loyalty):
    e = f4_recovery_speed(loyalty)
    kept = [e[f"complainants kept, recovery in {d:g} days"].mean for d in F4_DELAYS]
    assert kept == sorted(kept, reverse=True)
    for fast, slow in zip(F4_DELAYS[1:], F4_DELAYS[2:]):
        assert positive(e[f"complainants kept falls, {fast:g} - {slow:g} days"])
    delays = [e[f"mean recovery days, {s} handler(s)"].mean for s in F4_STAFF]
    assert delays == sorted(delays, reverse=True)
    assert delays[0] > delays[1] > delays[2] > delays[3]
    assert positive(e["complainants kept, 5 - 1 handlers"])


def test_f5_complaint_iceberg(loyalty):
    e = f5_complaint_iceberg(loyalty)
    assert e["complaint share of dissatisfying experiences"].high < 0.25
    assert positive(e["stayed 180 days after a first problem, resolved fast - silent"])


def test_f6_first_time_right_is_the_product_of_step_reliabilities(lab):
    effects = f6_reliability_compounds(lab)
    # An exact identity checked on every chain at once: each interval at 1 - 0.05 / chains
    # (Bonferroni), so that the identity, when true, fails the test 5% of the time, not 14%.
    for name, effect in effects.items():
        widen = stats.t.ppf(1 - 0.025 / len(effects), effect.n - 1) / stats.t.ppf(0.975, effect.n - 1)
        assert abs(effect.mean) <= widen * (effect.high - effect.low) / 2, name
        assert abs(effect.mean) < 0.002, name


def test_f7_recovery_paradox_in_model_runs(loyalty):
    e = f7_recovery_paradox_in_runs(loyalty)
    assert positive(e["satisfaction lift, mild first problem, on the spot, generous (compensation 1)"])
    for no_paradox in (
        "satisfaction lift, severe first problem, on the spot, generous",
        "satisfaction lift, mild second complaint, on the spot, generous",
        "satisfaction lift, mild first problem, resolved in 3 days",
        "satisfaction lift, mild first problem, on the spot but stingy",
    ):
        assert negative(e[no_paradox]), no_paradox
    # no loyalty paradox: recovered customers do not stay more than those with no problem
    assert not positive(e["stayed 180 days, resolved fast - no problem"])


def test_f7_recovery_paradox_on_the_rules():
    e = f7_recovery_paradox(compose())
    paradox = "satisfaction vs never failed: "
    assert e[paradox + "mild first failure, fast generous recovery"] > 0
    for no_paradox in (
        "mild first failure, slow recovery (5 days)",
        "mild first failure, fast but stingy (no compensation, no apology)",
        "severe failure, fast generous recovery",
        "mild second failure, fast generous recovery",
    ):
        assert e[paradox + no_paradox] < 0, no_paradox
    assert e["90-day staying vs never failed: mild first failure, fast generous recovery"] <= 0


def test_f8_losses_outweigh_gains(lab):
    e = f8_losses_outweigh_gains(lab)
    assert positive(e["satisfaction fall from -1"]) and positive(e["satisfaction rise from +1"])
    assert positive(e["satisfaction, fall - rise"])
    assert positive(e["retention, fall - rise"])


def test_f9_variability_costs(lab):
    e = f9_variability_costs(lab)
    for name, effect in e.items():
        assert positive(effect), name
    assert np.isfinite([effect.mean for effect in e.values()]).all()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_f10_complaints_predict_churn_and_recovery_counters_it(loyalty, scenario):
    e = f10_complaints_predict_churn(loyalty)
    assert positive(e[f"{scenario}: no_problem - silent"])
    # a resolved complaint sits between no problem and an unresolved one (recovery counters
    # most of a complaint's effect, rarely all): an ordering of the pooled shares
    assert e[f"{scenario}: no_problem - resolved_fast"].mean > 0
    assert e[f"{scenario}: resolved_fast - resolved_slow"].high > 0  # fast at least as good as slow
    assert e[f"{scenario}: resolved_slow - unresolved"].mean > 0
    assert e[f"{scenario}: resolved_fast - unresolved"].mean > DECISION_GAP


def test_f10_the_desk_decision_gap_is_large(loyalty):
    """Where the slow and unresolved groups are full, the gap is measured well and is large."""
    e = f10_complaints_predict_churn(loyalty)
    filled = "one handler, nothing on the spot"
    assert e[f"{filled}: resolved_fast - unresolved"].low > DECISION_GAP
    assert e[f"{filled}: resolved_slow - unresolved"].low > DECISION_GAP


def test_f11_heavy_users_are_not_less_loyal_and_complaints_hurt_briefly(loyalty):
    e = f11_past_purchases_protect(loyalty)
    assert e["retention, heaviest - lightest fifth of visit rate"].mean >= 0
    for scenario in SCENARIOS:
        assert positive(e[f"{scenario}: stayed 90 days, first complaint - repeat within 60 days"]), scenario


def test_f11_past_purchases_soften_a_complaint(loyalty):
    e = f11_past_purchases_protect(loyalty)
    filled = "one handler, nothing on the spot"
    assert positive(e[f"{filled}: churn rise after a complaint, fewer - more past visits"])


def test_f12_double_deviation(loyalty):
    e = f12_double_deviation(loyalty)
    assert positive(e["satisfaction lift, mild first problem resolved on the spot"])
    assert e["satisfaction lift, mild second complaint resolved on the spot"].mean < e[
        "satisfaction lift, mild first problem resolved on the spot"
    ].low
    for scenario in SCENARIOS:
        assert e[f"{scenario}: stayed 180 days, silent - unresolved"].mean > 0, scenario
    assert positive(e["one handler, nothing on the spot: stayed 180 days, silent - unresolved"])
