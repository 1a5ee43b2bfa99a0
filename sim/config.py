"""One way to build a configuration: compose ``configs/`` as ``servsim`` does, then validate.

    compose()                                              the baseline, as `servsim`
    compose(["firm.promise=8", "seed=3"], scenario="surprise_regress")
    compose({"firm.promise": 8, "seed": 3}, lesson="trap")

Overrides are either the command line's strings (parsed by Hydra, group choices such
as ``hydra/launcher=basic`` allowed) or a mapping of dotted keys to Python values.
Either way each setting is checked against the schema (``sim.params``) before it is
merged, so a mistake gets the same one line as on the command line: the key, the
value and what is allowed, with "did you mean" for a misspelled key.

Importing this module registers nothing: the schema is handed to Hydra's ConfigStore
on first use.
"""

from __future__ import annotations

import copy
import difflib
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim.params import (
    PRESETS,
    TRAITS,
    ConfigError,
    ServsimConfig,
    check_setting,
    describe_parameters,
    register_configs,
    unknown_key,
    validate,
)

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"

_hydra_lock = threading.Lock()  # Hydra's compose API keeps global state


def presets(group: str) -> dict[str, str]:
    """Name -> one-line description of each preset of a group (``configs/<group>/NAME.yaml``)."""
    found = {}
    for path in sorted((CONFIG_DIR / group).glob("*.yaml")):
        found[path.stem] = str(OmegaConf.load(path).get("description", ""))
    return found


def quote_text(override: str) -> str:
    """``KEY=VALUE`` with any run of non-ASCII text in VALUE quoted, as Hydra's grammar wants it.

    Hydra reads only ASCII outside quotes, so ``description=café`` or ``hydra.run.dir=/tmp/ü``
    would fail in its lexer; quoted they are the text the user meant. A sweep's elements
    (``a,ü``) are quoted one by one; a value that already holds quotes is left as typed.
    A key must be ASCII: it names a parameter, and no parameter's name has other characters.
    """
    key, equals, value = override.partition("=")
    if not equals:
        return override
    if not key.isascii():
        raise ConfigError(f"{shorten(key)} is not a parameter of servsim: keys are plain ASCII names such as "
                          "firm.promise (servsim --help lists every key)")
    if value.isascii() or "'" in value or '"' in value:
        return override
    elements = value.split(",") if not any(c in value for c in "[](){}") else [value]
    return key + "=" + ",".join(e if e.isascii() else f"'{e}\\'" if e.endswith("\\") else f"'{e}'" for e in elements)


def bare_word_hint(word: str) -> str:
    """The message for a command-line word without ``=``: what the user probably meant."""
    groups = [group for group in PRESETS if word in presets(group)]
    if groups:
        return f"{shorten(word)!r} is not KEY=VALUE: did you mean {groups[0]}={word}?"
    keys = [row[0] for row in describe_parameters()]
    if word in keys:
        return f"{word!r} is not KEY=VALUE: did you mean {word}=VALUE? (servsim --help gives its range)"
    names = [f"{group}={name}" for group in PRESETS for name in presets(group)]
    near = difflib.get_close_matches(word, [*keys, *(n.split("=")[1] for n in names)], n=1, cutoff=0.6)
    if near:
        guess = next((n for n in names if n.endswith("=" + near[0])), f"{near[0]}=VALUE")
        return f"{shorten(word)!r} is not KEY=VALUE: did you mean {guess}?"
    return f"{shorten(word)!r} is not KEY=VALUE: settings are given as KEY=VALUE (servsim --help lists every key)"


# Longest word (a value, a path) echoed in a message; a longer one is cut, with its length said.
ECHO_LIMIT = 200


def shorten(text: str) -> str:
    """A value as echoed in a message: at most ``ECHO_LIMIT`` characters, with the full length said."""
    return text if len(text) <= ECHO_LIMIT else f"{text[:ECHO_LIMIT - 20]}... ({len(text):,} characters)"


def shorten_words(message: str) -> str:
    """A message with every word longer than ``ECHO_LIMIT`` (a pasted value) cut by ``shorten``."""
    import re

    return re.sub(rf"\S{{{ECHO_LIMIT + 1},}}", lambda word: shorten(word.group()), message)


# A setting that, when given, decides another: (deciding key, when it decides, decided key).
DECIDES = (("recovery.staff_per_10k", lambda value: value > 0, "recovery.staff"),)


