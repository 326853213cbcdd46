"""Import progress on a real terminal: rows/s and ETA; nothing when piped or with ``--json``.

``graphsvc import`` runs as a child process whose stderr is a pseudo-terminal (``pty``), as
in an interactive shell, or a pipe, as in a script.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROWS = 200_000  # a few seconds of import: the rate shows after 1 s, the ETA while rows remain


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("progress")
    people = ["id,name"] + [f"p{k},Person {k}" for k in range(200)]
    (data / "people.csv").write_text("\n".join(people) + "\n")
    rows = ["kind,source_id,target_id,at"] + [
        f"collaboration,p{k % 200},p{(k * 7 + 1) % 200},{1_700_000_000 + k}" for k in range(ROWS)
    ]
    (data / "interactions.csv").write_text("\n".join(rows) + "\n")
    return data


def run_on_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``argv`` with stderr on a pseudo-terminal; what the terminal showed."""
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL, env=env
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return child.wait(timeout=120), shown.decode("utf-8", "replace")


def command(folder: Path, db: Path, *extra: str) -> list[str]:
    store = f"sqlite:///{db}"
    return [sys.executable, "-m", "graphsvc.cli", "--store", store, "import", str(folder), *extra]


@pytest.fixture
def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    return {**clean, "GRAPHSVC_BATCH_SIZE": "500"}


@pytest.mark.slow
def test_a_terminal_shows_rows_per_second_and_eta(
    folder: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    code, shown = run_on_terminal(command(folder, tmp_path / "g.db"), env)
    assert code == 0
    assert "importing interactions.csv:" in shown
    assert f"/{ROWS + 200:,} rows" in shown  # the estimate from the files' lines
    assert "rows/s" in shown and "ETA" in shown


def test_json_output_draws_no_progress_even_on_a_terminal(
    folder: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    code, shown = run_on_terminal(command(folder, tmp_path / "g.db", "--json"), env)
    assert code == 0
    assert "importing" not in shown and "rows/s" not in shown


def test_a_pipe_gets_no_progress(folder: Path, tmp_path: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        command(folder, tmp_path / "g.db"), capture_output=True, text=True, env=env, check=True
    )
    assert done.stderr == ""
    assert "succeeded" in done.stdout
