"""The robust analysis as a strategist reads it: the table, the deciding parameters, the failure box, figures."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.plotting import PALETTE, new_figure, save
from experiments.robust.analysis import FailureBox

# Each uncertainty in plain words (what a low value means, what a high one means) and the
# observable figure of a calibration (docs/model.md's calibration table, summary.json) that would narrow it.
MEANINGS = {
    "customers.learning_rate": ("expectations follow experience slowly", "expectations follow experience fast",
                                "how fast expectations drift after a lasting change of quality (F1, satisfaction after a surprise)"),
    "customers.loss_aversion": ("losses weigh little more than gains", "losses weigh far more than gains",
                                "the asymmetry of satisfaction after a fall against a rise of quality (F8)"),
    "customers.tolerance": ("customers tolerate little", "customers tolerate much",
                            "the share of dissatisfying visits (complaints per visit with the complaint share)"),
    "customers.satisfaction_rate": ("satisfaction moves slowly", "satisfaction moves fast",
                                    "how fast satisfaction follows a change of quality (daily satisfaction series)"),
    "customers.negativity_bias": ("bad and good experiences weigh alike", "bad experiences weigh far more",
                                  "expectations after a shock against after a surprise (F8)"),
    "customers.promise_pull": ("advertising barely moves expectations", "advertising pulls expectations hard",
                               "expectations of new customers against the promise (survey of newcomers)"),
    "customers.defection_span": ("the dissatisfied seldom leave", "the dissatisfied leave readily",
                                 "two-year retention of the starting customers (75-80% targeted)"),
    "customers.grievance_weight": ("a problem barely raises the chance to leave", "a problem raises the chance to leave sharply",
                                   "staying 180 days: no problem minus silent after a first problem (the landmark ladder)"),
    "customers.trust_loyalty": ("trust binds little", "trust binds strongly",
                                "retention against trust in the firm's promises (survey joined to churn)"),
    "customers.complaint_propensity": ("customers seldom complain", "customers complain readily",
                                       "complaints per dissatisfying visit (TARP: 4-10%)"),
    "customers.grievance_half_life_days": ("customers forgive fast", "customers forgive slowly",
                                           "staying after a complaint at 30, 90, 180 and 365 days"),
    "customers.defection_floor": ("content customers almost never leave", "content customers leave now and then",
                                  "yearly churn of content repeat customers"),
    "customers.purchases_scale": ("past visits protect strongly", "past visits protect little",
                                  "staying after a complaint by past visits"),
    "market.competitor_quality": ("the rival is weak", "the rival is strong",
                                  "the rival's quality, from market research (outside the calibration)"),
}
# name: (label, how the table prints it, the figure's axis, the factor from stored value to that axis)
TABLE_OUTCOMES = {
    "profit": ("profit", lambda x: f"{x:,.0f}", "money units", 1.0),
    "discounted_profit": ("discounted profit", lambda x: f"{x:,.0f}", "money units at day 0", 1.0),
    "retention": ("retention", lambda x: f"{100 * x:.1f}%", "% of starting customers", 100.0),
    "market_share": ("market share", lambda x: f"{100 * x:.1f}%", "% of the market", 100.0),
    "complaints": ("complaints", lambda x: f"{x:,.0f}", "complaints over the horizon", 1.0),
    "landmark_gap": ("landmark gap", lambda x: f"{100 * x:+.1f} pp", "points: resolved fast - unresolved", 100.0),
}


def _spread(row: pd.Series, name: str, scenarios: int) -> str:
    """'median [p10, p90]', saying on how many scenarios when some had no value."""
    fmt = TABLE_OUTCOMES[name][1]
    median, low, high = row[f"{name}_median"], row[f"{name}_p10"], row[f"{name}_p90"]
    if math.isnan(median):
        return "too few to tell"
    shown = f"{fmt(median)} [{fmt(low)}, {fmt(high)}]"
    measured = int(row[f"{name}_scenarios"])
    return shown if measured == scenarios else f"{shown} ({measured} of {scenarios} scenarios)"


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """The policy table as printed: median [10th, 90th percentile] of each outcome, regret, satisficing share."""
    shown = pd.DataFrame(index=table.index)
    for name, (label, *_) in TABLE_OUTCOMES.items():
        shown[label] = [_spread(row, name, int(row["profit_scenarios"])) for _, row in table.iterrows()]
    shown["max regret (profit)"] = [f"{x:,.0f}" for x in table["max_regret"]]
    shown["satisfices"] = [f"{100 * x:.0f}%" for x in table["satisficing_share"]]
    return shown


def _bound(value: float) -> str:
    return f"{value:.3g}"


def box_in_words(limits: pd.DataFrame) -> str:
    """'customers seldom complain (complaint_propensity below 0.04) and ...' from a PRIM box's limits."""
    parts = []
    for key, row in limits.iterrows():
        low_words, high_words, _ = MEANINGS.get(key, (f"{key} low", f"{key} high", ""))
        short = key.split(".")[-1]
        lower_cut, upper_cut = row["low"] > row["range_low"] + 1e-12, row["high"] < row["range_high"] - 1e-12
        if lower_cut and upper_cut:
            parts.append(f"{short} between {_bound(row['low'])} and {_bound(row['high'])}")
        elif upper_cut:
            parts.append(f"{low_words} ({short} below {_bound(row['high'])})")
        else:
            parts.append(f"{high_words} ({short} above {_bound(row['low'])})")
    return " and ".join(parts)


