"""Gather a sweep's finished runs into one tidy table and summarise replications.

A sweep directory holds one sub-directory per run (Hydra's ``hydra.sweep.subdir``)
with ``config.yaml`` and ``summary.json``; a run without ``summary.json`` did not
finish and is left out. The swept parameters are found from the configs themselves
(the keys whose values differ between runs), so any sweep can be aggregated, not
only the ones in ``configs/experiment/``. Each parameter column has its schema's type
(a promise is a float in every table, whether the sweep wrote 7 or 7.0).

The intervals are ``stats.intervals``': t for means, logit t for a share (a metric in
[0, 1], ``is_share``) whose t interval would cross a bound, Wilson for the landmark
counts pooled over replications. A setting with fewer than ``MIN_REPLICATIONS``
replications gets no interval ("too few"), never a zero-width one.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim.params import flatten
from sim.run import SUMMARY_FILE
from stats.intervals import MIN_REPLICATIONS, mean_ci, pooled_share, share_interval

# Complainants kept, measured without survivorship bias (MODEL.md §6): the share of
# first problems that became a complaint still with the firm 180 days later.
COMPLAINANTS_KEPT = "after_first_problem.180.complained.stayed"
# Config keys that vary between runs without being an experimental factor.
NOT_FACTORS = ("seed", "description")
# Summary metrics that are shares (or means of numbers) in [0, 1], by name.
SHARE_METRIC = re.compile(
    r"(^|\.)(retention_never_left|retention_at_horizon|market_share|first_time_right|complaint_share|complaint_ratio"
    r"|dissatisfied_customers_who_complained|share_resolved_fast|mean_trust_final|stayed|never_left|ci_low|ci_high)$"
    r"|^(outcome_shares|retention_by_visit_rate_fifth)\."
)


@dataclass
class Sweep:
    """The finished runs of one sweep: ``runs`` has one row per run."""

    directory: Path
    experiment: str
    runs: pd.DataFrame
    parameters: list[str]  # swept config keys (dotted), seed excluded
    metrics: list[str]  # summary keys (dotted), in summary order

    def table(self) -> pd.DataFrame:
        """runs.csv: job, seed, scenario and days (unless swept), the swept parameters, then every summary metric."""
        context = [key for key in ("scenario", "days") if key in self.runs and key not in self.parameters]
        return self.runs[["job", "seed", *context, *self.parameters, *self.metrics]]

    def full_table(self) -> pd.DataFrame:
        """runs.parquet: job, seed, scenario, every resolved parameter, then every summary metric."""
        settings = [key for key in self.runs.columns if key not in ("job", "run_dir", "seed", "scenario", *self.metrics)]
        return self.runs[["job", "seed", "scenario", *settings, *self.metrics]]


def experiment_name(sweep_dir: Path) -> str:
    """The ``experiment=`` choice recorded in Hydra's multirun.yaml ('' for an ad hoc sweep)."""
    return _sweep_choice(sweep_dir, "experiment") or ""


def _sweep_choice(sweep_dir: Path, group: str) -> str | None:
    multirun = Path(sweep_dir) / "multirun.yaml"
    if not multirun.exists():
        return None
    return OmegaConf.load(multirun).hydra.runtime.choices.get(group)


def sweep_command(sweep_dir: Path) -> str | None:
    """The command line that launched the sweep, from Hydra's multirun.yaml (None if it is not there)."""
    multirun = Path(sweep_dir) / "multirun.yaml"
    if not multirun.exists():
        return None
    overrides = OmegaConf.load(multirun).hydra.overrides.task
    return " ".join(["servsim -m", *overrides])


