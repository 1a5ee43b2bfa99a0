"""The decision under deep uncertainty, as the EMA Workbench sees it: levers, uncertainties, scenarios.

Levers are the firm's settings the candidate policies differ in (a named list from
``configs/policies/NAME.yaml``, or every combination of a grid); uncertainties are the
behavioural parameters (and the competitor's quality) no one can set, drawn by the
Workbench's Latin hypercube over declared ranges or taken from a calibration's posterior
draws. Everything is checked against servsim's schema before the first run, so a mistake
gets one paragraph naming the key, the value and what is allowed.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml
from ema_workbench import BooleanParameter, IntegerParameter, Policy, RealParameter, Scenario
from ema_workbench.em_framework.samplers import LHSSampler, sample_parameters

from experiments.fact_region import REGION
from sim.config import CONFIG_DIR, preset_tree
from sim.params import ConfigError, check_setting, flatten

POLICY_DIR = CONFIG_DIR / "policies"
# The rival's quality is outside both the firm's and the customers' hands: an external uncertainty.
COMPETITOR = "market.competitor_quality"
# Lever sections: the firm decides its promise, delivery, recovery desk and marketing, never its customers' minds.
LEVER_SECTIONS = ("firm", "recovery", "market")
REFERENCE = "current"


@dataclass(frozen=True)
class Candidates:
    """The candidate policies (name -> {lever key: value}), every policy naming every lever."""

    policies: dict[str, dict]
    reference: str
    description: str

    @property
    def levers(self) -> list[str]:
        return list(next(iter(self.policies.values())))


def base_settings(settings: Mapping) -> dict:
    """The firm's current settings: the schema's defaults with the fixed ``settings`` on top, flat."""
    tree = flatten(preset_tree())
    for key, value in settings.items():
        check_setting(key, value)
    return {**tree, **settings}


def _check_lever(key: str, value, source: str) -> None:
    check_setting(key, value)
    if key.split(".")[0] not in LEVER_SECTIONS:
        raise ConfigError(
            f"{source}: {key} is not a lever: a policy sets the firm's settings ({', '.join(s + '.*' for s in LEVER_SECTIONS)}), "
            "not its customers' behaviour, which is an uncertainty"
        )


def load_policies(name: str, base: dict) -> Candidates:
    """``configs/policies/NAME.yaml``: ``description``, ``reference`` and ``policies`` (name -> settings)."""
    path = POLICY_DIR / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in POLICY_DIR.glob("*.yaml")))
        raise ConfigError(f"policies = {name!r} is not allowed: expected one of {known} (files in configs/policies/)")
    data = yaml.safe_load(path.read_text()) or {}
    unknown = set(data) - {"description", "reference", "policies"}
    if unknown:
        raise ConfigError(
            f"{path.name}: {', '.join(sorted(unknown))} is not a key of a policy file: expected description, reference "
            "and policies (name: {setting: value})"
        )
    policies = data.get("policies") or {}
    if len(policies) < 2:
        raise ConfigError(f"{path.name}: policies lists {len(policies)} policy: expected at least two to choose between")
    for policy, settings in policies.items():
        for key, value in (settings or {}).items():
            _check_lever(key, value, f"{path.name}, policy {policy}")
    reference = data.get("reference", REFERENCE)
    if reference not in policies:
        raise ConfigError(f"{path.name}: reference = {reference!r} is not one of its policies ({', '.join(policies)})")
    return _complete({p: dict(s or {}) for p, s in policies.items()}, reference, base, str(data.get("description", "")))


def grid_policies(grid: Mapping, base: dict) -> Candidates:
    """Every combination of the grid's values, plus the firm's current settings as the reference."""
    for key, values in grid.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise ConfigError(f"grid.{key} = {values!r} is not allowed: expected a list of values ([6, 7, 8])")
        for value in values:
            _check_lever(key, value, f"grid.{key}")
    keys = list(grid)
    policies = {REFERENCE: {}}
    for values in itertools.product(*(grid[k] for k in keys)):
        name = " ".join(f"{k.split('.')[-1]}={v}" for k, v in zip(keys, values))
        policies[name] = dict(zip(keys, values))
    return _complete(policies, REFERENCE, base, "every combination of " + ", ".join(keys))


def _complete(policies: dict[str, dict], reference: str, base: dict, description: str) -> Candidates:
    """Each policy names every lever; a lever a policy leaves out keeps the reference's value (else the base's).

    A setting every policy shares is no lever (nothing to choose): it stays in the policies, not the levers.
    """
    keys = list(dict.fromkeys(k for settings in policies.values() for k in settings))
    fallback = {k: policies[reference].get(k, base[k]) for k in keys}
    full = {name: {k: settings.get(k, fallback[k]) for k in keys} for name, settings in policies.items()}
    return Candidates(full, reference, description)


def workbench_levers(candidates: Candidates) -> list:
    """The Workbench's lever parameters, typed from the values the policies give them."""
    levers = []
    for key in candidates.levers:
        values = [policy[key] for policy in candidates.policies.values()]
        if len(set(values)) == 1:
            continue
        if all(isinstance(v, bool) for v in values):
            levers.append(BooleanParameter(key))
        elif all(isinstance(v, int) for v in values):
            levers.append(IntegerParameter(key, min(values), max(values)))
        else:
            levers.append(RealParameter(key, float(min(values)), float(max(values))))
    return levers


