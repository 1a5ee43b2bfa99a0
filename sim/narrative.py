"""The plain-language summary a strategist reads in the terminal."""

from __future__ import annotations


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def plain_summary(summary: dict, config, scenario: str, out_dir) -> str:
    s = summary
    by = s["retention_by_history"]
    firm = config.firm
    lines = [
        f"servsim: scenario '{scenario}', {s['people_in_market']:,} people, {s['days']} days, seed {config.seed}",
    ]
    if config.description:
        lines.append(f"  {config.description}")
    lines += [
        f"  Promise {firm.promise:g} vs quality {firm.quality:g} of 10"
        f"{' with a guarantee' if firm.guarantee else ''}; first-time-right {_pct(s['first_time_right'])}.",
        f"  The firm kept {_pct(s['retention'])} of its {s['customers_initial']:,} starting customers and ends with "
        f"{s['customers_final']:,} ({_pct(s['market_share'])} of the market): "
        f"{s['acquisitions']:,} joined, {s['defections']:,} left.",
        f"  {s['dissatisfied_experiences']:,} visits fell short of expectations; only {s['complaints']:,} "
        f"({_pct(s['complaint_share'])}) became complaints: the rest of the iceberg stayed silent.",
        f"  Starting customers still here, by what happened to them: never a problem {_pct(by['no_problem'])}, "
        f"silent after a problem {_pct(by['silent'])}, complaint unresolved {_pct(by['unresolved'])}, "
        f"resolved {_pct(by['resolved'])}, resolved fast {_pct(by['resolved_fast'])}.",
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
