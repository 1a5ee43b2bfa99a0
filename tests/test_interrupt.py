"""Long runs: a progress bar while they go, Ctrl-C leaves nothing that looks finished, no lasting side effects."""

import gc
import os
import selectors
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sim.config import CONFIG_DIR
from sim.run import _write_atomically, rare_garbage_collection, simulate
from tests.conftest import small_config

LONG_RUN = ("market.customers=300000", "days=5000", "output.figures=false")


def start_servsim(tmp_path, *overrides) -> subprocess.Popen:
    command = [sys.executable, "-m", "sim.cli", f"hydra.run.dir={tmp_path}", *overrides]
    env = dict(os.environ, PYTHONPATH=str(Path(CONFIG_DIR).parent))
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)


def read_until(stream, marker: bytes, timeout: float = 300) -> bytes:
    """What ``stream`` says up to and including ``marker`` (or all of it, if it ends first)."""
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while marker not in seen and selector.select(timeout):
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
    return seen


def test_a_long_run_shows_a_progress_bar(tmp_path):
    process = start_servsim(tmp_path, *LONG_RUN)
    try:
        shown = read_until(process.stderr, b"day/s")
    finally:
        process.kill()
        process.wait()
    assert b"/5000 [" in shown, shown[-500:]


def test_ctrl_c_stops_with_one_line_and_leaves_nothing_that_looks_finished(tmp_path):
    process = start_servsim(tmp_path, *LONG_RUN)
    before = read_until(process.stderr, b"day/s")  # the run is under way
    assert b"day/s" in before, before[-500:]
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=300)
    message = rest.decode().replace("\r", "\n").strip().splitlines()[-1].strip()
    assert process.returncode == 130
    assert message == f"servsim: interrupted; the run in {tmp_path} is unfinished (it has no summary.json)"
    assert "Traceback" not in rest.decode()
    assert not (tmp_path / "summary.json").exists()
    assert not list(tmp_path.glob("*.part"))


def test_a_file_interrupted_while_written_is_not_left_behind(tmp_path):
    def write_half_then_stop(path):
        path.write_text("half of it")
        raise KeyboardInterrupt

    target = tmp_path / "summary.json"
    try:
        _write_atomically(target, write_half_then_stop)
    except KeyboardInterrupt:
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_run_leaves_the_garbage_collector_as_it_found_it():
    before = gc.get_threshold()
    with pytest.raises(KeyboardInterrupt):
        with rare_garbage_collection():
            assert gc.get_threshold()[0] > before[0]
            raise KeyboardInterrupt
    simulate(small_config({"days": 5}))
    assert gc.get_threshold() == before
