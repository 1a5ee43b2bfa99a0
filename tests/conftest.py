"""Shared helpers: small, fast configurations built from dotted overrides."""

from __future__ import annotations

import pytest

from hydra import compose, initialize_config_dir

from sim.cli import CONFIG_DIR
from sim.params import nested, register_configs, validate
from sim.run import simulate


def compose_config(*overrides: str, with_hydra: bool = False):
    """The config exactly as `servsim OVERRIDES...` composes it; with Hydra's own node when asked."""
    register_configs()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides), return_hydra_config=with_hydra)


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
