"""The experiments: configs that compose, a tiny sweep end to end, resume, and the report's maths."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import OmegaConf

from experiments.aggregate import load_sweep, summarise_replications
from stats.intervals import mean_ci
from sim.config import CONFIG_DIR
from sim.params import validate
from sim.config import compose_hydra, presets

EXPERIMENTS = sorted(presets("experiment"))
REPO = Path(CONFIG_DIR).parent
TINY = ["market.customers=300", "days=100", "output.progress=false"]


def compose_experiment(name: str, *overrides: str, with_hydra: bool = False):
    """The composed config; with Hydra's own node (launcher, sweeper, ...) when asked."""
    return compose_hydra([f"experiment={name}", *overrides], with_hydra=with_hydra)


def sweep_values(cfg) -> dict[str, list[str]]:
    """Every value each swept key of a basic-sweeper experiment takes."""
    parser = OverridesParser.create()
    values = {}
    for key, value in cfg.hydra.sweeper.params.items():
        override = parser.parse_overrides([f"{key}={value}"])[0]
        values[key] = list(override.sweep_string_iterator()) if override.is_sweep_override() else [str(value)]
    return values


def servsim(cwd: Path, *arguments: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "sim.cli", "-m", *arguments]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def test_contracted_experiments_exist():
    assert {"promise_level", "recovery_speed", "surprise_trap", "sensitivity"} <= set(EXPERIMENTS)


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_is_a_fast_replicated_parallel_sweep(name):
    cfg = compose_experiment(name, with_hydra=True)
    config = validate(compose_experiment(name))
    assert not (config.output.figures or config.output.summary or config.output.progress)
    assert cfg.hydra.sweep.dir == f"results/multirun/{name}"
    assert cfg.hydra.launcher._target_.endswith("JoblibLauncher")
    assert cfg.hydra.callbacks.report._target_ == "experiments.callbacks.ReportAtSweepEnd"
    if cfg.hydra.sweeper._target_.endswith("SalibSweeper"):
        assert len(cfg.hydra.sweeper.parameters) >= 2
    else:
        assert len(sweep_values(cfg)["seed"]) >= 3


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_swept_value_composes_and_validates(name):
    """Each value a sweep will set is a valid configuration: no experiment can rot unnoticed."""
    cfg = compose_experiment(name, with_hydra=True)
    if cfg.hydra.sweeper._target_.endswith("SalibSweeper"):
        settings = [[f"{key}={bounds[i]}" for key, bounds in cfg.hydra.sweeper.parameters.items()] for i in (0, 1)]
    else:
        settings = [[f"{key}={value}"] for key, values in sweep_values(cfg).items() for value in values]
    for overrides in settings:
        validate(compose_hydra([f"experiment={name}", *overrides]))


def test_slurm_launcher_preset_composes():
    cfg = compose_experiment("promise_level", "hydra/launcher=slurm", with_hydra=True)
    assert cfg.hydra.launcher._target_.endswith("SlurmLauncher")


def test_summarise_replications_groups_by_setting():
    runs = pd.DataFrame({"promise": [6, 6, 6, 8, 8, 8], "acquisitions": [0.8, 0.9, 1.0, 0.5, 0.5, 0.5]})
    means = summarise_replications(runs, ["promise"], ["acquisitions"]).set_index("promise")
    assert means.loc[6, "mean"] == pytest.approx(0.9)
    assert means.loc[6, "ci_high"] - means.loc[6, "mean"] == pytest.approx(4.302653 * 0.1 / np.sqrt(3), rel=1e-6)
    assert means.loc[8, "ci_low"] == means.loc[8, "ci_high"] == pytest.approx(0.5)
    assert list(means["n"]) == [3, 3] and set(means["interval"]) == {"t"}


def test_share_intervals_stay_within_their_bounds():
    from experiments.aggregate import is_share

    runs = pd.DataFrame({"setting": [0, 0, 0, 1, 1, 1, 2, 2, 2],
                         "retention_never_left": [0.797, 1.0, 0.999, 0.3, 0.9, 0.99, 0.5, 0.52, 0.51],
                         "after_first_problem.180.silent.stayed": [0.01, 0.0, 0.0, 0.2, 0.3, 0.25, 0.0, 0.0, 0.0]})
    metrics = ["retention_never_left", "after_first_problem.180.silent.stayed"]
    assert all(is_share(m, runs[m]) for m in metrics) and not is_share("profit", runs["retention_never_left"])
    means = summarise_replications(runs, ["setting"], metrics)
    assert ((means["ci_low"] >= 0) & (means["ci_high"] <= 1)).all()
    assert (means["ci_low"] <= means["ci_high"]).all()
    crossing = means[(means["setting"] == 0) & (means["metric"] == "retention_never_left")].iloc[0]
    assert crossing["interval"] == "logit t" and 0 < crossing["ci_low"] and crossing["ci_high"] <= 1  # t: past 1
    inside = means[(means["setting"] == 2) & (means["metric"] == "retention_never_left")].iloc[0]
    n, mean, half = mean_ci([0.5, 0.52, 0.51])
    assert inside["interval"] == "t" and (inside["ci_low"], inside["ci_high"]) == pytest.approx((mean - half, mean + half))


