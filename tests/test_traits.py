"""Heterogeneous traits: declared once in the schema's trait table, drawn without disturbing any other draw."""

import dataclasses

import numpy as np
import pytest
from scipy import stats

from agents.population import CUSTOMER_STATE, draw_positive, draw_share
from sim.params import TRAITS, CustomersConfig
from sim.run import CUSTOMER_COLUMNS, build_model, simulate
from tests.conftest import small_config

PARAMETERS = {f.name: f for f in dataclasses.fields(CustomersConfig)}


def test_every_trait_is_a_parameter_with_its_spread_and_its_schema_declaration():
    assert len({trait.key for trait in TRAITS}) == len(TRAITS)
    for trait in TRAITS:
        assert trait.key in PARAMETERS and trait.spread in PARAMETERS, trait
        declared = trait.parameter()
        assert declared["doc"] and declared["low"] is not None and "prior" in declared, trait.key
        assert trait.key not in {f.name for f in CUSTOMER_STATE}, f"{trait.key} is both a trait and changing state"


@pytest.mark.parametrize("engine", ["vector", "agent"])
def test_both_engines_and_the_customers_table_carry_every_trait(engine):
    model = build_model(small_config({"engine": engine, "market.customers": 200, "days": 2}))
    people = model.people
    customers = model.agents if engine == "agent" else ()
    for trait in TRAITS:
        assert getattr(people, trait.key).shape == (200,) and trait.key in CUSTOMER_COLUMNS
        assert all(getattr(customer, trait.key) == getattr(people, trait.key)[customer.index] for customer in customers)


def test_a_trait_with_no_spread_is_its_mean_for_everyone():
    people = build_model(small_config({"market.customers": 500})).people
    assert np.all(people.grievance_weight == CustomersConfig.grievance_weight)


def test_spreading_grievance_weight_changes_no_other_draw_and_has_the_asked_mean_and_spread():
    """The new trait is drawn last from the population stream: everything else is as before, bit for bit."""
    overrides = {"seed": 5, "market.customers": 20_000, "days": 1}
    same = build_model(small_config(overrides)).people
    spread = build_model(small_config({**overrides, "customers.grievance_weight_spread": 0.8})).people
    for f in same.fields:
        if f.name != "grievance_weight":
            np.testing.assert_array_equal(getattr(same, f.name), getattr(spread, f.name), err_msg=f.name)
    weights = spread.grievance_weight
    mean = CustomersConfig.grievance_weight
    assert np.all(weights > 0)
    assert abs(weights.mean() - mean) < 3 * 0.8 * mean / np.sqrt(len(weights))
    assert abs(weights.std() / weights.mean() - 0.8) < 0.03


def test_customers_who_weigh_grievances_more_leave_more_after_problems():
    """The trait reaches its rule: among starting customers with a problem, leavers weigh grievances more."""
    _, _, model = simulate(small_config({"seed": 3, "market.customers": 6_000, "days": 365, "customers.grievance_weight_spread": 1.0}))
    people = model.people
    had_problems = people.starting_customer & (people.problems > 0)
    left, stayed = people.grievance_weight[had_problems & people.ever_left], people.grievance_weight[had_problems & ~people.ever_left]
    assert len(left) > 100 and len(stayed) > 100
    assert stats.mannwhitneyu(left, stayed, alternative="greater").pvalue < 1e-6


@pytest.mark.parametrize("draw", [draw_positive, draw_share])
def test_a_spread_too_small_to_invert_draws_the_mean(draw):
    """1 / cv**2 overflows for a cv below about 1e-154: the trait is then everyone's mean, not NaN."""
    values = draw(np.random.default_rng(0), 0.6, 1.6848832933087402e-162, 10)
    assert np.all(values == 0.6)
