"""Every parameter of the model, once: default, units, allowed range and source.

This schema is the single home of defaults (Hydra's ConfigStore serves it as
``base_config``; YAML files only override). ``validate`` checks a composed
config against the ranges declared here before any work starts, so a user's
mistake gets one line naming the key, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
from typing import Any

from agents.population import Distribution, TraitDraw, draw_above_one, draw_positive, draw_share


def param(
    default,
    low=None,
    high=None,
    *,
    doc: str,
    integer: bool = False,
    choices: tuple | None = None,
    prior: tuple[float, float, str] | None = None,
):
    """A schema field with its allowed range and a one-line meaning (units, source).

    ``prior`` = (low, high, why): the plausible range a calibration draws this
    behavioural parameter from, and what that range rests on; declared here so
    that the schema stays the one home of everything said about a parameter.
    """
    metadata = {"low": low, "high": high, "doc": doc, "integer": integer, "choices": choices, "prior": prior}
    return field(default=default, metadata=metadata)


@dataclass
class SurpriseConfig:
    """A temporary lift of delivered quality: the 'delight' of MODEL.md §1.4."""

    start: int = param(180, 0, None, integer=True, doc="day the surprise begins")
    length: int = param(0, 0, None, integer=True, doc="days it lasts; 0 = no surprise")
    size: float = param(1.5, -10.0, 10.0, doc="extra quality points while it lasts (negative = a shock)")
    regress: bool = param(True, doc="fall back to the old level when it ends (true) or sustain it (false)")


@dataclass
class FirmConfig:
    quality: float = param(7.0, 0.0, 10.0, doc="baseline delivered quality, technical outcome, 0-10 scale")
    process_offset: float = param(
        0.0, -5.0, 5.0, doc="functional (process) quality minus technical quality, points (Gronroos 1984)"
    )
    quality_noise: float = param(0.5, 0.0, 5.0, doc="day-to-day sd of delivered quality, points")
    promise: float = param(7.0, 0.0, 10.0, doc="advertised service level, 0-10 scale")
    guarantee: bool = param(False, doc="complete promise: pays compensation automatically when broken (Hart 1988)")
    guarantee_payout: float = param(0.5, 0.0, 5.0, doc="guarantee compensation, in visit prices (coach-line example: 0.5)")
    guarantee_tolerance: float = param(
        0.6, 0.0, 10.0, doc="the guarantee pays when perceived quality is this far below the stated promise, points"
    )
    chain_steps: int = param(5, 1, 50, integer=True, doc="steps in the service chain")
    step_reliability: float = param(0.99, 0.0, 1.0, doc="chance each step is right first time")
    failure_severity: float = param(2.0, 0.0, 10.0, doc="quality points lost when the chain fails")
    standard: float = param(7.0, 0.0, 10.0, doc="designed service standard, points (for the gap report, GAP 2/3)")
    believed_expectation: float = param(
        7.0, 0.0, 10.0, doc="what management believes customers expect, points (for the gap report, GAP 1/2)"
    )
    price: float = param(10.0, 0.0, None, doc="revenue per visit, money units")
    unit_cost: float = param(0.6, 0.0, None, doc="cost per visit per point of delivered quality, money units")
    surprise: SurpriseConfig = field(default_factory=SurpriseConfig)


@dataclass
class RecoveryConfig:
    desk: str = param(
        "queue",
        choices=("queue", "fixed_delay"),
        doc="queue = staff-limited SimPy desk; fixed_delay = every complaint takes exactly handling_days",
    )
    staff: int = param(2, 1, 1000, integer=True, doc="complaint handlers at the desk")
    staff_per_10k: float = param(
        0.0, 0.0, 1000.0,
        doc="handlers per 10,000 people in the market; when above 0 it sets staff (rounded up, at least 1); 0 = use staff",
    )
    handling_days: float = param(
        0.25, 0.0, 365.0, doc="mean handling time of one complaint, days; 0 = every complaint answered the moment it arrives"
    )
    compensation: float = param(0.5, 0.0, 10.0, doc="compensation paid on resolution, in visit prices")
    apology: bool = param(True, doc="the resolution comes with a sincere apology (interactional justice)")
    on_the_spot: float = param(0.3, 0.0, 1.0, doc="share of complaints the empowered front line solves at once")
    fast_days: float = param(1.0, 0.0, 365.0, doc="a resolution within this many days counts as fast")
    staff_cost: float = param(150.0, 0.0, None, doc="cost per handler per day, money units")


@dataclass
class CustomersConfig:
    """Behavioural parameters; means of per-customer traits where noted."""

    learning_rate: float = param(
        0.15, 0.0, 1.0, doc="alpha: weight of one experience in expectation (mean trait)",
        prior=(0.03, 0.4, "how fast expectations follow experience: shapes how long a problem lingers in later visits; wide because no study pins it for a service"),
    )
    negativity_bias: float = param(1.25, 1.0, 5.0, doc="bad experiences move expectation this many times faster")
    loss_aversion: float = param(2.25, 1.0, 10.0, doc="lambda: losses weigh this much more than gains (mean trait)")
    value_curvature: float = param(0.88, 0.1, 1.0, doc="prospect-theory curvature a (Tversky & Kahneman 1992)")
    satisfaction_rate: float = param(0.3, 0.0, 1.0, doc="gamma: weight of one experience in satisfaction")
    promise_pull: float = param(0.1, 0.0, 1.0, doc="beta: pull of one advertising exposure toward the promise")
    tolerance: float = param(
        0.6, 0.0, 5.0, doc="half-width of the zone of tolerance, points (mean trait)",
        prior=(0.2, 1.5, "how many visits fall below the zone: the share of dissatisfying visits and complaints per visit inform it"),
    )
    delight_margin: float = param(1.0, 0.0, 10.0, doc="points above the zone that make a delight")
    perception_noise: float = param(0.3, 0.0, 5.0, doc="sd of personal perception around delivered quality")
    process_weight: float = param(0.5, 0.0, 1.0, doc="weight of functional vs technical quality in perception")
    visit_rate: float = param(0.1, 0.0, 1.0, doc="visits per day (mean trait)")
    complaint_propensity: float = param(
        0.05, 0.0, 1.0, doc="chance to complain after a mild shortfall (mean trait)",
        prior=(0.01, 0.2, "TARP 1986: 4-10% of dissatisfying experiences are voiced; the range goes well beyond it on both sides"),
    )
    guarantee_complaint_boost: float = param(1.5, 1.0, 10.0, doc="a guarantee multiplies the will to complain")
    patience_days: float = param(7.0, 0.0, None, doc="mean wait before a complainant gives up on the desk, days")
    switching_cost: float = param(0.5, 0.0, 10.0, doc="damps defection: hazard / (1 + cost) (mean trait)")
    trait_spread: float = param(0.3, 0.0, 2.0, doc="coefficient of variation of the heterogeneous traits without a spread of their own")
    initial_trust: float = param(0.7, 0.0, 1.0, doc="trust in the firm's promises at the start (mean)")
    trust_gain: float = param(0.03, 0.0, 1.0, doc="share of missing trust regained per kept promise")
    trust_loss: float = param(0.15, 0.0, 1.0, doc="share of trust lost per broken promise")
    guarantee_trust_softening: float = param(0.5, 0.0, 1.0, doc="share of the trust loss a guarantee payout prevents")
    compensation_weight: float = param(0.15, 0.0, 10.0, doc="satisfaction value of generous compensation")
    speed_weight: float = param(0.1, 0.0, 10.0, doc="satisfaction value of an instant resolution")
    speed_scale_days: float = param(2.0, 0.01, 365.0, doc="delay at which speed's value has fallen to 1/e, days")
    apology_weight: float = param(0.05, 0.0, 10.0, doc="satisfaction value of an apology")
    abandonment_penalty: float = param(0.5, 0.0, 10.0, doc="satisfaction lost when a complaint goes unresolved")
    abandonment_grievance: float = param(
        2.0, 0.0, 20.0, doc="grievance an unanswered complaint adds, points (a second failure)"
    )
    recovery_restoration: float = param(
        0.9, 0.0, 1.0, doc="share of the grievance a perfect (instant, generous, apologising) first recovery heals"
    )
    problem_grievance: float = param(
        1.0, 0.0, 20.0, doc="grievance a visit below the zone leaves besides its depth below the zone, points"
    )
    grievance_weight: float = param(
        2.5, 0.0, 100.0, doc="each point of grievance multiplies the chance to leave by 1 + this",
        prior=(0.5, 8.0, "how much a problem raises the chance to leave: the ladder (silent, unresolved against no problem) informs it"),
    )
    grievance_weight_spread: float = param(
        0.0, 0.0, 2.0, doc="coefficient of variation of grievance_weight across customers; 0 = everyone the same"
    )
    grievance_half_life_days: float = param(
        60.0, 1.0, 3650.0, doc="days in which a grievance fades to half, days",
        prior=(10.0, 240.0, "how fast a problem's effect fades (Knox & van Oest 2014: weeks to months): staying after a complaint at several windows informs it"),
    )
    defection_floor: float = param(
        0.00006, 0.0, 1.0, doc="daily chance to leave even when content",
        prior=(0.00001, 0.0003, "leaving while content: 0.4-10% a year, the yearly churn of content repeat customers (Reichheld & Sasser 1990)"),
    )
    defection_span: float = param(
        0.005, 0.0, 1.0, doc="extra daily chance to leave when deeply dissatisfied",
        prior=(0.001, 0.02, "leaving when deeply dissatisfied: retention of the dissatisfied and the ladder inform it"),
    )
    defection_midpoint: float = param(-1.5, -10.0, 10.0, doc="satisfaction at which dissatisfaction pressure is half")
    defection_steepness: float = param(3.0, 0.01, 100.0, doc="how sharply pressure rises as satisfaction falls")
    trust_loyalty: float = param(
        1.0, 0.0, 10.0, doc="full trust divides the chance to leave by 1 + this (commitment)",
        prior=(0.0, 4.0, "commitment from trust (Morgan & Hunt 1994); no study gives its size for a service, so a wide range"),
    )
    purchases_scale: float = param(
        73.0, 1.0, None, doc="past purchases (visits) that halve the chance to leave",
        prior=(10.0, 365.0, "past purchases protect (Knox & van Oest 2014): staying after a complaint by past visits informs it"),
    )
    initial_tenure_days: float = param(730.0, 1.0, None, doc="mean time the starting customers have been with the firm, days")
    wom_threshold: float = param(0.5, 0.0, 10.0, doc="satisfaction beyond plus or minus this makes a customer talk")
    wom_rate_satisfied: float = param(0.01, 0.0, 1.0, doc="daily chance a satisfied customer recommends")
    wom_rate_dissatisfied: float = param(0.02, 0.0, 1.0, doc="daily chance a dissatisfied customer warns (TARP: 2x)")
    wom_decay: float = param(0.02, 0.0, 1.0, doc="daily fading of what a prospect heard")
    wom_impact: float = param(0.3, 0.0, 10.0, doc="attraction points one message adds or removes")


@dataclass(frozen=True)
class Trait:
    """A heterogeneous trait: each customer draws their own value at day 0, around the parameter ``key``.

    The parameter of the same name (``customers.<key>``) is the trait's mean,
    with its range, meaning and calibration prior; ``spread`` names the
    parameter giving the coefficient of variation; ``draw(rng, mean, spread,
    size)`` is the distribution. A customer carries the trait as ``key``.
    """

    key: str
    draw: Distribution
    spread: str = "trait_spread"

    def parameter(self) -> dict:
        """The mean's declaration in the schema: low, high, doc, prior."""
        (declared,) = (f for f in fields(CustomersConfig) if f.name == self.key)
        return dict(declared.metadata)

    def for_run(self, customers: CustomersConfig) -> TraitDraw:
        """The trait with this run's mean and spread, as the population draws it."""
        meaning = self.parameter()["doc"]
        return TraitDraw(self.key, meaning, getattr(customers, self.key), getattr(customers, self.spread), self.draw)


