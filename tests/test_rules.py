"""Behaviour rules: the theory's shape, and scalar/array agreement."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from agents import rules

finite = st.floats(-20, 20, allow_nan=False)
share = st.floats(0, 1)


def test_rules_give_the_same_number_for_a_scalar_and_an_array_slot():
    gaps = np.array([-3.0, -0.7, -0.2, 0.0, 0.4, 1.2, 2.5])
    array_values = rules.experience_value(gaps, 0.5, 2.25, 0.88)
    for gap, value in zip(gaps, array_values):
        assert rules.experience_value(float(gap), 0.5, 2.25, 0.88) == value
    array_outcomes = rules.classify_outcome(gaps, 0.5, 1.0)
    for gap, outcome in zip(gaps, array_outcomes):
        assert int(rules.classify_outcome(float(gap), 0.5, 1.0)) == outcome


def test_value_is_zero_inside_the_zone_of_tolerance():
    assert np.all(rules.experience_value(np.linspace(-0.5, 0.5, 11), 0.5, 2.25, 0.88) == 0.0)


@given(st.floats(0.01, 5), st.floats(1.0, 5.0), st.floats(0.1, 1.0))
def test_losses_weigh_more_than_equal_gains(size, loss_aversion, curvature):
    gain = rules.experience_value(0.5 + size, 0.5, loss_aversion, curvature)
    loss = rules.experience_value(-0.5 - size, 0.5, loss_aversion, curvature)
    assert gain > 0 > loss
    assert np.isclose(-loss, loss_aversion * gain)


def test_four_outcomes_at_their_boundaries():
    tolerance, margin = 0.5, 1.0
    gaps = [-0.51, -0.5, 0.5, 0.51, 1.5, 1.51]
    assert list(rules.classify_outcome(np.array(gaps), tolerance, margin)) == [
        rules.BELOW,
        rules.EQUAL,
        rules.EQUAL,
        rules.ABOVE,
        rules.ABOVE,
        rules.DELIGHT,
    ]


def test_chain_reliability_compounds():
    assert np.isclose(rules.chain_success_probability(0.95, 5), 0.7738, atol=1e-4)


@given(share, st.booleans(), share, share, share)
def test_trust_stays_in_the_unit_interval(trust, broken, gain, loss, softening):
    updated = rules.update_trust(trust, broken, gain, loss, softening)
    assert 0.0 <= updated <= 1.0


def test_broken_promise_costs_more_trust_than_a_kept_one_earns():
    trust = 0.6
    kept = rules.update_trust(trust, False, 0.03, 0.15, 0.0) - trust
    lost = trust - rules.update_trust(trust, True, 0.03, 0.15, 0.0)
    softened = trust - rules.update_trust(trust, True, 0.03, 0.15, 0.5)
    assert lost > kept > 0
    assert 0 < softened < lost


def test_an_implicit_promise_from_past_service_can_be_broken():
    # advertised 7, but the customer has come to expect 8.5: 7.2 now breaks a promise
    assert rules.promise_broken(7.2, 7.0, 8.5, 0.5)
    assert not rules.promise_broken(7.2, 7.0, 7.0, 0.5)


@given(finite, finite, share, share)
def test_expectation_moves_toward_experience_without_overshooting(expectation, perceived, alpha, _):
    updated = rules.learn_expectation(expectation, perceived, alpha, 1.5)
    low, high = sorted((expectation, perceived))
    assert low - 1e-9 <= updated <= high + 1e-9


def test_bad_news_moves_expectation_faster_than_good_news():
    down = 7.0 - rules.learn_expectation(7.0, 6.0, 0.1, 1.5)
    up = rules.learn_expectation(7.0, 8.0, 0.1, 1.5) - 7.0
    assert np.isclose(down, 1.5 * up)


@given(share, finite, st.floats(0, 5), st.floats(1, 3))
def test_complaint_probability_is_a_probability(propensity, gap, tolerance, boost):
    assert 0.0 <= rules.complaint_probability(propensity, rules.shortfall(gap, tolerance), boost) <= 1.0


PARAMETERS = (0.00006, 0.005, -1.5, 3.0, 73.0, 1.0, 2.5)  # floor, span, midpoint, steepness, scale, trust, grievance


@given(finite, st.floats(0, 10), st.integers(0, 5000), share, st.floats(0, 50), st.floats(0.001, 1.0))
def test_leaving_is_a_probability_that_falls_with_satisfaction_and_rises_with_grievance(
    satisfaction, cost, purchases, trust, grievance, visit_rate
):
    def chance(satisfaction, grievance):
        hazard = rules.defection_hazard(satisfaction, cost, purchases, trust, grievance, *PARAMETERS)
        return rules.defection_probability(hazard, 1.0 / visit_rate)

    p = chance(satisfaction, grievance)
    assert 0.0 <= p <= 1.0
    assert chance(satisfaction - 1.0, grievance) >= p
    assert chance(satisfaction, grievance + 1.0) >= p


def test_past_purchases_protect_and_soften_a_grievance():
    def hazard(purchases, grievance):
        return rules.defection_hazard(0.0, 0.5, purchases, 0.7, grievance, *PARAMETERS)

    assert hazard(100, 0.0) < hazard(0, 0.0)
    # the rise a grievance causes is smaller for a customer with more past purchases (F11)
    assert hazard(100, 2.0) - hazard(100, 0.0) < hazard(0, 2.0) - hazard(0, 0.0)


def test_visiting_more_often_does_not_raise_the_chance_to_leave_per_day():
    """A decision covers the days since the last one: ten visits of a heavy user = one of a light user."""
    hazard = 0.002
    heavy = 1.0 - (1.0 - rules.defection_probability(hazard, 1.0 / 0.5)) ** 10
    light = rules.defection_probability(hazard, 1.0 / 0.05)
    assert np.isclose(heavy, light)


def test_grievance_grows_with_shortfalls_and_abandonment_heals_with_recovery_and_fades():
    weights = (0.15, 0.1, 2.0, 0.05)
    after_problem = rules.grievance_after_problem(0.0, rules.shortfall(-1.6, 0.6), 1.0)
    assert np.isclose(after_problem, 2.0)
    assert rules.grievance_after_problem(0.5, 0.0, 1.0) == 0.5  # no problem, nothing added
    assert rules.shortfall(0.3, 0.6) == 0.0  # inside the zone: nothing to remember
    fast = rules.restoration(0.0, 0.5, 1.0, 1, weights, 0.9)
    slow = rules.restoration(10.0, 0.5, 1.0, 1, weights, 0.9)
    second = rules.restoration(0.0, 0.5, 1.0, 2, weights, 0.9)
    assert 0.0 < second < slow < fast <= 0.9
    assert rules.restoration(0.0, 1e9, 1.0, 1, weights, 0.9) <= 0.9  # recovery rarely heals fully
    assert rules.grievance_after_resolution(after_problem, fast) < after_problem
    assert rules.grievance_after_abandonment(after_problem, 2.0) == 4.0
    faded = after_problem
    for _ in range(60):
        faded = rules.fade(faded, 60.0)
    assert np.isclose(faded, 1.0)


def test_a_guarantee_pays_on_the_stated_promise_only():
    # a surprise raised the customer's expectation to 8.5: 7.2 breaks that implicit promise ...
    assert rules.promise_broken(7.2, 7.0, 8.5, 0.5)
    # ... but the guarantee promised 7 within 0.5, and 7.2 keeps it
    assert not rules.guarantee_owed(7.2, 7.0, 0.5)
    assert rules.guarantee_owed(6.4, 7.0, 0.5)


def test_recovery_value_falls_with_delay_and_with_repeated_complaints():
    weights = (1.0, 1.0, 2.0, 0.5)
    fast = rules.recovery_value(0.0, 0.5, 1.0, 1, weights)
    slow = rules.recovery_value(10.0, 0.5, 1.0, 1, weights)
    second = rules.recovery_value(0.0, 0.5, 1.0, 2, weights)
    assert fast > slow > 0
    assert np.isclose(second, fast / 2)


def test_unhappy_customers_talk_more_than_happy_ones():
    rates = rules.word_of_mouth_rate(np.array([-2.0, 0.0, 2.0]), 0.5, 0.01, 0.02)
    assert list(rates) == [0.02, 0.0, 0.01]


@given(st.floats(0, 10), share, st.floats(-3, 3), st.floats(-3, 3))
def test_acquisition_rises_with_what_people_expect(expectation, trust, heard, satisfaction):
    base = rules.acquisition_probability(expectation, trust, heard, satisfaction, 6.5, 0.001, 1.0)
    more = rules.acquisition_probability(expectation + 1, trust, heard, satisfaction, 6.5, 0.001, 1.0)
    assert 0.0 <= base <= more <= 1.0