def _check_conflicts(given: dict) -> None:
    """Refuse two settings typed together when one would silently undo the other."""
    for decider, decides, decided in DECIDES:
        if decider in given and decided in given and any(decides(v) for v in given[decider]):
            raise ConfigError(
                f"{decided} and {decider} are both given: {decider} above 0 sets {decided} from the market's size, "
                f"so {decided} = {_values(given[decided])} would be ignored; give {decided} alone for a fixed number, "
                f"or {decider} alone to grow it with the market"
            )


def _values(values: list) -> str:
    return ", ".join(map(str, values))


def _parse_error(override: str, error) -> str:
    """Hydra's grammar error in one line, without its list of the parser's token names."""
    import re

    value = override.split("=", 1)[-1]
    for quote in "'\"":
        if value.count(quote) % 2:
            return f"{override}: a quote ({quote}) is opened and never closed"
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return re.sub(r" expecting (\{[^}]*\}|\S+)", "", ": ".join(lines[:2]))


def check_overrides(overrides: list[str]) -> list[str]:
    """Refuse, in one line, an override string that names no parameter or gives a value outside its range,
    a key given twice, or two settings that undo each other (``DECIDES``).

    Sweeps (``a,b``, ``range(...)``) are checked value by value; Hydra's own keys
    (``hydra.*``, ``hydra/launcher=...``), deletions and interpolations are left to Hydra.
    Returns the overrides as Hydra must read them (text values quoted: ``quote_text``).
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    for override in overrides:
        key = override.split("=", 1)[0].lstrip("+~")
        if "=" not in override and not override.startswith("~"):
            raise ConfigError(bare_word_hint(override))
        if not key:
            raise ConfigError(f"{override!r} names no setting: expected KEY=VALUE, such as firm.promise=8")
        if override.startswith("~") and key.split(".")[0].split("/")[0] not in ("hydra", *PRESETS):
            raise ConfigError(f"{override} would delete a setting, which servsim does not do: every parameter keeps "
                              f"a value; give {key}=VALUE instead (servsim --help gives its default)")
    overrides = [quote_text(override) for override in overrides]
    parser, parsed = OverridesParser.create(), []
    for override in overrides:
        try:
            parsed += parser.parse_overrides([override])
        except HydraException as error:
            raise ConfigError(shorten_words(_parse_error(override, error))) from None
        except ValueError as error:  # a value the parser cannot hold (an integer of thousands of digits)
            raise ConfigError(f"{shorten(override)} cannot be read: {error}") from None
    given: dict[str, list] = {}
    typed: dict[str, str] = {}
    for override in parsed:
        key = override.key_or_group
        if key in typed:
            sweep = "" if key.startswith("hydra") else f"; to run both values, sweep them: servsim -m {key}=A,B"
            raise ConfigError(f"{key} is given twice ({shorten(typed[key])} and {shorten(override.input_line)}): "
                              f"give it once{sweep}")
        typed[key], given[key] = override.input_line, []
        if key.split(".")[0].split("/")[0] == "hydra" or override.is_delete() or override.package is not None:
            continue
        if override.is_sweep_override():
            if override.is_interval_sweep():  # a sweeper's continuous range: its values are drawn later
                continue
            values = [getattr(v, "text", v) for v in override.sweep_iterator()]  # a quoted element: its text
        else:
            values = [override.value()]
        for value in values:
            if isinstance(value, str) and "${" in value:
                continue  # an interpolation: checked once resolved, in validate()
            if key in PRESETS:
                _check_preset(key, value)
            elif "/" in key:
                raise ConfigError(unknown_key(key, PRESETS))
            else:
                check_setting(key, value)
            given[key].append(value)
    _check_conflicts(given)
    return overrides


def _check_preset(group: str, name) -> None:
    names = presets(group)
    if not isinstance(name, str) or name not in names:
        shown = "null" if name is None else repr(name)
        raise ConfigError(f"{group} = {shown} is not allowed: expected one of {', '.join(names)}")


def compose_hydra(overrides: list[str] | tuple[str, ...] = (), *, with_hydra: bool = False) -> DictConfig:
    """The raw Hydra config exactly as ``servsim OVERRIDES...`` composes it (Hydra's own node when asked)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    overrides = check_overrides(list(overrides))
    register_configs()
    with _hydra_lock, initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return hydra_compose(config_name="config", overrides=list(overrides), return_hydra_config=with_hydra)


@lru_cache(maxsize=None)
def _preset_tree(choices: tuple[str, ...]) -> dict:
    return OmegaConf.to_container(compose_hydra(choices), resolve=True)


def preset_tree(*, scenario: str | None = None, lesson: str | None = None) -> dict:
    """The full parameter tree of a scenario and/or lesson, as plain data (a fresh copy)."""
    return copy.deepcopy(_preset_tree(_choices(scenario, lesson)))


def _choices(scenario: str | None, lesson: str | None) -> tuple[str, ...]:
    return tuple(f"{group}={name}" for group, name in (("scenario", scenario), ("lesson", lesson)) if name is not None)


def compose(
    overrides: list[str] | Mapping | None = None, *, scenario: str | None = None, lesson: str | None = None
) -> ServsimConfig:
    """The validated config of ``servsim [scenario=...] [lesson=...] OVERRIDES``.

    ``overrides`` is a list of command-line strings or a mapping of dotted keys to
    values. Raises ``ConfigError`` (one line: key, value, what is allowed) on a mistake.
    """
    if overrides is None or isinstance(overrides, Mapping):
        tree = OmegaConf.create(preset_tree(scenario=scenario, lesson=lesson))
        _check_conflicts({key: [value] for key, value in (overrides or {}).items()})
        for key, value in (overrides or {}).items():
            value = value.item() if isinstance(value, np.generic) else value  # np.int64(3) is the whole number 3
            check_setting(key, value)
            OmegaConf.update(tree, key, value)
        return validate(tree)
    return validate(compose_hydra([*_choices(scenario, lesson), *overrides]))


# Memory a run needs: the population's arrays (agents/population.py), the day's population
# dice (agents/dice.py), and room for the day's temporary arrays; measured on this machine
# (2,000,000 customers, 3 days) the peak grew by 164 bytes a customer against 144 declared.
WORKING_ARRAYS = 1.25
# The per-agent engine keeps a mesa.Agent per person: measured 1.3 kB each (100,000 agents).
AGENT_BYTES = 1_300
# Python, numpy, pandas, Hydra and the desk before the first customer (measured: about 130 MiB).
BASE_BYTES = 150 * 2**20


# The event log (agents/events.py) and the loyalty measures built from it: bytes per logged
# event at the peak (the sorted table, about 44 bytes an event, and the landmark measures'
# or a Parquet row group's temporary arrays). Measured: 1,000,000 customers x 730 days
# logged 9.3 million events and peaked at 904 MiB, some 570 MiB of it the log (64 bytes an
# event; 2.86 GiB before the log was stored a kind's fields at a time); a problem is at
# most a quarter of the visits at the defaults, every visit with output.events=all.
EVENT_BYTES = 65
PROBLEM_SHARE_BOUND = 0.25


def memory_estimate(config: ServsimConfig) -> int:
    """Bytes a run of ``config`` needs at its peak, estimated before anything is allocated."""
    from agents.dice import N_POPULATION_DICE
    from agents.population import CUSTOMER_STATE

    per_customer = sum(np.dtype(f.dtype).itemsize for f in CUSTOMER_STATE) + len(TRAITS) * 8 + N_POPULATION_DICE * 8
    per_customer = per_customer * WORKING_ARRAYS + (AGENT_BYTES if config.engine == "agent" else 0)
    logged_share = 1.0 if config.output.events == "all" else PROBLEM_SHARE_BOUND
    events = config.market.customers * config.days * config.customers.visit_rate * logged_share
    return int(BASE_BYTES + per_customer * config.market.customers + EVENT_BYTES * events)


def available_memory() -> int:
    import psutil

    return psutil.virtual_memory().available


def check_memory(config: ServsimConfig, runs: int = 1) -> None:
    """Refuse, with the estimate, a market that would not fit in the memory available now.

    ``runs`` is how many runs are held at once (a run and its reference, or parallel replications).
    """
    one, available = memory_estimate(config), available_memory()
    needed = one * runs
    if needed > available:
        per_customer = (one - BASE_BYTES) / config.market.customers
        fits = max(0, int((available / runs - BASE_BYTES) / per_customer))
        at_once = (f" ({runs} runs at once: the run, its reference and replications; compare=false or fewer "
                   "replications need less)") if runs > 1 else ""
        raise ConfigError(
            f"market.customers = {config.market.customers} needs about {needed / 2**30:.1f} GiB of memory{at_once}, "
            f"more than the {available / 2**30:.1f} GiB available: expected at most about {fits:,} customers on this machine"
        )
