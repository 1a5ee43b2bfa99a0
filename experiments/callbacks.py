"""Hydra callback that turns a finished sweep into its report, in the launching process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig


class ReportAtSweepEnd(Callback):
    """After the last run of ``servsim -m experiment=...``: tables, figures and report.md."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from experiments.report import write_report  # pandas/matplotlib only once the sweep is done

        sweep_dir = Path(config.hydra.sweep.dir)
        report = write_report(sweep_dir)
        print(f"servsim: sweep report written to {report}")
        print_optimum(sweep_dir)


def print_optimum(sweep_dir: Path) -> None:
    """An optimising sweeper's result (Optuna's optimization_results.yaml), printed whatever the log level:
    a launcher that runs the jobs in this process applies their quieter logging to the sweeper too."""
    import yaml

    path = sweep_dir / "optimization_results.yaml"
    if not path.is_file():
        return
    result = yaml.safe_load(path.read_text())
    if "best_params" in result:
        print(f"servsim: best trial: {result['best_params']} gives {result['best_value']} ({path})")
    else:
        print(f"servsim: {len(result['solutions'])} Pareto-optimal trials ({path}):")
        for solution in result["solutions"]:
            print(f"  {solution['params']} gives {solution['values']}")
