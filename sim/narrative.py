"""The plain-language summary a strategist reads in the terminal."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.landmark import GROUPS, MIN_GROUP

LADDER_LABELS = {
    "no_problem": "no problem yet",
    "silent": "silent after the problem",
    "resolved_fast": "complaint resolved fast",
    "resolved_slow": "complaint resolved slowly",
    "unresolved": "complaint unresolved",
}


@dataclass(frozen=True)
class Words:
    """How numbers are said: plain words for a manager (default), or researchers' shorthand (``output.terse``).

    Every share, difference and interval printed goes through one of these, so the same value is
    rounded the same way wherever it appears.
    """

    terse: bool = False
    bare: bool = False  # plain words without units: in a table whose header says them once

    def share(self, value, digits: int = 0) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "n/a"
        return f"{value:.{digits}%}" if self.terse else f"{100 * value:.{digits}f}{self._unit(' in 100')}"

    def points(self, value: float, digits: int = 1) -> str:
        """A difference of two shares, given as a share (0.05 is 5 percentage points)."""
        return f"{100 * value:+.{digits}f} pp" if self.terse else f"{100 * value:+.{digits}f}{self._unit(' percentage points')}"

    def _unit(self, unit: str) -> str:
        return "" if self.bare else unit

    def interval(self, low: str, high: str, unit: str = "") -> str:
        """A 95% interval; ``unit`` (" in 100", " percentage points") is said once, after both ends."""
        return f"[{low}{unit}, {high}{unit}]" if self.terse else f"likely between {low} and {high}{unit}"

    def share_interval(self, low: float, high: float, digits: int = 0) -> str:
        if self.terse:
            return self.interval(f"{100 * low:.{digits}f}", f"{100 * high:.{digits}f}", "%")
        return self.interval(f"{100 * low:.{digits}f}", f"{100 * high:.{digits}f}", self._unit(" in 100"))

    def points_interval(self, low: float, high: float) -> str:
        unit = " pp" if self.terse else self._unit(" percentage points")
        return self.interval(f"{100 * low:+.1f}", f"{100 * high:+.1f}", unit)


GLOSSARY = ("  Words: '5 in 100' is a share (5%); 'percentage points' the difference of two shares; 'likely between "
            "A and B' a 95% confidence interval over the seeds. README.md, section Glossary, explains the rest.")


def loyalty_ladder(summary: dict, words: Words, window: str = "180") -> list[str]:
    """Who stayed ``window`` days after their first problem, by what happened to it (MODEL.md §6)."""
    rows = summary["after_first_problem"][window]
    lines = [f"  Customers still with the firm {window} days after their first problem, by what happened to it "
             "(n = customers followed that long):"]
    for group in GROUPS:
        row = rows[group]
        if row["n"] < MIN_GROUP:
            shown = f"too few to tell (n = {row['n']})"
        else:
            interval = words.share_interval(row["ci_low"], row["ci_high"])
            shown = f"{words.share(row['stayed'])} ({interval}; n = {row['n']:,})"
        lines.append(f"    {LADDER_LABELS[group]:<27} {shown}")
    return lines


def preset_settings(choices: dict[str, str]) -> dict:
    """The dotted settings the chosen presets' files set (``configs/<group>/<name>.yaml``), in order of the groups."""
    from dataclasses import asdict

    from omegaconf import OmegaConf

    from sim.config import CONFIG_DIR
    from sim.params import PRESETS, ServsimConfig, flatten

    parameters = flatten(asdict(ServsimConfig()))
    settings = {}
    for group in PRESETS:
        if choices.get(group):
            tree = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / group / f"{choices[group]}.yaml"))
            settings.update({k: v for k, v in flatten(tree).items() if k in parameters and k != "description"})
    return settings


