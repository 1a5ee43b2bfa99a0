"""``servsim``: run a scenario from the command line (Hydra).

    servsim                                       the baseline
    servsim scenario=surprise_regress firm.promise=8 seed=3
    servsim -m scenario=baseline,overpromise seed=range(0,5)   a sweep
    servsim -m experiment=promise_level           a replicated experiment (configs/experiment/)
    servsim lesson=trap                           a classroom lesson (configs/lesson/)

In a sweep (-m), a run whose directory already holds its summary.json with the
same configuration is skipped, so launching an interrupted sweep again resumes it.

A mistake in the configuration is reported in one line naming the key, the
value and the allowed range, before any simulation starts. Ctrl-C stops a run
with one line and exit status 130; its folder then has no summary.json (the
completion mark) and no partly written file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.config import CONFIG_DIR
from sim.params import ConfigError, register_configs, validate
from sim.run import SUMMARY_FILE, RunDirectoryConflict, finished_summary, simulate, write_outputs


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def run_job(cfg: DictConfig) -> dict:
    try:
        config = validate(cfg)
    except ConfigError as error:
        print(f"servsim: invalid configuration: {error}", file=sys.stderr)
        sys.exit(2)
    hydra_cfg = HydraConfig.get()
    choices = hydra_cfg.runtime.choices
    scenario = choices.get("lesson") or choices.get("scenario", "custom")  # a lesson names the run it sets up
    out_dir = Path(hydra_cfg.runtime.output_dir)
    if hydra_cfg.mode == RunMode.MULTIRUN:
        # A sweep launched again into the same directory resumes: finished runs are kept.
        try:
            finished = finished_summary(out_dir, config)
        except RunDirectoryConflict as error:
            print(f"servsim: {error}", file=sys.stderr)
            sys.exit(2)
        if finished is not None:
            print(f"servsim: run {hydra_cfg.job.num} already finished in {out_dir}, skipped")
            return finished
    try:
        timeseries, summary, _ = simulate(config, show_progress=config.output.progress)
        write_outputs(out_dir, config, timeseries, summary, scenario)
    except KeyboardInterrupt:
        print(f"servsim: interrupted; the run in {out_dir} is unfinished (it has no {SUMMARY_FILE})", file=sys.stderr)
        sys.exit(130)
    if config.output.summary:
        from sim.narrative import plain_summary

        print(plain_summary(summary, config, scenario, out_dir))
    return summary


def main() -> None:
    """The ``servsim`` command: the schema goes to Hydra's ConfigStore here, not on import."""
    register_configs()
    run_job()


if __name__ == "__main__":
    main()
