"""Global sensitivity of retention and profit (SALib): the design and its analysis.

``servsim -m experiment=sensitivity`` (Morris screening) and
``servsim -m experiment=sensitivity_sobol`` (Sobol indices) run the design through
the ``salib`` Hydra sweeper (hydra_plugins/servsim_salib_sweeper), which writes
``problem.json`` and ``design.csv`` beside the runs; job *i* is design row *i*.
Every run uses the same seed (common random numbers), so differences between design
points are the parameters' doing rather than the dice's.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from experiments.aggregate import Sweep
from experiments.plotting import PALETTE, new_figure, save

OUTPUTS = {  # summary metric -> (how the report names it, display scale, unit)
    "retention_never_left": ("retention of starting customers", 100.0, "pp"),
    "profit": ("cumulative profit", 1e-3, "thousand money units"),
}
CONFIDENCE = 0.95
RESAMPLES = 1000


def salib_problem(problem: dict) -> dict:
    return {"num_vars": len(problem["names"]), "names": problem["names"], "bounds": problem["bounds"]}


def design_matrix(problem: dict) -> np.ndarray:
    """The design points, one row per run, in the order the jobs are numbered."""
    spec = salib_problem(problem)
    if problem["method"] == "morris":
        from SALib.sample import morris

        return morris.sample(spec, problem["samples"], num_levels=problem["levels"], seed=problem["design_seed"])
    if problem["method"] == "sobol":
        from SALib.sample import sobol

        return sobol.sample(spec, problem["samples"], calc_second_order=False, seed=problem["design_seed"])
    raise ValueError(f"unknown sensitivity method {problem['method']!r}: expected morris or sobol")


def indices(problem: dict, design: np.ndarray, outputs: dict[str, np.ndarray]) -> pd.DataFrame:
    """Tidy indices with 95% confidence intervals, one row per (output, parameter)."""
    spec = salib_problem(problem)
    frames = []
    for output, values in outputs.items():
        values = np.asarray(values, dtype=float)
        if problem["method"] == "morris":
            from SALib.analyze import morris

            result = morris.analyze(spec, design, values, num_levels=problem["levels"], conf_level=CONFIDENCE,
                                    num_resamples=RESAMPLES, seed=0)
            frame = pd.DataFrame({key: result[key] for key in ("mu_star", "mu_star_conf", "mu", "sigma")})
        else:
            from SALib.analyze import sobol

            result = sobol.analyze(spec, values, calc_second_order=False, conf_level=CONFIDENCE,
                                   num_resamples=RESAMPLES, seed=0)
            frame = pd.DataFrame({key: result[key] for key in ("S1", "S1_conf", "ST", "ST_conf")})
        frames.append(frame.assign(output=output, parameter=problem["names"]))
    table = pd.concat(frames, ignore_index=True)
    return table[["output", "parameter", *[c for c in table.columns if c not in ("output", "parameter")]]]


def load_design(sweep_dir: Path) -> tuple[dict, np.ndarray]:
    problem = json.loads((sweep_dir / "problem.json").read_text())
    design = pd.read_csv(sweep_dir / "design.csv").sort_values("job")
    return problem, design[problem["names"]].to_numpy(dtype=float)


def report(sweep: Sweep, out_dir: Path) -> str:
    problem, design = load_design(sweep.directory)
    method = problem["method"]
    runs = sweep.runs.set_index("job")
    missing = sorted(set(range(len(design))) - set(runs.index))
    if missing:
        return (f"## Sensitivity ({method})\n\n{len(design) - len(missing)} of {len(design)} design runs have "
                "finished; the indices need all of them. Launch the same command again to finish the sweep.\n")
    outputs = {output: runs.loc[range(len(design)), output].to_numpy() for output in OUTPUTS}
    table = indices(problem, design, outputs)
    table.to_csv(out_dir / f"sensitivity_{method}.csv", index=False, float_format="%.6g")
    figure = (_morris_figure if method == "morris" else _sobol_figure)(table, problem, out_dir)
    return "\n".join([f"## Sensitivity of retention and profit ({method}, {len(design)} runs)", "",
                      *_ranking_lines(table, method), "", f"![sensitivity]({figure})", "",
                      _ranges_line(problem), ""])


def _ranges_line(problem: dict) -> str:
    ranges = ", ".join(f"`{name}` {low:g}-{high:g}" for name, (low, high) in zip(problem["names"], problem["bounds"]))
    return f"Parameters and ranges: {ranges}."


def _ranking_lines(table: pd.DataFrame, method: str) -> list[str]:
    lines = []
    for output, (name, scale, unit) in OUTPUTS.items():
        rows = table[table["output"] == output]
        if method == "morris":
            rows = rows.sort_values("mu_star", ascending=False).head(5)
            ranked = [f"`{r.parameter}` {r.mu_star * scale:.2f} ± {r.mu_star_conf * scale:.2f} {unit} "
                      f"({'raises' if r.mu > 0 else 'lowers'} it)" for r in rows.itertuples()]
            lines.append(f"- **{name}**, largest mean absolute effect of moving one parameter across its range "
                         f"(Morris mu*, ± 95% CI): " + "; ".join(ranked))
        else:
            rows = rows.sort_values("ST", ascending=False).head(5)
            ranked = [f"`{r.parameter}` total {r.ST:.2f} ± {r.ST_conf:.2f} (first-order {r.S1:.2f} ± {r.S1_conf:.2f})"
                      for r in rows.itertuples()]
            lines.append(f"- **{name}**, largest shares of its variance (Sobol indices, ± 95% CI): "
                         + "; ".join(ranked))
    return lines


def _morris_figure(table: pd.DataFrame, problem: dict, out_dir: Path) -> str:
    fig, axes = new_figure(1, len(OUTPUTS), width=12, height_per_row=0.32 * len(problem["names"]) + 1.6)
    for ax, (output, (name, scale, unit)) in zip(axes[0], OUTPUTS.items()):
        rows = table[table["output"] == output].sort_values("mu_star")
        colours = [PALETTE[0] if mu > 0 else PALETTE[1] for mu in rows["mu"]]
        ax.barh(rows["parameter"], rows["mu_star"] * scale, xerr=rows["mu_star_conf"] * scale, color=colours,
                alpha=0.85, capsize=2)
        ax.set_xlabel(f"mu*: mean |effect| of a full-range move\n({unit})")
        ax.set_title(name, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].legend(handles=[Patch(color=PALETTE[0], label="raises it on average (mu > 0)"),
                               Patch(color=PALETTE[1], label="lowers it on average (mu < 0)")],
                      fontsize=8, loc="lower right")
    fig.suptitle(f"Morris screening: {problem['samples']} trajectories, error bars: 95% bootstrap CI", fontsize=10)
    return save(fig, out_dir / "sensitivity_morris.png")


def _sobol_figure(table: pd.DataFrame, problem: dict, out_dir: Path) -> str:
    fig, axes = new_figure(1, len(OUTPUTS), width=12, height_per_row=0.4 * len(problem["names"]) + 1.6)
    for ax, (output, (name, _, _)) in zip(axes[0], OUTPUTS.items()):
        rows = table[table["output"] == output].sort_values("ST")
        y = np.arange(len(rows))
        ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"], color=PALETTE[0], capsize=2, label="total (ST)")
        ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"], color=PALETTE[4], capsize=2,
                label="first order (S1)")
        ax.set_yticks(y, rows["parameter"])
        ax.set_xlabel("share of the output's variance")
        ax.set_title(name, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="lower right")
    fig.suptitle(f"Sobol indices: base sample {problem['samples']}, error bars: 95% bootstrap CI", fontsize=10)
    return save(fig, out_dir / "sensitivity_sobol.png")