def test_a_setting_with_too_few_replications_gets_no_interval():
    """Groups below MIN_REPLICATIONS (here 1 and 2 runs) show their mean and "too few", never a zero-width interval."""
    runs = pd.DataFrame({"setting": [0, 1, 1, 2, 2, 2], "profit": [5.0, 4.0, 6.0, 1.0, 2.0, 3.0],
                         "market_share": [0.5, 0.4, 0.6, 0.30, 0.32, 0.31]})
    means = summarise_replications(runs, ["setting"], ["profit", "market_share"]).set_index(["setting", "metric"])
    for setting in (0, 1):
        for metric in ("profit", "market_share"):
            row = means.loc[(setting, metric)]
            assert row["interval"] == "too few" and np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
    assert means.loc[(1, "profit"), "mean"] == 5.0
    assert set(means.loc[2, "interval"]) == {"t"} and (means.loc[2, "ci_high"] > means.loc[2, "ci_low"]).all()


@pytest.mark.parametrize(("value", "share", "shown"), [
    (82710.3, False, "82,710"), (-1.2e6, False, "-1,200,000"), (0.8271, True, "82.7%"), (4.567, False, "4.57"),
    (0.000123, False, "0.000123"), (float("nan"), False, "n/a"),
])
def test_report_numbers_are_readable(value, share, shown):
    from experiments.report import readable

    assert readable(value, share) == shown


def test_load_sweep_keeps_finished_runs_and_finds_the_swept_keys(tmp_path):
    for job, (promise, seed, finished) in enumerate([(6.0, 0, True), (8.0, 0, True), (8.0, 1, True), (6.0, 1, False)]):
        run = tmp_path / str(job)
        run.mkdir()
        run.joinpath("config.yaml").write_text(OmegaConf.to_yaml({"seed": seed, "firm": {"promise": promise, "quality": 7.0}}))
        if finished:
            run.joinpath("summary.json").write_text(json.dumps({"retention": 0.5 + job / 10, "retention_by_history": {"silent": 0.4}}))
    sweep = load_sweep(tmp_path)
    assert list(sweep.runs["job"]) == [0, 1, 2]
    assert sweep.parameters == ["firm.promise"]
    assert sweep.metrics == ["retention", "retention_by_history.silent"]
    assert list(sweep.table().columns) == ["job", "seed", "scenario", "firm.promise", "retention", "retention_by_history.silent"]
    assert list(sweep.runs["scenario"]) == ["custom"] * 3  # no Hydra record of the choice


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    """promise_level cut to 2 promises x 2 seeds, run through Hydra with the basic launcher."""
    cwd = tmp_path_factory.mktemp("sweep")
    arguments = ["experiment=promise_level", "hydra/launcher=basic", f"hydra.sweep.dir={cwd / 'sweep'}",
                 *TINY, "firm.promise=6,8", "firm.guarantee=false", "seed=0,1"]
    result = servsim(cwd, *arguments)
    assert result.returncode == 0, result.stderr
    return cwd / "sweep", arguments, result


