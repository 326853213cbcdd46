"""The import runner: validate rows, check them, upsert in batches, record the run.

Entities load in dependency order (people, communities, memberships, interactions,
activities, participations) in batches of ``settings.batch_size``, one store transaction
each. A row naming a person, community or activity that is neither in the store nor
accepted earlier in the same import is an error (never a silently created record); a
community may name a parent that appears later in its file. A key seen twice in one run
makes the later row an error (``duplicate id``); the keys seen are kept on disk
(:mod:`ingest.seen`), so memory does not grow with the file.

Modes: the default quarantines bad rows (their ``file:line: field: reason`` messages go
into the :class:`~graphsvc.model.ImportRun`) and loads the rest; ``strict`` first checks a
whole unit (one CSV file, or the whole NDJSON file) without writing and loads nothing from
it when any row is bad.

The run is recorded ``running`` when it starts and with its outcome when it ends; a run
stopped by ``should_stop`` (polled after every batch) ends ``interrupted`` after the
batches in flight have committed. Rows carry their provenance: a run given a
``source_system`` stamps it (and the row's own id as ``external_id``) on every row that
does not name its own.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from graphsvc.batching import BatchWriter, Outcome, Writer
from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError, UnknownReference, ValidationError
from graphsvc.interchange import (
    RowsParser,
    interaction_rows_parser,
)
from graphsvc.model import ImportRun, ImportStatus, interaction_row
from graphsvc.process_writer import ProcessWriter
from graphsvc.store import GraphStore
from ingest.checks import KnownIds
from ingest.identity import IdentityResolver
from ingest.outcome import (
    UNKNOWN_ENTITY,
    ImportResult,
    Progress,
    ProgressReport,
    Tally,
    final_status,
)
from ingest.reader import (
    CsvSource,
    Dataset,
    Source,
    Unit,
    estimated_rows,
    open_dataset,
    row_values,
)
from ingest.row_parser import RowParser, row_parser
from ingest.screen import Screen
from ingest.seen import SeenKeys

__all__ = ["ImportResult", "ImportOptions", "Loader", "new_run_id", "run_dataset", "run_import"]

#: from this many rows (estimated) an embedded store's batches are written by a child process
PROCESS_WRITER_MIN_ROWS = 50_000
#: a batch in flight: (file label, entity, first line, last line)
BatchTag = tuple[str, str, int, int]
Lines = list[tuple[int, Any]]
#: takes a batch: its source, first and last line, records (as the store takes them), extras
Sink = Callable[[Source, tuple[int, int], Sequence[Any], dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to run one import (besides the store and settings)."""

    strict: bool = False
    #: stamped on rows without their own ``source_system`` (None: rows keep what they say)
    source_system: str | None = None
    progress: Progress | None = None
    #: polled after every batch; True stops the run (``interrupted``)
    should_stop: Callable[[], bool] | None = None
    #: identity resolution of a named source's people (ingest.identity)
    match_email: bool = True
    id_map: Mapping[str, str] | None = None
    #: interaction CSVs parsed a column at a time (off: row by row; the same outcome, slower)
    columnar: bool = True


class Interrupted(Exception):
    """Raised inside the loader when ``should_stop`` says so (never escapes the runner)."""


