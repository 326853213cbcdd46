"""``kill -9`` in the middle of ``graphsvc import``, then the same import again, on both stores.

A real ``graphsvc import FOLDER`` process loads a demo dataset in small batches; the test
polls the store from its own connection and kills the process (``SIGKILL``) once some but
not all interactions have committed. What is in the store then must be whole batches
(people and memberships complete, interactions a multiple of the batch size, nothing
after them). Running the same import again must end with exactly what one clean run into
an empty store gives: equal counts and byte-identical exports (nothing duplicated,
nothing lost), equal to the imported files themselves. The killed run's ``running``
record must not break ``import_runs()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from kill_helpers import (
    Target,
    differing_files,
    entity_counts,
    exported,
    kill_when,
    read_folder,
    run_import_to_end,
    start_import,
    write_demo,
)

from graphsvc.config import Settings
from graphsvc.model import ImportRun, ImportStatus
from graphsvc.store import GraphStore

pytestmark = pytest.mark.slow

BATCH_SIZE = 200
#: ~73k rows: about 3 s of import into SQLite on a small machine
SQLITE_PEOPLE = 5000
#: ~30k rows: a few seconds of import into Neo4j in batches of 200 (the kill must land
#: while interactions are loading, also on a fast or busy machine)
NEO4J_PEOPLE = 2000
#: a killed run is left ``running`` (or closed as ``interrupted`` by a later run)
KILLED_STATES = {"running", "interrupted"}


@dataclass
class Resumed:
    """What a killed-then-rerun import left: counts just after the kill, at the end, runs."""

    after_kill: dict[str, int]
    counts: dict[str, int]
    files: dict[str, bytes]
    runs: list[ImportRun]


def kill_then_resume(target: Target, folder: Path, given: dict[str, int], tmp: Path) -> Resumed:
    """Kill ``graphsvc import`` once a quarter of the interactions have committed (the
    process is then most likely inside a batch's transaction), then run it to the end."""
    quarter = given["interactions"] // 4
    store = target.open()
    try:
        process = start_import(target, folder, tmp / "logs")
        kill_when(process, lambda: store.counts()["interactions"] >= quarter)
        after_kill = entity_counts(store)
        killed_runs = store.import_runs()
        assert [run.status.value for run in killed_runs] in ([], ["running"]), killed_runs
        run_import_to_end(target, folder)
        return Resumed(
            after_kill,
            entity_counts(store),
            exported(store, tmp / "resumed-export"),
            store.import_runs(),
        )
    finally:
        store.close()


def clean_run(target: Target, folder: Path, out: Path) -> tuple[dict[str, int], dict[str, bytes]]:
    """One uninterrupted ``graphsvc import`` into an empty store: its counts and export."""
    store = target.open()
    try:
        assert sum(entity_counts(store).values()) == 0
        run_import_to_end(target, folder)
        return entity_counts(store), exported(store, out)
    finally:
        store.close()


def check_killed_half_way(after_kill: dict[str, int], given: dict[str, int]) -> None:
    """Whole batches only: every entity before interactions complete, interactions a
    multiple of the batch size (neither none nor all), nothing of the later entities."""
    for entity in ("people", "communities", "memberships"):
        assert after_kill[entity] == given[entity], (entity, after_kill)
    assert 0 < after_kill["interactions"] < given["interactions"], after_kill
    assert after_kill["interactions"] % BATCH_SIZE == 0, after_kill
    assert after_kill["activities"] == after_kill["participations"] == 0, after_kill


def check_resumed(resumed: Resumed, given: dict[str, int]) -> None:
    """The rerun succeeded, found the killed run's rows already there, and the killed
    run's record (left ``running``) sits beside it in ``import_runs()``."""
    finished = [run for run in resumed.runs if run.status.value not in KILLED_STATES]
    killed = [run for run in resumed.runs if run.status.value in KILLED_STATES]
    assert [run.status for run in finished] == [ImportStatus.SUCCEEDED], resumed.runs
    assert len(killed) <= 1, resumed.runs
    assert all(run.finished_at is None for run in killed if run.status == ImportStatus.RUNNING)
    rerun = finished[0]
    assert rerun.counts == given, rerun
    interactions = rerun.outcomes.get("interactions", {})
    assert interactions.get("unchanged") == resumed.after_kill["interactions"]
    assert (
        interactions.get("inserted") == given["interactions"] - resumed.after_kill["interactions"]
    )


def check_same_as_clean(
    resumed: Resumed, clean: tuple[dict[str, int], dict[str, bytes]], folder: Path
) -> None:
    clean_counts, clean_files = clean
    assert resumed.counts == clean_counts
    assert differing_files(resumed.files, clean_files) == []
    imported = {name: data for name, data in read_folder(folder).items() if name.endswith(".csv")}
    assert differing_files(resumed.files, imported) == []


def test_sqlite_import_killed_mid_batch_then_rerun_equals_one_clean_run(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    given = write_demo(folder, people=SQLITE_PEOPLE)
    resumed_target = Target(Settings(store=f"sqlite:///{tmp_path / 'resumed.db'}"), BATCH_SIZE)
    clean_target = Target(Settings(store=f"sqlite:///{tmp_path / 'clean.db'}"), BATCH_SIZE)

    resumed = kill_then_resume(resumed_target, folder, given, tmp_path)
    check_killed_half_way(resumed.after_kill, given)
    check_resumed(resumed, given)
    check_same_as_clean(resumed, clean_run(clean_target, folder, tmp_path / "clean"), folder)


@pytest.mark.neo4j
def test_neo4j_import_killed_mid_batch_then_rerun_equals_one_clean_run(
    tmp_path: Path, neo4j_settings: Settings
) -> None:
    folder = tmp_path / "demo"
    given = write_demo(folder, people=NEO4J_PEOPLE)
    target = Target(neo4j_settings, BATCH_SIZE)
    _clear(target)  # one database in Community edition: resumed first, then the clean run
    try:
        resumed = kill_then_resume(target, folder, given, tmp_path)
        check_killed_half_way(resumed.after_kill, given)
        check_resumed(resumed, given)
        _clear(target)
        check_same_as_clean(resumed, clean_run(target, folder, tmp_path / "clean"), folder)
    finally:
        _clear(target)


def _clear(target: Target) -> None:
    store: GraphStore = target.open()
    try:
        store.clear()
    finally:
        store.close()
