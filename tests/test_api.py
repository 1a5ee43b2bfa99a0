"""``import servsim``: the Python API runs the command line's model with the command line's checks."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbclient import NotebookClient

import servsim
from sim.config import compose
from sim.run import simulate
from tests.test_bad_input import servsim as servsim_command

SMALL = {"market.customers": 400, "days": 60, "output.figures": False}
NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "api.ipynb"


def test_a_run_is_the_command_lines_run():
    surprise = {"firm.surprise.start": 20, "firm.surprise.length": 30}
    result = servsim.run(scenario="surprise_regress", overrides={**SMALL, **surprise}, seed=3)
    strings = [f"{key}={value}" for key, value in {**SMALL, **surprise, "seed": 3}.items()]
    timeseries, summary, _ = simulate(compose(strings, scenario="surprise_regress"))
    assert json.dumps(result.summary) == json.dumps(summary)
    pd.testing.assert_frame_equal(result.timeseries, timeseries, check_exact=True)
    assert result.config.seed == 3 and result.config.firm.surprise.size == 1.5
    assert result.config.description.startswith("Delight customers")


def test_a_lesson_is_honoured_and_overrides_take_strings_too():
    result = servsim.run(lesson="trap", overrides=["market.customers=300", "days=250", "output.figures=false"], seed=1)
    assert result.config.days == 250 and result.config.firm.surprise.start == 90
    assert len(result.timeseries) == 250


def test_a_surprise_cut_by_the_horizon_is_run_with_a_warning():
    with pytest.warns(UserWarning, match=r"^firm\.surprise\.length = 150 runs past the horizon \(days = 100\)"):
        servsim.run(lesson="trap", overrides={**SMALL, "days": 100})


def test_a_run_can_write_the_command_lines_files(tmp_path):
    servsim.run(overrides=SMALL, out_dir=tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"config.yaml", "timeseries.csv", "summary.json"}


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"overrides": {"firm.promise": 12}}, "firm.promise=12"),
        ({"overrides": {"firm.promis": 7}}, "firm.promis=7"),
        ({"overrides": ["market.customers=1e4"]}, "market.customers=1e4"),
        ({"scenario": "nope"}, "scenario=nope"),
        ({"overrides": {"firm": 3}}, "firm=3"),
    ],
)
def test_mistakes_get_the_command_lines_message(tmp_path, kwargs, argument):
    with pytest.raises(servsim.ConfigError) as error:
        servsim.run(**kwargs)
    _, _, stderr = servsim_command(tmp_path, argument)
    assert stderr == f"servsim: invalid configuration: {error.value}\n"


def test_a_config_built_by_hand_is_validated():
    with pytest.raises(servsim.ConfigError, match=r"^seed = -5 is outside the allowed range"):
        servsim.run(config=servsim.ServsimConfig(seed=-5))
    assert servsim.run(config=compose(SMALL)).summary["days"] == 60


def test_a_sweep_is_a_tidy_table_of_the_same_runs():
    table = servsim.sweep({"firm.promise": [6.0, 8.0], "recovery.staff": [1, 2]}, seeds=[0, 1], overrides=SMALL, n_jobs=2)
    assert len(table) == 8
    assert list(table.columns[:3]) == ["firm.promise", "recovery.staff", "seed"]
    assert {"retention_never_left", "profit", "after_first_problem.180.silent.stayed"} <= set(table.columns)
    row = table[(table["firm.promise"] == 8.0) & (table["recovery.staff"] == 1) & (table["seed"] == 1)].iloc[0]
    one = servsim.run(overrides={**SMALL, "firm.promise": 8.0, "recovery.staff": 1}, seed=1)
    assert row["profit"] == one.summary["profit"] and row["retention_never_left"] == one.summary["retention_never_left"]


def test_a_sweep_takes_numpy_values():
    table = servsim.sweep({"firm.promise": np.linspace(6.0, 8.0, 2)}, seeds=np.arange(2), overrides=SMALL, n_jobs=1)
    assert list(table["firm.promise"]) == [6.0, 6.0, 8.0, 8.0] and list(table["seed"]) == [0, 1, 0, 1]


def test_a_sweep_checks_every_configuration_before_running_any():
    with pytest.raises(servsim.ConfigError, match=r"^firm\.promise = 11"):
        servsim.sweep({"firm.promise": [7, 11]}, overrides=SMALL)


def test_the_api_notebook_runs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    printed = "".join(out.get("text", "") for cell in notebook.cells for out in cell.get("outputs", []))
    assert "did you mean firm.promise?" in printed and "seed = -5 is outside the allowed range" in printed