class Loader:
    """Validates and loads the units of one dataset into ``store``."""

    def __init__(
        self, store: GraphStore, settings: Settings, options: ImportOptions, run_id: str
    ) -> None:
        self.store = store
        self.settings = settings
        self.options = options
        self.resolver = None
        if options.source_system is not None:
            self.resolver = IdentityResolver(
                store,
                options.source_system,
                run_id=run_id,
                match_email=options.match_email,
                id_map=options.id_map,
            )
        self.known = KnownIds(store)
        self.seen = SeenKeys()
        self.tally = Tally()
        self.rejected_units: list[str] = []
        self.writer: Writer[BatchTag] = BatchWriter[BatchTag](store)
        self.total: int | None = None

    def close(self) -> None:
        try:
            self.writer.close()
        finally:
            self.seen.close()

    def load(self, dataset: Dataset) -> None:
        self.total = _estimate(dataset)
        if _writes_in_a_process(self.store, self.total):
            self.writer.close()
            own = self.settings.with_overrides(store=self.store.location)
            self.writer = ProcessWriter[BatchTag](own)
        for unit in dataset.units:
            for source in unit.sources:
                self.tally.entity(source.entity)
            if self.options.strict:
                self._load_strict(unit)
            else:
                self._note_problems(unit)
                for source in unit.sources:
                    self._process(source, self.known, self._write)

    def _note_problems(self, unit: Unit) -> None:
        for problem in unit.problems:
            self.tally.reject(UNKNOWN_ENTITY, problem)

    def _load_strict(self, unit: Unit) -> None:
        before = self.tally.bad_rows
        self._note_problems(unit)
        with self.seen.trial():
            trial = self.known.fork()
            for source in unit.sources:
                self._process(source, trial, None)
        bad = self.tally.bad_rows - before
        if bad:
            self.rejected_units.append(unit.label)
            self.tally.note(
                f"{unit.label}: rejected (strict): {bad} bad row(s), nothing loaded from it"
            )
            for source in unit.sources:  # the good rows of the unit are rejected too
                self._reject_rest(source)
            return
        for source in unit.sources:
            self._process(source, self.known, self._write)

    def _reject_rest(self, source: Source) -> None:
        """Count the good rows of a strict-rejected source as rejected too (not loaded)."""
        per = self.tally.entity(source.entity)
        per["rejected"] = max(per["rejected"], sum(1 for _ in source.rows()))

    # -- one source ----------------------------------------------------------------------

    def _process(self, source: Source, known: KnownIds, sink: Sink | None) -> None:
        if (
            self.options.columnar
            and source.entity == "interactions"
            and isinstance(source, CsvSource)
        ):
            self._process_columns(source, known, sink)
            return
        screen = Screen(self, source, known, sink)
        parse = self._row_parser(source.entity)
        for line, values in source.rows():
            record = parse(source, line, values)
            if record is not None:
                screen.add(line, record)
        screen.finish()

    def _process_columns(self, source: CsvSource, known: KnownIds, sink: Sink | None) -> None:
        """The fast path of an interactions CSV: chunks parsed a column at a time
        (:func:`~graphsvc.interchange.interaction_rows_parser`); a row it leaves goes
        through the per-row parser, so every row ends as it would there."""
        screen = Screen(self, source, known, sink, rows=True)
        parse_one = self._row_parser(source.entity)
        parse_rows: RowsParser | None = None
        for header, chunk in source.record_chunks(self.settings.batch_size):
            if parse_rows is None:
                parse_rows = interaction_rows_parser(
                    header, self.settings.zone, self.options.source_system
                )
            parsed = parse_rows([cells for _line, cells in chunk])
            if None not in parsed:  # the common case
                lines = [line for line, _cells in chunk]
                screen.add_all(list(zip(lines, parsed, strict=True)))
                continue
            for (line, cells), row in zip(chunk, parsed, strict=True):
                if row is None:  # through the per-row parser, in line order
                    record = parse_one(source, line, row_values(header, cells))
                    if record is None:
                        continue
                    row = interaction_row(record)  # type: ignore[arg-type]
                screen.add(line, row)
        screen.finish()

    def _row_parser(self, entity: str) -> RowParser:
        return row_parser(entity, self.settings.zone, self.options.source_system, self.reject)

    def reject(self, source: Source, line: int, error: ValidationError) -> None:
        self.tally.reject(source.entity, f"{source.label}:{line}: {error.field}: {error.reason}")

    def _write(
        self, source: Source, lines: tuple[int, int], records: Sequence[Any], extra: dict[str, Any]
    ) -> None:
        """Hand the batch to the writer (it may still be in flight when this returns)."""
        tag = (source.label, source.entity, *lines)
        self.settle(self.writer.submit(source.entity, records, tag, **extra))
        if self.options.should_stop is not None and self.options.should_stop():
            self.settle(self.writer.drain())
            raise Interrupted

    def settle(self, outcomes: list[Outcome[BatchTag]]) -> None:
        """Count committed batches; quarantine a batch the store refused for a reference."""
        for (label, entity, first, last), size, written, error in outcomes:
            if isinstance(error, UnknownReference):
                self.tally.reject(
                    entity, f"{label}:{first}-{last}: batch not loaded: {error}", size
                )
            elif error is not None:
                raise error
            elif written is not None:
                self.tally.written(entity, written)
            if self.options.progress is not None:
                self.options.progress(ProgressReport(label, self.tally.processed(), self.total))


