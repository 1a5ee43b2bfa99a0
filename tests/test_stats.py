"""The statistics every report reads (stats/): hand computations and their bounds."""

import math

import numpy as np
import pandas as pd
import pytest

from stats.intervals import (
    MIN_REPLICATIONS,
    daily_mean_ci,
    mean_ci,
    paired_difference,
    pooled_share,
    share_interval,
    wilson_interval,
)


def test_mean_ci_matches_hand_computation():
    n, mean, half = mean_ci([1.0, 2.0, 3.0, 4.0])
    # sd = sqrt(5/3) = 1.290994; t(0.975, 3 df) = 3.182446; half = t * sd / sqrt(4)
    assert (n, mean) == (4, 2.5)
    assert half == pytest.approx(3.182446 * 1.290994 / 2, rel=1e-6)
    assert mean_ci([5.0, None, 7.0])[0] == 2  # a metric undefined in one run is dropped
    assert np.isnan(mean_ci([3.0])[2])  # no interval from one replication


def test_a_minimum_withholds_the_interval_of_small_groups():
    assert math.isnan(mean_ci([1.0, 2.0], minimum=MIN_REPLICATIONS)[2])
    assert not math.isnan(mean_ci([1.0, 2.0, 4.0], minimum=MIN_REPLICATIONS)[2])
    n, mean, low, high, how = share_interval([0.2, 0.4], minimum=MIN_REPLICATIONS)
    assert (n, how) == (2, "too few") and mean == pytest.approx(0.3) and math.isnan(low) and math.isnan(high)
    assert share_interval([], minimum=MIN_REPLICATIONS)[4] == "none"


def test_share_interval_uses_logits_only_at_a_bound():
    assert share_interval([0.5, 0.52, 0.51])[4] == "t"
    n, mean, low, high, how = share_interval([0.797, 1.0, 0.999])
    assert how == "logit t" and 0 < low < mean < high < 1


def test_paired_difference_is_the_mean_interval_of_the_differences():
    ours, reference = [0.80, 0.82, 0.79, 0.85], [0.75, 0.78, 0.76, 0.79]
    assert paired_difference(ours, reference) == pytest.approx(mean_ci(np.subtract(ours, reference)))
    # the seeds' spread (about 3 points) cancels: the difference's interval is narrower than either side's
    assert paired_difference(ours, reference)[2] < mean_ci(ours)[2]


def test_wilson_interval_matches_hand_computation():
    # 5 of 10: centre (0.5 + 1.92/10) / 1.384 = 0.5; half 1.96 * sqrt(0.025 + 0.0096) / 1.384 = 0.2634
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    low, high = wilson_interval(0, 12)
    assert low == 0.0 and 0 < high < 0.3
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def test_pooled_share_counts_every_person_once():
    n, successes, low, high = pooled_share([10, 30, 0], [0.5, 0.2, None])
    assert (n, successes) == (40, 11)
    assert (low, high) == wilson_interval(11, 40)


def test_daily_mean_ci_gives_no_interval_from_one_run():
    by_day = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, np.nan]})
    bands = daily_mean_ci(by_day)
    assert bands.loc[0, "mean"] == 2.0 and bands.loc[0, "low"] < 2.0 < bands.loc[0, "high"]
    assert bands.loc[1, "mean"] == 2.0 and np.isnan(bands.loc[1, "low"])
