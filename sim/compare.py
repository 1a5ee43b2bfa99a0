"""A run against its reference: the same seed and the same dice with the what-if undone (issue 12).

What the reference is, in order (the first rule that applies):

1. a run with a surprise (``firm.surprise.length > 0``): the same configuration never
   surprised (length 0), "never surprised";
2. a lesson (``lesson=NAME``): the lesson's counterfactual (``sim.classroom.lessons``),
   the grey line of the dashboard and the slides;
3. otherwise: the same configuration with the *baseline scenario's* value for every key
   the run's scenario and overrides changed, "baseline settings". The run's context
   is kept: its seed, horizon, market size, engine and output switches (``CONTEXT``),
   so ``servsim firm.guarantee=true market.customers=50000`` is compared with the same
   50,000-person market without the guarantee. A desk sized per customer
   (``recovery.staff_per_10k``) is compared with the baseline's desk density (its staff
   per 10,000 people of its market: 2), so the reference's desk grows with the market
   too. A run with the baseline's settings has no reference.

The model draws its dice per person, day and decision from the seed (common random
numbers, MODEL.md §2), so the reference meets the same customers with the same dice
until the two paths diverge: the difference is the what-if's effect on this seed, not
noise between seeds. ``replications=N`` repeats the pair for seeds seed, seed+1, ...
and reports the paired differences' means with t-based 95% intervals.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass

import pandas as pd

from sim.narrative import Words
from sim.params import ServsimConfig, flatten, validate
from stats.intervals import MIN_REPLICATIONS, mean_ci, paired_difference, share_interval

# The headline numbers a run is compared on: (summary key, dotted; label; how it is shown).
HEADLINE = (
    ("retention_never_left", "starting customers who stayed throughout", "share"),
    ("retention_at_horizon", "starting customers there on the last day", "share"),
    ("market_share", "market share", "share"),
    ("complaint_share", "shortfalls that became complaints", "share"),
    ("after_first_problem.180.silent.stayed", "stayed 180 d after a problem: silent", "share"),
    ("after_first_problem.180.resolved_fast.stayed", "  ... complaint resolved fast", "share"),
    ("after_first_problem.180.unresolved.stayed", "  ... complaint unresolved", "share"),
    ("profit", "profit", "money"),
)
# Keys that set the run's context, not its what-if: the reference keeps the run's values.
CONTEXT = ("seed", "days", "market.customers", "engine", "compare", "replications", "description", "output.", "posterior",
           "posterior_draws")


@dataclass(frozen=True)
class Reference:
    """The reference run of a configuration: its config, its name and the keys it undoes."""

    config: ServsimConfig
    label: str  # the grey line's name, e.g. "never surprised"
    changes: dict  # dotted key -> (the run's value, the reference's value)


def _nested(settings: dict) -> dict:
    tree: dict = {}
    for key, value in settings.items():
        *path, last = key.split(".")
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return tree


def _is_context(key: str) -> bool:
    return any(key == c or (c.endswith(".") and key.startswith(c)) for c in CONTEXT)


def baseline_settings() -> dict:
    """The baseline scenario's parameter tree: the schema's defaults with ``configs/scenario/baseline.yaml``.

    Read directly, not through Hydra's compose, which cannot run inside the ``servsim`` app.
    """
    from omegaconf import OmegaConf

    from sim.config import CONFIG_DIR

    preset = OmegaConf.load(CONFIG_DIR / "scenario" / "baseline.yaml")
    return OmegaConf.to_container(OmegaConf.merge(OmegaConf.structured(ServsimConfig), preset))


def reference_of(config: ServsimConfig, lesson: str | None = None) -> Reference | None:
    """The reference of ``config`` (see the module's rules), or None when the run is the baseline itself."""
    settings = flatten(asdict(config))
    if config.firm.surprise.length > 0:
        wanted = {"firm.surprise.length": 0}
        label = "never surprised"
    elif lesson is not None:
        from sim.classroom.lessons import LESSONS, reference_settings

        wanted = flatten(reference_settings(LESSONS[lesson], _nested(settings)))
        label = LESSONS[lesson].reference_label
    else:
        baseline = flatten(baseline_settings())
        if settings["recovery.staff_per_10k"] > 0:  # a desk sized per customer: the baseline's density, in staff
            baseline["recovery.staff_per_10k"] = baseline["recovery.staff"] * 10_000 / baseline["market.customers"]
            baseline["recovery.staff"] = settings["recovery.staff"]  # set from the density by validate
        wanted = {key: baseline[key] for key in settings if not _is_context(key) and settings[key] != baseline[key]}
        label = "baseline settings"
    changes = {key: (settings[key], value) for key, value in wanted.items() if settings[key] != value}
    if not changes:
        return None
    reference = validate(_nested({**settings, **{key: value for key, (_, value) in changes.items()}}))
    return Reference(reference, label, changes)


def with_seed(config: ServsimConfig, seed: int) -> ServsimConfig:
    twin = copy.deepcopy(config)
    twin.seed = seed
    return twin


def headline(summary: dict) -> dict:
    """The headline numbers of a summary; NaN where undefined or, for a landmark group, "too few to tell"
    (fewer than ``sim.landmark.MIN_GROUP`` people, as the terminal's ladder says)."""
    from sim.landmark import MIN_GROUP

    values = {}
    for key, _, _ in HEADLINE:
        node, parent = summary, None
        for part in key.split("."):
            parent, node = node, node.get(part) if isinstance(node, dict) else None
        too_few = key.startswith("after_first_problem.") and (parent or {}).get("n", 0) < MIN_GROUP
        values[key] = math.nan if node is None or too_few else float(node)
    return values


def paired_table(pairs: list[tuple[int, dict, dict | None]]) -> pd.DataFrame:
    """replications.csv: one row per seed and headline metric: value, reference and their difference."""
    rows = []
    for seed, summary, reference in pairs:
        ours, theirs = headline(summary), headline(reference) if reference is not None else {}
        for key, _, _ in HEADLINE:
            other = theirs.get(key, math.nan)
            rows.append({"seed": seed, "metric": key, "value": ours[key], "reference": other, "difference": ours[key] - other})
    return pd.DataFrame(rows)


def comparison(replications: pd.DataFrame) -> pd.DataFrame:
    """comparison.csv: per metric the mean value (with its 95% CI over the seeds), the mean reference, and the
    paired difference with its t-based 95% CI (``ci_low``, ``ci_high``).

    The value's interval is ``stats.intervals``': t, or for a share whose t interval would
    leave [0, 1] the t interval of its logits. With one replication there is no interval
    (NaN): one seed gives no estimate of the noise.
    """
    rows = []
    for key, _, kind in HEADLINE:
        metric = replications[replications["metric"] == key]
        _, difference, half = paired_difference(metric["value"], metric["reference"])
        n = int(metric["value"].notna().sum())
        if kind == "share":
            _, value, value_low, value_high, _ = share_interval(metric["value"])
        else:
            _, value, value_half = mean_ci(metric["value"])
            value_low, value_high = value - value_half, value + value_half
        rows.append({"metric": key, "n": n, "value": value, "value_ci_low": value_low, "value_ci_high": value_high,
                     "reference": metric["reference"].mean(), "difference": difference,
                     "ci_low": difference - half, "ci_high": difference + half})
    return pd.DataFrame(rows)


def _rounded(x: float, kind: str) -> float:
    """A value as printed: a share to a tenth of a percent, money to the unit (differences use these)."""
    return round(x, 3) if kind == "share" else float(round(x))


def _value(x: float, kind: str, words) -> str:
    if math.isnan(x):
        return "too few" if kind == "share" else "n/a"
    return words.share(_rounded(x, kind), 1) if kind == "share" else f"{_rounded(x, kind):,.0f}"


def _difference(x: float, kind: str, words) -> str:
    if math.isnan(x):
        return "n/a"
    return words.points(x) if kind == "share" else f"{x:+,.0f}"


def describe_changes(reference: Reference) -> str:
    shown = ", ".join(f"{key} = {_setting(theirs)}" for key, (_, theirs) in reference.changes.items())
    return f"{reference.label} ({shown})"


def _setting(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def comparison_lines(table: pd.DataFrame, reference: Reference | None, seeds: list[int], words: Words = Words(),
                     currency: str = "money units") -> list[str]:
    """The terminal's comparison: each headline number as value, reference and difference (with intervals over seeds).

    A printed difference is the difference of the printed value and reference, so the columns agree.
    """
    n = len(seeds)
    seed_text = f"seed {seeds[0]}" if n == 1 else f"{n} replications, seeds {seeds[0]}-{seeds[-1]}"
    units = [] if words.terse else [f"    (shares in 100, differences of shares in percentage points, profit in {currency})"]
    words = words if words.terse else Words(bare=True)  # plain words say the units once, above
    if reference is None:
        if n == 1:
            return []
        return [f"  Over {n} replications (seeds {seeds[0]}-{seeds[-1]}): means, each with its likely range; "
                "no reference (the baseline's settings, or compare=false).", *units] + _value_lines(table, n, words)
    same = "paired by seed" if words.terse else "each seed compared with its own reference"
    lines = [f"  Against its reference, the same customers and the same chance events ({seed_text}"
             f"{'' if n == 1 else ', ' + same}): {describe_changes(reference)}", *units]
    header = "difference" if n == 1 else "difference (likely range)" if not words.terse else "difference [95% CI]"
    width = 13
    lines.append(f"    {'':<42}{'this run':>{width}}{'reference':>{width}}  {header}")
    for (key, label, kind), row in zip(HEADLINE, table.itertuples(index=False)):
        shown = _rounded(row.value, kind) - _rounded(row.reference, kind) if not math.isnan(row.value) else row.difference
        difference = _difference(shown, kind, words)
        if n > 1 and not math.isnan(row.ci_low):
            difference += " " + _bracket(words, row.ci_low, row.ci_high, kind, points=True)
        lines.append(f"    {label:<42}{_value(row.value, kind, words):>{width}}{_value(row.reference, kind, words):>{width}}"
                     f"  {difference}")
    if n > 1:
        lines.append("    (this run and reference: means over the replications)")
    lines += _few_replications(n)
    return lines


def _bracket(words, low: float, high: float, kind: str, points: bool = False) -> str:
    """The interval of a value (or, with ``points``, of a difference), in brackets when said in words."""
    if kind == "share":
        shown = words.points_interval(low, high) if points else words.share_interval(low, high, 1)
    else:
        sign = "+" if points else ""
        shown = words.interval(f"{low:{sign},.0f}", f"{high:{sign},.0f}")
    return shown if words.terse else f"({shown})"


def _value_lines(table: pd.DataFrame, n: int, words) -> list[str]:
    lines = []
    for (key, label, kind), row in zip(HEADLINE, table.itertuples(index=False)):
        interval = "" if math.isnan(row.value_ci_low) else " " + _bracket(words, row.value_ci_low, row.value_ci_high, kind)
        lines.append(f"    {label:<42}{_value(row.value, kind, words):>13}{interval}")
    return lines + _few_replications(n)


def _few_replications(n: int) -> list[str]:
    if 1 < n < MIN_REPLICATIONS:
        return [f"  warning: with {n} replications the likely ranges are unreliable (fewer than {MIN_REPLICATIONS}); "
                "use replications=5 or more"]
    return []


@dataclass
class Pair:
    """One seed's run and its reference run: (daily series, summary) each; the reference may be absent."""

    seed: int
    run: tuple[pd.DataFrame, dict]
    reference: tuple[pd.DataFrame, dict] | None


def _simulate(config: ServsimConfig) -> tuple[pd.DataFrame, dict]:
    from sim.run import simulate

    config = copy.deepcopy(config)
    config.output.progress = False
    return simulate(config)[:2]


def _tasks(config: ServsimConfig, reference: Reference | None) -> int:
    """Runs besides the run itself: the other seeds, and every seed's reference."""
    return config.replications - 1 + (config.replications if reference is not None else 0)


def runs_at_once(config: ServsimConfig, reference: Reference | None) -> int:
    """Runs held in memory at once by ``run_pairs``: the run itself, and its reference or the workers' runs."""
    import os

    tasks = _tasks(config, reference)
    return 1 + (min(tasks, os.cpu_count() or 1) if tasks > 1 else tasks)


def run_pairs(config: ServsimConfig, reference: Reference | None, first: tuple[pd.DataFrame, dict]) -> list[Pair]:
    """Every replication's run and reference, ``first`` being the run of ``config`` itself (already made).

    The other runs go to joblib's workers in parallel when there is more than one; a
    single reference runs in this process (starting workers would cost more than it).
    """
    from joblib import Parallel, delayed

    seeds = [config.seed + k for k in range(config.replications)]
    tasks = [(seed, "run", with_seed(config, seed)) for seed in seeds[1:]]
    if reference is not None:
        tasks += [(seed, "reference", with_seed(reference.config, seed)) for seed in seeds]
    results = Parallel(n_jobs=1 if len(tasks) <= 1 else -1)(delayed(_simulate)(task) for _, _, task in tasks)
    made = {(seed, kind): result for (seed, kind, _), result in zip(tasks, results)}
    made[(seeds[0], "run")] = first
    return [Pair(seed, made[(seed, "run")], made.get((seed, "reference"))) for seed in seeds]


def write_comparison(out_dir, config: ServsimConfig, reference: Reference | None, pairs: list[Pair]) -> pd.DataFrame:
    """reference/ (the run's reference), replications/<seed>/ (the other seeds, each with its reference/),
    replications.csv (every seed's headline numbers) and comparison.csv (means and paired CIs); returns the latter.

    The run's own files (summary.json last) are written by ``sim.run.write_outputs`` after these.
    """
    from pathlib import Path

    from sim.run import _write_atomically, write_outputs

    out_dir = Path(out_dir)
    quiet = copy.deepcopy(config)
    quiet.output.figures = False
    for pair in pairs:
        folder = out_dir if pair.seed == config.seed else out_dir / "replications" / str(pair.seed)
        if pair.seed != config.seed:
            write_outputs(folder, with_seed(quiet, pair.seed), *pair.run, "")
        if pair.reference is not None:
            twin = with_seed(reference.config, pair.seed)
            twin.output.figures = False
            write_outputs(folder / "reference", twin, *pair.reference, "")
    table = paired_table([(p.seed, p.run[1], p.reference[1] if p.reference else None) for p in pairs])
    means = comparison(table)
    if len(pairs) > 1:
        _write_atomically(out_dir / "replications.csv", lambda p: table.to_csv(p, index=False, float_format="%.6g"))
    _write_atomically(out_dir / "comparison.csv", lambda p: means.to_csv(p, index=False, float_format="%.6g"))
    return means


@dataclass
class Outcome:
    """One run as the command line makes it: its series, summary and model, and, with a reference or
    replications, every seed's pair and the comparison table (means and paired intervals)."""

    timeseries: pd.DataFrame
    summary: dict
    model: object
    pairs: list[Pair] | None = None
    means: pd.DataFrame | None = None
    posterior: object = None  # sim.posterior.PosteriorAnswers, with ``posterior=FILE``


def run_and_write(config: ServsimConfig, reference: Reference | None, out_dir, scenario: str) -> Outcome:
    """Run ``config``, its reference and replications (and, with ``posterior``, the answers under it), and write
    every file of the run folder (summary.json last).

    The one path of ``servsim`` and ``servsim.run(out_dir=...)``, so both write the same files.
    """
    from pathlib import Path

    from sim.run import simulate, write_outputs

    timeseries, summary, model = simulate(config, show_progress=config.output.progress)
    outcome = Outcome(timeseries, summary, model)
    if reference is not None or config.replications > 1:
        outcome.pairs = run_pairs(config, reference, (timeseries, summary))
        outcome.means = write_comparison(out_dir, config, reference, outcome.pairs)
    if config.posterior:
        from sim import posterior

        outcome.posterior = posterior.answer(config, reference, posterior.check(config, reference))
        posterior.write(out_dir, outcome.posterior)
    first_reference = outcome.pairs[0].reference if outcome.pairs else None
    write_outputs(Path(out_dir), config, timeseries, summary, scenario, model,
                  reference=first_reference[0] if first_reference else None,
                  reference_label=reference.label if reference else "reference")
    return outcome
