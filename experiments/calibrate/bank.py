"""The simulation bank: parameter sets from the prior at a firm's settings, each run reduced to its summary.

A bank is a folder of Parquet chunks (``chunk-00000.parquet``, ...) and ``bank.json``
(what it simulates). Row ``i`` of a bank is fixed by the bank's seed and ``i`` alone
(its parameter draw and its run's seed), so a bank interrupted and started again
computes exactly the rows it lacks and nothing twice, and a chunk is written (under a
temporary name, then renamed) only when all its runs have finished. Every chunk names
the model version that made it in its metadata; a bank of another model version is
never mixed in: a new version gets a new folder.

The per-run loop sits behind ``simulate_summaries`` alone, so that a faster path (many
parameter sets stacked in one run) can replace it without touching the rest.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.calibrate.priors import Prior, draw, priors
from sim.params import flatten
from sim.version import model_version

MANIFEST = "bank.json"
VERSION_KEY = b"servsim_model_version"
# Settings that never change a bank's numbers: no figures, bars, comparison runs or event files.
QUIET = {"output.progress": False, "output.figures": False, "output.summary": False, "output.events": "none", "compare": False, "replications": 1}


class BankError(ValueError):
    """A folder that is not a bank, or a bank of another model version or other settings."""


@dataclass(frozen=True)
class BankSpec:
    """What a bank simulates: the firm's own settings, the size and period simulated, the prior, the seed."""

    settings: dict = field(default_factory=dict)
    customers: int = 2_000
    days: int = 730
    seed: int = 0
    priors: tuple = field(default_factory=lambda: tuple(priors()))

    def identity(self) -> str:
        """Twelve hex digits naming the bank's contents (model version included)."""
        text = json.dumps({**self.to_json(), "model_version": model_version()}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def to_json(self) -> dict:
        return {"settings": dict(sorted(self.settings.items())), "customers": self.customers, "days": self.days,
                "seed": self.seed, "priors": [asdict(p) for p in self.priors]}

    @classmethod
    def from_json(cls, data: dict) -> "BankSpec":
        return cls(data["settings"], data["customers"], data["days"], data["seed"], tuple(Prior(**p) for p in data["priors"]))

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.priors]

    def parameters(self, rows: np.ndarray) -> np.ndarray:
        """The parameter sets of ``rows``: row i's draw depends on the seed and i only."""
        return np.vstack([draw(list(self.priors), np.random.default_rng([self.seed, int(i)]), 1) for i in rows])

    def run_seed(self, row: int) -> int:
        return self.seed * 1_000_003 + int(row)


def overrides(spec: BankSpec, theta: np.ndarray, seed: int) -> dict:
    """The config overrides of one bank run."""
    return {**spec.settings, "market.customers": spec.customers, "days": spec.days,
            **dict(zip(spec.keys, map(float, theta))), "seed": seed, **QUIET}


def numeric_summary(summary: dict) -> dict:
    """summary.json flattened to dotted keys, numbers only (a group too small to tell is NaN)."""
    flat = flatten(summary)
    return {k: (math.nan if v is None else float(v)) for k, v in flat.items() if v is None or isinstance(v, (int, float))}


def run_summary(run_overrides: dict) -> dict:
    """One bank run's numeric summary."""
    from sim.config import compose
    from sim.run import simulate

    return numeric_summary(simulate(compose(run_overrides))[1])


def simulate_summaries(runs: list[dict], parallel) -> list[dict]:
    """Each run's numeric summary, in parallel (the one loop a stacked-runs engine will replace)."""
    from joblib import delayed

    return parallel(delayed(run_summary)(o) for o in runs)


def _write_chunk(path: Path, frame: pd.DataFrame) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), VERSION_KEY: model_version().encode()})
    tmp = path.with_name(path.name + ".part")
    try:
        pq.write_table(table, tmp, compression="zstd")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def chunk_path(folder: Path, index: int) -> Path:
    return folder / f"chunk-{index:05d}.parquet"


def bank_folder(root: Path, spec: BankSpec) -> Path:
    return Path(root) / spec.identity()


def build(spec: BankSpec, size: int, root: Path, *, chunk: int = 40, n_jobs: int = -1, progress: bool = True) -> Path:
    """Simulate the rows ``0..size-1`` of the bank that are not on disk yet; return its folder.

    Chunks already written are kept (an interrupted bank resumes); a folder holding a bank
    of other settings or another model version is refused, never overwritten.
    """
    from joblib import Parallel
    from tqdm import tqdm

    folder = bank_folder(root, spec)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / MANIFEST
    wanted = {**spec.to_json(), "model_version": model_version()}
    if manifest.exists():
        stored = json.loads(manifest.read_text())
        chunk = stored.pop("chunk")  # a bank resumes in the chunks it was started with
        if stored.get("model_version") != model_version():
            raise BankError(f"{folder} holds a bank of model version {stored.get('model_version')}, not {model_version()}: "
                            "choose another bank folder")
        if stored != wanted:
            raise BankError(f"{folder} holds a bank of other settings: choose another bank folder")
    else:
        manifest.write_text(json.dumps({**wanted, "chunk": chunk}, indent=2))
    chunks = range(math.ceil(size / chunk))
    todo = [k for k in chunks if not chunk_path(folder, k).exists()]
    done_rows = sum(min(chunk, size - k * chunk) for k in chunks if k not in todo)
    with Parallel(n_jobs=n_jobs) as parallel, tqdm(total=size, initial=done_rows, unit="run", disable=not progress,
                                                    desc="bank") as bar:
        for k in todo:
            rows = np.arange(k * chunk, min((k + 1) * chunk, size))
            thetas = spec.parameters(rows)
            seeds = [spec.run_seed(r) for r in rows]
            summaries = simulate_summaries([overrides(spec, t, s) for t, s in zip(thetas, seeds)], parallel)
            frame = pd.concat([pd.DataFrame({"row": rows, "seed": seeds}), pd.DataFrame(thetas, columns=spec.keys),
                               pd.DataFrame(summaries)], axis=1)
            _write_chunk(chunk_path(folder, k), frame)
            bar.update(len(rows))
    return folder


def spec_of(folder: Path) -> BankSpec:
    """What the bank in ``folder`` simulates, from its manifest."""
    return BankSpec.from_json(json.loads((Path(folder) / MANIFEST).read_text()))


def load(folder: Path) -> tuple[BankSpec, pd.DataFrame]:
    """(what the bank simulates, its rows) of a bank folder, refused if not a bank of this model version."""
    folder = Path(folder)
    manifest = folder / MANIFEST
    files = sorted(folder.glob("chunk-*.parquet")) if folder.is_dir() else []
    if not manifest.exists() or not files:
        raise BankError(f"{folder} is not a simulation bank: a bank folder holds {MANIFEST} and chunk-*.parquet files "
                        "(made by servsim-calibrate); give bank= a folder it made, or leave bank= out to build one")
    stored = json.loads(manifest.read_text())
    if stored.get("model_version") != model_version():
        raise BankError(f"the bank in {folder} was made by model version {stored.get('model_version')}, not this one "
                        f"({model_version()}): its runs no longer describe the model; leave bank= out to build a new bank")
    frames = []
    for path in files:
        version = (pq.read_schema(path).metadata or {}).get(VERSION_KEY, b"").decode()
        if version != model_version():
            raise BankError(f"{path} was made by model version {version or 'unknown'}, not {model_version()}")
        frames.append(pd.read_parquet(path))
    return BankSpec.from_json(stored), pd.concat(frames, ignore_index=True)
