"""The calibrated parameters: each behavioural key with a prior declared in the schema (``param(prior=...)``)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.params import CustomersConfig


@dataclass(frozen=True)
class Prior:
    """Uniform on [low, high]: what a calibration draws ``key`` from, and why that range."""

    key: str
    low: float
    high: float
    why: str

    @property
    def width(self) -> float:
        return self.high - self.low


def priors() -> list[Prior]:
    """Every ``customers.*`` parameter with a declared prior, in the schema's order."""
    return [
        Prior(f"customers.{f.name}", *f.metadata["prior"])
        for f in fields(CustomersConfig)
        if f.metadata.get("prior") is not None
    ]


def draw(prior_list: list[Prior], rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` parameter sets from the uniform priors, one row each."""
    low = np.array([p.low for p in prior_list])
    high = np.array([p.high for p in prior_list])
    return low + (high - low) * rng.random((n, len(prior_list)))
