"""A sweep gives the same results whichever Hydra launcher ran it: seeds come from the config."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from sim.config import CONFIG_DIR, compose_hydra

SWEEP = (
    "seed=0,1",
    "firm.promise=6.5,8",
    "market.customers=300",
    "days=60",
    "output.figures=false",
    "output.summary=false",
    "output.progress=false",
)
LAUNCHERS = {
    "joblib": ("hydra_plugins.hydra_joblib_launcher", ("hydra/launcher=joblib", "hydra.launcher.n_jobs=2")),
    "submitit_local": ("hydra_plugins.hydra_submitit_launcher", ("hydra/launcher=submitit_local",)),
    # a private Ray on this machine (configs/hydra/launcher/ray_local.yaml), as docs/experiments.md says to run it
    "ray": ("hydra_plugins.hydra_ray_launcher", ("hydra/launcher=ray_local",)),
}
# Ray reports usage statistics to its makers unless told not to: these tests talk to nothing off this machine.
QUIET_RAY = {"RAY_USAGE_STATS_ENABLED": "0"}


def require_launcher(plugin: str, name: str) -> None:
    """Skip when a launcher is not installed, except in CI, whose set-up (make test) installs them all."""
    if os.environ.get("CI"):
        importlib.import_module(plugin)  # a launcher missing in CI is a broken set-up, not a skip
    else:
        pytest.importorskip(plugin, reason=f"the {name} launcher is not installed (pip install -e '.[dev,ray]')")


def sweep(sweep_dir: Path, *launcher: str) -> dict:
    """Run the sweep; each run's outputs (summary and daily series), keyed by its overrides."""
    command = [sys.executable, "-m", "sim.cli", "-m", f"hydra.sweep.dir={sweep_dir}", *launcher, *SWEEP]
    env = dict(os.environ, PYTHONPATH=str(Path(CONFIG_DIR).parent), **QUIET_RAY)
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=sweep_dir.parent, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    runs = {}
    for overrides_file in sweep_dir.glob("*/.hydra/overrides.yaml"):
        run_dir = overrides_file.parent.parent
        overrides = tuple(sorted(OmegaConf.load(overrides_file)))
        runs[overrides] = ((run_dir / "summary.json").read_text(), (run_dir / "timeseries.csv").read_text())
    return runs


@pytest.fixture(scope="module")
def basic_runs(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("basic") / "sweep", "hydra/launcher=basic")


@pytest.mark.parametrize("name", LAUNCHERS)
def test_a_sweep_gives_identical_results_whichever_launcher_ran_it(name, basic_runs, tmp_path):
    plugin, launcher = LAUNCHERS[name]
    require_launcher(plugin, name)
    runs = sweep(tmp_path / "sweep", *launcher)
    assert len(basic_runs) == 4 and len({summary for summary, _ in basic_runs.values()}) == 4
    assert runs == basic_runs


@pytest.mark.parametrize(
    "launcher,plugin,target",
    [
        ("slurm", "hydra_plugins.hydra_submitit_launcher", "SlurmLauncher"),
        ("ray_cluster", "hydra_plugins.hydra_ray_launcher", "RayLauncher"),
        ("ray_local", "hydra_plugins.hydra_ray_launcher", "RayLauncher"),
    ],
)
def test_cluster_launcher_configs_compose(launcher, plugin, target):
    """Without a cluster here, check at least that each config names its launcher and settings."""
    require_launcher(plugin, launcher)
    cfg = compose_hydra([f"hydra/launcher={launcher}"], with_hydra=True)
    assert cfg.hydra.launcher._target_.endswith(target)
    if launcher == "slurm":
        assert cfg.hydra.launcher.cpus_per_task == 1 and cfg.hydra.launcher.timeout_min > 0
    elif launcher == "ray_cluster":
        assert cfg.hydra.launcher.ray.init.address == "auto" and cfg.hydra.launcher.ray.remote.num_cpus == 1
    else:
        assert cfg.hydra.launcher.ray.init.address is None and cfg.hydra.launcher.ray.init._node_ip_address == "127.0.0.1"


def test_a_sweep_runs_in_parallel_unless_told_otherwise():
    plain = compose_hydra(with_hydra=True)
    basic = compose_hydra(["hydra/launcher=basic"], with_hydra=True)
    assert plain.hydra.launcher._target_.endswith("JoblibLauncher") and plain.hydra.launcher.n_jobs == -1
    assert basic.hydra.launcher._target_.endswith("BasicLauncher")


def test_the_docs_give_the_ray_command_this_test_runs():
    page = (Path(CONFIG_DIR).parent / "docs" / "experiments.md").read_text()
    environment = " ".join(f"{key}={value}" for key, value in QUIET_RAY.items())
    assert f"{environment} servsim -m experiment=promise_level {' '.join(LAUNCHERS['ray'][1])}" in page
