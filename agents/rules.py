"""Customer behaviour rules: small pure functions, one idea each.

Every rule takes numbers (never a config object) and works on a scalar and on a
numpy array alike, so the same line of theory serves the vectorised population
and a single customer. Sources are named in each docstring; the derivation of
every default is in ``sim/params.py`` and ``docs/model.md``.
"""

from __future__ import annotations

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


def update_trust(trust, broken, gain, loss, guarantee_softening):
    """Broken promises cut trust more than kept ones raise it.

    tau += gain * (1 - tau) on a kept promise; tau -= loss * (1 - s) * tau on a
    broken one, where a guarantee's automatic compensation softens the cut by
    s (Hart 1988; trust asymmetry, Slovic 1993). Stays inside [0, 1].
    """
    kept_trust = trust + gain * (1.0 - trust)
    broken_trust = trust - loss * (1.0 - guarantee_softening) * trust
    return np.where(broken, broken_trust, kept_trust)


def complaint_probability(propensity, gap, tolerance, guarantee_boost):
    """Chance that a customer below the zone speaks up rather than stays silent.

    Higher stakes (a deeper shortfall) and a guarantee (an invitation and a
    channel, Hart 1988) both raise it; most dissatisfied customers still never
    complain (TARP 1986; MODEL.md §1.8). ``guarantee_boost`` is 1 without one.
    """
    shortfall = np.maximum(-gap - tolerance, 0.0)
    stakes = 1.0 + shortfall
    return np.clip(propensity * stakes * guarantee_boost, 0.0, 1.0)


def compensation_value(compensation, weight):
    """Outcome fairness: diminishing value of compensation (in visit prices).

    weight * (1 - exp(-c)): the first refund matters most (distributive
    justice; Smith, Bolton & Wagner 1999).
    """
    return weight * (1.0 - np.exp(-compensation))


def recovery_value(delay_days, compensation, apology, complaints_so_far, weights):
    """Value a resolved complaint adds to satisfaction (justice theory).

    Sum of outcome (compensation), procedural (speed: exp(-delay / scale))
    and interactional (apology) fairness (Tax, Brown & Chandrashekaran 1998),
    divided by the number of complaints the customer has had to make: the
    recovery of a first failure counts most, a second recovery far less
    (double deviation; Maxham & Netemeyer 2002). ``weights`` = (compensation, speed, speed_scale_days,
    apology).
    """
    w_comp, w_speed, speed_scale, w_apology = weights
    fairness = (
        compensation_value(compensation, w_comp)
        + w_speed * np.exp(-delay_days / speed_scale)
        + w_apology * apology
    )
    return fairness / np.maximum(complaints_so_far, 1)


def defection_probability(
    satisfaction, switching_cost, tenure_days, trust, floor, span, midpoint, steepness, tenure_scale, trust_loyalty
):
    """Chance to leave at a decision moment (a visit or a complaint outcome).

    A floor of life-event churn plus a logistic pressure rising as
    satisfaction falls below ``midpoint``, damped by switching costs, tenure
    and trust (Hirschman 1970 exit; Burnham et al. 2003 switching costs;
    Reichheld 1996 tenure; Morgan & Hunt 1994 trust -> commitment). Gains
    cannot push it below the floor, losses can push it up a lot: one source
    of the asymmetry in fact F8. Broken promises act through trust: a firm
    that overpromises loses loyalty even from customers it satisfies.
    """
    pressure = logistic(steepness * (midpoint - satisfaction))
    damping = (1.0 + switching_cost) * (1.0 + tenure_days / tenure_scale) * (1.0 + trust_loyalty * trust)
    return np.clip((floor + span * pressure) / damping, 0.0, 1.0)


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
