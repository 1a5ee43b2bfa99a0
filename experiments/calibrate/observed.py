"""A firm's observed figures (``configs/observed/*.yaml``), checked whole before any simulation.

    firm:                       who the figures describe
      customers: 2000           people in its market (size of the simulated market)
      days: 730                 the period the figures cover
      settings:                 its own settings, as servsim keys (kept fixed, never fitted)
        firm.promise: 7
    figures:                    each a key of summary.json, dotted exactly as a run writes it
      retention_never_left: {value: 0.78, n: 1000}      a share and the customers it rests on
      complaint_ratio: {value: 0.004, se: 0.0005}       or a value and its standard error
      complaint_share: {range: [0.04, 0.10], source: TARP 1986}   or a range the model must fall in

Every mistake is one ``ObservedError`` paragraph naming the figure, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from experiments.calibrate.priors import priors
from sim.params import ConfigError, check_setting


class ObservedError(ValueError):
    """A mistake in an observed-figures file; the message is the whole story."""


@dataclass(frozen=True)
class Figure:
    """One observed figure: a value with its standard error, or a range [low, high]."""

    key: str
    value: float | None = None
    se: float | None = None
    low: float | None = None
    high: float | None = None
    source: str = ""

    @property
    def is_range(self) -> bool:
        return self.value is None

    @property
    def centre(self) -> float:
        return self.value if self.value is not None else (self.low + self.high) / 2


@dataclass(frozen=True)
class Observed:
    """A firm: its size, period and own settings, and the figures it observed."""

    name: str
    customers: int
    days: int
    settings: dict = field(default_factory=dict)
    figures: tuple = ()

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.figures]


@cache
def summary_keys() -> tuple[str, ...]:
    """Every numeric key of summary.json (dotted), from a tiny run: the keys a figure may name."""
    from experiments.calibrate.bank import numeric_summary
    from sim.config import compose
    from sim.run import simulate

    config = compose({"market.customers": 100, "days": 30, "output.progress": False})
    return tuple(numeric_summary(simulate(config)[1]))


# The last part of a key that is a share of people or visits (must lie in [0, 1]).
SHARE_ENDINGS = ("stayed", "never_left", "ci_low", "ci_high", "market_share", "first_time_right", "complaint_share",
                 "complaint_ratio", "share_resolved_fast", "dissatisfied_customers_who_complained")


def is_share(key: str) -> bool:
    last = key.rsplit(".", 1)[-1]
    return last in SHARE_ENDINGS or last.startswith("retention") or key.startswith(("outcome_shares.", "retention_by"))


def _number(name: str, value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ObservedError(f"{where}: {name} = {value!r} is not allowed: expected a finite number")
    return float(value)


def _figure(key: str, entry, where: str) -> Figure:
    where = f"{where}: figure {key}"
    known = summary_keys()
    if key not in known:
        near = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
        hint = f"the nearest keys are {', '.join(near)}" if near else "a run's summary.json lists every key"
        raise ObservedError(f"{where} is not a figure of summary.json: {hint}")
    if not isinstance(entry, dict):
        raise ObservedError(f"{where} = {entry!r} is not allowed: expected {{value: V, n: N}}, {{value: V, se: S}} or {{range: [LOW, HIGH]}}")
    source = str(entry.get("source", ""))
    unknown = set(entry) - {"value", "n", "se", "range", "source"}
    if unknown:
        raise ObservedError(f"{where} has {', '.join(sorted(unknown))}: allowed are value with n or se, or range (and source)")
    share = is_share(key)
    if "range" in entry:
        bounds = entry["range"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise ObservedError(f"{where}: range = {bounds!r} is not allowed: expected [LOW, HIGH]")
        low, high = (_number("range", b, where) for b in bounds)
        if low > high or (share and (low < 0 or high > 1)):
            raise ObservedError(f"{where}: range = [{low:g}, {high:g}] is not allowed: expected LOW <= HIGH"
                                + (", inside [0, 1] (a share)" if share else ""))
        return Figure(key, low=low, high=high, source=source)
    if "value" not in entry or entry["value"] is None:
        raise ObservedError(f"{where} has no value: give value with n or se, or a range [LOW, HIGH]")
    value = _number("value", entry["value"], where)
    if share and not 0.0 <= value <= 1.0:
        raise ObservedError(f"{where}: value = {value:g} is outside the allowed range: a share lies in [0, 1]")
    if "n" in entry:
        n = entry["n"]
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ObservedError(f"{where}: n = {n!r} is not allowed: expected a whole number of people or events > 0")
        if not share:
            raise ObservedError(f"{where}: n is given for a figure that is not a share: give its standard error (se) instead")
        # the binomial standard error, floored at half a person so that 0% or 100% still carries doubt
        se = math.sqrt(max(value * (1 - value), 0.5 / n) / n)
    elif "se" in entry:
        se = _number("se", entry["se"], where)
        if se <= 0:
            raise ObservedError(f"{where}: se = {se:g} is not allowed: expected a standard error > 0")
    else:
        raise ObservedError(f"{where} = {value:g} says nothing of its precision: give n (people or events) or se")
    return Figure(key, value=value, se=se, source=source)


def load_observed(path: str | Path) -> Observed:
    """Read and check an observed-figures file (every figure, the size, period and settings)."""
    path = Path(path)
    if not path.is_file():
        raise ObservedError(f"observed = {path} is not a file: give an observed-figures YAML (configs/observed/ has examples)")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ObservedError(f"{path} is not readable YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("figures"), dict) or not data["figures"]:
        raise ObservedError(f"{path} has no figures: expected a 'figures:' mapping of summary.json keys to observed values")
    firm = data.get("firm") or {}
    customers, days = firm.get("customers"), firm.get("days", 730)
    for name, value, low in (("firm.customers", customers, 10), ("firm.days", days, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ObservedError(f"{path}: {name} = {value!r} is not allowed: expected a whole number >= {low} "
                                "(the people in the firm's market and the days its figures cover)")
    settings = dict(firm.get("settings") or {})
    calibrated = {p.key for p in priors()}
    for key, value in settings.items():
        if key in calibrated:
            raise ObservedError(f"{path}: firm.settings sets {key}, which the calibration fits: leave it out "
                                "(the settings are the firm's own choices, such as firm.promise or recovery.staff)")
        try:
            check_setting(key, value)
        except ConfigError as error:
            raise ObservedError(f"{path}: firm.settings: {error}") from None
    figures = tuple(_figure(str(key), entry, str(path)) for key, entry in data["figures"].items())
    return Observed(str(data.get("name", path.stem)), customers, days, settings, figures)
