"""Does the posterior hold the truth as often as it says? Synthetic firms drawn from the prior (Talts et al. 2018).

Each synthetic firm is a run at known parameters, simulated apart from the bank (a bank
of its own, another seed); given only its summary figures, it gets a posterior, and for
every parameter we count how often the truth falls in the 50% and 90% central intervals
(calibrated: inside the binomial 99% band around 50% and 90%), rank the truth among
posterior draws (SBC: uniform ranks when calibrated), measure the contraction against
the prior and draw the truth against the estimate. A parameter whose posterior barely
contracts is named as not identified by these figures.

    python -m experiments.calibrate.validation OUT [--bank-size 1200] [--method abc|npe] [--keys example|three]

builds (or reuses, or resumes) the bank of the example firm's settings and the synthetic firms'
own bank (seed 1) under results/calibrate/banks/, then writes validation.csv, recovery.png
and sbc.png into OUT.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from experiments.calibrate import bank as banks
from experiments.calibrate.inference import NeuralPosterior, Training, abc_sample
from experiments.calibrate.observed import Figure, load_observed
from experiments.calibrate.outputs import PARTLY, PINNED
from experiments.calibrate.priors import Prior
from experiments.calibrate.run import BANK_ROOT

EXAMPLE = Path(__file__).resolve().parents[2] / "configs" / "observed" / "example_firm.yaml"

# Ranks of the truth among this many posterior draws (SBC): 100 possible ranks in 10 bins.
SBC_DRAWS = 99
THREE = ("retention_never_left", "complaint_share", "complaint_ratio")


def binomial_band(firms: int, level: float) -> tuple[float, float]:
    """The share of ``firms`` whose truth a calibrated ``level`` interval holds, 99% of the time."""
    return stats.binom.ppf(0.005, firms, level) / firms, stats.binom.ppf(0.995, firms, level) / firms


def posterior_draws(bank: pd.DataFrame, prior_list: list[Prior], keys: list[str], firms: pd.DataFrame, method: str,
                    draws: int, seed: int = 0) -> list[np.ndarray]:
    """Each firm's posterior draws given its figures (the neural estimator is trained once: amortised)."""
    rng = np.random.default_rng(seed)
    figures = [Figure(k, value=0.0) for k in keys]
    training = Training.of(bank, prior_list, figures, rng)
    if method == "npe":
        network = NeuralPosterior(training, seed)
        return [network.sample(firm[keys].to_numpy(float), draws, seed + i) for i, (_, firm) in enumerate(firms.iterrows())]
    out = []
    for _, firm in firms.iterrows():
        training.figures = [Figure(k, value=float(firm[k])) for k in keys]
        out.append(abc_sample(training, draws, rng))
    return out


