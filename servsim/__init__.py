"""servsim's Python API: one run, or a sweep as one tidy table, checked exactly as ``servsim`` checks.

    import servsim

    result = servsim.run(scenario="surprise_regress", overrides={"firm.promise": 8}, seed=3)
    result.summary["retention_never_left"]  # the numbers of summary.json
    result.timeseries["retention"]          # one row per day (pandas)
    result.events["kind"]                   # the event log of events.parquet (pandas, made on first use)
    result.customers["loss_aversion"]       # each person's traits, as customers.parquet
    result.config.firm.promise              # the validated configuration

    table = servsim.sweep({"firm.promise": [6, 7, 8]}, seeds=range(5))   # one row per run
    under = servsim.run(overrides={"firm.promise": 8}, posterior="posterior.parquet").posterior  # answers under a posterior
    fit = servsim.calibrate("configs/observed/example_firm.yaml")        # a posterior (fit.draws)
    robust = servsim.robust({"scenarios": 20})   # servsim-robust: policies across behaviours

Overrides are a mapping of dotted keys (``{"firm.promise": 8}``) or the command line's
strings (``["firm.promise=8"]``). A mistake raises ``servsim.ConfigError`` with the one
line the command line prints. This package is a face over ``sim/``, which does the work.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from experiments.aggregate import flatten
from sim.config import check_memory, compose
from sim.params import ConfigError, ServsimConfig, notes, validate
from sim.posterior import refuse_in_sweep
from sim.run import customers_table, simulate, summaries

__all__ = ["ConfigError", "Result", "ServsimConfig", "calibrate", "configure", "robust", "run", "sweep"]


@dataclass(frozen=True)
class Result:
    """One run: its configuration, its summary (as in summary.json), its daily series and, made on first
    use, its event log and customers (the tables of events.parquet and customers.parquet)."""

    config: ServsimConfig
    summary: dict
    timeseries: pd.DataFrame
    model: object = field(repr=False, compare=False)
    posterior: object = field(default=None, repr=False, compare=False)  # sim.posterior.PosteriorAnswers

    @cached_property
    def events(self) -> pd.DataFrame:
        """Every logged event, one row each, in time order (``output.events`` says which are logged)."""
        return self.model.event_table.rows().reset_index(drop=True)

    @cached_property
    def customers(self) -> pd.DataFrame:
        """One row per person: whether they started with the firm, and their fixed traits."""
        return customers_table(self.model)


def configure(
    scenario: str | None = None,
    overrides: Mapping | list[str] | None = None,
    *,
    seed: int | None = None,
    lesson: str | None = None,
    config: ServsimConfig | None = None,
) -> ServsimConfig:
    """The validated configuration ``run`` would use (a ``config`` built by hand is validated too)."""
    if config is not None:
        if scenario is not None or lesson is not None or overrides is not None or seed is not None:
            raise ValueError("give either config or scenario/lesson/overrides/seed, not both")
        return validate(config)
    if seed is not None:
        overrides = [*overrides, f"seed={seed}"] if isinstance(overrides, list) else {**(overrides or {}), "seed": seed}
    return compose(overrides, scenario=scenario, lesson=lesson)


def run(
    scenario: str | None = None,
    overrides: Mapping | list[str] | None = None,
    *,
    seed: int | None = None,
    lesson: str | None = None,
    config: ServsimConfig | None = None,
    out_dir: str | Path | None = None,
    posterior: str | Path | None = None,
) -> Result:
    """Run one configuration: ``servsim scenario=... lesson=... seed=... KEY=VALUE...`` as a function.

    Nothing is written unless ``out_dir`` is given; then the run, its reference and its
    replications (``compare``, ``replications``) are run and written exactly as the command
    line writes them, every file the same. With ``posterior`` (a calibration's
    posterior.parquet), ``Result.posterior`` holds the what-if's answers under it, as
    ``servsim posterior=FILE`` computes them (``sim.posterior``).
    """
    if posterior is not None:
        if config is not None:
            config = replace(config, posterior=str(posterior))
        elif isinstance(overrides, list):
            overrides = [*overrides, f"posterior={posterior}"]
        else:
            overrides = {**(overrides or {}), "posterior": str(posterior)}
    config = configure(scenario, overrides, seed=seed, lesson=lesson, config=config)
    from sim.compare import reference_of, run_and_write, runs_at_once

    reference = reference_of(config, lesson) if config.compare and (out_dir is not None or config.posterior) else None
    at_once = runs_at_once(config, reference) if out_dir is not None else 1
    if config.posterior:
        from sim import posterior as under_posterior

        draws = under_posterior.check(config, reference)
        at_once = max(at_once, under_posterior.runs_at_once(config))
    check_memory(config, at_once)
    for note in notes(config):
        warnings.warn(note, stacklevel=2)
    if out_dir is None:
        timeseries, summary, model = simulate(config, show_progress=config.output.progress)
        answers = under_posterior.answer(config, reference, draws) if config.posterior else None
        return Result(config, summary, timeseries, model, answers)
    outcome = run_and_write(config, reference, out_dir, lesson or scenario or "custom")
    return Result(config, outcome.summary, outcome.timeseries, outcome.model, outcome.posterior)


def sweep(
    grid: Mapping[str, Iterable],
    *,
    seeds: Iterable[int] = (0,),
    scenario: str | None = None,
    overrides: Mapping | None = None,
    lesson: str | None = None,
    n_jobs: int = -1,
) -> pd.DataFrame:
    """Every combination of ``grid``'s values x ``seeds``, run in parallel (joblib, ``n_jobs`` workers).

    Returns one row per run: the swept keys and ``seed`` as columns, then every summary
    metric in summary.json's order, nested ones dotted (``after_first_problem.180.silent.stayed``)
    as in a sweep's runs.csv. Every configuration is validated before the first run starts.
    """
    keys = list(grid)
    points = [dict(zip(keys, values)) for values in itertools.product(*(list(grid[k]) for k in keys))]
    settings = [{**point, "seed": seed} for point in points for seed in seeds]
    configs = [configure(scenario, {**(overrides or {}), **s, "output.progress": False}, lesson=lesson) for s in settings]
    for config in configs:
        refuse_in_sweep(config.posterior)
        check_memory(config)
    runs, metrics = pd.DataFrame(settings), pd.DataFrame([flatten(summary) for summary in summaries(configs, n_jobs)])
    return runs.join(metrics.drop(columns=runs.columns.intersection(metrics.columns)))


def robust(overrides: Mapping | list[str] | None = None, *, out_dir: str | Path | None = None):
    """``servsim-robust KEY=VALUE...`` as a function (configs/robust.yaml; docs/robust.md).

    Returns the experiments (one row per policy and scenario), the policy table (median and
    10th-90th percentile of each outcome, maximum regret, satisficing share) and the report's
    text; with ``out_dir``, also writes the run folder. Needs the ``robust`` extra.
    """
    from experiments.robust.app import compose_options
    from experiments.robust.app import run as run_robust

    command = "servsim-robust " + (" ".join(overrides) if isinstance(overrides, list) else
                                   " ".join(f"{k}={v}" for k, v in (overrides or {}).items()))
    return run_robust(compose_options(overrides), Path(out_dir) if out_dir is not None else None, command)


def calibrate(observed, *, out_dir: str | Path | None = None, **options):
    """``servsim-calibrate observed=...`` as a function: a posterior over the firm's customers' behaviour.

    ``observed`` is an observed-figures YAML (configs/observed/); ``options`` are those of
    configs/calibrate.yaml (method, bank, bank_size, bank_fraction, draws, check_runs, n_jobs, seed).
    Returns an ``experiments.calibrate.run.Calibration`` (draws, predictive check, contraction).
    """
    from experiments.calibrate.run import calibrate as fit

    return fit(observed, out_dir=out_dir, **options)
