"""Loyalty after a problem, measured from the event log without survivorship bias (MODEL.md §6).

Grouping customers by the label they carry at the horizon is biased: a
customer must stay long enough to have a problem, complain and be resolved.
The landmark design fixes the clock instead. Each customer's first problem
(a visit below the zone of tolerance, day ``d``) is a landmark; the customer
is followed for ``W`` days and counted as having stayed if still with the firm
at the end of day ``d + W``. The groups are what happened to *that* problem
(silent; resolved fast, i.e. on the spot or within ``fast_days``; resolved
slowly; unresolved: abandoned or still open at ``d + W``), and the comparison
group is the same day's risk set: customers with the firm when day ``d``
began and no problem yet, one drawn per landmark during the run (``control``
events). Landmarks whose window passes the horizon are left out.

Everything here reads only the event table and the customers' starting
status (what a run writes as ``events.parquet`` and ``customers.parquet``). The
table is an ``agents.events.EventTable``: each measure asks it for the rows and
columns it reads (at a million customers the whole table as one frame would not
fit in the memory the run is allowed).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from agents.events import KINDS, EventTable
from stats.intervals import wilson_interval

PROBLEM = KINDS.index("problem")

WINDOWS = (90, 180)
# Further windows of the ladder and of staying after a first complaint: how fast a problem's
# effect fades shows only when the same groups are followed for longer and shorter (MODEL.md §8).
MORE_WINDOWS = (30, 365)
COMPLAINT_WINDOWS = (30, 90, 180, 365)
GROUPS = ("no_problem", "silent", "resolved_fast", "resolved_slow", "unresolved")
# Every landmark whose problem became a complaint, whatever its outcome (F4: complainants kept).
COMPLAINED = "complained"
# Fewer landmarks than this in a group: "too few to tell", not a number.
MIN_GROUP = 30
# A repeat complaint within this many days of the previous one is a recent repeat (F11, F12).
RECENT_DAYS = 60
# A shortfall up to this many points below the zone is a mild problem (F7).
MILD_SHORTFALL = 0.5


def share(stayed: np.ndarray) -> dict:
    """n, the share that stayed, and its interval."""
    n, k = int(len(stayed)), int(np.sum(stayed))
    low, high = wilson_interval(k, n)
    return {"n": n, "stayed": k / n if n else None, "ci_low": None if n == 0 else low, "ci_high": None if n == 0 else high}


class Timeline:
    """Who was with the firm when, from the starting status and the log's joins and leaves."""

    def __init__(self, events: EventTable, starting: np.ndarray, days: int):
        self.starting = starting
        self.stride = days + 2
        changes = events.rows("left", "joined", columns=["time", "customer", "kind"])
        day = np.floor(changes["time"].to_numpy()).astype(np.int64)
        customer = changes["customer"].to_numpy()
        self.change_keys = np.sort(customer * self.stride + day)
        left = changes["kind"].to_numpy() == "left"
        self.leave_keys = np.sort(customer[left] * self.stride + day[left])

    def with_firm_after(self, customers: np.ndarray, days: np.ndarray) -> np.ndarray:
        """With the firm at the end of ``days`` (each customer's own day)."""
        first = np.searchsorted(self.change_keys, customers * self.stride, "left")
        upto = np.searchsorted(self.change_keys, customers * self.stride + days, "right")
        return self.starting[customers] ^ ((upto - first) % 2 == 1)

    def left_between(self, customers: np.ndarray, first_day: np.ndarray, last_day: np.ndarray) -> np.ndarray:
        start = np.searchsorted(self.leave_keys, customers * self.stride + first_day, "left")
        end = np.searchsorted(self.leave_keys, customers * self.stride + last_day, "right")
        return end > start


