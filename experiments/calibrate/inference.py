"""The posterior over the calibrated parameters, learnt from the bank: regression ABC (default) or neural (flowjax).

Both work on the same footing. Each parameter is mapped to the real line
(the logit of its place in the prior range), so a posterior never leaves the prior's
support. The bank's figures are the simulated firm's figures at the bank's size; a
firm whose figure is less precise than the bank's own noise (a small ``n``, a large
``se``) gets the difference added to the bank's figures as Gaussian noise before
fitting, so the posterior carries the firm's uncertainty and not the bank's. A
range (a literature target) is met anywhere inside it: ABC measures the distance
to the range, the neural estimator pools posteriors at values spread over it.

    abc   rejection ABC with local-linear regression adjustment (Beaumont, Zhang
          & Balding 2002): the bank's nearest runs, corrected toward the figures.
          The default: on banks of hundreds of runs it was calibrated (every
          parameter's coverage inside the binomial band) and contracted more than
          the flow, in a fraction of a second (docs/calibration.md).
    npe   neural posterior estimation (Papamakarios & Murray 2016): a conditional
          masked autoregressive flow (flowjax) trained on the bank, then sampled
          at the firm's figures; amortised: one training serves any figures of
          the same keys. It needs thousands of runs to be sharp.
"""

from __future__ import annotations

import sys

from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.calibrate.observed import Figure
from experiments.calibrate.priors import Prior

METHODS = ("abc", "npe")


def to_unbounded(theta: np.ndarray, prior_list: list[Prior]) -> np.ndarray:
    low, width = np.array([p.low for p in prior_list]), np.array([p.width for p in prior_list])
    place = np.clip((theta - low) / width, 1e-6, 1 - 1e-6)
    return np.log(place / (1 - place))


def to_prior_range(unbounded: np.ndarray, prior_list: list[Prior]) -> np.ndarray:
    low, width = np.array([p.low for p in prior_list]), np.array([p.width for p in prior_list])
    return low + width / (1 + np.exp(-unbounded))


def simulation_se(bank: pd.DataFrame, key: str) -> float:
    """The typical sampling error of a share in the bank's runs (0 when the bank says nothing of it)."""
    parent = key.rsplit(".", 1)[0]
    count = bank.get(f"{parent}.n", bank.get("customers_initial") if key.startswith("retention") else None)
    if count is None:
        return 0.0
    p = bank[key].to_numpy()
    return float(np.nanmedian(np.sqrt(p * (1 - p) / np.maximum(count.to_numpy(), 1))))


@dataclass
class Training:
    """The bank's usable rows for a set of figures: parameters (unbounded) and figures (noise added)."""

    prior_list: list
    figures: list
    theta: np.ndarray
    summaries: np.ndarray
    dropped: int

    @classmethod
    def of(cls, bank: pd.DataFrame, prior_list: list[Prior], figures: list[Figure], rng: np.random.Generator) -> "Training":
        keys = [f.key for f in figures]
        usable = bank[keys].notna().all(axis=1).to_numpy()
        summaries = bank.loc[usable, keys].to_numpy(dtype=float)
        extra = np.array([0.0 if f.se is None else np.sqrt(max(f.se**2 - simulation_se(bank[usable], f.key) ** 2, 0.0))
                          for f in figures])
        summaries = summaries + rng.normal(size=summaries.shape) * extra
        theta = to_unbounded(bank.loc[usable, [p.key for p in prior_list]].to_numpy(dtype=float), prior_list)
        return cls(prior_list, figures, theta, summaries, int((~usable).sum()))


