"""Bad input gets one clear error naming key, value and allowed range."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.params import ConfigError, describe_parameters, nested, validate

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
        validate(nested({key: too_low}))
    message = str(error.value)
    assert key in message and str(too_low) in message and allowed in message
    if high is not None:
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            validate(nested({key: type(default)(high + 1)}))


@pytest.mark.parametrize(
    "override,fragment",
    [
        ({"firm.guarantee": 3}, "firm.guarantee = 3 is not allowed: expected true or false"),
        ({"recovery.desk": "magic"}, "recovery.desk = 'magic' is not allowed: expected one of queue, fixed_delay"),
        ({"market.customers": 10.5}, "market.customers = 10.5 is not allowed: expected a whole number"),
        ({"firm.promise": "high"}, "firm.promise = 'high' is not allowed"),
        ({"firm.promise": float("nan")}, "firm.promise = nan is not allowed"),
        ({"firm.nonsense": 1}, "firm.nonsense is not a parameter of servsim"),
        ({"firm": 3}, "firm = 3 is not allowed: expected a group of settings"),
        ({"days": 100, "firm.surprise.length": 10, "firm.surprise.start": 100}, "firm.surprise.start = 100"),
    ],
)
def test_wrong_types_unknown_keys_and_impossible_combinations(override, fragment):
    with pytest.raises(ConfigError, match="^" + fragment.replace(".", r"\.").replace("(", r"\(").replace("[", r"\[")):
        validate(nested(override))


@given(st.floats(10.0001, 1e6) | st.floats(-1e6, -0.0001))
def test_any_promise_off_the_scale_is_rejected(promise):
    with pytest.raises(ConfigError, match=r"firm\.promise"):
        validate(nested({"firm.promise": promise}))


def test_defaults_are_valid_and_every_parameter_is_documented():
    validate({})
    assert all(doc for *_, doc in PARAMETERS)