def complaint_table(events: EventTable) -> pd.DataFrame:
    """One row per complaint: its problem visit, its order for the customer, and its outcome."""
    complaints = events.rows("complaint", columns=["time", "customer", "channel"]).reset_index(drop=True)
    complaints["day"] = complaints["time"].astype(np.int64)
    complaints["order"] = complaints.groupby("customer").cumcount() + 1
    previous = complaints.groupby("customer")["day"].shift(1)
    complaints["days_since_previous"] = complaints["day"] - previous
    problems = events.rows(at=_complained_problems(events, complaints),
                           columns=["time", "customer", "shortfall", "chain_failed", "purchases", "satisfaction_before", "satisfaction"])
    problems = problems.assign(day=problems["time"].astype(np.int64)).drop(columns="time")
    problems = problems.rename(columns={"satisfaction": "satisfaction_after_problem"})
    table = complaints.merge(problems, on=["customer", "day"], how="left")
    outcomes = events.rows("resolved", "abandoned", columns=["time", "customer", "kind", "delay", "satisfaction"])
    # A customer has one complaint open at a time: its outcome is their first outcome after it.
    keys = outcomes["customer"].to_numpy() * 1e6 + outcomes["time"].to_numpy()
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    wanted = table["customer"].to_numpy() * 1e6 + table["day"].to_numpy()
    found = np.searchsorted(sorted_keys, wanted, "left")
    safe = np.minimum(found, max(len(order) - 1, 0))
    has = (found < len(order)) & (len(order) > 0)
    if len(order):
        rows = outcomes.iloc[order[safe]]
        has &= rows["customer"].to_numpy() == table["customer"].to_numpy()
        abandoned = rows["kind"].cat.codes.to_numpy() == KINDS.index("abandoned")
        table["outcome"] = _outcome(np.where(has, abandoned, OUTCOMES.index("open")))
        table["outcome_time"] = np.where(has, rows["time"].to_numpy(), np.nan)
        table["delay"] = np.where(has, rows["delay"].to_numpy(), np.nan)
        table["satisfaction_after_outcome"] = np.where(has, rows["satisfaction"].to_numpy(), np.nan)
    else:
        table["outcome"] = _outcome(np.full(len(table), OUTCOMES.index("open")))
        table["outcome_time"], table["delay"], table["satisfaction_after_outcome"] = np.nan, np.nan, np.nan
    return table


# What became of a complaint; a categorical column (a byte a complaint, not a string).
OUTCOMES = ("resolved", "abandoned", "open")


def _outcome(codes: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(OUTCOMES))


# Problem rows looked at a slice at a time when matched with the complaints (bounds the temporary arrays).
SLICE = 2**20


def _complained_problems(events: EventTable, complaints: pd.DataFrame) -> np.ndarray:
    """Table positions of the problem visits on a complainant's complaint day, the only ones the merge keeps.

    Matching these few first, rather than merging every problem, keeps a large run's merge small.
    """
    wanted = np.sort(complaints["customer"].to_numpy() << 32 | complaints["day"].to_numpy())
    found = []
    for start in range(0, len(events), SLICE):
        at = start + np.flatnonzero(events.kind[start : start + SLICE] == PROBLEM)
        keys = events.customer[at].astype(np.int64) << 32 | events.time[at].astype(np.int64)
        place = np.minimum(np.searchsorted(wanted, keys), max(len(wanted) - 1, 0))
        found.append(at[wanted[place] == keys] if len(wanted) else at[:0])
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


class LoyaltyLog:
    """The event table with what every loyalty measure reads from it, derived once per run."""

    def __init__(self, events: EventTable, starting: np.ndarray, days: int):
        self.events, self.days = events, days
        self.timeline = Timeline(events, starting, days)
        self.complaints = complaint_table(events)
        # Each customer's first problem (the landmark): its table position, customers in ascending order.
        at = events.positions("problem")
        first = np.full(len(starting), len(events), dtype=np.int64)
        np.minimum.at(first, events.customer[at], at)
        del at
        self.first_problem_customers = np.flatnonzero(first < len(events))
        self.first_problem_day = events.time[first[self.first_problem_customers]].astype(np.int64)


def loyalty_measures(events: EventTable, starting: np.ndarray, days: int, fast_days: float, satisfaction_rate: float):
    """(the landmark ladder, the complaint effects) of a run: the summary's loyalty measures."""
    log = LoyaltyLog(events, starting, days)
    effects = {
        "churn_rise_by_past_visits": churn_rise_by_past_visits(log),
        "staying_after_a_complaint": staying_after_a_complaint(log),
        "recovery_lift": recovery_lift(log, satisfaction_rate, fast_days),
        "after_first_complaint": after_first_complaint(log),
        "ladder_more_windows": after_first_problem(log, fast_days, MORE_WINDOWS),
    }
    return after_first_problem(log, fast_days), effects


