"""Run ``graphsvc`` commands as a user does: a real process serving real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

URL = re.compile(r"at (http://127\.0\.0\.1:\d+/)")
LOGIN = re.compile(r"demo login: (\S+) / (\S+)")


def start(argv: list[str], tmp_path: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """Start ``graphsvc ARGV`` and read its output until it prints the URL it serves."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "graphsvc.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if URL.search(line):
            return process, lines
    process.wait(timeout=10)
    process.stdout.close()
    raise AssertionError("the server did not start:\n" + "".join(lines))


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    if process.stdout is not None:
        process.stdout.close()
