"""How much of an answer's spread is seed noise and how much is what is not known (the law of total variance).

An answer measured at ``B`` parameter sets drawn from a posterior x ``S`` seeds each
varies for two reasons: the dice of a run (the seed) and the parameters themselves.
Var(answer) = E[Var(answer | parameters)] + Var(E[answer | parameters]). Both parts are
estimated as a one-way random-effects analysis of variance does: the seed part is the
pooled variance within a parameter set (unbiased, ``S - 1`` degrees of freedom each); the
parameter part is the variance of the per-set means less the seed noise those means still
carry (``seed_var / S``), never below zero. With only 2 seeds the plain (ddof 0) split would
halve the seed part and give it to the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The interval over parameter sets: the middle 80% of the per-set means.
BEHAVIOUR_QUANTILES = (0.1, 0.9)
# The seed interval: mean +- this many seed-noise standard deviations (95%).
SEED_Z = 1.959964


@dataclass(frozen=True)
class VarianceSplit:
    """One answer's mean, its two variance parts and an interval from each."""

    mean: float
    seed_var: float  # E over parameter sets of the variance over seeds
    behaviour_var: float  # variance over parameter sets of the answer's expectation
    seed_low: float
    seed_high: float
    behaviour_low: float  # 10th percentile of the per-set means
    behaviour_high: float  # 90th percentile

    @property
    def total_var(self) -> float:
        return self.seed_var + self.behaviour_var


def split_variance(values) -> VarianceSplit:
    """The split of ``values`` (rows: parameter sets, columns: seeds; at least 2 x 2, no missing value)."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or min(values.shape) < 2 or not np.isfinite(values).all():
        raise ValueError(f"expected at least 2 parameter sets x 2 seeds of finite values, got shape {values.shape}")
    seeds = values.shape[1]
    means = values.mean(axis=1)
    seed_var = float(values.var(axis=1, ddof=1).mean())
    behaviour_var = max(0.0, float(means.var(ddof=1)) - seed_var / seeds)
    mean = float(values.mean())
    half = SEED_Z * np.sqrt(seed_var)
    low, high = np.quantile(means, BEHAVIOUR_QUANTILES)
    return VarianceSplit(mean, seed_var, behaviour_var, mean - half, mean + half, float(low), float(high))
