"""The stylized facts of MODEL.md §5, measured over replicated seeds.

Each fact is a function of a ``Lab`` returning named ``Effect``s: a mean and
its 95% confidence interval over seeds. Policies are compared *paired by seed*:
with common random numbers two policies on one seed see the same dice, so the
per-seed difference isolates the policy and its interval is tight.

The tests (``tests/test_stylized_facts.py``) assert the sign of each effect;
``servsim-facts`` prints them all (the numbers quoted in docs/model.md).
"""

from __future__ import annotations

import argparse
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import stats

from agents import rules

# Surprise used by F1/F2: the surprise_regress scenario.
SURPRISE = {"firm.surprise.start": 180, "firm.surprise.length": 120, "firm.surprise.size": 1.5}
REGRESS_END = 300
TRACKED_COLUMNS = ("retention", "cohort_satisfaction")


@dataclass(frozen=True)
class Effect:
    """Mean of a per-seed quantity with a t-based 95% confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values) -> "Effect":
        values = np.asarray(values, dtype=float)
        mean = float(values.mean())
        if len(values) < 2 or np.all(values == values[0]):
            return cls(mean, mean, mean, len(values))
        half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)))
        return cls(mean, mean - half, mean + half, len(values))

    def __str__(self) -> str:
        return f"{self.mean:+.4f} [{self.low:+.4f}, {self.high:+.4f}]"


def _run_one(overrides: tuple, seed: int, customers: int, days: int):
    """One run in a worker process: its summary and the tracked daily series."""
    from sim.config import compose
    from sim.run import simulate

    settings = dict(overrides)
    settings.update({"seed": seed, "market.customers": customers, "days": days})
    settings.update({"output.progress": False, "output.figures": False})
    timeseries, summary, _ = simulate(compose(settings))
    return summary, {column: timeseries[column].to_numpy() for column in TRACKED_COLUMNS}


class Lab:
    """Runs a configuration over the seeds, in parallel, and remembers the results."""

    def __init__(self, customers: int = 3000, days: int = 730, seeds=range(8), workers: int = 2, base: dict | None = None):
        self.customers, self.days, self.seeds = customers, days, list(seeds)
        self.workers = workers
        self.base = dict(base or {})  # dotted overrides under every configuration
        self._results: dict[tuple, list] = {}

    def _key(self, configuration: dict) -> tuple:
        return tuple(sorted({**self.base, **configuration}.items()))

    def prefetch(self, configurations: list[dict]) -> None:
        """Run every configuration not run yet, all seeds, spread over the workers."""
        todo = [self._key(c) for c in configurations]
        todo = [key for key in dict.fromkeys(todo) if key not in self._results]
        jobs = [(key, seed) for key in todo for seed in self.seeds]
        if not jobs:
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            futures = [pool.submit(_run_one, key, seed, self.customers, self.days) for key, seed in jobs]
            outcomes = [future.result() for future in futures]
        for (key, _), outcome in zip(jobs, outcomes):
            self._results.setdefault(key, []).append(outcome)

    def runs(self, configuration: dict | None = None) -> list:
        """[(summary, series)] per seed for a configuration of dotted overrides."""
        configuration = dict(configuration or {})
        self.prefetch([configuration])
        return self._results[self._key(configuration)]

    def summary(self, key: str, configuration: dict | None = None, *, nested: str | None = None) -> np.ndarray:
        """One summary number per seed."""
        values = [s[key] if nested is None else s[key][nested] for s, _ in self.runs(configuration)]
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    def series(self, column: str, configuration: dict | None = None) -> np.ndarray:
        """(seeds, days) array of one daily column."""
        return np.stack([series[column] for _, series in self.runs(configuration)])


def surprise_policy(regress: bool | None, extra: dict | None = None) -> dict:
    """never (None), surprise-then-regress (True) or surprise-sustained (False)."""
    if regress is None:
        return dict(extra or {})
    return {**SURPRISE, "firm.surprise.regress": regress, **(extra or {})}


def trap_depth(lab: Lab, extra: dict | None = None) -> np.ndarray:
    """Per seed: the deepest shortfall of the cohort's satisfaction below never-surprised after the regress."""
    never = lab.series("cohort_satisfaction", surprise_policy(None, extra))
    regress = lab.series("cohort_satisfaction", surprise_policy(True, extra))
    return (never - regress)[:, REGRESS_END:].max(axis=1)


