"""ServiceModel: the Mesa model frame around the vectorised customer population.

``step()`` is one day and reads in the process order of MODEL.md §3. Every
line that decides anything calls a rule from ``agents.rules``; this module
only gathers the right customers, hands numbers to the rules and records.

Randomness: one seed makes Mesa's generator, which spawns named child streams
(population, daily draws, word of mouth, desk). Each day draws one fixed-size
block of uniforms and normals for every person in the market whatever the
policy, so two policies compared on one seed see the same dice (common random
numbers) and differ only by what the policy does.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
import simpy

from agents import rules
from agents.desk import RecoveryDesk
from agents.firm import Firm
from agents.population import (
    NO_PROBLEM,
    RESOLVED,
    RESOLVED_FAST,
    SILENT,
    UNRESOLVED,
    populate,
)
from sim.metrics import DAILY_COLUMNS, RunTotals
from sim.params import ServsimConfig

STREAMS = ("population", "daily", "word_of_mouth", "desk")

# Rows of the daily uniform block, one per decision that needs a die.
U_ADVERT, U_VISIT, U_FAILURE, U_COMPLAIN, U_ON_THE_SPOT, U_ARRIVAL, U_DEFECT, U_TALK, U_JOIN = range(9)
N_UNIFORM = 9
# Rows of the daily normal block.
Z_QUALITY, Z_PERCEPTION = range(2)
N_NORMAL = 2


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
        self.day_totals = {}

        c = config.customers
        self.process_weight = c.process_weight
        self.people = populate(
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
        self.starting_customers = int(self.people.starting_customer.sum())
        self.recovery_weights = (c.compensation_weight, c.speed_weight, c.speed_scale_days, c.apology_weight)

        # SimPy's clock is the model's clock: step() advances it by one day.
        self.env = simpy.Environment()
        self.desk = RecoveryDesk(
            self.env,
            staff=config.recovery.staff,
            handling_days=config.recovery.handling_days,
            rng=self.streams["desk"],
            on_resolved=self._complaint_resolved,
            on_abandoned=self._complaint_abandoned,
            fixed_delay=config.recovery.desk == "fixed_delay",
        )
        self.totals = RunTotals()
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, key=name: m.day_totals[key]) for name in DAILY_COLUMNS}
        )

    # ------------------------------------------------------------------ day
    def step(self) -> None:
        """One day, in the order of MODEL.md §3."""
        self._open_day()
        uniform, normal = self._draw_day()
        self._advertise(uniform[U_ADVERT])
        visitors = self._choose_visitors(uniform[U_VISIT])
        perceived, failed = self._serve(visitors, uniform[U_FAILURE], normal[Z_QUALITY], normal[Z_PERCEPTION])
        below, gap = self._judge(visitors, perceived)
        complainants, silent = self._voice_or_silence(visitors, below, gap, uniform[U_COMPLAIN])
        self._recover(complainants, uniform[U_ON_THE_SPOT], uniform[U_ARRIVAL])
        self._decide_to_stay(visitors, uniform[U_DEFECT])
        self._word_of_mouth(uniform[U_TALK])
        self._acquire(uniform[U_JOIN])
        self.env.run(until=self.day + 1)
        self._close_day(visitors, perceived, failed, silent)
        self.datacollector.collect(self)
        self.day += 1

    def _draw_day(self) -> tuple[np.ndarray, np.ndarray]:
        """Every die of the day for every person, drawn whatever the policy."""
        rng = self.streams["daily"]
        n = self.people.size
        return rng.random((N_UNIFORM, n), dtype=np.float32), rng.standard_normal((N_NORMAL, n), dtype=np.float32)

    def _advertise(self, u: np.ndarray) -> None:
        """§3.1: the promise reaches some people and pulls their expectation."""
        p = self.people
        exposed = np.flatnonzero(u < self.market.ad_reach)
        p.expectation[exposed] = rules.promise_pull(
            p.expectation[exposed], self.firm.promise, p.trust[exposed], self.customer_rules.promise_pull
        )

    def _choose_visitors(self, u: np.ndarray) -> np.ndarray:
        """§3.2: customers visit at their own rate."""
        p = self.people
        return np.flatnonzero(p.with_firm & (u < p.visit_rate))

    def _serve(self, visitors, u_failure, z_quality, z_perception):
        """§3.2-3.3: delivered quality (level, noise, chain failures) and its perception."""
        firm, c = self.firm, self.customer_rules
        failed = u_failure[visitors] < firm.failure_probability
        delivered = (
            firm.service_level(self.day, self.process_weight)
            + firm.quality_noise * z_quality[visitors]
            - firm.failure_severity * failed
        )
        perceived = delivered + c.perception_noise * z_perception[visitors]
        return perceived, failed

    def _judge(self, visitors, perceived):
        """§3.4-3.7: disconfirmation, value, satisfaction, trust, learning."""
        p, c, firm = self.people, self.customer_rules, self.firm
        expectation = p.expectation[visitors]
        tolerance = p.tolerance[visitors]
        gap = rules.disconfirmation(perceived, expectation)
        outcome = rules.classify_outcome(gap, tolerance, c.delight_margin)
        value = rules.experience_value(gap, tolerance, p.loss_aversion[visitors], c.value_curvature)
        broken = rules.promise_broken(perceived, firm.promise, expectation, tolerance)
        if firm.guarantee:
            value = value + broken * rules.compensation_value(firm.guarantee_payout, c.compensation_weight)
        softening = c.guarantee_trust_softening if firm.guarantee else 0.0

        p.satisfaction[visitors] = rules.update_satisfaction(p.satisfaction[visitors], value, c.satisfaction_rate)
        p.trust[visitors] = rules.update_trust(p.trust[visitors], broken, c.trust_gain, c.trust_loss, softening)
        p.expectation[visitors] = rules.learn_expectation(
            expectation, perceived, p.learning_rate[visitors], c.negativity_bias
        )
        p.last_perceived[visitors] = perceived
        below = outcome == rules.BELOW
        p.problems[visitors] += below

        margin = self.firm.price - self.firm.visit_cost(self.day, self.process_weight)
        payouts = broken * (firm.guarantee_payout * firm.price) if firm.guarantee else 0.0
        p.value[visitors] += margin - payouts
        self.day_totals["guarantee_cost"] = float(np.sum(payouts))
        self.day_totals["outcomes"] = np.bincount(outcome, minlength=4)
        self.day_totals["gap_customer"] = float(gap.mean()) if gap.size else math.nan
        return below, gap

    def _voice_or_silence(self, visitors, below, gap, u):
        """§3.8: who below the zone complains, who stays silent."""
        p, c = self.people, self.customer_rules
        boost = c.guarantee_complaint_boost if self.firm.guarantee else 1.0
        chance = rules.complaint_probability(p.complaint_propensity[visitors], gap, p.tolerance[visitors], boost)
        free_to_complain = below & ~p.complaint_pending[visitors]
        complains = free_to_complain & (u[visitors] < chance)
        complainants = visitors[complains]
        silent = visitors[free_to_complain & ~complains]
        p.complaints[complainants] += 1
        quiet_so_far = silent[p.history[silent] == NO_PROBLEM]
        p.history[quiet_so_far] = SILENT
        return complainants, silent

    def _recover(self, complainants, u_spot, u_arrival) -> None:
        """§3.9: the front line solves some at once; the rest go to the desk."""
        p = self.people
        on_the_spot = u_spot[complainants] < self.recovery.on_the_spot
        for customer in complainants[on_the_spot]:
            self._apply_resolution(int(customer), 0.0)  # they decide to stay with everyone else today
        to_desk = complainants[~on_the_spot]
        p.complaint_pending[to_desk] = True
        patience = self.customer_rules.patience_days
        desk_rng = self.streams["desk"]
        for customer, moment in zip(to_desk, u_arrival[to_desk]):
            self.desk.submit(int(customer), self.day + float(moment), float(desk_rng.exponential(patience)))
        self.day_totals["complaints"] = len(complainants)
        self.day_totals["complaints_on_the_spot"] = int(on_the_spot.sum())

    def _decide_to_stay(self, visitors, u) -> None:
        """§3.10: after the visit, each customer not waiting on the desk stays or leaves."""
        p = self.people
        deciding = visitors[p.with_firm[visitors] & ~p.complaint_pending[visitors]]
        leaves = u[deciding] < self._defection_probability(deciding)
        self._leave(deciding[leaves])

    def _defection_probability(self, who):
        p, c = self.people, self.customer_rules
        return rules.defection_probability(
            p.satisfaction[who],
            p.switching_cost[who],
            p.tenure[who],
            p.trust[who],
            c.defection_floor,
            c.defection_span,
            c.defection_midpoint,
            c.defection_steepness,
            c.tenure_scale_days,
            c.trust_loyalty,
        )

    def _leave(self, leavers) -> None:
        p = self.people
        p.with_firm[leavers] = False
        p.tenure[leavers] = 0
        history = p.history[leavers]
        self.day_totals["defections"] += len(leavers)
        self.day_totals["defections_silent"] += int(np.sum(history == SILENT))
        self.day_totals["defections_after_complaint"] += int(np.sum(history >= UNRESOLVED))

    def _word_of_mouth(self, u) -> None:
        """§3.11: satisfied customers recommend, dissatisfied ones warn (more often)."""
        p, c = self.people, self.customer_rules
        customers = np.flatnonzero(p.with_firm)
        satisfaction = p.satisfaction[customers]
        rate = rules.word_of_mouth_rate(satisfaction, c.wom_threshold, c.wom_rate_satisfied, c.wom_rate_dissatisfied)
        talkers = u[customers] < rate
        message = np.sign(satisfaction[talkers]) * c.wom_impact
        listeners = self.streams["word_of_mouth"].integers(0, p.size, size=message.size)
        prospects = ~p.with_firm[listeners]
        p.heard *= 1.0 - c.wom_decay
        np.add.at(p.heard, listeners[prospects], message[prospects])
        self.day_totals["recommendations"] = int(np.sum(message > 0))
        self.day_totals["warnings"] = int(np.sum(message < 0))

    def _acquire(self, u) -> None:
        """§3.12: people with the competitor join, drawn by promise and word of mouth."""
        p, m = self.people, self.market
        prospects = np.flatnonzero(~p.with_firm)
        chance = rules.acquisition_probability(
            p.expectation[prospects],
            p.trust[prospects],
            p.heard[prospects],
            p.satisfaction[prospects],
            m.competitor_quality,
            m.acquisition_rate,
            m.acquisition_scale,
        )
        joiners = prospects[u[prospects] < chance]
        p.with_firm[joiners] = True
        p.tenure[joiners] = 0
        p.expectation[joiners] += p.heard[joiners]  # what they heard sets their bar too
        p.heard[joiners] = 0.0
        self.day_totals["acquisitions"] = len(joiners)

    # ------------------------------------------------------------ the desk
    def _complaint_resolved(self, customer: int, delay: float) -> None:
        """The desk resolved a complaint: recovery, then stay or leave."""
        self._apply_resolution(customer, delay)
        self._after_complaint(customer)

    def _apply_resolution(self, customer: int, delay: float) -> None:
        """Justice-weighted recovery value, the record, and what it cost."""
        p, r = self.people, self.recovery
        p.satisfaction[customer] += rules.recovery_value(
            delay, r.compensation, float(r.apology), int(p.complaints[customer]), self.recovery_weights
        )
        p.history[customer] = RESOLVED_FAST if delay <= r.fast_days else RESOLVED
        compensation = r.compensation * self.firm.price
        p.value[customer] -= compensation
        self.day_totals["compensation_cost"] += compensation
        self.day_totals["resolutions"] += 1
        self.day_totals["recovery_days_sum"] += delay
        self.totals.record_recovery(delay, r.fast_days)

    def _complaint_abandoned(self, customer: int, waited: float) -> None:
        """Nobody answered in time: a second failure (double deviation)."""
        p = self.people
        p.satisfaction[customer] -= self.customer_rules.abandonment_penalty
        p.history[customer] = UNRESOLVED
        self.day_totals["abandoned"] += 1
        self.totals.abandoned += 1
        self._after_complaint(customer)

    def _after_complaint(self, customer: int) -> None:
        """The complainant decides to stay or leave when the outcome is known."""
        p = self.people
        p.complaint_pending[customer] = False
        if not p.with_firm[customer]:
            return
        chance = float(self._defection_probability(customer))
        if self.streams["desk"].random() < chance:
            self._leave(np.array([customer]))

    # ------------------------------------------------------------ records
    def _open_day(self) -> None:
        self.day_totals = dict.fromkeys(
            (
                "defections",
                "defections_silent",
                "defections_after_complaint",
                "resolutions",
                "abandoned",
                "recovery_days_sum",
                "compensation_cost",
            ),
            0,
        )

    def _close_day(self, visitors, perceived, failed, silent) -> None:
        p, firm, d = self.people, self.firm, self.day_totals
        customers = p.with_firm
        n_customers = int(customers.sum())
        n_visits = len(visitors)
        outcomes = d.pop("outcomes")
        level = firm.service_level(self.day, self.process_weight)
        revenue = n_visits * firm.price
        delivery_cost = n_visits * firm.visit_cost(self.day, self.process_weight)
        staff_cost = self.recovery.staff * self.recovery.staff_cost
        acquisition_cost = d["acquisitions"] * self.market.acquisition_cost
        recovery_cost = d["compensation_cost"] + staff_cost
        mean_expectation = float(p.expectation[customers].mean()) if n_customers else math.nan
        mean_perceived = float(perceived.mean()) if n_visits else math.nan
        delivered = firm.expected_delivery(self.day, self.process_weight)
        d.update(
            day=self.day + 1,
            active=n_customers,
            retention=float(np.sum(customers & p.starting_customer)) / max(self.starting_customers, 1),
            market_share=n_customers / p.size,
            visits=n_visits,
            failures=int(failed.sum()),
            dissatisfied=int(outcomes[rules.BELOW]),
            silent_dissatisfied=len(silent),
            share_below=outcomes[rules.BELOW] / max(n_visits, 1),
            share_equal=outcomes[rules.EQUAL] / max(n_visits, 1),
            share_above=outcomes[rules.ABOVE] / max(n_visits, 1),
            share_delight=outcomes[rules.DELIGHT] / max(n_visits, 1),
            queue_length=self.desk.queue_length,
            complaints_open=self.desk.in_system,
            mean_recovery_days=d["recovery_days_sum"] / d["resolutions"] if d["resolutions"] else math.nan,
            mean_expectation=mean_expectation,
            mean_perceived=mean_perceived,
            mean_satisfaction=float(p.satisfaction[customers].mean()) if n_customers else math.nan,
            mean_trust=float(p.trust[customers].mean()) if n_customers else math.nan,
            cohort_satisfaction=float(p.satisfaction[p.starting_customer].mean()) if self.starting_customers else math.nan,
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
        p.tenure[customers] += 1
        self.totals.add_day(d)

    # ------------------------------------------------------------ running
    def run(self, progress=None) -> None:
        """Run to the horizon; ``progress`` (if given) is called once a day."""
        for _ in range(self.config.days):
            self.step()
            if progress is not None:
                progress()
