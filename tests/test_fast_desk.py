"""The queueing-recursion desk against its oracle, the SimPy desk: the same outcomes, moments and order."""

import math

import numpy as np
import pytest
import simpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents import fast_desk as fast_desk_module
from agents.desk import RecoveryDesk
from agents.fast_desk import QueueRecursionDesk


class Log:
    """The outcomes a desk reports, in the order it reports them."""

    def __init__(self):
        self.outcomes = []

    def resolved(self, customer, delay):
        self.outcomes.append(("resolved", customer, delay))

    def abandoned(self, customer, waited):
        self.outcomes.append(("abandoned", customer, waited))

    def take(self):
        taken, self.outcomes = self.outcomes, []
        return taken


def simpy_desk(log, staff, fixed_delay):
    return RecoveryDesk(
        simpy.Environment(), staff=staff, on_resolved=log.resolved, on_abandoned=log.abandoned, fixed_delay=fixed_delay
    )


def fast_desk(log, staff, fixed_delay):
    return QueueRecursionDesk(staff=staff, on_resolved=log.resolved, on_abandoned=log.abandoned, fixed_delay=fixed_delay)


def workload(seed, days, per_day, staff, load, patience, mean_patience, fixed_delay):
    """Complaints day by day, as the model submits them: moments within the day in arbitrary order.

    ``load`` is offered work over capacity (0 instant handling, 0.1 light to 4 overloaded);
    ``patience`` is "inf", "finite" or "mixed" (some wait forever), finite waits
    exponential around ``mean_patience``.
    """
    rng = np.random.default_rng(seed)
    mean_handling = load * staff / max(per_day, 1)
    customer = 0
    for day in range(days):
        count = int(rng.poisson(per_day))
        moments = rng.random(count)  # unsorted: the model submits in visitor order
        handling = np.full(count, mean_handling) if fixed_delay else rng.exponential(mean_handling, count)
        waits = rng.exponential(mean_patience, count)
        if patience == "inf":
            waits[:] = math.inf
        elif patience == "mixed":
            waits[rng.random(count) < 0.3] = math.inf
        complaints = []
        for moment, wait, work in zip(moments, waits, handling):
            complaints.append((customer, day + float(moment), float(wait), float(work)))
            customer += 1
        yield day, complaints


def run_both(seed, days, per_day, staff, load, patience, fixed_delay, in_batches, mean_patience=0.3):
    """Each day's outcomes, queue length and open complaints, from both desks."""
    logs = Log(), Log()
    reference, fast = simpy_desk(logs[0], staff, fixed_delay), fast_desk(logs[1], staff, fixed_delay)
    days_seen = []
    for day, complaints in workload(seed, days, per_day, staff, load, patience, mean_patience, fixed_delay):
        for desk in (reference, fast):
            if in_batches and complaints:  # the interface a vectorised model uses: arrays, then advance
                desk.submit_many(*(np.array(column) for column in zip(*complaints)))
            else:
                for complaint in complaints:
                    desk.submit(*complaint)
        if in_batches:
            reference.advance(day + 1)
        else:
            reference.env.run(until=day + 1)  # as the model runs it today
        fast.advance(day + 1)
        days_seen.append(
            [(logs[0].take(), reference.queue_length, reference.in_system), (logs[1].take(), fast.queue_length, fast.in_system)]
        )
    reference.env.run(until=days + 10_000)  # everyone still waiting is answered or gives up
    fast.advance(days + 10_000)
    days_seen.append([(logs[0].take(), reference.in_system), (logs[1].take(), fast.in_system)])
    return days_seen


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    days=st.integers(1, 6),
    per_day=st.sampled_from([1, 5, 30, 120]),
    staff=st.integers(1, 6),
    load=st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.2, 4.0]),
    patience=st.sampled_from(["inf", "finite", "mixed"]),
    mean_patience=st.sampled_from([0.0, 0.02, 0.3, 2.0]),  # 0 (and handling 0) are valid configurations
    fixed_delay=st.booleans(),
    in_batches=st.booleans(),
)
def test_the_recursion_desk_gives_the_simpy_desks_outcomes_in_its_order(
    seed, days, per_day, staff, load, patience, mean_patience, fixed_delay, in_batches
):
    days_seen = run_both(seed, days, per_day, staff, load, patience, fixed_delay, in_batches, mean_patience)
    for day, (reference, fast) in enumerate(days_seen):
        assert fast == reference, f"day {day}"
    assert days_seen[-1][0][1] == 0  # the oracle itself emptied


