"""``servsim-robust``: which policy does well whichever plausible customer behaviour is true.

    servsim-robust                                      configs/robust.yaml: 8 policies x 100 scenarios
    servsim-robust scenarios=20 settings.market.customers=2000
    servsim-robust policies=promise_and_recovery posterior=results/calibration/posterior.parquet
    servsim-robust grid.firm.promise=[6,7,8] grid.recovery.on_the_spot=[0.3,0.6]

Every input is checked before anything is written (exit 2 with one paragraph); finished
experiments are journalled, so the same command after an interrupt resumes. The run folder
gets experiments.parquet (every experiment and outcome), policies.csv, report.md and figures.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.config import CONFIG_DIR
from sim.params import ConfigError, flatten
from sim.posterior import read_posterior

warnings.filterwarnings("ignore", message="ipyparallel not installed")
JOURNAL = "experiments.jsonl"
DEFAULTS = "defaults"


@dataclass
class Plan:
    """Everything the analysis needs, checked: the Workbench model, its scenarios and policies."""

    options: dict
    candidates: object
    model: object
    scenarios: list
    policies: list
    uncertainties: list[str]
    defaults: object  # the scenario with every uncertainty at the firm's base value
    source: str


def plan(options: dict) -> Plan:
    """Check every input and build the experiment design; raises ConfigError naming what is wrong."""
    from ema_workbench import Scenario

    from experiments.robust import space
    from experiments.robust.evaluate import servsim_model

    _check_numbers(options)
    settings = flatten(options.get("settings") or {})
    base = space.base_settings(settings)
    grid = flatten(options.get("grid") or {})
    candidates = space.grid_policies(grid, base) if grid else space.load_policies(options["policies"], base)
    ranges = space.declared_ranges(options["uncertainties"], flatten(options.get("ranges") or {}))
    levers = space.workbench_levers(candidates)
    lever_names = {lever.name for lever in levers}
    fixed = {**settings, **{k: v for k, v in candidates.policies[candidates.reference].items() if k not in lever_names}}
    if options.get("posterior"):
        draws = read_posterior(options["posterior"])
        external = {k: v for k, v in ranges.items() if k not in draws.columns and k.split(".")[0] != "customers"}
        scenarios, ranges = space.posterior_scenarios(draws, options["scenarios"], options["sample_seed"], external)
        source = f"{len(draws)} posterior draws of {options['posterior']}"
    else:
        scenarios = None
        source = ("the fact region of docs/fact_region.md" if options["uncertainties"] == "fact_region"
                  else "the calibration priors declared in the schema")
    space.check_apart(candidates, list(ranges))
    uncertainties = space.workbench_uncertainties(ranges)
    if scenarios is None:
        scenarios = space.latin_hypercube(uncertainties, options["scenarios"], options["sample_seed"])
    seeds = tuple(range(options["seed"], options["seed"] + options["seeds"]))
    model = servsim_model(uncertainties, levers, fixed, seeds, options["discount_rate"])
    defaults = Scenario(DEFAULTS, **{key: float(base[key]) for key in ranges})
    return Plan(options, candidates, model, scenarios, space.workbench_policies(candidates, levers), list(ranges),
                defaults, source)


def _check_numbers(options: dict) -> None:
    """The app's own numbers: counts at least one, shares in [0, 1], a known evaluator."""
    for key, low in (("scenarios", 2), ("seeds", 1), ("seed", 0), ("workers", 1)):
        value = options[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ConfigError(f"{key} = {value!r} is not allowed: expected a whole number >= {low}")
    for key in ("failure_regret_share", "prim_density"):
        value = options[key]
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(f"{key} = {value!r} is not allowed: expected a number in [0, 1]")
    if not isinstance(options["discount_rate"], (int, float)) or not 0 <= options["discount_rate"] <= 1:
        raise ConfigError(f"discount_rate = {options['discount_rate']!r} is not allowed: expected a yearly rate in [0, 1]")
    for key, value in (options.get("satisficing") or {}).items():
        if key not in ("profit_loss", "retention_points"):
            raise ConfigError(f"satisficing.{key} is not a threshold: expected profit_loss or retention_points")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ConfigError(f"satisficing.{key} = {value!r} is not allowed: expected a number")
    if options["evaluator"] not in ("joblib", "multiprocessing", "sequential"):
        raise ConfigError(f"evaluator = {options['evaluator']!r} is not allowed: expected joblib, multiprocessing or sequential")


def evaluate(the_plan: Plan, out_dir: Path | None, scenarios: list) -> pd.DataFrame:
    """Run every policy in every scenario with the chosen evaluator; one tidy row per experiment."""
    from ema_workbench import MultiprocessingEvaluator, SequentialEvaluator, perform_experiments

    from experiments.robust.analysis import tidy
    from experiments.robust.evaluate import JoblibEvaluator, Journal

    options = the_plan.options
    if options["evaluator"] == "joblib":
        journal = Journal(out_dir / JOURNAL) if out_dir is not None else None
        evaluator = JoblibEvaluator(the_plan.model, journal, n_jobs=options["workers"])
    elif options["evaluator"] == "multiprocessing":
        evaluator = MultiprocessingEvaluator(the_plan.model, n_processes=options["workers"])
    else:
        evaluator = SequentialEvaluator(the_plan.model)
    with evaluator:
        experiments, outcomes = perform_experiments(
            the_plan.model, scenarios=scenarios, policies=the_plan.policies, evaluator=evaluator
        )
    return tidy(experiments, outcomes)


@dataclass
class RobustResult:
    """What ``servsim.robust`` returns: every experiment, the policy table, and the report's text."""

    results: pd.DataFrame
    table: pd.DataFrame
    at_defaults: pd.DataFrame
    report: str
    out_dir: Path | None


def run(options: dict, out_dir: Path | None, command: str) -> RobustResult:
    """Plan (checked), evaluate, analyse; with ``out_dir``, write the folder (report.md last)."""
    from experiments.robust.write import write_folder

    the_plan = plan(options)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    results = evaluate(the_plan, out_dir, the_plan.scenarios)
    at_defaults = evaluate(the_plan, out_dir, [the_plan.defaults])
    return write_folder(the_plan, results, at_defaults, out_dir, command)


def compose_options(overrides: list[str] | Mapping | None = None) -> dict:
    """configs/robust.yaml with overrides, as plain data: the command line's strings (Hydra's compose
    API), or a mapping of dotted keys to values (``{"scenarios": 20, "settings.market.customers": 2000}``)."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    strings = list(overrides) if isinstance(overrides, (list, tuple)) else []
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose(config_name="robust", overrides=strings)
        if isinstance(overrides, Mapping):
            known = set(cfg) - {"hydra"}
            OmegaConf.set_struct(cfg, False)
            for key, value in overrides.items():
                if key.split(".")[0] not in known:
                    raise ConfigError(f"{key} is not a setting of servsim-robust: expected one of {', '.join(sorted(known))}")
                OmegaConf.update(cfg, key, value, merge=True)
    except (HydraException, OmegaConfBaseException) as error:
        raise ConfigError(" ".join(line.strip() for line in str(error).strip().splitlines()[:2])) from None
    return _plain(cfg)


def _plain(cfg: DictConfig) -> dict:
    return {k: v for k, v in OmegaConf.to_container(cfg, resolve=True).items() if k != "hydra"}


def _hydra_app():
    import hydra
    from hydra.core.hydra_config import HydraConfig

    @hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="robust")
    def robust_job(cfg: DictConfig) -> float:
        out_dir = Path(HydraConfig.get().runtime.output_dir)
        result = run(_plain(cfg), out_dir, "servsim-robust " + " ".join(HydraConfig.get().overrides.task))
        print(result.report)
        print(f"servsim-robust: written to {out_dir}")
        return float(result.table["max_regret"].iloc[0])

    return robust_job


def main() -> None:
    """``servsim-robust``: check everything first (exit 2, nothing written), then run it as a Hydra app."""
    from hydra._internal.utils import get_args_parser

    argv = sys.argv[1:]
    overrides = get_args_parser().parse_known_args(argv)[0].overrides
    if "--help" not in argv and "-h" not in argv and "--cfg" not in argv:
        try:
            plan(compose_options([o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/"))]))
        except ConfigError as error:
            print(f"servsim-robust: invalid input: {error}", file=sys.stderr)
            sys.exit(2)
    try:
        _hydra_app()()
    except KeyboardInterrupt:
        print("servsim-robust: interrupted; finished experiments are kept in the run folder's "
              f"{JOURNAL}: the same command resumes", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
