"""The per-customer event log of a run: what happened to whom, and when.

Processes add events as they happen (a problem visit, a complaint, its
outcome, leaving, joining); the vector engine adds a day's events of one kind
as arrays, the per-agent engine one at a time, in the same order, so both
engines write the same log. ``table()`` turns it into one tidy frame (a row per
event) that the run writes as ``events.parquet`` and from which the landmark
measures of MODEL.md §6 are computed (``sim.landmark``).

Kinds and their fields (a field a kind does not have is empty):

    problem     a visit below the zone of tolerance: shortfall (points below the
                zone), chain_failed, purchases (past visits), satisfaction_before
                and satisfaction (after the visit)
    complaint   made at that visit: channel (front_line or desk)
    resolved    delay (days since the complaint), satisfaction (after recovery)
    abandoned   delay (days the complainant waited before giving up)
    left        the customer left the firm
    joined      the customer joined (or came back)
    control     drawn into the comparison group of the day's first problems: a
                customer with the firm that day with no problem yet (purchases)
    visit       any visit (only with output.events=all): perceived, gap, outcome
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KINDS = ("problem", "complaint", "resolved", "abandoned", "left", "joined", "control", "visit")
CHANNELS = ("front_line", "desk")
# Every field of an event with its dtype and the value a kind without it gets.
FIELDS = {
    "shortfall": (np.float64, np.nan),
    "chain_failed": (np.int8, -1),
    "purchases": (np.int32, -1),
    "satisfaction_before": (np.float64, np.nan),
    "satisfaction": (np.float64, np.nan),
    "channel": (np.int8, -1),
    "delay": (np.float64, np.nan),
    "perceived": (np.float64, np.nan),
    "gap": (np.float64, np.nan),
    "outcome": (np.int8, -1),
}


class EventLog:
    """Events in the order they happen; ``every_visit`` keeps a row for every visit too."""

    def __init__(self, every_visit: bool = False):
        self.every_visit = every_visit
        self._chunks: list = []

    def add(self, kind: str, time, customers, **fields) -> None:
        """Events of one kind for one person (scalars) or many (arrays of equal length)."""
        customers = np.atleast_1d(np.asarray(customers, dtype=np.int64))
        if len(customers):
            self._chunks.append((KINDS.index(kind), time, customers, fields))

    def table(self) -> pd.DataFrame:
        """One row per event: time (days; a desk outcome's moment in its day), customer, kind, fields.

        Rows are in time order, a moment's events by customer, each customer's in
        the order they happened: the per-agent engine logs a day's events person by
        person and the vector engine process by process, and this order is the same for both.
        """
        sizes = [len(customers) for _, _, customers, _ in self._chunks]
        total = sum(sizes)
        columns = {
            "time": np.concatenate([np.broadcast_to(np.asarray(t, dtype=np.float64), n) for (_, t, _, _), n in zip(self._chunks, sizes)])
            if total
            else np.zeros(0),
            "customer": np.concatenate([c for _, _, c, _ in self._chunks]) if total else np.zeros(0, dtype=np.int64),
            "kind": np.repeat([kind for kind, _, _, _ in self._chunks], sizes).astype(np.int8),
        }
        for name, (dtype, empty) in FIELDS.items():
            values = np.full(total, empty, dtype=dtype)
            start = 0
            for (_, _, _, fields), n in zip(self._chunks, sizes):
                if name in fields:
                    values[start : start + n] = fields[name]
                start += n
            columns[name] = values
        order = np.lexsort((columns["customer"], columns["time"]))  # stable: keeps each person's own order
        frame = pd.DataFrame({name: values[order] for name, values in columns.items()})
        frame["kind"] = pd.Categorical.from_codes(frame["kind"], categories=list(KINDS))
        frame["channel"] = pd.Categorical.from_codes(frame["channel"], categories=list(CHANNELS))
        return frame
