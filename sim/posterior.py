"""Answers under the posterior (issue 19, item 3): a what-if at the behaviours a calibration left plausible.

``servsim posterior=FILE firm.promise=8`` runs the what-if against its reference (the one
``sim.compare`` picks) at ``posterior_draws`` behavioural parameter sets drawn from a
calibration's posterior.parquet x ``max(replications, 2)`` seeds, each seed paired with its
own reference. Each headline answer's spread splits by the law of total variance
(``stats.variance``) into seed noise (the dice) and what is not known about the customers
(the draws); the terminal shows both intervals, which part dominates, and that the sign is
not settled when the 80% interval over the draws holds zero.

A posterior file names the model version that made it; one of another version, or one that
is not a posterior over the customers' behaviour, is refused before any run.
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.params import ConfigError, ServsimConfig, check_setting, validate
from sim.version import model_version
from stats.variance import split_variance

VERSION_KEY = b"servsim_model_version"
# The answers reported: (summary key, label, how shown).
METRICS = (
    ("profit", "profit", "money"),
    ("retention_never_left", "starting customers who stayed throughout", "share"),
    ("market_share", "market share", "share"),
    ("complaint_share", "shortfalls that became complaints", "share"),
)
BEHAVIOURAL = "customers."
DICE, UNKNOWN = "seed noise", "what is unknown about the customers"
ANSWERS_FILE, DECOMPOSITION_FILE = "posterior_answers.csv", "posterior_decomposition.csv"


class PosteriorError(ConfigError):
    """A posterior file that is missing, not a posterior, or of another model version."""


def write_parquet(path: Path, frame: pd.DataFrame, extra: dict | None = None) -> None:
    """``frame`` with the model version (and ``extra``) in the file's key-value metadata, all or nothing."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = {VERSION_KEY: model_version().encode(), **{k.encode(): str(v).encode() for k, v in (extra or {}).items()}}
    tmp = path.with_name(path.name + ".part")
    try:
        pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata}), tmp)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_posterior(path: str | Path) -> pd.DataFrame:
    """The draws of a posterior.parquet made by this model version, each column a behavioural parameter
    (``customers.*``) with every value in its range; anything else is refused."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    shown = f"posterior = {str(path)!r}"
    try:
        version = (pq.read_schema(path).metadata or {}).get(VERSION_KEY)
    except (OSError, pa.ArrowInvalid) as error:
        reason = "no such file" if not Path(path).exists() else f"not a Parquet file ({error})"
        raise PosteriorError(f"{shown} is not allowed: {reason}; expected a posterior.parquet made by servsim-calibrate") from None
    if version is None:
        raise PosteriorError(f"{shown} names no model version: it was not made by servsim-calibrate")
    if version.decode() != model_version():
        raise PosteriorError(f"{shown} is not allowed: it was made by model version {version.decode()}, not this one "
                             f"({model_version()}); the model has changed since, so its draws no longer describe it: "
                             "calibrate again against this model")
    draws = pd.read_parquet(path)
    if draws.empty:
        raise PosteriorError(f"{shown} is not allowed: it holds no draws")
    for key in draws.columns:
        if not key.startswith(BEHAVIOURAL):
            raise PosteriorError(f"{shown} is not allowed: its column {key!r} is not a behavioural parameter "
                                 f"({BEHAVIOURAL}*); a posterior describes the customers, not the firm")
        for value in (draws[key].min(), draws[key].max()):
            try:
                check_setting(key, float(value))
            except ConfigError as error:
                raise PosteriorError(f"{shown} is not allowed: a draw has {error}") from None
    return draws


def seeds_of(config: ServsimConfig) -> list[int]:
    """The seeds each draw runs: at least two, so that the seed noise can be measured."""
    return [config.seed + k for k in range(max(config.replications, 2))]


def runs_at_once(config: ServsimConfig) -> int:
    """Runs held in memory at once: the run itself and one per worker."""
    return 1 + min(2 * config.posterior_draws * len(seeds_of(config)), os.cpu_count() or 1)


def check(config: ServsimConfig, reference) -> pd.DataFrame:
    """Refuse, before any run, a posterior run with nothing to compare; return the posterior's draws."""
    draws = read_posterior(config.posterior)
    if not config.compare:
        raise ConfigError(f"posterior = {config.posterior!r} needs a reference: compare = false leaves the what-if "
                          "nothing to be compared with; give compare=true")
    if reference is None:
        raise ConfigError(f"posterior = {config.posterior!r} needs a what-if: this run has the baseline's settings, "
                          "so there is no answer to give; change a setting (e.g. firm.promise=8)")
    return draws


def refuse_in_sweep(path: str) -> None:
    """A sweep's runs each stand alone: a posterior belongs to one what-if, or to the robust analysis."""
    if path:
        raise ConfigError(
            f"posterior = {path!r} is not allowed in a sweep: each run of a sweep stands alone; to compare "
            "policies across the posterior's behaviours use servsim-robust posterior=FILE (docs/robust.md), or "
            "run one what-if at a time with servsim posterior=FILE"
        )


@dataclass
class PosteriorAnswers:
    """The what-if at each draw and seed (one row each) and, per answer, its split and intervals."""

    path: str
    available: int  # draws in the posterior file
    seeds: list[int]
    answers: pd.DataFrame
    decomposition: pd.DataFrame

    @property
    def draws(self) -> int:
        return int(self.answers["draw"].nunique())


