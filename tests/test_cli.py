"""The command line a strategist uses, and every preset composing cleanly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.config import CONFIG_DIR
from sim.metrics import DAILY_COLUMNS
from sim.config import compose, presets

SCENARIOS = sorted(presets("scenario"))
REQUIRED_SUMMARY = {
    "retention_never_left",
    "retention_at_horizon",
    "customers_final",
    "market_share",
    "dissatisfied_experiences",
    "complaints",
    "complaint_share",
    "mean_recovery_days",
    "profit",
    "after_first_problem",
}


def servsim(tmp_path, *overrides):
    command = [sys.executable, "-m", "sim.cli", f"hydra.run.dir={tmp_path}", *overrides]
    env = dict(os.environ, PYTHONPATH=str(Path(CONFIG_DIR).parent))
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)


def test_contracted_scenarios_exist():
    required = {
        "baseline",
        "surprise_regress",
        "surprise_sustained",
        "overpromise",
        "underpromise",
        "slow_recovery",
        "fast_recovery",
        "understaffed_desk",
        "guarantee",
    }
    assert required <= set(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_composes_and_validates(scenario):
    config = compose(scenario=scenario)
    assert config.description


def test_cli_writes_every_output(tmp_path):
    result = servsim(tmp_path, "scenario=surprise_regress", "firm.promise=8", "seed=3", "market.customers=600", "days=200")
    assert result.returncode == 0, result.stderr
    assert "scenario 'surprise_regress'" in result.stdout and "starting customers" in result.stdout
    timeseries = pd.read_csv(tmp_path / "timeseries.csv")
    assert list(timeseries.columns) == list(DAILY_COLUMNS) and len(timeseries) == 200
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert REQUIRED_SUMMARY <= set(summary)
    assert set(summary["after_first_problem"]) == {"90", "180"}
    assert set(summary["after_first_problem"]["90"]) == {"no_problem", "silent", "resolved_fast", "resolved_slow", "unresolved", "complained"}
    events = pd.read_parquet(tmp_path / "events.parquet")
    assert {"problem", "complaint", "left"} <= set(events["kind"].astype(str)) and len(events) > 100
    assert len(pd.read_parquet(tmp_path / "customers.parquet")) == 600
    assert "still with the firm 180 days after their first problem" in result.stdout
    assert "promise: 8.0" in (tmp_path / "config.yaml").read_text()
    assert (tmp_path / "overview.png").stat().st_size > 20_000
    assert not list(tmp_path.glob("*.part"))


def test_cli_rejects_bad_input_in_one_line_before_running(tmp_path):
    result = servsim(tmp_path, "firm.promise=12")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "servsim: invalid configuration: firm.promise = 12 is outside the allowed range: "
        "expected a number in [0.0, 10.0]"
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "summary.json").exists()


def test_help_lists_every_key_and_preset_from_the_schema(tmp_path):
    from sim.params import describe_parameters
    from tests.test_bad_input import servsim as servsim_in_process

    status, text, err = servsim_in_process(tmp_path, "--help")
    assert status == 0 and err == ""
    lines = text.splitlines()
    for key, _, allowed, doc in describe_parameters():
        (row,) = [i for i, line in enumerate(lines) if line.startswith(f"  {key} ")]
        assert lines[row].rstrip().endswith(allowed) and lines[row + 1].strip() == doc
    for group in ("scenario", "lesson", "experiment"):
        for name, description in presets(group).items():
            assert f"  {name}" in text and description in text
    assert not list(tmp_path.iterdir()), "--help runs nothing"


def test_importing_the_command_or_the_api_registers_nothing():
    code = (
        "import sim.cli, sim.config, servsim\n"
        "from hydra.core.config_store import ConfigStore\n"
        "assert 'base_config.yaml' not in ConfigStore.instance().repo\n"
        "sim.config.compose()\n"
        "assert 'base_config.yaml' in ConfigStore.instance().repo\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(CONFIG_DIR).parent))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_same_sweep_command_resumes_its_own_sweep_and_says_what_it_skipped(tmp_path, monkeypatch):
    """A sweep nobody gave a folder goes to one named from its overrides, so relaunching it resumes it."""
    from tests.test_bad_input import servsim as servsim_in_process

    monkeypatch.chdir(tmp_path)
    command = ("-m", "seed=0,1,2", "days=5", "market.customers=50", "output.figures=false", "hydra/launcher=basic")
    status, _, err = servsim_in_process(tmp_path, *command)
    assert status == 0, err
    (sweep,) = (tmp_path / "results" / "multirun").iterdir()
    assert sweep.name.startswith("seed=0-1-2_days=5")
    (sweep / "1" / "summary.json").unlink()
    status, out, err = servsim_in_process(tmp_path, *command)
    assert status == 0, err
    (said,) = [line for line in out.splitlines() if line.endswith("already finished: kept, not run again")]
    assert said == "servsim: run(s) 0, 2 of an earlier launch already finished: kept, not run again"
    assert (sweep / "1" / "summary.json").exists()
    assert [p.name for p in (tmp_path / "results" / "multirun").iterdir()] == [sweep.name]
    status, _, err = servsim_in_process(tmp_path, *command, "firm.promise=8")
    assert status == 0, err
    assert len(list((tmp_path / "results" / "multirun").iterdir())) == 2


def test_a_sweep_does_not_resume_runs_made_by_another_model_version(tmp_path):
    from tests.test_bad_input import assert_one_line
    from tests.test_bad_input import servsim as servsim_in_process

    command = ("-m", "seed=0,1", "days=5", "market.customers=50", "output.figures=false", "hydra/launcher=basic",
               f"hydra.sweep.dir={tmp_path / 'sweep'}")
    assert servsim_in_process(tmp_path, *command)[0] == 0
    summary_path = tmp_path / "sweep" / "0" / "summary.json"
    summary = json.loads(summary_path.read_text())
    summary_path.write_text(json.dumps({**summary, "model_version": "0.0.1+000000000000"}))
    line = assert_one_line(*servsim_in_process(tmp_path, *command)[::2])
    assert "made by model 0.0.1+000000000000, not by this model" in line
