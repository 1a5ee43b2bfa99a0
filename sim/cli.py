"""``servsim``: run a scenario from the command line (Hydra).

    servsim                                       the baseline
    servsim scenario=surprise_regress firm.promise=8 seed=3
    servsim -m scenario=baseline,overpromise seed=range(0,5)   a sweep
    servsim -m experiment=promise_level           a replicated experiment (configs/experiment/)
    servsim lesson=trap                           a classroom lesson (configs/lesson/)
    servsim --help                                every key with default, range and meaning

In a sweep (-m), a run whose directory already holds its summary.json with the
same configuration is skipped, so launching an interrupted sweep again resumes it.

Any mistake in the input (a key that is not a parameter, a value of the wrong type
or out of range, an output folder that cannot be written, a market too large for
the memory) is reported in one line on stderr naming the key, the value and what
is allowed, with exit status 2, before any simulation starts. Ctrl-C stops a run
or a sweep with one line and exit status 130; an interrupted run's folder has no
summary.json (the completion mark) and no partly written file, and a sweep's
finished runs are kept.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

# The imports below make some hundreds of thousands of objects (modules, classes, functions) that
# live as long as the process; the cycle collector would scan them again and again, while they are
# made and afterwards (about 0.15 s of CPU in a run). It is paused while they are imported, and
# they are then set aside for good (gc.freeze: no later collection looks at them).
_collecting = gc.isenabled()
gc.disable()
try:
    # Mesa first (the model's base class, sim.model): importing it names Mesa's loggers by reading the
    # whole call stack with inspect, which costs in proportion to the stack's depth times the modules
    # already loaded; first, that is about 30 ms, beneath Hydra and sim.run's imports 90 ms.
    import mesa  # noqa: F401
    import hydra
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import DictConfig

    from sim.config import CONFIG_DIR, check_memory, check_overrides, compose_hydra, presets
    from sim.objective import objective_names, objective_values
    from sim.params import ConfigError, describe_parameters, notes, register_configs, validate
    from sim.run import (SUMMARY_FILE, RunDirectoryConflict, finished_summary, rare_garbage_collection, simulate,
                         write_outputs)
finally:
    gc.freeze()
    if _collecting:
        gc.enable()

# While servsim runs Hydra: exceptions reach servsim's one-line reports; and after Ctrl-C in a
# parallel sweep, multiprocessing's resource tracker (a process of its own, hence the environment)
# does not warn about the workers' semaphores, which it then cleans up as it says.
QUIET_ENVIRONMENT = {
    "HYDRA_FULL_ERROR": "1",
    "PYTHONWARNINGS": "ignore:resource_tracker:UserWarning",
}
# Overrides naming a folder the run or sweep writes into: checked before Hydra creates them.
OUTPUT_FOLDERS = ("hydra.run.dir", "hydra.sweep.dir")


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def run_job(cfg: DictConfig) -> float | list[float]:
    """One run (Hydra's job): validate, resume or simulate, write the outputs; return the objective
    (what an optimising sweeper such as Optuna reads)."""
    config = validate(cfg)
    objective_names(config.objective)
    hydra_cfg = HydraConfig.get()
    choices = hydra_cfg.runtime.choices
    reference = None
    if hydra_cfg.mode == RunMode.MULTIRUN:  # a sweep pairs its own runs (experiments/)
        check_memory(config)
    else:
        from sim.compare import reference_of, runs_at_once

        reference = reference_of(config, choices.get("lesson")) if config.compare else None
        check_memory(config, runs_at_once(config, reference))
    scenario = choices.get("lesson") or choices.get("scenario", "custom")  # a lesson names the run it sets up
    out_dir = Path(hydra_cfg.runtime.output_dir)
    if hydra_cfg.mode == RunMode.MULTIRUN:
        if config.replications > 1:
            raise ConfigError(
                f"replications = {config.replications} is not allowed in a sweep (-m): sweep the seed instead "
                f"(seed=range({config.seed},{config.seed + config.replications}))"
            )
        # A sweep launched again into the same directory resumes: finished runs are kept.
        finished = finished_summary(out_dir, config)
        if finished is not None:
            print(f"servsim: run {hydra_cfg.job.num} already finished in {out_dir}, skipped")
            return objective_values(finished, config.objective)
    else:
        for note in notes(config):
            print(f"servsim: note: {note}", file=sys.stderr)
    comparison = None
    try:
        timeseries, summary, model = simulate(config, show_progress=config.output.progress)
        pairs = None
        if hydra_cfg.mode != RunMode.MULTIRUN:
            pairs, comparison = compare_with_reference(config, reference, out_dir, (timeseries, summary))
        first_reference = pairs[0].reference if pairs else None
        write_outputs(out_dir, config, timeseries, summary, scenario, model,
                      reference=first_reference[0] if first_reference else None,
                      reference_label=reference.label if reference else "reference")
    except KeyboardInterrupt:
        if hydra_cfg.mode == RunMode.MULTIRUN:
            raise  # the launching process says it once for the whole sweep
        print(f"servsim: interrupted; the run in {out_dir} is unfinished (it has no {SUMMARY_FILE})", file=sys.stderr)
        sys.exit(130)
    if config.output.summary:
        from sim.narrative import plain_summary

        print(plain_summary(summary, config, scenario, out_dir, model.event_table, comparison))
    return objective_values(summary, config.objective)


def compare_with_reference(config, reference, out_dir, first):
    """The reference run and the replications (``compare``, ``replications``): files written, terminal lines."""
    from sim.compare import comparison_lines, run_pairs, write_comparison

    if reference is None and config.replications == 1:
        return None, None
    pairs = run_pairs(config, reference, first)
    means = write_comparison(out_dir, config, reference, pairs)
    return pairs, comparison_lines(means, reference, [pair.seed for pair in pairs])


def help_text() -> str:
    """``servsim --help``: usage, the presets and every parameter, generated from the schema and configs/."""
    lines = [
        "usage: servsim [-m] [KEY=VALUE ...]",
        "",
        "Simulate a firm's promises, its customers' expectations, complaints, recovery and loyalty.",
        "One run writes summary.json, timeseries.csv, overview.png and config.yaml into",
        "results/runs/<scenario>/<time>/; -m runs a sweep (comma lists, range(a,b), experiments).",
        "",
        "  servsim scenario=surprise_regress firm.promise=8 seed=3",
        "  servsim -m experiment=promise_level",
        "  servsim hydra.run.dir=my_run           choose the output folder",
        "  servsim --cfg job                      print the composed configuration, run nothing",
        "  servsim --hydra-help                   Hydra's own options (launchers, sweeps, logging)",
    ]
    for group, how in (("scenario", "scenario=NAME"), ("lesson", "lesson=NAME"), ("experiment", "-m experiment=NAME")):
        found = presets(group)
        width = max(map(len, found)) + 2
        lines += ["", f"{group}s ({how}):"] + [f"  {name:<{width}}{text}" for name, text in found.items()]
    rows = [(key, _shown_default(default), allowed, doc) for key, default, allowed, doc in describe_parameters()]
    key_width, default_width = (max(len(row[i]) for row in rows) + 2 for i in (0, 1))
    lines += ["", "parameters (KEY=VALUE): key, default, allowed values, meaning (with its unit)"]
    for key, default, allowed, doc in rows:
        lines.append(f"  {key:<{key_width}}{default:<{default_width}}{allowed}")
        lines.append(f"  {'':<{key_width}}{doc}")
    return "\n".join(lines)


def _shown_default(default) -> str:
    if isinstance(default, bool):
        return "true" if default else "false"
    return repr(default) if isinstance(default, str) else f"{default:g}"


def check_output_folders(overrides: list[str]) -> None:
    """A run or sweep folder given on the command line must be a folder this process can create and write."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for override in OverridesParser.create().parse_overrides(overrides):
        if override.key_or_group not in OUTPUT_FOLDERS or override.is_sweep_override():
            continue
        value = str(override.value())
        if "${" in value:
            continue
        existing = Path(value).absolute()
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            raise ConfigError(f"{override.key_or_group} = {value!r} is not allowed: {existing} is a file, not a folder")
        try:  # the real test (os.access does not know about read-only mounts or /proc)
            os.rmdir(tempfile.mkdtemp(dir=existing))
        except OSError as error:
            raise ConfigError(
                f"{override.key_or_group} = {value!r} is not allowed: cannot create a folder in {existing} "
                f"({error.strerror}); expected a writable folder"
            ) from None


class _WithoutHydraJobErrors:
    """stderr without the line Hydra writes itself before re-raising a failed job (the error gets ours)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        if text.startswith("Error executing job with overrides:"):
            return len(text)
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextmanager
def errors_reach_us():
    """Let exceptions pass through Hydra (which otherwise prints them over many lines and exits 1).

    A user who set HYDRA_FULL_ERROR keeps Hydra's full report instead.
    """
    if os.environ.get("HYDRA_FULL_ERROR"):
        yield False
        return
    saved = {name: os.environ.get(name) for name in QUIET_ENVIRONMENT}
    os.environ.update({name: ",".join(filter(None, (saved[name], value))) for name, value in QUIET_ENVIRONMENT.items()})
    stderr, sys.stderr = sys.stderr, _WithoutHydraJobErrors(sys.stderr)
    try:
        yield True
    finally:
        sys.stderr = stderr
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def fail(message: str, status: int = 2) -> NoReturn:
    print(f"servsim: {message}", file=sys.stderr)
    sys.exit(status)


def main() -> None:
    """The ``servsim`` command: check the input, then hand it to Hydra; every failure ends in one line."""
    from hydra._internal.utils import get_args_parser
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    argv = sys.argv[1:]
    if "--help" in argv or "-h" in argv:
        print(help_text())
        return
    overrides = get_args_parser().parse_known_args(argv)[0].overrides
    multirun = "-m" in argv or "--multirun" in argv
    try:
        check_overrides(overrides)
        check_output_folders(overrides)
    except ConfigError as error:
        fail(f"invalid configuration: {error}")
    register_configs()
    previous_sweep = _sweep_record(overrides) if multirun else None
    with rare_garbage_collection(), errors_reach_us() as ours:  # Hydra, the run and its outputs collect rarely
        if not ours:
            run_job()
            return
        try:
            run_job()
        except ConfigError as error:
            fail(f"invalid configuration: {error}")
        except RunDirectoryConflict as error:
            _restore(previous_sweep)
            fail(str(error))
        except KeyboardInterrupt:
            if previous_sweep:
                _discard_partial_files(previous_sweep[0].parent)
            kept = f"; finished runs are kept in {previous_sweep[0].parent} (launch the same command again to resume)"
            fail(f"interrupted{kept if previous_sweep else ''}", 130)
        except OSError as error:
            fail(f"cannot write {error.filename or 'the output'}: {error.strerror or error}")
        except (HydraException, OmegaConfBaseException) as error:
            fail(f"invalid configuration: {str(error).strip().splitlines()[0]}")


def _discard_partial_files(sweep_dir: Path) -> None:
    """Remove what a worker stopped in mid-write left (``*.part``): a parallel worker killed by the
    interrupt never reaches the clean-up its own writes would do, and the event log takes long enough
    to write that it is often caught in the middle."""
    for partial in sweep_dir.glob("*/*.part"):
        partial.unlink(missing_ok=True)


def _sweep_record(overrides: list[str]) -> tuple[Path, bytes | None] | None:
    """The sweep's multirun.yaml and what it held before this launch (Hydra rewrites it at launch)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    fixed = [o.input_line for o in OverridesParser.create().parse_overrides(overrides) if not o.is_sweep_override()]
    try:
        cfg = compose_hydra(fixed, with_hydra=True)
        path = Path(cfg.hydra.sweep.dir) / "multirun.yaml"
    except Exception:  # noqa: BLE001 - a config Hydra cannot compose is reported by Hydra's own run
        return None
    return path, (path.read_bytes() if path.is_file() else None)


def _restore(record: tuple[Path, bytes | None] | None) -> None:
    """A refused relaunch leaves the sweep's multirun.yaml as the sweep that made its runs wrote it."""
    if record is not None and record[1] is not None:
        record[0].write_bytes(record[1])


if __name__ == "__main__":
    main()
