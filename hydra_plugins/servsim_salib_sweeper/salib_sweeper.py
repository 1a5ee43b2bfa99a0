"""A Hydra sweeper whose jobs are the rows of a SALib design (Morris or Sobol).

Hydra's basic sweeper can only form Cartesian products; a global sensitivity
analysis needs the specific points SALib chooses. This sweeper draws them (the
design is fixed by ``design_seed``, so a relaunch produces the same jobs in the
same order and resumes), writes ``problem.json`` and ``design.csv`` into the
sweep directory for the analysis, and hands the jobs to whichever launcher is
configured (joblib, submitit, ...). Hydra imports this module at every start-up,
so it imports nothing heavy at module level (and, loaded by Hydra outside the
normal import system, it must not postpone its annotations).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.plugins.sweeper import Sweeper
from omegaconf import DictConfig, OmegaConf

PROBLEM_FILE = "problem.json"
DESIGN_FILE = "design.csv"


@dataclass
class SalibSweeperConf:
    _target_: str = "hydra_plugins.servsim_salib_sweeper.salib_sweeper.SalibSweeper"
    method: str = "morris"  # morris (screening) or sobol (variance-based indices)
    samples: int = 10  # morris: trajectories; sobol: base sample N, a power of 2
    levels: int = 4  # morris: grid levels (even)
    design_seed: int = 0
    parameters: Dict[str, List[float]] = field(default_factory=dict)  # dotted key -> [low, high]
    select: Optional[List[str]] = None  # vary only these of `parameters` (None: all)

ConfigStore.instance().store(group="hydra/sweeper", name="salib", node=SalibSweeperConf, provider="servsim")


class SalibSweeper(Sweeper):
    def __init__(self, method: str, samples: int, levels: int, design_seed: int, parameters: Dict[str, List[float]],
                 select: Optional[List[str]] = None):
        unknown = sorted(set(select or ()) - set(parameters))
        if unknown:
            raise HydraException(f"hydra.sweeper.select names {unknown}, which have no range in hydra.sweeper.parameters")
        if select is not None:
            parameters = {name: parameters[name] for name in select}
        self.problem = {
            "method": method,
            "samples": samples,
            "levels": levels,
            "design_seed": design_seed,
            "names": list(parameters),
            "bounds": [[float(low), float(high)] for low, high in parameters.values()],
        }
        self.config: Optional[DictConfig] = None
        self.launcher = None
        self.hydra_context = None

    def setup(self, *, hydra_context, task_function, config: DictConfig) -> None:
        from hydra.core.plugins import Plugins

        self.hydra_context = hydra_context
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    def sweep(self, arguments: List[str]) -> Any:
        from experiments.sensitivity import design_matrix  # SALib and numpy: only when sweeping

        fixed = OverridesParser.create(config_loader=self.hydra_context.config_loader).parse_overrides(arguments)
        swept = [override.input_line for override in fixed if override.is_sweep_override()]
        if swept:
            raise HydraException(f"the salib sweeper draws its own design; remove the sweep override(s) {swept}")
        if not self.problem["names"]:
            raise HydraException("the salib sweeper needs hydra.sweeper.parameters: {key: [low, high], ...}")
        design = design_matrix(self.problem)
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        (sweep_dir / PROBLEM_FILE).write_text(json.dumps(self.problem, indent=2))
        header = "job," + ",".join(self.problem["names"])
        rows = [f"{job}," + ",".join(repr(float(v)) for v in row) for job, row in enumerate(design)]
        (sweep_dir / DESIGN_FILE).write_text("\n".join([header, *rows]) + "\n")

        batch = [
            [f"{name}={float(value)!r}" for name, value in zip(self.problem["names"], row)] + list(arguments)
            for row in design
        ]
        self.validate_batch_is_legal(batch)
        results = self.launcher.launch(batch, initial_job_idx=0)
        for result in results:
            _ = result.return_value  # re-raises a failed job's error
        return [results]
