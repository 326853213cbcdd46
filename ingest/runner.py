"""The import runner: validate rows, check references, upsert in batches, record the run.

Entities load in dependency order (people, communities, memberships, interactions,
activities, participations) in batches of ``settings.batch_size``, one store transaction
each. A row naming a person, community or activity that is neither in the store nor
accepted earlier in the same import is an error (never a silently created record); a
community may name a parent that appears later in its file. A key seen twice in one run
makes the later row an error (``duplicate id``).

Modes: the default quarantines bad rows (their ``file:line: field: reason`` messages go
into the :class:`~graphsvc.model.ImportRun`) and loads the rest; ``strict`` first checks a
whole unit (one CSV file, or the whole NDJSON file) without writing and loads nothing from
it when any row is bad.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from graphsvc.batching import BatchWriter, Outcome
from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError, UnknownReference, ValidationError
from graphsvc.interchange import SPECS, FileSpec, Record, RecordKey, parse_record, record_key
from graphsvc.interchange import singular as _singular
from graphsvc.model import Activity, Community, ImportRun, ImportStatus, Person
from graphsvc.store import GraphStore
from ingest.reader import Dataset, RowValues, Source, Unit, open_dataset

#: at most this many messages are kept in the import-run record (the count is always exact)
MAX_RECORDED_ERRORS = 10_000
#: entities whose ids other records refer to
_REFERENCED = ("people", "communities", "activities")

Progress = Callable[[str, int], None]
"""Called as ``progress(label, rows_done)`` after each batch."""


class KnownIds:
    """Ids a reference may name: in the store (listed once, lazily) or accepted in this run."""

    def __init__(self, store: GraphStore, stored: dict[str, set[str]] | None = None) -> None:
        self._store = store
        self._stored = {} if stored is None else stored
        self.added: dict[str, set[str]] = {entity: set() for entity in _REFERENCED}

    def has(self, entity: str, record_id: str) -> bool:
        return record_id in self.added[entity] or record_id in self._stored_ids(entity)

    def _stored_ids(self, entity: str) -> set[str]:
        if entity not in self._stored:
            listing: Iterator[Person | Community | Activity]
            listing = getattr(self._store, f"list_{entity}")()
            self._stored[entity] = {record.id for record in listing}
        return self._stored[entity]

    def fork(self) -> KnownIds:
        copy = KnownIds(self._store, self._stored)
        copy.added = {entity: set(ids) for entity, ids in self.added.items()}
        return copy


@dataclass
class RunState:
    """What one run has accepted so far (known ids and keys, for references and duplicates)."""

    known: KnownIds
    seen: dict[str, set[RecordKey]] = field(
        default_factory=lambda: {entity: set() for entity in SPECS}
    )

    def fork(self) -> RunState:
        return RunState(self.known.fork(), {e: set(keys) for e, keys in self.seen.items()})

    def accept(self, spec: FileSpec, record: Record) -> None:
        self.seen[spec.entity].add(record_key(record))
        if isinstance(record, Person | Community | Activity):
            self.known.added[spec.entity].add(record.id)


@dataclass
class ErrorLog:
    """Row messages (the first :data:`MAX_RECORDED_ERRORS`) and the exact count of bad rows."""

    messages: list[str] = field(default_factory=list)
    bad_rows: int = 0

    def add(self, message: str, *, row: bool = True) -> None:
        self.bad_rows += int(row)
        if len(self.messages) < MAX_RECORDED_ERRORS:
            self.messages.append(message)
        elif len(self.messages) == MAX_RECORDED_ERRORS:
            self.messages.append("… further messages not recorded")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The outcome of :func:`run_import`: the recorded run plus what the CLI reports."""

    run: ImportRun
    bad_rows: int
    rejected: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.run.status == ImportStatus.SUCCEEDED


Sink = Callable[[Source, list[tuple[int, Record]]], None]
#: a batch in flight: (file label, entity, first line, last line)
BatchTag = tuple[str, str, int, int]