def workbench_policies(candidates: Candidates, levers: list) -> list[Policy]:
    """Policies naming the Workbench's levers; the settings no lever varies ride along as constants."""
    names = {lever.name for lever in levers}
    return [Policy(name, **{k: v for k, v in settings.items() if k in names}) for name, settings in candidates.policies.items()]


def declared_ranges(source: str, ranges: Mapping) -> dict[str, tuple[float, float]]:
    """The uncertainties' ranges: the fact region (or the calibration's priors), then ``ranges`` on top."""
    if source == "fact_region":
        found = dict(REGION)
    elif source == "priors":
        try:
            from experiments.calibrate.priors import priors
        except ImportError:
            raise ConfigError(
                "uncertainties = 'priors' is not available: this version declares no calibration priors; "
                "expected fact_region, or ranges given as ranges.KEY=[low,high]"
            ) from None
        found = {p.key: (p.low, p.high) for p in priors()}
    else:
        raise ConfigError(f"uncertainties = {source!r} is not allowed: expected fact_region or priors")
    for key, bounds in ranges.items():
        if not isinstance(bounds, (list, tuple)) or len(bounds) != 2:
            raise ConfigError(f"ranges.{key} = {bounds!r} is not allowed: expected [low, high]")
        low, high = bounds
        check_setting(key, low)
        check_setting(key, high)
        if not low < high:
            raise ConfigError(f"ranges.{key} = [{low}, {high}] is not allowed: low must be below high")
        found[key] = (float(low), float(high))
    return found


def check_apart(candidates: Candidates, uncertain: list[str]) -> None:
    """A key cannot be both chosen (a lever) and uncertain."""
    both = sorted(set(candidates.levers) & set(uncertain))
    if both:
        raise ConfigError(f"{', '.join(both)} is both a lever and an uncertainty: expected each key in one role")


def workbench_uncertainties(bounds: Mapping[str, tuple[float, float]]) -> list[RealParameter]:
    return [RealParameter(key, low, high) for key, (low, high) in bounds.items()]


@contextmanager
def _numpy_seeded(seed: int):
    """The Workbench's samplers draw from numpy's global generator: seed it for them, then put it back."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def latin_hypercube(uncertainties: list, n: int, seed: int) -> list[Scenario]:
    """``n`` scenarios by the Workbench's Latin hypercube sampler, the same for the same seed."""
    with _numpy_seeded(seed):
        designs = sample_parameters(uncertainties, n, LHSSampler(), Scenario)
        return [Scenario(str(i), **{key: float(value) for key, value in design.items()}) for i, design in enumerate(designs)]


def posterior_scenarios(draws: pd.DataFrame, n: int, seed: int, external: Mapping[str, tuple[float, float]]):
    """``n`` posterior draws (with replacement when asked for more than there are), each joined with the
    external uncertainties drawn by Latin hypercube; and the ranges the Workbench is told."""
    rng = np.random.default_rng(seed)
    rows = draws.iloc[rng.choice(len(draws), size=n, replace=n > len(draws))].reset_index(drop=True)
    outside = latin_hypercube(workbench_uncertainties(external), n, seed) if external else [{}] * n
    scenarios = [
        Scenario(str(i), **{k: float(v) for k, v in row.items()}, **dict(other))
        for i, (row, other) in enumerate(zip(rows.to_dict("records"), outside))
    ]
    spread = {k: (float(draws[k].min()), float(draws[k].max())) for k in draws.columns}
    return scenarios, {**spread, **external}
