"""Which policy is robust: regret, satisficing, what decides the winner, and where the leader fails.

Regret (Savage; Lempert et al. 2003) of a policy in a scenario is how much profit it
gives up against the best candidate in that same scenario; the robust choice by
default is the policy with the least maximum regret. Satisficing asks, scenario by
scenario, whether a policy does no worse than the reference (the firm's current
settings) by the thresholds given. The Workbench's feature scoring names the
behavioural parameters that decide which policy wins; its PRIM (Friedman & Fisher
1999; Bryant & Lempert 2010) describes the scenarios in which the leader fails.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ema_workbench.analysis import feature_scoring, prim
from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

from experiments.robust.evaluate import OUTCOMES


@dataclass(frozen=True)
class Thresholds:
    """Satisficing: profit at most ``profit_loss`` below the reference's and retention at most
    ``retention_points`` percentage points below it, in the same scenario."""

    profit_loss: float = 0.0
    retention_points: float = 2.0


def tidy(experiments: pd.DataFrame, outcomes: dict) -> pd.DataFrame:
    """One row per experiment: scenario, policy, the uncertainties, the levers and the outcomes."""
    frame = experiments.drop(columns=["model"]).copy()
    frame["scenario"] = frame["scenario"].astype(str)
    frame["policy"] = frame["policy"].astype(str)
    for name in OUTCOMES:
        frame[name] = np.asarray(outcomes[name], dtype=float)
    return frame


def pivot(results: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """scenario x policy table of one outcome (policies in the order first met)."""
    table = results.pivot(index="scenario", columns="policy", values=outcome)
    return table[list(dict.fromkeys(results["policy"]))]


def regret(results: pd.DataFrame, outcome: str = "profit") -> pd.DataFrame:
    """scenario x policy: the best policy's ``outcome`` in the scenario minus this policy's (>= 0)."""
    values = pivot(results, outcome)
    return values.rsub(values.max(axis=1), axis=0)


def satisficing(results: pd.DataFrame, reference: str, thresholds: Thresholds) -> pd.DataFrame:
    """scenario x policy: True where the policy meets both thresholds against the reference in that scenario."""
    profit, retention = pivot(results, "profit"), pivot(results, "retention")
    profit_ok = profit.ge(profit[reference] - thresholds.profit_loss, axis=0)
    retention_ok = retention.ge(retention[reference] - thresholds.retention_points / 100.0, axis=0)
    return profit_ok & retention_ok


def policy_table(results: pd.DataFrame, reference: str, thresholds: Thresholds, regret_outcome: str = "profit") -> pd.DataFrame:
    """One row per policy: median, 10th and 90th percentile of each outcome over scenarios, maximum
    regret, and the share of scenarios in which it satisfices; sorted by maximum regret."""
    rows = {}
    regrets, satisfied = regret(results, regret_outcome), satisficing(results, reference, thresholds)
    for policy, group in results.groupby("policy", sort=False):
        row = {}
        for name in OUTCOMES:
            values = group[name].dropna()
            row[f"{name}_median"] = values.median() if len(values) else np.nan
            row[f"{name}_p10"] = values.quantile(0.1) if len(values) else np.nan
            row[f"{name}_p90"] = values.quantile(0.9) if len(values) else np.nan
            row[f"{name}_scenarios"] = len(values)  # scenarios with a value (the landmark gap may have too few)
        row["max_regret"] = regrets[policy].max()
        row["satisficing_share"] = satisfied[policy].mean()
        rows[policy] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "policy"
    return table.sort_values("max_regret", kind="stable")


def winners(results: pd.DataFrame, outcome: str = "profit") -> pd.Series:
    """The best policy in each scenario."""
    return pivot(results, outcome).idxmax(axis=1)


def scenario_frame(results: pd.DataFrame, uncertainties: list[str]) -> pd.DataFrame:
    """One row per scenario: its uncertainties (what PRIM and feature scoring read)."""
    return results.drop_duplicates("scenario").set_index("scenario")[uncertainties]


def deciding_parameters(results: pd.DataFrame, uncertainties: list[str], leader: str, seed: int) -> pd.Series:
    """Feature scores (extra trees) of the uncertainties: for which policy wins when more than one does,
    else for the leader's profit margin over the reference-free runner-up (what could change the choice)."""
    x = scenario_frame(results, uncertainties)
    won = winners(results).reindex(x.index)
    if won.nunique() > 1:
        scores, _ = feature_scoring.get_ex_feature_scores(
            x, won.to_numpy(), mode=RuleInductionType.CLASSIFICATION, random_state=seed
        )
    else:
        profit = pivot(results, "profit").reindex(x.index)
        margin = profit[leader] - profit.drop(columns=leader).max(axis=1)
        scores, _ = feature_scoring.get_ex_feature_scores(
            x, margin.to_numpy(), mode=RuleInductionType.REGRESSION, random_state=seed
        )
    return scores.iloc[:, 0].rename("score")


def failures(results: pd.DataFrame, policy: str, reference: str, thresholds: Thresholds, regret_share: float) -> pd.Series:
    """Scenarios in which ``policy`` fails: it misses the satisficing thresholds, or its profit falls
    more than ``regret_share`` of the best policy's profit (in absolute value) short of the best."""
    profit = pivot(results, "profit")
    best = profit.max(axis=1)
    too_far = (best - profit[policy]) > regret_share * best.abs()
    return ~satisficing(results, reference, thresholds)[policy] | too_far


@dataclass(frozen=True)
class FailureBox:
    """A PRIM box of the scenarios in which a policy fails."""

    coverage: float
    density: float
    mass: float
    limits: pd.DataFrame  # rows: restricted uncertainties; columns low, high, range_low, range_high
    box: object  # the Workbench's PrimBox (figures)


def failure_box(x: pd.DataFrame, failed: pd.Series, density: float = 0.8, significance: float = 0.05) -> FailureBox | None:
    """PRIM on the scenarios (``x``, one row each) where ``failed``: of the peeling trajectory's boxes
    dense enough (failure share >= ``density``), the one covering most failures (else the densest);
    then each restriction whose quasi-p value is above ``significance`` is dropped (Bryant & Lempert
    2010: a limit chance alone would draw says nothing). None when the policy never or always fails."""
    y = failed.reindex(x.index).to_numpy(dtype=bool)
    if y.all() or not y.any():
        return None
    finder = prim.Prim(x.reset_index(drop=True), y, threshold=min(density, y.mean()))
    box = finder.find_box()
    trajectory = box.peeling_trajectory
    dense = trajectory[trajectory["density"] >= density]
    chosen = int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax())
    box.select(chosen)
    for name, values in box.qp[chosen].items():
        if min(v for v in values if v >= 0) > significance:
            box.drop_restriction(name)
    lims, full = box.box_lim, box.box_lims[0]
    restricted = [c for c in lims.columns if not np.allclose(lims[c].to_numpy(float), full[c].to_numpy(float))]
    limits = pd.DataFrame(
        {
            "low": [float(lims[c].iloc[0]) for c in restricted],
            "high": [float(lims[c].iloc[1]) for c in restricted],
            "range_low": [float(full[c].iloc[0]) for c in restricted],
            "range_high": [float(full[c].iloc[1]) for c in restricted],
        },
        index=restricted,
    )
    return FailureBox(float(box.coverage), float(box.density), float(box.mass), limits, box)