# The traits, in the order the population stream draws them: append new ones at the end
# (an earlier place would shift every later trait's draws, and so every run).
TRAITS = (
    Trait("learning_rate", draw_share),
    Trait("loss_aversion", draw_above_one),
    Trait("tolerance", draw_positive),
    Trait("visit_rate", draw_share),
    Trait("complaint_propensity", draw_share),
    Trait("switching_cost", draw_positive),
    Trait("grievance_weight", draw_positive, spread="grievance_weight_spread"),
)


@dataclass
class MarketConfig:
    customers: int = param(10_000, 10, 100_000_000, integer=True, doc="people in the closed market")
    initial_share: float = param(0.5, 0.0, 1.0, doc="share of them with the firm on day 0")
    competitor_quality: float = param(6.5, 0.0, 10.0, doc="quality of the outside option, points")
    ad_reach: float = param(0.05, 0.0, 1.0, doc="daily chance a person sees the firm's promise")
    acquisition_rate: float = param(0.0008, 0.0, 1.0, doc="daily chance a prospect joins when the firm looks equal")
    acquisition_scale: float = param(1.0, 0.01, 100.0, doc="attraction points that multiply that chance by e")
    acquisition_cost: float = param(100.0, 0.0, None, doc="cost of winning one customer, money units")


