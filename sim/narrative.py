"""The plain-language summary a strategist reads in the terminal."""

from __future__ import annotations

from sim.landmark import GROUPS, MIN_GROUP

LADDER_LABELS = {
    "no_problem": "no problem yet",
    "silent": "silent after the problem",
    "resolved_fast": "complaint resolved fast",
    "resolved_slow": "complaint resolved slowly",
    "unresolved": "complaint unresolved",
}


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def loyalty_ladder(summary: dict, window: str = "180") -> list[str]:
    """Who stayed ``window`` days after their first problem, by what happened to it (MODEL.md §6)."""
    rows = summary["after_first_problem"][window]
    lines = [f"  Still with the firm {window} days after their first problem (n = landmarks followed):"]
    for group in GROUPS:
        row = rows[group]
        if row["n"] < MIN_GROUP:
            shown = f"too few to tell (n = {row['n']})"
        else:
            shown = f"{row['stayed']:.0%} [{row['ci_low']:.0%}, {row['ci_high']:.0%}] (n = {row['n']:,})"
        lines.append(f"    {LADDER_LABELS[group]:<27} {shown}")
    return lines


def plain_summary(summary: dict, config, scenario: str, out_dir) -> str:
    s = summary
    firm = config.firm
    lines = [
        f"servsim: scenario '{scenario}', {s['people_in_market']:,} people, {s['days']} days, seed {config.seed}",
    ]
    if config.description:
        lines.append(f"  {config.description}")
    lines += [
        f"  Promise {firm.promise:g} vs quality {firm.quality:g} of 10"
        f"{' with a guarantee' if firm.guarantee else ''}; first-time-right {_pct(s['first_time_right'])}.",
        f"  Of its {s['customers_initial']:,} starting customers the firm kept {_pct(s['retention_never_left'])} "
        f"without a break ({_pct(s['retention_at_horizon'])} with it at the end, counting those who came back); "
        f"it ends with {s['customers_final']:,} ({_pct(s['market_share'])} of the market): "
        f"{s['acquisitions']:,} joined, {s['defections']:,} left.",
        f"  {s['dissatisfied_experiences']:,} visits fell short of expectations; only {s['complaints']:,} "
        f"({_pct(s['complaint_share'])}) became complaints: the rest of the iceberg stayed silent.",
        *loyalty_ladder(s),
    ]
    if s["mean_recovery_days"] is not None:
        lines.append(
            f"  Recovery took {s['mean_recovery_days']:.2f} days on average (90% within "
            f"{s['p90_recovery_days']:.2f}); {s['complaints_abandoned']:,} complainants gave up waiting."
        )
    lines += [
        f"  Final mood of customers: expectation {s['mean_expectation_final']:.2f}, "
        f"satisfaction {s['mean_satisfaction_final']:+.2f} (0 = as expected), trust {s['mean_trust_final']:.2f}.",
        f"  Profit over the horizon: {s['profit']:,.0f} (revenue {s['revenue']:,.0f}; recovery "
        f"{s['recovery_cost']:,.0f}; guarantees {s['guarantee_cost']:,.0f}; acquisition {s['acquisition_cost']:,.0f}).",
        f"  Outputs: {out_dir}",
    ]
    return "\n".join(lines)
