"""servsim-robust at full size: wall time, CPU, peak memory of the whole process tree, and a resume.

    .venv/bin/python -m benchmarks.robust                     8 policies x 100 scenarios, defaults
    .venv/bin/python -m benchmarks.robust --interrupt 120 scenarios=20

Launches ``servsim-robust`` in a fresh folder; with ``--interrupt S`` it is stopped with Ctrl-C
(SIGINT) after S seconds and launched again with the same command, which resumes from the
journal. Memory is the sum of the resident sets of the command and its workers, sampled every
quarter second (a worker's own peak, as ``ru_maxrss`` gives, would miss the others). Prints a
markdown table; with ``--out FILE`` also writes it. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

JOURNAL = "experiments.jsonl"


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def launch(overrides: list[str], out: Path, stop_after: float | None) -> dict:
    """One launch: wall seconds, CPU seconds of the tree, peak tree RSS, exit status."""
    command = [str(Path(sys.executable).with_name("servsim-robust")), f"hydra.run.dir={out}", *overrides]
    start, peak, cpu = time.perf_counter(), 0, {}
    # Ctrl-C as a user gives it, also when this benchmark runs in the background (where the shell
    # hands its children SIGINT ignored, and Python then keeps ignoring it).
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    watched = psutil.Process(child.pid)
    while child.poll() is None:
        peak = max(peak, tree_rss(watched))
        for member in [watched, *watched.children(recursive=True)]:
            try:
                times = member.cpu_times()
                cpu[member.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                continue
        if stop_after is not None and time.perf_counter() - start > stop_after:
            child.send_signal(signal.SIGINT)
            stop_after = None
        time.sleep(0.25)
    return {"wall": time.perf_counter() - start, "cpu": sum(cpu.values()), "peak_mib": peak / 2**20, "status": child.returncode}


def journalled(out: Path) -> int:
    path = out / JOURNAL
    return len(path.read_text().splitlines()) if path.is_file() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description="servsim-robust: time, memory and a resume, at a chosen size.")
    parser.add_argument("--interrupt", type=float, help="send Ctrl-C after this many seconds, then launch again")
    parser.add_argument("--keep", help="copy the finished run folder here")
    parser.add_argument("--out", help="also write the table to this markdown file")
    parser.add_argument("overrides", nargs="*", help="servsim-robust overrides (scenarios=20 ...)")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="servsim-robust-bench-"))
    load_before = os.getloadavg()
    launches = [launch(args.overrides, out, args.interrupt)]
    kept = journalled(out)
    if args.interrupt is not None:
        launches.append(launch(args.overrides, out, None))
    load_after = os.getloadavg()
    total = journalled(out)
    lines = [
        f"servsim-robust {' '.join(args.overrides) or '(defaults: 8 policies x 100 scenarios, 10,000 people, 730 days)'}; "
        f"{psutil.cpu_count()} CPUs, load average {load_before[0]:.1f} at the start and {load_after[0]:.1f} at the end.",
        "",
        "| launch | exit | wall | CPU (whole tree) | peak memory (whole tree) | experiments journalled after it |",
        "|---|---|---|---|---|---|",
    ]
    for i, m in enumerate(launches):
        done = kept if i == 0 else total
        label = "first (interrupted)" if args.interrupt is not None and i == 0 else ("resumed" if i else "only")
        lines.append(f"| {label} | {m['status']} | {m['wall']:.0f} s | {m['cpu']:.0f} s | {m['peak_mib']:.0f} MiB | {done} |")
    if len(launches) > 1:
        lines += ["", f"Total wall {sum(m['wall'] for m in launches):.0f} s; the second launch recomputed "
                  f"{total - kept} of {total} experiments (the {kept} finished before the interrupt were read back)."]
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    if args.keep:
        shutil.copytree(out, args.keep, dirs_exist_ok=True)
    shutil.rmtree(out)


if __name__ == "__main__":
    main()
