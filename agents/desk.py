"""The complaint/recovery desk: a SimPy queue in front of a limited staff.

A complaint arrives at its moment in the day, waits for a free handler (or
gives up when the customer's patience runs out), is handled, and its outcome
is handed back to the model at the simulated moment it happens. Recovery
delay is therefore not a parameter: it emerges from staffing and load.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Callable

import simpy

OnOutcome = Callable[[int, float], None]


class WaitingLine:
    """First come, first served, and leaving the line costs nothing.

    SimPy keeps waiting requests in a list, so every complainant who gives up
    is removed by a scan of the whole line; with thousands waiting at an
    overwhelmed desk that scan was most of a run. Here a withdrawn request is
    only marked, and dropped when it reaches the head. The order of service is
    unchanged. Implements what ``simpy.Resource`` asks of its ``PutQueue``.
    """

    def __init__(self):
        self._line: deque = deque()
        self._withdrawn: set = set()

    def append(self, request) -> None:
        self._line.append(request)

    def remove(self, request) -> None:
        self._withdrawn.add(request)

    def __len__(self) -> int:
        return len(self._line) - len(self._withdrawn)

    def __getitem__(self, index: int):
        if index != 0:
            raise IndexError("only the head of the line is served")
        while self._line[0] in self._withdrawn:
            self._withdrawn.remove(self._line.popleft())
        return self._line[0]

    def pop(self, index: int):
        head = self[index]
        self._line.popleft()
        return head


class Handlers(simpy.Resource):
    """The desk's staff: a SimPy resource whose waiting line is a ``WaitingLine``."""

    PutQueue = WaitingLine


class RecoveryDesk:
    """``staff`` handlers serving complaints first come, first served.

    Each complaint brings its own handling time and patience (drawn by the
    model from that complainant's dice, so staffing cannot reorder them).
    ``fixed_delay=True`` is the special case with no queue: every complaint is
    resolved its handling time after it arrives, whatever the load.
    In both modes a complainant whose patience runs out first gives up.
    ``on_resolved(customer, delay)`` and ``on_abandoned(customer, waited)``
    are called at the moment each outcome happens.
    """

    def __init__(
        self,
        env: simpy.Environment,
        *,
        staff: int,
        on_resolved: OnOutcome,
        on_abandoned: OnOutcome,
        fixed_delay: bool = False,
    ):
        self.env = env
        self.handlers = Handlers(env, capacity=staff)
        self.fixed_delay = fixed_delay
        self.on_resolved = on_resolved
        self.on_abandoned = on_abandoned
        self.in_system = 0

    @property
    def queue_length(self) -> int:
        """Complaints waiting for a handler right now."""
        return len(self.handlers.queue)

    def submit(self, customer: int, arrival_time: float, patience_days: float, handling_days: float) -> None:
        """Schedule a complaint that reaches the desk at ``arrival_time`` (days)."""
        self.in_system += 1
        self.env.process(self._complaint(customer, arrival_time, patience_days, handling_days))

    def submit_many(self, customers, arrival_times, patience_days, handling_days) -> None:
        """Many complaints, in order: ``submit`` for each (the interface of ``agents.fast_desk``)."""
        for complaint in zip(*(_as_python(a) for a in (customers, arrival_times, patience_days, handling_days))):
            self.submit(*complaint)

    @property
    def moment(self) -> float:
        """The simulated moment now: during a callback, the moment of its outcome."""
        return self.env.now

    def advance(self, until: float) -> None:
        """Run the desk's clock to ``until``: every outcome before it happens, in order."""
        self.env.run(until=until)

    def _complaint(self, customer: int, arrival_time: float, patience_days: float, handling_days: float):
        """Arrive, wait for a handler or give up, be handled, hear the outcome."""
        yield self.env.timeout(arrival_time - self.env.now)
        if self.fixed_delay:
            if patience_days < handling_days:
                yield self.env.timeout(patience_days)
                self._finish(self.on_abandoned, customer, arrival_time)
            else:
                yield self.env.timeout(handling_days)
                self._finish(self.on_resolved, customer, arrival_time)
            return
        with self.handlers.request() as request:
            if math.isinf(patience_days):
                yield request
            else:
                outcome = yield request | self.env.timeout(patience_days)
                if request not in outcome:
                    self._finish(self.on_abandoned, customer, arrival_time)
                    return
            yield self.env.timeout(handling_days)
        self._finish(self.on_resolved, customer, arrival_time)

    def _finish(self, callback: OnOutcome, customer: int, arrival_time: float) -> None:
        self.in_system -= 1
        callback(customer, self.env.now - arrival_time)


def _as_python(values) -> list:
    """Python numbers, as ``submit`` gets them one by one, from an array or a sequence."""
    return values.tolist() if hasattr(values, "tolist") else list(values)
