"""Where do the stylized facts hold? Their signs over a Latin hypercube of behaviour.

The facts are tested at the default parameters; this asks whether they are a
property of the model or of one calibration. A small Latin-hypercube sample
(scipy.stats.qmc) of the behavioural parameters below is drawn; at each point
a reduced check of each fact's sign is run over a few seeds (mean paired
difference on the predicted side of zero), and F7 is evaluated exactly.

    servsim-fact-region --points 12 --out docs/fact_region.md
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.stats import qmc

from experiments.aggregate import COMPLAINANTS_KEPT
from experiments.stylized_facts import F8_SHOCK, SURPRISE, Lab, f7_recovery_paradox, publish
from sim.config import compose

# Behavioural parameters varied, with the plausible range explored.
REGION = {
    "customers.learning_rate": (0.05, 0.3),
    "customers.loss_aversion": (1.5, 3.5),
    "customers.tolerance": (0.3, 1.0),
    "customers.satisfaction_rate": (0.15, 0.5),
    "customers.negativity_bias": (1.0, 2.0),
    "customers.promise_pull": (0.05, 0.2),
    "customers.defection_span": (0.01, 0.03),
    "customers.grievance_weight": (0.5, 2.0),
    "customers.trust_loyalty": (0.5, 2.0),
    "customers.complaint_propensity": (0.02, 0.1),
}

CHECKS = {
    "F1": [{}, {**SURPRISE, "firm.surprise.regress": True}, {**SURPRISE, "firm.surprise.regress": False}],
    "F2": [{"customers.learning_rate": 0.0}, {**SURPRISE, "firm.surprise.regress": True, "customers.learning_rate": 0.0}],
    "F3": [{"firm.promise": p} for p in (5.5, 7.0, 9.5)],
    "F4": [{"recovery.desk": "fixed_delay", "recovery.on_the_spot": 0.0, "recovery.handling_days": d} for d in (0.0, 10.0)]
    + [{"recovery.handling_days": 1.0, "recovery.on_the_spot": 0.0, "recovery.staff": s} for s in (1, 5)],
    "F8": [{**F8_SHOCK, "firm.surprise.size": size} for size in (-1.0, 1.0)],
    "F9": [{"firm.quality_noise": noise} for noise in (0.2, 1.0)],
}


def fact_signs(lab: Lab, point: dict) -> dict[str, bool]:
    """True where the fact's predicted sign holds (mean paired difference over the lab's seeds)."""
    def diff(key, a, b):
        return float(np.nanmean(lab.summary(key, a) - lab.summary(key, b)))

    never, regress, sustained = CHECKS["F1"]
    no_learning, no_learning_regress = CHECKS["F2"]
    low, mid, high = CHECKS["F3"]
    instant, slow, one_handler, five_handlers = CHECKS["F4"]
    down, up = CHECKS["F8"]
    calm, noisy = CHECKS["F9"]
    base_sat = lab.series("cohort_satisfaction")[:, 180:270].mean(axis=1)
    fall = base_sat - lab.series("cohort_satisfaction", down)[:, 180:270].mean(axis=1)
    rise = lab.series("cohort_satisfaction", up)[:, 180:270].mean(axis=1) - base_sat
    profits = {p: float(np.mean(lab.summary("profit", c))) for p, c in ((5.5, low), (7.0, mid), (9.5, high))}
    ladder = {g: lab.summary(f"after_first_problem.180.{g}.stayed") for g in ("no_problem", "silent", "resolved_fast")}
    fifths = lab.summary("retention_by_visit_rate_fifth.fifth_5") - lab.summary("retention_by_visit_rate_fifth.fifth_1")
    paradox = f7_recovery_paradox(compose(point))
    return {
        "F1": diff("retention_never_left", regress, never) < 0 < diff("retention_never_left", sustained, never)
        and diff("cohort_satisfaction_final", regress, never) < 0,
        "F2": diff("retention_never_left", no_learning_regress, no_learning) >= 0,
        "F3": diff("retention_never_left", low, mid) > 0 < diff("retention_never_left", mid, high)
        and diff("acquisitions", high, low) > 0
        and max(profits, key=profits.get) != 9.5,
        "F4": diff(COMPLAINANTS_KEPT, instant, slow) > 0
        and diff("mean_recovery_days", one_handler, five_handlers) > 0,
        "F5": float(np.mean(lab.summary("complaint_share"))) < 0.25
        and float(np.nanmean(ladder["resolved_fast"] - ladder["silent"])) > 0,
        "F7": paradox["satisfaction vs never failed: mild first failure, fast generous recovery"] > 0
        > paradox["satisfaction vs never failed: severe failure, fast generous recovery"]
        and paradox["90-day staying vs never failed: mild first failure, fast generous recovery"] <= 0,
        "F8": float(np.mean(fall - rise)) > 0,
        "F9": all(diff(m, calm, noisy) > 0 for m in ("mean_expectation_final", "cohort_satisfaction_final", "retention_never_left")),
        "F10": float(np.nanmean(ladder["no_problem"] - ladder["silent"])) > 0,
        "F11": float(np.nanmean(fifths)) >= 0,
    }


def latin_hypercube(points: int, seed: int) -> list[dict]:
    sampler = qmc.LatinHypercube(d=len(REGION), seed=seed)
    lows, highs = zip(*REGION.values())
    scaled = qmc.scale(sampler.random(points), lows, highs)
    return [dict(zip(REGION, (round(float(v), 3) for v in row))) for row in scaled]


def main() -> None:
    parser = argparse.ArgumentParser(description="Signs of the stylized facts over a Latin hypercube of behaviour.")
    parser.add_argument("--points", type=int, default=12)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", help="also write the table to this markdown file")
    args = parser.parse_args()
    rows = []
    for point in latin_hypercube(args.points, seed=2026):
        lab = Lab(args.customers, 730, range(args.seeds), args.workers, base=point)
        lab.prefetch([c for configs in CHECKS.values() for c in configs])
        rows.append((point, fact_signs(lab, point)))
        print(point, rows[-1][1], flush=True)
    facts = list(rows[0][1])
    short = [key.split(".")[1] for key in REGION]
    lines = [
        "# Where the stylized facts hold",
        "",
        f"{args.points} Latin-hypercube points over the behavioural parameters below, {args.seeds} seeds each, "
        f"{args.customers:,} people, 730 days; a check mark means the fact's predicted sign holds "
        "(mean paired difference over the seeds). Regenerate: "
        f"`servsim-fact-region --points {args.points} --out docs/fact_region.md`.",
        "",
        "| " + " | ".join(short + facts) + " |",
        "|" + "---|" * (len(short) + len(facts)),
    ]
    for point, signs in rows:
        lines.append("| " + " | ".join([f"{v:g}" for v in point.values()] + ["✓" if signs[f] else "✗" for f in facts]) + " |")
    held = {f: sum(signs[f] for _, signs in rows) for f in facts}
    lines += ["", "Holds at: " + ", ".join(f"{f} {held[f]}/{len(rows)}" for f in facts) + "."]
    text = "\n".join(lines)
    publish(text, args.out)


if __name__ == "__main__":
    main()
