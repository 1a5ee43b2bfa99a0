"""``servsim``: run a scenario from the command line (Hydra).

    servsim                                       the baseline
    servsim scenario=surprise_regress firm.promise=8 seed=3
    servsim -m scenario=baseline,overpromise seed=range(0,5)   a sweep
    servsim -m experiment=promise_level           a replicated experiment (configs/experiment/)
    servsim lesson=trap                           a classroom lesson (configs/lesson/)
    servsim --help                                every key with default, range and meaning

In a sweep (-m), a run whose directory already holds its summary.json with the
same configuration is skipped, so launching an interrupted sweep again resumes it:
a sweep without its own folder (hydra.sweep.dir or an experiment's) goes to one
named from its overrides, results/multirun/<overrides>-<hash>, which the same
command finds again. ``--terse`` (output.terse=true) prints the summary in
researchers' shorthand.

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
    from omegaconf import DictConfig, OmegaConf

    from sim.config import (CONFIG_DIR, check_memory, check_overrides, compose_hydra, presets, shorten,
                            shorten_words)
    from sim.objective import objective_names, objective_values
    from sim.params import PRESETS, ConfigError, describe_parameters, notes, register_configs, validate
    from sim.run import SUMMARY_FILE, RunDirectoryConflict, finished_summary, rare_garbage_collection
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
        leave_interrupts_to_the_sweep()
        from sim.posterior import refuse_in_sweep

        refuse_in_sweep(config.posterior)  # set by an experiment's file
        check_memory(config)
    else:
        from sim.compare import reference_of, runs_at_once

        reference = reference_of(config, choices.get("lesson")) if config.compare else None
        at_once = runs_at_once(config, reference)
        if config.posterior:
            from sim import posterior

            posterior.check(config, reference)
            at_once = max(at_once, posterior.runs_at_once(config))
        check_memory(config, at_once)
    scenario = choices.get("lesson") or choices.get("scenario", "custom")  # a lesson names the run it sets up
    out_dir = Path(hydra_cfg.runtime.output_dir)
    if hydra_cfg.mode == RunMode.MULTIRUN:
        refuse_replications(config.replications, config.seed)  # set by a sweeper's own parameters
        # A sweep launched again into the same directory resumes: finished runs are kept.
        finished = finished_summary(out_dir, config)
        if finished is not None:
            print(f"servsim: run {hydra_cfg.job.num} already finished in {out_dir}, skipped")
            return objective_values(finished, config.objective)
    else:
        for note in notes(config):
            print(f"servsim: note: {note}", file=sys.stderr)
    try:
        from sim.compare import run_and_write

        outcome = run_and_write(config, reference, out_dir, scenario)
    except KeyboardInterrupt:
        if hydra_cfg.mode == RunMode.MULTIRUN:
            raise  # the launching process says it once for the whole sweep
        print(f"servsim: interrupted; the run in {out_dir} is unfinished (it has no {SUMMARY_FILE})", file=sys.stderr)
        sys.exit(130)
    if config.output.summary:
        from sim.narrative import plain_summary

        chosen = {group: choices.get(group) for group in PRESETS}
        print(plain_summary(outcome, config, chosen, out_dir, reference, typed_settings(hydra_cfg)))
    return objective_values(outcome.summary, config.objective)


def leave_interrupts_to_the_sweep() -> None:
    """In a parallel sweep's worker process, Ctrl-C is the launching process's to handle.

    A terminal sends Ctrl-C to every process of the sweep. The launching process stops the
    sweep, ends its workers and removes what they left half-written; a worker that raised the
    interrupt too could print a traceback of its own (the worker pool's loop does not catch it
    everywhere), which the user would read as a crash.
    """
    import multiprocessing
    import signal

    if multiprocessing.parent_process() is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def typed_settings(hydra_cfg) -> dict[str, str]:
    """The settings the user typed (``key -> value`` as typed), presets and Hydra's own keys left out."""
    typed = {}
    for override in hydra_cfg.overrides.task:
        key, _, value = override.lstrip("+~").partition("=")
        if key not in PRESETS and not key.startswith("hydra"):
            typed[key] = value
    return typed


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
        "  servsim --terse scenario=guarantee     the summary in researchers' shorthand (%, pp, [low, high])",
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


