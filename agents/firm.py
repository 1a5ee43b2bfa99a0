"""The firm: what it promises, what it delivers, and what that costs.

Its settings are the ``firm`` section of the configuration (declared once, with
units and ranges, in ``sim/params.py``); this class adds what follows from them.
"""

from __future__ import annotations

from agents.rules import chain_success_probability


class SurpriseSchedule:
    """Extra quality for a while: then regress to the old level, or sustain it.

    ``settings`` is the ``firm.surprise`` section: start, length, size, regress.
    """

    def __init__(self, settings):
        self.start, self.length, self.size, self.regress = settings.start, settings.length, settings.size, settings.regress

    def extra_quality(self, day: int) -> float:
        if self.length <= 0 or day < self.start:
            return 0.0
        if self.regress and day >= self.start + self.length:
            return 0.0
        return self.size

    def window(self, horizon: int) -> tuple[int, int] | None:
        """(first day, first day after) the extra quality is in force, for shading figures."""
        if self.length <= 0:
            return None
        end = self.start + self.length if self.regress else horizon
        return self.start, min(end, horizon)


class Firm:
    """The firm's settings as attributes, and its service and money in a day.

    ``process_weight`` is the customers' weight of the functional (process)
    part of quality: it fixes what level of service they perceive on average.
    """

    def __init__(self, settings, process_weight: float):
        for name, value in vars(settings).items():
            setattr(self, name, value)
        self.surprise = SurpriseSchedule(settings.surprise)
        self.process_weight = process_weight

    @property
    def failure_probability(self) -> float:
        """Chance the chain goes wrong somewhere: 1 - r ** steps."""
        return 1.0 - chain_success_probability(self.step_reliability, self.chain_steps)

    def service_level(self, day: int) -> float:
        """Mean quality of a visit that goes right, before noise.

        Perceived quality blends the technical outcome (``quality``) and the
        functional process (``quality + process_offset``) with the customers'
        ``process_weight`` (Gronroos 1984); a surprise lifts both.
        """
        return self.quality + self.process_weight * self.process_offset + self.surprise.extra_quality(day)

    def delivered_quality(self, day: int, z_quality, failed):
        """One visit's (or many visits') quality: the service level plus noise, minus the loss of a failed chain."""
        return self.service_level(day) + self.quality_noise * z_quality - self.failure_severity * failed

    def expected_delivery(self, day: int) -> float:
        """Mean delivered quality including failures: what the firm really gives."""
        return self.service_level(day) - self.failure_probability * self.failure_severity

    def visit_cost(self, day: int) -> float:
        """Better service costs more to deliver: a surprise is not free."""
        return self.unit_cost * max(self.service_level(day), 0.0)

    def visit_margin(self, day: int) -> float:
        return self.price - self.visit_cost(day)

    @property
    def payout_per_broken_promise(self) -> float:
        """Money a broken promise costs the firm under its guarantee (nothing without one)."""
        return self.guarantee_payout * self.price if self.guarantee else 0.0
