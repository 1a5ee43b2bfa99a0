"""One calibration: check the firm's figures, build or reuse its bank, learn the posterior, write the outputs."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from experiments.calibrate import bank as banks
from experiments.calibrate.inference import posterior
from experiments.calibrate.observed import Observed, ObservedError, load_observed
from experiments.calibrate.outputs import contraction, pair_plot, predictive_check, predictive_figure, report
from experiments.calibrate.priors import priors
from sim.posterior import write_parquet

BANK_ROOT = Path("results/calibrate/banks")


@dataclass(frozen=True)
class Calibration:
    """What ``servsim.calibrate`` returns: the posterior draws, the predictive check, where the files are."""

    draws: pd.DataFrame
    check: pd.DataFrame
    contraction: pd.Series
    out_dir: Path | None
    bank: Path
    seconds: float


def check_reachable(observed: Observed, bank: pd.DataFrame) -> None:
    """Refuse a figure that no run of the bank comes near: its posterior would be a silent extrapolation."""
    problems = []
    for f in observed.figures:
        values = bank[f.key].dropna()
        if not len(values):
            problems.append(f"{f.key}: no run of the bank has it (every group too small to tell at this size)")
            continue
        low, high = values.min(), values.max()
        margin = 3 * (f.se or 0.0)
        wanted_low, wanted_high = (f.low, f.high) if f.is_range else (f.value - margin, f.value + margin)
        if wanted_high < low or wanted_low > high:
            gap = low - wanted_high if wanted_high < low else wanted_low - high
            shown = f"{f.value:g}" if not f.is_range else f"[{f.low:g}, {f.high:g}]"
            problems.append(f"{f.key} = {shown}, but the bank's {len(values)} prior draws give {low:.4g} to {high:.4g} "
                            f"({gap:.3g} beyond, after 3 standard errors)")
    if problems:
        raise ObservedError("no prior draw comes near these figures, so the model cannot reproduce them with any "
                            "behaviour in its prior ranges (check the figure, the firm's settings, or widen the prior): "
                            + "; ".join(problems))


def bank_for(observed: Observed, *, size: int, fraction: float, root: Path, bank: str | None, n_jobs: int,
             progress: bool) -> tuple[Path, pd.DataFrame, str]:
    """The bank this firm calibrates against: the one given, or its own (built or resumed, then reused)."""
    customers = max(10, round(observed.customers * fraction))
    spec = banks.BankSpec(dict(observed.settings), customers, observed.days)
    if bank is not None:
        stored, rows = banks.load(Path(bank))
        if (stored.settings, stored.customers, stored.days, [p.key for p in stored.priors]) != (
                spec.settings, spec.customers, spec.days, spec.keys):
            raise banks.BankError(f"the bank in {bank} simulates {stored.customers} customers over {stored.days} days at "
                                  f"{stored.settings or 'the default settings'}, not this firm's {spec.customers} over "
                                  f"{spec.days} at {spec.settings or 'the default settings'}: leave bank= out to build its own")
        folder = Path(bank)
    else:
        folder = banks.bank_folder(root, spec)
        have = sum(len(pd.read_parquet(p, columns=["row"])) for p in folder.glob("chunk-*.parquet")) if folder.is_dir() else 0
        if have < size:
            folder = banks.build(spec, size, root, n_jobs=n_jobs, progress=progress)
        _, rows = banks.load(folder)
    rows = rows[rows["row"] < size] if bank is None else rows
    note = (f"Bank: {len(rows)} runs of {spec.customers:,} customers over {spec.days} days ({folder}); the firm has "
            f"{observed.customers:,}.")
    if spec.customers < observed.customers:
        note += (" A smaller simulated market has noisier figures than the firm's, so this posterior is wider "
                 "(more cautious) than one from a bank at the firm's full size.")
    return folder, rows, note


def calibrate(observed: str | Path | Observed, *, out_dir: str | Path | None = None, method: str = "abc",
              bank: str | None = None, bank_size: int = 2000, bank_fraction: float = 1.0, draws: int = 2000,
              check_runs: int = 40, n_jobs: int = -1, seed: int = 0, bank_root: str | Path = BANK_ROOT,
              progress: bool = True) -> Calibration:
    """Fit the calibrated ``customers.*`` parameters to a firm's figures; write the outputs into ``out_dir``."""
    start = time.perf_counter()
    if not isinstance(observed, Observed):
        observed = load_observed(observed)
    if not 0 < bank_fraction <= 1:
        raise ObservedError(f"bank_fraction = {bank_fraction!r} is outside the allowed range: expected a share in (0, 1]")
    folder, rows, note = bank_for(observed, size=bank_size, fraction=bank_fraction, root=Path(bank_root), bank=bank,
                                  n_jobs=n_jobs, progress=progress)
    check_reachable(observed, rows)
    prior_list = priors()
    figures = list(observed.figures)
    draws_frame = posterior(rows, prior_list, figures, method=method, draws=draws, seed=seed)
    replicated = replicate(observed, draws_frame, check_runs, folder, seed, n_jobs)
    check = predictive_check(figures, replicated)
    shrink = contraction(draws_frame, prior_list)
    if out_dir is not None:
        write_outputs(Path(out_dir), observed, prior_list, draws_frame, check, method, note)
    return Calibration(draws_frame, check, shrink, None if out_dir is None else Path(out_dir), folder,
                       time.perf_counter() - start)


def replicate(observed: Observed, draws: pd.DataFrame, runs: int, folder: Path, seed: int, n_jobs: int) -> pd.DataFrame:
    """The firm's figures simulated at ``runs`` posterior draws (new seeds): the posterior predictive."""
    from joblib import Parallel

    spec = banks.spec_of(folder)
    picks = draws.sample(runs, random_state=seed, replace=len(draws) < runs).to_numpy()
    # seeds far from the bank's so the check is on runs the posterior never saw
    seeds = [10**9 + seed * 10_000 + i for i in range(runs)]
    with Parallel(n_jobs=n_jobs) as parallel:
        summaries = banks.simulate_summaries([banks.overrides(spec, t, s) for t, s in zip(picks, seeds)], parallel)
    return pd.DataFrame(summaries)


def write_outputs(out_dir: Path, observed: Observed, prior_list, draws: pd.DataFrame, check: pd.DataFrame, method: str,
                  note: str) -> None:
    """All files into a temporary folder, renamed into place at the end: a folder is complete or absent."""
    tmp = out_dir.with_name(out_dir.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        write_parquet(tmp / "posterior.parquet", draws, {"servsim_observed": observed.name, "servsim_method": method})
        check.to_csv(tmp / "predictive_check.csv", index=False)
        pair_plot(draws, prior_list, tmp / "pair_plot.png")
        predictive_figure(check, tmp / "predictive_check.png")
        (tmp / "report.md").write_text(report(observed.name, prior_list, draws, check, method, note))
        out_dir.mkdir(parents=True, exist_ok=True)
        for path in tmp.iterdir():
            path.replace(out_dir / path.name)
        tmp.rmdir()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

