"""Shared helpers: small, fast configurations built with the one config helper (sim.config)."""

from __future__ import annotations

import pytest

from sim.config import compose
from sim.run import simulate

SMALL = {"market.customers": 800, "days": 150, "output.progress": False, "output.figures": False}


def small_config(overrides: dict | None = None):
    """A validated config: 800 people, 150 days, unless ``overrides`` (dotted keys) say otherwise."""
    return compose({**SMALL, **(overrides or {})})


@pytest.fixture(scope="session")
def baseline_run():
    """One small baseline run shared by the invariant tests."""
    return simulate(small_config({"seed": 11, "days": 200, "market.customers": 1500}))
