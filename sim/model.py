"""ServiceModel: the Mesa model frame around the vectorised customer population.

``step()`` is one day and reads in the process order of MODEL.md §3. Every
line that decides anything calls a rule from ``agents.rules``; this module
only gathers the right customers, hands numbers to the rules and records.
``sim.agent_model.AgentServiceModel`` is the same model stepped one
``mesa.Agent`` at a time; it overrides only the population phases below and
must give identical results (a test holds it to that).

Randomness: one seed makes Mesa's generator, which spawns named child streams
(population, daily dice, word of mouth). Each day rolls a fixed amount of
the daily stream whatever the policy, and every person has their own die for
each decision (``agents.dice``), so two policies compared on one seed see the
same dice (common random numbers) and differ only by what the policy does.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
import simpy

from agents import rules
from agents.desk import RecoveryDesk
from agents.dice import (
    U_ADVERT,
    U_JOIN,
    U_TALK,
    U_VISIT,
    V_AFTER_OUTCOME,
    V_ARRIVAL,
    V_COMPLAIN,
    V_DEFECT,
    V_FAILURE,
    V_HANDLING,
    V_ON_THE_SPOT,
    V_PATIENCE,
    V_PERCEPTION,
    V_QUALITY,
    DailyDice,
)
from agents.firm import Firm
from agents.population import NO_PROBLEM, RESOLVED, RESOLVED_FAST, SILENT, UNRESOLVED, Population, populate
from sim.metrics import DAILY_COLUMNS, RunTotals
from sim.params import ServsimConfig

STREAMS = ("population", "daily", "word_of_mouth")
# People per slice when a rule runs over a large group: a slice's temporaries fit in the CPU cache.
SLICE = 1 << 16


def defection_chance(c, satisfaction, switching_cost, tenure, trust):
    """``rules.defection_probability`` with the behavioural parameters ``c`` (customers config)."""
    return rules.defection_probability(
        satisfaction,
        switching_cost,
        tenure,
        trust,
        c.defection_floor,
        c.defection_span,
        c.defection_midpoint,
        c.defection_steepness,
        c.tenure_scale_days,
        c.trust_loyalty,
    )


class ArrayRow:
    """One customer's slot in the arrays, read and written like an object.

    The desk's per-complaint callbacks work on one customer at a time; with
    this view they are written once for both engines. Reads give Python
    numbers, as a ``Customer`` agent holds: the rules then run on the same
    types in both engines, and twice as fast as on numpy scalars.
    """

    __slots__ = ("_people", "_index")

    def __init__(self, people: Population, index: int):
        object.__setattr__(self, "_people", people)
        object.__setattr__(self, "_index", index)

    @property
    def index(self) -> int:
        return self._index

    def __getattr__(self, name):
        return getattr(self._people, name)[self._index].item()

    def __setattr__(self, name, value):
        getattr(self._people, name)[self._index] = value


class ServiceModel(mesa.Model):
    """A firm, its market and its recovery desk, one day per ``step()``."""

    def __init__(self, config: ServsimConfig):
        super().__init__(seed=config.seed)
        self.config = config
        self.firm = Firm.from_config(config.firm)
        self.customer_rules = config.customers
        self.market = config.market
        self.recovery = config.recovery
        self.streams = dict(zip(STREAMS, self.rng.spawn(len(STREAMS))))
        self.day = 0
        self.day_totals: dict = {}

        c = config.customers
        self.process_weight = c.process_weight
        self.population_size = config.market.customers
        self._people = populate(
            config.market.customers,
            self.streams["population"],
            initial_share=config.market.initial_share,
            promise=self.firm.promise,
            delivered_level=self.firm.expected_delivery(0, c.process_weight),
            competitor_quality=config.market.competitor_quality,
            initial_trust=c.initial_trust,
            learning_rate=c.learning_rate,
            loss_aversion=c.loss_aversion,
            tolerance=c.tolerance,
            visit_rate=c.visit_rate,
            complaint_propensity=c.complaint_propensity,
            switching_cost=c.switching_cost,
            spread=c.trait_spread,
            tenure_scale_days=c.tenure_scale_days,
        )
        self.cohort = np.flatnonzero(self._people.starting_customer)  # the starting customers, for retention
        self.starting_customers = len(self.cohort)
        self.dice = DailyDice(self.streams["daily"], self.population_size)
        self.recovery_weights = (c.compensation_weight, c.speed_weight, c.speed_scale_days, c.apology_weight)

        # SimPy's clock is the model's clock: step() advances it by one day.
        self.env = simpy.Environment()
        self.desk = RecoveryDesk(
            self.env,
            staff=config.recovery.staff,
            on_resolved=self._complaint_resolved,
            on_abandoned=self._complaint_abandoned,
            fixed_delay=config.recovery.desk == "fixed_delay",
        )
        self.totals = RunTotals()
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, key=name: m.day_totals[key]) for name in DAILY_COLUMNS}
        )

    @property
    def people(self) -> Population:
        """The customer state as arrays (here: the live arrays themselves)."""
        return self._people

    # ------------------------------------------------------------------ day
    def step(self) -> None:
        """One day, in the order of MODEL.md §3."""
        self._open_day()
        self._draw_day()
        dice = self.dice.population
        self._advertise(dice[U_ADVERT])  # 1 promises pull expectations
        self._serve_the_day(dice[U_VISIT])  # 2-10 visits, judgements, voice or silence, stay or leave
        self._word_of_mouth(dice[U_TALK])  # 11 customers talk
        self._acquire(dice[U_JOIN])  # 12 prospects join
        self.env.run(until=self.day + 1)  # 9 the desk resolves complaints at their moments in the day
        self._close_day()  # 13 record
        self.datacollector.collect(self)
        self.day += 1

    def _draw_day(self) -> None:
        """Roll the day's dice, the same amount whatever the policy."""
        self.dice.roll()

    def _advertise(self, u: np.ndarray) -> None:
        """§3.1: the promise reaches some people and pulls their expectation."""
        p = self._people
        exposed = np.flatnonzero(u < self.market.ad_reach)
        p.expectation[exposed] = rules.promise_pull(
            p.expectation[exposed], self.firm.promise, p.trust[exposed], self.customer_rules.promise_pull
        )

    def _serve_the_day(self, u_visit: np.ndarray) -> None:
        """§3.2-3.10 for all of today's visitors at once; only visitors' visit dice are computed."""
        visitors = self._choose_visitors(u_visit)
        perceived, failed = self._serve(visitors)
        gap, outcome, payouts = self._judge(visitors, perceived)
        complainants, silent = self._voice_or_silence(visitors, outcome, gap)
        self._recover(complainants)
        self._decide_to_stay(visitors)
        self._account_visits(perceived, gap, outcome, failed, payouts, len(silent))

    def _choose_visitors(self, u: np.ndarray) -> np.ndarray:
        """§3.2: customers visit at their own rate."""
        p = self._people
        return np.flatnonzero(p.with_firm & (u < p.visit_rate))

    def _serve(self, visitors):
        """§3.2-3.3: delivered quality (level, noise, chain failures) and its perception."""
        dice = self.dice
        failed = dice.visit(V_FAILURE, visitors) < self.firm.failure_probability
        delivered = self.delivered_quality(dice.visit(V_QUALITY, visitors), failed)
        perceived = self.perceived_quality(delivered, dice.visit(V_PERCEPTION, visitors))
        return perceived, failed

    def delivered_quality(self, z_quality, failed):
        """Today's service level plus service noise, minus the loss when the chain fails."""
        firm = self.firm
        level = firm.service_level(self.day, self.process_weight)
        return level + firm.quality_noise * z_quality - firm.failure_severity * failed

    def perceived_quality(self, delivered, z_perception):
        return delivered + self.customer_rules.perception_noise * z_perception

    def _judge(self, visitors, perceived):
        """§3.4-3.7: disconfirmation, value, satisfaction, trust, learning."""
        p, c = self._people, self.customer_rules
        expectation = p.expectation[visitors]
        tolerance = p.tolerance[visitors]
        gap = rules.disconfirmation(perceived, expectation)
        outcome = rules.classify_outcome(gap, tolerance, c.delight_margin)
        value = rules.experience_value(gap, tolerance, p.loss_aversion[visitors], c.value_curvature)
        broken = rules.promise_broken(perceived, self.firm.promise, expectation, tolerance)
        value = value + broken * self.guarantee_value
        p.satisfaction[visitors] = rules.update_satisfaction(p.satisfaction[visitors], value, c.satisfaction_rate)
        p.trust[visitors] = rules.update_trust(p.trust[visitors], broken, c.trust_gain, c.trust_loss, self.trust_softening)
        p.expectation[visitors] = rules.learn_expectation(expectation, perceived, p.learning_rate[visitors], c.negativity_bias)
        p.last_perceived[visitors] = perceived
        p.problems[visitors] += outcome == rules.BELOW
        payouts = broken * self.guarantee_payout
        p.value[visitors] += self.visit_margin - payouts
        return gap, outcome, payouts

    @property
    def guarantee_value(self) -> float:
        """Satisfaction a guarantee's automatic compensation adds on a broken promise."""
        if not self.firm.guarantee:
            return 0.0
        return float(rules.compensation_value(self.firm.guarantee_payout, self.customer_rules.compensation_weight))

    @property
    def guarantee_payout(self) -> float:
        """Money a broken promise costs the firm under its guarantee."""
        return self.firm.guarantee_payout * self.firm.price if self.firm.guarantee else 0.0

    @property
    def trust_softening(self) -> float:
        return self.customer_rules.guarantee_trust_softening if self.firm.guarantee else 0.0

    @property
    def complaint_boost(self) -> float:
        return self.customer_rules.guarantee_complaint_boost if self.firm.guarantee else 1.0

    @property
    def visit_margin(self) -> float:
        return self.firm.price - self.firm.visit_cost(self.day, self.process_weight)

    def _voice_or_silence(self, visitors, outcome, gap):
        """§3.8: who below the zone complains, who stays silent."""
        p = self._people
        free_to_complain = (outcome == rules.BELOW) & ~p.complaint_pending[visitors]
        candidates = visitors[free_to_complain]
        chance = rules.complaint_probability(
            p.complaint_propensity[candidates], gap[free_to_complain], p.tolerance[candidates], self.complaint_boost
        )
        complains = self.dice.visit(V_COMPLAIN, candidates) < chance
        complainants = candidates[complains]
        silent = candidates[~complains]
        p.complaints[complainants] += 1
        quiet_so_far = silent[p.history[silent] == NO_PROBLEM]
        p.history[quiet_so_far] = SILENT
        return complainants, silent

    def _recover(self, complainants) -> None:
        """§3.9: the front line solves some at once; the rest go to the desk."""
        on_the_spot = self.dice.visit(V_ON_THE_SPOT, complainants) < self.recovery.on_the_spot
        for customer in complainants[on_the_spot]:
            self._apply_resolution(self.customer(int(customer)), 0.0)  # they decide with the other visitors
        to_desk = complainants[~on_the_spot]
        dice = self.dice
        for customer, moment, patience, handling in zip(
            to_desk, dice.visit(V_ARRIVAL, to_desk), dice.visit(V_PATIENCE, to_desk), dice.visit(V_HANDLING, to_desk)
        ):
            self._send_to_desk(self.customer(int(customer)), float(moment), float(patience), float(handling))
        self.day_totals["complaints"] += len(complainants)
        self.day_totals["complaints_on_the_spot"] += int(on_the_spot.sum())

    def _send_to_desk(self, customer, moment_in_day: float, patience_die: float, handling_die: float) -> None:
        """The complaint reaches the desk at its moment today; the customer waits for the answer.

        Patience and handling time are exponential around their means, from the
        complainant's own dice (unit-mean exponentials); a fixed-delay desk takes
        exactly ``handling_days``.
        """
        customer.complaint_pending = True
        r = self.recovery
        handling = r.handling_days if r.desk == "fixed_delay" else r.handling_days * handling_die
        self.desk.submit(customer.index, self.day + moment_in_day, self.customer_rules.patience_days * patience_die, handling)

    def _decide_to_stay(self, visitors) -> None:
        """§3.10: after the visit, each customer not waiting on the desk stays or leaves."""
        p = self._people
        deciding = visitors[~p.complaint_pending[visitors]]
        chance = self.defection_chance(
            p.satisfaction[deciding], p.switching_cost[deciding], p.tenure[deciding], p.trust[deciding]
        )
        leavers = deciding[self.dice.visit(V_DEFECT, deciding) < chance]
        p.with_firm[leavers] = False
        p.tenure[leavers] = 0
        self._count_departures(p.history[leavers])

    def defection_chance(self, satisfaction, switching_cost, tenure, trust):
        """The defection rule with this run's parameters, for one customer or many."""
        return defection_chance(self.customer_rules, satisfaction, switching_cost, tenure, trust)

    def _count_departures(self, histories: np.ndarray) -> None:
        d = self.day_totals
        d["defections"] += len(histories)
        d["defections_silent"] += int(np.sum(histories == SILENT))
        d["defections_after_complaint"] += int(np.sum(histories >= UNRESOLVED))

    def _word_of_mouth(self, u) -> None:
        """§3.11: satisfied customers recommend, dissatisfied ones warn (more often)."""
        p, c = self._people, self.customer_rules

        def rate(customers):
            return rules.word_of_mouth_rate(
                p.satisfaction[customers], c.wom_threshold, c.wom_rate_satisfied, c.wom_rate_dissatisfied
            )

        talkers = self._chosen(p.with_firm, u, rate)
        messages = np.sign(p.satisfaction[talkers]) * c.wom_impact
        listeners = self._draw_listeners(len(messages))
        prospects = ~p.with_firm[listeners]
        p.heard *= 1.0 - c.wom_decay
        np.add.at(p.heard, listeners[prospects], messages[prospects])
        self._count_messages(messages)

    def _draw_listeners(self, count: int) -> np.ndarray:
        """Each message reaches one person drawn from the whole market."""
        return self.streams["word_of_mouth"].integers(0, self.population_size, size=count)

    def _count_messages(self, messages: np.ndarray) -> None:
        self.day_totals["recommendations"] = int(np.sum(messages > 0))
        self.day_totals["warnings"] = int(np.sum(messages < 0))

    def _acquire(self, u) -> None:
        """§3.12: people with the competitor join, drawn by promise and word of mouth."""
        p = self._people

        def chance(prospects):
            return self.joining_chance(
                p.expectation[prospects], p.trust[prospects], p.heard[prospects], p.satisfaction[prospects]
            )

        joiners = self._chosen(~p.with_firm, u, chance)
        p.with_firm[joiners] = True
        p.tenure[joiners] = 0
        p.expectation[joiners] += p.heard[joiners]  # what they heard sets their bar too
        p.heard[joiners] = 0.0
        self.day_totals["acquisitions"] = len(joiners)

    def _chosen(self, eligible: np.ndarray, u: np.ndarray, chance) -> np.ndarray:
        """The people who are ``eligible`` and whose die ``u`` falls below ``chance(people)``, in index order.

        The rule is applied one slice of ``SLICE`` people at a time, so that its
        temporaries stay in the CPU cache (at a million customers that halves the
        time of these phases); the rules are elementwise, so the result is the
        same as applying them to everyone at once.
        """
        chosen = []
        for start in range(0, self.population_size, SLICE):
            people = start + np.flatnonzero(eligible[start : start + SLICE])
            chosen.append(people[u[people] < chance(people)])
        return np.concatenate(chosen)

    def joining_chance(self, expectation, trust, heard, satisfaction):
        """The acquisition rule with this market's parameters, for one person or many."""
        m = self.market
        return rules.acquisition_probability(
            expectation, trust, heard, satisfaction, m.competitor_quality, m.acquisition_rate, m.acquisition_scale
        )

    def _age_customers(self) -> None:
        self._people.tenure += self._people.with_firm  # one pass; a boolean mask would be several

    def _day_state(self):
        """The arrays the daily record reads (the live arrays here)."""
        return self._people

    # ------------------------------------------------------------ the desk
    def customer(self, index: int):
        """One customer as an object with named attributes (a view on the arrays here)."""
        return ArrayRow(self._people, index)

    def _complaint_resolved(self, index: int, delay: float) -> None:
        """The desk resolved a complaint: recovery, then stay or leave."""
        customer = self.customer(index)
        self._apply_resolution(customer, delay)
        self._after_complaint(customer)

    def _apply_resolution(self, customer, delay: float) -> None:
        """Justice-weighted recovery value, the record, and what it cost."""
        r = self.recovery
        customer.satisfaction += rules.recovery_value(
            delay, r.compensation, float(r.apology), int(customer.complaints), self.recovery_weights
        )
        customer.history = RESOLVED_FAST if delay <= r.fast_days else RESOLVED
        compensation = r.compensation * self.firm.price
        customer.value -= compensation
        self.day_totals["compensation_cost"] += compensation
        self.day_totals["resolutions"] += 1
        self.day_totals["recovery_days_sum"] += delay
        self.totals.record_recovery(delay, r.fast_days)

    def _complaint_abandoned(self, index: int, waited: float) -> None:
        """Nobody answered in time: a second failure (double deviation)."""
        customer = self.customer(index)
        customer.satisfaction -= self.customer_rules.abandonment_penalty
        customer.history = UNRESOLVED
        self.day_totals["abandoned"] += 1
        self.totals.abandoned += 1
        self._after_complaint(customer)

    def _after_complaint(self, customer) -> None:
        """The complainant decides to stay or leave when the outcome is known."""
        customer.complaint_pending = False
        if not customer.with_firm:
            return
        chance = self.defection_chance(customer.satisfaction, customer.switching_cost, customer.tenure, customer.trust)
        if self.dice.uniform_of(V_AFTER_OUTCOME, customer.index) < chance:
            customer.with_firm = False
            customer.tenure = 0
            self._count_departures(np.array([customer.history]))

    # ------------------------------------------------------------ records
    def _open_day(self) -> None:
        self.day_totals = dict.fromkeys(
            (
                "defections",
                "defections_silent",
                "defections_after_complaint",
                "complaints",
                "complaints_on_the_spot",
                "resolutions",
                "abandoned",
                "acquisitions",
                "recovery_days_sum",
                "compensation_cost",
            ),
            0,
        )

    def _account_visits(self, perceived, gap, outcome, failed, payouts, silent: int) -> None:
        """Today's visit totals; both engines hand the same arrays in visitor order."""
        d = self.day_totals
        n_visits = len(perceived)
        counts = np.bincount(outcome, minlength=4)
        d.update(
            visits=n_visits,
            failures=int(np.sum(failed)),
            dissatisfied=int(counts[rules.BELOW]),
            silent_dissatisfied=silent,
            share_below=counts[rules.BELOW] / max(n_visits, 1),
            share_equal=counts[rules.EQUAL] / max(n_visits, 1),
            share_above=counts[rules.ABOVE] / max(n_visits, 1),
            share_delight=counts[rules.DELIGHT] / max(n_visits, 1),
            mean_perceived=float(np.mean(perceived)) if n_visits else math.nan,
            gap_customer=float(np.mean(gap)) if n_visits else math.nan,
            guarantee_cost=float(np.sum(payouts)),
        )

    def _close_day(self) -> None:
        self._age_customers()
        p, firm, d = self._day_state(), self.firm, self.day_totals
        # Index arrays, not boolean masks: gathering by index is many times faster than masking.
        customers = np.flatnonzero(p.with_firm)
        n_customers = len(customers)
        level = firm.service_level(self.day, self.process_weight)
        revenue = d["visits"] * firm.price
        delivery_cost = d["visits"] * firm.visit_cost(self.day, self.process_weight)
        staff_cost = self.recovery.staff * self.recovery.staff_cost
        acquisition_cost = d["acquisitions"] * self.market.acquisition_cost
        recovery_cost = d["compensation_cost"] + staff_cost
        mean_expectation = float(p.expectation[customers].mean()) if n_customers else math.nan
        delivered = firm.expected_delivery(self.day, self.process_weight)
        d.update(
            day=self.day + 1,
            active=n_customers,
            retention=np.count_nonzero(p.with_firm & p.starting_customer) / max(self.starting_customers, 1),
            market_share=n_customers / self.population_size,
            queue_length=self.desk.queue_length,
            complaints_open=self.desk.in_system,
            mean_recovery_days=d["recovery_days_sum"] / d["resolutions"] if d["resolutions"] else math.nan,
            mean_expectation=mean_expectation,
            mean_satisfaction=float(p.satisfaction[customers].mean()) if n_customers else math.nan,
            mean_trust=float(p.trust[customers].mean()) if n_customers else math.nan,
            cohort_satisfaction=float(p.satisfaction[self.cohort].mean()) if self.starting_customers else math.nan,
            promise=firm.promise,
            service_level=level,
            delivered_quality=delivered,
            gap_knowledge=firm.believed_expectation - mean_expectation,
            gap_standards=firm.standard - firm.believed_expectation,
            gap_delivery=delivered - firm.standard,
            gap_communication=delivered - firm.promise,
            revenue=revenue,
            delivery_cost=delivery_cost,
            recovery_cost=recovery_cost,
            acquisition_cost=acquisition_cost,
            profit=revenue - delivery_cost - recovery_cost - d["guarantee_cost"] - acquisition_cost,
        )
        del d["recovery_days_sum"]
        self.totals.add_day(d)

    # ------------------------------------------------------------ running
    def run(self, progress=None) -> None:
        """Run to the horizon; ``progress`` (if given) is called once a day."""
        for _ in range(self.config.days):
            self.step()
            if progress is not None:
                progress()
