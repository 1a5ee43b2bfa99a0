"""Answers under the posterior (issue 19, item 3): the variance split, the refusals, the terminal's words,
and the command line and the API giving the same numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import servsim
from sim.narrative import Words
from sim.posterior import ANSWERS_FILE, DECOMPOSITION_FILE, METRICS, PosteriorAnswers, decompose, lines, write_parquet
from stats.variance import SEED_Z, split_variance
from tests.test_bad_input import assert_one_line, servsim as run_cli

SMALL = ("market.customers=300", "days=100", "posterior_draws=3", "replications=2", "output.figures=false")


@pytest.fixture
def posterior_file(tmp_path):
    """A tiny posterior of this model version: five draws of two behavioural parameters."""
    draws = pd.DataFrame({"customers.complaint_propensity": [0.02, 0.04, 0.06, 0.1, 0.15],
                          "customers.grievance_weight": [0.5, 1.5, 2.5, 4.0, 7.0]})
    path = tmp_path / "posterior.parquet"
    write_parquet(path, draws)
    return path


def test_the_split_matches_a_hand_computation():
    # Draw means 2 and 7; variances over the two seeds (ddof 1) 2 and 8, so seed noise 5; the means'
    # variance 12.5 still holds 5 / 2 of seed noise, so the customers' part is 10.
    split = split_variance([[1.0, 3.0], [5.0, 9.0]])
    assert split.mean == 4.5 and split.seed_var == 5.0 and split.behaviour_var == 10.0 and split.total_var == 15.0
    assert split.seed_low == pytest.approx(4.5 - SEED_Z * math.sqrt(5)) and split.seed_high == pytest.approx(4.5 + SEED_Z * math.sqrt(5))
    assert (split.behaviour_low, split.behaviour_high) == pytest.approx((2.5, 6.5))  # 10th and 90th percentiles of 2, 7
    assert split_variance([[0.0, 4.0], [1.0, 3.0]]).behaviour_var == 0.0  # equal means: no part for the customers
    with pytest.raises(ValueError, match="at least 2 parameter sets x 2 seeds"):
        split_variance([[1.0, 2.0]])


def test_the_split_recovers_known_parts_over_fixed_seeds():
    """Draws with sd 2 and seed noise sd 3 (variances 4 and 9), 400 draws x 3 seeds: both parts are found
    within their sampling error (about 5% of the seed part and 12% of the draws' part)."""
    for seed in range(3):
        rng = np.random.default_rng(seed)
        values = rng.normal(0, 2, size=(400, 1)) + rng.normal(0, 3, size=(400, 3))
        split = split_variance(values)
        assert split.seed_var == pytest.approx(9, rel=0.15) and split.behaviour_var == pytest.approx(4, rel=0.35)


def test_decompose_splits_each_answer_and_says_which_part_dominates():
    rows = []
    for draw, level in enumerate([-30.0, 10.0, 50.0]):
        for seed, noise in enumerate([-1.0, 1.0]):
            record = {"draw": draw, "seed": seed}
            for key, _, _ in METRICS:
                record[f"{key}.difference"] = level + noise if key == "profit" else 0.01 * seed + 0.001 * draw
            rows.append(record)
    table = decompose(pd.DataFrame(rows)).set_index("metric")
    profit = split_variance([[-31, -29], [9, 11], [49, 51]])
    assert table.loc["profit", "behaviour_var"] == pytest.approx(profit.behaviour_var)
    assert table.loc["profit", "seed_var"] == pytest.approx(2.0)
    assert table.loc["profit", "dominant"] == "what is unknown about the customers"
    assert not table.loc["profit", "sign_settled"]  # the draws' means -30, 10, 50: 80% of them around zero
    assert table.loc["market_share", "dominant"] == "seed noise" and table.loc["market_share", "sign_settled"]


def _answers(decomposition: list[dict]) -> PosteriorAnswers:
    answers = pd.DataFrame({"draw": [0, 1], "seed": [0, 1]})
    return PosteriorAnswers("p.parquet", 5, [0, 1], answers, pd.DataFrame(decomposition))


@pytest.mark.parametrize("low, high, settled", [(-0.5, 2.0, False), (0.5, 2.0, True), (-2.0, -0.1, True)])
def test_the_sign_is_not_settled_exactly_when_the_draws_interval_holds_zero(low, high, settled):
    row = {"metric": "profit", "mean": 1.0, "seed_var": 1.0, "behaviour_var": 4.0, "seed_low": -1.0, "seed_high": 3.0,
           "behaviour_low80": low, "behaviour_high80": high, "dominant": "what is unknown about the customers",
           "sign_settled": not low <= 0 <= high}
    defined = {"seed_var": 0.0, "behaviour_var": 0.0, "mean": 0.01, "seed_low": 0.0, "seed_high": 0.02,
               "behaviour_low80": 0.005, "behaviour_high80": 0.015, "dominant": "seed noise", "sign_settled": True}
    shown = lines(_answers([row] + [{"metric": key, **defined} for key, _, _ in METRICS[1:]]), Words())
    assert shown[0].startswith("  Under the posterior p.parquet (5 draws): 2 behavioural draws x 2 seeds")
    profit = shown[2:4]
    assert f"between {low:+,.0f} and {high:+,.0f} over what is unknown about the customers (80%)" in profit[0]
    assert "what is unknown about the customers dominates" in profit[1]
    assert ("the sign is not settled" in profit[1]) is (not settled)
    assert sum("the sign is not settled" in line for line in shown) == (0 if settled else 1)


def test_a_posterior_of_another_model_version_is_refused_and_nothing_is_written(tmp_path, posterior_file):
    other = tmp_path / "other.parquet"
    frame = pd.read_parquet(posterior_file)
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, b"servsim_model_version": b"0.0.1+000000000000"}), other)
    line = assert_one_line(*run_cli(tmp_path / "run", f"posterior={other}", "firm.promise=8", *SMALL)[::2])
    assert "posterior = " in line and "made by model version 0.0.1+000000000000" in line and "calibrate again" in line
    assert not (tmp_path / "run").exists()
    with pytest.raises(servsim.ConfigError, match="made by model version 0.0.1"):
        servsim.run(overrides={"firm.promise": 8}, posterior=other)


