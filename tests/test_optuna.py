"""Hydra's optimising sweepers read what the task function returns: the objective named in config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim.config import CONFIG_DIR
from sim.objective import OBJECTIVES, objective_names, objective_values
from sim.params import ConfigError
from tests.conftest import small_config

pytest.importorskip("hydra_plugins.hydra_optuna_sweeper")

# A run takes well under a second at this size; events=none skips the log the objective never reads.
QUICK = ("market.customers=300", "days=60", "output.events=none", "output.summary=false", "output.figures=false",
         "compare=false", "hydra/launcher=basic")


def servsim_optuna(tmp_path: Path, *overrides: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(Path(CONFIG_DIR).parent))
    command = [sys.executable, "-m", "sim.cli", "-m", "hydra/sweeper=optuna", "hydra.sweeper.sampler.seed=1",
               f"hydra.sweep.dir={tmp_path}", *QUICK, *overrides]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)


def trial_summaries(sweep_dir: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(sweep_dir.glob("*/summary.json"))]


def test_every_objective_is_a_number_in_a_run_summary(baseline_run):
    _, summary, _ = baseline_run
    for name in OBJECTIVES:
        assert isinstance(summary[name], (int, float)) or summary[name] is None, name
    assert objective_values(summary, "profit") == summary["profit"]
    assert objective_values(summary, "profit, market_share") == [summary["profit"], summary["market_share"]]


def test_an_unknown_objective_names_the_nearest():
    with pytest.raises(ConfigError, match="did you mean retention_never_left"):
        objective_names("profit,retention_never_lft")
    assert small_config({"objective": "market_share"}).objective == "market_share"


def test_the_optuna_sweeper_maximises_the_objective_the_runs_return(tmp_path):
    done = servsim_optuna(tmp_path, "hydra.sweeper.n_trials=3", "hydra.sweeper.direction=maximize",
                          "firm.promise=interval(5,9)", "objective=profit")
    assert done.returncode == 0, done.stderr[-2000:]
    result = yaml.safe_load((tmp_path / "optimization_results.yaml").read_text())
    summaries = trial_summaries(tmp_path)
    assert len(summaries) == 3
    assert result["best_value"] == pytest.approx(max(s["profit"] for s in summaries))
    best = max(summaries, key=lambda s: s["profit"])
    config = yaml.safe_load((tmp_path / str(summaries.index(best)) / "config.yaml").read_text())
    assert config["firm"]["promise"] == pytest.approx(result["best_params"]["firm.promise"])
    assert f"servsim: best trial: {{'firm.promise': {result['best_params']['firm.promise']}}}" in done.stdout


def test_two_objectives_give_a_pareto_front(tmp_path):
    done = servsim_optuna(tmp_path, "hydra.sweeper.n_trials=2", "hydra.sweeper.direction=[maximize,maximize]",
                          "firm.promise=interval(5,9)", "objective='profit,retention_never_left'")
    assert done.returncode == 0, done.stderr[-2000:]
    result = yaml.safe_load((tmp_path / "optimization_results.yaml").read_text())
    runs = {(s["profit"], s["retention_never_left"]) for s in trial_summaries(tmp_path)}
    assert result["solutions"] and all(tuple(solution["values"]) in runs for solution in result["solutions"])
    assert "Pareto-optimal trials" in done.stdout


def test_a_misspelt_objective_stops_the_sweep_before_any_run(tmp_path):
    done = servsim_optuna(tmp_path, "hydra.sweeper.n_trials=2", "firm.promise=interval(5,9)", "objective=proft")
    assert done.returncode == 2
    assert "did you mean profit" in done.stderr
    assert not list(tmp_path.glob("*/summary.json"))