@dataclass
class OutputConfig:
    figures: bool = param(True, doc="draw overview.png")
    summary: bool = param(True, doc="print the plain-language summary")
    progress: bool = param(True, doc="show a progress bar for runs longer than a few seconds")
    events: str = param(
        "problems",
        choices=("problems", "all", "none"),
        doc="event log written to events.parquet: problems, complaints, outcomes, leaving and joining; all = every visit too",
    )
    terse: bool = param(False, doc="the summary in researchers' shorthand (%, pp, [low, high]) instead of plain words")
    currency: str = param("money units", doc="name of the money unit in the summary (e.g. EUR); prices and costs are in it")
    discount_rate: float = param(0.05, 0.0, 1.0, doc="yearly rate at which the summary discounts profit to its present value")


@dataclass
class ServsimConfig:
    description: str = param("", doc="what this scenario shows, in one sentence (printed in the summary)")
    seed: int = param(0, 0, 2**63 - 1, integer=True, doc="seed of the run; fixes it bit for bit")
    days: int = param(730, 1, 100_000, integer=True, doc="horizon, days")
    engine: str = param(
        "vector", choices=("vector", "agent"), doc="vector = numpy arrays; agent = one mesa.Agent per person (slow reference)"
    )
    compare: bool = param(
        True, doc="also run the reference (never surprised, or the baseline's settings) on the same seed and compare"
    )
    replications: int = param(
        1, 1, 1000, integer=True, doc="seeds run (seed, seed+1, ...), in parallel; means with 95% CIs of the paired differences"
    )
    objective: str = param(
        "profit",
        doc="summary metric(s) a run returns to an optimising sweeper (hydra/sweeper=optuna): one name, or several "
        "joined by commas for several directions ('profit,retention_never_left')",
    )
    posterior: str = param(
        "", doc="a calibration's posterior.parquet: run the what-if at behaviours drawn from it and split each answer's "
        "spread into seed noise and what is unknown about the customers; empty = the customers as set"
    )
    posterior_draws: int = param(
        20, 2, 1000, integer=True, doc="behavioural parameter sets drawn from the posterior, each run at max(replications, 2) seeds"
    )
    market: MarketConfig = field(default_factory=MarketConfig)
    firm: FirmConfig = field(default_factory=FirmConfig)
    recovery: RecoveryConfig = field(default_factory=RecoveryConfig)
    customers: CustomersConfig = field(default_factory=CustomersConfig)
    output: OutputConfig = field(default_factory=OutputConfig)