class Loader:
    """Validates and loads the units of one dataset into ``store``."""

    def __init__(
        self, store: GraphStore, settings: Settings, *, strict: bool, progress: Progress | None
    ) -> None:
        self.store = store
        self.settings = settings
        self.strict = strict
        self.progress = progress
        self.state = RunState(KnownIds(store))
        self.errors = ErrorLog()
        self.counts: dict[str, int] = {}
        self.rejected: list[str] = []
        self.writer = BatchWriter[BatchTag](store)

    def load(self, dataset: Dataset) -> None:
        for unit in dataset.units:
            for source in unit.sources:
                self.counts.setdefault(source.entity, 0)
            if self.strict:
                self._load_strict(unit)
            else:
                for problem in unit.problems:
                    self.errors.add(problem)
                for source in unit.sources:
                    self._process(source, self.state, self._write)

    def _load_strict(self, unit: Unit) -> None:
        trial, before = self.state.fork(), self.errors.bad_rows
        for problem in unit.problems:
            self.errors.add(problem)
        for source in unit.sources:
            self._process(source, trial, None)
        bad = self.errors.bad_rows - before
        if bad:
            self.rejected.append(unit.label)
            self.errors.add(
                f"{unit.label}: rejected (strict): {bad} bad row(s), nothing loaded from it",
                row=False,
            )
            return
        for source in unit.sources:
            self._process(source, self.state, self._write)

    def _write(self, source: Source, batch: list[tuple[int, Record]]) -> None:
        """Hand the batch to the writer (it may still be in flight when this returns)."""
        tag = (source.label, source.entity, batch[0][0], batch[-1][0])
        self._settle(self.writer.submit(source.entity, [record for _line, record in batch], tag))

    def _settle(self, outcomes: list[Outcome[BatchTag]]) -> None:
        """Count committed batches; quarantine a batch the store refused for a reference."""
        for (label, entity, first, last), size, error in outcomes:
            if isinstance(error, UnknownReference):
                self.errors.add(f"{label}:{first}-{last}: batch not loaded: {error}")
                self.errors.bad_rows += size - 1
            elif error is not None:
                self.writer.close()
                raise error
            else:
                self.counts[entity] = self.counts.get(entity, 0) + size
            if self.progress is not None:
                self.progress(label, self.counts.get(entity, 0))

    def _process(self, source: Source, state: RunState, sink: Sink | None) -> None:
        spec = SPECS[source.entity]
        batch: list[tuple[int, Record]] = []
        waiting: list[tuple[int, Community]] = []
        for line, values in source.rows():
            record = self._validate(source.label, spec, line, values, state)
            if record is None:
                continue
            if isinstance(record, Community) and not _parent_known(record, state):
                state.seen[spec.entity].add(record.id)  # a later row with its id is a duplicate
                waiting.append((line, record))
                continue
            state.accept(spec, record)
            batch.append((line, record))
            if len(batch) >= self.settings.batch_size:
                self._flush(source, batch, sink)
        self._flush(source, batch, sink)
        if waiting:
            self._resolve_parents(source, waiting, state, sink)
        if sink is not None:  # the next entity may refer to these: let them commit first
            self._settle(self.writer.drain())

    def _validate(
        self, label: str, spec: FileSpec, line: int, values: RowValues, state: RunState
    ) -> Record | None:
        try:
            if isinstance(values, ValidationError):
                raise values
            record = parse_record(spec.entity, values, self.settings.zone)
            _check_record(spec, record, state)
        except ValidationError as exc:
            self.errors.add(f"{label}:{line}: {exc.field}: {exc.reason}")
            return None
        return record

    def _flush(self, source: Source, batch: list[tuple[int, Record]], sink: Sink | None) -> None:
        if not batch:
            return
        if sink is not None:
            sink(source, batch)
        batch.clear()

    def _resolve_parents(
        self,
        source: Source,
        waiting: list[tuple[int, Community]],
        state: RunState,
        sink: Sink | None,
    ) -> None:
        """Accept communities whose parent appeared later in the file, parents first."""
        spec = SPECS["communities"]
        while waiting:
            if sink is not None:  # parents written in the previous round must commit first
                self._settle(self.writer.drain())
            ready = [(line, c) for line, c in waiting if _parent_known(c, state)]
            if not ready:
                break
            waiting = [(line, c) for line, c in waiting if not _parent_known(c, state)]
            accepted: list[tuple[int, Record]] = []
            for line, community in ready:
                state.accept(spec, community)
                accepted.append((line, community))
            for start in range(0, len(accepted), self.settings.batch_size):
                self._flush(source, accepted[start : start + self.settings.batch_size], sink)
        for line, community in waiting:
            self.errors.add(
                f"{source.label}:{line}: parent_id: unknown community {community.parent_id!r}"
            )


def _parent_known(community: Community, state: RunState) -> bool:
    parent = community.parent_id
    return parent is None or state.known.has("communities", parent)


def _check_record(spec: FileSpec, record: Record, state: RunState) -> None:
    """Raise :class:`ValidationError` for a duplicate key or an unknown reference."""
    key = record_key(record)
    if key in state.seen[spec.entity]:
        shown = key if isinstance(key, str) else ", ".join(key)
        raise ValidationError(", ".join(spec.key), f"duplicate id ({shown})")
    for column, target in spec.references:
        if spec.entity == "communities":
            continue  # a parent may come later in the file: resolved after the pass
        value = getattr(record, column)
        if value is not None and not state.known.has(target, value):
            raise ValidationError(column, f"unknown {_singular(target)} {value!r}")


def _status(errors: ErrorLog, counts: dict[str, int]) -> ImportStatus:
    if not errors.messages:
        return ImportStatus.SUCCEEDED
    return ImportStatus.PARTIAL if any(counts.values()) else ImportStatus.FAILED


def new_run_id(now: datetime) -> str:
    """``import-20240301T101500Z-1a2b3c4d``: sortable by time, unique."""
    return f"import-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def run_import(
    store: GraphStore,
    path: Path,
    settings: Settings,
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the dataset at ``path`` into ``store`` and record the run.

    File-level problems (encoding, empty file, bad header) raise
    :class:`~graphsvc.errors.InputError` after a ``failed`` run has been recorded; row
    problems are reported in the result (see the module docstring for the modes).
    """
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    loader = Loader(store, settings, strict=strict, progress=progress)
    try:
        with open_dataset(path) as dataset:
            loader.load(dataset)
            ignored = tuple(dataset.ignored)
    except GraphsvcError as exc:
        loader.errors.add(str(exc), row=False)
        with contextlib.suppress(GraphsvcError):
            _record(store, run_id, str(path), started, loader, ImportStatus.FAILED)
        raise
    finally:
        loader.writer.close()
    status = _status(loader.errors, loader.counts)
    run = _record(store, run_id, str(path), started, loader, status)
    return ImportResult(run, loader.errors.bad_rows, tuple(loader.rejected), ignored)


def _record(
    store: GraphStore,
    run_id: str,
    source: str,
    started: datetime,
    loader: Loader,
    status: ImportStatus,
) -> ImportRun:
    run = ImportRun(
        id=run_id,
        source=source,
        started_at=started,
        status=status,
        finished_at=datetime.now(UTC),
        counts=dict(loader.counts),
        errors=tuple(loader.errors.messages),
    )
    store.record_import_run(run)
    return run
