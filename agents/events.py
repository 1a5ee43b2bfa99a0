"""The per-customer event log of a run: what happened to whom, and when.

Processes add events as they happen (a problem visit, a complaint, its
outcome, leaving, joining); the vector engine adds a day's events of one kind
as arrays, the per-agent engine one at a time, in the same order, so both
engines write the same log. ``table()`` turns it into an ``EventTable`` (a row
per event) that the run writes as ``events.parquet`` and from which the landmark
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

Memory: a million customers over two years log about ten million events, so the
log keeps each kind's own fields only (a full-width row per event, 72 bytes, is
mostly empty: a problem has 5 of the 10 fields, most other kinds one or none) and
a customer as int32; the table is sorted a column at a time, the landmark measures
take only the rows and columns they read, and the run writes events.parquet a row
group at a time (sim/run.py), so no full-width copy of the table ever exists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KINDS = ("problem", "complaint", "resolved", "abandoned", "left", "joined", "control", "visit")
CHANNELS = ("front_line", "desk")
# Every field of an event with its dtype and the value a kind without it gets.
# perceived and gap are read by nothing but the file, which stores them in single precision.
FIELDS = {
    "shortfall": (np.float64, np.nan),
    "chain_failed": (np.int8, -1),
    "purchases": (np.int32, -1),
    "satisfaction_before": (np.float64, np.nan),
    "satisfaction": (np.float64, np.nan),
    "channel": (np.int8, -1),
    "delay": (np.float64, np.nan),
    "perceived": (np.float32, np.nan),
    "gap": (np.float32, np.nan),
    "outcome": (np.int8, -1),
}

# A column grows in blocks this large: big enough that malloc maps each on its own, so the
# blocks go back to the system when freed instead of leaving holes in the heap (pages
# never written to cost no memory). Small blocks cost a million-customer run some 250 MiB.
BLOCK_BYTES = 32 * 2**20


class _Column:
    """A growing column of one dtype, in blocks; single values are gathered in a list first."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)
        self.block_size = BLOCK_BYTES // self.dtype.itemsize
        self.blocks, self.used, self.pending = [], 0, []

    def append(self, value) -> None:
        self.pending.append(value)
        if len(self.pending) >= 65_536:
            self._flush()

    def extend(self, values, n: int) -> None:
        """``n`` values: an array of them, or one value for all."""
        self._flush()
        self._write(values, n)

    def _flush(self) -> None:
        if self.pending:
            pending, self.pending = self.pending, []
            self._write(np.array(pending, dtype=self.dtype), len(pending))

    def _write(self, values, n: int) -> None:
        values = np.asarray(values)  # assigning into the block casts it to the column's dtype
        one = values.ndim == 0
        done = 0
        while done < n:
            if not self.blocks or self.used == self.block_size:
                self.blocks.append(np.empty(self.block_size, dtype=self.dtype))
                self.used = 0
            step = min(n - done, self.block_size - self.used)
            self.blocks[-1][self.used : self.used + step] = values if one else values[done : done + step]
            self.used, done = self.used + step, done + step

    def take(self) -> np.ndarray:
        """The whole column as one array; the column is emptied."""
        self._flush()
        blocks, self.blocks = self.blocks, []
        if not blocks:
            return np.zeros(0, dtype=self.dtype)
        blocks[-1] = blocks[-1][: self.used]
        return np.concatenate(blocks) if len(blocks) > 1 else blocks[0].copy()


# The fields each kind carries, in the order of KINDS.
KIND_FIELDS = (
    ("shortfall", "chain_failed", "purchases", "satisfaction_before", "satisfaction"),
    ("channel",),
    ("delay", "satisfaction"),
    ("delay", "satisfaction"),
    (),
    (),
    ("purchases",),
    ("perceived", "gap", "outcome"),
)