def what_ran(config, choices: dict[str, str], typed: dict[str, str]) -> list[str]:
    """The preset(s), then every setting that differs from them or that the user typed, in the user's words.

    The preset's description is printed only while it is true: when the user changed a setting
    the preset sets, it is left out and the summary says why.
    """
    from dataclasses import asdict

    from sim.config import DECIDES
    from sim.params import ServsimConfig, flatten

    chosen = [f"{group} '{name}'" for group, name in choices.items() if name]
    preset = preset_settings(choices)
    expected = {**flatten(asdict(ServsimConfig())), **preset}
    ran = flatten(asdict(config))
    deciders = {decided: decider for decider, _, decided in DECIDES}
    lines = []
    if chosen:
        sets = [f"{key} = {_setting(value)}" for key, value in preset.items()]
        lines += _wrapped(f"  Preset {' with '.join(chosen)}" + (" sets:" if sets else " (the defaults)."), sets)
    overridden = [key for key in typed if not _keeps_description(key)]
    if "description" in typed:
        lines.append(f"  Description (yours): {config.description}")
    elif config.description and overridden:
        lines.append(f"  (The preset's description is left out: it describes the preset's settings, and you changed "
                     f"{', '.join(overridden)}.)")
    elif config.description:
        lines.append(f"  Preset: {config.description}")
    changed = []
    for key, value in ran.items():
        if key in ("seed", "description") or key.startswith("output.") or (key not in typed and value == expected.get(key)):
            continue
        if key in typed:
            was = f"the preset's {_setting(preset[key])} gives way" if key in preset else f"default {_setting(expected[key])}"
            changed.append(f"{key} = {_setting(value)} (you set it; {was})")
        elif key in deciders and deciders[key] in typed:
            changed.append(f"{key} = {_setting(value)} (from {deciders[key]} = {typed[deciders[key]]})")
        else:
            changed.append(f"{key} = {_setting(value)} (default {_setting(expected.get(key))})")
    return lines + (_wrapped("  Settings beyond the preset:", changed) if changed else ["  No setting beyond the preset."])


# Settings that leave a preset's description true: which dice, how large a market, what is printed.
DESCRIPTION_NEUTRAL = ("seed", "market.customers", "engine", "compare", "replications", "description", "posterior",
                       "posterior_draws")