def _scenario(run_dir: Path, default: str) -> str:
    """The ``scenario=`` choice of one job (a lesson names the run it sets up), from Hydra's record of it."""
    import yaml

    record = run_dir / ".hydra" / "hydra.yaml"
    if not record.exists():
        return default
    choices = (yaml.load(record.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["hydra"]["runtime"]["choices"])
    return choices.get("lesson") or choices.get("scenario") or default


def _schema_types(config: dict) -> dict:
    """Each parameter's value with its schema's type: 7 for a float parameter becomes 7.0."""
    from sim.params import describe_parameters

    kinds = {key: type(default) for key, default, _, _ in describe_parameters()}
    return {key: float(value) if kinds.get(key) is float and isinstance(value, int) and not isinstance(value, bool)
            else value for key, value in config.items()}


def _job_number(run_dir: Path):
    return int(run_dir.name) if run_dir.name.isdigit() else run_dir.name


def unfinished_jobs(sweep_dir: Path | str) -> list[str]:
    """The job folders of a sweep that hold no summary.json (interrupted or still running), in job order."""
    jobs = [run.name for run in Path(sweep_dir).iterdir() if run.name.isdigit() and not (run / SUMMARY_FILE).exists()]
    return sorted(jobs, key=int)


def load_sweep(sweep_dir: Path | str) -> Sweep:
    """Read every finished run (config.yaml + summary.json) below ``sweep_dir``."""
    sweep_dir = Path(sweep_dir)
    rows, config_keys, metric_keys = [], {}, {}
    default_scenario = _sweep_choice(sweep_dir, "scenario") or "custom"
    for summary_path in sweep_dir.glob(f"*/{SUMMARY_FILE}"):
        run_dir = summary_path.parent
        config = _schema_types(flatten(OmegaConf.to_container(OmegaConf.load(run_dir / "config.yaml"))))
        summary = {k: v for k, v in flatten(json.loads(summary_path.read_text())).items() if k not in config}
        config_keys.update(dict.fromkeys(config))
        metric_keys.update(dict.fromkeys(summary))
        rows.append({"job": _job_number(run_dir), "run_dir": str(run_dir),
                     "scenario": _scenario(run_dir, default_scenario), **config, **summary})
    if not rows:
        raise FileNotFoundError(f"{sweep_dir} holds no finished run (no */{SUMMARY_FILE})")
    runs = pd.DataFrame(rows).sort_values("job", key=lambda jobs: jobs.map(str).str.zfill(12)).reset_index(drop=True)
    metrics = [key for key in metric_keys if pd.api.types.is_numeric_dtype(runs[key]) or runs[key].isna().all()]
    return Sweep(sweep_dir, experiment_name(sweep_dir), runs, _factors(runs, config_keys), metrics)


def _factors(runs: pd.DataFrame, config_keys) -> list[str]:
    """The swept parameters: the scenario and every config key whose value differs between runs (seed excluded)."""
    return [key for key in ("scenario", *config_keys)
            if key not in NOT_FACTORS and runs[key].astype(str).nunique(dropna=False) > 1]


def load_table(folder: Path | str, experiment: str) -> Sweep:
    """A sweep from its runs.parquet alone, as results/reference/<name>/ keeps it (without the run folders).

    Its settings are the schema's keys; every other column but job, seed and scenario is a metric.
    """
    from dataclasses import asdict

    from sim.params import ServsimConfig

    folder = Path(folder)
    runs = pd.read_parquet(folder / "runs.parquet")
    settings = set(flatten(asdict(ServsimConfig())))
    metrics = [key for key in runs.columns if key not in settings and key not in ("job", "seed", "scenario")
               and (pd.api.types.is_numeric_dtype(runs[key]) or runs[key].isna().all())]
    return Sweep(folder, experiment, runs, _factors(runs, [key for key in runs.columns if key in settings]), metrics)


def is_share(metric: str, values) -> bool:
    """A metric bounded by [0, 1]: named as a share (``SHARE_METRIC``) and every value inside the bounds."""
    values = pd.Series(values, dtype=float).dropna()
    return bool(SHARE_METRIC.search(metric)) and bool(values.between(0.0, 1.0).all())


def summarise_replications(runs: pd.DataFrame, by: list[str], metrics: list[str]) -> pd.DataFrame:
    """Long table: one row per (setting of ``by``, metric) with n, mean and the 95% CI and how it was made.

    ``interval`` says how: "t"; "logit t" for a share whose t interval would leave [0, 1];
    "too few" (no bounds) for a setting with fewer than ``MIN_REPLICATIONS`` values.
    """
    rows = []
    grouped = runs.groupby(by, sort=True, dropna=False) if by else [((), runs)]
    shares = {metric for metric in metrics if is_share(metric, runs[metric])}
    for key, group in grouped:
        key = key if isinstance(key, tuple) else (key,)
        for metric in metrics:
            if metric in shares:
                n, mean, low, high, how = share_interval(group[metric], MIN_REPLICATIONS)
            else:
                n, mean, half = mean_ci(group[metric], MIN_REPLICATIONS)
                low, high = mean - half, mean + half
                how = "none" if n == 0 else "too few" if math.isnan(half) else "t"
            rows.append({**dict(zip(by, key)), "metric": metric, "n": n, "mean": mean, "ci_low": low, "ci_high": high,
                         "interval": how})
    return pd.DataFrame(rows)


def landmark_ladder(runs: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The loyalty-after-a-problem ladder of MODEL.md §6 per setting, pooled over replications.

    Each run reports, per window and group, how many landmarks it followed and the
    share that stayed; pooling sums them (landmarks of different seeds are
    independent), and the 95% interval is Wilson's, which stays inside [0, 1].
    """
    from sim.landmark import COMPLAINED, GROUPS, WINDOWS

    rows = []
    grouped = runs.groupby(by, sort=True, dropna=False) if by else [((), runs)]
    for key, group in grouped:
        key = key if isinstance(key, tuple) else (key,)
        for window in WINDOWS:
            for name in (*GROUPS, COMPLAINED):
                prefix = f"after_first_problem.{window}.{name}"
                if f"{prefix}.n" not in group:
                    continue
                n, stayed, low, high = pooled_share(group[f"{prefix}.n"], group[f"{prefix}.stayed"])
                rows.append({**dict(zip(by, key)), "window": window, "group": name, "n": n,
                             "stayed": stayed / n if n else np.nan, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def wide(means: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per setting, columns ``<metric>``, ``<metric>_low``, ``<metric>_high``: for plotting."""
    table = means.set_index([*by, "metric"])[["mean", "ci_low", "ci_high"]].unstack("metric")
    out = pd.DataFrame(index=table.index)
    for metric in means["metric"].unique():
        out[metric] = table[("mean", metric)]
        out[f"{metric}_low"] = table[("ci_low", metric)]
        out[f"{metric}_high"] = table[("ci_high", metric)]
    return out.reset_index()


def daily(sweep: Sweep, column: str) -> pd.DataFrame:
    """One daily column of every run's timeseries.csv: rows are days, columns are jobs."""
    series = {
        job: pd.read_csv(Path(run_dir) / "timeseries.csv", usecols=["day", column]).set_index("day")[column]
        for job, run_dir in zip(sweep.runs["job"], sweep.runs["run_dir"])
    }
    return pd.DataFrame(series)