# ---------------------------------------------------------------- the facts
def f1_surprise_trap(lab: Lab) -> dict[str, Effect]:
    never, regress, sustained = (surprise_policy(p) for p in (None, True, False))
    retention = {name: lab.summary("retention", p) for name, p in (("never", never), ("regress", regress), ("sustained", sustained))}
    satisfaction = {
        name: lab.summary("cohort_satisfaction_final", p)
        for name, p in (("never", never), ("regress", regress), ("sustained", sustained))
    }
    day_400 = lab.series("retention", regress)[:, 399] - lab.series("retention", never)[:, 399]
    return {
        "retention at horizon, regress - never": Effect.of(retention["regress"] - retention["never"]),
        "retention 100 days after the regress, regress - never": Effect.of(day_400),
        "cohort satisfaction at horizon, regress - never": Effect.of(satisfaction["regress"] - satisfaction["never"]),
        "retention at horizon, sustained - never": Effect.of(retention["sustained"] - retention["never"]),
        "retention at horizon, sustained - regress": Effect.of(retention["sustained"] - retention["regress"]),
        "cohort satisfaction at horizon, sustained - never": Effect.of(satisfaction["sustained"] - satisfaction["never"]),
        "cohort satisfaction at horizon, sustained - regress": Effect.of(satisfaction["sustained"] - satisfaction["regress"]),
    }


F2_LEARNING_RATES = (0.0, 0.05, 0.15, 0.3)
F2_LOSS_AVERSIONS = (1.0, 2.25, 4.0)


def f2_trap_has_a_cause(lab: Lab) -> dict[str, Effect]:
    effects = {}
    for alpha in F2_LEARNING_RATES:
        effects[f"trap depth, learning rate {alpha}"] = Effect.of(trap_depth(lab, {"customers.learning_rate": alpha}))
    no_learning = {"customers.learning_rate": 0.0}
    gap = lab.summary("retention", surprise_policy(True, no_learning)) - lab.summary(
        "retention", surprise_policy(None, no_learning)
    )
    effects["retention at horizon without learning, regress - never"] = Effect.of(gap)
    for low, high in zip(F2_LEARNING_RATES[1:], F2_LEARNING_RATES[2:]):
        deeper = trap_depth(lab, {"customers.learning_rate": high}) - trap_depth(lab, {"customers.learning_rate": low})
        effects[f"trap deepens, learning rate {high} - {low}"] = Effect.of(deeper)
    for lam in F2_LOSS_AVERSIONS:
        effects[f"trap depth, loss aversion {lam}"] = Effect.of(trap_depth(lab, {"customers.loss_aversion": lam}))
    for low, high in zip(F2_LOSS_AVERSIONS, F2_LOSS_AVERSIONS[1:]):
        deeper = trap_depth(lab, {"customers.loss_aversion": high}) - trap_depth(lab, {"customers.loss_aversion": low})
        effects[f"trap deepens, loss aversion {high} - {low}"] = Effect.of(deeper)
    return effects


F3_PROMISES = (5.5, 6.5, 7.0, 8.0, 9.5)


def f3_promise_level(lab: Lab) -> dict[str, Effect]:
    measures = ("retention", "acquisitions", "market_share", "profit")
    at = {(m, p): lab.summary(m, {"firm.promise": p}) for m in measures for p in F3_PROMISES}
    effects = {f"{m} at promise {p}": Effect.of(at[(m, p)]) for m in measures for p in F3_PROMISES}
    for low, high in zip(F3_PROMISES, F3_PROMISES[1:]):
        effects[f"retention falls, promise {low} - {high}"] = Effect.of(at[("retention", low)] - at[("retention", high)])
        effects[f"acquisitions rise, promise {high} - {low}"] = Effect.of(
            at[("acquisitions", high)] - at[("acquisitions", low)]
        )
    for measure in ("profit", "market_share"):
        best = max(F3_PROMISES, key=lambda p: at[(measure, p)].mean())
        effects[f"{measure} peak promise"] = Effect.of([best])
        effects[f"{measure} at its peak - at the highest promise"] = Effect.of(at[(measure, best)] - at[(measure, 9.5)])
        effects[f"{measure} at its peak - at the lowest promise"] = Effect.of(at[(measure, best)] - at[(measure, 5.5)])
    return effects


F4_DELAYS = (0.0, 1.0, 3.0, 10.0, 30.0)
F4_STAFF = (1, 2, 3, 5)
F4_FIXED = {"recovery.desk": "fixed_delay", "recovery.on_the_spot": 0.0}
F4_QUEUE = {"recovery.handling_days": 1.0, "recovery.on_the_spot": 0.0}


