"""Batch writing with up to ``store.write_workers_for(entity)`` transactions in flight.

Each batch is still one store transaction (``upsert_<entity>``). A server store (Neo4j)
spends most of a batch's time in its own CPU — planning, creating relationships,
updating indexes, committing — so two batches in flight use both cores of a small
machine; an embedded store with one writer (SQLite) writes one batch at a time. Batches
always run in writer threads, so the caller prepares the next batch meanwhile.

Each entity has its own limit: Neo4j writes memberships
one batch at a time, since their batches all lock the same few community nodes. A batch
waits until fewer than its entity's limit are in flight, whatever their entity.

Callers keep dependency order by draining between entities: every batch of people has
committed before the first membership batch starts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, Generic, NamedTuple, Self, TypeVar

from graphsvc.model import ENTITIES
from graphsvc.store import GraphStore, WriteCounts

Tag = TypeVar("Tag")


class Outcome(NamedTuple, Generic[Tag]):
    """One finished batch: its tag, its size, what the store did, or the error it raised."""

    tag: Tag
    size: int
    written: WriteCounts | None  # None when the batch failed
    error: BaseException | None


class Writer(Generic[Tag]):
    """What every batch writer shares: batches in flight, their outcomes collected oldest
    first (each writer's :meth:`_collect_oldest`), :meth:`drain`, and closing when used as
    a context manager (:class:`BatchWriter`, :class:`graphsvc.process_writer.ProcessWriter`).
    """

    _pending: deque[Any]

    def submit(
        self, entity: str, rows: Sequence[Any], tag: Tag, **extra: Any
    ) -> list[Outcome[Tag]]:
        raise NotImplementedError

    def _collect_oldest(self) -> Outcome[Tag]:
        raise NotImplementedError

    def _make_room(self, limit: int) -> list[Outcome[Tag]]:
        """Collect the oldest batches until fewer than ``limit`` are in flight."""
        finished = []
        while len(self._pending) >= limit:
            finished.append(self._collect_oldest())
        return finished

    def drain(self) -> list[Outcome[Tag]]:
        """Wait for every batch in flight; their outcomes in submission order."""
        return [self._collect_oldest() for _ in range(len(self._pending))]

    def close(self) -> None:
        self.drain()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class BatchWriter(Writer[Tag]):
    """Submit batches (each tagged by the caller); collect outcomes in submission order.

    An :class:`Outcome` carries the store's :class:`~graphsvc.store.WriteCounts` when the
    batch committed, else the exception its transaction raised (nothing of that batch was
    written).
    ``workers`` (when given) is the limit for every entity instead of the store's.
    """

    def __init__(self, store: GraphStore, workers: int | None = None) -> None:
        self._store = store
        self._fixed = None if workers is None else max(1, workers)
        pool_size = self._fixed or max(store.write_workers_for(entity) for entity in ENTITIES)
        # even one batch in flight runs in a thread: the caller prepares the next batch
        # (parsing, validating) while the store writes this one
        self._pool = ThreadPoolExecutor(pool_size, thread_name_prefix="graphsvc-write")
        self._pending: deque[tuple[Tag, int, Future[WriteCounts]]] = deque()

    def submit(
        self, entity: str, rows: Sequence[Any], tag: Tag, **extra: Any
    ) -> list[Outcome[Tag]]:
        """Start writing ``rows`` (``upsert_<entity>(rows, **extra)``); return the outcomes
        of batches finished meanwhile.

        Blocks while the entity's limit of batches (any entity's) is already in flight.
        ``rows`` must not change until the batch is written (a fresh list or batch).
        """
        upsert: Callable[..., WriteCounts] = getattr(self._store, f"upsert_{entity}")
        finished = self._make_room(self._limit(entity))
        self._pending.append((tag, len(rows), self._pool.submit(upsert, rows, **extra)))
        return finished

    def close(self) -> None:
        self.drain()
        self._pool.shutdown()

    def _limit(self, entity: str) -> int:
        if self._fixed is not None:
            return self._fixed
        return max(1, self._store.write_workers_for(entity))

    def _collect_oldest(self) -> Outcome[Tag]:
        tag, size, future = self._pending.popleft()
        error = future.exception()
        return Outcome(tag, size, None if error is not None else future.result(), error)


def write_all(
    store: GraphStore,
    entity: str,
    rows: Sequence[Any],
    batch_size: int,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Upsert ``rows`` in batches of ``batch_size``, concurrently where the store allows.

    Raises the first batch's error after every batch in flight has finished; returns the
    number of rows written. ``on_progress(rows_done)`` is called as batches commit.
    """
    done = 0
    first_error: BaseException | None = None
    with BatchWriter[int](store) as writer:
        for start in range(0, len(rows), batch_size):
            outcomes = writer.submit(entity, rows[start : start + batch_size], start)
            done, first_error = _account(outcomes, done, first_error, on_progress)
            if first_error is not None:
                break
        done, first_error = _account(writer.drain(), done, first_error, on_progress)
    if first_error is not None:
        raise first_error
    return done


def _account(
    outcomes: list[Outcome[int]],
    done: int,
    first_error: BaseException | None,
    on_progress: Callable[[int], None] | None,
) -> tuple[int, BaseException | None]:
    for _tag, size, _written, error in outcomes:
        if error is None:
            done += size
            if on_progress is not None:
                on_progress(done)
        elif first_error is None:
            first_error = error
    return done, first_error
