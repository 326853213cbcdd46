"""Streaming readers of the interchange format: a CSV folder or one NDJSON file.

:func:`open_dataset` checks what can be checked per file before anything is written —
encoding (UTF-8 with or without BOM), non-empty, header columns — and raises one
:class:`~graphsvc.errors.InputError` naming the file when a file cannot be read at all.
Rows are then streamed (never a whole file in memory) as ``(line, values)`` pairs, where
``line`` is the physical line the record starts on (the header is line 1) and ``values``
is either the cells by column name or the :class:`~graphsvc.errors.ValidationError` that
makes the row unreadable (e.g. too many fields).

An NDJSON file is split once into per-type spool files in a temporary folder (:mod:`ingest.spool`)
so that its records can be loaded in dependency order whatever order the file lists them in.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

from graphsvc.errors import InputError, ValidationError
from graphsvc.interchange import SPECS, check_header

RowValues = Mapping[str, object] | ValidationError
CsvReader = Any  # what csv.reader returns (``_csv.reader``, not importable as a type)
Row = tuple[int, RowValues]
#: a CSV record: the line it starts on, and its cells or why it cannot be read
CsvRecord = tuple[int, list[str] | ValidationError]
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
_CHUNK = 1 << 20
_ROWS_PER_CHUNK = 1024


@dataclass(frozen=True, slots=True)
class CsvSource:
    """One interchange CSV file; :meth:`rows` may be called again for a second pass."""

    entity: str
    path: Path

    @property
    def label(self) -> str:
        return self.path.name

    def rows(self) -> Iterator[Row]:
        for header, chunk in self.record_chunks(_ROWS_PER_CHUNK):
            width = len(header)
            for line, cells in chunk:
                if cells.__class__ is list and len(cells) <= width:  # the common case
                    yield line, dict(zip(header, cells, strict=False))
                else:
                    yield line, row_values(header, cells)

    def record_chunks(self, size: int) -> Iterator[tuple[list[str], list[CsvRecord]]]:
        """The header (names stripped) with the records after it, ``size`` at a time, as
        :func:`csv_records` gives them (the columnar fast path reads these)."""
        with open_text(self.path) as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in _header(reader, self.label)]
            records = csv_records(reader, self.label)
            while chunk := list(itertools.islice(records, size)):
                yield header, chunk


def csv_records(reader: CsvReader, label: str) -> Iterator[CsvRecord]:
    """The records after the header, each with the physical line it starts on; blank lines
    and ``,,,`` rows are skipped; a record the csv module cannot read (e.g. a cell over its
    128 KiB limit) is a row error, so the rest of the file still loads."""
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, ValidationError("(csv)", f"malformed CSV: {exc}")
            continue
        if cells and (cells[0].strip() or "".join(cells).strip()):  # skip blank rows
            yield line, cells


def row_values(header: list[str], cells: list[str] | ValidationError) -> RowValues:
    """A record's cells by column name, or the error that makes it unreadable."""
    if isinstance(cells, ValidationError):
        return cells
    if len(cells) > len(header):
        return ValidationError(
            "(row)", f"{len(cells)} fields but the header has {len(header)} columns"
        )
    return dict(zip(header, cells, strict=False))


def _header(reader: Iterator[list[str]], label: str) -> list[str]:
    try:
        for cells in reader:
            if cells:
                return cells
    except csv.Error as exc:
        raise InputError(label, f"malformed CSV header: {exc}", line=1) from None
    raise InputError(label, "empty file (expected a header row)")


class Source(Protocol):
    """What the runner loads: the rows of one entity, from one file or one part of a file.

    :class:`CsvSource` and :class:`~ingest.spool.SpoolSource` are sources; so is any reader
    with these members (e.g. :class:`ingest.mapping.MappedSource`). ``label`` names the file in
    messages; :meth:`rows` streams ``(line, values)`` and may be called again for a second
    pass (``--strict``).
    """

    @property
    def entity(self) -> str: ...

    @property
    def label(self) -> str: ...

    def rows(self) -> Iterator[Row]: ...


