"""The robust analysis's folder: experiments.parquet, policies.csv, figures, and report.md (written last)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd

from experiments.robust import analysis
from experiments.robust.evaluate import OUTCOMES
from experiments.robust.report import MEANINGS, box_in_words, outcome_figure, prim_figures, regret_figure, shown_table
from experiments.text import markdown_table

TOP_PARAMETERS = 5


def _atomic(path: Path, write) -> None:
    """Write through a temporary name, so an interrupted write leaves no half file."""
    partial = path.with_name(path.name + ".part")
    write(partial)
    os.replace(partial, path)


def write_folder(plan, results: pd.DataFrame, at_defaults: pd.DataFrame, out_dir: Path | None, command: str):
    from experiments.robust.app import RobustResult

    options, candidates = plan.options, plan.candidates
    reference = candidates.reference
    thresholds = analysis.Thresholds(**(options.get("satisficing") or {}))
    table = analysis.policy_table(results, reference, thresholds)
    leader = str(table.index[0])
    regrets = analysis.regret(results)
    x = analysis.scenario_frame(results, plan.uncertainties)
    scores = analysis.deciding_parameters(results, plan.uncertainties, leader, options["sample_seed"])
    failed = analysis.failures(results, leader, reference, thresholds, options["failure_regret_share"])
    box = analysis.failure_box(x, failed, options["prim_density"])
    others = table.drop(index=reference)["satisficing_share"]
    warning = None
    if others.max() == 0:
        warning = (f"no policy but the reference meets the satisficing thresholds (profit at most "
                   f"{thresholds.profit_loss:g} below {reference}'s, retention at most {thresholds.retention_points:g} "
                   "points below it) in any scenario: the table is written all the same")
        warnings.warn(warning, stacklevel=2)
    figures = []
    if out_dir is not None:
        order = list(table.index)
        figures = [outcome_figure(results, order, out_dir / "outcomes.png"), regret_figure(regrets, order, out_dir / "regret.png")]
        if box is not None:
            figures += prim_figures(box, out_dir)
    text = report_text(plan, results, at_defaults, table, scores, box, failed, leader, thresholds, warning, figures, command)
    if out_dir is not None:
        _atomic(out_dir / "experiments.parquet", lambda p: results.to_parquet(p, index=False))
        _atomic(out_dir / "policies.csv", lambda p: pd.DataFrame(candidates.policies).T.rename_axis("policy").to_csv(p))
        _atomic(out_dir / "report.md", lambda p: p.write_text(text + "\n"))
    return RobustResult(results, table, at_defaults, text, out_dir)


def report_text(plan, results, at_defaults, table, scores, box, failed, leader, thresholds, warning, figures, command) -> str:
    options, candidates = plan.options, plan.candidates
    reference = candidates.reference
    n_scenarios, seeds = results["scenario"].nunique(), plan.model.function.keywords["seeds"]
    fixed = plan.model.function.keywords["fixed"]
    best_at_defaults = str(at_defaults.set_index("policy")["profit"].idxmax())
    lines = [
        "# Robust policy choice",
        "",
        f"Repeat: `{command.strip()}` (from the repository root).",
        "",
        f"{len(candidates.policies)} policies x {n_scenarios} scenarios, each scenario run with {len(seeds)} "
        f"seed{'s' if len(seeds) > 1 else ''} ({', '.join(map(str, seeds))}), the same for every policy (common random "
        "numbers: differences between policies in a scenario are paired). "
        f"Fixed settings: {fixed or 'the defaults'}. Uncertainties from {plan.source}:",
        "",
        "| uncertainty | low | high |",
        "|---|---|---|",
    ]
    ranges = {u.name: (u.lower_bound, u.upper_bound) for u in plan.model.uncertainties}
    lines += [f"| `{key}` | {low:.4g} | {high:.4g} |" for key, (low, high) in ranges.items()]
    lines += ["", "Policies (lever values; the reference is the firm's current settings):", "",
              markdown_table(pd.DataFrame(candidates.policies).T.rename_axis("policy")), "",
              "## Outcomes across scenarios", "",
              "Median [10th, 90th percentile] across scenarios; rows in order of maximum regret in profit (against "
              f"the best policy in each scenario); 'satisfices': share of scenarios with profit at most "
              f"{thresholds.profit_loss:,.0f} below and retention at most {thresholds.retention_points:g} points below "
              f"the reference ({reference}) in the same scenario.", "",
              markdown_table(shown_table(table)), ""]
    lines += [f"Outcomes: {'; '.join(f'{k}: {v}' for k, v in OUTCOMES.items())}.", ""]
    if warning:
        lines += [f"**Warning:** {warning}.", ""]
    lines += ["## Which measurement would settle it", ""]
    if analysis.winners(results).nunique() > 1:
        lines += ["Feature scores (the Workbench's extra trees) of the uncertainties for *which policy wins* in a "
                  "scenario; the higher, the more the choice hangs on it:", ""]
    else:
        lines += [f"{leader} has the highest profit in every scenario; the scores say what most moves its margin over "
                  "the runner-up:", ""]
    lines += ["| parameter | score | would be narrowed by |", "|---|---|---|"]
    for key, score in scores.head(TOP_PARAMETERS).items():
        lines.append(f"| `{key}` | {score:.3f} | {MEANINGS.get(key, ('', '', 'no observable named yet'))[2]} |")
    lines += ["", f"## Where {leader} fails", ""]
    lines += [f"{leader} fails (misses the satisficing thresholds, or gives up more than "
              f"{100 * options['failure_regret_share']:g}% of the best policy's profit) in {int(failed.sum())} of "
              f"{len(failed)} scenarios.", ""]
    if box is None:
        lines += ["PRIM has nothing to separate: the policy fails in " + ("every" if failed.all() else "no") + " scenario.", ""]
        condition = None
    else:
        condition = box_in_words(box.limits) or "anywhere in the ranges (no restriction found)"
        lines += [f"PRIM box (coverage {box.coverage:.0%} of the failures, density {box.density:.0%} of the scenarios in "
                  f"it fail, {box.mass:.0%} of all scenarios): fails when {condition}.", "",
                  "| parameter | box low | box high | range low | range high |", "|---|---|---|---|---|"]
        lines += [f"| `{k}` | {r['low']:.4g} | {r['high']:.4g} | {r['range_low']:.4g} | {r['range_high']:.4g} |"
                  for k, r in box.limits.iterrows()]
        lines.append("")
    if figures:
        lines += ["## Figures", ""] + [f"![{name}]({name})" for name in figures] + [""]
    lines += ["## Conclusion", "", conclusion(table, leader, reference, best_at_defaults, condition and box, failed)]
    return "\n".join(lines)


def conclusion(table: pd.DataFrame, leader: str, reference: str, best_at_defaults: str, box, failed) -> str:
    """The choice, when to reconsider it, and how it differs from the choice at the defaults, in plain words."""
    row = table.loc[leader]
    text = (f"The robust choice is **{leader}**: its profit is never more than {row['max_regret']:,.0f} below the best "
            f"candidate's in any scenario, and it satisfices against {reference} in {row['satisficing_share']:.0%} of them. ")
    if box is not None and len(box.limits):
        text += f"Reconsider it if {box_in_words(box.limits)}: there it fails in {box.density:.0%} of the scenarios. "
    elif not failed.any():
        text += "It did not fail in any scenario explored. "
    if best_at_defaults == leader:
        text += f"At the default behaviour the same policy ({leader}) earns the most, so the defaults and robustness agree."
    else:
        text += (f"At the default behaviour {best_at_defaults} would earn the most; choosing it assumes the defaults are "
                 f"true, and its maximum regret across the scenarios is {table.loc[best_at_defaults, 'max_regret']:,.0f} "
                 f"against {row['max_regret']:,.0f}.")
    return text
