"""The terminal summary tells the truth about the run (issue 12 item 2)."""

import re

import numpy as np
import pytest

from sim.config import compose
from sim.narrative import changed_settings, money_lines, plain_summary, recovery_lines
from sim.run import simulate

SMALL = {"market.customers": 1500, "days": 200, "output.progress": False}


@pytest.fixture(scope="module")
def understaffed():
    config = compose({**SMALL, "recovery.handling_days": 3.0}, scenario="understaffed_desk")
    timeseries, summary, model = simulate(config)
    return config, summary, model.event_table


def _printed_money(text: str) -> dict:
    block = text.split("  Money over the horizon:\n", 1)[1].splitlines()
    rows = {}
    for line in block:
        match = re.fullmatch(r"    (\S.*?)\s+(-?[\d,]+)", line)
        if not match:
            break
        rows[match.group(1)] = int(match.group(2).replace(",", ""))
    return rows


@pytest.mark.parametrize("scenario", ["baseline", "guarantee", "understaffed_desk"])
def test_the_printed_money_lines_add_up_to_the_printed_profit(scenario):
    config = compose(SMALL, scenario=scenario)
    _, summary, model = simulate(config)
    rows = _printed_money(plain_summary(summary, config, scenario, "out", model.event_table))
    assert list(rows) == ["revenue", "delivery", "handler wages", "compensation", "guarantee payouts",
                          "winning customers", "profit"]
    assert sum(amount for label, amount in rows.items() if label != "profit") == rows["profit"]
    assert rows["profit"] == round(summary["profit"])
    wages = config.recovery.staff * config.recovery.staff_cost * config.days
    true = {"revenue": summary["revenue"], "delivery": -summary["delivery_cost"], "handler wages": -wages,
            "compensation": -summary["compensation_cost"], "guarantee payouts": -summary["guarantee_cost"],
            "winning customers": -summary["acquisition_cost"]}
    for label, amount in true.items():
        assert abs(rows[label] - amount) < 1, label
    if scenario == "guarantee":
        assert rows["guarantee payouts"] < 0


def test_money_lines_round_without_drift():
    summary = {"revenue": 10.4, "delivery_cost": 2.4, "recovery_cost": 1.4 + 0.4, "compensation_cost": 0.4,
               "guarantee_cost": 0.4, "acquisition_cost": 0.4, "profit": 5.0}
    lines = dict(money_lines(summary))
    assert sum(v for k, v in lines.items() if k != "profit") == lines["profit"] == 5


def test_every_changed_key_is_named_lesson_and_scenario_together():
    config = compose({"output.progress": False}, lesson="recovery", scenario="overpromise")
    changed = changed_settings(config)
    for expected in ("firm.promise = 8.5 (default 7)", "recovery.staff = 1 (default 2)", "days = 365 (default 730)",
                     "firm.step_reliability = 0.95 (default 0.99)", "recovery.on_the_spot = 0 (default 0.3)"):
        assert expected in changed
    assert changed_settings(compose()) == []
    scaled = changed_settings(compose({"market.customers": 50_000, "recovery.staff_per_10k": 3}))
    assert "recovery.staff = 15 (default 2)" in scaled and "recovery.staff_per_10k = 3 (default 0)" in scaled


def test_the_recovery_delay_counts_those_who_gave_up(understaffed):
    config, summary, table = understaffed
    text = "\n".join(recovery_lines(summary, config, table))
    events = table.frame()
    delays = events.loc[events["kind"].isin(["resolved", "abandoned"]), "delay"].to_numpy(float)
    abandoned = int((events["kind"] == "abandoned").sum())
    at_desk = int(((events["kind"] == "complaint") & (events["channel"] == "desk")).sum())
    assert abandoned / at_desk > 0.10, "the fixture must overload the desk"
    assert f"Mean recovery delay {delays.mean():.2f} days over all {len(delays):,} answered or abandoned" in text
    assert f"of whom {abandoned:,} ({abandoned / at_desk:.0%}) gave up waiting" in text
    assert "WARNING: the desk is overloaded" in text and "recovery.staff=" in text and "recovery.staff_per_10k=" in text
    assert np.isclose(summary["mean_recovery_days"], events.loc[events["kind"] == "resolved", "delay"].mean())


def test_the_suggested_desk_takes_the_load(understaffed):
    config, summary, events = understaffed
    staff = int(re.search(r"recovery\.staff=(\d+)", "\n".join(recovery_lines(summary, config, events))).group(1))
    fixed = compose({**SMALL, "recovery.handling_days": 3.0, "recovery.staff": staff}, scenario="understaffed_desk")
    _, fixed_summary, model = simulate(fixed)
    assert not any("WARNING" in line for line in recovery_lines(fixed_summary, fixed, model.event_table))


def test_no_warning_for_a_desk_that_copes():
    config = compose(SMALL)
    _, summary, model = simulate(config)
    assert not any("WARNING" in line for line in recovery_lines(summary, config, model.event_table))