def after_first_problem(log: LoyaltyLog, fast_days: float, windows: tuple[int, ...] = WINDOWS) -> dict:
    """The landmark ladder for each window: per group n, stayed, never_left and a 95% interval."""
    events, days, timeline, complaints = log.events, log.days, log.timeline, log.complaints
    customers, landmark_day = log.first_problem_customers, log.first_problem_day
    at_landmark = complaints[complaints["order"] == 1].set_index("customer")
    # every landmark customer's first complaint: only the columns read (a million customers' worth of rows);
    # a customer who never complained gets day NaN, so is not counted as complaining at the landmark
    outcome = at_landmark[["day", "outcome", "outcome_time", "delay"]].reindex(customers)
    complained = outcome["day"].to_numpy() == landmark_day
    controls = events.rows("control", columns=["time", "customer"])
    control_customers = controls["customer"].to_numpy()
    control_day = controls["time"].to_numpy().astype(np.int64)
    ladder = {}
    for window in windows:
        groups = _groups(complained, outcome, landmark_day, window, fast_days)
        followed = landmark_day + window <= days - 1
        end = landmark_day + window
        stayed = timeline.with_firm_after(customers, end)
        never_left = ~timeline.left_between(customers, landmark_day, end)
        rows = {}
        control_followed = control_day + window <= days - 1
        c_end = control_day + window
        c_stayed = timeline.with_firm_after(control_customers, c_end)[control_followed]
        c_never = ~timeline.left_between(control_customers, control_day, c_end)[control_followed]
        rows["no_problem"] = {**share(c_stayed), "never_left": _mean(c_never)}
        for name in GROUPS[1:]:
            member = followed & (groups == GROUPS.index(name))
            rows[name] = {**share(stayed[member]), "never_left": _mean(never_left[member])}
        member = followed & complained
        rows[COMPLAINED] = {**share(stayed[member]), "never_left": _mean(never_left[member])}
        ladder[str(window)] = rows
    return ladder


def _groups(complained, outcome, landmark_day, window, fast_days) -> np.ndarray:
    """What happened to each landmark problem by the end of its window (its group's place in GROUPS)."""
    resolved_in_time = (outcome["outcome"] == "resolved").to_numpy() & (
        outcome["outcome_time"].to_numpy() < landmark_day + window + 1
    )
    abandoned_in_time = (outcome["outcome"] == "abandoned").to_numpy()
    fast = outcome["delay"].to_numpy() <= fast_days
    groups = np.full(len(landmark_day), GROUPS.index("silent"), dtype=np.int8)
    groups[complained & resolved_in_time & fast] = GROUPS.index("resolved_fast")
    groups[complained & resolved_in_time & ~fast] = GROUPS.index("resolved_slow")
    groups[complained & ~resolved_in_time] = GROUPS.index("unresolved")
    groups[complained & abandoned_in_time] = GROUPS.index("unresolved")
    return groups


def _mean(flags: np.ndarray) -> float | None:
    return float(np.mean(flags)) if len(flags) else None


def churn_rise_by_past_visits(log: LoyaltyLog, window: int = 180) -> dict:
    """F11: how much a complaint at the first problem lowers staying, for fewer and for more past visits.

    Landmark complainants and the day's comparison customers, each split at the
    complainants' median number of past visits; ``rise`` is the comparison
    group's share staying minus the complainants'.
    """
    events, days, timeline, complaints = log.events, log.days, log.timeline, log.complaints
    first = complaints[(complaints["order"] == 1) & (complaints["day"] + window <= days - 1)]
    first_day = pd.Series(log.first_problem_day, index=log.first_problem_customers)
    first = first[first_day.reindex(first["customer"]).to_numpy() == first["day"].to_numpy()]
    controls = events.rows("control", columns=["time", "customer", "purchases"])
    controls = controls[controls["time"] + window <= days - 1]
    split = float(np.median(first["purchases"])) if len(first) else 0.0
    result = {"window": window, "past_visits_split": split}
    for name, keep, keep_control in (
        ("fewer", first["purchases"] <= split, controls["purchases"] <= split),
        ("more", first["purchases"] > split, controls["purchases"] > split),
    ):
        c = first[keep]
        stayed = timeline.with_firm_after(c["customer"].to_numpy(), c["day"].to_numpy() + window)
        k = controls[keep_control]
        k_stayed = timeline.with_firm_after(k["customer"].to_numpy(), k["time"].to_numpy().astype(np.int64) + window)
        rise = None if not len(stayed) or not len(k_stayed) else float(np.mean(k_stayed) - np.mean(stayed))
        result[name] = {"complainants": share(stayed), "comparison": share(k_stayed), "rise": rise}
    return result