def f4_recovery_speed(lab: Lab) -> dict[str, Effect]:
    effects = {}
    complainants = {d: lab.summary("retention_complainants", {**F4_FIXED, "recovery.handling_days": d}) for d in F4_DELAYS}
    for delay in F4_DELAYS:
        effects[f"complainants' retention, recovery in {delay:g} days"] = Effect.of(complainants[delay])
    for fast, slow in zip(F4_DELAYS, F4_DELAYS[1:]):
        effects[f"complainants' retention falls, {fast:g} - {slow:g} days"] = Effect.of(complainants[fast] - complainants[slow])
    for staff in F4_STAFF:
        effects[f"mean recovery days, {staff} handler(s)"] = Effect.of(
            lab.summary("mean_recovery_days", {**F4_QUEUE, "recovery.staff": staff})
        )
        effects[f"retention, {staff} handler(s)"] = Effect.of(lab.summary("retention", {**F4_QUEUE, "recovery.staff": staff}))
    effects["retention gain, 5 - 1 handlers"] = Effect.of(
        lab.summary("retention", {**F4_QUEUE, "recovery.staff": 5}) - lab.summary("retention", {**F4_QUEUE, "recovery.staff": 1})
    )
    return effects


def f5_complaint_iceberg(lab: Lab) -> dict[str, Effect]:
    silent = lab.summary("retention_by_history", nested="silent")
    fast = lab.summary("retention_by_history", nested="resolved_fast")
    return {
        "complaint share of dissatisfying experiences": Effect.of(lab.summary("complaint_share")),
        "retention, resolved fast - silent": Effect.of(fast - silent),
    }


F6_CHAINS = ((0.99, 5), (0.95, 5), (0.9, 3))


def f6_reliability_compounds(lab: Lab) -> dict[str, Effect]:
    effects = {}
    for reliability, steps in F6_CHAINS:
        ftr = lab.summary("first_time_right", {"firm.step_reliability": reliability, "firm.chain_steps": steps})
        effects[f"first-time-right - {reliability}^{steps}"] = Effect.of(ftr - reliability**steps)
    return effects


def f7_recovery_paradox(defaults) -> dict[str, float]:
    """A controlled experiment on the rules: one customer, one problem, one recovery.

    (Model-level runs cannot isolate this: over two years nearly every customer
    has several problems, and those who never had one are mostly those who
    left early.)

    A content customer (satisfaction 0, expecting what they get) has either a
    visit inside the zone (never failed) or a shortfall followed by a
    recovery. Satisfaction right after, and the expected 90-day retention
    that follows from it, for each kind of recovery. Deterministic: no seeds.
    """
    from agents.processes.base import defection_chance

    c = defaults.customers
    r = defaults.recovery
    weights = (c.compensation_weight, c.speed_weight, c.speed_scale_days, c.apology_weight)
    tolerance = c.tolerance
    mild = -(tolerance + 0.5)  # half a point beyond the zone
    severe = -(tolerance + defaults.firm.failure_severity)  # a chain failure

    def after(gap, delay=None, compensation=r.compensation, apology=1.0, complaints=1):
        value = rules.experience_value(gap, tolerance, c.loss_aversion, c.value_curvature)
        satisfaction = float(rules.update_satisfaction(0.0, value, c.satisfaction_rate))
        if delay is not None:
            satisfaction += float(rules.recovery_value(delay, compensation, apology, complaints, weights))
        return satisfaction

    def retained_90_days(satisfaction):
        """Expected share still here after 90 days of visits inside the zone (satisfaction decays to 0)."""
        survival = 1.0
        for _ in range(int(90 * c.visit_rate)):
            survival *= 1.0 - float(defection_chance(c, satisfaction, c.switching_cost, 365.0, c.initial_trust))
            satisfaction = float(rules.update_satisfaction(satisfaction, 0.0, c.satisfaction_rate))
        return survival

    never = after(0.0)
    cases = {
        "mild first failure, fast generous recovery": after(mild, delay=0.0, compensation=1.0),
        "mild first failure, fast recovery, default compensation": after(mild, delay=0.0),
        "mild first failure, slow recovery (5 days)": after(mild, delay=5.0, compensation=1.0),
        "mild first failure, fast but stingy (no compensation, no apology)": after(
            mild, delay=0.0, compensation=0.0, apology=0.0
        ),
        "severe failure, fast generous recovery": after(severe, delay=0.0, compensation=1.0),
        "mild second failure, fast generous recovery": after(mild, delay=0.0, compensation=1.0, complaints=2),
    }
    effects = {f"satisfaction vs never failed: {name}": value - never for name, value in cases.items()}
    best = cases["mild first failure, fast generous recovery"]
    effects["90-day retention vs never failed: mild first failure, fast generous recovery"] = retained_90_days(
        best
    ) - retained_90_days(never)
    return effects


F8_SHOCK = {"firm.surprise.start": 180, "firm.surprise.length": 90, "firm.surprise.regress": True}