def _keeps_description(key: str) -> bool:
    return key in DESCRIPTION_NEUTRAL or key.startswith("output.")


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

    Each line is the difference of rounded running totals, and the last total is the summary's
    own profit, so the printed lines sum to the printed profit, which is round(profit) as
    everywhere else it is printed.
    """
    amounts = [("revenue", summary["revenue"])] + [(label, -cost(summary)) for label, cost in COST_LINES]
    lines, running, shown = [], 0.0, 0
    for k, (label, amount) in enumerate(amounts):
        running = summary["profit"] if k == len(amounts) - 1 else running + amount
        lines.append((label, round(running) - shown))
        shown = round(running)
    return lines + [("profit", shown)]


def present_value(timeseries, discount_rate: float) -> float:
    """The daily profits discounted to day 0 at ``discount_rate`` a year."""
    days = timeseries["day"].to_numpy(float)
    return float((timeseries["profit"].to_numpy(float) / (1.0 + discount_rate) ** (days / 365.0)).sum())


def money_block(outcome, config) -> list[str]:
    """Money over the horizon, line by line: one run's, or with replications the mean over the seeds
    (the same mean the comparison table shows), its interval said in the heading."""
    runs = [pair.run for pair in outcome.pairs] if outcome.pairs else [(outcome.timeseries, outcome.summary)]
    output = config.output
    keys = ("revenue", "delivery_cost", "recovery_cost", "compensation_cost", "guarantee_cost", "acquisition_cost", "profit")
    mean = {key: float(np.mean([summary[key] for _, summary in runs])) for key in keys}
    value = float(np.mean([present_value(timeseries, output.discount_rate) for timeseries, _ in runs]))
    if len(runs) == 1:
        head = f"  Money over the horizon, in {output.currency}:"
    else:
        row = outcome.means.set_index("metric").loc["profit"]
        words = Words(output.terse)
        interval = words.interval(f"{row.value_ci_low:,.0f}", f"{row.value_ci_high:,.0f}")
        head = (f"  Money over the horizon, in {output.currency}, the mean of {len(runs)} replications "
                f"(seeds {outcome.pairs[0].seed}-{outcome.pairs[-1].seed}; profit {interval}):")
    return [head, *(f"    {label:<20}{amount:>14,}" for label, amount in money_lines(mean)),
            f"    {'profit today':<20}{round(value):>14,}  (its present value, discounted at "
            f"{output.discount_rate:.0%} a year: output.discount_rate)"]


# More than this share of the complainants who reach the desk giving up waiting: the desk is overloaded.
OVERLOAD_SHARE = 0.10
# Sizing advice aims at handlers busy this share of the time (queues stay short below about 80%).
TARGET_UTILISATION = 0.8


def recovery_lines(summary: dict, config, events, words: Words) -> list[str]:
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
        f"{len(abandoned):,} ({words.share(gave_up, 1)}) gave up waiting.",
        f"  Mean recovery delay {everyone.mean():.2f} days over "
        f"all {len(everyone):,} answered or abandoned complaints (those who gave up count with their wait, "
        f"{abandoned.mean() if len(abandoned) else 0:.2f} days on average); "
        f"{answered.mean() if len(answered) else float('nan'):.2f} days over the {len(answered):,} answered."
    ]
    if at_desk and gave_up > OVERLOAD_SHARE:
        lines.append(f"  WARNING: the desk is overloaded: {words.share(gave_up, 1)} of its complainants gave up waiting "
                     f"(more than {words.share(OVERLOAD_SHARE)}). {_desk_fix(config, at_desk)}")
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
    return (f"Fix: about {staff} handlers for this load (recovery.staff={staff}, or recovery.staff_per_10k={per_10k:g}, "
            f"handlers per 10,000 people, to grow the desk with the market; now {r.staff}), faster handling "
            "(recovery.handling_days) or more solved on the spot (recovery.on_the_spot).")


def plain_summary(outcome, config, choices: dict[str, str], out_dir, reference=None,
                  typed: dict[str, str] | None = None) -> str:
    """What the run did, from the settings that ran: the preset and every setting beyond it, the numbers,
    the money line by line and, with a reference or replications, the comparison table."""
    from sim.compare import comparison_lines
    from sim.posterior import lines as posterior_lines
    from sim.version import model_version

    s, firm, words = outcome.summary, config.firm, Words(config.output.terse)
    label = choices.get("lesson") or choices.get("scenario") or "custom"
    desk = ("answers every complaint at once (recovery.handling_days = 0)" if config.recovery.handling_days == 0
            else f"desk of {config.recovery.staff:,} handler(s)")
    replicated = outcome.pairs is not None and len(outcome.pairs) > 1
    lines = [
        f"servsim: scenario '{label}', {s['people_in_market']:,} people, {s['days']} days, seed {config.seed} "
        f"(model {model_version()})",
        *what_ran(config, choices, typed or {}),
        *([f"  Seed {config.seed}'s run, the first of {len(outcome.pairs)} replications (the money and the table "
           "below are their means):"] if replicated else []),
        f"  Promise {firm.promise:g} vs quality {firm.quality:g} of 10"
        f"{' with a guarantee' if firm.guarantee else ''}; {desk}; the service chain worked the first time on "
        f"{words.share(s['first_time_right'])} visits.",
        f"  Of its {s['customers_initial']:,} starting customers, {words.share(s['retention_never_left'])} stayed "
        f"throughout and {words.share(s['retention_at_horizon'])} were customers on the last day (counting those who "
        f"left and came back); it ends with {s['customers_final']:,} customers ({words.share(s['market_share'])} of "
        f"the market): {s['acquisitions']:,} joined, {s['defections']:,} left.",
        f"  {s['dissatisfied_experiences']:,} visits fell short of expectations; only {s['complaints']:,} "
        f"({words.share(s['complaint_share'])}) became complaints: the rest stayed silent.",
        *loyalty_ladder(s, words),
        *recovery_lines(s, config, outcome.model.event_table, words),
        f"  Final mood of customers: expectation {s['mean_expectation_final']:.2f} of 10, "
        f"satisfaction {s['mean_satisfaction_final']:+.2f} (0 = as expected), "
        f"trust {s['mean_trust_final']:.2f} (0 = none, 1 = full).",
        *money_block(outcome, config),
        *(comparison_lines(outcome.means, reference, [p.seed for p in outcome.pairs], words, config.output.currency)
          if outcome.pairs else []),
        *(posterior_lines(outcome.posterior, words, config.output.currency) if outcome.posterior else []),
        f"  Outputs: {out_dir}",
    ]
    return "\n".join(lines + ([] if words.terse else [GLOSSARY]))