def test_tiny_sweep_writes_table_means_figure_and_report(tiny_sweep):
    sweep_dir, _, _ = tiny_sweep
    runs = pd.read_csv(sweep_dir / "runs.csv")
    assert len(runs) == 4
    assert sorted(zip(runs["firm.promise"], runs["seed"])) == [(6.0, 0), (6.0, 1), (8.0, 0), (8.0, 1)]
    summaries = [json.loads((sweep_dir / str(job) / "summary.json").read_text()) for job in runs["job"]]
    assert list(runs["retention_never_left"]) == pytest.approx([s["retention_never_left"] for s in summaries])
    ladder = pd.read_csv(sweep_dir / "landmark.csv")
    pooled = ladder[(ladder["firm.promise"] == 6.0) & (ladder["window"] == 90) & (ladder["group"] == "no_problem")].iloc[0]
    at_6 = [s["after_first_problem"]["90"]["no_problem"] for s, promise in zip(summaries, runs["firm.promise"]) if promise == 6.0]
    assert pooled["n"] == sum(group["n"] for group in at_6) > 0
    assert pooled["stayed"] == pytest.approx(sum(group["n"] * group["stayed"] for group in at_6) / pooled["n"])
    assert pooled["ci_low"] <= pooled["stayed"] <= pooled["ci_high"]
    means = pd.read_csv(sweep_dir / "means.csv")
    profit = means[(means["metric"] == "profit") & (means["firm.promise"] == 8.0)].iloc[0]
    assert profit["n"] == 2
    assert profit["mean"] == pytest.approx(runs.loc[runs["firm.promise"] == 8.0, "profit"].mean())
    report = (sweep_dir / "report.md").read_text()
    assert "profit peaks at promise" in report and "![promise level](promise_level.png)" in report
    assert (sweep_dir / "promise_level.png").stat().st_size > 10_000


def test_rerun_skips_finished_runs_and_redoes_unfinished_ones(tiny_sweep):
    """Resumed with the experiment's own parallel launcher: which launcher ran a job does not matter."""
    sweep_dir, arguments, _ = tiny_sweep
    (sweep_dir / "2" / "summary.json").unlink()  # as if the sweep had been interrupted during run 2
    before = {job: (sweep_dir / str(job) / "summary.json").stat().st_mtime_ns for job in (0, 1, 3)}
    result = servsim(sweep_dir.parent, *[a for a in arguments if a != "hydra/launcher=basic"])
    assert "LokyBackend" in result.stderr
    assert result.returncode == 0, result.stderr
    assert {job: (sweep_dir / str(job) / "summary.json").stat().st_mtime_ns for job in (0, 1, 3)} == before
    assert (sweep_dir / "2" / "summary.json").exists()
    assert "servsim: run(s) 0, 1, 3 of an earlier launch already finished" in result.stdout
    assert all("already finished" in (sweep_dir / str(job) / "cli.log").read_text() for job in (0, 1, 3))
    assert len(pd.read_csv(sweep_dir / "runs.csv")) == 4


@pytest.mark.parametrize("launcher", ["hydra/launcher=basic", "hydra/launcher=joblib"])
def test_rerun_with_another_configuration_refuses_to_mix_runs(tiny_sweep, launcher):
    sweep_dir, arguments, _ = tiny_sweep
    record = (sweep_dir / "multirun.yaml").read_bytes()
    others = [a for a in arguments if a != "hydra/launcher=basic" and not a.startswith("market.customers=")]
    result = servsim(sweep_dir.parent, *others, launcher, "market.customers=350")
    assert result.returncode == 2
    refusal = [line for line in result.stderr.splitlines() if line.startswith("servsim:")]
    assert len(refusal) == 1 and "already holds a finished run of a different configuration" in refusal[0]
    assert "Traceback" not in result.stderr
    if launcher.endswith("basic"):
        assert result.stderr.count("\n") == 1, result.stderr
    assert (sweep_dir / "multirun.yaml").read_bytes() == record, "the refused launch rewrote the sweep's record"


@pytest.fixture(scope="module")
def ad_hoc_sweep(tmp_path_factory):
    """An ad hoc sweep of two scenarios and two qualities, two seeds (too few: the report warns)."""
    cwd = tmp_path_factory.mktemp("adhoc")
    result = servsim(cwd, "hydra/launcher=basic", f"hydra.sweep.dir={cwd / 'sweep'}", *TINY, "output.figures=false",
                     "output.summary=false", "scenario=baseline,overpromise", "firm.quality=6.5,7", "seed=0,1")
    assert result.returncode == 0, result.stderr
    return cwd / "sweep", result