def _observations(figures: list[Figure], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` versions of the observed figures: a value as given, a range spread uniformly over it."""
    columns = [np.full(n, f.value) if not f.is_range else rng.uniform(f.low, f.high, n) for f in figures]
    return np.column_stack(columns)


def _absl_writes_to_the_process_stderr() -> None:
    """Point absl's log handler (JAX imports absl) at the process's own stderr.

    absl's handler keeps the ``sys.stderr`` of the moment it was made, and when logging is
    reconfigured later (as every Hydra run does) it closes that stream unless it is the
    ``sys.stderr`` of that later moment. Made while a caller had redirected stderr (a test's
    capture, a notebook), it would close the caller's stream under it.
    """
    from absl import logging as absl_logging

    absl_logging.get_absl_handler().python_handler.stream = sys.__stderr__


class NeuralPosterior:
    """A conditional normalising flow q(theta | figures) trained on the bank (flowjax)."""

    def __init__(self, training: Training, seed: int = 0, *, layers: int = 5, width: int = 64, epochs: int = 300):
        import jax.random as jr
        from flowjax.distributions import Normal
        from flowjax.flows import masked_autoregressive_flow
        from flowjax.train import fit_to_data

        _absl_writes_to_the_process_stderr()
        self.training = training
        self.mean, self.sd = training.summaries.mean(0), training.summaries.std(0) + 1e-12
        key, train_key = jr.split(jr.key(seed))
        dim = training.theta.shape[1]
        flow = masked_autoregressive_flow(key, base_dist=Normal(np.zeros(dim)), cond_dim=len(self.mean),
                                          flow_layers=layers, nn_width=width)
        self.flow, self.losses = fit_to_data(train_key, flow, (training.theta, (training.summaries - self.mean) / self.sd),
                                             learning_rate=1e-3, max_epochs=epochs, max_patience=15, batch_size=128,
                                             show_progress=False)

    def sample(self, observed: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
        """``n`` draws (prior units) given ``observed``: one figure vector, or one per draw (a range spread out)."""
        import jax.random as jr

        condition = (np.broadcast_to(observed, (n, len(self.mean))) - self.mean) / self.sd
        unbounded = np.asarray(self.flow.sample(jr.key(seed), condition=condition))
        return to_prior_range(unbounded, self.training.prior_list)


# Rows kept per coefficient of ABC's regression adjustment (one per figure, plus the intercept): fewer
# and the adjustment fits the noise of the nearest runs, and the posterior becomes overconfident.
ROWS_PER_COEFFICIENT = 20


def abc_sample(training: Training, n: int, rng: np.random.Generator, accept: float = 0.1) -> np.ndarray:
    """Regression-adjusted rejection ABC (Beaumont et al. 2002): ``n`` draws in prior units.

    Keeps the nearest ``accept`` share of the bank, and never fewer than ROWS_PER_COEFFICIENT rows
    per coefficient of the adjustment.
    """
    figures, x = training.figures, training.summaries
    scale = np.nanstd(x, axis=0) + 1e-12
    low = np.array([f.low if f.is_range else f.value for f in figures])
    high = np.array([f.high if f.is_range else f.value for f in figures])
    # distance to the figure (a value) or to the nearest point of the range
    diff = (x - np.clip(x, low, high)) / scale
    distance = np.sqrt(np.sum(diff**2, axis=1))
    keep = np.argsort(distance)[: max(ROWS_PER_COEFFICIENT * (len(figures) + 1), int(accept * len(x)))]
    bandwidth = distance[keep].max() * 1.0001 + 1e-12
    weight = 1 - (distance[keep] / bandwidth) ** 2
    design = np.column_stack([np.ones(len(keep)), diff[keep]])
    coef, *_ = np.linalg.lstsq(design * np.sqrt(weight)[:, None], training.theta[keep] * np.sqrt(weight)[:, None], rcond=None)
    adjusted = training.theta[keep] - diff[keep] @ coef[1:]
    picks = rng.choice(len(keep), size=n, p=weight / weight.sum())
    return to_prior_range(adjusted[picks], training.prior_list)


def posterior(bank: pd.DataFrame, prior_list: list[Prior], figures: list[Figure], *, method: str = "abc",
              draws: int = 2000, seed: int = 0) -> pd.DataFrame:
    """``draws`` posterior draws, one column per calibrated parameter named by its config key."""
    if method not in METHODS:
        raise ValueError(f"method = {method!r} is not allowed: expected one of {', '.join(METHODS)}")
    rng = np.random.default_rng(seed)
    training = Training.of(bank, prior_list, figures, rng)
    if method == "npe":
        samples = NeuralPosterior(training, seed).sample(_observations(figures, draws, rng), draws, seed)
    else:
        samples = abc_sample(training, draws, rng)
    return pd.DataFrame(samples, columns=[p.key for p in prior_list])
