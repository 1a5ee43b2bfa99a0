"""ServiceModel: the Mesa model frame that wires the day's processes together.

``DAY`` is the order of MODEL.md §3, written once; each entry is a process of
``agents.processes`` with a vectorised and a per-agent version. This module
builds the population, the firm, the desk, the run's fixed context and the
day's state the processes act on, runs the day's processes in order and
records the day. It decides nothing:
every decision is a process calling ``agents.rules``.
``sim.agent_model.AgentServiceModel`` runs the same day one ``mesa.Agent`` at a time.

The complaint desk: this engine computes it (``agents.fast_desk``: the queueing
recursion, about 1 us a complaint) and applies each day's outcomes as arrays;
the per-agent engine runs it in SimPy (``agents.desk``), one callback per
outcome. Both give the same outcomes at the same moments in the same order, so
the engines' identity test also holds one desk against the other.

Randomness: one seed makes Mesa's generator, which spawns named child streams
(population, daily dice, word of mouth, and the loyalty measure's comparison draws). Each day rolls a fixed amount of the
daily stream whatever the policy, and every person has their own die for each
decision (``agents.dice``), so two policies compared on one seed see the same
dice (common random numbers) and differ only by what the policy does.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents.dice import DailyDice
from agents.events import EventLog
from agents.fast_desk import QueueRecursionDesk
from agents.firm import Firm
from agents.population import Population, populate
from agents.processes import (
    ACQUISITION,
    ADVERTISING,
    BOOKKEEPING,
    DEFECTION,
    JUDGEMENT,
    RECOVERY,
    SERVICE,
    VOICE,
    WORD_OF_MOUTH,
)
from agents.processes.base import DayState, RunContext
from agents.processes.defection import decide_after_outcomes
from agents.processes.recovery import answered_at_desk
from agents.rules import RecoveryWeights
from sim.params import TRAITS, ServsimConfig
from sim.records import DailyRecord

STREAMS = ("population", "daily", "word_of_mouth", "landmark")
# People per slice when a rule runs over a large group: a slice's temporaries fit in the CPU cache.
SLICE = 1 << 16

# One day, in the order of MODEL.md §3. The desk works through the day between
# acquisition and bookkeeping: complaints submitted today are resolved (or
# given up) at their moments in the day.
DAY = (ADVERTISING, SERVICE, JUDGEMENT, VOICE, RECOVERY, DEFECTION, WORD_OF_MOUTH, ACQUISITION, BOOKKEEPING)
# The daily record: the readings first (day, customers, attitudes, money), then each process's counters.
COLUMNS = BOOKKEEPING.counters + tuple(column for process in DAY if process is not BOOKKEEPING for column in process.counters)


class ServiceModel(mesa.Model):
    """A firm, its market and its recovery desk, one day per ``step()``."""

    def __init__(self, config: ServsimConfig):
        super().__init__(seed=config.seed)
        self.config = config
        self.streams = dict(zip(STREAMS, self.rng.spawn(len(STREAMS))))
        self.firm = Firm(config.firm, config.customers.process_weight)
        self._people = self._populate(config)
        self.starting_customers = int(self._people.starting_customer.sum())
        self.desk = self._make_desk(config.recovery)
        b = config.customers
        self.run_context = RunContext(
            firm=self.firm,
            behaviour=b,
            market=config.market,
            recovery=config.recovery,
            weights=RecoveryWeights(b.compensation_weight, b.speed_weight, b.speed_scale_days, b.apology_weight),
            desk=self.desk,
            dice=DailyDice(self.streams["daily"], config.market.customers),
            talk_rng=self.streams["word_of_mouth"],
            landmark_rng=self.streams["landmark"],
            population_size=config.market.customers,
            slice_size=SLICE,
            cohort=np.flatnonzero(self._people.starting_customer),
            events=EventLog(every_visit=config.output.events == "all"),
        )
        self.today = self._new_day()
        self.record = DailyRecord(COLUMNS, config.days)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, key=name: m.record.latest(key)) for name in self.record.names}
        )

    def _populate(self, config) -> Population:
        c, m = config.customers, config.market
        return populate(
            m.customers,
            self.streams["population"],
            [trait.for_run(c) for trait in TRAITS],
            initial_share=m.initial_share,
            promise=self.firm.promise,
            delivered_level=self.firm.expected_delivery(0),
            competitor_quality=m.competitor_quality,
            initial_trust=c.initial_trust,
            spread=c.trait_spread,
            initial_tenure_days=c.initial_tenure_days,
        )

    def _new_day(self) -> DayState:
        """The state the first day begins with (the per-agent engine's carries its agents too)."""
        return DayState()

    def _make_desk(self, r):
        """The desk computed, not simulated: the SimPy desk's outcomes, moments and order (agents/fast_desk.py)."""
        return QueueRecursionDesk(staff=r.staff, fixed_delay=r.desk == "fixed_delay")

    @property
    def people(self) -> Population:
        """The customer state as arrays (here: the live arrays themselves)."""
        return self._people

    @property
    def day(self) -> int:
        return self.today.day

    def step(self) -> None:
        """One day: roll the dice, run the processes in order, record."""
        today = self.today
        today.tally = self.record.blank_day()
        today.dawn_with_firm = self.with_firm()
        today.visits = None
        self.roll_dice()
        for process in DAY:
            if process is BOOKKEEPING:
                self.answer_complaints(today.day + 1)
            self.run_process(process)
        self.record.write(today.tally)
        self.datacollector.collect(self)
        today.day += 1

    def with_firm(self) -> np.ndarray:
        """Who is with the firm now, as a new boolean array."""
        return self._people.with_firm.copy()

    def roll_dice(self) -> None:
        """Today's dice, the same amount of the stream whatever the policy."""
        self.run_context.dice.roll()

    def run_process(self, process) -> None:
        process.vector(self._people, self.run_context, self.today)

    def answer_complaints(self, until: float) -> None:
        """§3.9 The desk's outcomes before ``until`` (the day's end), each complainant then deciding to stay or leave."""
        self.apply_desk_outcomes(*self.desk.take_outcomes(until))

    def apply_desk_outcomes(self, customers: list, moments: list, values: list, resolved: list) -> None:
        """A day's outcomes as arrays, in the order the desk gives them (the order they happen).

        One customer has at most one complaint at the desk, so no one is in a
        day's outcomes twice and nothing else happens between them: applying
        them together, then the decisions they prompt, is applying them one by
        one (each outcome and decision touches only its own customer).
        """
        if customers:
            people, run, today = self._people, self.run_context, self.today
            customers, moments = np.array(customers, dtype=np.int64), np.array(moments)
            answered_at_desk(people, customers, moments, np.array(values), np.array(resolved, dtype=bool), run, today)
            decide_after_outcomes(people, customers, moments, run, today)

    def run(self, progress=None) -> None:
        """Run to the horizon; ``progress`` (if given) is called once a day."""
        for _ in range(self.config.days):
            self.step()
            if progress is not None:
                progress()