def _at(config: ServsimConfig, theta: dict, seed: int) -> ServsimConfig:
    """``config`` with the customers of one draw and one seed, quiet, itself no posterior run."""
    twin = copy.deepcopy(config)
    for key, value in theta.items():
        setattr(twin.customers, key.removeprefix(BEHAVIOURAL), float(value))
    twin.seed, twin.posterior = seed, ""
    twin.output.progress = False
    return validate(twin)


def answer(config: ServsimConfig, reference, draws: pd.DataFrame) -> PosteriorAnswers:
    """Run the what-if and its reference at ``config.posterior_draws`` draws (picked with the run's seed,
    with replacement only when the file holds fewer) x the seeds, in parallel; split each answer's variance."""
    from sim.compare import headline
    from sim.run import summaries as summaries_of

    rng = np.random.default_rng(config.seed)
    rows = rng.choice(len(draws), size=config.posterior_draws, replace=config.posterior_draws > len(draws))
    seeds = seeds_of(config)
    cells = [(b, int(row), seed) for b, row in enumerate(rows) for seed in seeds]
    runs = [_at(arm, draws.iloc[row].to_dict(), seed) for _, row, seed in cells for arm in (config, reference.config)]
    summaries = summaries_of(runs)
    table = []
    for k, (b, row, seed) in enumerate(cells):
        ours, theirs = headline(summaries[2 * k]), headline(summaries[2 * k + 1])
        record = {"draw": b, "posterior_row": row, "seed": seed, **draws.iloc[row].to_dict()}
        for key, _, _ in METRICS:
            record.update({key: ours[key], f"{key}.reference": theirs[key], f"{key}.difference": ours[key] - theirs[key]})
        table.append(record)
    answers = pd.DataFrame(table)
    return PosteriorAnswers(str(config.posterior), len(draws), seeds, answers, decompose(answers))


def decompose(answers: pd.DataFrame) -> pd.DataFrame:
    """Per answer: its mean difference, seed-noise and behavioural variances, both intervals, which part
    dominates, and whether its sign is settled (the 80% interval over the draws leaves out zero).

    An answer undefined in some run (no shortfall at all, so no complaint share) gets no split.
    """
    out = []
    for key, _, _ in METRICS:
        grid = answers.pivot(index="draw", columns="seed", values=f"{key}.difference")
        row = {"metric": key, "draws": grid.shape[0], "seeds": grid.shape[1]}
        if not np.isfinite(grid.to_numpy()).all():
            out.append(row)
            continue
        split = split_variance(grid.to_numpy())
        out.append({**row, "mean": split.mean, "seed_var": split.seed_var, "behaviour_var": split.behaviour_var,
                    "total_var": split.total_var, "seed_low": split.seed_low, "seed_high": split.seed_high,
                    "behaviour_low80": split.behaviour_low, "behaviour_high80": split.behaviour_high,
                    "dominant": UNKNOWN if split.behaviour_var > split.seed_var else DICE,
                    "sign_settled": not split.behaviour_low <= 0 <= split.behaviour_high})
    return pd.DataFrame(out)


def write(out_dir, result: PosteriorAnswers) -> None:
    """posterior_answers.csv (one row per draw and seed) and posterior_decomposition.csv (one per answer)."""
    from sim.run import _write_atomically

    out_dir = Path(out_dir)
    _write_atomically(out_dir / ANSWERS_FILE, lambda p: result.answers.to_csv(p, index=False, float_format="%.6g"))
    _write_atomically(out_dir / DECOMPOSITION_FILE, lambda p: result.decomposition.to_csv(p, index=False, float_format="%.6g"))


def _number(x: float, kind: str) -> str:
    return f"{100 * x:+.1f}" if kind == "share" else f"{x:+,.0f}"


def lines(result: PosteriorAnswers, words, currency: str = "money units") -> list[str]:
    """The terminal's block: each answer with both intervals, which part dominates, and an unsettled sign."""
    seeds = result.seeds
    units = "pp" if words.terse else "percentage points"
    text = [f"  Under the posterior {result.path} ({result.available:,} draws): {result.draws} behavioural draws x "
            f"{len(seeds)} seeds ({seeds[0]}-{seeds[-1]}), each seed compared with its own reference:",
            f"    (differences of shares in {units}, profit in {currency}; the dice: mean +- 1.96 sd of the seed noise; "
            "the customers: the middle 80% of the draws' means)"]
    for (key, label, kind), row in zip(METRICS, result.decomposition.to_dict("records")):
        if math.isnan(row.get("mean", math.nan)):
            text.append(f"    {label}: not defined in every run, no split")
            continue
        dice = words.interval(_number(row["seed_low"], kind), _number(row["seed_high"], kind))
        unknown = _number(row["behaviour_low80"], kind), _number(row["behaviour_high80"], kind)
        if words.terse:
            text.append(f"    {label}: {_number(row['mean'], kind)}; dice {dice}; customers (80%) [{unknown[0]}, {unknown[1]}]")
        else:
            text.append(f"    {label}: {_number(row['mean'], kind)} on average; {dice} from the dice; "
                        f"between {unknown[0]} and {unknown[1]} over what is unknown about the customers (80%)")
        sds = (f"sd {_number(math.sqrt(row['behaviour_var']), kind)[1:]} over the customers, "
               f"{_number(math.sqrt(row['seed_var']), kind)[1:]} from the dice")
        text.append(f"      {row['dominant']} dominates ({sds})" + ("" if row["sign_settled"] else "; the sign is not settled"))
    return text
