"""Run one configuration and write its outputs; the one path every front end uses."""

from __future__ import annotations

import gc
import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf
from tqdm import tqdm

from agents.events import EventTable
from agents.firm import SurpriseSchedule
from sim.metrics import summarise
from sim.model import ServiceModel
from sim.params import TRAITS, ServsimConfig
from sim.version import model_version

# Written last: a run directory without it did not finish.
SUMMARY_FILE = "summary.json"


def build_model(config: ServsimConfig) -> ServiceModel:
    """The model for ``config.engine``: both engines give identical runs."""
    if config.engine == "agent":
        from sim.agent_model import AgentServiceModel

        return AgentServiceModel(config)
    return ServiceModel(config)


@contextmanager
def rare_garbage_collection(allocations: int = 50_000):
    """Let the cycle collector run once per ``allocations`` new objects instead of 700.

    A large market keeps tens of thousands of SimPy events alive at the desk, and
    at the default threshold the collector re-scans them so often that it took 8%
    of a million-customer run. Cycles are still collected, only less often; the
    previous threshold is restored afterwards.
    """
    previous = gc.get_threshold()
    gc.set_threshold(allocations, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


class DayBar(tqdm):
    """tqdm's progress bar with a thread lock of its own.

    tqdm's default lock also takes a multiprocessing lock, for every bar, shown or not, and
    making one starts a second Python process (multiprocessing's resource tracker, since Mesa
    sets the spawn start method); a run's one bar in one process needs only a thread lock.
    """


DayBar.set_lock(threading.RLock())



def summaries(configs: list[ServsimConfig], n_jobs: int = -1) -> list[dict]:
    """Each configuration's summary, simulated in parallel worker processes, in the order given.

    The one loop over many independent runs that servsim's sweep API and the answers under a
    posterior share (a stacked-runs engine would replace it here).
    """
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs if len(configs) > 1 else 1)(delayed(_summary_of)(config) for config in configs)


def _summary_of(config: ServsimConfig) -> dict:
    return simulate(config)[1]

def simulate(config: ServsimConfig, show_progress: bool = False) -> tuple[pd.DataFrame, dict, ServiceModel]:
    """Run the model to the horizon; return (daily series, summary, model)."""
    model = build_model(config)
    # tqdm's delay keeps short runs quiet: the bar appears only after 2 seconds.
    with (
        rare_garbage_collection(),
        DayBar(total=config.days, unit="day", delay=2.0, disable=not show_progress, leave=False) as bar,
    ):
        model.run(progress=bar.update)
    timeseries = model.record.frame()
    model.event_table = model.run_context.events.table()
    return timeseries, summarise(model, model.event_table), model


PARQUET = {"index": False, "compression": "zstd"}
# Rows per row group of events.parquet: pyarrow's default, so the file is laid out as one written at once.
ROW_GROUP = 1024 * 1024


def _compact(table: pd.DataFrame) -> pd.DataFrame:
    """Single precision on disk for every float but the event time (a desk outcome's moment needs doubles)."""
    floats = [c for c in table.columns if table[c].dtype == np.float64 and c != "time"]
    return table.astype({c: np.float32 for c in floats} | {"customer": np.int32})


# The key under which summary.json and the Parquet files' metadata name the model that made them.
MODEL_VERSION_KEY = "model_version"


def _versioned(schema):
    """A Parquet schema whose metadata names the model version (read it with pyarrow's ``schema.metadata``)."""
    return schema.with_metadata({**(schema.metadata or {}), MODEL_VERSION_KEY.encode(): model_version().encode()})


