"""The statistics servsim reports, below every other layer: intervals, pooled shares, paired differences.

Both ``sim/`` (a run against its reference, the landmark ladder) and ``experiments/``
(sweep reports, stylized facts) read their numbers through these functions, so a
"95% interval" means the same thing on the terminal, in a sweep report and in the facts.
This package imports only numpy, pandas and scipy.
"""
