"""Customer behaviour rules: small pure functions, one idea each.

Every rule takes numbers (never a config object) and works on a scalar and on a
numpy array alike, so the same line of theory serves the vectorised population
and a single customer. Sources are named in each docstring; the derivation of
every default is in ``sim/params.py`` and ``docs/model.md``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# Outcome classes of perception against expectation (MODEL.md §1.3).
BELOW, EQUAL, ABOVE, DELIGHT = 0, 1, 2, 3
OUTCOME_NAMES = ("below", "equal", "above", "delight")


def logistic(x):
    """Smooth 0-to-1 response used by every probability rule."""
    return 1.0 / (1.0 + np.exp(-x))


def promise_pull(expectation, promise, trust, pull):
    """Advertising pulls expectation toward the promise, in proportion to trust.

    E += beta * tau * (P - E): a promise the customer believes sets the bar
    (Zeithaml, Berry & Parasuraman 1993, explicit service promises as a
    determinant of expectations; MODEL.md §1.6).
    """
    return expectation + pull * trust * (promise - expectation)


def chain_success_probability(step_reliability, steps):
    """First-time-right rate of a chain of independent steps: r ** n.

    Five steps right 95% of the time each give 77% (MODEL.md §1.9).
    """
    return step_reliability**steps


def disconfirmation(perceived, expectation):
    """Perceived minus expected quality: the customer gap, GAP 5 (Oliver 1980)."""
    return perceived - expectation


def classify_outcome(gap, tolerance, delight_margin):
    """Four outcomes: below / equal / above / delight (MODEL.md §1.3).

    'Equal' is anything inside the zone of tolerance (|gap| <= tolerance,
    Zeithaml et al. 1993); 'delight' is more than ``delight_margin`` above
    the zone's upper edge (Oliver, Rust & Varki 1997).
    """
    return np.where(
        gap < -tolerance,
        BELOW,
        np.where(gap <= tolerance, EQUAL, np.where(gap <= tolerance + delight_margin, ABOVE, DELIGHT)),
    ).astype(np.int8)


def experience_value(gap, tolerance, loss_aversion, curvature):
    """Value of one experience: zero inside the zone, prospect-theory shape outside.

    v = (g - w)^a above the zone, -lambda * (w - g)^a below it (Kahneman &
    Tversky 1979; Tversky & Kahneman 1992: a = 0.88, lambda = 2.25). The zone
    of tolerance makes small deviations feel like nothing at all.
    ``np.power`` rather than ``**``: numpy scalars' ``**`` uses another kernel,
    and the per-agent engine must agree with the arrays bit for bit.
    """
    gain = np.maximum(gap - tolerance, 0.0)
    loss = np.maximum(-gap - tolerance, 0.0)
    return np.power(gain, curvature) - loss_aversion * np.power(loss, curvature)


def update_satisfaction(satisfaction, value, rate):
    """Satisfaction is a running attitude: S += gamma * (v - S) (Oliver 1980)."""
    return satisfaction + rate * (value - satisfaction)


def learn_expectation(expectation, perceived, learning_rate, negativity_bias):
    """Expectations learn from experience, faster from bad news than good.

    E += alpha * (p - E), with the step multiplied by ``negativity_bias`` when
    p < E (adaptive expectations, Boulding et al. 1993; negativity bias,
    Baumeister et al. 2001). This is what turns a delight into a higher bar
    (the surprise trap, MODEL.md §1.4), and the bias is why erratic service
    lowers what customers expect (fact F9).
    """
    step = np.where(perceived < expectation, learning_rate * negativity_bias, learning_rate)
    return expectation + np.minimum(step, 1.0) * (perceived - expectation)


def promise_broken(perceived, promise, expectation, tolerance):
    """A promise is broken when the experience falls short of it beyond tolerance.

    Promises are explicit (the advertised ``promise``) or implicit: service the
    customer has come to expect sets a promise too (Zeithaml, Berry &
    Parasuraman 1993). So after a delight the old level breaks a promise the
    firm never made out loud (MODEL.md §1.4, §1.6).
    """
    return perceived < np.maximum(promise, expectation) - tolerance


def guarantee_owed(perceived, promise, stated_tolerance):
    """A guarantee is a contract: it pays when the experience falls short of the *stated* promise.

    Beyond the tolerance the guarantee states, and never on a customer's private
    expectation, however high a surprise has raised it (MODEL.md §6; Hart 1988).
    """
    return perceived < promise - stated_tolerance


def shortfall(gap, tolerance):
    """How far below the zone of tolerance an experience fell, points (0 inside or above it)."""
    return np.maximum(-gap - tolerance, 0.0)


def update_trust(trust, broken, gain, loss, guarantee_softening):
    """Broken promises cut trust more than kept ones raise it.

    tau += gain * (1 - tau) on a kept promise; tau -= loss * (1 - s) * tau on a
    broken one, where a guarantee's automatic compensation softens the cut by
    s (Hart 1988; trust asymmetry, Slovic 1993). Stays inside [0, 1].
    """
    kept_trust = trust + gain * (1.0 - trust)
    broken_trust = trust - loss * (1.0 - guarantee_softening) * trust
    return np.where(broken, broken_trust, kept_trust)


def complaint_probability(propensity, depth, guarantee_boost):
    """Chance that a customer below the zone speaks up rather than stays silent.

    Higher stakes (a deeper shortfall: ``depth`` points below the zone, from
    ``shortfall``) and a guarantee (an invitation and a channel, Hart 1988) both
    raise it; most dissatisfied customers still never complain (TARP 1986;
    MODEL.md §1.8). ``guarantee_boost`` is 1 without one.
    """
    stakes = 1.0 + depth
    return np.clip(propensity * stakes * guarantee_boost, 0.0, 1.0)


def compensation_value(compensation, weight):
    """Outcome fairness: diminishing value of compensation (in visit prices).

    weight * (1 - exp(-c)): the first refund matters most (distributive
    justice; Smith, Bolton & Wagner 1999).
    """
    return weight * (1.0 - np.exp(-compensation))


class RecoveryWeights(NamedTuple):
    """What each part of a fair resolution is worth to the customer (justice theory), in satisfaction units."""

    compensation: float
    speed: float
    speed_scale_days: float
    apology: float


def fairness(delay_days, compensation, apology, weights):
    """Outcome (compensation), procedural (speed: exp(-delay / scale)) and interactional (apology) fairness, summed.

    Tax, Brown & Chandrashekaran 1998. ``weights`` is a ``RecoveryWeights``
    (compensation, speed, speed_scale_days, apology).
    """
    w_comp, w_speed, speed_scale, w_apology = weights
    return compensation_value(compensation, w_comp) + w_speed * np.exp(-delay_days / speed_scale) + w_apology * apology


def recovery_value(delay_days, compensation, apology, complaints_so_far, weights):
    """Value a resolved complaint adds to satisfaction: its ``fairness``, shared out over the complaints.

    Divided by the number of complaints the customer has had to make: the
    recovery of a first failure counts most, a second recovery far less
    (double deviation; Maxham & Netemeyer 2002).
    """
    return fairness(delay_days, compensation, apology, weights) / np.maximum(complaints_so_far, 1)


def grievance_after_problem(grievance, depth, per_problem):
    """A problem leaves a grievance against the firm: ``per_problem`` plus the shortfall's depth.

    ``depth`` is how far below the zone of tolerance the visit fell (0 when it
    did not): any visit below the zone is felt as a problem, a deeper one more.
    Satisfaction is the attitude each visit re-forms; a grievance is what the
    relationship remembers of a problem until it is put right or fades. Knox &
    van Oest (2014) find that a complaint raises a customer's churn beyond what
    satisfaction carries, that recovery counters most of it, and that the effect
    wears off within weeks to months (MODEL.md §6, F10-F11).
    """
    return grievance + (depth > 0) * per_problem + depth


def restoration(delay_days, compensation, apology, complaints_so_far, weights, ceiling):
    """Share of the grievance a resolution heals: justice-weighted, at most ``ceiling``.

    The same ``fairness`` as ``recovery_value``, as a share of its full value,
    times ``ceiling`` (recovery rarely heals fully: Knox & van Oest 2014),
    divided by the complaints made so far (a second recovery heals far less:
    double deviation, Maxham & Netemeyer 2002).
    """
    w_comp, w_speed, _, w_apology = weights
    full = w_comp + w_speed + w_apology
    if full <= 0:
        return 0.0
    return ceiling * np.minimum(fairness(delay_days, compensation, apology, weights) / full, 1.0) / np.maximum(complaints_so_far, 1)


def grievance_after_resolution(grievance, healed_share):
    return grievance * (1.0 - healed_share)


def trust_after_recovery(trust, healed_share):
    """A fair resolution wins back trust in the same measure as it heals the grievance.

    Satisfaction with complaint handling builds trust and commitment (Tax, Brown &
    Chandrashekaran 1998): a lasting mark, where a silent customer gets none.
    """
    return trust + healed_share * (1.0 - trust)


def grievance_after_abandonment(grievance, second_failure):
    """An unanswered complaint is a second failure: the grievance grows (double deviation)."""
    return grievance + second_failure


def fade(grievance, half_life_days):
    """One day's fading of a grievance: halved every ``half_life_days``."""
    return grievance * np.power(0.5, 1.0 / half_life_days)