def estimated_rows(source: Source) -> int | None:
    """Rows a source will yield, estimated by counting its file's lines (None: unknown).

    A source's ``path`` is a CSV file whose first line is its header (:class:`CsvSource`,
    :class:`~ingest.mapping.MappedSource`), its ``spool`` a spool file without one; a source
    with neither is unknown. Used for progress and ETA only: a quoted cell spanning lines
    counts more than once.
    """
    csv_path = getattr(source, "path", None)
    path = csv_path or getattr(source, "spool", None)
    if not isinstance(path, Path):
        return None
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            lines += chunk.count(b"\n")
    return max(lines - (1 if path is csv_path else 0), 0)


@dataclass(slots=True)
class Unit:
    """What ``--strict`` accepts or rejects as a whole: one CSV file, or a whole NDJSON file.

    ``problems`` are row messages found while splitting (bad JSON, unknown ``type``).
    """

    label: str
    sources: list[Source]
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Dataset:
    """An opened dataset: units in dependency order, files ignored, and temp files to remove."""

    path: Path
    units: list[Unit]
    ignored: list[str] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Dataset:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_dataset(path: Path) -> Dataset:
    """Open a folder of interchange CSVs, one such CSV, or one NDJSON file.

    Raises :class:`~graphsvc.errors.InputError` when the path holds no interchange file or
    a file is not UTF-8, empty, or has a bad header (every such problem is named).
    """
    if not path.exists():
        raise InputError(str(path), "no such file or folder")
    if path.is_file() and path.suffix.lower() in NDJSON_SUFFIXES:
        from ingest.spool import open_ndjson  # it builds on this module

        return open_ndjson(path)
    if path.is_file() and path.suffix.lower() in (".graphml", ".gexf"):
        from ingest.graphxml_read import open_graph_file  # it builds on this module

        return open_graph_file(path)
    if path.is_file():
        entity = _entity_of_csv(path)
        return Dataset(path, [_csv_unit(entity, path)])
    return _open_folder(path)


def _entity_of_csv(path: Path) -> str:
    for entity, spec in SPECS.items():
        if path.name == spec.filename:
            return entity
    expected = ", ".join(spec.filename for spec in SPECS.values())
    raise InputError(path.name, f"not an interchange file (expected one of {expected} or .ndjson)")


def _open_folder(folder: Path) -> Dataset:
    names = {spec.filename: entity for entity, spec in SPECS.items()}
    present = {p.name: p for p in folder.iterdir() if p.is_file()}
    units: list[Unit] = []
    problems: list[InputError] = []
    for filename, entity in names.items():
        if filename in present:
            try:
                units.append(_csv_unit(entity, present[filename]))
            except InputError as exc:
                problems.append(exc)
    _raise_all(problems)
    if not units:
        expected = ", ".join(names)
        raise InputError(str(folder), f"no interchange files found (expected any of {expected})")
    ignored = sorted(n for n in present if n.endswith(".csv") and n not in names)
    return Dataset(folder, units, ignored)


def _raise_all(problems: list[InputError]) -> None:
    """Raise the first problem, with the others appended to its reason (one line)."""
    if not problems:
        return
    first, rest = problems[0], problems[1:]
    reason = first.reason
    if rest:
        reason += "; also " + "; ".join(str(p) for p in rest)
    raise InputError(first.file, reason, line=first.line, field=first.field)


def _csv_unit(entity: str, path: Path) -> Unit:
    check_utf8(path)
    with open_text(path) as handle:
        header = _header(csv.reader(handle), path.name)
    problems = check_header(entity, header)
    if problems:
        _raise_all([InputError(path.name, reason, line=1, field=name) for name, reason in problems])
    return Unit(path.name, [CsvSource(entity, path)])


def check_utf8(path: Path) -> None:
    """Raise :class:`InputError` naming the file and line when it is not UTF-8 text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    with path.open("rb") as handle:
        first = True
        while chunk := handle.read(_CHUNK):
            if first and chunk[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                raise InputError(path.name, "UTF-16 text is not supported; save the file as UTF-8")
            first = False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines_before + chunk.count(b"\n", 0, exc.start) + 1
                bad = chunk[exc.start : exc.start + 1].hex()
                raise InputError(
                    path.name,
                    f"not UTF-8 text (byte 0x{bad}); save the file as UTF-8",
                    line=line,
                ) from None
            lines_before += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InputError(path.name, "not UTF-8 text (truncated character at the end)") from None


def open_text(path: Path) -> IO[str]:
    """A UTF-8 text file (a BOM is skipped), newlines as they are (for csv)."""
    return path.open(encoding="utf-8-sig", newline="")
