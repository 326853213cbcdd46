"""One import into a fresh SQLite store, for the property tests of ``run_import``.

A new store per hypothesis example (function fixtures outlive examples), the import's
result or the graphsvc error it raised, and the check that the store holds exactly what
the recorded run says it loaded (no half-written batch); files written from bytes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError
from graphsvc.interchange import SPECS, Record, RecordKey, record_key
from graphsvc.model import ImportStatus
from graphsvc.store import GraphStore, open_store
from ingest.runner import ImportResult, run_import


@contextmanager
def fresh_store() -> Iterator[tuple[Path, GraphStore]]:
    """A temporary folder and a new SQLite store in it (function fixtures outlive examples)."""
    with tempfile.TemporaryDirectory(prefix="graphsvc-prop-") as tmp:
        folder = Path(tmp)
        store = open_store(Settings(store=f"sqlite:///{folder / 'graph.db'}"))
        try:
            yield folder, store
        finally:
            store.close()


def store_records(store: GraphStore, entity: str) -> dict[RecordKey, Record]:
    """The stored records of ``entity`` by key (to compare with what should be there)."""
    records: Iterator[Record] = getattr(store, f"list_{entity}")()
    return {record_key(record): record for record in records}


def import_or_error(
    store: GraphStore, path: Path, settings: Settings, strict: bool = False
) -> ImportResult | GraphsvcError:
    """The import's result, or the GraphsvcError it raised; anything else propagates."""
    try:
        return run_import(store, path, settings, strict=strict)
    except GraphsvcError as exc:
        return exc


def assert_store_matches_recorded_run(store: GraphStore, outcome: object) -> None:
    """No half-written batch: the store holds exactly the rows the recorded run counts."""
    runs = store.import_runs()
    assert runs, "every import attempt is recorded"
    run = outcome.run if isinstance(outcome, ImportResult) else runs[0]
    if isinstance(outcome, GraphsvcError):
        assert run.status == ImportStatus.FAILED
    counts = store.counts()
    for entity in SPECS:
        assert counts[entity] == run.counts.get(entity, 0), (entity, run)


def write_files(folder: Path, files: Mapping[str, bytes]) -> Path:
    """Create ``folder`` holding ``files`` (name → bytes); returns the folder."""
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder
