"""Question 1: how loud should the promise be, and what does a guarantee change?"""

from __future__ import annotations

from pathlib import Path

from experiments.aggregate import COMPLAINANTS_KEPT, Sweep, summarise_replications, wide
from experiments.plotting import CI_NOTE, PALETTE, band, new_figure, save
from experiments.text import interval, number, pct

PROMISE, GUARANTEE = "firm.promise", "firm.guarantee"
METRICS = ["retention_never_left", "acquisitions", "market_share", "profit", COMPLAINANTS_KEPT, "guarantee_cost"]
PEAKED = ("market_share", "profit")  # a star marks each curve's best promise
PANELS = (
    ("retention_never_left", "retention of starting customers (%)", 100.0),
    ("acquisitions", "customers won over the horizon", 1.0),
    ("market_share", "market share at the horizon (%)", 100.0),
    ("profit", "cumulative profit (million money units)", 1e-6),
)


def _label(guaranteed: bool) -> str:
    return "with guarantee" if guaranteed else "no guarantee"


def report(sweep: Sweep, out_dir: Path) -> str:
    by = [PROMISE] + ([GUARANTEE] if GUARANTEE in sweep.parameters else [])
    means = summarise_replications(sweep.runs, by, METRICS)
    means.to_csv(out_dir / "promise_level_means.csv", index=False)
    table = wide(means, by)
    if GUARANTEE not in table:
        table[GUARANTEE] = bool(sweep.runs[GUARANTEE].iloc[0])
    quality = float(sweep.runs["firm.quality"].iloc[0])

    fig, axes = new_figure(2, 2)
    for ax, (metric, ylabel, scale) in zip(axes.flat, PANELS):
        for colour, (guaranteed, rows) in zip(PALETTE, table.groupby(GUARANTEE)):
            band(ax, rows[PROMISE], rows, metric, _label(guaranteed), colour, scale)
            if metric in PEAKED:
                best = rows.loc[rows[metric].idxmax()]
                ax.plot(best[PROMISE], best[metric] * scale, marker="*", ms=13, color=colour, mec="black", zorder=5)
        ax.axvline(quality, color="grey", ls=":", lw=1.2, label=f"delivered quality ({quality:g})")
        ax.set_xlabel("promise (0-10 scale)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[0, 0].plot([], [], marker="*", ms=11, ls="", color="grey", mec="black", label="best promise (share, profit)")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(f"Promise level: means of {_replications(sweep)} replications; {CI_NOTE}", fontsize=11)
    figure = save(fig, out_dir / "promise_level.png")

    lines = ["## How loud should the promise be?", ""]
    for guaranteed, rows in table.groupby(GUARANTEE):
        best = rows.loc[rows["profit"].idxmax()]
        best_share = rows.loc[rows["market_share"].idxmax()]
        low, high = rows.iloc[0], rows.iloc[-1]
        near_best = rows.loc[rows["profit_high"] >= best["profit_low"], PROMISE]
        lines += [
            f"**{_label(guaranteed).capitalize()}.** "
            f"Raising the promise from {low[PROMISE]:g} to {high[PROMISE]:g} (delivered quality {quality:g}) "
            f"moves retention of the starting customers from {interval(low, 'retention_never_left', pct)} "
            f"to {interval(high, 'retention_never_left', pct)} and acquisitions from {interval(low, 'acquisitions', number)} "
            f"to {interval(high, 'acquisitions', number)}. "
            f"Market share peaks at promise {best_share[PROMISE]:g} ({interval(best_share, 'market_share', pct)}); "
            f"profit peaks at promise **{best[PROMISE]:g}** ({interval(best, 'profit', number)}), "
            f"and promises {near_best.min():g}-{near_best.max():g} have profit intervals reaching that peak's.",
            "",
        ]
    if table[GUARANTEE].nunique() > 1:
        lines += [_guarantee_sentence(table, quality), ""]
    lines += [f"![promise level]({figure})", ""]
    return "\n".join(lines)


def _guarantee_sentence(table, quality: float) -> str:
    """What the guarantee does where the promise matches delivery and at the loudest promise."""
    parts = []
    for promise in sorted({min(table[PROMISE], key=lambda p: abs(p - quality)), table[PROMISE].max()}):
        without = table[(table[PROMISE] == promise) & ~table[GUARANTEE]].iloc[0]
        with_ = table[(table[PROMISE] == promise) & table[GUARANTEE]].iloc[0]
        parts.append(
            f"at promise {promise:g} it moves retention from {interval(without, 'retention_never_left', pct)} to "
            f"{interval(with_, 'retention_never_left', pct)} and market share from {interval(without, 'market_share', pct)} to "
            f"{interval(with_, 'market_share', pct)}, pays out {interval(with_, 'guarantee_cost', number)} over the "
            f"horizon, and moves profit from {interval(without, 'profit', number)} to {interval(with_, 'profit', number)}"
        )
    return "**The guarantee:** " + "; ".join(parts) + "."


def _replications(sweep: Sweep) -> int:
    return int(sweep.runs["seed"].nunique())
