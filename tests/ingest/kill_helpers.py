"""Helpers of the ``kill -9`` tests: a demo dataset on disk, ``graphsvc import`` as a real
process, a kill once some (not all) interactions have committed, and stores compared by
their exports.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

from graphsvc import demo
from graphsvc.config import Settings
from graphsvc.interchange import SPECS, Record, RecordSource, sorted_records, write_csv_folder
from graphsvc.store import GraphStore, open_store
from ingest.writer import export_store

#: the longest a complete import may take before the test gives up on it
IMPORT_TIMEOUT = 180.0
POLL_SECONDS = 0.02


def write_demo(folder: Path, people: int, months: int = 12) -> dict[str, int]:
    """A demo world written as an interchange folder; rows per entity."""
    world = demo.generate(people=people, months=months, seed=7)
    records: dict[str, list[Record]] = {entity: list(getattr(world, entity)) for entity in SPECS}
    return write_csv_folder(folder, {entity: _sorted(rows) for entity, rows in records.items()})


def _sorted(rows: list[Record]) -> RecordSource:
    return lambda: sorted_records(rows)


@dataclass(frozen=True)
class Target:
    """A store as the test process opens it and as a ``graphsvc`` process is told of it."""

    settings: Settings
    batch_size: int

    def open(self) -> GraphStore:
        return open_store(self.settings)

    def environ(self) -> dict[str, str]:
        """This process's environment without GRAPHSVC_*, then the store's settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
        env["GRAPHSVC_STORE"] = self.settings.store
        env["GRAPHSVC_BATCH_SIZE"] = str(self.batch_size)
        env["GRAPHSVC_NEO4J_USER"] = self.settings.neo4j_user
        env["GRAPHSVC_NEO4J_DATABASE"] = self.settings.neo4j_database
        if self.settings.neo4j_password:
            env["GRAPHSVC_NEO4J_PASSWORD"] = self.settings.neo4j_password
        return env


def import_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "graphsvc.cli", "import", str(folder)]


def start_import(target: Target, folder: Path, logs: Path) -> subprocess.Popen[bytes]:
    """``graphsvc import FOLDER`` in the background (output to files in ``logs``)."""
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / "killed.out").open("wb") as out, (logs / "killed.err").open("wb") as err:
        return subprocess.Popen(
            import_command(folder), env=target.environ(), stdout=out, stderr=err
        )


def run_import_to_end(target: Target, folder: Path) -> subprocess.CompletedProcess[str]:
    """``graphsvc import FOLDER`` to its end; fails the test unless it exits 0."""
    done = subprocess.run(
        import_command(folder),
        env=target.environ(),
        capture_output=True,
        text=True,
        timeout=IMPORT_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def kill_when(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 120.0
) -> float:
    """``SIGKILL`` ``process`` as soon as ``ready()`` holds; the seconds it ran. Its
    helper processes (an embedded store's writer) are waited for, not killed.

    Fails when the process ends by itself first (the data set is too small to catch it
    half-way) or ``timeout`` passes.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise AssertionError(f"the import ended (exit {process.returncode}) before the kill")
        if ready():
            helpers = psutil.Process(process.pid).children(recursive=True)
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            # a writer process (graphsvc.process_writer) finishes the batches already sent to
            # it, then sees its parent gone and exits: count the store after that
            psutil.wait_procs(helpers, timeout=30)
            return time.monotonic() - started
        time.sleep(POLL_SECONDS)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    raise AssertionError(f"not ready to kill after {timeout} s")


def entity_counts(store: GraphStore) -> dict[str, int]:
    """The store's counts of every entity but ``import_runs`` (a rerun adds a run)."""
    return {key: count for key, count in store.counts().items() if key != "import_runs"}


def exported(store: GraphStore, folder: Path) -> dict[str, bytes]:
    """Export ``store`` as interchange CSVs into ``folder``; file name → bytes."""
    export_store(store, folder, "csv")
    return read_folder(folder)


def read_folder(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def differing_files(first: Mapping[str, bytes], second: Mapping[str, bytes]) -> list[str]:
    """Names of the files that are missing from one side or differ in any byte."""
    names = sorted(set(first) | set(second))
    return [name for name in names if first.get(name) != second.get(name)]
