"""95% confidence intervals: t for means, logit t for shares near a bound, Wilson for counted shares.

Intervals respect their bounds: a share (a number in [0, 1]) whose t interval would
run past 0 or 1 gets the t interval of its logits mapped back, which stays inside
(0, 1); a share counted from people (k of n stayed) gets Wilson's interval. Below
``MIN_REPLICATIONS`` replications a t interval is too unreliable to read, so none is
given: the callers print "too few" instead of a number that looks exact.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special
from scipy.stats import t as student_t

CONFIDENCE = 0.95
# Fewer replications than this: no interval (with 2 the t interval is four times wider than its
# normal approximation and hangs on one difference; with 1 there is no estimate of the noise at all).
MIN_REPLICATIONS = 3
# A share of exactly 0 or 1 has no logit: it is moved this far inside the bounds first (a tenth of a
# percentage point, the resolution the reports print).
LOGIT_EDGE = 1e-3
# The normal quantile of CONFIDENCE, for Wilson's interval.
Z = 1.959964


def mean_ci(values, minimum: int = 2) -> tuple[int, float, float]:
    """(n, mean, half-width of the t-based 95% confidence interval) of replications.

    Missing values (a metric undefined in a run, e.g. no complainant) are dropped;
    with fewer than ``minimum`` values (never fewer than two) the half-width is NaN.
    """
    values = np.asarray(pd.Series(values, dtype=float).dropna())
    n = values.size
    if n == 0:
        return 0, math.nan, math.nan
    mean = float(values.mean())
    if n < max(2, minimum):
        return n, mean, math.nan
    half = float(student_t.ppf(0.5 + CONFIDENCE / 2, n - 1) * values.std(ddof=1) / np.sqrt(n))
    return n, mean, half


def share_interval(values, minimum: int = 2) -> tuple[int, float, float, float, str]:
    """(n, mean, low, high, how) of shares: the t-based 95% interval, or that of their logits if it crosses 0 or 1.

    When the t interval lies inside [0, 1] it is kept ("t"), so well-replicated shares
    get the same interval as any other mean; when it would run past a bound (shares
    near 0 or 1 over few runs) the t interval of the logits is mapped back ("logit t"),
    which never leaves (0, 1). Below ``minimum`` values: NaN bounds ("too few").
    """
    values = pd.Series(values, dtype=float).dropna().to_numpy()
    n, mean, half = mean_ci(values, minimum)
    if math.isnan(half):
        return n, mean, math.nan, math.nan, "too few" if n else "none"
    if 0.0 <= mean - half <= mean + half <= 1.0:
        return n, mean, mean - half, mean + half, "t"
    logits = special.logit(np.clip(values, LOGIT_EDGE, 1 - LOGIT_EDGE))
    _, centre, half = mean_ci(logits)
    return n, mean, float(special.expit(centre - half)), float(special.expit(centre + half)), "logit t"


def paired_difference(values, references) -> tuple[int, float, float]:
    """(n, mean, half-width of its t-based 95% interval) of the differences value - reference, pair by pair.

    Pairs share a seed, hence their dice: the difference's spread is the what-if's, not
    the seeds', and is far smaller than that of either side.
    """
    return mean_ci(pd.Series(values, dtype=float).to_numpy() - pd.Series(references, dtype=float).to_numpy())


def wilson_interval(successes: int, n: int, z: float = Z) -> tuple[float, float]:
    """95% Wilson score interval of a proportion: stays inside [0, 1], sound for small n."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def pooled_share(sizes, shares) -> tuple[int, int, float, float]:
    """(n, successes, low, high): shares of independent groups pooled into one count, with Wilson's interval.

    Each group reports its size and the share that succeeded (a run's landmarks and
    the share that stayed); summing the counts weighs every person once, however the
    people fell into groups, and needs no minimum number of groups.
    """
    sizes = pd.Series(sizes, dtype=float).fillna(0).to_numpy()
    shares = pd.Series(shares, dtype=float).fillna(0).to_numpy()
    n = int(sizes.sum())
    successes = int(round(float((sizes * shares).sum())))
    return (n, successes, *wilson_interval(successes, n))


def daily_mean_ci(by_day: pd.DataFrame) -> pd.DataFrame:
    """Mean and t-based 95% interval across the runs (columns) of a day-by-run table, day by day.

    Days with fewer than two runs get no interval (NaN bounds: the spread of one run is undefined).
    """
    n = by_day.notna().sum(axis=1)
    mean = by_day.mean(axis=1)
    half = student_t.ppf(0.5 + CONFIDENCE / 2, (n - 1).clip(lower=1)) * by_day.std(axis=1, ddof=1) / np.sqrt(n)
    return pd.DataFrame({"mean": mean, "low": mean - half, "high": mean + half})