# Config groups of configs/ chosen by name (scenario=NAME): presets, not parameters.
PRESETS = ("scenario", "lesson", "experiment")


class ConfigError(ValueError):
    """A user-facing configuration mistake; the message is the whole story."""


def _describe_range(meta, default) -> str:
    low, high = meta["low"], meta["high"]
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, str) and not meta["choices"]:
        return "text"
    if meta["choices"]:
        return "one of " + ", ".join(meta["choices"])
    kind = "a whole number" if meta["integer"] else "a number"
    if low is not None and high is not None:
        return f"{kind} in [{low}, {high}]"
    if low is not None:
        return f"{kind} >= {low}"
    if high is not None:
        return f"{kind} <= {high}"
    return kind


def _shown(value: Any) -> str:
    """A value as the user would type it (null, true, 'text', 7.5)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _check_value(key: str, value: Any, meta, default) -> None:
    allowed = _describe_range(meta, default)
    if meta["choices"] or isinstance(default, (bool, str)):
        ok = value in meta["choices"] if meta["choices"] else type(value) is type(default)
        if not ok:
            raise ConfigError(f"{key} = {_shown(value)} is not allowed: expected {allowed}")
        return
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    # A whole number must be written as one: 1e4 or 10.0 would fail later in OmegaConf's int field.
    if not is_number or not math.isfinite(value) or (meta["integer"] and not isinstance(value, int)):
        raise ConfigError(f"{key} = {_shown(value)} is not allowed: expected {allowed}")
    low, high = meta["low"], meta["high"]
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{key} = {_shown(value)} is outside the allowed range: expected {allowed}")


def _is_section(f) -> bool:
    """Nested config sections are the fields declared with a dataclass factory."""
    return f.default_factory is not MISSING and is_dataclass(f.default_factory)


def _walk(schema_cls, values: dict, prefix: str) -> None:
    """Check the keys given (missing ones take their defaults) against the schema."""
    known = {f.name: f for f in fields(schema_cls)}
    for name, value in values.items():
        key = f"{prefix}{name}"
        if name not in known:
            raise ConfigError(unknown_key(key))
        f = known[name]
        if _is_section(f):
            if not isinstance(value, dict):
                raise ConfigError(f"{key} = {_shown(value)} is not allowed: expected a group of settings")
            _walk(f.default_factory, value, key + ".")
        else:
            _check_value(key, value, f.metadata, f.default)


def flatten(tree: dict, prefix: str = "") -> dict:
    """{'firm': {'promise': 7}} -> {'firm.promise': 7}."""
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def unknown_key(key: str, extra: tuple[str, ...] = ()) -> str:
    """The message for a key that is not a parameter: the nearest real key, if one is near."""
    if key in PRESETS:  # a preset is chosen by name when the config is composed, never set inside it
        return f"{key} is not a parameter of servsim: choose a {key} by name (servsim {key}=NAME; servsim.run({key}=NAME))"
    keys = [row[0] for row in describe_parameters()]
    sections = sorted({k.rsplit(".", 1)[0] for k in keys if "." in k})
    near = difflib.get_close_matches(key, [*keys, *sections, *extra], n=1, cutoff=0.6)
    hint = f"did you mean {near[0]}?" if near else "servsim --help lists every key"
    return f"{key} is not a parameter of servsim: {hint}"


def check_setting(key: str, value: Any) -> None:
    """Check one dotted setting (``firm.promise``, 8) as ``validate`` would check it in a config."""
    tree: Any = value
    for part in reversed(key.split(".")):
        tree = {part: tree}
    _walk(ServsimConfig, tree, "")


def validate(cfg) -> ServsimConfig:
    """Check every key against its declared range; return a typed config.

    Accepts an OmegaConf/Hydra config, a plain nested mapping (missing keys
    take their defaults) or a ``ServsimConfig`` built directly. Raises ConfigError naming key, value and range.
    Hydra's own node (``hydra``), when composed in, is left out first.
    """
    from omegaconf import OmegaConf

    if isinstance(cfg, dict):
        container = cfg
    elif is_dataclass(cfg):  # a ServsimConfig built by hand: its values have not been checked yet
        container = asdict(cfg)
    else:
        container = OmegaConf.to_container(cfg, resolve=True)
    parameters = {key: value for key, value in container.items() if key != "hydra"}  # Hydra's own node, if composed
    _walk(ServsimConfig, parameters, "")
    checked = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(ServsimConfig), parameters))
    _scale_desk(checked)
    _check_surprise(checked)
    _check_quality_scale(checked)
    return checked


def desk_staff(staff_per_10k: float, customers: int) -> int:
    """Handlers for ``staff_per_10k`` per 10,000 people in a market of ``customers``: rounded up, at least one."""
    return max(1, math.ceil(staff_per_10k * customers / 10_000 - 1e-9))


def _scale_desk(config: ServsimConfig) -> None:
    """``recovery.staff_per_10k``, when set, decides the desk's staff (so the desk grows with the market)."""
    recovery = config.recovery
    if recovery.staff_per_10k > 0:
        recovery.staff = desk_staff(recovery.staff_per_10k, config.market.customers)


