"""Measuring from outside: wall time and peak memory of a fresh process, and line fits."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVSIM = Path(sys.executable).parent / "servsim"


@dataclass
class Measurement:
    wall_s: float
    cpu_s: float  # user + system: unlike wall time, barely moved by other work on the machine
    peak_rss_mib: float
    report: dict = field(default_factory=dict)


def measure_process(command: list[str], cwd: Path = ROOT) -> Measurement:
    """Run ``command`` to completion; its wall time, CPU time and own peak RSS (from wait4).

    stdout is kept (a child reports JSON there); stderr goes to a file shown
    only if the command fails.
    """
    with tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=errors, text=True)
        stdout = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
        if process.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{errors.read()[-3000:]}")
    report = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip().startswith("{") else {}
    return Measurement(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, report)


def measure_run(*overrides: str, phases: bool = False, desk: str = "fast") -> Measurement:
    """One simulation in a fresh process (``benchmarks.child``), outputs included.

    ``desk="simpy"``: the vectorised engine with the SimPy desk instead of the computed one.
    """
    command = [sys.executable, "-m", "benchmarks.child", "--desk", desk, *overrides]
    return measure_process(command + (["--phases"] if phases else []))


def measure_servsim(*arguments: str) -> Measurement:
    """The ``servsim`` command exactly as a user types it (outputs into a scratch folder)."""
    flags = [a for a in arguments if a.startswith("-")]
    overrides = [a for a in arguments if not a.startswith("-")]
    with tempfile.TemporaryDirectory() as scratch:
        folders = [f"hydra.run.dir={scratch}", f"hydra.sweep.dir={scratch}"]
        return measure_process([str(SERVSIM), *flags, *folders, *overrides])


def median_of(measurements: list[Measurement], key) -> float:
    return statistics.median(key(m) for m in measurements)


@dataclass
class LineFit:
    intercept: float
    slope: float
    r_squared: float


def fit_line(x: list[float], y: list[float]) -> LineFit:
    """Least-squares y = intercept + slope * x, with its R^2."""
    mean_x, mean_y = statistics.fmean(x), statistics.fmean(y)
    sxx = sum((a - mean_x) ** 2 for a in x)
    sxy = sum((a - mean_x) * (b - mean_y) for a, b in zip(x, y))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    residual = sum((b - intercept - slope * a) ** 2 for a, b in zip(x, y))
    total = sum((b - mean_y) ** 2 for b in y)
    return LineFit(intercept, slope, 1.0 - residual / total if total else 1.0)
