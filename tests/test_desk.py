"""The SimPy recovery desk against queueing theory."""

import math

import numpy as np
import pytest
import simpy

from agents import desk as desk_module
from agents.desk import RecoveryDesk, WaitingLine


def erlang_c_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue of an M/M/c system (Erlang C formula)."""
    load = arrival_rate / service_rate
    rho = load / servers
    top = load**servers / math.factorial(servers) / (1 - rho)
    bottom = sum(load**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom / (servers * service_rate - arrival_rate)


def run_pure_queue(arrival_rate, handling_days, staff, customers, seed, patience=math.inf, fixed_delay=False):
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    delays, abandoned = [], []
    desk = RecoveryDesk(
        env,
        staff=staff,
        on_resolved=lambda customer, delay: delays.append(delay),
        on_abandoned=lambda customer, waited: abandoned.append(waited),
        fixed_delay=fixed_delay,
    )
    arrivals = np.cumsum(rng.exponential(1 / arrival_rate, customers))
    handling = np.full(customers, handling_days) if fixed_delay else rng.exponential(handling_days, customers)
    for customer, (moment, work) in enumerate(zip(arrivals, handling)):
        desk.submit(customer, float(moment), patience, float(work))
    env.run()
    return np.array(delays), np.array(abandoned), desk


@pytest.mark.parametrize("staff,arrival_rate", [(1, 2.5), (2, 5.5), (3, 8.0)])
def test_mean_delay_matches_erlang_c(staff, arrival_rate):
    handling_days = 0.25  # service rate 4 per handler per day; loads 0.62-0.69
    customers = 100_000
    delays, abandoned, desk = run_pure_queue(arrival_rate, handling_days, staff, customers, seed=staff)
    expected = erlang_c_mean_wait(arrival_rate, 1 / handling_days, staff) + handling_days
    assert len(abandoned) == 0 and len(delays) == customers and desk.in_system == 0
    # Queue delays are autocorrelated: judge the mean by 50 batch means, not i.i.d. errors.
    batch_means = delays.reshape(50, -1).mean(axis=1)
    standard_error = batch_means.std(ddof=1) / np.sqrt(len(batch_means))
    assert abs(delays.mean() - expected) < 3.5 * standard_error
    assert delays.mean() == pytest.approx(expected, rel=0.05)


def test_delays_explode_as_load_approaches_capacity():
    light = run_pure_queue(2.0, 0.25, 1, 20_000, seed=1)[0].mean()
    heavy = run_pure_queue(3.8, 0.25, 1, 20_000, seed=1)[0].mean()
    assert heavy > 5 * light


def test_fixed_delay_mode_ignores_load():
    delays, _, _ = run_pure_queue(50.0, 2.0, 1, 500, seed=0, fixed_delay=True)
    assert len(delays) == 500 and np.allclose(delays, 2.0)


def test_impatient_complainants_give_up_at_their_patience():
    delays, abandoned, desk = run_pure_queue(10.0, 0.5, 1, 2_000, seed=4, patience=1.0)
    assert len(abandoned) > 0
    assert np.allclose(abandoned, 1.0)
    assert len(delays) + len(abandoned) == 2_000 and desk.in_system == 0


def test_queue_length_reports_waiting_complaints():
    env = simpy.Environment()
    desk = RecoveryDesk(env, staff=1, on_resolved=lambda *a: None, on_abandoned=lambda *a: None)
    for customer in range(4):
        desk.submit(customer, 0.0, math.inf, 10.0)
    env.run(until=0.5)
    assert desk.queue_length == 3 and desk.in_system == 4


def test_waiting_line_serves_in_order_and_forgets_who_left():
    line = WaitingLine()
    for request in "abcde":
        line.append(request)
    line.remove("a")
    line.remove("c")
    assert len(line) == 3
    assert line.pop(0) == "b" and line[0] == "d"
    assert [line.pop(0) for _ in range(len(line))] == ["d", "e"]
    assert len(line) == 0


def test_desk_gives_the_outcomes_of_a_plain_simpy_resource(monkeypatch):
    """The waiting line changes only the cost of leaving it, never who is served when."""
    overloaded = dict(arrival_rate=12.0, handling_days=0.5, staff=2, customers=3_000, seed=9, patience=0.7)
    fast = run_pure_queue(**overloaded)
    monkeypatch.setattr(desk_module, "Handlers", simpy.Resource)
    plain = run_pure_queue(**overloaded)
    assert len(fast[1]) > 1_000  # most give up: the line is long and often left
    np.testing.assert_array_equal(fast[0], plain[0])
    np.testing.assert_array_equal(fast[1], plain[1])