def check_posterior_file(overrides: list[str], multirun: bool) -> None:
    """A posterior given on the command line is read before Hydra makes the run folder: a bad file or one of
    another model version writes nothing; a sweep refuses it."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for override in OverridesParser.create().parse_overrides(overrides):
        if override.key_or_group != "posterior":
            continue
        from sim.posterior import read_posterior, refuse_in_sweep

        if multirun or override.is_sweep_override():
            refuse_in_sweep(override.input_line.partition("=")[2])
        elif override.value():
            read_posterior(str(override.value()))


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
    """One line on stderr and exit; a pasted value is cut (``shorten_words``)."""
    print(f"servsim: {shorten_words(message)}", file=sys.stderr)
    sys.exit(status)


def main() -> None:
    """The ``servsim`` command: check the input, then hand it to Hydra; every failure ends in one line."""
    from hydra._internal.utils import get_args_parser
    from hydra.errors import HydraException, MissingConfigException
    from omegaconf.errors import OmegaConfBaseException

    argv = sys.argv[1:]
    if "--help" in argv or "-h" in argv:
        print(help_text())
        return
    argv = ["output.terse=true" if word == "--terse" else word for word in argv]  # the shorthand's flag
    typed = get_args_parser().parse_known_args(argv)[0].overrides
    multirun = "-m" in argv or "--multirun" in argv
    try:
        overrides = check_overrides(typed)
        check_output_folders(overrides)
        check_posterior_file(overrides, multirun)
        previous_sweep = check_sweep(overrides) if multirun else None
    except ConfigError as error:
        fail(f"invalid configuration: {error}")
    as_hydra_reads = dict(zip(typed, overrides))
    sys.argv = [sys.argv[0], *(as_hydra_reads.get(word, word) for word in argv)]
    if previous_sweep is not None and previous_sweep[0].parent != Path(previous_sweep[2]):
        sys.argv.append(f"hydra.sweep.dir='{previous_sweep[0].parent}'")
    register_configs()
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
        except MissingConfigException as error:
            fail(f"invalid configuration: {missing_option(error)}")
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


def check_sweep(overrides: list[str]) -> tuple[Path, bytes | None, str] | None:
    """Before a sweep launches anything: refuse ``replications`` (a sweep sweeps the seed instead) and a
    launcher, sweeper or other option that does not exist; return the sweep's multirun.yaml, what it
    held before this launch (Hydra rewrites it at launch) and the sweep folder Hydra would choose.

    A sweep whose folder nobody chose (no ``hydra.sweep.dir``, no experiment's own) goes to a folder
    named from its overrides (``sweep_folder``), so the same command finds and resumes it.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import MissingConfigException

    parsed = OverridesParser.create().parse_overrides(overrides)
    swept = [v for o in parsed if o.key_or_group == "replications" and o.is_sweep_override() for v in o.sweep_iterator()]
    try:
        cfg = compose_hydra([o.input_line for o in parsed if not o.is_sweep_override()], with_hydra=True)
    except MissingConfigException as error:
        raise ConfigError(missing_option(error)) from None
    except Exception:  # noqa: BLE001 - a config Hydra cannot compose is reported by Hydra's own run
        return None
    refuse_replications(max([cfg.replications, *swept]), cfg.seed)
    chosen = str(cfg.hydra.sweep.dir)
    folder = sweep_folder(parsed) if "${now:" in OmegaConf.to_container(cfg.hydra.sweep)["dir"] else chosen
    path = Path(folder) / "multirun.yaml"
    return path, (path.read_bytes() if path.is_file() else None), chosen


# Where a sweep goes when nobody chose its folder: named from what it runs.
SWEEPS = Path("results/multirun")


def sweep_folder(parsed) -> str:
    """results/multirun/<the overrides, made safe for a folder name>-<hash of them>: one folder per command.

    Hydra's own settings (launcher, logging) are left out of the name: they do not change the runs.
    """
    import hashlib
    import re

    lines = [o.input_line for o in parsed if o.key_or_group.split(".")[0].split("/")[0] != "hydra"]
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:8]
    readable = re.sub(r"[^A-Za-z0-9._=-]+", "-", "_".join(lines)).strip("-")[:60] or "sweep"
    return str(SWEEPS / f"{readable}-{digest}")


def refuse_replications(replications: int, seed: int) -> None:
    if replications > 1:
        raise ConfigError(
            f"replications = {replications} is not allowed in a sweep (-m): sweep the seed instead "
            f"(seed=range({seed},{seed + replications}))"
        )


def missing_option(error) -> str:
    """Hydra's many-line "Could not find 'hydra/launcher/x'" as one line: the group, the value, the options."""
    import re

    text = str(error)
    found = re.search(r"Could not find '(.+)/([^/']*)'", text)
    options = re.findall(r"^\t(\S+)$", text, flags=re.MULTILINE)
    if not found:
        return text.strip().splitlines()[0]
    group, name = found.groups()
    allowed = f"expected one of {', '.join(options)}" if options else "no such option is installed"
    return f"{group} = {shorten(name)!r} is not allowed: {allowed}"


def _restore(record: tuple[Path, bytes | None, str] | None) -> None:
    """A refused relaunch leaves the sweep's multirun.yaml as the sweep that made its runs wrote it."""
    if record is not None and record[1] is not None:
        record[0].write_bytes(record[1])


if __name__ == "__main__":
    main()