def staying_after_a_complaint(log: LoyaltyLog, window: int = 90) -> dict:
    """F11/F12: staying ``window`` days after a first complaint, a recent repeat and a distant repeat."""
    timeline, complaints = log.timeline, log.complaints
    complaints = complaints[complaints["day"] + window <= log.days - 1]
    since = complaints["days_since_previous"]
    groups = {
        "first": complaints["order"] == 1,
        "recent_repeat": since <= RECENT_DAYS,
        "distant_repeat": since > 3 * RECENT_DAYS,
    }
    result = {"window": window, "recent_days": RECENT_DAYS}
    for name, member in groups.items():
        c = complaints[member]
        result[name] = share(timeline.with_firm_after(c["customer"].to_numpy(), c["day"].to_numpy() + window))
    return result


def recovery_lift(log: LoyaltyLog, satisfaction_rate: float, fast_days: float) -> dict:
    """F7/F12: satisfaction right after a recovery minus what a visit inside the zone would have left.

    A visit inside the zone moves satisfaction toward 0 by ``satisfaction_rate``;
    a lift above 0 is the recovery paradox (more satisfied than without the
    failure). Groups: a mild (at most ``MILD_SHORTFALL`` below the zone) or a
    severe (the chain failed) first problem resolved on the spot, a mild
    second complaint resolved on the spot, and a mild first problem resolved slowly.
    """
    c = log.complaints
    resolved = c[c["outcome"] == "resolved"]
    lift = resolved["satisfaction_after_outcome"] - (1.0 - satisfaction_rate) * resolved["satisfaction_before"]
    mild = resolved["shortfall"] <= MILD_SHORTFALL
    on_the_spot = resolved["delay"] == 0.0
    groups = {
        "mild_first_on_the_spot": mild & on_the_spot & (resolved["order"] == 1),
        "severe_first_on_the_spot": (resolved["chain_failed"] == 1) & on_the_spot & (resolved["order"] == 1),
        "mild_second_on_the_spot": mild & on_the_spot & (resolved["order"] == 2),
        "mild_first_slow": mild & (resolved["delay"] > fast_days) & (resolved["order"] == 1),
    }
    return {name: {"n": int(member.sum()), "mean": float(lift[member].mean()) if member.any() else None} for name, member in groups.items()}


def after_first_complaint(log: LoyaltyLog) -> dict:
    """Staying after a customer's first complaint, by time since it, by its outcome and by past visits.

    Read from complaints, their outcomes and leaving alone (no problem visits), so a firm's
    complaint records give the same figures as a run. For each window: every first complaint
    followed that long, those resolved within the window, those abandoned or still open at its
    end, and the complainants with at most / more than the median past visits (when the
    complaint's visit count is known). How staying falls with the window tells how long a
    complaint's effect lasts; the outcome split how much recovery counters it; the visits
    split how much past purchases protect (Knox & van Oest 2014).
    """
    first = log.complaints[log.complaints["order"] == 1]
    purchases = first["purchases"].to_numpy(dtype=float)
    split = float(np.nanmedian(purchases)) if np.isfinite(purchases).any() else math.nan
    result = {"past_visits_split": None if math.isnan(split) else split}
    for window in COMPLAINT_WINDOWS:
        end = first["day"].to_numpy() + window
        followed = end <= log.days - 1
        stayed = log.timeline.with_firm_after(first["customer"].to_numpy(), end)
        resolved = (first["outcome"] == "resolved").to_numpy() & (first["outcome_time"].to_numpy() < end + 1)
        groups = {
            "all": followed,
            "resolved": followed & resolved,
            "unresolved": followed & ~resolved,
            "fewer_visits": followed & (purchases <= split),
            "more_visits": followed & (purchases > split),
        }
        result[str(window)] = {name: share(stayed[member]) for name, member in groups.items()}
    return result