@pytest.mark.parametrize("arguments, fragment", [
    (["-m", "seed=0,1"], "not allowed in a sweep: each run of a sweep stands alone; to compare policies across the "
                         "posterior's behaviours use servsim-robust posterior=FILE"),
    ([], "needs a what-if: this run has the baseline's settings"),
    (["firm.promise=8", "compare=false"], "needs a reference: compare = false"),
])
def test_a_posterior_without_an_answer_to_give_is_refused(tmp_path, posterior_file, arguments, fragment):
    line = assert_one_line(*run_cli(tmp_path / "run", f"posterior={posterior_file}", *arguments, *SMALL[:2])[::2])
    assert fragment in line
    assert not (tmp_path / "run" / "summary.json").exists()


def test_a_posterior_over_the_firm_is_refused(tmp_path):
    path = tmp_path / "firm.parquet"
    write_parquet(path, pd.DataFrame({"firm.promise": [7.0, 8.0]}))
    line = assert_one_line(*run_cli(tmp_path / "run", f"posterior={path}", "firm.promise=8", *SMALL)[::2])
    assert "its column 'firm.promise' is not a behavioural parameter" in line


def test_the_command_line_and_the_api_give_the_same_answers(tmp_path, posterior_file):
    status, out, err = run_cli(tmp_path / "run", f"posterior={posterior_file}", "firm.promise=8", *SMALL)
    assert status == 0, err
    answers = pd.read_csv(tmp_path / "run" / ANSWERS_FILE)
    table = pd.read_csv(tmp_path / "run" / DECOMPOSITION_FILE)
    assert len(answers) == 3 * 2 and sorted(answers["seed"].unique()) == [0, 1]
    assert set(answers.groupby("draw")["seed"].count()) == {2}
    np.testing.assert_allclose(answers["profit.difference"], answers["profit"] - answers["profit.reference"], rtol=1e-5)
    assert "3 behavioural draws x 2 seeds (0-1), each seed compared with its own reference" in out
    for row in table.itertuples():
        label = next(label for key, label, _ in METRICS if key == row.metric)
        block = out[out.index(f"    {label}: "):].splitlines()[:2]
        assert f"{row.dominant} dominates" in block[1]
        assert ("the sign is not settled" in block[1]) == (row.behaviour_low80 <= 0 <= row.behaviour_high80)
    small = {"market.customers": 300, "days": 100, "posterior_draws": 3, "replications": 2, "output.figures": False}
    result = servsim.run(overrides={"firm.promise": 8, **small}, posterior=posterior_file)
    numeric = table.select_dtypes("number").columns
    np.testing.assert_allclose(result.posterior.decomposition[numeric].to_numpy(float), table[numeric].to_numpy(float), rtol=1e-5)
    np.testing.assert_allclose(result.posterior.answers["profit.difference"], answers["profit.difference"], rtol=1e-5)
    assert (result.posterior.decomposition["sign_settled"] == table["sign_settled"]).all()
