"""``python -m benchmarks.float_identity``: can a compiled kernel give the numpy engine's results bit for bit?

Issue 13 asks for a fused, compiled visitor pass with results identical to the
numpy engine's. The rules use ``np.exp`` and ``np.power``; compiled code (numba,
C) calls the C library's ``exp`` and ``pow``. On a processor with AVX-512,
numpy computes both with its own vectorised routines instead, which round
differently from the C library in the last bit for a few per cent of inputs.
This script measures, on this machine:

1. how often numpy's ``exp``, ``power`` and ``log`` differ from the C library's
   (Python's ``math`` module calls the C library, as compiled code does);
2. what that does to a whole run: the default run once as usual and once with
   numpy's AVX-512 routines switched off (``NPY_DISABLE_CPU_FEATURES``, so numpy
   falls back to the C library, as a compiled kernel would), compared field by
   field: integers (every count, hence every decision) and floats (largest
   relative difference).

Nothing here is part of ``make bench``; it takes about ten seconds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ARGUMENTS = ("output.figures=false", "output.summary=false", "output.events=none")


def libm_disagreement(size: int = 1_000_000) -> dict[str, float]:
    """Share of inputs on which numpy's function and the C library's differ (any bit)."""
    x = np.random.default_rng(0).normal(0.0, 5.0, size)
    positive = np.abs(x) + 1e-9
    pairs = {
        "exp": (np.exp(x), [math.exp(v) for v in x]),
        "power(x, 0.88)": (np.power(positive, 0.88), [math.pow(v, 0.88) for v in positive]),
        "log": (np.log(positive), [math.log(v) for v in positive]),
    }
    return {name: float(np.mean(ours != np.array(theirs))) for name, (ours, theirs) in pairs.items()}


def avx512_features() -> list[str]:
    """numpy's dispatch targets that use AVX-512 on this machine (empty without it)."""
    from numpy._core import _multiarray_umath as umath

    return [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name) and ("512" in name or name == "X86_V4")]


def run_summary(out_dir: Path, overrides: list[str], environment: dict) -> dict:
    command = [sys.executable, "-m", "sim.cli", *ARGUMENTS, *overrides, f"hydra.run.dir={out_dir}"]
    subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.loads((out_dir / "summary.json").read_text())


def leaves(tree, path=""):
    """(path, value) of every number in a nested summary."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from leaves(value, f"{path}[{index}]")
    elif isinstance(tree, (int, float)) and not isinstance(tree, bool):
        yield path, tree


def compare(usual: dict, fallback: dict) -> tuple[int, int, int, int, float]:
    """(integers, integers differing, floats, floats differing, largest relative float difference)."""
    other = dict(leaves(fallback))
    integers = differing_integers = floats = differing_floats = 0
    largest = 0.0
    for path, value in leaves(usual):
        theirs = other[path]
        if isinstance(value, int):
            integers += 1
            differing_integers += value != theirs
        elif not (math.isnan(value) and math.isnan(theirs)):
            floats += 1
            if value != theirs:
                differing_floats += 1
                largest = max(largest, abs(value - theirs) / max(abs(value), abs(theirs)))
    return integers, differing_integers, floats, differing_floats, largest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="configuration overrides for the compared runs, e.g. seed=3")
    args = parser.parse_args()
    print("Share of inputs on which numpy and the C library round differently:")
    for name, share in libm_disagreement().items():
        print(f"  {name:16s} {share:6.1%}")
    features = avx512_features()
    if not features:
        print("No AVX-512 here: numpy already calls the C library, and a compiled kernel could match it.")
        return
    with tempfile.TemporaryDirectory() as tmp:
        usual = run_summary(Path(tmp) / "usual", args.overrides, dict(os.environ))
        fallback_env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(features))
        fallback = run_summary(Path(tmp) / "fallback", args.overrides, fallback_env)
    integers, differing_integers, floats, differing_floats, largest = compare(usual, fallback)
    run = " ".join(args.overrides) or "the default run"
    print(f"{run}, numpy's AVX-512 routines ({', '.join(features)}) on and off, summary.json compared:")
    print(f"  integers (counts, hence decisions): {differing_integers} of {integers} differ")
    print(f"  floats: {differing_floats} of {floats} differ, largest relative difference {largest:.1e}")


if __name__ == "__main__":
    main()
