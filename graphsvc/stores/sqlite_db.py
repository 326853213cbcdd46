"""Connections of the SQLite store: one locked writer, a pool of query-only readers.

The database runs in WAL mode, so readers never wait for the writer and each read
transaction sees one consistent snapshot. Writes are serialised by a lock around the one
writer connection and run in ``BEGIN IMMEDIATE`` transactions that roll back on any error.
Connections are in autocommit mode (``isolation_level=None``): every transaction is
explicit.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import unquote

from graphsvc.errors import ConfigError, StoreError, StoreUnavailable
from graphsvc.stores.sqlite_schema import migrate

#: how long a connection waits for another process's lock before failing (ms).
BUSY_TIMEOUT_MS = 10_000
#: page cache per connection in KiB (SQLite's default of 2 MB halves the bulk load rate).
WRITER_CACHE_KIB = 65_536
READER_CACHE_KIB = 16_384


def casefold_text(value: object) -> str | None:
    """SQL function ``casefold(x)``: Unicode case folding (SQLite's ``lower`` is ASCII-only)."""
    return value.casefold() if isinstance(value, str) else None


class SQLiteDatabase:
    """The connections to one SQLite file; safe to share between threads."""

    def __init__(self, path: Path, location: str) -> None:
        self.path = path
        self.location = location
        self._write_lock = threading.Lock()
        self._idle_readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._closed = False
        self._writer = self._open_writer()

    # -- opening --------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=0
            )
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"{self.location}: cannot open {self.path}: {exc}") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.create_function("casefold", 1, casefold_text, deterministic=True)
        except sqlite3.Error as exc:
            conn.close()
            raise StoreUnavailable(f"{self.location}: cannot open {self.path}: {exc}") from exc
        return conn

    def _open_writer(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                f"{self.location}: cannot create the folder of {self.path}: {exc}"
            ) from exc
        conn = self._connect()
        try:
            (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if str(mode).lower() != "wal":
                raise StoreUnavailable(f"{self.location}: cannot switch {self.path} to WAL mode")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB:d}")
            migrate(conn, self.location)
        except sqlite3.Error as exc:
            conn.close()
            raise StoreUnavailable(f"{self.location}: cannot open {self.path}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_reader(self) -> sqlite3.Connection:
        conn = self._connect()
        conn.execute("PRAGMA query_only = ON")
        conn.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB:d}")
        return conn

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.location}: the store is closed")

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def write(self, *, enforce_foreign_keys: bool = True) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction on the writer; rolled back on any error.

        ``enforce_foreign_keys=False`` skips SQLite's per-row foreign-key look-ups for this
        transaction only; the caller must have checked every reference itself inside it
        (the bulk interaction load does, set-wise, which is ~2× faster).
        """
        with self._write_lock:
            self._check_open()
            conn = self._writer
            if not enforce_foreign_keys:
                conn.execute("PRAGMA foreign_keys = OFF")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                raise self._unavailable(exc) from exc
            finally:
                if not enforce_foreign_keys:
                    conn.execute("PRAGMA foreign_keys = ON")

    @contextmanager
    def autocommit_writer(self) -> Iterator[sqlite3.Connection]:
        """The writer outside any transaction (for PRAGMAs that cannot run inside one)."""
        with self._write_lock:
            self._check_open()
            yield self._writer

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction (one snapshot) on a pooled query-only connection."""
        self._check_open()
        try:
            conn = self._idle_readers.get_nowait()
        except queue.Empty:
            conn = self._open_reader()
        try:
            conn.execute("BEGIN")
            yield conn
        except sqlite3.OperationalError as exc:
            raise self._unavailable(exc) from exc
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")
            self._release(conn)

    def _unavailable(self, exc: sqlite3.OperationalError) -> StoreUnavailable:
        """A locked, read-only, full or broken database file, as the one store error."""
        return StoreUnavailable(f"{self.location}: {exc}")

    def _release(self, conn: sqlite3.Connection) -> None:
        if self._closed:
            conn.close()
        else:
            self._idle_readers.put(conn)

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A private query-only connection in one read transaction, closed afterwards.

        For long iterations (export) that may be abandoned half way by the caller.
        """
        self._check_open()
        conn = self._open_reader()
        try:
            conn.execute("BEGIN")
            yield conn
        finally:
            conn.close()

    # -- closing --------------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection; idempotent. Readers in use close when released."""
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
            with suppress(sqlite3.Error):  # best effort: closing must not fail
                self._writer.execute("PRAGMA optimize")  # refresh planner statistics
            self._writer.close()
        while True:
            try:
                self._idle_readers.get_nowait().close()
            except queue.Empty:
                break


URI_PREFIX = "sqlite:///"


def path_from_uri(uri: str) -> Path:
    """The file a ``sqlite:///…`` URI names (three slashes: relative; four: absolute)."""
    if not uri.lower().startswith(URI_PREFIX):
        raise ConfigError(
            f"GRAPHSVC_STORE: {uri!r} is not a SQLite URI; use sqlite:///relative/path.db "
            "or sqlite:////absolute/path.db"
        )
    raw = unquote(uri[len(URI_PREFIX) :])
    if not raw or raw.endswith("/"):
        raise ConfigError(f"GRAPHSVC_STORE: {uri!r} names no database file")
    if raw == ":memory:":
        raise ConfigError(
            "GRAPHSVC_STORE: in-memory SQLite is not supported (readers use their own "
            "connections); use a file, e.g. sqlite:////tmp/graph.db"
        )
    return Path(raw)
