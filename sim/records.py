"""The daily record: one preallocated array per column, declared by the processes.

Columns come from the processes themselves (``Process.counters``): a new
counter declared in a process is a new column of ``timeseries.csv`` and, if
summed, a run total, with no list to update anywhere else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class DailyRecord:
    """Rows of days, columns of the processes' declared counters and readings."""

    def __init__(self, columns, days: int):
        self.columns = tuple(columns)
        names = [c.name for c in self.columns]
        duplicated = {name for name in names if names.count(name) > 1}
        if duplicated:
            raise ValueError(f"daily columns declared twice: {sorted(duplicated)}")
        self.names = tuple(names)
        self.rows = 0
        self._arrays = {c.name: np.zeros(max(days, 1), dtype=c.dtype) for c in self.columns}

    def blank_day(self) -> dict:
        """A day's tally with every column at zero."""
        return dict.fromkeys(self.names, 0)

    def write(self, tally: dict) -> None:
        """Append one day; the arrays double when a run goes past its planned horizon (the dashboard)."""
        if self.rows == len(self._arrays[self.names[0]]):
            for name, values in self._arrays.items():
                self._arrays[name] = np.concatenate([values, np.zeros_like(values)])
        for name in self.names:
            self._arrays[name][self.rows] = tally[name]
        self.rows += 1

    def latest(self, name: str):
        return self._arrays[name][self.rows - 1].item()

    def column(self, name: str) -> np.ndarray:
        return self._arrays[name][: self.rows]

    def total(self, name: str) -> float:
        """A summed column's run total, added day by day (the order a running sum would take)."""
        total = 0.0
        for value in self.column(name).tolist():
            total += value
        return total

    def totals(self) -> dict:
        return {c.name: self.total(c.name) for c in self.columns if c.summed}

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({name: self.column(name) for name in self.names})
