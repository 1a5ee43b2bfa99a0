"""The per-agent reference engine and the vectorised engine are the same model."""

import json

import pandas as pd
import pytest

import sim.model
from agents.customer import Customer
from sim.run import build_model, simulate
from tests.conftest import small_config

CASES = {
    "baseline": {},
    "surprise_and_guarantee": {
        "firm.surprise.start": 40,
        "firm.surprise.length": 60,
        "firm.guarantee": True,
        "recovery.staff": 1,
    },
    "slow_fixed_desk_overpromise": {"recovery.desk": "fixed_delay", "recovery.handling_days": 6.0, "firm.promise": 9.0},
    "noisy_heterogeneous": {"firm.quality_noise": 1.5, "customers.trait_spread": 1.0, "customers.loss_aversion": 4.0},
    # each customer's own grievance weight (a trait with its own spread) in the chance to leave
    "heterogeneous_grievance_weight": {"customers.grievance_weight_spread": 1.5, "customers.complaint_propensity": 0.2},
    "every_visit_logged": {"output.events": "all", "recovery.staff": 1, "recovery.on_the_spot": 0.0},
    # many desk outcomes a day, both kinds, many complainants leaving on the answer
    "crowded_desk": {"customers.complaint_propensity": 0.4, "recovery.staff": 1, "customers.patience_days": 1.0},
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_engines_give_identical_runs(case):
    overrides = {**CASES[case], "market.customers": 600, "days": 160, "seed": 21}
    vector_run = simulate(small_config({**overrides, "engine": "vector"}))
    agent_run = simulate(small_config({**overrides, "engine": "agent"}))
    (vector_ts, vector_summary, _), (agent_ts, agent_summary, _) = vector_run, agent_run
    pd.testing.assert_frame_equal(vector_ts, agent_ts, check_exact=True)
    vector_model, agent_model = vector_run[2], agent_run[2]
    pd.testing.assert_frame_equal(vector_model.event_table.frame(), agent_model.event_table.frame(), check_exact=True)
    # summary.json is written with json.dumps: compare exactly what would be written
    assert json.dumps(vector_summary) == json.dumps(agent_summary)
    assert vector_summary["complaints"] > 0 and vector_summary["defections"] > 0


def test_a_days_desk_outcomes_are_each_customers_only_one(monkeypatch):
    """What lets the vector engine apply a day's desk outcomes as arrays: no one is in them twice.

    Everyone answered has a complaint pending (voice waits for the answer), and
    nobody appears twice in one day's outcomes, under a load that leaves many waiting.
    """
    days_seen = []
    apply = sim.model.ServiceModel.apply_desk_outcomes

    def checked(model, customers, moments, values, resolved):
        assert len(set(customers)) == len(customers)
        assert model.people.complaint_pending[customers].all()
        assert moments == sorted(moments) and all(model.day <= t < model.day + 1 for t in moments)
        days_seen.append((len(customers), sum(resolved)))
        apply(model, customers, moments, values, resolved)

    monkeypatch.setattr(sim.model.ServiceModel, "apply_desk_outcomes", checked)
    simulate(small_config({"customers.complaint_propensity": 0.4, "recovery.staff": 1, "customers.patience_days": 3.0}))
    outcomes, resolutions = map(sum, zip(*days_seen))
    assert outcomes > resolutions > 0


def test_agent_engine_is_made_of_mesa_agents():
    model = build_model(small_config({"engine": "agent", "market.customers": 300}))
    assert len(model.agents) == 300
    assert all(isinstance(agent, Customer) for agent in model.agents)
    model.step()
    snapshot = model.people
    assert snapshot.with_firm.sum() == sum(agent.with_firm for agent in model.agents)


def test_slicing_the_population_changes_nothing(monkeypatch):
    """Rules applied a slice of people at a time give exactly the run applied to everyone at once."""
    config = small_config({"seed": 4, "market.customers": 1_000, "days": 120})
    whole_ts, whole_summary, _ = simulate(config)
    monkeypatch.setattr(sim.model, "SLICE", 97)
    sliced_ts, sliced_summary, _ = simulate(config)
    pd.testing.assert_frame_equal(whole_ts, sliced_ts, check_exact=True)
    assert json.dumps(whole_summary) == json.dumps(sliced_summary)
