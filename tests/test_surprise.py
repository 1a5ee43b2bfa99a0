"""The surprise schedule: its shape in the firm and in a run's delivered level."""

import numpy as np

from agents.firm import SurpriseSchedule
from sim.params import SurpriseConfig
from sim.run import simulate
from tests.conftest import small_config


def test_regress_schedule_lifts_then_falls_back():
    s = SurpriseSchedule(SurpriseConfig(start=10, length=5, size=1.5, regress=True))
    assert [s.extra_quality(day) for day in (0, 9, 10, 14, 15, 100)] == [0, 0, 1.5, 1.5, 0, 0]
    assert s.window(100) == (10, 15)


def test_sustained_schedule_keeps_the_lift():
    s = SurpriseSchedule(SurpriseConfig(start=10, length=5, size=1.5, regress=False))
    assert [s.extra_quality(day) for day in (9, 10, 15, 1000)] == [0, 1.5, 1.5, 1.5]
    assert s.window(100) == (10, 100)


def test_no_surprise_when_length_is_zero():
    s = SurpriseSchedule(SurpriseConfig(start=10, length=0, size=1.5, regress=True))
    assert s.extra_quality(12) == 0 and s.window(100) is None


def test_run_delivers_the_schedule_day_by_day():
    ts, _, _ = simulate(small_config({"firm.surprise.start": 30, "firm.surprise.length": 20, "firm.surprise.size": 2.0}))
    lift = ts["service_level"].to_numpy() - ts["service_level"].iloc[0]
    expected = np.zeros(len(ts))
    expected[30:50] = 2.0
    assert np.allclose(lift, expected)
