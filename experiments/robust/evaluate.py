"""servsim as an EMA Workbench model, and an evaluator that runs its experiments on joblib workers.

One experiment is one policy in one scenario, run over the same seeds as every other
policy in that scenario (common random numbers: the paired differences measure the
policy, not the dice). Finished experiments go to a journal, one line each, as they
come back, so a run interrupted and launched again recomputes only what was missing.
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import partial
from pathlib import Path

import numpy as np
from ema_workbench import Model, ScalarOutcome
from ema_workbench.em_framework.evaluators import BaseEvaluator
from ema_workbench.em_framework.experiment_runner import ExperimentRunner
from ema_workbench.em_framework.points import experiment_generator
from ema_workbench.em_framework.util import NamedObjectMap

from sim.landmark import MIN_GROUP
from sim.version import model_version

# What each experiment reports, with its meaning (the report's table reads these).
OUTCOMES = {
    "profit": "profit over the horizon, money units",
    "discounted_profit": "profit discounted to day 0 at the firm's yearly rate, money units",
    "retention": "starting customers who never left by the horizon (two years at the default), share",
    "market_share": "share of the market with the firm at the horizon",
    "complaints": "complaints over the horizon",
    "landmark_gap": "staying 180 days after a first problem: resolved fast minus unresolved, share points",
}
WINDOW = "180"


def landmark_gap(summary: dict) -> float:
    """Resolved fast minus unresolved, staying 180 days after a first problem; NaN when a group is too small."""
    ladder = summary["after_first_problem"][WINDOW]
    fast, unresolved = ladder["resolved_fast"], ladder["unresolved"]
    if min(fast["n"], unresolved["n"]) < MIN_GROUP or fast["stayed"] is None or unresolved["stayed"] is None:
        return math.nan
    return fast["stayed"] - unresolved["stayed"]


def run_outcomes(settings: dict, discount_rate: float) -> dict[str, float]:
    """One servsim run of ``settings`` (dotted keys, a seed among them): the outcomes of ``OUTCOMES``."""
    from sim.config import compose
    from sim.run import simulate

    timeseries, summary, _ = simulate(compose({**settings, "output.progress": False, "output.figures": False}))
    discount = (1.0 + discount_rate) ** (-np.arange(len(timeseries)) / 365.0)
    return {
        "profit": summary["profit"],
        "discounted_profit": float(np.dot(timeseries["profit"].to_numpy(), discount)),
        "retention": summary["retention_never_left"],
        "market_share": summary["market_share"],
        "complaints": float(summary["complaints"]),
        "landmark_gap": landmark_gap(summary),
    }


def servsim_experiment(*, fixed: dict, seeds: tuple[int, ...], discount_rate: float, **varied) -> dict[str, float]:
    """The Workbench's model function: the mean of each outcome over ``seeds`` (NaN seeds left out)."""
    runs = [run_outcomes({**fixed, **varied, "seed": seed}, discount_rate) for seed in seeds]
    means = {}
    for name in OUTCOMES:
        values = np.array([run[name] for run in runs], dtype=float)
        means[name] = float(np.nanmean(values)) if np.isfinite(values).any() else math.nan
    return means


def servsim_model(uncertainties: list, levers: list, fixed: dict, seeds: tuple[int, ...], discount_rate: float) -> Model:
    """servsim wrapped for the Workbench (a picklable function, so its own process pool can run it too)."""
    model = Model("servsim", function=partial(servsim_experiment, fixed=fixed, seeds=tuple(seeds), discount_rate=discount_rate))
    model.uncertainties = uncertainties
    model.levers = levers
    model.outcomes = [ScalarOutcome(name) for name in OUTCOMES]
    return model


def experiment_key(model: Model, experiment) -> str:
    """What decides an experiment's result, hashed: the model's code, fixed settings, seeds, and the point."""
    function = model.function
    point = {**experiment.scenario, **experiment.policy}
    content = json.dumps(
        [model_version(), function.keywords["fixed"], function.keywords["seeds"], function.keywords["discount_rate"],
         sorted((k, repr(v)) for k, v in point.items())],
        sort_keys=True, default=repr,
    )
    return hashlib.sha256(content.encode()).hexdigest()[:24]


def _run_experiment(model: Model, experiment) -> dict:
    """In a worker: the Workbench's own runner, so uncertainties and levers reach the function as it expects."""
    models = NamedObjectMap(Model)
    models.extend([model])
    return dict(ExperimentRunner(models).run_experiment(experiment))


class Journal:
    """Finished experiments, one JSON line each (key and outcomes), appended as they finish."""

    def __init__(self, path: Path):
        self.path = path

    def read(self) -> dict[str, dict]:
        done = {}
        if self.path.is_file():
            for line in self.path.read_text().splitlines():
                try:  # a line cut short by an interrupt is simply run again
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                done[entry["key"]] = entry["outcomes"]
        return done

    def append(self, key: str, outcomes: dict) -> None:
        with self.path.open("a") as handle:
            handle.write(json.dumps({"key": key, "outcomes": {k: float(v) for k, v in outcomes.items()}}) + "\n")


class JoblibEvaluator(BaseEvaluator):
    """Hands the Workbench's experiments to joblib workers; finished ones are journalled and never rerun."""

    def __init__(self, model: Model, journal: Journal | None = None, n_jobs: int = -1):
        super().__init__(model)
        self.journal = journal
        self.n_jobs = n_jobs
        self.resumed = 0

    def initialize(self):
        pass

    def finalize(self):
        pass

    def evaluate_experiments(self, scenarios, policies, callback, combine="factorial", **kwargs):
        from joblib import Parallel, delayed

        (model,) = self._msis
        done = self.journal.read() if self.journal else {}
        todo = []
        for experiment in experiment_generator(scenarios, self._msis, policies, combine=combine):
            key = experiment_key(model, experiment)
            if key in done:
                callback(experiment, done[key])
                self.resumed += 1
            else:
                todo.append((key, experiment))
        if not todo:
            return
        results = Parallel(n_jobs=self.n_jobs, return_as="generator")(
            delayed(_run_experiment)(model, experiment) for _, experiment in todo
        )
        for (key, experiment), outcomes in zip(todo, results):
            if self.journal:
                self.journal.append(key, outcomes)
            callback(experiment, outcomes)
