"""What a run hands back to Hydra: the objective(s) an optimising sweeper (Optuna) maximises or minimises.

Hydra's optimising sweepers read the task function's return value: a float, or a list
of floats for several directions (``hydra.sweeper.direction=[maximize,maximize]``).
``objective`` names summary metrics; the names are checked before the run starts.
"""

from __future__ import annotations

import difflib
import math

from sim.params import ConfigError

# Scalar metrics of a run's summary (sim.metrics.summarise) that make sense as something to optimise.
OBJECTIVES = (
    "profit",
    "revenue",
    "retention_never_left",
    "retention_at_horizon",
    "market_share",
    "customers_final",
    "acquisitions",
    "defections",
    "complaints",
    "complaint_share",
    "share_resolved_fast",
    "mean_recovery_days",
    "first_time_right",
    "cohort_satisfaction_final",
    "mean_trust_final",
    "customer_lifetime_value",
)


def objective_names(objective: str) -> list[str]:
    """The metric names of ``objective`` ('profit' or 'profit,retention_never_left'), checked."""
    names = [name.strip() for name in objective.split(",")]
    for name in names:
        if name not in OBJECTIVES:
            near = difflib.get_close_matches(name, OBJECTIVES, n=1, cutoff=0.5)
            hint = f"did you mean {near[0]}? " if near else ""
            raise ConfigError(
                f"objective = {objective!r} is not allowed: {name!r} is not a summary metric; {hint}"
                f"expected one or more (joined by commas) of {', '.join(OBJECTIVES)}"
            )
    return names


def objective_values(summary: dict, objective: str) -> float | list[float]:
    """The run's objective: one float, or a list for several names (a missing measure is NaN: a failed trial)."""
    values = [math.nan if summary[name] is None else float(summary[name]) for name in objective_names(objective)]
    return values[0] if len(values) == 1 else values
