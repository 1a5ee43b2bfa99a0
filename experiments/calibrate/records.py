"""A firm's records (a table in the event schema of events.parquet) turned into the figures a run reports.

A CRM export holds what a firm sees: complaints, their outcome and delay, joins and
departures (and, where it has them, visit counts). It never holds the model's hidden
traits nor the silent problems, so the figures taken from records are those read from
complaints, outcomes and leaving alone: staying after a first complaint by time since
it, by outcome and by past visits (``sim.landmark.after_first_complaint``). A run's own
event log goes through the same code, so a firm's records and a run are compared
like for like (tests/test_calibrate.py checks that a run's events.parquet gives the
figures of its summary.json).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from agents.events import FIELDS, KIND_FIELDS, KINDS, EventTable
from experiments.calibrate.observed import ObservedError
from sim import landmark


def event_table(frame: pd.DataFrame) -> EventTable:
    """An ``EventTable`` from a frame with time, customer, kind and the kinds' fields (a missing field is empty)."""
    missing = {"time", "customer", "kind"} - set(frame.columns)
    if missing:
        raise ObservedError(f"the records lack the column(s) {', '.join(sorted(missing))}: expected the event schema of "
                            "events.parquet (time, customer, kind, and per kind its fields)")
    kinds = frame["kind"].astype(str)
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ObservedError(f"the records have event kinds {', '.join(unknown)}: expected some of {', '.join(KINDS)}")
    order = np.lexsort((frame["customer"].to_numpy(), frame["time"].to_numpy()))
    frame, kinds = frame.iloc[order].reset_index(drop=True), kinds.iloc[order].reset_index(drop=True)
    code = kinds.map(KINDS.index).to_numpy(dtype=np.int8)
    rank = np.zeros(len(frame), dtype=np.int64)
    fields = []
    for k, names in enumerate(KIND_FIELDS):
        is_kind = code == k
        rank[is_kind] = np.arange(is_kind.sum())
        rows = frame[is_kind]
        fields.append({name: _field(rows, name) for name in names})
    return EventTable(frame["time"].to_numpy(dtype=np.float64), frame["customer"].to_numpy(dtype=np.int32), code, rank, fields)


def _field(rows: pd.DataFrame, name: str) -> np.ndarray:
    dtype, empty = FIELDS[name]
    if name not in rows:
        return np.full(len(rows), empty, dtype=dtype)
    column = rows[name]
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.cat.codes
    return column.fillna(empty).to_numpy(dtype=dtype)


def starting_customers(table: EventTable, customers: pd.DataFrame | None) -> np.ndarray:
    """Who was with the firm on day 0: from customers.parquet when given, else whoever's first join or leave is a leave."""
    size = int(table.customer.max()) + 1 if len(table) else 0
    if customers is not None:
        starting = np.zeros(max(size, int(customers["customer"].max()) + 1), dtype=bool)
        starting[customers["customer"].to_numpy()] = customers["starting_customer"].to_numpy(dtype=bool)
        return starting
    starting = np.ones(size, dtype=bool)
    changes = table.rows("left", "joined", columns=["customer", "kind"]).drop_duplicates("customer")
    starting[changes["customer"].to_numpy()] = changes["kind"].to_numpy() == "left"
    return starting


def records_figures(events: str | Path | pd.DataFrame, days: int | None = None, customers: pd.DataFrame | None = None) -> dict:
    """``complaint_effects.after_first_complaint`` of the records, as a run's summary.json holds it."""
    frame = pd.read_parquet(events) if not isinstance(events, pd.DataFrame) else events
    if customers is None and not isinstance(events, pd.DataFrame) and (Path(events).parent / "customers.parquet").exists():
        customers = pd.read_parquet(Path(events).parent / "customers.parquet")
    table = event_table(frame)
    if not np.any(table.kind == KINDS.index("left")):
        raise ObservedError("the records hold no departures: staying after a complaint cannot be read from them; "
                            "figures from repeat visits (buy-till-you-die records) are not computed yet")
    if not np.any(table.kind == KINDS.index("complaint")):
        raise ObservedError("the records hold no complaints: the complaint figures cannot be read from them")
    days = int(np.floor(table.time.max())) + 1 if days is None else days
    log = landmark.LoyaltyLog(table, starting_customers(table, customers), days)
    return landmark.after_first_complaint(log)


def observed_yaml(events: Path, days: int | None = None) -> str:
    """The records' figures as the ``figures:`` of an observed file (each stayed share with its n)."""
    figures = {}
    for window, groups in records_figures(events, days).items():
        if not isinstance(groups, dict):
            continue
        for group, share in groups.items():
            if share["n"] >= landmark.MIN_GROUP:
                figures[f"complaint_effects.after_first_complaint.{window}.{group}.stayed"] = {"value": round(share["stayed"], 4),
                                                                                               "n": share["n"]}
    return yaml.safe_dump({"figures": figures}, sort_keys=False)
