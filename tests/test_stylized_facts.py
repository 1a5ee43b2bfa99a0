"""The stylized facts of MODEL.md §5 as statistical tests over replicated seeds.

One lab runs every configuration the facts need (8 fixed seeds, 3,000 people,
730 days, in parallel) once per session. An effect "holds" when its 95%
confidence interval over seeds lies on the predicted side of zero; policies
are paired by seed (common random numbers). The measured numbers are printed
by ``servsim-facts`` and quoted in docs/model.md.
"""

import numpy as np
import pytest

from experiments.stylized_facts import (
    F2_LEARNING_RATES,
    F2_LOSS_AVERSIONS,
    F3_PROMISES,
    F4_DELAYS,
    F4_STAFF,
    Lab,
    all_configurations,
    f1_surprise_trap,
    f2_trap_has_a_cause,
    f3_promise_level,
    f4_recovery_speed,
    f5_complaint_iceberg,
    f6_reliability_compounds,
    f7_recovery_paradox,
    f8_losses_outweigh_gains,
    f9_variability_costs,
)
from sim.params import validate

pytestmark = pytest.mark.facts


@pytest.fixture(scope="module")
def lab():
    lab = Lab(customers=3000, days=730, seeds=range(8), workers=2)
    lab.prefetch(all_configurations())
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
    # falsification: expectations that do not learn leave nothing to fall short of
    assert e["trap depth, learning rate 0.0"].high <= 0
    assert positive(e["retention at horizon without learning, regress - never"])
    for low, high in zip(F2_LEARNING_RATES[1:], F2_LEARNING_RATES[2:]):
        assert positive(e[f"trap deepens, learning rate {high} - {low}"])
    for low, high in zip(F2_LOSS_AVERSIONS, F2_LOSS_AVERSIONS[1:]):
        assert positive(e[f"trap deepens, loss aversion {high} - {low}"])


def test_f3_promise_level(lab):
    e = f3_promise_level(lab)
    for low, high in zip(F3_PROMISES, F3_PROMISES[1:]):
        assert positive(e[f"retention falls, promise {low} - {high}"])
        assert positive(e[f"acquisitions rise, promise {high} - {low}"])
    delivered = validate({}).firm.quality
    for measure in ("profit", "market_share"):
        assert abs(e[f"{measure} peak promise"].mean - delivered) <= 1.0
        assert positive(e[f"{measure} at its peak - at the highest promise"])


def test_f4_recovery_speed_and_queueing(lab):
    e = f4_recovery_speed(lab)
    retention = [e[f"complainants' retention, recovery in {d:g} days"].mean for d in F4_DELAYS]
    assert retention == sorted(retention, reverse=True)
    for fast, slow in zip(F4_DELAYS[:-2], F4_DELAYS[1:-1]):
        assert positive(e[f"complainants' retention falls, {fast:g} - {slow:g} days"])
    delays = [e[f"mean recovery days, {s} handler(s)"].mean for s in F4_STAFF]
    assert delays == sorted(delays, reverse=True)
    # one handler for more complaints than one can take: delay explodes, not grows
    assert delays[0] > 2 * delays[1] and delays[1] - delays[2] > delays[2] - delays[3]
    assert positive(e["retention gain, 5 - 1 handlers"])


def test_f5_complaint_iceberg(lab):
    e = f5_complaint_iceberg(lab)
    assert e["complaint share of dissatisfying experiences"].high < 0.25
    assert positive(e["retention, resolved fast - silent"])


def test_f6_first_time_right_is_the_product_of_step_reliabilities(lab):
    for name, effect in f6_reliability_compounds(lab).items():
        assert effect.low <= 0 <= effect.high, name
        assert abs(effect.mean) < 0.002, name


def test_f7_recovery_paradox_is_conditional_and_weak_on_loyalty():
    e = f7_recovery_paradox(validate({}))
    paradox = "satisfaction vs never failed: "
    assert e[paradox + "mild first failure, fast generous recovery"] > 0
    for no_paradox in (
        "mild first failure, slow recovery (5 days)",
        "mild first failure, fast but stingy (no compensation, no apology)",
        "severe failure, fast generous recovery",
        "mild second failure, fast generous recovery",
    ):
        assert e[paradox + no_paradox] < 0, no_paradox
    loyalty = e["90-day retention vs never failed: mild first failure, fast generous recovery"]
    assert abs(loyalty) < 0.01


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
