"""The run's overview figure: the story of one run at a glance, from the shared panels (``sim/panels.py``).

Drawn on a bare ``matplotlib.figure.Figure`` with fixed margins: no pyplot
(no GUI backend, no global figure registry) and no layout engine, which
would draw the whole figure twice to measure it.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from sim import panels
from sim.panels import save  # noqa: F401  (the one save(); sim.run writes overview.png with it)

LAYOUT = (("expectation", "attitudes", "retention"), ("outcome_mix", "iceberg", "money"))


def overview_figure(timeseries: pd.DataFrame, summary: dict, title: str, surprise_window, fast_days: float,
                    reference: pd.DataFrame | None = None, reference_label: str = "reference"):
    """Six panels: expectation vs perception, attitudes, customers kept, experience mix, iceberg, money.

    ``reference``, the reference run's daily series (same seed and dice), is drawn as a grey line.
    """
    frame = panels.Frame(days=int(summary["days"]), window=surprise_window,
                         starting_customers=summary["customers_initial"], reference_label=reference_label)
    # A fixed title height: matplotlib otherwise measures every axis to lift titles over top tick
    # labels, which these panels do not have (the same pixels, 7% less drawing).
    with matplotlib.rc_context({"font.size": 9, "axes.titley": 1.0}):
        fig = Figure(figsize=(16, 9))
        axes = fig.subplots(2, 3)
        fig.subplots_adjust(left=0.045, right=0.965, bottom=0.06, top=0.9, wspace=0.32, hspace=0.38)
        for row, names in zip(axes, LAYOUT):
            for ax, name in zip(row, names):
                panels.PANELS[name](ax, timeseries, frame, reference)
        voiced = summary["complaint_share"] or 0.0
        fast = summary["share_resolved_fast"]
        fast_text = f"; {fast:.0%} of resolutions within {fast_days:g} day(s)" if fast is not None else ""
        axes[1][1].set_title(f"The iceberg: {voiced:.0%} of shortfalls voiced{fast_text}")
        axes[0][2].set_title(f"Customers kept (starting customers who never left: {summary['retention_never_left']:.0%})")
        fig.suptitle(title, fontsize=13)
    return fig
