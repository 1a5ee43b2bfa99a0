"""Import time per package of a ``servsim`` run, from Python's own ``-X importtime`` report.

Each module's self time (without the modules it imports) is added to its
top-level package, so a package's figure is what importing it costs wherever
it is first imported from (pandas, for one, comes in with mesa).
"""

from __future__ import annotations

import collections
import subprocess
import sys
import tempfile

from benchmarks.measure import ROOT

# Top-level packages reported on their own; the rest is summed by group.
GROUPS = {
    "numpy": ("numpy",),
    "pandas": ("pandas", "dateutil", "pytz"),
    "scipy": ("scipy",),
    "networkx (mesa.space)": ("networkx",),
    "mesa": ("mesa",),
    "hydra, omegaconf, yaml, antlr4": ("hydra", "omegaconf", "yaml", "antlr4"),
    "simpy": ("simpy",),
    "tqdm": ("tqdm",),
    "matplotlib (the figure)": ("matplotlib", "PIL", "kiwisolver", "pyparsing", "cycler", "contourpy", "fontTools"),
    "servsim (sim, agents, experiments)": ("sim", "agents", "experiments", "hydra_plugins"),
}
OTHER = "Python's standard library and the rest"

PROBE = """
import sys
from sim.cli import main
sys.argv = ["servsim", *sys.argv[1:]]
main()
"""


def import_times(*overrides: str) -> dict[str, float]:
    """Seconds of import per package group for one ``servsim`` run with ``overrides``, in a fresh process."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-X", "importtime", "-c", PROBE, f"hydra.run.dir={scratch}", *overrides]
        report = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stderr
    by_package = collections.Counter()
    for line in report.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line[len("import time:") :].split("|")
        by_package[name.strip().split(".")[0]] += int(self_us) / 1e6
    owner = {package: group for group, packages in GROUPS.items() for package in packages}
    grouped = collections.Counter()
    for package, seconds in by_package.items():
        grouped[owner.get(package, OTHER)] += seconds
    grouped["total"] = sum(by_package.values())
    return dict(grouped)
