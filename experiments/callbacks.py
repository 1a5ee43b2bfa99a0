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

        report = write_report(Path(config.hydra.sweep.dir))
        print(f"servsim: sweep report written to {report}")