def test_ad_hoc_sweep_tables_a_researcher_can_use(ad_hoc_sweep):
    sweep_dir, result = ad_hoc_sweep
    parquet = pd.read_parquet(sweep_dir / "runs.parquet")
    csv = pd.read_csv(sweep_dir / "runs.csv")
    assert len(parquet) == len(csv) == 8
    summaries = {job: json.loads((sweep_dir / str(job) / "summary.json").read_text()) for job in parquet["job"]}
    configs = {job: OmegaConf.load(sweep_dir / str(job) / "config.yaml") for job in parquet["job"]}
    for row in parquet.itertuples(index=False):
        assert row.profit == summaries[row.job]["profit"]  # every digit, round trip
        assert getattr(row, "days") == 100 and row.scenario in ("baseline", "overpromise")
    assert {"scenario", "days", "market.customers", "recovery.staff_per_10k", "customers.learning_rate"} <= set(parquet)
    assert parquet["firm.quality"].dtype == float and parquet["market.customers"].dtype == np.int64
    assert list(parquet.loc[parquet["scenario"] == "overpromise", "firm.promise"].unique()) == [8.5]
    assert {job: configs[job].firm.promise for job in parquet["job"]} == dict(zip(parquet["job"], parquet["firm.promise"]))
    assert {"scenario", "days", "firm.quality"} <= set(csv) and csv["firm.quality"].dtype == float
    means = pd.read_csv(sweep_dir / "means.csv")
    numeric = [c for c in parquet.columns[parquet.columns.get_loc("people_in_market"):] if parquet[c].dtype.kind in "if"]
    assert set(numeric) <= set(means["metric"])
    assert means["firm.quality"].dtype == csv["firm.quality"].dtype  # one type for a swept value in every table
    shares = means[means["interval"] == "logit t"]
    assert ((means.loc[means["metric"].str.endswith("stayed"), ["ci_low", "ci_high"]].dropna() >= 0).all().all())
    assert (shares["ci_high"] <= 1).all()
    report = (sweep_dir / "report.md").read_text()
    assert "e+0" not in report and "command: `servsim -m" in report and "scenario=baseline,overpromise" in report
    assert "**warning**: a setting has only 2 replication(s)" in report and "warning" in result.stderr
    for parameter in ("scenario", "firm.quality"):
        assert f"![{parameter}](sweep_{parameter}.png)" in report
        assert (sweep_dir / f"sweep_{parameter}.png").stat().st_size > 10_000


def test_sweep_console_is_short_and_its_details_are_in_the_logs(ad_hoc_sweep):
    """Eight runs print a handful of lines: the launcher's job list goes to sweep.log, not the screen."""
    sweep_dir, result = ad_hoc_sweep
    console = (result.stdout + result.stderr).splitlines()
    assert len(console) <= 20, console
    assert not any("#0 :" in line for line in console)
    jobs = (sweep_dir / "sweep.log").read_text()
    assert all(f"#{job} : " in jobs for job in range(8))


def test_sweep_report_reads_in_words(ad_hoc_sweep):
    """Every swept key beside its words; the interval note as means.csv computes them; labels in means.csv."""
    from experiments.labels import label

    sweep_dir, _ = ad_hoc_sweep
    report = (sweep_dir / "report.md").read_text()
    assert f"| {label('firm.quality')} | `firm.quality` |" in report
    assert "| starting customers who never left |" in report  # the means table's header in words
    assert "t-based; for a share whose t interval would run past 0% or 100%, the t interval of its logits" in report
    means = pd.read_csv(sweep_dir / "means.csv")
    assert list(means.columns[means.columns.get_loc("metric"):][:2]) == ["metric", "label"]
    assert set(means.loc[means["metric"] == "profit", "label"]) == {"profit"}
    assert set(means["interval"]) <= {"too few", "none"}  # two seeds per setting: no interval anywhere
    assert means["ci_low"].isna().all()


def test_every_experiment_names_its_report_in_its_yaml():
    """configs/experiment/<name>.yaml alone says which module writes the report and which figures it shows."""
    import importlib

    from experiments.report import experiment_layout, experiments

    assert experiments() == EXPERIMENTS
    for name in EXPERIMENTS:
        layout = experiment_layout(name)
        assert layout.sections and layout.figures, name
        assert all(callable(importlib.import_module(module).report) for module in layout.sections)
        assert all(figure.endswith(".png") for figure in layout.figures)
        report = compose_experiment(name, with_hydra=True).hydra.callbacks.report  # what the sweep's callback gets
        assert (tuple(report.sections), tuple(report.figures)) == (layout.sections, layout.figures)
    makefile = (REPO / "Makefile").read_text()
    assert "EXPERIMENTS := $(notdir $(basename $(wildcard configs/experiment/*.yaml)))" in makefile


def test_a_new_experiment_is_one_yaml_and_its_module(tmp_path, monkeypatch):
    from experiments import report

    (tmp_path / "loyalty_probe.yaml").write_text(
        "# @package _global_\nhydra:\n  callbacks:\n    report:\n      sections: [experiments.promise_level]\n"
        "      figures: [promise_level.png]\n")
    monkeypatch.setattr(report, "EXPERIMENT_DIR", tmp_path)
    assert report.experiments() == ["loyalty_probe"]
    assert report.experiment_layout("loyalty_probe") == report.Layout(("experiments.promise_level",), ("promise_level.png",))
    assert report.experiment_layout("not_an_experiment") == report.Layout()


