"""The recovery desk as a queueing recursion: the SimPy desk's outcomes without its events.

``agents.desk.RecoveryDesk`` is the reference: one SimPy process per
complaint, about 35 us of events and callbacks each. This desk gives the same
outcomes at the same moments, in the same order, for about a microsecond per
complaint, because a first-come-first-served desk
needs no event loop once every complaint carries its own handling time and
patience. With arrivals taken in time order (Kiefer & Wolfowitz 1955; for
abandonment, Baccelli & Hebuterne 1981):

    start   = max(arrival, earliest time a handler is free)
    if start > arrival + patience:  abandons at arrival + patience, occupying no handler
    else:                           resolved at start + handling; that handler is free then

A min-heap holds the handlers' free times. Complaints of one day all arrive
after every earlier day's (the model's contract), so each day's batch is
sorted and run through the recursion on its own, carrying the heap.

Identity with the SimPy desk (tested with hypothesis, SimPy as the oracle):

* times are computed with the same floating-point operations SimPy performs:
  a complaint submitted when the clock reads ``now`` arrives at
  ``now + (arrival_time - now)``, gives up at ``that + patience``, ends at
  ``start + handling``; the callbacks get ``moment - arrival_time``;
* outcomes strictly before ``until`` fire in ``advance(until)`` (SimPy's
  ``run(until=...)`` stops before the events at ``until``), in time order;
* ``queue_length`` counts those who have arrived and neither started service
  nor given up, ``in_system`` those without an outcome yet.

Exact ties between different complaints' moments (two events at one instant)
have probability zero with the model's continuous dice; here they resolve as
(moment, resolved before abandoned, arrival order), and a complainant whose
handler frees up at the very instant their patience ends is served.

Plain Python, no numpy call per day and no numba: the recursion is a few
Python operations per complaint (about a microsecond with everything, see
benchmarks/README.md), a day of a few complaints costs a few microseconds, and
a JIT would add its import and compile time (about a second) to every run and
every sweep worker.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import deque
from itertools import chain
from operator import itemgetter
from typing import Callable

OnOutcome = Callable[[int, float], None]

# Outcomes wait as rows (moment, kind, arrival order, customer, delay or wait, resolved), sorted:
# kind 0 is resolved, 1 abandoned, so equal moments fire resolutions first, then by arrival.
RESOLVED, ABANDONED = 0, 1
_MOMENT = itemgetter(0)
# Days whose outcomes are still pending, each its own sorted block; past this many they are merged,
# so a line that grows without end (patience without limit, too few handlers) costs no more per day.
MAX_PENDING_BLOCKS = 32


class QueueRecursionDesk:
    """``staff`` handlers serving complaints first come, first served, computed not simulated.

    Same constructor arguments and ``submit`` as ``RecoveryDesk`` (without the
    SimPy environment); the clock moves with ``advance(until)``, which fires
    ``on_resolved(customer, delay)`` and ``on_abandoned(customer, waited)`` for
    every outcome before ``until``, in the order they happen, or hands them over
    all at once with ``take_outcomes(until)`` (then it needs no callbacks).
    ``queue_length`` and ``in_system`` are read between advances.
    ``fixed_delay=True``: no queue, each complaint ends its handling time after
    it arrives unless the complainant's patience is shorter.
    """

    def __init__(
        self,
        *,
        staff: int,
        on_resolved: OnOutcome | None = None,
        on_abandoned: OnOutcome | None = None,
        fixed_delay: bool = False,
        now: float = 0,
    ):
        self.staff = staff
        self.fixed_delay = fixed_delay
        self.on_resolved = on_resolved
        self.on_abandoned = on_abandoned
        self.now = now
        self.moment = now  # the moment of the outcome being announced (SimPy's clock at its callback)
        self.in_system = 0
        self.queue_length = 0  # as of the last advance(): complaints waiting for a handler
        self._free = [-math.inf] * staff  # heap of the handlers' free times
        self._submitted: list = []  # (customer, arrival_time, patience, handling) since the last advance
        self._arrived = 0  # complaints put through the recursion so far: the next one's arrival order
        self._pending: list = []  # [rows, first not yet fired] per block of outcomes
        # The line, counted without a structure per waiter: those who will be served leave it at
        # their start of service, which FCFS makes non-decreasing in arrival order (a deque);
        # those who give up leave it at their outcome, so they are the pending abandonments.
        self._starts_after_waiting: deque = deque()
        self._abandonments_pending = 0
        self._not_yet_arrived: list = []  # arrivals of the two kinds above at or after the last advance

    def submit(self, customer: int, arrival_time: float, patience_days: float, handling_days: float) -> None:
        """A complaint that reaches the desk at ``arrival_time`` (days), not before the clock."""
        self.in_system += 1
        self._submitted.append((customer, arrival_time, patience_days, handling_days))

    def submit_many(self, customers, arrival_times, patience_days, handling_days) -> None:
        """Many complaints (arrays or sequences, in submission order): ``submit`` for each."""
        columns = [values.tolist() if hasattr(values, "tolist") else list(values) for values in
                   (customers, arrival_times, patience_days, handling_days)]
        self.in_system += len(columns[0])
        self._submitted.extend(zip(*columns))

    def advance(self, until: float) -> None:
        """Move the clock to ``until``, firing every outcome before it in the order they happen."""
        due = self._take_before(until)
        self.in_system += len(due)  # counted down as each outcome is announced, as the SimPy desk does
        on_resolved, on_abandoned = self.on_resolved, self.on_abandoned
        for moment, _, _, customer, value, resolved in due:
            self.in_system -= 1
            self.moment = moment
            if resolved:
                on_resolved(customer, value)
            else:
                on_abandoned(customer, value)

    def take_outcomes(self, until: float) -> tuple[list, list, list, list]:
        """Move the clock to ``until`` without callbacks: the outcomes before it, in the order they happen.

        Returns (customers, moments, delays or waits, resolved flags) as lists, for a model that
        applies a day's outcomes in one pass; ``advance`` is this plus one callback per outcome.
        """
        due = self._take_before(until)
        if not due:
            return [], [], [], []
        moments, _, _, customers, values, resolved = zip(*due)
        return list(customers), list(moments), list(values), list(resolved)

    # ------------------------------------------------------------ internals
    def _take_before(self, until: float) -> list:
        """Move the clock to ``until``; the outcome rows before it, in order, counted out of the desk."""
        at = self.now + (until - self.now)  # SimPy's arithmetic for run(until=...)
        if not at > self.now:
            raise ValueError(f"until ({until}) must be greater than the current time {self.now}")
        if self._submitted:
            self._admit(at)
        due = self._outcomes_before(at)
        self.now = at
        self._abandonments_pending -= sum(row[1] for row in due)  # kind 1: gave up in line
        self._measure_line(at)
        self.in_system -= len(due)
        return due

    def _admit(self, at: float) -> None:
        """Put the complaints submitted since the last advance through the recursion, in arrival order."""
        now, submitted, free, fixed_delay = self.now, self._submitted, self._free, self.fixed_delay
        self._submitted = []
        arrivals = [now + (arrival_time - now) for _, arrival_time, _, _ in submitted]  # SimPy: timeout(t - now)
        rows, starts, not_yet_arrived = [], self._starts_after_waiting, self._not_yet_arrived
        sequence = self._arrived
        for index in sorted(range(len(submitted)), key=arrivals.__getitem__):  # stable: ties in submission order
            customer, arrival_time, patience, handling = submitted[index]
            arrival = arrivals[index]
            give_up = arrival + patience
            if fixed_delay:  # every outcome is a timeout set on arrival: SimPy orders ties by arrival
                resolved = not patience < handling
                moment, kind = (arrival + handling if resolved else give_up), RESOLVED
            else:
                first_free = free[0]
                start = arrival if arrival > first_free else first_free
                resolved = not start > give_up
                if resolved:
                    moment, kind = start + handling, RESOLVED
                    heapq.heapreplace(free, moment)
                    if start > arrival:
                        starts.append(start)
                        if not arrival < at:  # a moment of day + 0.99... rounded up to the next day
                            not_yet_arrived.append(arrival)
                else:
                    moment, kind = give_up, ABANDONED
                    self._abandonments_pending += 1
                    if not arrival < at:
                        not_yet_arrived.append(arrival)
            rows.append((moment, kind, sequence, customer, moment - arrival_time, resolved))
            sequence += 1
        self._arrived = sequence
        rows.sort()
        self._pending.append([rows, 0])

    def _outcomes_before(self, at: float) -> list:
        """Take the pending outcomes before ``at``, in the order they happen."""
        due, kept = [], []
        for block in self._pending:
            rows, first = block
            cut = bisect_left(rows, at, lo=first, key=_MOMENT)
            if cut > first:
                due.append(rows[first:cut])
            if cut < len(rows):
                block[1] = cut
                kept.append(block)
        if len(kept) > MAX_PENDING_BLOCKS:
            kept = [[sorted(chain.from_iterable(rows[first:] for rows, first in kept)), 0]]
        self._pending = kept
        if len(due) == 1:
            return due[0]
        return sorted(chain.from_iterable(due))

    def _measure_line(self, at: float) -> None:
        """Who is in line at ``at``: arrived before it, and neither served nor gone before it."""
        starts = self._starts_after_waiting
        while starts and starts[0] < at:
            starts.popleft()
        if self._not_yet_arrived:
            self._not_yet_arrived = [arrival for arrival in self._not_yet_arrived if not arrival < at]
        self.queue_length = len(starts) + self._abandonments_pending - len(self._not_yet_arrived)
