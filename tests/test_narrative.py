"""The terminal summary tells the truth about the run (issue 12 item 2) in words a manager reads (issue 23)."""

import re

import numpy as np
import pytest

from sim.compare import Outcome
from sim.config import compose
from sim.narrative import Words, money_lines, plain_summary, present_value, recovery_lines, what_ran
from sim.run import simulate

SMALL = {"market.customers": 1500, "days": 200, "output.progress": False}


@pytest.fixture(scope="module")
def understaffed():
    config = compose({**SMALL, "recovery.handling_days": 3.0}, scenario="understaffed_desk")
    timeseries, summary, model = simulate(config)
    return config, summary, model.event_table


def _printed_money(text: str) -> dict:
    block = text.split("  Money over the horizon, in money units:\n", 1)[1].splitlines()
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
    timeseries, summary, model = simulate(config)
    text = plain_summary(Outcome(timeseries, summary, model), config, {"scenario": scenario}, "out")
    rows = _printed_money(text)
    assert list(rows) == ["revenue", "delivery", "handler wages", "compensation", "guarantee payouts",
                          "winning customers", "profit"]
    assert re.search(rf"profit today +{round(present_value(timeseries, 0.05)):,}  \(its present value", text)
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


def test_money_lines_end_on_the_summarys_own_profit():
    """The sum of the summary's amounts can differ from its profit in the last bits; the profit printed is
    round(profit), as the comparison table prints it, and the lines still add up to it."""
    summary = {"revenue": 100.5, "delivery_cost": 0.0, "recovery_cost": 0.0, "compensation_cost": 0.0,
               "guarantee_cost": 0.0, "acquisition_cost": 0.0, "profit": 100.49999}
    lines = dict(money_lines(summary))
    assert lines["profit"] == round(summary["profit"]) == 100
    assert sum(v for k, v in lines.items() if k != "profit") == 100


def test_present_value_discounts_each_days_profit():
    import pandas as pd

    days = pd.DataFrame({"day": [0, 365, 730], "profit": [100.0, 110.0, 121.0]})
    assert present_value(days, 0.10) == pytest.approx(300.0)
    assert present_value(days, 0.0) == pytest.approx(331.0)


def test_the_preset_and_every_setting_beyond_it_or_typed_are_named():
    config = compose({"output.progress": False}, lesson="recovery", scenario="overpromise")
    text = "\n".join(what_ran(config, {"scenario": "overpromise", "lesson": "recovery"}, {}))
    for expected in ("firm.promise = 8.5", "recovery.staff = 1", "days = 365", "firm.step_reliability = 0.95",
                     "recovery.on_the_spot = 0"):
        assert expected in text
    assert "No setting beyond the preset." in text
    assert what_ran(compose(), {"scenario": "baseline"}, {})[-1] == "  No setting beyond the preset."


def test_a_typed_setting_equal_to_the_default_is_named_and_the_presets_description_gives_way():
    config = compose({"recovery.staff": 2}, scenario="understaffed_desk")
    text = "\n".join(what_ran(config, {"scenario": "understaffed_desk"}, {"recovery.staff": "2"}))
    assert "recovery.staff = 2 (you set it; the preset's 1 gives way)" in text
    assert "One handler" not in text and "you changed recovery.staff.)" in text
    kept = "\n".join(what_ran(compose({"seed": 4}), {"scenario": "baseline"}, {"seed": "4"}))
    assert "Preset: The firm promises what it delivers (7 of 10)" in kept
    promise = "\n".join(what_ran(compose({"firm.promise": 9}), {"scenario": "baseline"}, {"firm.promise": "9"}))
    assert "promises what it delivers" not in promise and "you changed firm.promise.)" in promise
    own = "\n".join(what_ran(compose({"description": "mine"}), {"scenario": "baseline"}, {"description": "mine"}))
    assert "Description (yours): mine" in own and "Preset:" not in own


def test_a_desk_sized_per_customer_names_where_its_staff_came_from():
    config = compose({"market.customers": 50_000, "recovery.staff_per_10k": 3})
    text = "\n".join(what_ran(config, {"scenario": "baseline"}, {"market.customers": "50000", "recovery.staff_per_10k": "3"}))
    assert "recovery.staff = 15 (from recovery.staff_per_10k = 3)" in text


# Words of the old summary a manager did not follow; plain words say each another way.
JARGON = (" pp", "95% CI", "paired by seed", "same dice", "landmarks followed", "first-time-right",
          "shortfalls voiced", "never left", "at the horizon")


@pytest.mark.parametrize("scenario", ["surprise_regress", "understaffed_desk"])
def test_plain_words_by_default_and_the_shorthand_on_request(scenario):
    texts = {}
    for terse in (False, True):
        config = compose({**SMALL, "output.terse": terse}, scenario=scenario)
        timeseries, summary, model = simulate(config)
        texts[terse] = plain_summary(Outcome(timeseries, summary, model), config, {"scenario": scenario}, "out")
    assert not [word for word in JARGON if word in texts[False]], texts[False]
    assert "trust" in texts[False] and "(0 = none, 1 = full)" in texts[False]
    assert "in 100" in texts[False] and "README.md, section Glossary" in texts[False]
    assert "in 100" not in texts[True] and "%" in texts[True] and "Glossary" not in texts[True]


def test_the_recovery_delay_counts_those_who_gave_up(understaffed):
    config, summary, table = understaffed
    text = "\n".join(recovery_lines(summary, config, table, Words()))
    events = table.frame()
    delays = events.loc[events["kind"].isin(["resolved", "abandoned"]), "delay"].to_numpy(float)
    abandoned = int((events["kind"] == "abandoned").sum())
    at_desk = int(((events["kind"] == "complaint") & (events["channel"] == "desk")).sum())
    assert abandoned / at_desk > 0.10, "the fixture must overload the desk"
    assert f"Mean recovery delay {delays.mean():.2f} days over all {len(delays):,} answered or abandoned" in text
    assert f"of whom {abandoned:,} ({100 * abandoned / at_desk:.1f} in 100) gave up waiting" in text
    assert "WARNING: the desk is overloaded" in text and "recovery.staff=" in text and "recovery.staff_per_10k=" in text
    assert np.isclose(summary["mean_recovery_days"], events.loc[events["kind"] == "resolved", "delay"].mean())


def test_the_suggested_desk_takes_the_load(understaffed):
    config, summary, events = understaffed
    staff = int(re.search(r"recovery\.staff=(\d+)", "\n".join(recovery_lines(summary, config, events, Words()))).group(1))
    fixed = compose({**SMALL, "recovery.handling_days": 3.0, "recovery.staff": staff}, scenario="understaffed_desk")
    _, fixed_summary, model = simulate(fixed)
    assert not any("WARNING" in line for line in recovery_lines(fixed_summary, fixed, model.event_table, Words()))


def test_no_warning_for_a_desk_that_copes():
    config = compose(SMALL)
    _, summary, model = simulate(config)
    assert not any("WARNING" in line for line in recovery_lines(summary, config, model.event_table, Words()))


def test_an_overload_warning_shows_the_share_precisely_enough_to_exceed_its_threshold(understaffed):
    config, summary, table = understaffed
    text = "\n".join(recovery_lines(summary, config, table, Words()))
    shown = float(re.search(r"overloaded: ([\d.]+) in 100", text).group(1))
    assert shown > 100 * 0.10
