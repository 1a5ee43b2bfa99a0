"""Bad input gets one clear error naming key, value and allowed range."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.config import compose
from sim.params import ConfigError, ServsimConfig, describe_parameters, notes, validate

PARAMETERS = describe_parameters()
RANGED = [(key, default, allowed) for key, default, allowed, _ in PARAMETERS if "[" in allowed or ">=" in allowed]


def _bounds(allowed: str):
    if "[" in allowed:
        low, high = allowed[allowed.index("[") + 1 : -1].split(", ")
        return float(low), float(high)
    return float(allowed.split(">= ")[1]), None


@pytest.mark.parametrize("key,default,allowed", RANGED, ids=[key for key, _, _ in RANGED])
def test_every_range_is_enforced_with_a_message_naming_it(key, default, allowed):
    low, high = _bounds(allowed)
    too_low = type(default)(low - 1)
    with pytest.raises(ConfigError) as error:
        compose(({key: too_low}))
    message = str(error.value)
    assert key in message and str(too_low) in message and allowed in message
    if high is not None:
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            compose(({key: type(default)(high + 1)}))


@pytest.mark.parametrize(
    "override,fragment",
    [
        ({"firm.guarantee": 3}, "firm.guarantee = 3 is not allowed: expected true or false"),
        ({"recovery.desk": "magic"}, "recovery.desk = 'magic' is not allowed: expected one of queue, fixed_delay"),
        ({"market.customers": 10.5}, "market.customers = 10.5 is not allowed: expected a whole number"),
        ({"firm.promise": "high"}, "firm.promise = 'high' is not allowed"),
        ({"firm.promise": float("nan")}, "firm.promise = nan is not allowed"),
        ({"firm.nonsense": 1}, "firm.nonsense is not a parameter of servsim"),
        ({"firm.promis": 7}, "firm.promis is not a parameter of servsim: did you mean firm.promise?"),
        ({"market.customers": 1e4}, "market.customers = 10000.0 is not allowed: expected a whole number"),
        ({"firm.quality": 9.0, "firm.surprise.length": 10, "firm.surprise.size": 1.5}, "firm.surprise.size = 1.5"),
        ({"firm.quality": 9.0, "firm.process_offset": 3.0}, "firm.quality = 9.0 is outside"),
        ({"firm": 3}, "firm = 3 is not allowed: expected a group of settings"),
        ({"days": 100, "firm.surprise.length": 10, "firm.surprise.start": 100}, "firm.surprise.start = 100"),
    ],
)
def test_wrong_types_unknown_keys_and_impossible_combinations(override, fragment):
    with pytest.raises(ConfigError, match="^" + fragment.replace(".", r"\.").replace("(", r"\(").replace("[", r"\[")):
        compose((override))


@given(st.floats(10.0001, 1e6) | st.floats(-1e6, -0.0001))
def test_any_promise_off_the_scale_is_rejected(promise):
    with pytest.raises(ConfigError, match=r"firm\.promise"):
        compose(({"firm.promise": promise}))


def test_a_run_too_short_for_the_default_surprise_start_is_fine_when_no_surprise_is_asked_for():
    assert compose({"days": 30}).firm.surprise.length == 0


def test_a_surprise_past_the_horizon_runs_to_the_end_with_a_note():
    assert notes(compose({"firm.surprise.length": 10_000, "firm.surprise.regress": False})) == []
    (note,) = notes(compose({"firm.surprise.length": 10_000}))
    assert note.startswith("firm.surprise.length = 10000 runs past the horizon (days = 730)")
    assert notes(compose(lesson="trap")) == []


def test_a_preset_named_inside_a_config_is_refused_not_dropped():
    with pytest.raises(ConfigError, match=r"^scenario is not a parameter of servsim: choose a scenario by name"):
        validate({"scenario": "surprise_regress"})
    assert compose(scenario="surprise_regress").firm.surprise.length == 120


def test_a_config_built_by_hand_is_checked_too():
    with pytest.raises(ConfigError, match=r"^seed = -5 is outside the allowed range"):
        validate(ServsimConfig(seed=-5))


def test_defaults_are_valid_and_every_parameter_is_documented():
    validate({})
    assert all(doc for *_, doc in PARAMETERS)


def test_model_version_names_package_and_a_fingerprint_of_the_model_code(tmp_path, monkeypatch):
    """A stored result is matched to the model by this string: it must change when the model's code does."""
    import re

    from sim import version

    assert re.fullmatch(r"[0-9][^+]*\+[0-9a-f]{12}", version.model_version())
    before = version.model_fingerprint()
    copy = tmp_path / "tree"
    for name in version.MODEL_SOURCES:
        source = version.ROOT / name
        for path in (sorted(source.rglob("*.py")) if source.is_dir() else [source]):
            target = copy / path.relative_to(version.ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    monkeypatch.setattr(version, "ROOT", copy)
    version.model_fingerprint.cache_clear()
    assert version.model_fingerprint() == before
    (copy / "agents" / "rules.py").write_text((copy / "agents" / "rules.py").read_text() + "\n# changed\n")
    version.model_fingerprint.cache_clear()
    assert version.model_fingerprint() != before
    version.model_fingerprint.cache_clear()
