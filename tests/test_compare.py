"""Paired what-ifs (issue 12 item 1): a run against its reference on the same seed and dice, and replications."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.compare import HEADLINE, comparison, comparison_lines, headline, paired_table, reference_of
from sim.config import compose
from sim.params import ConfigError
from sim.run import simulate
from sim.version import model_version
from tests.test_cli import servsim

SMALL = {"market.customers": 1500, "days": 150, "output.progress": False}


def test_the_reference_of_a_surprise_is_its_never_surprised_twin_on_the_same_dice():
    config = compose({**SMALL, "firm.surprise.start": 60, "firm.surprise.length": 30, "firm.promise": 8, "seed": 4})
    reference = reference_of(config)
    assert reference.label == "never surprised"
    assert reference.changes == {"firm.surprise.length": (30, 0)}
    twin = reference.config
    assert twin.firm.surprise.length == 0 and twin.firm.promise == 8 and twin.seed == 4
    ours, theirs = simulate(config)[0], simulate(twin)[0]
    pd.testing.assert_frame_equal(ours.iloc[:60], theirs.iloc[:60])  # the same dice until the surprise
    assert not ours.iloc[60:90].equals(theirs.iloc[60:90])


def test_the_reference_of_another_scenario_undoes_what_it_changed_and_keeps_the_context():
    config = compose({**SMALL, "seed": 7, "firm.quality": 7.5}, scenario="overpromise")
    reference = reference_of(config)
    assert reference.label == "baseline settings"
    assert reference.changes == {"firm.quality": (7.5, 7.0), "firm.promise": (8.5, 7.0)}
    twin = reference.config
    assert (twin.seed, twin.days, twin.market.customers) == (7, 150, 1500)
    assert reference_of(compose(SMALL)) is None  # the baseline itself: nothing to compare
    assert reference_of(compose({**SMALL, "firm.promise": 8}, scenario="overpromise")).changes == {"firm.promise": (8, 7.0)}


def test_a_desk_sized_per_customer_is_compared_with_the_baselines_density():
    config = compose({"firm.guarantee": True, "market.customers": 50_000, "recovery.staff_per_10k": 3})
    reference = reference_of(config)
    assert reference.changes == {"firm.guarantee": (True, False), "recovery.staff_per_10k": (3.0, 2.0)}
    assert (config.recovery.staff, reference.config.recovery.staff) == (15, 10)


def test_a_lesson_is_compared_with_its_counterfactual():
    config = compose({"output.progress": False}, lesson="recovery", scenario="overpromise")
    reference = reference_of(config, "recovery")
    assert reference.label == "fast desk"
    assert reference.config.firm.promise == 8.5 and reference.config.recovery.staff == 4


@pytest.mark.parametrize(
    ("per_10k", "customers", "staff"), [(3, 50_000, 15), (2, 10_000, 2), (2, 12_345, 3), (0.5, 1_000, 1), (2, 50_000, 10)]
)
def test_staff_per_10k_sets_the_desk_rounded_up_and_at_least_one(per_10k, customers, staff):
    config = compose({"recovery.staff_per_10k": per_10k, "market.customers": customers})
    assert config.recovery.staff == staff
    assert compose({"recovery.staff": 7}).recovery.staff == 7  # unset (0): staff decides
    with pytest.raises(ConfigError, match="recovery.staff and recovery.staff_per_10k are both given"):
        compose({"recovery.staff_per_10k": per_10k, "market.customers": customers, "recovery.staff": 7})


def test_staff_per_10k_out_of_range_is_refused():
    with pytest.raises(ConfigError, match="recovery.staff_per_10k = -1"):
        compose({"recovery.staff_per_10k": -1})


def _summary(retention: float, profit: float, silent_n: int = 100) -> dict:
    ladder = {group: {"n": silent_n, "stayed": 0.9} for group in ("silent", "resolved_fast", "unresolved")}
    return {"retention_never_left": retention, "retention_at_horizon": retention, "market_share": 0.6,
            "complaint_share": 0.08, "after_first_problem": {"180": ladder}, "profit": profit}


def test_paired_differences_get_t_intervals_by_hand():
    rng = np.random.default_rng(1)
    ours, theirs = rng.normal(100, 10, 5), rng.normal(90, 10, 5)
    pairs = [(seed, _summary(0.7, a), _summary(0.75, b)) for seed, a, b in zip(range(5), ours, theirs)]
    table = paired_table(pairs)
    assert len(table) == 5 * len(HEADLINE)
    row = comparison(table).set_index("metric").loc["profit"]
    differences = ours - theirs
    half = stats.t.ppf(0.975, 4) * differences.std(ddof=1) / math.sqrt(5)
    assert row["n"] == 5 and row["difference"] == pytest.approx(differences.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((differences.mean() - half, differences.mean() + half))
    assert comparison(table).set_index("metric").loc["retention_never_left", "difference"] == pytest.approx(-0.05)


def test_fewer_than_three_replications_warn_that_intervals_are_unreliable():
    config = compose({**SMALL, "firm.promise": 8})
    reference = reference_of(config)
    pairs = [(seed, _summary(0.7 + seed / 100, 1000), _summary(0.75, 900)) for seed in range(2)]
    lines = comparison_lines(comparison(paired_table(pairs)), reference, [0, 1])
    assert any("warning: with 2 replications the likely ranges are unreliable" in line for line in lines)
    pairs.append((2, _summary(0.71, 1000), _summary(0.75, 900)))
    assert not any("warning" in line for line in comparison_lines(comparison(paired_table(pairs)), reference, [0, 1, 2]))


def test_a_landmark_group_too_small_to_tell_is_not_compared():
    assert math.isnan(headline(_summary(0.7, 1.0, silent_n=29))["after_first_problem.180.silent.stayed"])
    assert headline(_summary(0.7, 1.0, silent_n=30))["after_first_problem.180.silent.stayed"] == 0.9


def test_cli_replications_pair_every_seed_with_its_reference(tmp_path):
    result = servsim(tmp_path, "scenario=surprise_regress", "firm.surprise.start=60", "firm.surprise.length=40",
                     "market.customers=800", "days=150", "replications=3", "output.figures=false", "seed=5")
    assert result.returncode == 0, result.stderr
    assert ("Against its reference, the same customers and the same chance events (3 replications, seeds 5-7, "
            "each seed compared with its own reference): never surprised") in result.stdout
    assert "warning" not in result.stdout
    # the money block and the table speak of the same mean profit, rounded once
    money = re.search(r"the mean of 3 replications \(seeds 5-7; profit likely between ([\d,-]+) and ([\d,-]+)\):\n"
                      r"(?:.*\n)*?    profit +([\d,-]+)\n", result.stdout)
    table_profit = re.search(r"    profit +([\d,-]+) +[\d,-]+ ", result.stdout).group(1)
    assert money and money.group(3) == table_profit
    table = pd.read_csv(tmp_path / "replications.csv")
    assert sorted(table["seed"].unique()) == [5, 6, 7] and len(table) == 3 * len(HEADLINE)
    means = pd.read_csv(tmp_path / "comparison.csv").set_index("metric")
    assert means.loc["profit", "n"] == 3 and means.loc["profit", "ci_low"] < means.loc["profit", "ci_high"]
    # summary.json is the run's own (seed 5); the others and every reference sit beside it
    own = json.loads((tmp_path / "summary.json").read_text())
    config = compose({"firm.surprise.start": 60, "firm.surprise.length": 40, "market.customers": 800, "days": 150,
                      "seed": 6, "output.progress": False}, scenario="surprise_regress")
    stored = json.loads((tmp_path / "replications" / "6" / "summary.json").read_text())
    assert stored.pop("model_version") == model_version()
    assert stored == json.loads(json.dumps(simulate(config)[1]))
    never = json.loads((tmp_path / "replications" / "6" / "reference" / "summary.json").read_text())
    seed6 = table[(table["seed"] == 6) & (table["metric"] == "profit")].iloc[0]
    assert seed6["reference"] == pytest.approx(never["profit"], rel=1e-5)
    assert money.group(3) == f"{round(means.loc['profit', 'value']):,}"
    assert own["profit"] == pytest.approx(means.loc["profit", "value"] * 3 - table[(table["seed"] != 5) & (table["metric"] == "profit")]["value"].sum(), rel=1e-5)
    assert (tmp_path / "reference" / "timeseries.csv").exists()


def test_cli_compare_false_runs_the_run_alone(tmp_path):
    result = servsim(tmp_path, "scenario=overpromise", "market.customers=500", "days=60", "compare=false", "output.figures=false")
    assert result.returncode == 0, result.stderr
    assert "Against its reference" not in result.stdout
    assert not (tmp_path / "reference").exists() and not (tmp_path / "comparison.csv").exists()


def test_replications_in_a_sweep_are_refused_in_one_line(tmp_path):
    from tests.test_bad_input import assert_one_line
    from tests.test_bad_input import servsim as servsim_in_process

    status, _, err = servsim_in_process(tmp_path, "-m", f"hydra.sweep.dir={tmp_path}/sweep", "hydra/launcher=basic",
                                        "firm.promise=6,7", "replications=3", "market.customers=100", "days=5")
    assert assert_one_line(status, err) == (
        "servsim: invalid configuration: replications = 3 is not allowed in a sweep (-m): sweep the seed instead "
        "(seed=range(0,3))"
    )


def test_replications_without_a_reference_give_each_value_an_interval_within_its_bounds():
    pairs = [(seed, _summary(0.9 + seed / 20, 1000 + seed), None) for seed in range(2)]
    table = comparison(paired_table(pairs)).set_index("metric")
    assert table.loc["profit", "n"] == 2 and table["difference"].isna().all()
    retention = table.loc["retention_never_left"]
    assert 0 <= retention["value_ci_low"] < retention["value"] < retention["value_ci_high"] <= 1
    lines = comparison_lines(table.reset_index(), None, [0, 1])
    assert lines[0].startswith("  Over 2 replications (seeds 0-1): means, each with its likely range; no reference")
    assert any("warning: with 2 replications" in line for line in lines)


def test_memory_is_checked_for_every_run_held_at_once(tmp_path, monkeypatch):
    import sim.config
    from tests.test_bad_input import assert_one_line
    from tests.test_bad_input import servsim as servsim_in_process

    config = compose({"market.customers": 3_000_000}, scenario="overpromise")
    one = sim.config.memory_estimate(config)
    monkeypatch.setattr(sim.config, "available_memory", lambda: int(1.5 * one))  # one run fits, two do not
    line = assert_one_line(*servsim_in_process(tmp_path, "scenario=overpromise", "market.customers=3000000")[::2])
    assert "(2 runs at once: the run, its reference and replications; compare=false or fewer replications need less)" in line
    assert not (tmp_path / "summary.json").exists()


def test_the_overview_draws_the_reference_as_a_grey_line():
    import matplotlib.colors

    from agents.firm import SurpriseSchedule
    from sim.figures import overview_figure
    from sim.panels import REFERENCE_COLOUR

    config = compose({**SMALL, "firm.surprise.start": 60, "firm.surprise.length": 30})
    timeseries, summary, _ = simulate(config)
    reference = simulate(reference_of(config).config)[0]
    window = SurpriseSchedule(config.firm.surprise).window(config.days)
    grey = matplotlib.colors.to_rgba(REFERENCE_COLOUR)
    for drawn, expected in ((reference, True), (None, False)):
        fig = overview_figure(timeseries, summary, "t", window, 1.0, drawn, "never surprised")
        labels = [line.get_label() for ax in fig.axes for line in ax.get_lines()
                  if matplotlib.colors.to_rgba(line.get_color()) == grey]
        assert ("never left, never surprised" in labels) is expected
        assert ("profit, never surprised" in labels) is expected
