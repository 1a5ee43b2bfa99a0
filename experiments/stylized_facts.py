"""The stylized facts of MODEL.md §5, measured over replicated seeds.

Each fact is a function of a ``Lab`` returning named ``Effect``s: a mean and
its 95% confidence interval over seeds. Policies are compared *paired by seed*:
with common random numbers two policies on one seed see the same dice, so the
per-seed difference isolates the policy and its interval is tight.

Shares of counts (failed visits, landmark groups) pool the counts of all seeds
and carry a binomial (Wilson) interval. The tests (``tests/test_stylized_facts.py``)
assert that each interval lies on the side of zero, or of a stated margin, that
MODEL.md predicts; ``servsim-facts`` prints them all (docs/facts.md).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import stats

from agents import rules

# Surprise used by F1/F2: the surprise_regress scenario.
SURPRISE = {"firm.surprise.start": 180, "firm.surprise.length": 120, "firm.surprise.size": 1.5}
# Retention of the starting customers who never left: the loyalty measure of every fact.
RETENTION = "retention_never_left"
TRACKED_COLUMNS = (RETENTION, "cohort_satisfaction")


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

    def summary(self, key: str, configuration: dict | None = None) -> np.ndarray:
        """One summary number per seed; ``key`` may be a dotted path into the summary."""
        values = [_dig(s, key) for s, _ in self.runs(configuration)]
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    def pooled(self, path: str, configuration: dict | None = None) -> tuple[int, int]:
        """(landmarks, stayed) of one landmark group summed over the seeds: ``path`` ends at the group."""
        groups = [_dig(s, path) for s, _ in self.runs(configuration)]
        n = sum(g["n"] for g in groups)
        return n, sum(round(g["stayed"] * g["n"]) for g in groups if g["n"])

    def series(self, column: str, configuration: dict | None = None) -> np.ndarray:
        """(seeds, days) array of one daily column."""
        return np.stack([series[column] for _, series in self.runs(configuration)])


def _dig(tree: dict, path: str):
    for part in path.split("."):
        tree = tree[part]
    return tree


def surprise_policy(regress: bool | None, extra: dict | None = None) -> dict:
    """never (None), surprise-then-regress (True) or surprise-sustained (False)."""
    if regress is None:
        return dict(extra or {})
    return {**SURPRISE, "firm.surprise.regress": regress, **(extra or {})}


def trap_depth(lab: Lab, extra: dict | None = None) -> np.ndarray:
    """Per seed: how much retention at the horizon the surprise-then-regress costs against never surprising."""
    return lab.summary(RETENTION, surprise_policy(None, extra)) - lab.summary(RETENTION, surprise_policy(True, extra))


# ---------------------------------------------------------------- the facts
def f1_surprise_trap(lab: Lab) -> dict[str, Effect]:
    never, regress, sustained = (surprise_policy(p) for p in (None, True, False))
    retention = {name: lab.summary(RETENTION, p) for name, p in (("never", never), ("regress", regress), ("sustained", sustained))}
    satisfaction = {
        name: lab.summary("cohort_satisfaction_final", p)
        for name, p in (("never", never), ("regress", regress), ("sustained", sustained))
    }
    day_400 = lab.series(RETENTION, regress)[:, 399] - lab.series(RETENTION, never)[:, 399]
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
    """The trap in retention: none without learning; how it changes with learning and with loss aversion."""
    return {
        **_trap_along(lab, "customers.learning_rate", "learning rate", F2_LEARNING_RATES),
        **_trap_along(lab, "customers.loss_aversion", "loss aversion", F2_LOSS_AVERSIONS),
    }


def _trap_along(lab: Lab, key: str, label: str, values: tuple) -> dict[str, Effect]:
    """Trap depth at each value of one parameter, and how much it deepens from each value to the next."""
    depth = {value: trap_depth(lab, {key: value}) for value in values}
    effects = {f"trap depth in retention, {label} {value}": Effect.of(depth[value]) for value in values}
    for low, high in zip(values, values[1:]):
        effects[f"trap deepens, {label} {high} - {low}"] = Effect.of(depth[high] - depth[low])
    return effects


F3_PROMISES = (5.5, 6.5, 7.0, 8.0, 9.5)


def f3_promise_level(lab: Lab) -> dict[str, Effect]:
    measures = (RETENTION, "acquisitions", "market_share", "profit")
    at = {(m, p): lab.summary(m, {"firm.promise": p}) for m in measures for p in F3_PROMISES}
    effects = {f"{m} at promise {p}": Effect.of(at[(m, p)]) for m in measures for p in F3_PROMISES}
    for low, high in zip(F3_PROMISES, F3_PROMISES[1:]):
        effects[f"retention falls, promise {low} - {high}"] = Effect.of(at[(RETENTION, low)] - at[(RETENTION, high)])
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
# Landmark measures are read 180 days after each customer's first problem (MODEL.md §6).
LADDER = "after_first_problem.180"


def f4_recovery_speed(lab: Lab) -> dict[str, Effect]:
    """Complainants kept (first problems that became complaints, 180 days on) as the desk slows."""
    effects = {}
    kept = {d: lab.summary(f"{LADDER}.complained.stayed", {**F4_FIXED, "recovery.handling_days": d}) for d in F4_DELAYS}
    for delay in F4_DELAYS:
        effects[f"complainants kept, recovery in {delay:g} days"] = Effect.of(kept[delay])
    for fast, slow in zip(F4_DELAYS, F4_DELAYS[1:]):
        effects[f"complainants kept falls, {fast:g} - {slow:g} days"] = Effect.of(kept[fast] - kept[slow])
    for staff in F4_STAFF:
        effects[f"mean recovery days, {staff} handler(s)"] = Effect.of(
            lab.summary("mean_recovery_days", {**F4_QUEUE, "recovery.staff": staff})
        )
        effects[f"complainants kept, {staff} handler(s)"] = Effect.of(
            lab.summary(f"{LADDER}.complained.stayed", {**F4_QUEUE, "recovery.staff": staff})
        )
    effects["complainants kept, 5 - 1 handlers"] = Effect.of(
        lab.summary(f"{LADDER}.complained.stayed", {**F4_QUEUE, "recovery.staff": 5})
        - lab.summary(f"{LADDER}.complained.stayed", {**F4_QUEUE, "recovery.staff": 1})
    )
    return effects


def f5_complaint_iceberg(lab: Lab) -> dict[str, Effect]:
    return {
        "complaint share of dissatisfying experiences": Effect.of(lab.summary("complaint_share")),
        "stayed 180 days after a first problem, resolved fast - silent": gap(pooled(lab, "resolved_fast"), pooled(lab, "silent")),
    }


F6_CHAINS = ((0.99, 5), (0.95, 5), (0.9, 3))


def f6_reliability_compounds(lab: Lab, z: float = 1.959964) -> dict[str, Effect | float]:
    """Visits whose service chain failed, counted over the runs' visits, beside what r^n predicts.

    The share is pooled over the seeds with a Wilson (binomial) interval at
    normal quantile ``z``: every visit's chain fails or not on its own die, so
    the count of failures is binomial in the visits if the runs deliver the
    chain as the rule defines it.
    """
    effects = {}
    for reliability, steps in F6_CHAINS:
        chain = {"firm.step_reliability": reliability, "firm.chain_steps": steps}
        visits, failures = (int(lab.summary(count, chain).sum()) for count in ("visits", "failures"))
        effects[f"share of visits that failed, {reliability}^{steps} chain"] = share_of(failures, visits, z)
        effects[f"1 - {reliability}^{steps}"] = 1.0 - reliability**steps
    return effects


def f7_recovery_paradox(defaults) -> dict[str, float]:
    """A controlled experiment on the rules: one customer, one problem, one recovery.

    Beside the model-run measure (``f7_recovery_paradox_in_runs``), this isolates
    the mechanism. A content customer (satisfaction 0, no grievance) has either
    a visit inside the zone (never failed) or a shortfall followed by a
    recovery. Satisfaction right after, and the expected 90-day staying that
    follows from satisfaction and grievance, for each kind of recovery.
    Deterministic: no seeds.
    """
    from agents.processes.base import leaving_chance

    c = defaults.customers
    r = defaults.recovery
    weights = (c.compensation_weight, c.speed_weight, c.speed_scale_days, c.apology_weight)
    tolerance = c.tolerance
    mild = -(tolerance + 0.2)  # a typical mild problem: those up to 0.5 points below the zone average about 0.2
    severe = -(tolerance + defaults.firm.failure_severity)  # a chain failure
    past_visits = 365 * c.visit_rate  # a year's custom

    def after(gap, delay=None, compensation=r.compensation, apology=1.0, complaints=1):
        value = rules.experience_value(gap, tolerance, c.loss_aversion, c.value_curvature)
        satisfaction = float(rules.update_satisfaction(0.0, value, c.satisfaction_rate))
        grievance = float(rules.grievance_after_problem(0.0, rules.shortfall(gap, tolerance), c.problem_grievance))
        if delay is not None:
            satisfaction += float(rules.recovery_value(delay, compensation, apology, complaints, weights))
            healed = rules.restoration(delay, compensation, apology, complaints, weights, c.recovery_restoration)
            grievance = float(rules.grievance_after_resolution(grievance, healed))
        return satisfaction, grievance

    def stayed_90_days(satisfaction, grievance):
        """Expected share still here after 90 days of visits inside the zone (satisfaction and grievance fade)."""
        survival = 1.0
        # the model's daily fading, over the days between two visits
        fading_between_visits = float(rules.fade(1.0, c.grievance_half_life_days)) ** (1.0 / c.visit_rate)
        for _ in range(int(90 * c.visit_rate)):
            chance = leaving_chance(c, satisfaction, c.switching_cost, past_visits, c.initial_trust, grievance, c.visit_rate)
            survival *= 1.0 - float(chance)
            satisfaction = float(rules.update_satisfaction(satisfaction, 0.0, c.satisfaction_rate))
            grievance *= fading_between_visits
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
    effects = {f"satisfaction vs never failed: {name}": value[0] - never[0] for name, value in cases.items()}
    best = cases["mild first failure, fast generous recovery"]
    effects["90-day staying vs never failed: mild first failure, fast generous recovery"] = stayed_90_days(
        *best
    ) - stayed_90_days(*never)
    return effects


F8_SHOCK = {"firm.surprise.start": 180, "firm.surprise.length": 90, "firm.surprise.regress": True}


def f8_losses_outweigh_gains(lab: Lab) -> dict[str, Effect]:
    window = slice(180, 270)
    base_sat = lab.series("cohort_satisfaction")[:, window].mean(axis=1)
    base_ret = lab.series(RETENTION)[:, 269]
    down_sat = base_sat - lab.series("cohort_satisfaction", {**F8_SHOCK, "firm.surprise.size": -1.0})[:, window].mean(axis=1)
    up_sat = lab.series("cohort_satisfaction", {**F8_SHOCK, "firm.surprise.size": 1.0})[:, window].mean(axis=1) - base_sat
    down_ret = base_ret - lab.series(RETENTION, {**F8_SHOCK, "firm.surprise.size": -1.0})[:, 269]
    up_ret = lab.series(RETENTION, {**F8_SHOCK, "firm.surprise.size": 1.0})[:, 269] - base_ret
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
    for measure in ("mean_expectation_final", "cohort_satisfaction_final", RETENTION):
        values = {noise: lab.summary(measure, {"firm.quality_noise": noise}) for noise in F9_NOISE}
        for calm, noisy in zip(F9_NOISE, F9_NOISE[1:]):
            effects[f"{measure}, noise {calm} - {noisy}"] = Effect.of(values[calm] - values[noisy])
    return effects


# ------------------------------------------- loyalty after a problem (MODEL.md §6)
UNDERSTAFFED = {"recovery.staff": 1, "recovery.on_the_spot": 0.0}  # fills the slow and unresolved groups
STINGY = {"recovery.compensation": 0.0, "recovery.apology": False}
GENEROUS = {"recovery.compensation": 1.0}
SLOW_DESK = {**F4_FIXED, "recovery.handling_days": 3.0}
SCENARIOS = {"default": {}, "one handler, nothing on the spot": UNDERSTAFFED}


def share_of(successes: int, n: int, z: float = 1.959964) -> Effect:
    """A share of counts pooled over the seeds, with its Wilson (binomial) interval."""
    from stats.intervals import wilson_interval

    low, high = wilson_interval(successes, n, z)
    return Effect(successes / n if n else math.nan, low, high, n)


def pooled_share(lab: Lab, path: str, configuration: dict | None = None) -> Effect:
    """The share staying in one landmark group of the summary (``path`` ends at the group), pooled over seeds."""
    n, stayed = lab.pooled(path, configuration)
    return share_of(stayed, n)


def pooled(lab: Lab, group: str, configuration: dict | None = None) -> Effect:
    """A group of the landmark ladder 180 days after a first problem, pooled over seeds."""
    return pooled_share(lab, f"{LADDER}.{group}", configuration)


def gap(a: Effect, b: Effect) -> Effect:
    """Difference of two independent pooled shares with a normal 95% interval."""
    half = 1.959964 * math.sqrt(a.mean * (1 - a.mean) / max(a.n, 1) + b.mean * (1 - b.mean) / max(b.n, 1))
    return Effect(a.mean - b.mean, a.mean - b.mean - half, a.mean - b.mean + half, min(a.n, b.n))


def f10_complaints_predict_churn(lab: Lab) -> dict[str, Effect]:
    """The landmark ladder 180 days after a first problem, at the default desk and an overloaded one."""
    effects = {}
    for scenario, overrides in SCENARIOS.items():
        share = {g: pooled(lab, g, overrides) for g in ("no_problem", "silent", "resolved_fast", "resolved_slow", "unresolved")}
        for group, effect in share.items():
            effects[f"{scenario}: stayed, {group} (n = {effect.n})"] = effect
        for high, low in (
            ("no_problem", "silent"),
            ("no_problem", "resolved_fast"),
            ("no_problem", "unresolved"),
            ("resolved_fast", "resolved_slow"),
            ("resolved_slow", "unresolved"),
            ("resolved_fast", "unresolved"),
        ):
            effects[f"{scenario}: {high} - {low}"] = gap(share[high], share[low])
    return effects


def f11_past_purchases_protect(lab: Lab) -> dict[str, Effect]:
    rise = "complaint_effects.churn_rise_by_past_visits"
    after = "complaint_effects.staying_after_a_complaint"
    effects = {
        "retention, heaviest - lightest fifth of visit rate": Effect.of(
            lab.summary("retention_by_visit_rate_fifth.fifth_5") - lab.summary("retention_by_visit_rate_fifth.fifth_1")
        )
    }
    for scenario, overrides in SCENARIOS.items():
        rises = {}
        for stratum in ("fewer", "more"):
            complainants = pooled_share(lab, f"{rise}.{stratum}.complainants", overrides)
            comparison = pooled_share(lab, f"{rise}.{stratum}.comparison", overrides)
            rises[stratum] = gap(comparison, complainants)
            effects[f"{scenario}: churn rise after a complaint, {stratum} past visits"] = rises[stratum]
        fewer, more = rises["fewer"], rises["more"]
        half = math.sqrt(((fewer.high - fewer.low) / 2) ** 2 + ((more.high - more.low) / 2) ** 2)
        difference = fewer.mean - more.mean
        effects[f"{scenario}: churn rise after a complaint, fewer - more past visits"] = Effect(
            difference, difference - half, difference + half, min(fewer.n, more.n)
        )
        first, recent, distant = (
            pooled_share(lab, f"{after}.{name}", overrides) for name in ("first", "recent_repeat", "distant_repeat")
        )
        effects[f"{scenario}: stayed 90 days, first complaint - repeat within 60 days"] = gap(first, recent)
        effects[f"{scenario}: stayed 90 days, repeat after 180+ days - repeat within 60 days"] = gap(distant, recent)
    return effects


def recovery_lift(lab: Lab, case: str, configuration: dict | None = None) -> Effect:
    """Mean satisfaction lift of one kind of recovery over the seeds (see ``sim.landmark.recovery_lift``)."""
    return Effect.of(lab.summary(f"complaint_effects.recovery_lift.{case}.mean", configuration))


def f12_double_deviation(lab: Lab) -> dict[str, Effect]:
    effects = {
        "satisfaction lift, mild first problem resolved on the spot": recovery_lift(lab, "mild_first_on_the_spot", GENEROUS),
        "satisfaction lift, mild second complaint resolved on the spot": recovery_lift(lab, "mild_second_on_the_spot", GENEROUS),
    }
    for scenario, overrides in SCENARIOS.items():
        effects[f"{scenario}: stayed 180 days, silent - unresolved"] = gap(
            pooled(lab, "silent", overrides), pooled(lab, "unresolved", overrides)
        )
    return effects


def f7_recovery_paradox_in_runs(lab: Lab) -> dict[str, Effect]:
    """The paradox measured on model runs from the event log."""
    return {
        "satisfaction lift, mild first problem, on the spot, generous (compensation 1)": recovery_lift(
            lab, "mild_first_on_the_spot", GENEROUS
        ),
        "satisfaction lift, mild first problem, on the spot, default compensation": recovery_lift(lab, "mild_first_on_the_spot"),
        "satisfaction lift, severe first problem, on the spot, generous": recovery_lift(lab, "severe_first_on_the_spot", GENEROUS),
        "satisfaction lift, mild second complaint, on the spot, generous": recovery_lift(lab, "mild_second_on_the_spot", GENEROUS),
        "satisfaction lift, mild first problem, resolved in 3 days": recovery_lift(lab, "mild_first_slow", SLOW_DESK),
        "satisfaction lift, mild first problem, on the spot but stingy": recovery_lift(lab, "mild_first_on_the_spot", STINGY),
        "stayed 180 days, resolved fast - no problem": gap(pooled(lab, "resolved_fast"), pooled(lab, "no_problem")),
    }


LAB_FACTS = {
    "F1 surprise-then-regress trap": f1_surprise_trap,
    "F2 the trap has a cause": f2_trap_has_a_cause,
    "F3 promise level": f3_promise_level,
    "F6 reliability compounds": f6_reliability_compounds,
    "F8 losses outweigh gains": f8_losses_outweigh_gains,
    "F9 variability costs": f9_variability_costs,
}
LOYALTY_FACTS = {
    "F4 recovery speed": f4_recovery_speed,
    "F5 complaint iceberg": f5_complaint_iceberg,
    "F7 recovery paradox (model runs)": f7_recovery_paradox_in_runs,
    "F10 complaints predict churn": f10_complaints_predict_churn,
    "F11 past purchases protect, past complaints hurt briefly": f11_past_purchases_protect,
    "F12 double deviation": f12_double_deviation,
}


def all_configurations() -> list[dict]:
    """Every configuration the facts of ``LAB_FACTS`` need, so a lab can run them in one parallel batch."""
    configs = [{}]
    for extra in [{}] + [{"customers.learning_rate": a} for a in F2_LEARNING_RATES] + [
        {"customers.loss_aversion": lam} for lam in F2_LOSS_AVERSIONS
    ]:
        configs += [dict(extra), {**SURPRISE, "firm.surprise.regress": True, **extra}]
    configs.append({**SURPRISE, "firm.surprise.regress": False})
    configs += [{"firm.promise": p} for p in F3_PROMISES]
    configs += [{"firm.step_reliability": r, "firm.chain_steps": n} for r, n in F6_CHAINS]
    configs += [{**F8_SHOCK, "firm.surprise.size": size} for size in (-1.0, 1.0)]
    configs += [{"firm.quality_noise": noise} for noise in F9_NOISE]
    return configs


def loyalty_configurations() -> list[dict]:
    """Every configuration the facts of ``LOYALTY_FACTS`` need."""
    configs = [{}, UNDERSTAFFED, STINGY, GENEROUS, SLOW_DESK]
    configs += [{**F4_FIXED, "recovery.handling_days": d} for d in F4_DELAYS]
    configs += [{**F4_QUEUE, "recovery.staff": n} for n in F4_STAFF]
    return configs


def loyalty_lab(seeds=range(8), workers: int = 2) -> Lab:
    """Loyalty after a problem needs bigger markets: 10,000 people fill the smaller landmark groups."""
    return Lab(customers=10_000, days=730, seeds=seeds, workers=workers)


def measure_all(lab: Lab, loyalty: Lab) -> dict[str, dict]:
    from sim.config import compose

    lab.prefetch(all_configurations())
    loyalty.prefetch(loyalty_configurations())
    measured = {name: fact(lab) for name, fact in LAB_FACTS.items()}
    measured.update({name: fact(loyalty) for name, fact in LOYALTY_FACTS.items()})
    measured["F7 recovery paradox (rule-level experiment)"] = f7_recovery_paradox(compose())
    return dict(sorted(measured.items(), key=lambda item: int(item[0].split()[0][1:])))


def as_markdown(measured: dict[str, dict], lab: Lab) -> str:
    lines = [
        "# Stylized facts: measured effects",
        "",
        f"{len(lab.seeds)} seeds ({lab.seeds[0]}-{lab.seeds[-1]}), {lab.customers:,} people, {lab.days} days "
        "(F4, F5, F7 on model runs and F10-F12: 10,000 people, the same seeds); "
        "mean and 95% t-interval over seeds, policies paired by seed (common random numbers). "
        "Shares of counts (F6's failed visits; F10-F12's landmark shares, 'stayed', and their differences) "
        "pool the counts of all seeds: Wilson intervals for a share, normal intervals for a difference.",
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
    loyalty = loyalty_lab(range(args.seeds), args.workers)
    text = as_markdown(measure_all(lab, loyalty), lab)
    publish(text, args.out)


if __name__ == "__main__":
    main()
