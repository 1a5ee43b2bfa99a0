"""``python -m benchmarks.fused_prototype``: what fusing the visitors' judging into one compiled loop gains.

A prototype for issue 13 item 2, not part of the model or of ``make bench``:
it needs numba (``pip install numba``), which the project does not depend on.
It times the judging step of a day (disconfirmation, outcome, value, promise,
satisfaction, trust, learning, the visitor's record; ``ServiceModel._judge``)
two ways on the same state: as the model does it, a dozen gathers, some twenty
numpy calls on the day's visitors and a dozen scatters, using ``agents.rules``;
and as one ``numba.njit`` loop over the visitors reading and writing each one's
fields in place. Visitors are one person in eighteen, drawn each day as the
model's ``flatnonzero`` gives them (sorted). Prints ns per visit for each.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from agents import rules

FIELDS = ("expectation", "tolerance", "loss_aversion", "satisfaction", "trust", "learning_rate", "last_perceived", "value")
PARAMS = dict(delight_margin=1.0, curvature=0.88, rate=0.2, gain=0.05, loss=0.2, softening=0.0, bias=1.5, promise=7.0,
              margin=1.0)


def market(people: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    state = {name: rng.random(people) for name in FIELDS}
    state["expectation"] = 6.0 + rng.random(people) * 2
    state["problems"] = np.zeros(people, np.int32)
    return state


def judge_numpy(s: dict, visitors: np.ndarray, perceived: np.ndarray, p: dict) -> None:
    """The model's ``_judge``, as arrays."""
    expectation, tolerance = s["expectation"][visitors], s["tolerance"][visitors]
    gap = rules.disconfirmation(perceived, expectation)
    outcome = rules.classify_outcome(gap, tolerance, p["delight_margin"])
    value = rules.experience_value(gap, tolerance, s["loss_aversion"][visitors], p["curvature"])
    broken = rules.promise_broken(perceived, p["promise"], expectation, tolerance)
    s["satisfaction"][visitors] = rules.update_satisfaction(s["satisfaction"][visitors], value, p["rate"])
    s["trust"][visitors] = rules.update_trust(s["trust"][visitors], broken, p["gain"], p["loss"], p["softening"])
    s["expectation"][visitors] = rules.learn_expectation(expectation, perceived, s["learning_rate"][visitors], p["bias"])
    s["last_perceived"][visitors] = perceived
    s["problems"][visitors] += outcome == rules.BELOW
    s["value"][visitors] += p["margin"]


def fused_judge():
    """The same step as one compiled loop (numba imported only here)."""
    import numba

    @numba.njit(cache=False)
    def judge(expectation, tolerance, loss_aversion, satisfaction, trust, learning_rate, last_perceived, value,
              problems, visitors, perceived, curvature, rate, gain, loss, softening, bias, promise, margin):
        for k in range(visitors.shape[0]):
            i = visitors[k]
            e, w, seen = expectation[i], tolerance[i], perceived[k]
            g = seen - e
            v = max(g - w, 0.0) ** curvature - loss_aversion[i] * max(-g - w, 0.0) ** curvature
            satisfaction[i] += rate * (v - satisfaction[i])
            t = trust[i]
            trust[i] = t - loss * (1.0 - softening) * t if seen < max(promise, e) - w else t + gain * (1.0 - t)
            step = learning_rate[i] * bias if seen < e else learning_rate[i]
            expectation[i] = e + min(step, 1.0) * (seen - e)
            last_perceived[i] = seen
            if g < -w:
                problems[i] += 1
            value[i] += margin

    return judge


def run(people: int, days: int, fused) -> tuple[float, float]:
    """ns per visit of the numpy step and of the fused loop over the same days."""
    rng = np.random.default_rng(1)
    plans = []
    for _ in range(days):
        visitors = np.flatnonzero(rng.random(people) < 1 / 18)
        plans.append((visitors, 7.0 + rng.standard_normal(len(visitors))))
    visits = sum(len(v) for v, _ in plans)
    p = PARAMS
    state = market(people)
    start = time.process_time()
    for visitors, perceived in plans:
        judge_numpy(state, visitors, perceived, p)
    numpy_ns = (time.process_time() - start) / visits * 1e9
    state = market(people)
    columns = [state[name] for name in FIELDS] + [state["problems"]]
    start = time.process_time()
    for visitors, perceived in plans:
        fused(*columns, visitors, perceived, p["curvature"], p["rate"], p["gain"], p["loss"], p["softening"], p["bias"],
              p["promise"], p["margin"])
    fused_ns = (time.process_time() - start) / visits * 1e9
    return numpy_ns, fused_ns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=200)
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        fused = fused_judge()
    except ImportError:
        raise SystemExit("benchmarks.fused_prototype needs numba, which servsim does not install: pip install numba")
    warm = np.arange(3)
    fused(*(np.zeros(3) for _ in FIELDS), np.zeros(3, np.int32), warm, np.zeros(3), 0.88, 0.2, 0.05, 0.2, 0.0, 1.5, 7.0, 1.0)
    print(f"numba import and compile: {time.perf_counter() - started:.2f} s")
    for people in (10_000, 100_000, 1_000_000):
        numpy_ns, fused_ns = run(people, args.days, fused)
        print(f"{people:>9,} people: judging {numpy_ns:6.0f} ns per visit as numpy passes, {fused_ns:5.0f} ns fused "
              f"({numpy_ns / fused_ns:.0f}x)")


if __name__ == "__main__":
    main()