def write_events(events: EventTable, path: Path) -> None:
    """events.parquet a row group at a time, each exactly as ``to_parquet`` would write it from the whole frame.

    Only one row group is ever a frame: the whole table as one would need several times the log's memory.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _versioned(pa.Schema.from_pandas(_compact(events.rows(at=np.arange(0))), preserve_index=False))
    with pq.ParquetWriter(path, schema, compression=PARQUET["compression"]) as writer:
        for start in range(0, max(len(events), 1), ROW_GROUP):
            group = events.rows(at=np.arange(start, min(start + ROW_GROUP, len(events))), single=True)
            writer.write_table(pa.Table.from_pandas(group, schema=schema, preserve_index=False))


# The customers table of the event log: who started with the firm, and each person's fixed traits.
CUSTOMER_COLUMNS = ("starting_customer", *(trait.key for trait in TRAITS))


def customers_table(model) -> pd.DataFrame:
    people = model.people
    table = pd.DataFrame({name: getattr(people, name) for name in CUSTOMER_COLUMNS})
    table.index.name = "customer"
    return table.reset_index()


def write_customers(table: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(_compact(table), preserve_index=False)
    pq.write_table(arrow.replace_schema_metadata(_versioned(arrow.schema).metadata), path, compression=PARQUET["compression"])


def _write_atomically(path: Path, write) -> None:
    """Write to a temporary name and rename: a file either is complete or is absent.

    If writing is interrupted (an error, or Ctrl-C), the temporary file is removed too.
    """
    tmp = path.with_name(path.name + ".part")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# Config keys that do not change a run's results (compare and replications add runs beside it).
RESULT_NEUTRAL_KEYS = ("output", "description", "compare", "replications")


class RunDirectoryConflict(RuntimeError):
    """A run directory already holds a finished run of a different configuration."""


def finished_summary(out_dir: Path, config: ServsimConfig) -> dict | None:
    """The summary of the run already finished in ``out_dir`` with this config, else None.

    Lets a re-launched sweep skip what it already did. A finished run of a different
    configuration, or made by another version of the model (``sim.version``), is a
    conflict to report, never something to reuse or overwrite silently.
    The ``output`` switches (figures, terminal summary, progress) and the description do
    not change results, so they are left out of the comparison.
    """
    summary_path = Path(out_dir) / SUMMARY_FILE
    if not summary_path.exists():
        return None
    # A key added to the schema since the run was made counts with its default (it changes nothing then).
    stored = OmegaConf.to_container(OmegaConf.merge(OmegaConf.structured(ServsimConfig), OmegaConf.load(Path(out_dir) / "config.yaml")))
    wanted = OmegaConf.to_container(OmegaConf.structured(config))
    for key in RESULT_NEUTRAL_KEYS:
        stored.pop(key, None)
        wanted.pop(key, None)
    if stored != wanted:
        raise RunDirectoryConflict(
            f"{out_dir} already holds a finished run of a different configuration; "
            "resume only with the command that started the sweep, or choose a new hydra.sweep.dir"
        )
    summary = json.loads(summary_path.read_text())
    made_by = summary.get(MODEL_VERSION_KEY)
    if made_by != model_version():  # its numbers would be mixed with another model's
        by = f"model {made_by}" if made_by else "a model too old to write its version"
        raise RunDirectoryConflict(
            f"{out_dir} already holds a finished run made by {by}, not by this model ({model_version()}); "
            "delete the sweep's folder to rerun it, or choose a new hydra.sweep.dir"
        )
    return summary


def write_outputs(out_dir: Path, config: ServsimConfig, timeseries: pd.DataFrame, summary: dict, scenario: str, model=None,
                  reference: pd.DataFrame | None = None, reference_label: str = "reference") -> None:
    """config.yaml, timeseries.csv, the event log, overview.png, then summary.json (the completion mark).

    The event log (``events.parquet`` and ``customers.parquet``) is written when
    ``model`` is given and ``output.events`` is not ``none``; ``reference`` (the reference
    run's daily series) is drawn in overview.png as a grey line.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(out_dir / "config.yaml", lambda p: p.write_text(OmegaConf.to_yaml(OmegaConf.structured(config))))
    _write_atomically(out_dir / "timeseries.csv", lambda p: timeseries.to_csv(p, index=False, float_format="%.6g"))
    if model is not None and config.output.events != "none":
        _write_atomically(out_dir / "events.parquet", lambda p: write_events(model.event_table, p))
        _write_atomically(out_dir / "customers.parquet", lambda p: write_customers(customers_table(model), p))
    if config.output.figures:
        from sim.figures import overview_figure, save  # matplotlib only when a figure is wanted

        title = f"servsim: {scenario} (promise {config.firm.promise:g}, quality {config.firm.quality:g}, seed {config.seed})"
        window = SurpriseSchedule(config.firm.surprise).window(config.days)
        fig = overview_figure(timeseries, summary, title, window, config.recovery.fast_days, reference, reference_label)
        _write_atomically(out_dir / "overview.png", lambda p: save(fig, p, smallest=False))  # speed over bytes: one per run
    stamped = {MODEL_VERSION_KEY: model_version(), **summary}
    _write_atomically(out_dir / SUMMARY_FILE, lambda p: p.write_text(json.dumps(stamped, indent=2)))
