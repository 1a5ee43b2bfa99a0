"""Answers under the posterior (issue 19, item 3): what a change does, with what is unknown about the customers.

A what-if (``firm.promise=8``) is run against the firm's own settings, paired by seed, at
``behaviours`` parameter sets drawn from a posterior x ``seeds`` seeds. Each answer's variance
splits by the law of total variance into seed noise (the mean over behaviours of the variance
over seeds) and what is not known about the customers (the variance over behaviours of the
mean over seeds). Both are shown side by side: the seed interval (mean +- 1.96 sd of seed
noise) and the 80% interval of the per-behaviour means; when the latter holds zero, the sign
of the answer is not settled by what the firm's figures tell.

    python -m experiments.calibrate.answers POSTERIOR firm.promise=8 [--base firm.promise=7] [--behaviours 20] [--seeds 3]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd
import yaml

from experiments.calibrate import bank as banks
from experiments.calibrate.outputs import PosteriorError, read_posterior

METRICS = ("profit", "retention_never_left", "market_share", "complaint_share")


def paired_differences(draws: pd.DataFrame, change: dict, base: dict, *, behaviours: int, seeds: int, customers: int,
                       days: int, seed: int = 0, n_jobs: int = -1) -> pd.DataFrame:
    """One row per (behaviour, seed): the change's effect on each metric (changed run minus the firm's own)."""
    from joblib import Parallel

    picks = draws.sample(behaviours, random_state=seed, replace=len(draws) < behaviours).reset_index(drop=True)
    runs, index = [], []
    for b, theta in picks.iterrows():
        for s in range(seeds):
            for arm in (base, {**base, **change}):
                runs.append({**arm, **theta.to_dict(), "market.customers": customers, "days": days, "seed": seed + s,
                             **banks.QUIET})
            index.append((b, s))
    with Parallel(n_jobs=n_jobs) as parallel:
        summaries = banks.simulate_summaries(runs, parallel)
    rows = [{"behaviour": b, "seed": s, **{m: summaries[2 * i + 1][m] - summaries[2 * i][m] for m in METRICS}}
            for i, (b, s) in enumerate(index)]
    return pd.DataFrame(rows)


def decompose(differences: pd.DataFrame) -> pd.DataFrame:
    """Per metric: mean, seed-noise and behaviour variances (total = their sum, population variances), intervals."""
    out = []
    for metric in METRICS:
        by = differences.groupby("behaviour")[metric]
        seed_var = float(by.var(ddof=0).mean())
        means = by.mean()
        behaviour_var = float(means.var(ddof=0))
        mean = float(differences[metric].mean())
        low80, high80 = np.quantile(means, [0.1, 0.9])
        out.append({"metric": metric, "mean": mean, "total_var": float(differences[metric].var(ddof=0)),
                    "seed_var": seed_var, "behaviour_var": behaviour_var,
                    "seed_low": mean - 1.96 * np.sqrt(seed_var), "seed_high": mean + 1.96 * np.sqrt(seed_var),
                    "behaviour_low80": float(low80), "behaviour_high80": float(high80),
                    "dominant": "what is unknown about the customers" if behaviour_var > seed_var else "seed noise",
                    "sign_settled": not (low80 <= 0 <= high80)})
    return pd.DataFrame(out)


def _shown(value: float) -> str:
    """Money in whole units with thousands separators, shares and small numbers to four decimals."""
    return f"{value:+,.0f}" if abs(value) >= 100 else f"{value:+.4f}"


def lines(table: pd.DataFrame, behaviours: int, seeds: int) -> list[str]:
    """The terminal's lines: each answer with both intervals, which dominates, and whether its sign is settled."""
    text = [f"answers under the posterior: {behaviours} behavioural draws x {seeds} seeds, paired by seed"]
    for row in table.itertuples():
        text.append(f"{row.metric}: {_shown(row.mean)}; seed noise {_shown(row.seed_low)} to {_shown(row.seed_high)}; "
                    f"unknown behaviour (80%) {_shown(row.behaviour_low80)} to {_shown(row.behaviour_high80)}; "
                    f"{row.dominant} dominates" + ("" if row.sign_settled else "; the sign is not settled"))
    return text


def _settings(pairs: list[str]) -> dict:
    settings = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        settings[key] = yaml.safe_load(value)
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("posterior")
    parser.add_argument("change", nargs="+", help="KEY=VALUE: the what-if")
    parser.add_argument("--base", nargs="*", default=[], help="KEY=VALUE: the firm's own settings")
    parser.add_argument("--behaviours", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=730)
    args = parser.parse_args()
    try:
        draws = read_posterior(args.posterior)
    except PosteriorError as error:
        print(f"servsim: {error}", file=sys.stderr)
        sys.exit(2)
    differences = paired_differences(draws, _settings(args.change), _settings(args.base), behaviours=args.behaviours,
                                     seeds=args.seeds, customers=args.customers, days=args.days)
    print("\n".join(lines(decompose(differences), args.behaviours, args.seeds)))


if __name__ == "__main__":
    main()
