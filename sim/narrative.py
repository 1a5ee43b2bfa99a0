"""The plain-language summary a strategist reads in the terminal."""

from __future__ import annotations

import math

import numpy as np

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


def changed_settings(config) -> list[str]:
    """Every parameter whose value differs from its default, as ``key = value (default d)``.

    The run's switches (seed, printed apart; description; output; compare; replications) are left out.
    """
    from dataclasses import asdict

    from sim.params import ServsimConfig, flatten

    defaults = flatten(asdict(ServsimConfig()))
    skipped = ("seed", "description", "compare", "replications")
    return [f"{key} = {_setting(value)} (default {_setting(defaults[key])})"
            for key, value in flatten(asdict(config)).items()
            if value != defaults[key] and key not in skipped and not key.startswith("output.")]


def _setting(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:,g}" if isinstance(value, (int, float)) else str(value)


def _wrapped(head: str, items: list[str], width: int = 100) -> list[str]:
    lines, line = [], head
    for k, item in enumerate(items):
        piece = item + (";" if k < len(items) - 1 else ".")
        if len(line) + len(piece) + 1 > width and line.strip():
            lines.append(line)
            line = "    "
        line += (" " if not line.endswith(" ") else "") + piece
    return lines + [line]


# Profit = revenue minus these costs, in the order printed: (label, how to get it from the summary).
COST_LINES = (
    ("delivery", lambda s: s["delivery_cost"]),
    ("handler wages", lambda s: s["recovery_cost"] - s["compensation_cost"]),
    ("compensation", lambda s: s["compensation_cost"]),
    ("guarantee payouts", lambda s: s["guarantee_cost"]),
    ("winning customers", lambda s: s["acquisition_cost"]),
)


def money_lines(summary: dict) -> list[tuple[str, int]]:
    """Revenue, each cost (negative) and profit, in whole money units that add up exactly to the profit shown.

    Each line is the difference of rounded running totals, so no line is off by a unit or
    more and the printed lines sum to the printed (rounded) profit.
    """
    amounts = [("revenue", summary["revenue"])] + [(label, -cost(summary)) for label, cost in COST_LINES]
    lines, running, shown = [], 0.0, 0
    for label, amount in amounts:
        running += amount
        lines.append((label, round(running) - shown))
        shown = round(running)
    return lines + [("profit", shown)]


# More than this share of the complainants who reach the desk giving up waiting: the desk is overloaded.
OVERLOAD_SHARE = 0.10
# Sizing advice aims at handlers busy this share of the time (queues stay short below about 80%).
TARGET_UTILISATION = 0.8


def recovery_lines(summary: dict, config, events) -> list[str]:
    """The recovery delay counting complainants who gave up, their share, and a warning when the desk is overloaded."""
    complaints = events.rows("complaint", columns=["channel"])
    at_desk = int((complaints["channel"] == "desk").sum())
    answered = events.rows("resolved", columns=["delay"])["delay"].to_numpy(float)
    abandoned = events.rows("abandoned", columns=["delay"])["delay"].to_numpy(float)
    if not len(answered) + len(abandoned):
        return []
    everyone = np.concatenate([answered, abandoned])
    gave_up = len(abandoned) / at_desk if at_desk else 0.0
    lines = [
        f"  Complaints: {summary['complaints_on_the_spot']:,} solved on the spot, {at_desk:,} sent to the desk, of whom "
        f"{len(abandoned):,} ({gave_up:.0%}) gave up waiting.",
        f"  Mean recovery delay {everyone.mean():.2f} days over "
        f"all {len(everyone):,} answered or abandoned complaints (those who gave up count with their wait, "
        f"{abandoned.mean() if len(abandoned) else 0:.2f} days on average); "
        f"{answered.mean() if len(answered) else float('nan'):.2f} days over the {len(answered):,} answered."
    ]
    if at_desk and gave_up > OVERLOAD_SHARE:
        lines.append(f"  WARNING: the desk is overloaded: {gave_up:.0%} of its complainants gave up waiting "
                     f"(more than {OVERLOAD_SHARE:.0%}). {_desk_fix(config, at_desk)}")
    return lines


def _desk_fix(config, at_desk: int) -> str:
    r = config.recovery
    if r.desk != "queue" or r.handling_days == 0:
        return ("Fix: shorten recovery.handling_days below the customers' patience "
                f"(customers.patience_days = {config.customers.patience_days:g}) or raise recovery.on_the_spot.")
    # Offered load in handlers (Erlang): complaints a day times days each; size for TARGET_UTILISATION.
    load = at_desk / config.days * r.handling_days
    staff = max(r.staff + 1, math.ceil(load / TARGET_UTILISATION))
    per_10k = math.ceil(staff * 10_000 / config.market.customers * 10) / 10
    return (f"Fix: about {staff} handlers for this load (recovery.staff={staff}, or recovery.staff_per_10k={per_10k:g} "
            f"to grow the desk with the market; now {r.staff}), faster handling (recovery.handling_days) or more "
            "solved on the spot (recovery.on_the_spot).")


def plain_summary(summary: dict, config, scenario: str, out_dir, events, comparison: list[str] | None = None) -> str:
    """What the run did, from its resolved configuration: every changed key, the numbers, the money line by line."""
    s = summary
    firm = config.firm
    lines = [
        f"servsim: scenario '{scenario}', {s['people_in_market']:,} people, {s['days']} days, seed {config.seed}",
    ]
    if config.description:
        lines.append(f"  Preset: {config.description}")
    changed = changed_settings(config)
    lines += _wrapped("  Settings changed from the defaults:", changed) if changed else ["  Every setting at its default."]
    lines += [
        f"  Promise {firm.promise:g} vs quality {firm.quality:g} of 10"
        f"{' with a guarantee' if firm.guarantee else ''}; desk of {config.recovery.staff:,} handler(s); "
        f"first-time-right {_pct(s['first_time_right'])}.",
        f"  Of its {s['customers_initial']:,} starting customers the firm kept {_pct(s['retention_never_left'])} "
        f"without a break ({_pct(s['retention_at_horizon'])} with it at the end, counting those who came back); "
        f"it ends with {s['customers_final']:,} ({_pct(s['market_share'])} of the market): "
        f"{s['acquisitions']:,} joined, {s['defections']:,} left.",
        f"  {s['dissatisfied_experiences']:,} visits fell short of expectations; only {s['complaints']:,} "
        f"({_pct(s['complaint_share'])}) became complaints: the rest of the iceberg stayed silent.",
        *loyalty_ladder(s),
        *recovery_lines(s, config, events),
        f"  Final mood of customers: expectation {s['mean_expectation_final']:.2f}, "
        f"satisfaction {s['mean_satisfaction_final']:+.2f} (0 = as expected), trust {s['mean_trust_final']:.2f}.",
        "  Money over the horizon:",
        *(f"    {label:<20}{amount:>14,}" for label, amount in money_lines(s)),
        *(comparison or []),
        f"  Outputs: {out_dir}",
    ]
    return "\n".join(lines)