def _check_surprise(config: ServsimConfig) -> None:
    """A surprise must start within the run (one that ends after it is cut short: see ``notes``)."""
    surprise = config.firm.surprise
    if surprise.length > 0 and surprise.start >= config.days:  # with no surprise its start does not matter
        raise ConfigError(
            f"firm.surprise.start = {surprise.start} is outside the allowed range: a surprise "
            f"(firm.surprise.length = {surprise.length}) must start before the horizon (days = {config.days})"
        )


def notes(config: ServsimConfig) -> list[str]:
    """Valid settings worth a word before the run: a surprise that would regress after the horizon.

    Such a run is accepted (a lesson shortened to watch the surprise begin is a fair use),
    but it never shows the regress, so the user is told.
    """
    surprise = config.firm.surprise
    if surprise.length > 0 and surprise.regress and surprise.start + surprise.length > config.days:
        return [
            f"firm.surprise.length = {surprise.length} runs past the horizon (days = {config.days}): the surprise "
            f"from day {surprise.start} lasts to the end of the run and the fall back is not simulated"
        ]
    return []


def _check_quality_scale(config: ServsimConfig) -> None:
    """The quality customers meet (technical, functional and any surprise) stays on the 0-10 scale."""
    firm = config.firm
    level = firm.quality + config.customers.process_weight * firm.process_offset
    if not 0.0 <= level <= 10.0:
        raise ConfigError(
            f"firm.quality = {firm.quality!r} is outside the allowed range: with firm.process_offset = "
            f"{firm.process_offset!r} (weight {config.customers.process_weight!r}) it delivers {level:g}, "
            "off the 0-10 scale"
        )
    if firm.surprise.length > 0 and not 0.0 <= level + firm.surprise.size <= 10.0:
        raise ConfigError(
            f"firm.surprise.size = {firm.surprise.size!r} is outside the allowed range: delivered quality {level:g} "
            f"plus the surprise leaves the 0-10 scale: expected a number in [{-level:g}, {10.0 - level:g}]"
        )