def check(prior_list: list[Prior], firms: pd.DataFrame, samples: list[np.ndarray]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(per parameter: coverage of the 50% and 90% intervals, contraction, R^2 of the median; SBC ranks; quantiles)."""
    truth = firms[[p.key for p in prior_list]].to_numpy(float)
    s = np.stack(samples)  # firms x draws x parameters
    q = np.quantile(s, [0.05, 0.25, 0.5, 0.75, 0.95], axis=1)
    thin = s[:, np.linspace(0, s.shape[1] - 1, SBC_DRAWS).astype(int), :]
    ranks = (thin < truth[:, None, :]).sum(axis=1)
    prior_var = np.array([p.width**2 / 12 for p in prior_list])
    median = q[2]
    rows = []
    for j, p in enumerate(prior_list):
        shrink = float(np.mean(1 - s[:, :, j].var(axis=1) / prior_var[j]))
        r2 = 1 - np.mean((median[:, j] - truth[:, j]) ** 2) / truth[:, j].var()
        rows.append({"parameter": p.key, "in_50": float(np.mean((q[1][:, j] <= truth[:, j]) & (truth[:, j] <= q[3][:, j]))),
                     "in_90": float(np.mean((q[0][:, j] <= truth[:, j]) & (truth[:, j] <= q[4][:, j]))),
                     "contraction": shrink, "r2_median": float(r2),
                     "sbc_chi2_p": float(stats.chisquare(np.histogram(ranks[:, j], bins=10, range=(0, SBC_DRAWS + 1))[0]).pvalue),
                     "identified": "yes" if shrink >= PINNED else "partly" if shrink >= PARTLY else "no"})
    return pd.DataFrame(rows), ranks, q


def _panels(prior_list: list[Prior], height: float, draw, title: str, path: Path) -> None:
    """One panel per parameter, three to a row: ``draw(ax, j, prior)`` fills each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = 3
    rows = int(np.ceil(len(prior_list) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, height * rows))
    for j, (ax, p) in enumerate(zip(axes.flat, prior_list)):
        draw(ax, j, p)
        ax.set_title(p.key.removeprefix("customers."), fontsize=8)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(prior_list):]:
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def figures(prior_list: list[Prior], firms: pd.DataFrame, q: np.ndarray, ranks: np.ndarray, out: Path, title: str) -> None:
    """recovery.png (truth against posterior median with 90% intervals) and sbc.png (rank histograms)."""

    def recovery(ax, j, p):
        t = firms[p.key].to_numpy(float)
        ax.errorbar(t, q[2][:, j], yerr=[q[2][:, j] - q[0][:, j], q[4][:, j] - q[2][:, j]], fmt="o", ms=2, lw=0.5,
                    alpha=0.6, color="tab:blue")
        ax.plot([p.low, p.high], [p.low, p.high], "k--", lw=0.8)
        ax.set_xlim(p.low, p.high)
        ax.set_ylim(p.low, p.high)
        ax.set_xlabel("true value", fontsize=7)
        ax.set_ylabel("posterior median, 90% interval", fontsize=7)

    low, high = stats.binom.ppf([0.005, 0.995], len(firms), 0.1)

    def sbc(ax, j, p):
        ax.hist(ranks[:, j], bins=10, range=(0, SBC_DRAWS + 1), color="tab:blue", edgecolor="white", zorder=2)
        ax.axhspan(low, high, color="grey", alpha=0.25, zorder=1)
        ax.axhline(len(firms) / 10, color="k", lw=0.8, zorder=3)
        ax.set_xlabel("rank of the truth among 99 draws", fontsize=7)

    _panels(prior_list, 3.0, recovery, f"Recovery over {len(firms)} synthetic firms ({title})", out / "recovery.png")
    _panels(prior_list, 2.4, sbc, f"SBC rank histograms ({title}); grey: 99% band of a uniform histogram", out / "sbc.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--bank-size", type=int, default=1200)
    parser.add_argument("--method", default="abc", choices=("abc", "npe"))
    parser.add_argument("--keys", default="example", choices=("example", "three"))
    parser.add_argument("--firms", type=int, default=100)
    parser.add_argument("--draws", type=int, default=1000)
    args = parser.parse_args()
    example = load_observed(EXAMPLE)
    spec = banks.BankSpec(dict(example.settings), example.customers, example.days)
    spec, bank = banks.load(banks.build(spec, args.bank_size, BANK_ROOT))
    bank = bank[bank["row"] < args.bank_size]
    # a fifth more firms than used: a firm whose figure is missing (a group too small to tell) is skipped
    firms_spec = banks.BankSpec(spec.settings, spec.customers, spec.days, seed=1)
    _, firms = banks.load(banks.build(firms_spec, args.firms + args.firms // 5, BANK_ROOT))
    keys = list(THREE) if args.keys == "three" else example.keys
    firms = firms.dropna(subset=keys).head(args.firms)
    prior_list = list(spec.priors)
    start = time.perf_counter()
    samples = posterior_draws(bank, prior_list, keys, firms, args.method, args.draws)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # KiB on Linux
    table, ranks, q = check(prior_list, firms, samples)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    figures(prior_list, firms, q, ranks, out, f"{args.method}, {args.keys} figures, bank {len(bank)} runs")
    band50, band90 = binomial_band(len(firms), 0.5), binomial_band(len(firms), 0.9)
    table.to_csv(out / "validation.csv", index=False)
    print(f"{args.method}, {args.keys} figures ({len(keys)}), {len(firms)} firms, bank {len(bank)} runs: "
          f"{seconds:.1f} s for all posteriors, peak resident memory {peak:.0f} MiB")
    print(f"99% bands: 50% interval {band50[0]:.2f}-{band50[1]:.2f}, 90% interval {band90[0]:.2f}-{band90[1]:.2f}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
