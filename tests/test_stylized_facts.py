"""The stylized facts of MODEL.md §5-6 as statistical tests over replicated seeds.

Two labs run every configuration the facts need once per session, in
parallel, on 8 fixed seeds: 3,000 people for F1-F3, F6, F8, F9, and 10,000
for the facts measured on customers after a problem (F4, F5, F7 on runs,
F10-F12), whose smaller groups need the larger market. An effect "holds" when
its 95% interval lies on the predicted side of zero, or of the margin MODEL.md
asks for. Policies are paired by seed (common random numbers); shares of counts
(failed visits, landmark groups) pool the counts of all seeds. Where a fact
fails at the current defaults the test is an expected failure (strict) quoting
the measured numbers: the statistic is never weakened to make it pass.
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
    F6_CHAINS,
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
# A gap in staying that would not change a decision about the desk: MODEL.md asks for TARP's
# ladder attenuated to behaviour, "not a spread of one or two points" (the whole ladder spanned
# about two points before the loyalty work), so a gap is large only when its whole 95%
# interval lies above two points.
DECISION_GAP = 0.02


def expected_failure(reason: str | None):
    """The marks of a case that fails at the current defaults (strict: a pass is news), or none."""
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


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


def test_f6_failed_visits_match_one_minus_the_product_of_step_reliabilities(lab):
    """Counted on the runs: the share of visits whose chain failed, against 1 - r^n.

    One identity per chain, checked on three chains at once: each binomial interval
    at 1 - 0.05 / chains (Bonferroni), so that runs which deliver the rule fail the
    test 5% of the time, not 14%. Enough visits that a chain off by 0.2 points shows.
    """
    effects = f6_reliability_compounds(lab, z=stats.norm.ppf(1 - 0.025 / len(F6_CHAINS)))
    for reliability, steps in F6_CHAINS:
        failed = effects[f"share of visits that failed, {reliability}^{steps} chain"]
        assert failed.low <= 1 - reliability**steps <= failed.high, (reliability, steps, failed)
        assert failed.high - failed.low < 0.004, (reliability, steps, failed)


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


def cases(claims: dict, expected_failures: dict) -> list:
    """A case per scenario and claim, with id "scenario: claim"; ``expected_failures`` maps an id to why it fails."""
    params = []
    for scenario in SCENARIOS:
        for claim, args in claims.items():
            case = f"{scenario}: {claim}"
            params.append(pytest.param(scenario, *args, marks=expected_failure(expected_failures.get(case)), id=case))
    unknown = set(expected_failures) - {param.id for param in params}
    assert not unknown, f"expected failures name no case: {unknown}"
    return params


# The TARP ordering after a first problem (MODEL.md §6, F10) as (higher, lower, margin): the
# pooled gap's 95% interval must lie above the margin. A gap against an unresolved complaint
# says what the desk is worth, so it must be large enough to change a decision about the desk;
# the others need only their sign.
F10_LADDER = {
    f"{higher} - {lower}": (higher, lower, margin)
    for higher, lower, margin in (
        ("no_problem", "silent", 0.0),  # silent dissatisfied customers are below no problem
        ("no_problem", "resolved_fast", 0.0),  # recovery counters a complaint, rarely fully
        ("no_problem", "unresolved", DECISION_GAP),  # clearly below after an unresolved complaint
        ("resolved_fast", "unresolved", DECISION_GAP),  # a resolved complaint sits between the two
        ("resolved_slow", "unresolved", DECISION_GAP),
    )
}
# The default desk leaves few first problems unresolved (57 in 8 seeds) and one handler with nothing
# solved on the spot resolves few fast (127): those groups are too small for the intervals to tell.
F10_EXPECTED_FAILURES = {
    "default: no_problem - unresolved": "measured (8 seeds, 10,000 people, landmarks pooled): stayed 180 days after a first problem, "
    "no problem 0.946 (n = 56,283) - unresolved 0.860 (n = 57) = +0.086 [-0.004, +0.176]: the interval does not "
    "exclude a gap of two points",
    "default: resolved_fast - unresolved": "measured (8 seeds, 10,000 people, landmarks pooled): stayed 180 days after a first problem, "
    "resolved fast 0.931 (n = 4,302) - unresolved 0.860 (n = 57) = +0.071 [-0.020, +0.161]: the interval does not "
    "exclude a gap of two points (with one handler, nothing on the spot: +0.088 [+0.038, +0.138])",
    "default: resolved_slow - unresolved": "measured (8 seeds, 10,000 people, landmarks pooled): stayed 180 days after a first problem, "
    "resolved slowly 0.933 (n = 149) - unresolved 0.860 (n = 57) = +0.073 [-0.026, +0.172]: the interval does not "
    "exclude a gap of two points (with one handler, nothing on the spot: +0.079 [+0.059, +0.099])",
    "one handler, nothing on the spot: no_problem - resolved_fast": "measured (8 seeds, 10,000 people, landmarks pooled): stayed 180 days after a first problem, "
    "no problem 0.935 (n = 56,283) - resolved fast 0.921 (n = 127) = +0.014 [-0.033, +0.061] "
    "(at the default desk, n = 4,302 resolved fast: +0.015 [+0.007, +0.023])",
}


@pytest.mark.parametrize("scenario, higher, lower, margin", cases(F10_LADDER, F10_EXPECTED_FAILURES))
def test_f10_complaints_predict_churn_and_recovery_counters_it(loyalty, scenario, higher, lower, margin):
    gap = f10_complaints_predict_churn(loyalty)[f"{scenario}: {higher} - {lower}"]
    assert gap.low > margin, gap


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_f10_resolved_fast_is_not_below_resolved_slowly(loyalty, scenario):
    """'Resolved fast is at least resolved slowly': fails only when fast is clearly below slow."""
    assert f10_complaints_predict_churn(loyalty)[f"{scenario}: resolved_fast - resolved_slow"].high > 0


def test_f11_heavy_users_are_not_less_loyal(loyalty):
    """Not less loyal, as an interval can show it: the whole interval above a loss of DECISION_GAP."""
    heavier = f11_past_purchases_protect(loyalty)["retention, heaviest - lightest fifth of visit rate"]
    assert heavier.low > -DECISION_GAP, heavier


# Effects of F11 and F12 measured in each scenario, whose 95% interval must lie above zero.
AFTER_A_COMPLAINT = {
    f"{label} {effect}": (fact, effect)
    for label, fact, effect in (
        ("F11", f11_past_purchases_protect, "churn rise after a complaint, fewer - more past visits"),  # purchases protect
        ("F11", f11_past_purchases_protect, "stayed 90 days, first complaint - repeat within 60 days"),  # recent hurts more
        ("F11", f11_past_purchases_protect, "stayed 90 days, repeat after 180+ days - repeat within 60 days"),  # and fades
        ("F12", f12_double_deviation, "stayed 180 days, silent - unresolved"),  # a failed recovery hurts more than one failure
    )
}
AFTER_A_COMPLAINT_EXPECTED_FAILURES = {
    "default: F11 churn rise after a complaint, fewer - more past visits": "measured (8 seeds, 10,000 people, landmarks pooled): "
    "the churn rise after a complaint is +0.020 [+0.008, +0.032] with fewer past visits and +0.012 [+0.003, +0.022] "
    "with more, difference +0.007 [-0.008, +0.023]: at the default desk a complaint raises churn too little for the "
    "protection to show (with one handler, nothing on the spot: +0.027 [+0.008, +0.047])",
    "default: F11 stayed 90 days, repeat after 180+ days - repeat within 60 days": "measured (8 seeds, 10,000 people, landmarks pooled): "
    "stayed 90 days after a repeat complaint, repeat after 180+ days - repeat within 60 days = -0.002 [-0.012, +0.007]: "
    "at the default desk the hurt of an earlier complaint does not measurably fade (a first complaint - a recent "
    "repeat: +0.010 [+0.002, +0.018]; with one handler, nothing on the spot: +0.015 [+0.000, +0.029])",
    "default: F12 stayed 180 days, silent - unresolved": "measured (8 seeds, 10,000 people, landmarks pooled): "
    "stayed 180 days after a first problem, silent 0.917 (n = 51,775) - unresolved 0.860 (n = 57) = +0.058 "
    "[-0.033, +0.148]: too few unresolved complaints at the default desk (with one handler, nothing on the spot: "
    "+0.072 [+0.056, +0.089])",
}


@pytest.mark.parametrize("scenario, fact, effect", cases(AFTER_A_COMPLAINT, AFTER_A_COMPLAINT_EXPECTED_FAILURES))
def test_f11_f12_past_purchases_protect_and_a_second_failure_hurts(loyalty, scenario, fact, effect):
    measured = fact(loyalty)[f"{scenario}: {effect}"]
    assert positive(measured), measured


def test_f12_the_recovery_lift_does_not_recur(loyalty):
    e = f12_double_deviation(loyalty)
    first = e["satisfaction lift, mild first problem resolved on the spot"]
    assert positive(first)
    assert e["satisfaction lift, mild second complaint resolved on the spot"].high < first.low
