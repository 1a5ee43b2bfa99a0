"""Numbers as the reports print them: a mean with its 95% confidence interval in brackets."""

from __future__ import annotations

import math


def pct(x: float) -> str:
    """A share as percent, one decimal."""
    return f"{100 * x:.1f}%"


def points(x: float) -> str:
    """A difference of shares, in percentage points."""
    return f"{100 * x:+.1f} pp"


def number(x: float) -> str:
    """Counts and money: millions as 'M', otherwise thousands separators."""
    return f"{x / 1e6:.2f} M" if abs(x) >= 1e6 else f"{x:,.0f}"


def decimal(x: float) -> str:
    return f"{x:.2f}"


def interval(row, metric: str, fmt=decimal) -> str:
    """'mean [low, high]' from a row of aggregate.wide; no bracket when there is no interval."""
    mean, low, high = row[metric], row[f"{metric}_low"], row[f"{metric}_high"]
    if isinstance(low, float) and math.isnan(low):
        return fmt(mean)
    return f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]"


def markdown_table(frame) -> str:
    """A DataFrame as a GitHub markdown table (index included)."""
    frame = frame.reset_index()
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])
