"""Shared helpers: small, fast configurations built from dotted overrides."""

from __future__ import annotations

import pytest

from sim.params import nested, validate
from sim.run import simulate


SMALL = {"market.customers": 800, "days": 150, "output.progress": False, "output.figures": False}


def small_config(**overrides):
    """A validated config: 800 people, 150 days, unless overridden (use __ for dots)."""
    merged = dict(SMALL)
    merged.update({key.replace("__", "."): value for key, value in overrides.items()})
    return validate(nested(merged))


@pytest.fixture(scope="session")
def baseline_run():
    """One small baseline run shared by the invariant tests."""
    return simulate(small_config(seed=11, days=200, market__customers=1500))
