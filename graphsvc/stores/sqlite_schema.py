"""Schema creation and migration of the SQLite store, numbered by ``PRAGMA user_version``.

``MIGRATIONS[n]`` lists the SQL scripts (package resources next to this module) that take
a database from version ``n`` to ``n + 1``; version 0 is an empty file. Each step runs in
one ``BEGIN IMMEDIATE`` transaction together with its ``user_version`` bump, so a failed
step leaves the previous version intact.
"""

from __future__ import annotations

import sqlite3
from importlib import resources

from graphsvc.errors import StoreError

#: scripts per step: MIGRATIONS[n] migrates version n → n + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    ("schema.sql",), ("schema_2.sql",), ("schema_3.sql",), ("schema_4.sql",),
)  # fmt: skip

#: the version this code writes and expects.
SCHEMA_VERSION = len(MIGRATIONS)


def load_script(name: str) -> str:
    """The text of the SQL script ``name`` shipped in :mod:`graphsvc.stores`."""
    return resources.files("graphsvc.stores").joinpath(name).read_text(encoding="utf-8")


def schema_version(conn: sqlite3.Connection) -> int:
    """The database's ``user_version``."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    return int(version)


def migrate(conn: sqlite3.Connection, location: str) -> int:
    """Bring the database on ``conn`` (autocommit mode) up to :data:`SCHEMA_VERSION`.

    Returns the number of steps applied. A database newer than this code is refused.
    """
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"{location}: schema version {current} is newer than this graphsvc "
            f"(knows up to {SCHEMA_VERSION}); upgrade graphsvc"
        )
    for step in range(current, SCHEMA_VERSION):
        _apply_step(conn, step)
    return SCHEMA_VERSION - current


def _apply_step(conn: sqlite3.Connection, step: int) -> None:
    """Run step ``step`` unless another connection did meanwhile (checked under the lock)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if schema_version(conn) <= step:
            for name in MIGRATIONS[step]:
                for statement in split_statements(load_script(name)):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step + 1:d}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def split_statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (``executescript`` would commit)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in pending.splitlines()
    ):
        raise StoreError(f"incomplete SQL statement at the end of a script: {pending[:60]!r}")
    return statements