def test_a_committed_report_is_redrawn_from_its_table(tiny_sweep, tmp_path):
    """results/reference/<name>/ keeps runs.parquet and report.md only: its header and tables are redrawn from them."""
    import shutil

    from experiments.report import refresh_from_table

    sweep_dir, _, _ = tiny_sweep
    original = (sweep_dir / "report.md").read_text()
    folder = tmp_path / "promise_level"
    folder.mkdir()
    shutil.copy(sweep_dir / "runs.parquet", folder)
    header, section = original.split("\n## ", 1)
    (folder / "report.md").write_text("# a stale header\n\n## " + section)
    refresh_from_table(folder)
    redrawn = (folder / "report.md").read_text()
    assert redrawn.split("\n## ", 1)[1] == section
    without_command = [line for line in header.splitlines() if not line.startswith("- command:")]
    assert [line for line in redrawn.split("\n## ", 1)[0].splitlines() if not line.startswith("- command:")] == without_command
    for table in ("means.csv", "landmark.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(folder / table), pd.read_csv(sweep_dir / table))
    with pytest.raises(FileNotFoundError, match="not named after an experiment"):
        refresh_from_table(sweep_dir)


def test_report_command_redraws_elsewhere(tiny_sweep, tmp_path):
    sweep_dir, _, _ = tiny_sweep
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-m", "experiments.report", str(sweep_dir), "--out", str(tmp_path)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.md").read_text() == (sweep_dir / "report.md").read_text()
    assert pd.read_csv(tmp_path / "runs.csv").equals(pd.read_csv(sweep_dir / "runs.csv"))


def test_sensitivity_sweep_runs_the_salib_design(tmp_path):
    """Each job runs its design row, and the indices cover every parameter and output."""
    result = servsim(tmp_path, "experiment=sensitivity", "hydra/launcher=basic", f"hydra.sweep.dir={tmp_path / 's'}",
                     "hydra.sweeper.samples=2", "hydra.sweeper.select=[firm.promise,customers.learning_rate]",
                     "market.customers=200", "days=20")
    assert result.returncode == 0, result.stderr
    sweep_dir = tmp_path / "s"
    design = pd.read_csv(sweep_dir / "design.csv").set_index("job")
    runs = pd.read_csv(sweep_dir / "runs.csv").set_index("job")
    parameters = list(design.columns)
    assert parameters == ["firm.promise", "customers.learning_rate"]
    assert len(design) == 2 * (len(parameters) + 1) == len(runs)
    assert np.allclose(runs.loc[design.index, parameters].to_numpy(), design.to_numpy())
    indices = pd.read_csv(sweep_dir / "sensitivity_morris.csv")
    assert sorted(indices["output"].unique()) == ["profit", "retention_never_left"]
    assert set(indices["parameter"]) == set(parameters)
    assert indices[["mu_star", "mu_star_conf"]].notna().all().all()
    assert "![sensitivity](sensitivity_morris.png)" in (sweep_dir / "report.md").read_text()


def test_submitit_local_launcher_runs_a_sweep(tmp_path):
    result = servsim(tmp_path, "experiment=promise_level", "hydra/launcher=submitit_local",
                     f"hydra.sweep.dir={tmp_path / 's'}", *TINY, "firm.promise=7", "firm.guarantee=false", "seed=0,1")
    assert result.returncode == 0, result.stderr
    assert sorted(pd.read_csv(tmp_path / "s" / "runs.csv")["seed"]) == [0, 1]


def test_finished_summary_recognises_the_same_run_and_refuses_another(tmp_path):
    from sim.run import RunDirectoryConflict, finished_summary

    config = validate({"firm": {"promise": 8.0}, "output": {"figures": True}})
    assert finished_summary(tmp_path, config) is None
    tmp_path.joinpath("config.yaml").write_text(OmegaConf.to_yaml(OmegaConf.structured(config)))
    assert finished_summary(tmp_path, config) is None  # config.yaml alone: the run did not finish
    from sim.version import model_version

    finished = {"retention": 0.7, "model_version": model_version()}
    tmp_path.joinpath("summary.json").write_text(json.dumps(finished))
    same_results = validate({"firm": {"promise": 8.0}, "output": {"figures": False}, "description": "relabelled"})
    assert finished_summary(tmp_path, same_results) == finished
    with pytest.raises(RunDirectoryConflict):
        finished_summary(tmp_path, validate({"firm": {"promise": 8.5}}))
