"""The day's dice: one per person per decision, fixed whatever anyone else does, and fair."""

import numpy as np
import pytest
from scipy import stats

from agents.dice import (
    EXPONENTIAL_VISIT_DICE,
    N_POPULATION_DICE,
    N_VISIT_DICE,
    NORMAL_VISIT_DICE,
    DailyDice,
    open_unit_interval,
    splitmix64,
)

UNIFORM_VISIT_DICE = [d for d in range(N_VISIT_DICE) if d not in NORMAL_VISIT_DICE + EXPONENTIAL_VISIT_DICE]


def rolled(size=200_000, seed=7) -> DailyDice:
    dice = DailyDice(np.random.default_rng(seed), size)
    dice.roll()
    return dice


@pytest.mark.parametrize("decision", range(N_VISIT_DICE))
def test_a_persons_visit_die_does_not_depend_on_who_else_visits(decision):
    dice = rolled(size=5_000)
    everyone = dice.visit(decision, np.arange(5_000))
    some = np.flatnonzero(np.random.default_rng(1).random(5_000) < 0.05)
    np.testing.assert_array_equal(dice.visit(decision, some), everyone[some])
    np.testing.assert_array_equal(dice.visit_block()[decision], everyone)


def test_a_day_takes_the_same_amount_of_the_stream_whatever_is_read():
    busy, idle = rolled(size=1_000), rolled(size=1_000)
    for decision in range(N_VISIT_DICE):
        busy.visit(decision, np.arange(0, 1_000, 3))
    busy.roll()
    idle.roll()
    np.testing.assert_array_equal(busy.population, idle.population)
    np.testing.assert_array_equal(busy.visit_keys, idle.visit_keys)


def test_days_differ():
    dice = rolled(size=1_000)
    first_population, first_visit = dice.population.copy(), dice.visit(0, np.arange(1_000))
    dice.roll()
    assert not np.array_equal(first_population, dice.population)
    assert not np.array_equal(first_visit, dice.visit(0, np.arange(1_000)))


@pytest.mark.parametrize("decision", UNIFORM_VISIT_DICE)
def test_uniform_visit_dice_are_uniform_on_the_open_interval(decision):
    u = rolled().visit(decision, np.arange(200_000))
    assert 0.0 < u.min() and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 0.001
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / u.size)


@pytest.mark.parametrize("decision", NORMAL_VISIT_DICE)
def test_normal_visit_dice_are_standard_normal(decision):
    z = rolled().visit(decision, np.arange(200_000))
    assert np.isfinite(z).all()
    assert stats.kstest(z, "norm").pvalue > 0.001
    assert abs(z.mean()) < 5 / np.sqrt(z.size) and abs(z.std() - 1.0) < 0.01


@pytest.mark.parametrize("decision", EXPONENTIAL_VISIT_DICE)
def test_exponential_visit_dice_have_unit_mean(decision):
    e = rolled().visit(decision, np.arange(200_000))
    assert np.isfinite(e).all() and e.min() > 0.0
    assert stats.kstest(e, "expon").pvalue > 0.001
    assert abs(e.mean() - 1.0) < 5 / np.sqrt(e.size)


def test_dice_are_uncorrelated_across_decisions_and_neighbours():
    dice = rolled()
    block = np.vstack([dice.population, dice.visit_block()])
    assert block.shape == (N_POPULATION_DICE + N_VISIT_DICE, 200_000)
    correlations = np.corrcoef(block)
    off_diagonal = correlations[~np.eye(len(block), dtype=bool)]
    neighbours = [np.corrcoef(row[:-1], row[1:])[0, 1] for row in block]
    limit = 5 / np.sqrt(200_000)
    assert np.abs(off_diagonal).max() < limit and np.abs(neighbours).max() < limit


def test_extreme_bits_stay_inside_the_interval():
    u = open_unit_interval(np.array([0, 2**64 - 1], dtype=np.uint64))
    assert 0.0 < u[0] < 1e-15 and 1.0 - 1e-15 < u[1] < 1.0


def test_one_persons_die_is_the_same_number_as_the_arrays():
    dice = DailyDice(np.random.default_rng(3), 1_000)
    dice.roll()
    people = np.array([0, 1, 17, 999])
    for decision in range(N_VISIT_DICE):
        uniform = open_unit_interval(splitmix64(dice.visit_keys[decision], people))
        assert [dice.uniform_of(decision, int(person)) for person in people] == uniform.tolist()