def outcome_figure(results: pd.DataFrame, order: list[str], out: Path) -> str:
    """Each outcome across scenarios, one box per policy (policies in the table's order)."""
    fig, axes = new_figure(2, 3, width=13.0, height_per_row=0.45 * len(order) + 1.6)
    for ax, (name, (label, _, unit, scale)) in zip(axes.flat, TABLE_OUTCOMES.items()):
        data = [results.loc[results["policy"] == p, name].dropna().to_numpy() * scale for p in order]
        ax.set_title(label, fontsize=10)
        ax.set_xlabel(unit, fontsize=8)
        if any(len(d) for d in data):
            ax.boxplot(data, orientation="horizontal", whis=(10, 90), showfliers=True, flierprops={"markersize": 2})
            ax.grid(axis="x", alpha=0.3)
            if unit.startswith("money"):
                ax.xaxis.set_major_formatter(lambda x, _: f"{x / 1000:,.0f}k")
        else:
            ax.text(0.5, 0.5, "too few landmarks in each group to tell\n(a group with fewer than 30 first problems)",
                    ha="center", va="center", transform=ax.transAxes, fontsize=9, color="0.4")
            ax.set_xticks([])
        ax.set_yticks(range(1, len(order) + 1), order if ax in axes[:, 0] else [""] * len(order), fontsize=8)
        ax.set_ylim(len(order) + 0.5, 0.5)
    fig.suptitle("Outcomes across scenarios (box: quartiles, whiskers: 10th-90th percentile); first row = most robust")
    return save(fig, out)


def regret_figure(regrets: pd.DataFrame, order: list[str], out: Path) -> str:
    """The distribution of profit regret per policy: how much each gives up against the best, scenario by scenario."""
    fig, axes = new_figure(1, 1, width=9.0, height_per_row=0.45 * len(order) + 1.6)
    ax = axes[0, 0]
    for i, policy in enumerate(order):
        values = np.sort(regrets[policy].to_numpy())
        ax.plot(values, np.arange(1, len(values) + 1) / len(values), color=PALETTE[i % len(PALETTE)], label=policy,
                drawstyle="steps-post")
    ax.set_xlabel("profit regret: best policy's profit in the scenario minus this policy's (money units)")
    ax.xaxis.set_major_formatter(lambda x, _: f"{x / 1000:,.0f}k")
    ax.set_ylabel("share of scenarios with at most this regret")
    ax.set_title("Regret across scenarios (further left and higher = more robust)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return save(fig, out)


def prim_figures(box: FailureBox, out_dir: Path) -> list[str]:
    """The Workbench's PRIM trade-off (coverage against density along the peeling) and the chosen box."""
    import matplotlib.pyplot as plt

    tradeoff = box.box.show_tradeoff()
    tradeoff.set_size_inches(7, 5)
    tradeoff.suptitle("PRIM peeling trajectory: where the leading policy fails")
    names = [save(tradeoff, out_dir / "prim_tradeoff.png")]
    box.box.inspect(style="graph", boxlim_formatter="{: .3g}")
    figure = plt.gcf()
    figure.set_size_inches(11, 1.6 + 0.8 * len(box.limits))
    figure.subplots_adjust(left=0.3, right=0.78)
    figure.suptitle(f"PRIM box: coverage {box.coverage:.0%}, density {box.density:.0%} (labels: parameter (quasi-p value))",
                    fontsize=10)
    names.append(save(figure, out_dir / "prim_box.png"))
    return names
