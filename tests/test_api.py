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


def _files(folder: Path) -> dict[str, Path]:
    """servsim's files in a run folder (Hydra's own record, .hydra/ and the job's log, left out)."""
    files = {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*")) if p.is_file()}
    return {name: p for name, p in files.items() if not name.startswith(".hydra/") and not name.endswith(".log")}


@pytest.mark.parametrize("overrides", [["firm.promise=8", "replications=2"], ["scenario=baseline"]])
def test_a_run_writes_every_file_the_command_line_writes_with_the_same_numbers(tmp_path, overrides):
    """The API and the command line, given the same settings, write the same files, and every summary number
    and every daily number agree to the last digit."""
    small = [f"{key}={value}" for key, value in SMALL.items() if key != "output.figures"]
    scenario = [o.split("=")[1] for o in overrides if o.startswith("scenario=")]
    settings = [o for o in overrides if not o.startswith("scenario=")]
    status, _, err = servsim_command(tmp_path / "cli", *overrides, *small, "output.figures=true")
    assert status == 0, err
    result = servsim.run(*scenario, overrides=[*settings, *small, "output.figures=true"], out_dir=tmp_path / "api")
    cli, api = _files(tmp_path / "cli"), _files(tmp_path / "api")
    assert set(cli) == set(api) and {"events.parquet", "customers.parquet", "overview.png", "summary.json"} <= set(api)
    for name in cli:
        if name.endswith((".json", ".csv", ".yaml")):
            assert cli[name].read_text() == api[name].read_text(), name
        elif name.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(cli[name]), pd.read_parquet(api[name]), check_exact=True)
    assert json.loads(api["summary.json"].read_text())["profit"] == result.summary["profit"]


def test_events_and_customers_are_the_tables_the_run_folder_holds(tmp_path):
    result = servsim.run(overrides=SMALL, out_dir=tmp_path)
    stored = pd.read_parquet(tmp_path / "events.parquet")
    assert list(result.events.columns) == list(stored.columns) and len(result.events) == len(stored) > 0
    assert (result.events["kind"].astype(str) == stored["kind"].astype(str)).all()
    np.testing.assert_allclose(result.events["time"], stored["time"])
    customers = pd.read_parquet(tmp_path / "customers.parquet")
    assert list(result.customers.columns) == list(customers.columns) and len(customers) == SMALL["market.customers"]
    np.testing.assert_allclose(result.customers["loss_aversion"], customers["loss_aversion"], rtol=1e-6)


def test_every_output_names_the_model_version(tmp_path):
    import pyarrow.parquet as pq

    from sim.version import model_version

    servsim.run(overrides=SMALL, out_dir=tmp_path)
    assert json.loads((tmp_path / "summary.json").read_text())["model_version"] == model_version()
    for name in ("events.parquet", "customers.parquet"):
        assert pq.read_schema(tmp_path / name).metadata[b"model_version"].decode() == model_version()


def test_every_column_the_docstrings_name_exists():
    """Names the API's docstrings show in backquotes or brackets are columns of what they describe."""
    import re

    result = servsim.run(overrides=SMALL)
    table = servsim.sweep({"firm.promise": [7]}, overrides=SMALL, n_jobs=1)
    named = {
        "summary": re.findall(r'summary\["(\w+)"\]', servsim.__doc__),
        "timeseries": re.findall(r'timeseries\["(\w+)"\]', servsim.__doc__),
        "events": re.findall(r'events\["(\w+)"\]', servsim.__doc__),
        "customers": re.findall(r'customers\["(\w+)"\]', servsim.__doc__),
        "sweep": re.findall(r"``([\w.]+\.[\w.]+)``", servsim.sweep.__doc__),
    }
    assert all(named.values()), named
    columns = {"summary": set(result.summary), "timeseries": set(result.timeseries), "events": set(result.events),
               "customers": set(result.customers), "sweep": set(table)}
    for where, names in named.items():
        assert set(names) <= columns[where], (where, set(names) - columns[where])


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


def test_the_notebook_command_the_docs_give_is_installed():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "nbconvert", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip(), done.stderr
