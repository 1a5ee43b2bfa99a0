"""The day's dice: every random number a person's decisions read, and how it is made.

Common random numbers. Each person has their own die for each decision on
each day, fixed by (seed, day, decision, person) whatever the policy: two
policies compared on one seed hand the same person the same dice on the same
day, so their runs differ only by what the policies do. Both engines read a
decision's die through this module, so they see the same numbers.

Dice come in two kinds, made in two ways so that a day costs little:

* Population dice, for decisions a large group takes every day: seeing the
  advert (everyone), visiting and talking (customers), joining (prospects).
  One row of uniforms per decision, one column per person, drawn for the whole
  market each day from the ``daily`` stream (PCG64).
* Visit dice, for decisions only the day's visitors (about one person in
  twenty) take: the service chain failing, quality and perception noise,
  complaining, the front line solving it, the moment the complaint reaches the
  desk, how long the complainant will wait and how long handling will take,
  and leaving; and the stay-or-leave decision when a desk outcome arrives.
  Each desk draw has its own die, so a change of staffing (which changes who
  is served when) leaves every other die where it was. Each is counter based: the day draws one 64-bit key per
  decision from the same stream, and the die of person ``i`` is output ``i + 1``
  of the SplitMix64 generator seeded with that key (Steele, Lea & Flood 2014,
  "Fast splittable pseudorandom number generators"; it passes BigCrush). Any
  person's die can therefore be computed on its own, and only the dice a
  decision actually reads are. Normal dice are the inverse normal CDF of such
  a uniform.

Uniform visit dice are the midpoints of 2**52 equal cells of (0, 1): never 0
or 1, so a normal or exponential die is always finite.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

# Population dice: rows of the daily block.
U_ADVERT, U_VISIT, U_TALK, U_JOIN = range(4)
N_POPULATION_DICE = 4

# Visit dice: one key per decision per day.
(V_FAILURE, V_QUALITY, V_PERCEPTION, V_COMPLAIN, V_ON_THE_SPOT, V_ARRIVAL, V_PATIENCE, V_HANDLING, V_DEFECT,
 V_AFTER_OUTCOME) = range(10)
N_VISIT_DICE = 10
NORMAL_VISIT_DICE = (V_QUALITY, V_PERCEPTION)
EXPONENTIAL_VISIT_DICE = (V_PATIENCE, V_HANDLING)  # unit mean: scaled by the mean patience and handling time

# SplitMix64 (Steele, Lea & Flood 2014): the golden-ratio increment and the output mix.
_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1, _MIX_2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))


def splitmix64(key: np.uint64, counters: np.ndarray) -> np.ndarray:
    """Outputs ``counters + 1`` of the SplitMix64 generator seeded with ``key`` (uint64 arrays wrap)."""
    z = (counters.astype(np.uint64) + np.uint64(1)) * _GOLDEN_GAMMA + key
    z ^= z >> _SHIFTS[0]
    z *= _MIX_1
    z ^= z >> _SHIFTS[1]
    z *= _MIX_2
    z ^= z >> _SHIFTS[2]
    return z


def open_unit_interval(bits: np.ndarray) -> np.ndarray:
    """The top 52 of 64 random bits as the midpoint of one of 2**52 equal cells of (0, 1)."""
    return ((bits >> np.uint64(12)).astype(np.float64) + 0.5) * 2.0**-52


class DailyDice:
    """The dice of one market, rolled afresh each day by ``roll()``."""

    def __init__(self, rng: np.random.Generator, size: int):
        self.rng = rng
        self.size = size
        self.population = np.empty((N_POPULATION_DICE, size))  # reused every day
        self.visit_keys = np.zeros(N_VISIT_DICE, dtype=np.uint64)

    def roll(self) -> None:
        """Today's population dice for everyone, then today's visit keys: a fixed amount from the stream."""
        self.rng.random(out=self.population)
        self.visit_keys = self.rng.integers(0, 2**64, size=N_VISIT_DICE, dtype=np.uint64)

    def visit(self, decision: int, people: np.ndarray) -> np.ndarray:
        """Today's ``decision`` die (a ``V_`` row) of each of ``people`` (indices into the market)."""
        uniform = open_unit_interval(splitmix64(self.visit_keys[decision], people))
        if decision in NORMAL_VISIT_DICE:
            return ndtri(uniform)
        if decision in EXPONENTIAL_VISIT_DICE:
            return -np.log(uniform)
        return uniform

    def uniform_of(self, decision: int, person: int) -> float:
        """One person's uniform die, for a decision taken one person at a time (a desk outcome).

        The same number as ``visit(decision, [person])[0]``, in Python integers: a
        numpy call on one element costs more than the whole computation.
        """
        mask = 0xFFFFFFFFFFFFFFFF
        z = ((person + 1) * 0x9E3779B97F4A7C15 + int(self.visit_keys[decision])) & mask
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        return ((z >> 12) + 0.5) * 2.0**-52

    def visit_block(self) -> np.ndarray:
        """Every visit die of today for the whole market, one row per decision (what one agent reads)."""
        everyone = np.arange(self.size)
        return np.stack([self.visit(decision, everyone) for decision in range(N_VISIT_DICE)])