def describe_parameters() -> list[tuple[str, Any, str, str]]:
    """(key, default, allowed range, meaning) for every parameter: feeds docs and --help."""
    rows = []

    def walk(cls, prefix):
        for f in fields(cls):
            if _is_section(f):
                walk(f.default_factory, prefix + f.name + ".")
            else:
                rows.append((prefix + f.name, f.default, _describe_range(f.metadata, f.default), f.metadata["doc"]))

    walk(ServsimConfig, "")
    return rows


def register_configs() -> None:
    """Serve the schema to Hydra as ``base_config`` (the defaults live nowhere else)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="base_config", node=ServsimConfig)


def parameter_table() -> str:
    """Markdown table of every parameter (docs/model.md embeds it; a test keeps them equal)."""
    lines = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    for key, default, allowed, doc in describe_parameters():
        shown = "true" if default is True else "false" if default is False else f"{default!r}" if isinstance(default, str) else f"{default:g}"
        lines.append(f"| `{key}` | {shown} | {allowed} | {doc} |")
    return "\n".join(lines)


TABLE_START, TABLE_END = "<!-- parameter-table:start -->", "<!-- parameter-table:end -->"


def embed_parameter_table(markdown: str) -> str:
    """Replace the block between the parameter-table markers with the current table."""
    head, rest = markdown.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    return f"{head}{TABLE_START}\n{parameter_table()}\n{TABLE_END}{tail}"


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 1:  # python -m sim.params docs/model.md: refresh the embedded table
        with open(sys.argv[1]) as handle:
            updated = embed_parameter_table(handle.read())
        with open(sys.argv[1], "w") as handle:
            handle.write(updated)
    else:
        print(parameter_table())
