"""The keys an import run has accepted, kept on disk so that memory stays bounded.

A key seen twice in one run makes the later row an error (``duplicate id``). A run over
a file of any size must not hold every key in memory, so the keys live in a private
temporary SQLite database (its page cache, 32 MB at most, is the only memory it uses).
Keys are checked and added a batch at a time: one query and one insert per batch.

A strict-mode trial pass checks a whole file without keeping its keys:
:meth:`SeenKeys.trial` opens a savepoint that is rolled back at its end.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from graphsvc.model import ENTITIES

#: page cache of the key database (KiB, negative = KiB in SQLite's PRAGMA cache_size)
_CACHE_KIB = 32 * 1024


class SeenKeys:
    """A set of ``(entity, key)`` pairs in a temporary on-disk database."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="graphsvc-seen-")
        path = Path(self._folder.name) / "seen.db"
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode = MEMORY")  # OFF would make ROLLBACK TO a no-op
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        self._tables = {entity: f"seen_{n}" for n, entity in enumerate(ENTITIES)}
        for table in self._tables.values():
            self._db.execute(f"CREATE TABLE {table} (key TEXT PRIMARY KEY) WITHOUT ROWID")
        self._db.execute("BEGIN")

    def _table(self, entity: str) -> str:
        """The table of ``entity``'s keys (one per entity: smaller indexes)."""
        return self._tables[entity]

    def taken(self, entity: str, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` already seen in this run (one query)."""
        table = self._table(entity)
        found = self._db.execute(
            f"SELECT j.value FROM json_each(?) AS j"
            f" WHERE EXISTS (SELECT 1 FROM {table} AS s WHERE s.key = j.value)",
            (json.dumps(list(keys)),),
        )
        return {value for (value,) in found}

    def insert(self, entity: str, keys: Sequence[str]) -> None:
        """Mark ``keys`` (new to the run, distinct) as seen."""
        table = self._table(entity)
        self._db.execute(
            f"INSERT OR IGNORE INTO {table} (key) SELECT value FROM json_each(?)",
            (json.dumps(list(keys)),),
        )

    @contextlib.contextmanager
    def trial(self) -> Iterator[None]:
        """Keys added inside the block are forgotten at its end."""
        self._db.execute("SAVEPOINT trial")
        try:
            yield
        finally:
            self._db.execute("ROLLBACK TO trial")
            self._db.execute("RELEASE trial")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._folder.cleanup()

    def __enter__(self) -> SeenKeys:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