def _writes_in_a_process(store: GraphStore, rows: int | None) -> bool:
    """An embedded store (SQLite) writes a large import from a child process (see
    :mod:`graphsvc.process_writer`); a server store's writing already runs elsewhere."""
    embedded = urlsplit(store.location).scheme.lower() == "sqlite"
    return embedded and rows is not None and rows >= PROCESS_WRITER_MIN_ROWS


def _estimate(dataset: Dataset) -> int | None:
    """Rows in the whole dataset, estimated from line counts (None when unknown)."""
    total = 0
    for unit in dataset.units:
        for source in unit.sources:
            rows = estimated_rows(source)
            if rows is None:
                return None
            total += rows
    return total


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
    source_system: str | None = None,
    should_stop: Callable[[], bool] | None = None,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Import the dataset at ``path`` (an interchange folder, CSV or NDJSON file).

    Keyword arguments build the :class:`ImportOptions` unless ``options`` is given. See
    :func:`run_dataset`.
    """
    if options is None:
        options = ImportOptions(strict, source_system, progress, should_stop)
    return run_dataset(store, str(path), lambda: open_dataset(path), settings, options)


def run_dataset(
    store: GraphStore,
    source: str,
    open_data: Callable[[], Dataset],
    settings: Settings,
    options: ImportOptions,
    run_id: str | None = None,
) -> ImportResult:
    """Open a dataset with ``open_data()``, load it into ``store`` and record the run.

    File-level problems (encoding, empty file, bad header) raise
    :class:`~graphsvc.errors.InputError` after a ``failed`` run has been recorded; row
    problems are reported in the result (see the module docstring for the modes).
    """
    started = datetime.now(UTC)
    run = ImportRun(run_id or new_run_id(started), source, started)
    store.record_import_run(run)
    loader = Loader(store, settings, options, run.id)
    interrupted = False
    try:
        with _opened(open_data) as dataset:
            try:
                loader.load(dataset)
            except Interrupted:
                interrupted = True
            ignored = tuple(dataset.ignored)
    except GraphsvcError as exc:
        loader.tally.note(str(exc))
        with contextlib.suppress(GraphsvcError):
            _record(store, run, loader, ImportStatus.FAILED)
        raise
    except BaseException as exc:  # a bug or Ctrl-C: the run must not stay "running"
        stopped = isinstance(exc, KeyboardInterrupt)
        loader.tally.note("stopped by Ctrl-C" if stopped else f"internal error: {exc!r}")
        with contextlib.suppress(Exception):
            _record(
                store, run, loader, ImportStatus.INTERRUPTED if stopped else ImportStatus.FAILED
            )
        raise
    finally:
        loader.close()
    status = final_status(loader.tally, interrupted=interrupted)
    recorded = _record(store, run, loader, status)
    return ImportResult(recorded, loader.tally.bad_rows, tuple(loader.rejected_units), ignored)


@contextlib.contextmanager
def _opened(open_data: Callable[[], Dataset]) -> Iterator[Dataset]:
    dataset = open_data()
    try:
        yield dataset
    finally:
        dataset.close()


def _record(store: GraphStore, run: ImportRun, loader: Loader, status: ImportStatus) -> ImportRun:
    final = ImportRun(
        id=run.id,
        source=run.source,
        started_at=run.started_at,
        status=status,
        finished_at=datetime.now(UTC),
        counts=loader.tally.accepted(),
        errors=tuple(loader.tally.messages),
        outcomes={e: dict(per) for e, per in loader.tally.outcomes.items()},
    )
    store.record_import_run(final)
    return final
