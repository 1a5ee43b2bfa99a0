"""The day is made of processes, each with both engines' versions, declared in one place."""

import dataclasses
import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import agents.processes
from agents.processes.base import Column, DayState, Process, RunContext
from sim.model import COLUMNS, DAY
from sim.records import DailyRecord
from sim.run import build_model
from tests.conftest import small_config


def process_modules():
    for info in pkgutil.iter_modules(agents.processes.__path__):
        if info.name != "base":
            yield importlib.import_module(f"agents.processes.{info.name}")


def test_every_process_module_is_a_step_of_the_day():
    """A process file that the day does not run (or runs twice) fails here."""
    declared = [value for module in process_modules() for value in vars(module).values() if isinstance(value, Process)]
    assert sorted(p.name for p in declared) == sorted(p.name for p in DAY)
    assert len(set(p.name for p in DAY)) == len(DAY)


def test_every_process_has_both_engines_versions_reading_the_run_and_writing_the_day():
    """Each version's signature says what it acts on: the customers, the run's fixed context, the day's state."""
    for process in DAY:
        for version, acted_on, day_state in ((process.vector, "Population", "DayState"), (process.agent, "AgentSet", "AgentDay")):
            assert callable(version), f"{process.name} lacks a version"
            parameters = inspect.signature(version).parameters
            annotations = [parameter.annotation for parameter in parameters.values()]
            assert annotations == [acted_on, "RunContext", day_state], f"{process.name}.{version.__name__}"


def test_the_run_context_is_frozen_and_the_day_state_is_not():
    model = build_model(small_config({"market.customers": 100, "days": 3}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.run_context.firm = None
    model.step()
    assert model.today.day == 1 and model.today.tally["day"] == 1
    assert all(f.type != "Any" for f in dataclasses.fields(RunContext) + dataclasses.fields(DayState))


def test_the_per_agent_versions_hand_mesa_a_function_of_their_own_module():
    """``customers.do(rule, ...)`` / ``customers.map(rule, ...)`` apply a function the process module defines."""
    for module in process_modules():
        source = inspect.getsource(module)
        for call in ("customers.do(", "customers.map("):
            for name in (part.split(",")[0].split(")")[0] for part in source.split(call)[1:]):
                assert inspect.isfunction(getattr(module, name, None)), f"{module.__name__} asks customers to {name!r}"


def test_columns_are_declared_once_with_a_meaning():
    names = [column.name for column in COLUMNS]
    assert len(names) == len(set(names))
    assert all(isinstance(c, Column) and c.meaning and c.dtype in (np.int64, np.float64) for c in COLUMNS)
    assert names[0] == "day"


def test_record_refuses_a_column_declared_twice():
    column = Column("visits", np.int64, True, "twice")
    try:
        DailyRecord((column, column), days=3)
    except ValueError as error:
        assert "visits" in str(error)
    else:
        raise AssertionError("a duplicated column was accepted")


def test_record_grows_past_its_planned_horizon_and_sums_in_day_order():
    record = DailyRecord((Column("x", np.float64, True, "a number"),), days=2)
    values = [0.1, 0.2, 0.3, 1e16, -1e16]
    for value in values:
        record.write({"x": value})
    running = 0.0
    for value in values:
        running += value
    assert record.column("x").tolist() == values
    assert record.total("x") == running