def defection_hazard(
    satisfaction,
    switching_cost,
    purchases,
    trust,
    grievance,
    floor,
    span,
    midpoint,
    steepness,
    purchases_scale,
    trust_loyalty,
    grievance_weight,
):
    """Daily chance to leave: dissatisfaction and grievance push, the relationship holds.

    A floor of life-event churn plus a logistic pressure rising as satisfaction
    falls below ``midpoint`` (Hirschman 1970 exit), raised by the grievance
    problems have left (Knox & van Oest 2014), and damped by switching costs
    (Burnham et al. 2003), past purchases (a lasting protection: Knox & van Oest
    2014; Reichheld 1996) and trust (Morgan & Hunt 1994 trust -> commitment).
    Gains cannot push it below the floor, losses can push it up a lot: one
    source of the asymmetry in fact F8.
    """
    pressure = logistic(steepness * (midpoint - satisfaction))
    damping = (1.0 + switching_cost) * (1.0 + purchases / purchases_scale) * (1.0 + trust_loyalty * trust)
    return (floor + span * pressure) * (1.0 + grievance_weight * grievance) / damping


def defection_probability(hazard, days_covered):
    """Chance to leave at one decision that stands for ``days_covered`` days of the daily hazard.

    A customer can only leave when they visit (or hear a complaint's outcome), so
    a decision covers the days since the last one, on average one over their
    visit rate: heavy users decide often but each time for fewer days, and are
    not less loyal for visiting more (MODEL.md §6, F11).
    """
    return 1.0 - np.power(1.0 - np.clip(hazard, 0.0, 1.0), days_covered)


def word_of_mouth_rate(satisfaction, threshold, rate_satisfied, rate_dissatisfied):
    """Daily chance to tell someone: unhappy customers talk more (TARP 1986).

    Above +threshold a customer recommends, below -threshold warns; in between
    there is nothing to tell.
    """
    return np.where(
        satisfaction > threshold,
        rate_satisfied,
        np.where(satisfaction < -threshold, rate_dissatisfied, 0.0),
    )


def acquisition_probability(expectation, trust, word_of_mouth, satisfaction, competitor_quality, rate, scale):
    """Daily chance that someone with the competitor joins the firm.

    Rises with what they have come to expect from the firm (the promise,
    through trust, and what they heard), with net word of mouth and with any
    memory of being satisfied; falls with the competitor's quality. A loud
    promise therefore draws customers (MODEL.md §1.6) while raising the bar
    they will judge it by. Log-linear in attraction, as in a logit choice
    against staying put (McFadden 1974): ``rate`` is the chance when the firm
    looks no better than the competitor.
    """
    credible_expectation = trust * expectation + (1.0 - trust) * competitor_quality
    attraction = credible_expectation - competitor_quality + word_of_mouth + satisfaction
    return np.clip(rate * np.exp(attraction / scale), 0.0, 1.0)
