"""What a calibration leaves in its folder: posterior.parquet, the pair plot, the predictive check, report.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.calibrate.observed import Figure
from experiments.calibrate.priors import Prior

# Share of the prior's variance a posterior must remove for a parameter to count as pinned down (or partly).
PINNED, PARTLY = 0.5, 0.2


def contraction(draws: pd.DataFrame, prior_list: list[Prior]) -> pd.Series:
    """1 - posterior variance / prior variance (uniform prior: width^2 / 12), per parameter."""
    prior_var = np.array([p.width**2 / 12 for p in prior_list])
    return pd.Series(1 - draws[[p.key for p in prior_list]].var().to_numpy() / prior_var, index=[p.key for p in prior_list])


def verdict(value: float) -> str:
    return "pinned down" if value >= PINNED else "partly pinned down" if value >= PARTLY else "not pinned down"


def pair_plot(draws: pd.DataFrame, prior_list: list[Prior], path: Path, truth: dict | None = None) -> None:
    """Each parameter's posterior (diagonal) and each pair's draws (below), axes spanning the prior range."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = len(prior_list)
    fig, axes = plt.subplots(d, d, figsize=(1.7 * d, 1.7 * d))
    short = [p.key.removeprefix("customers.") for p in prior_list]
    for i, pi in enumerate(prior_list):
        for j, pj in enumerate(prior_list):
            ax = axes[i, j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(draws[pi.key], bins=30, range=(pi.low, pi.high), color="tab:blue", alpha=0.8)
                ax.set_yticks([])
            else:
                ax.scatter(draws[pj.key], draws[pi.key], s=1, alpha=0.15, color="tab:blue", rasterized=True)
                ax.set_ylim(pi.low, pi.high)
                if truth:
                    ax.plot(truth[pj.key], truth[pi.key], "r+", ms=8)
            if truth and i == j:
                ax.axvline(truth[pi.key], color="red")
            ax.set_xlim(pj.low, pj.high)
            ax.tick_params(labelsize=5)
            ax.set_xlabel(short[j] if i == d - 1 else "", fontsize=6)
            ax.set_ylabel(short[i] if j == 0 and i > 0 else "", fontsize=6)
    fig.suptitle("Posterior of the calibrated parameters (axes span the prior range" + ("; red: truth)" if truth else ")"), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def predictive_check(figures: list[Figure], replicated: pd.DataFrame) -> pd.DataFrame:
    """Each observed figure beside the model's 90% interval under the posterior, flagged when outside."""
    rows = []
    for f in figures:
        values = replicated[f.key].dropna()
        low, high = (values.quantile(0.05), values.quantile(0.95)) if len(values) else (np.nan, np.nan)
        observed_low, observed_high = (f.low, f.high) if f.is_range else (f.value, f.value)
        inside = bool(len(values)) and observed_high >= low and observed_low <= high
        rows.append({"figure": f.key, "observed": f.value if not f.is_range else np.nan, "observed_low": observed_low,
                     "observed_high": observed_high, "model_median": values.median() if len(values) else np.nan,
                     "model_low": low, "model_high": high, "runs": len(values), "outside": not inside})
    return pd.DataFrame(rows)


def predictive_figure(check: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(check)
    fig, axes = plt.subplots(n, 1, figsize=(7, 0.75 * n + 1), squeeze=False)
    for ax, row in zip(axes[:, 0], check.itertuples()):
        colour = "tab:red" if row.outside else "tab:blue"
        ax.plot([row.model_low, row.model_high], [0, 0], color=colour, lw=6, alpha=0.5, solid_capstyle="butt")
        ax.plot(row.model_median, 0, "|", color=colour, ms=14)
        if row.observed_low == row.observed_high:
            ax.plot(row.observed_low, 0, "kD", ms=6)
        else:
            ax.plot([row.observed_low, row.observed_high], [0, 0], "k-", lw=2)
        ax.set_yticks([])
        ax.set_title(f"{row.figure}" + ("  (OUTSIDE)" if row.outside else ""), fontsize=7, loc="left")
        ax.tick_params(labelsize=7)
    fig.suptitle("Posterior predictive check: model's 90% interval (bar) and the firm's figure (black)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(name: str, prior_list: list[Prior], draws: pd.DataFrame, check: pd.DataFrame, method: str, bank_note: str) -> str:
    """report.md: which behaviours the figures pinned down, which not, and what that means for decisions."""
    shrink = contraction(draws, prior_list)
    lines = [f"# Calibration of {name}", "", bank_note, "",
             f"Posterior: {len(draws)} draws ({method}). Contraction = share of the prior's variance the figures removed.", "",
             "| parameter | prior range | posterior median | 90% interval | contraction | verdict |", "|---|---|---|---|---|---|"]
    for p in prior_list:
        q = draws[p.key].quantile([0.05, 0.5, 0.95])
        lines.append(f"| `{p.key}` | {p.low:g} to {p.high:g} | {q[0.5]:.4g} | {q[0.05]:.4g} to {q[0.95]:.4g} | "
                     f"{shrink[p.key]:.2f} | {verdict(shrink[p.key])} |")
    pinned = [p.key for p in prior_list if shrink[p.key] >= PINNED]
    loose = [p.key for p in prior_list if shrink[p.key] < PARTLY]
    outside = check.loc[check["outside"], "figure"].tolist()
    lines += ["", "## What the figures tell", "",
              f"- Pinned down: {', '.join(pinned) or 'none'}. Answers that turn on these behaviours can be read for this firm.",
              f"- Not pinned down: {', '.join(loose) or 'none'}. The figures given say little about them: any answer that "
              "depends on them (how much a recovery desk is worth, how long a failure hurts) is as uncertain as the "
              "prior range, whatever its seed-noise interval says. Figures that could inform them: staying after a "
              "complaint by time since it, by outcome and by past visits (complaint_effects.after_first_complaint.*), "
              "and the ladder at several windows.",
              "- Posterior predictive check: " + (f"the model misses {', '.join(outside)}: its figure lies outside the "
                                                  "model's 90% interval under this posterior; treat the fit with caution."
                                                  if outside else "every observed figure lies inside the model's 90% interval."),
              "", "| figure | observed | model median | model 90% interval | outside |", "|---|---|---|---|---|"]
    for row in check.itertuples():
        shown = f"{row.observed_low:.4g}" if row.observed_low == row.observed_high else f"{row.observed_low:.4g} to {row.observed_high:.4g}"
        lines.append(f"| `{row.figure}` | {shown} | {row.model_median:.4g} | {row.model_low:.4g} to {row.model_high:.4g} | "
                     f"{'yes' if row.outside else 'no'} |")
    return "\n".join(lines) + "\n"
