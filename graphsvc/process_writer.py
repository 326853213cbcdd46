"""Batch writing in a child process: the importing process keeps one core for its own work.

An embedded store (SQLite) does its writing in the process that calls it, and Python lets
only one thread run Python at a time: a writer thread would take turns with the thread
that reads and validates rows instead of running beside it. :class:`ProcessWriter` starts
``python -m graphsvc.process_writer`` (a fresh interpreter: the parent has threads, and
unlike ``multiprocessing``'s spawn this never re-runs the caller's ``__main__``, so a plain
script can import with it), which opens its own store, and sends it the batches through a
socket pair, two at most in flight, so that both cores work on a large import.
Interactions pickle as plain values (``Interaction.__reduce__``), a few µs a row.

It has :class:`graphsvc.batching.BatchWriter`'s interface and outcomes; each batch is still
one store transaction in the child. If the parent dies, the child's pipe closes and it
exits after the batch it is writing (committed or rolled back, never half-written).
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections import deque
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from graphsvc.batching import Outcome, Writer
from graphsvc.config import Settings
from graphsvc.errors import StoreError
from graphsvc.store import WriteCounts, open_store

Tag = TypeVar("Tag")
#: batches sent but not yet answered: one being written, one waiting in the pipe
IN_FLIGHT = 2
#: seconds to wait for the child to finish its last batch and exit
EXIT_TIMEOUT = 60.0


class ProcessWriter(Writer[Tag]):
    """Writes batches (``upsert_<entity>``) in a child process with its own store."""

    def __init__(self, settings: Settings) -> None:
        parent_end, child_end = socket.socketpair()
        with child_end:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "graphsvc.process_writer", str(child_end.fileno())],
                pass_fds=[child_end.fileno()],
            )
        self._conn = Connection(parent_end.detach())
        self._pending: deque[tuple[Tag, int]] = deque()
        self._send(settings)

    @property
    def pid(self) -> int:
        """The writer process's id."""
        return self._child.pid

    def submit(
        self, entity: str, rows: Sequence[Any], tag: Tag, **extra: Any
    ) -> list[Outcome[Tag]]:
        """Send ``rows`` to be written; the outcomes of batches finished meanwhile."""
        finished = self._make_room(IN_FLIGHT)
        self._send((entity, rows, extra))  # a list or an InteractionBatch: both pickle whole
        self._pending.append((tag, len(rows)))
        return finished

    def close(self) -> None:
        try:
            self.drain()
            self._send(None)
        finally:
            self._conn.close()
            try:
                self._child.wait(EXIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._child.kill()
                self._child.wait()

    def _send(self, message: object) -> None:
        try:
            self._conn.send(message)
        except (OSError, EOFError) as exc:
            raise StoreError(f"the writer process is gone ({exc})") from None

    def _collect_oldest(self) -> Outcome[Tag]:
        tag, size = self._pending.popleft()
        try:
            written, error = self._conn.recv()
        except (OSError, EOFError):
            code = self._child.poll()
            return Outcome(tag, size, None, StoreError(f"the writer process died (exit {code})"))
        return Outcome(tag, size, written, error)


def serve(conn: Connection) -> None:
    """The child: receive the settings, then write each batch received, answering
    ``(WriteCounts, None)`` or ``(None, error)`` in order; stop at ``None`` or when the
    parent is gone."""
    try:
        settings: Settings = conn.recv()
    except (EOFError, OSError):
        return
    store = open_store(settings)
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            conn.send(_write(store, *message))
    finally:
        store.close()


def _write(store: Any, entity: str, rows: list[Any], extra: dict[str, Any]) -> tuple[Any, Any]:
    try:
        written: WriteCounts = getattr(store, f"upsert_{entity}")(rows, **extra)
    except Exception as exc:  # noqa: BLE001 - handed to the parent as the batch's outcome
        return None, _portable(exc)
    return written, None


def _portable(error: Exception) -> Exception:
    """``error`` if it survives pickling, else a :class:`StoreError` with its text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any unpicklable error is reported as text
        return StoreError(f"{type(error).__name__}: {error}")
    return error


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
