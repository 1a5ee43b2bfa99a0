"""Figure helpers shared by the experiment reports: curves with confidence bands."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim import panels  # noqa: E402

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")
CI_NOTE = "bands: 95% confidence interval over replications"


def band(ax, x, table: pd.DataFrame, metric: str, label: str, color: str, scale: float = 1.0, alpha: float = 0.25,
         **line) -> None:
    """Mean of ``metric`` against x with its CI as a shaded band (``table`` from aggregate.wide)."""
    ax.fill_between(x, table[f"{metric}_low"] * scale, table[f"{metric}_high"] * scale, color=color, alpha=alpha, lw=0)
    ax.plot(x, table[metric] * scale, color=color, label=label, marker=line.pop("marker", "o"), ms=3.5, **line)


def new_figure(rows: int, cols: int, width: float = 11.0, height_per_row: float = 3.6):
    fig, axes = plt.subplots(rows, cols, figsize=(width, height_per_row * rows), constrained_layout=True, squeeze=False)
    return fig, axes


def save(fig, path: Path) -> str:
    """Write a compact PNG with the project's one writer (they are committed as reference figures),
    close the pyplot figure, return its file name."""
    panels.save(fig, path)
    plt.close(fig)
    return Path(path).name