class EventLog:
    """Events in the order they happen; ``every_visit`` keeps a row for every visit too."""

    def __init__(self, every_visit: bool = False):
        self.every_visit = every_visit
        self._time, self._customer, self._kind = _Column(np.float64), _Column(np.int32), _Column(np.int8)
        self._fields = [{name: _Column(FIELDS[name][0]) for name in names} for names in KIND_FIELDS]

    def add(self, kind: str, time, customers, **fields) -> None:
        """Events of one kind for one person (scalars) or many (arrays of equal length)."""
        code = KINDS.index(kind)
        columns = self._fields[code]
        if fields.keys() != columns.keys():
            raise ValueError(f"a {kind} event has the fields {sorted(columns)}, not {sorted(fields)}")
        if np.ndim(customers) == 0:
            self._time.append(time)
            self._customer.append(customers)
            self._kind.append(code)
            for name, value in fields.items():
                columns[name].append(value)
            return
        n = len(customers)
        if not n:
            return
        self._time.extend(time, n)
        self._customer.extend(customers, n)
        self._kind.extend(code, n)
        for name, values in fields.items():
            columns[name].extend(values, n)

    def table(self) -> EventTable:
        """The events sorted into an ``EventTable``; the log is emptied as the table is built.

        Rows are in time order, a moment's events by customer, each customer's in
        the order they happened: the per-agent engine logs a day's events person by
        person and the vector engine process by process, and this order is the same for both.
        """
        time, customer, kind = self._time.take(), self._customer.take(), self._kind.take()
        order = np.lexsort((customer, time))  # stable: keeps each person's own order
        time = time[order]
        customer = customer[order]
        # Each event's place among its own kind's events, whose fields are kept in the order they came.
        rank = np.empty(len(kind), dtype=np.int32 if len(kind) < 2**31 else np.int64)
        for code in range(len(KINDS)):
            is_kind = kind == code
            rank[is_kind] = np.arange(np.count_nonzero(is_kind), dtype=rank.dtype)
        kind = kind[order]
        rank = rank[order]
        del order
        fields = [{name: column.take() for name, column in columns.items()} for columns in self._fields]
        return EventTable(time, customer, kind, rank, fields)


class EventTable:
    """The run's events in table order, a column at a time; each kind's fields only for its own events.

    ``rows()`` gives some of its rows as a frame with every column (a field the
    kind lacks is empty: NaN or -1), as filtering one full-width table would.
    """

    def __init__(self, time: np.ndarray, customer: np.ndarray, kind: np.ndarray, rank: np.ndarray, fields: list[dict]):
        # rank: where each row's fields are in its kind's field arrays
        self.time, self.customer, self.kind, self.rank, self.fields = time, customer, kind, rank, fields

    def __len__(self) -> int:
        return len(self.kind)

    def positions(self, *kinds: str) -> np.ndarray:
        """Where the rows of ``kinds`` are in the table, in table order."""
        wanted = np.zeros(len(self), dtype=bool)
        for kind in kinds:
            wanted |= self.kind == KINDS.index(kind)  # np.isin would copy the column as 8-byte integers
        return np.flatnonzero(wanted)

    def rows(self, *kinds: str, columns=None, at: np.ndarray | None = None, single: bool = False) -> pd.DataFrame:
        """The rows of ``kinds`` (every row when none is given), or the rows at positions ``at``, in table order.

        The frame's index is each row's position in the table; ``columns`` picks columns.
        ``single``: the fields' floats in single precision and the customer as int32, as
        events.parquet stores them, made without a double-precision copy first.
        """
        if at is None:
            at = self.positions(*kinds) if kinds else np.arange(len(self))
        kind, rank = self.kind[at], self.rank[at]
        frame = {}
        for name in columns or ["time", "customer", "kind", *FIELDS]:
            if name == "time":
                frame[name] = self.time[at]
            elif name == "customer":
                frame[name] = self.customer[at] if single else self.customer[at].astype(np.int64)
            elif name == "kind":
                frame[name] = pd.Categorical.from_codes(kind, categories=list(KINDS))
            else:
                dtype, empty = FIELDS[name]
                values = np.full(len(at), empty, dtype=np.float32 if single and dtype == np.float64 else dtype)
                for code, fields in enumerate(self.fields):
                    if name in fields:
                        is_kind = kind == code
                        values[is_kind] = fields[name][rank[is_kind]]
                frame[name] = pd.Categorical.from_codes(values, categories=list(CHANNELS)) if name == "channel" else values
        return pd.DataFrame(frame, index=at, copy=False)  # the columns are fresh arrays: no need to copy them again

    def frame(self) -> pd.DataFrame:
        """The whole table as one frame (for small runs: every column of every row)."""
        return self.rows()