@pytest.mark.parametrize("blocks", [fast_desk_module.MAX_PENDING_BLOCKS, 2])
def test_an_overloaded_desk_over_many_days_matches_the_simpy_desk(blocks, monkeypatch):
    """Long lines, most complainants giving up, outcomes spilling over many day boundaries.

    With few pending blocks allowed, the days' outcome blocks are merged again and again.
    """
    monkeypatch.setattr(fast_desk_module, "MAX_PENDING_BLOCKS", blocks)
    # Those who wait forever are served days after later complainants give up: the blocks interleave.
    days_seen = run_both(
        seed=5, days=40, per_day=300, staff=2, load=4.0, patience="mixed", fixed_delay=False, in_batches=True, mean_patience=2.0
    )
    outcomes = [outcome for reference, _ in days_seen for outcome in reference[0]]
    assert sum(kind == "abandoned" for kind, _, _ in outcomes) > 2_000
    assert max(reference[1] for reference, _ in days_seen[:-1]) > 100
    for reference, fast in days_seen:
        assert fast == reference


def test_the_recursion_by_hand():
    """One handler: 1 is served at once, 2 waits for 1, 3 gives up before 2 is done."""
    log = Log()
    desk = fast_desk(log, staff=1, fixed_delay=False)
    desk.submit(1, 0.10, math.inf, 0.30)  # served 0.10-0.40
    desk.submit(2, 0.20, 0.50, 0.30)  # waits until 0.40, served until 0.70
    desk.submit(3, 0.30, 0.20, 0.10)  # would start at 0.70, gives up at 0.50
    desk.advance(0.45)
    assert log.take() == [("resolved", 1, pytest.approx(0.30))] and desk.queue_length == 1 and desk.in_system == 2
    desk.advance(1)
    assert log.take() == [("abandoned", 3, pytest.approx(0.20)), ("resolved", 2, pytest.approx(0.50))]
    assert desk.queue_length == 0 and desk.in_system == 0


def test_the_clock_only_moves_forward():
    desk = fast_desk(Log(), staff=1, fixed_delay=False)
    desk.advance(1)
    with pytest.raises(ValueError):
        desk.advance(1)


def test_a_moment_rounded_up_to_midnight_arrives_the_next_day_as_in_simpy():
    """``day + 0.999...`` can round to ``day + 1``: that complainant is not yet in line when the day ends."""
    days = [
        [(0, 0.2, math.inf, 2.0), (1, 0.3, 0.5, 1.0), (2, 1.0, math.inf, 0.5), (3, 1.0, 0.3, 0.5)],
        [(4, 1.0, math.inf, 0.1), (5, 1.5, 0.2, 0.3), (6, 1.25, math.inf, 0.2)],
        [],
        [],
    ]
    logs = Log(), Log()
    reference, fast = simpy_desk(logs[0], 1, False), fast_desk(logs[1], 1, False)
    for day, complaints in enumerate(days):
        for complaint in complaints:
            reference.submit(*complaint)
            fast.submit(*complaint)
        reference.env.run(until=day + 1)
        fast.advance(day + 1)
        assert (logs[1].take(), fast.queue_length, fast.in_system) == (logs[0].take(), reference.queue_length, reference.in_system)
    assert reference.in_system == 0


def test_a_days_outcomes_in_one_batch_are_the_callbacks_outcomes():
    """``take_outcomes`` (for a model applying a day's outcomes at once) hands over what ``advance`` announces, at its moments."""
    announced = []
    announcing = QueueRecursionDesk(
        staff=2,
        on_resolved=lambda customer, delay: announced.append(("resolved", customer, announcing.moment, delay)),
        on_abandoned=lambda customer, waited: announced.append(("abandoned", customer, announcing.moment, waited)),
    )
    batching, outcomes = QueueRecursionDesk(staff=2), 0
    for day, complaints in workload(7, 10, 200, 2, 3.0, "mixed", 0.3, False):
        for complaint in complaints:
            announcing.submit(*complaint)
            batching.submit(*complaint)
        announcing.advance(day + 1)
        customers, moments, values, resolved = batching.take_outcomes(day + 1)
        kinds = ["resolved" if flag else "abandoned" for flag in resolved]
        assert list(zip(kinds, customers, moments, values)) == announced
        assert (batching.queue_length, batching.in_system) == (announcing.queue_length, announcing.in_system)
        outcomes += len(announced)
        announced.clear()
    assert outcomes > 1000 and not all(resolved)
