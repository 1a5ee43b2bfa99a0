"""``servsim-calibrate``: a firm's figures in, a posterior over its customers' behaviour out (Hydra app).

    servsim-calibrate observed=configs/observed/example_firm.yaml
    servsim-calibrate observed=FILE method=npe bank_fraction=0.2
    servsim-calibrate records=events.parquet    print the records' figures as an observed file

A mistake in the input (the observed file, a bank folder that is not a bank, a bank of
another model version, a figure no prior draw comes near) is one paragraph on stderr and
exit status 2, and nothing is written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.calibrate.bank import BankError
from experiments.calibrate.observed import ObservedError
from sim.config import CONFIG_DIR
from sim.params import ConfigError

INPUT_ERRORS = (ObservedError, BankError, ConfigError)  # a bad posterior file is a ConfigError (sim.posterior)


def refuse(error: Exception) -> None:
    print(f"servsim-calibrate: {error}", file=sys.stderr)
    sys.exit(2)


# Its own folder of configs/: in configs/ itself, observed=FILE would name the group configs/observed/.
@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR / "calibrate"), config_name="calibrate")
def calibrate_job(cfg: DictConfig) -> None:
    from experiments.calibrate.run import calibrate

    if cfg.records is not None:
        from experiments.calibrate.records import observed_yaml

        print(observed_yaml(Path(cfg.records)))
        return
    if cfg.observed is None:
        raise ObservedError("observed = null: give observed=FILE (an observed-figures YAML, see configs/observed/) "
                            "or records=FILE (a table in the event schema of events.parquet)")
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        result = calibrate(cfg.observed, out_dir=out_dir, method=cfg.method, bank=cfg.bank, bank_size=cfg.bank_size,
                           bank_fraction=cfg.bank_fraction, draws=cfg.draws, check_runs=cfg.check_runs, n_jobs=cfg.n_jobs,
                           seed=cfg.seed, bank_root=cfg.bank_root, progress=cfg.progress)
    except BaseException:
        if out_dir.is_dir() and not any(out_dir.iterdir()):  # Hydra made it; nothing was finished in it
            out_dir.rmdir()
        raise
    print((out_dir / "report.md").read_text())
    print(f"servsim-calibrate: {result.seconds:.0f} s; posterior, pair plot, predictive check and report in {out_dir}")


def main() -> None:
    os.environ["HYDRA_FULL_ERROR"] = "1"  # input errors reach refuse() instead of Hydra's traceback
    # The observed file is checked before Hydra makes the run folder: a mistake leaves nothing behind.
    for argument in sys.argv[1:]:
        if argument.startswith("observed="):
            from experiments.calibrate.observed import load_observed

            try:
                load_observed(argument.split("=", 1)[1])
            except ObservedError as error:
                refuse(error)
    try:
        calibrate_job()
    except INPUT_ERRORS as error:
        refuse(error)


if __name__ == "__main__":
    main()
