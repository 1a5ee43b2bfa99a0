"""The firm: what it promises, what it delivers, and what that costs."""

from __future__ import annotations

from dataclasses import dataclass

from agents.rules import chain_success_probability


@dataclass(frozen=True)
class SurpriseSchedule:
    """Extra quality for a while: then regress to the old level, or sustain it."""

    start: int
    length: int
    size: float
    regress: bool

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


@dataclass(frozen=True)
class Firm:
    quality: float
    process_offset: float
    quality_noise: float
    promise: float
    guarantee: bool
    guarantee_payout: float
    chain_steps: int
    step_reliability: float
    failure_severity: float
    standard: float
    believed_expectation: float
    price: float
    unit_cost: float
    surprise: SurpriseSchedule

    @classmethod
    def from_config(cls, firm_cfg) -> "Firm":
        fields = {name: getattr(firm_cfg, name) for name in cls.__dataclass_fields__ if name != "surprise"}
        s = firm_cfg.surprise
        return cls(**fields, surprise=SurpriseSchedule(s.start, s.length, s.size, s.regress))

    @property
    def failure_probability(self) -> float:
        """Chance the chain goes wrong somewhere: 1 - r ** steps."""
        return 1.0 - chain_success_probability(self.step_reliability, self.chain_steps)

    def service_level(self, day: int, process_weight: float) -> float:
        """Mean quality of a visit that goes right, before noise.

        Perceived quality blends the technical outcome (``quality``) and the
        functional process (``quality + process_offset``) with the customers'
        ``process_weight`` (Gronroos 1984); a surprise lifts both.
        """
        return self.quality + process_weight * self.process_offset + self.surprise.extra_quality(day)

    def expected_delivery(self, day: int, process_weight: float) -> float:
        """Mean delivered quality including failures: what the firm really gives."""
        return self.service_level(day, process_weight) - self.failure_probability * self.failure_severity

    def visit_cost(self, day: int, process_weight: float) -> float:
        """Better service costs more to deliver: a surprise is not free."""
        return self.unit_cost * max(self.service_level(day, process_weight), 0.0)
