"""Which model produced a number: the package's version and a fingerprint of the model's code.

Every output carries ``model_version()`` so that a stored result (a run folder, a
simulation bank, a posterior) can be refused when the model that made it has
changed. The fingerprint hashes the code that decides what a run computes
(``agents/``, the model frame and the parameter schema), so any change there,
even one meant to leave results alone, makes a new version: safe rather than silent.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_SOURCES = ("agents", "sim/model.py", "sim/agent_model.py", "sim/params.py", "sim/records.py")


def _source_files() -> list[Path]:
    files = []
    for name in MODEL_SOURCES:
        path = ROOT / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


@cache
def model_fingerprint() -> str:
    """Twelve hex digits of a hash over the model's source files, in a fixed order."""
    digest = hashlib.sha256()
    for path in _source_files():
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def model_version() -> str:
    """``<package version>+<fingerprint>``, e.g. ``0.1.0+3fa2c81be0d4``."""
    try:
        package = version("servsim")
    except PackageNotFoundError:  # running from a checkout that was never installed
        package = "0"
    return f"{package}+{model_fingerprint()}"
