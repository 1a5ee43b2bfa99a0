"""Drive the dashboard in a real browser: start its server, launch Debian's chromium.

Shared by the browser test and by ``tests/dashboard_tour.py`` (the
screenshot in docs/). Playwright drives the system chromium, so nothing is
downloaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Headless in a container (no sandbox), and no traffic of the browser's own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
]
SERVER_START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def dashboard_server(log_path: Path):
    """``servsim-dashboard`` on a free localhost port; yields its URL, stops it on exit."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "servsim-dashboard"), "--host", "127.0.0.1", "--port", str(port), "--no-open"]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_until_serving(url, server, log_path)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)


def _wait_until_serving(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"servsim-dashboard exited with {server.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"servsim-dashboard did not answer within {SERVER_START_SECONDS} s:\n{log_path.read_text()}")


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def day_label(day: int, horizon: int) -> str:
    """The page's day counter."""
    return f"Day {day} of {horizon}"
