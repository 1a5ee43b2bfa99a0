"""The calibration table: each behavioural default, the observable it is tuned to, and what the default run gives.

``servsim-calibration`` runs the default configuration over replicated seeds
(10,000 people, as the loyalty facts) and prints, for every calibrated
default, the observable it was tuned to, the target with its source, and the
value the default run gives with its 95% interval; ``--out docs/model.md``
refreshes the table embedded there.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Callable

from experiments.stylized_facts import Effect, Lab, gap, loyalty_lab, pooled, publish

START, END = "<!-- calibration-table:start -->", "<!-- calibration-table:end -->"


@dataclass(frozen=True)
class Target:
    parameters: str
    observable: str
    target: str
    source: str
    measure: Callable[[Lab], Effect]


def _summary(key: str) -> Callable[[Lab], Effect]:
    return lambda lab: Effect.of(lab.summary(key))


def _ladder_gap(high: str, low: str) -> Callable[[Lab], Effect]:
    return lambda lab: gap(pooled(lab, high), pooled(lab, low))


TARGETS = (
    Target("`complaint_propensity` 0.05", "complaints per dissatisfying visit", "4-10%",
           "TARP 1986: few dissatisfied customers complain", _summary("complaint_share")),
    Target("`defection_floor` 0.00006, `defection_span` 0.005", "starting customers who never left in two years",
           "75-80% (yearly retention 86-90%)", "Reichheld & Sasser 1990: 75-90% yearly in services",
           _summary("retention_never_left")),
    Target("`grievance_weight` 2.5, `problem_grievance` 1, `grievance_half_life_days` 60", "stayed 180 days, no problem - silent after a first problem",
           "a few points (> 0)", "TARP 1986; Knox & van Oest 2014: a problem raises churn",
           _ladder_gap("no_problem", "silent")),
    Target("`recovery_restoration` 0.9", "stayed 180 days, no problem - resolved fast", "small but > 0",
           "Knox & van Oest 2014: recovery counters most, rarely all, of a complaint's effect",
           _ladder_gap("no_problem", "resolved_fast")),
    Target("`abandonment_grievance` 2", "stayed 180 days, resolved fast - unresolved", "about 10 points or more",
           "TARP 1986 repurchase intentions (tens of points) attenuated to behaviour",
           _ladder_gap("resolved_fast", "unresolved")),
    Target("`compensation_weight` 0.15, `speed_weight` 0.1, `apology_weight` 0.05",
           "satisfaction lift after a mild first problem resolved on the spot (default compensation 0.5)",
           "about 0: a paradox only when fast and generous", "de Matos, Henrique & Rossi 2007 meta-analysis",
           _summary("complaint_effects.recovery_lift.mild_first_on_the_spot.mean")),
    Target("`purchases_scale` 73 visits", "retention, heaviest - lightest fifth of visit rate", ">= 0",
           "Knox & van Oest 2014: past purchases protect",
           lambda lab: Effect.of(
               lab.summary("retention_by_visit_rate_fifth.fifth_5") - lab.summary("retention_by_visit_rate_fifth.fifth_1")
           )),
    Target("`firm.step_reliability` 0.99 x `chain_steps` 5", "first-time-right", "95%",
           "a typical service level; MODEL.md §1.9", _summary("first_time_right")),
)


def calibration_table(lab: Lab) -> str:
    lab.prefetch([{}])
    lines = [
        f"Default run, {len(lab.seeds)} seeds, {lab.customers:,} people, {lab.days} days "
        "(`servsim-calibration --out docs/model.md`); mean [95% CI]; landmark gaps pool the seeds' landmarks.",
        "",
        "| default | observable | target | source | default run |",
        "|---|---|---|---|---|",
    ]
    for t in TARGETS:
        e = t.measure(lab)
        lines.append(f"| {t.parameters} | {t.observable} | {t.target} | {t.source} | {e.mean:.3f} [{e.low:.3f}, {e.high:.3f}] |")
    return "\n".join(lines)


def embed(markdown: str, table: str) -> str:
    head, rest = markdown.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


def main() -> None:
    parser = argparse.ArgumentParser(description="The calibration table of the behavioural defaults.")
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", help="a markdown file with calibration-table markers to refresh (docs/model.md)")
    args = parser.parse_args()
    table = calibration_table(loyalty_lab(range(args.seeds), args.workers))
    if args.out:
        with open(args.out) as handle:
            updated = embed(handle.read(), table)
        with open(args.out, "w") as handle:
            handle.write(updated)
    publish(table, None)


if __name__ == "__main__":
    main()