def f8_losses_outweigh_gains(lab: Lab) -> dict[str, Effect]:
    window = slice(180, 270)
    base_sat = lab.series("cohort_satisfaction")[:, window].mean(axis=1)
    base_ret = lab.series("retention")[:, 269]
    down_sat = base_sat - lab.series("cohort_satisfaction", {**F8_SHOCK, "firm.surprise.size": -1.0})[:, window].mean(axis=1)
    up_sat = lab.series("cohort_satisfaction", {**F8_SHOCK, "firm.surprise.size": 1.0})[:, window].mean(axis=1) - base_sat
    down_ret = base_ret - lab.series("retention", {**F8_SHOCK, "firm.surprise.size": -1.0})[:, 269]
    up_ret = lab.series("retention", {**F8_SHOCK, "firm.surprise.size": 1.0})[:, 269] - base_ret
    return {
        "satisfaction fall from -1": Effect.of(down_sat),
        "satisfaction rise from +1": Effect.of(up_sat),
        "satisfaction, fall - rise": Effect.of(down_sat - up_sat),
        "retention fall from -1": Effect.of(down_ret),
        "retention rise from +1": Effect.of(up_ret),
        "retention, fall - rise": Effect.of(down_ret - up_ret),
    }


F9_NOISE = (0.2, 0.5, 1.0)


def f9_variability_costs(lab: Lab) -> dict[str, Effect]:
    effects = {}
    for measure in ("mean_expectation_final", "cohort_satisfaction_final", "retention"):
        values = {noise: lab.summary(measure, {"firm.quality_noise": noise}) for noise in F9_NOISE}
        for calm, noisy in zip(F9_NOISE, F9_NOISE[1:]):
            effects[f"{measure}, noise {calm} - {noisy}"] = Effect.of(values[calm] - values[noisy])
    return effects


LAB_FACTS = {
    "F1 surprise-then-regress trap": f1_surprise_trap,
    "F2 the trap has a cause": f2_trap_has_a_cause,
    "F3 promise level": f3_promise_level,
    "F4 recovery speed": f4_recovery_speed,
    "F5 complaint iceberg": f5_complaint_iceberg,
    "F6 reliability compounds": f6_reliability_compounds,
    "F8 losses outweigh gains": f8_losses_outweigh_gains,
    "F9 variability costs": f9_variability_costs,
}


def all_configurations() -> list[dict]:
    """Every configuration the facts need, so a lab can run them in one parallel batch."""
    configs = [{}]
    for extra in [{}] + [{"customers.learning_rate": a} for a in F2_LEARNING_RATES] + [
        {"customers.loss_aversion": lam} for lam in F2_LOSS_AVERSIONS
    ]:
        configs += [dict(extra), {**SURPRISE, "firm.surprise.regress": True, **extra}]
    configs.append({**SURPRISE, "firm.surprise.regress": False})
    configs += [{"firm.promise": p} for p in F3_PROMISES]
    configs += [{"recovery.desk": "fixed_delay", "recovery.on_the_spot": 0.0, "recovery.handling_days": d} for d in F4_DELAYS]
    configs += [{"recovery.handling_days": 1.0, "recovery.on_the_spot": 0.0, "recovery.staff": s} for s in F4_STAFF]
    configs += [{"firm.step_reliability": r, "firm.chain_steps": n} for r, n in F6_CHAINS]
    configs += [{**F8_SHOCK, "firm.surprise.size": size} for size in (-1.0, 1.0)]
    configs += [{"firm.quality_noise": noise} for noise in F9_NOISE]
    return configs


def measure_all(lab: Lab) -> dict[str, dict]:
    from sim.config import compose

    lab.prefetch(all_configurations())
    measured = {name: fact(lab) for name, fact in LAB_FACTS.items()}
    measured["F7 recovery paradox (rule-level experiment)"] = f7_recovery_paradox(compose())
    return dict(sorted(measured.items()))


def as_markdown(measured: dict[str, dict], lab: Lab) -> str:
    lines = [
        "# Stylized facts: measured effects",
        "",
        f"{len(lab.seeds)} seeds ({lab.seeds[0]}-{lab.seeds[-1]}), {lab.customers:,} people, {lab.days} days; "
        "mean and 95% t-interval over seeds, policies paired by seed (common random numbers).",
        "Regenerate: `servsim-facts --out docs/facts.md`.",
        "",
    ]
    for fact, effects in measured.items():
        lines += [f"## {fact}", "", "| effect | mean [95% CI] |", "|---|---|"]
        lines += [f"| {name} | {value if isinstance(value, Effect) else f'{value:+.4f}'} |" for name, value in effects.items()]
        lines.append("")
    return "\n".join(lines)


def publish(text: str, out: str | None) -> None:
    """Print a markdown report, and write it to ``out`` when given."""
    print(text)
    if out:
        with open(out, "w") as handle:
            handle.write(text + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure the stylized facts of MODEL.md §5 over replicated seeds.")
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seeds", type=int, default=8, help="replications (seeds 0..n-1)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", help="also write the table to this markdown file")
    args = parser.parse_args()
    lab = Lab(args.customers, args.days, range(args.seeds), args.workers)
    text = as_markdown(measure_all(lab), lab)
    publish(text, args.out)


if __name__ == "__main__":
    main()
