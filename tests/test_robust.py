"""servsim-robust: regret and satisficing on known tables, paired runs, resuming, the Workbench's own
evaluator, and bad input refused before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("ema_workbench")

from experiments.robust import analysis  # noqa: E402
from experiments.robust.app import compose_options, evaluate, plan, run  # noqa: E402
from experiments.robust.evaluate import OUTCOMES  # noqa: E402
from sim.config import CONFIG_DIR  # noqa: E402
from sim.params import ConfigError  # noqa: E402
from sim.version import model_version  # noqa: E402

TINY = {"settings.market.customers": 400, "settings.days": 60, "scenarios": 4, "workers": 2}


def synthetic(profits: dict[str, list[float]], retention: dict[str, list[float]] | None = None) -> pd.DataFrame:
    """A results table with the given profit (and retention) per policy, one value per scenario."""
    rows = []
    for policy, values in profits.items():
        for scenario, profit in enumerate(values):
            row = {name: 0.0 for name in OUTCOMES}
            row.update(scenario=str(scenario), policy=policy, profit=profit,
                       retention=(retention or {}).get(policy, [0.8] * len(values))[scenario])
            rows.append(row)
    return pd.DataFrame(rows)


def test_a_policy_dominated_in_every_scenario_is_never_called_robust():
    rng = np.random.default_rng(3)
    for _ in range(50):
        base = rng.normal(100, 30, size=(3, 12))
        profits = {"current": base[0], "other": base[1], "third": base[2], "dominated": base.min(axis=0) - rng.uniform(0.1, 5, 12)}
        table = analysis.policy_table(synthetic(profits), "current", analysis.Thresholds())
        assert table.index[0] != "dominated"
        assert table.loc["dominated", "max_regret"] > table["max_regret"].min()
        assert table.loc["dominated", "satisficing_share"] == 0.0


def test_the_best_policy_in_each_scenario_has_zero_regret_and_the_others_positive():
    results = synthetic({"current": [5, 1, 3], "a": [4, 2, 3.5], "b": [1, 9, 0]})
    regrets = analysis.regret(results)
    winners = analysis.winners(results)
    for scenario, winner in winners.items():
        assert regrets.loc[scenario, winner] == 0.0
        assert (regrets.loc[scenario].drop(winner) > 0).all()
    assert list(winners) == ["current", "b", "a"]
    table = analysis.policy_table(results, "current", analysis.Thresholds())
    # regrets by scenario: current 0, 8, 0.5; a 1, 7, 0; b 4, 0, 3.5: minimax regret picks b
    assert table["max_regret"].to_dict() == {"b": 4.0, "a": 7.0, "current": 8.0}
    assert list(table.index) == ["b", "a", "current"]


def test_satisficing_compares_with_the_reference_in_the_same_scenario():
    results = synthetic({"current": [10, 10], "a": [10, 11], "b": [12, 12]},
                        retention={"current": [0.80, 0.80], "a": [0.79, 0.75], "b": [0.70, 0.81]})
    met = analysis.satisficing(results, "current", analysis.Thresholds(profit_loss=0.0, retention_points=2.0))
    assert met["current"].all()
    assert met["a"].tolist() == [True, False]  # scenario 1: retention 5 points below
    assert met["b"].tolist() == [False, True]  # scenario 0: retention 10 points below
    lenient = analysis.satisficing(results, "current", analysis.Thresholds(profit_loss=0.0, retention_points=20.0))
    assert lenient.all().all()


def test_prim_finds_the_region_where_failures_were_put():
    rng = np.random.default_rng(5)
    x = pd.DataFrame({"customers.complaint_propensity": rng.uniform(0.02, 0.1, 300),
                      "customers.tolerance": rng.uniform(0.3, 1.0, 300)})
    failed = pd.Series((x["customers.complaint_propensity"] < 0.04).to_numpy(), index=x.index)
    box = analysis.failure_box(x, failed, density=0.8)
    assert box is not None and box.density >= 0.8 and box.coverage > 0.8
    assert list(box.limits.index) == ["customers.complaint_propensity"]
    # the densest-enough box covering most failures: its edge at or a little above the true 0.04
    # (a failure share of 0.8 allows an edge up to about 0.02 + 0.02 / 0.8 = 0.045)
    assert 0.038 <= box.limits.loc["customers.complaint_propensity", "high"] <= 0.05
    assert analysis.failure_box(x, failed & False) is None


def tiny(**extra):
    return compose_options({**TINY, **extra})


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("robust")
    return run(tiny(), out, "servsim-robust (test)"), out


def test_the_analysis_writes_its_folder_and_its_regrets_hold(tiny_run):
    result, out = tiny_run
    for name in ("experiments.parquet", "policies.csv", "report.md", "outcomes.png", "regret.png"):
        assert (out / name).is_file(), name
    stored = pd.read_parquet(out / "experiments.parquet")
    assert len(stored) == 8 * 4 and set(OUTCOMES) <= set(stored.columns)
    regrets = analysis.regret(result.results)
    for scenario, winner in analysis.winners(result.results).items():
        assert regrets.loc[scenario, winner] == 0.0
    assert (regrets.to_numpy() >= 0).all()
    text = (out / "report.md").read_text()
    assert "1 seed (0)" in text and "## Conclusion" in text and result.table.index[0] in text


def test_policies_meet_the_same_seeds_in_each_scenario(tiny_run):
    """Common random numbers: at 400 people, 2 and 4 handlers per 10,000 both round up to one handler,
    so current and staffed_desk are the same firm, and they must get identical outcomes everywhere."""
    result, _ = tiny_run
    by_policy = result.results.set_index(["policy", "scenario"])[list(OUTCOMES)]
    pd.testing.assert_frame_equal(by_policy.loc["current"], by_policy.loc["staffed_desk"])
    assert not by_policy.loc["current"].equals(by_policy.loc["bold_promise"])


def test_a_rerun_resumes_from_the_journal_and_reproduces_the_results(tiny_run, tmp_path):
    result, out = tiny_run
    again = tiny()
    the_plan = plan(again)
    from experiments.robust.evaluate import JoblibEvaluator

    resumed = []
    original = JoblibEvaluator.evaluate_experiments

    def counting(self, *args, **kwargs):
        original(self, *args, **kwargs)
        resumed.append(self.resumed)

    JoblibEvaluator.evaluate_experiments = counting
    try:
        results = evaluate(the_plan, out, the_plan.scenarios)
    finally:
        JoblibEvaluator.evaluate_experiments = original
    assert resumed == [32]  # nothing recomputed
    pd.testing.assert_frame_equal(results, result.results)
    fresh = evaluate(the_plan, tmp_path, the_plan.scenarios)  # a new folder: every run again, the same numbers
    pd.testing.assert_frame_equal(fresh, result.results)


def test_the_workbench_own_process_pool_gives_the_same_results(tiny_run):
    """The Workbench's MultiprocessingEvaluator (its distributed evaluator on this machine) runs the
    same model function: the same experiments give the same outcomes as the joblib evaluator."""
    result, _ = tiny_run
    options = tiny(evaluator="multiprocessing")
    the_plan = plan(options)
    scenarios = the_plan.scenarios[:2]
    pooled = evaluate(the_plan, None, scenarios)
    expected = result.results[result.results["scenario"].isin(["0", "1"])].reset_index(drop=True)
    key = ["policy", "scenario"]
    pd.testing.assert_frame_equal(pooled.sort_values(key).reset_index(drop=True)[expected.columns],
                                  expected.sort_values(key).reset_index(drop=True), check_dtype=False)


def test_unmet_thresholds_warn_and_the_table_is_still_written(tmp_path):
    with pytest.warns(UserWarning, match="no policy but the reference meets"):
        result = run(tiny(**{"satisficing.profit_loss": -1e9, "scenarios": 2}), tmp_path, "test")
    assert (tmp_path / "report.md").is_file()
    assert "**Warning:**" in result.report
    assert (result.table.drop(index="current")["satisficing_share"] == 0).all()


def write_posterior(path: Path, version: str) -> None:
    draws = pd.DataFrame({"customers.complaint_propensity": [0.03, 0.05, 0.07], "customers.tolerance": [0.4, 0.6, 0.8]})
    table = pa.Table.from_pandas(draws, preserve_index=False)
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, b"servsim_model_version": version.encode()}), path)


def test_scenarios_come_from_the_posterior_draws(tmp_path):
    path = tmp_path / "posterior.parquet"
    write_posterior(path, model_version())
    the_plan = plan(tiny(posterior=str(path), scenarios=6))
    drawn = pd.DataFrame([dict(s) for s in the_plan.scenarios])
    assert set(drawn["customers.complaint_propensity"]) <= {0.03, 0.05, 0.07}
    pairs = set(zip(drawn["customers.complaint_propensity"], drawn["customers.tolerance"]))
    assert pairs <= {(0.03, 0.4), (0.05, 0.6), (0.07, 0.8)}  # draws are kept whole
    assert drawn["market.competitor_quality"].between(5.5, 7.5).all()  # the external uncertainty stays
    assert "customers.learning_rate" not in drawn  # the fact region gives way to the posterior


@pytest.mark.parametrize(
    "options, message",
    [
        ({"grid.firm.promse": [6, 7]}, "did you mean firm.promise"),
        ({"grid.customers.tolerance": [0.5, 0.7]}, "is not a lever"),
        ({"ranges.customers.tolerance": [0.9, 0.4]}, "low must be below high"),
        ({"ranges.customers.tolerence": [0.4, 0.9]}, "did you mean customers.tolerance"),
        ({"grid.market.competitor_quality": [6, 7]}, "both a lever and an uncertainty"),
        ({"policies": "nosuch"}, "expected one of promise_and_recovery"),
        ({"scenarios": 1}, "scenarios = 1 is not allowed"),
        ({"satisficing.profit": 3}, "not a threshold"),
        ({"evaluator": "dask"}, "evaluator = 'dask'"),
    ],
)
def test_bad_input_is_refused_naming_the_key(options, message):
    with pytest.raises(ConfigError, match=message):
        plan(tiny(**options))


def test_a_policy_file_with_an_unknown_key_is_refused(tmp_path, monkeypatch):
    from experiments.robust import space

    (tmp_path / "odd.yaml").write_text("policies:\n  current: {}\n  other: {firm.promise: 6}\nlevers: [firm.promise]\n")
    monkeypatch.setattr(space, "POLICY_DIR", tmp_path)
    with pytest.raises(ConfigError, match="levers is not a key of a policy file"):
        plan(tiny(policies="odd"))


def test_a_posterior_of_another_model_version_is_refused(tmp_path):
    path = tmp_path / "posterior.parquet"
    write_posterior(path, "0.0.1+000000000000")
    with pytest.raises(ConfigError, match="made by model version 0.0.1"):
        plan(tiny(posterior=str(path)))


def test_the_command_line_exits_2_and_writes_nothing_on_bad_input(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(Path(CONFIG_DIR).parent))
    done = subprocess.run(
        [sys.executable, "-m", "experiments.robust.app", f"hydra.run.dir={out}", "+grid.firm.promse=[6,7]"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert done.returncode == 2
    assert "did you mean firm.promise" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()
