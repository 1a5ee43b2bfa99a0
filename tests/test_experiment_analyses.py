"""The analyses behind the three answers and the sensitivity study, on inputs with known answers."""

import numpy as np
import pandas as pd
import pytest

from experiments.aggregate import COMPLAINANTS_KEPT
from experiments.recovery_speed import DELAY, equivalent_delay, gaps_to_standard
from experiments.sensitivity import design_matrix, indices
from experiments.surprise_trap import LEARNING, LENGTH, REGRESS, SIZE, falls_behind_on, paired_gaps, trap_course


def test_paired_gaps_subtract_the_never_surprised_run_of_the_same_seed_and_learning_rate():
    runs = pd.DataFrame({
        "job": [0, 1, 2, 3, 4],
        LENGTH: [0, 120, 0, 120, 120],
        SIZE: [1.5, 1.5, 1.5, 1.5, 1.5],
        REGRESS: [True, True, True, True, False],
        LEARNING: [0.15, 0.15, 0.15, 0.15, 0.15],
        "seed": [0, 0, 1, 1, 1],
        "retention_never_left": [0.80, 0.75, 0.70, 0.66, 0.90],
        "market_share": [0.6, 0.5, 0.6, 0.5, 0.7],
        "profit": [100.0, 90.0, 80.0, 85.0, 60.0],
        "cohort_satisfaction_final": [0.0, -0.2, 0.1, -0.1, 0.3],
    })
    gaps = paired_gaps(runs).set_index("job")
    assert list(gaps.index) == [1, 3, 4]
    assert gaps.loc[1, "retention_never_left_gap"] == pytest.approx(-0.05)
    assert gaps.loc[3, "retention_never_left_gap"] == pytest.approx(-0.04)
    assert gaps.loc[4, "profit_gap"] == pytest.approx(-20.0)
    assert list(gaps["policy"]) == ["regress", "regress", "sustained"]


def test_trap_course_finds_depth_day_and_duration_of_a_known_dip():
    days = np.arange(400)
    dip = np.where((days >= 200) & (days < 300), -0.5 * np.sin(np.pi * (days - 200) / 100), 0.0)
    never = pd.DataFrame({0: np.zeros(400), 1: np.zeros(400)}, index=days)
    regress = pd.DataFrame({0: dip, 1: dip}, index=days)
    course = trap_course(regress, never, regress_day=200)
    assert course["dip_day"] == pytest.approx(250, abs=2)
    assert course["depth"] == pytest.approx(-0.5, abs=0.05)  # smoothing over 30 days shaves the bottom a little
    assert 80 <= course["lasts_days"] <= 110


def test_trap_course_says_when_the_dip_has_not_closed():
    days = np.arange(300)
    never = pd.DataFrame({0: np.zeros(300)}, index=days)
    regress = pd.DataFrame({0: np.where(days >= 100, -0.4, 0.0)}, index=days)
    assert trap_course(regress, never, regress_day=100)["lasts_days"] is None


def test_equivalent_delay_interpolates_the_standard_curve():
    standard = pd.DataFrame({DELAY: [0.0, 4.0, 8.0], COMPLAINANTS_KEPT: [0.9, 0.8, 0.6]})
    assert equivalent_delay(standard, 0.85) == pytest.approx(2.0)
    assert equivalent_delay(standard, 0.7) == pytest.approx(6.0)
    assert equivalent_delay(standard, 0.95) is None


PROBLEM = {"names": ["strong", "none", "weak"], "bounds": [[0.0, 1.0], [0.0, 1.0], [0.0, 2.0]], "levels": 4,
           "design_seed": 3}


def test_morris_ranks_a_known_linear_function():
    """y = 3 a + 0 b + 0.5 c: a full-range move changes y by 3, 0 and 1."""
    problem = {**PROBLEM, "method": "morris", "samples": 8}
    design = design_matrix(problem)
    assert design.shape == (8 * 4, 3)
    y = 3 * design[:, 0] + 0.5 * design[:, 2]
    table = indices(problem, design, {"y": y}).set_index("parameter")
    assert table.loc["strong", "mu_star"] == pytest.approx(3.0)
    assert table.loc["none", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["weak", "mu_star"] == pytest.approx(1.0)
    assert (table["mu_star_conf"] >= 0).all()


def test_sobol_attributes_variance_to_the_parameters_that_carry_it():
    problem = {**PROBLEM, "method": "sobol", "samples": 256}
    design = design_matrix(problem)
    assert design.shape == (256 * (3 + 2), 3)
    y = 3 * design[:, 0] + 0.5 * design[:, 2]  # variances 9/12 and 1/12: shares 0.9 and 0.1
    table = indices(problem, design, {"y": y}).set_index("parameter")
    assert table.loc["strong", "ST"] == pytest.approx(0.9, abs=0.1)
    assert table.loc["weak", "ST"] == pytest.approx(0.1, abs=0.05)
    assert table.loc["none", "ST"] == pytest.approx(0.0, abs=0.02)
    assert {"S1", "S1_conf", "ST_conf"} <= set(table.columns)


def test_falls_behind_on_finds_the_day_a_policy_drops_below_for_good():
    days = np.arange(10)
    never = pd.DataFrame({0: np.full(10, 0.5)}, index=days)
    regress = pd.DataFrame({0: [0.6, 0.6, 0.4, 0.6, 0.5, 0.4, 0.3, 0.3, 0.2, 0.2]}, index=days)
    assert falls_behind_on(regress, never) == 5  # ties count as not behind; day 2's brief dip does not
    assert falls_behind_on(never + 0.1, never) is None


def test_gaps_to_standard_pair_each_design_with_the_default_at_the_same_delay_and_seed():
    design = {"recovery.compensation": [0.5, 0.5, 1.5, 1.5, 0.5], "recovery.apology": [True] * 5,
              "recovery.on_the_spot": [0.0] * 5}
    runs = pd.DataFrame({**design, "recovery.desk": ["fixed_delay"] * 4 + ["queue"], DELAY: [4.0, 4.0, 4.0, 4.0, 0.25],
                         "seed": [0, 1, 1, 0, 0], "retention_complainants": [0.80, 0.70, 0.75, 0.86, 0.99]})
    gaps = gaps_to_standard(runs, "retention_complainants").sort_values("seed")
    assert list(gaps["seed"]) == [0, 1]
    assert list(gaps["gap"]) == pytest.approx([0.06, 0.05])
