"""Hydra callback of every sweep: a short console, each run's details in its log, the report at the end.

A sweep's console is the launcher's progress and a few lines of its own: the
launcher's list of jobs goes to ``<sweep dir>/sweep.log`` instead of the screen,
and each run's plain-language summary to its own folder's log
(``<sweep dir>/<job>/<job name>.log``), so a 200-run sweep prints about as much
as a 6-run one and no run's details are lost.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import Any, Sequence

from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

SWEEP_LOG = "sweep.log"
# The loggers of Hydra's launchers and sweepers (the basic one, and every plugin's). They are
# routed here rather than through the root logger, which each launcher reconfigures at launch.
LAUNCHER_LOGGERS = ("hydra_plugins", "hydra._internal.core_plugins")


class ReportAtSweepEnd(Callback):
    """Quiet sweeps, and after the last run of ``servsim -m ...``: tables, figures and report.md.

    ``sections`` and ``figures`` come from the experiment's YAML (``hydra.callbacks.report``):
    the report's layout, see ``experiments.report.Layout``.
    """

    def __init__(self, sections: Sequence[str] = (), figures: Sequence[str] = ()) -> None:
        self.sections, self.figures = tuple(sections), tuple(figures)
        self._job_output = contextlib.ExitStack()

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """The launchers' INFO lines (one per job) go to the sweep's log; their warnings still reach the screen."""
        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(sweep_dir / SWEEP_LOG)
        to_file.setFormatter(logging.Formatter("[%(asctime)s][%(name)s] %(message)s"))
        to_screen = logging.StreamHandler(sys.stderr)
        to_screen.setLevel(logging.WARNING)
        for name in LAUNCHER_LOGGERS:
            logger = logging.getLogger(name)
            logger.handlers = [to_file, to_screen]
            logger.setLevel(logging.INFO)
            logger.propagate = False
        print(f"servsim: sweep into {sweep_dir} (the jobs: {sweep_dir / SWEEP_LOG}; each run's summary: "
              f"the .log in its folder)")
        from sim.run import SUMMARY_FILE

        finished = sorted(int(path.parent.name) for path in sweep_dir.glob(f"*/{SUMMARY_FILE}") if path.parent.name.isdigit())
        if finished:
            print(f"servsim: run(s) {', '.join(map(str, finished))} of an earlier launch already finished: "
                  "kept, not run again")

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        """In a sweep, what a run prints goes to the log in its folder (Hydra's job log file)."""
        if HydraConfig.get().mode != RunMode.MULTIRUN:
            return
        log = Path(config.hydra.runtime.output_dir) / f"{config.hydra.job.name}.log"
        self._job_output.enter_context(contextlib.redirect_stdout(self._job_output.enter_context(log.open("a"))))

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        self._job_output.close()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from experiments.report import Layout, write_report  # pandas/matplotlib only once the sweep is done

        sys.stdout.flush()
        sweep_dir = Path(config.hydra.sweep.dir)
        report = write_report(sweep_dir, layout=Layout(self.sections, self.figures) if self.sections else None)
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
