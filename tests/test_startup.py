"""Start-up on demand: a run imports the heavy packages it uses, and none it does not."""

import subprocess
import sys
from pathlib import Path

import pytest

# Packages that cost a start-up a tenth of a second or more and that only some commands use.
HEAVY = ("matplotlib", "matplotlib.pyplot", "SALib", "solara", "mesa.visualization", "ray", "numba", "submitit")

PROBE = """
import sys
from sim.cli import main
sys.argv = ["servsim", *sys.argv[1:]]
try:
    main()
finally:
    print("LOADED", *sorted(name for name in {heavy!r} if name in sys.modules))
"""


def loaded_by(tmp_path: Path, *arguments: str) -> set[str]:
    """The heavy packages a ``servsim`` command with these arguments imported."""
    flags = [a for a in arguments if a.startswith("-")]
    overrides = [a for a in arguments if not a.startswith("-")]
    folders = (f"hydra.run.dir={tmp_path / 'run'}", f"hydra.sweep.dir={tmp_path / 'sweep'}")
    command = [sys.executable, "-c", PROBE.format(heavy=HEAVY), *flags, *folders, "output.progress=false", *overrides]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("LOADED"))
    return set(line.split()[1:])


SMALL = ("market.customers=300", "days=20", "output.summary=false")


@pytest.mark.parametrize(
    "overrides,expected",
    [
        (("output.figures=false",), set()),
        (("output.figures=true",), {"matplotlib"}),  # the overview is drawn on a bare Figure, without pyplot
        # a sweep's report draws a figure per swept key with pyplot; the Ray, submitit and SALib plugins stay unloaded
        (("-m", "firm.promise=6,7", "hydra/launcher=basic", "output.figures=false"), {"matplotlib", "matplotlib.pyplot"}),
    ],
    ids=["run", "run with figure", "sweep"],
)
def test_a_command_imports_only_what_it_uses(tmp_path, overrides, expected):
    assert loaded_by(tmp_path, *SMALL, *overrides) == expected


RUN_PROBE = """
import gc
import sys
from multiprocessing import resource_tracker

import sim.cli

print("COLLECTING", gc.isenabled())
sys.argv = ["servsim", *sys.argv[1:]]
sim.cli.main()
print("TRACKER", resource_tracker._resource_tracker._pid)
"""


def test_a_run_leaves_the_collector_on_and_starts_no_second_process(tmp_path):
    """Importing the command pauses the cycle collector only while it imports, and a run's progress
    bar (tqdm) does not start multiprocessing's resource tracker, a second Python process."""
    command = [sys.executable, "-c", RUN_PROBE, f"hydra.run.dir={tmp_path / 'run'}", *SMALL, "output.figures=false"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "COLLECTING True" in result.stdout
    assert "TRACKER None" in result.stdout
