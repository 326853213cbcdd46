"""Property tests of ``run_import`` against a real SQLite store (a fresh one per example).

* **raw bytes** — arbitrary bytes, and near-valid mutations of a valid dataset, as
  ``people.csv`` / ``interactions.csv`` / an ``.ndjson`` file: the import either returns a
  result or raises a :class:`~graphsvc.errors.GraphsvcError`, never anything else, and
  the store holds exactly what the recorded run says it loaded.
* **generated rows** — every interchange column (from ``SPECS``) drawn valid and invalid:
  each row is loaded (and then equals ``parse_record`` of that row) or reported once as
  ``file:line: field: reason`` with the line it starts on; loaded + bad = rows given; the
  store counts equal the run's counts (no half-written batch); ``--strict`` loads nothing
  from a file with a bad row. The expected outcome of every row comes from :func:`predict`,
  which applies the documented rules (docs/interchange.md) row by row.
* **regressions** — inputs that once crashed the import (:data:`KNOWN_CRASHES`), each a
  named case that must now give a result or a graphsvc error.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import re
import tempfile
import typing
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError, InputError, ValidationError
from graphsvc.interchange import (
    SPECS,
    FileSpec,
    Record,
    RecordKey,
    parse_record,
    record_key,
    sorted_records,
    write_csv_folder,
    write_ndjson,
)
from graphsvc.model import (
    Activity,
    ActivityKind,
    Community,
    ImportStatus,
    Interaction,
    InteractionKind,
    Membership,
    MembershipRole,
    Participation,
    ParticipationRole,
    Person,
)
from graphsvc.store import GraphStore, open_store
from ingest.runner import ImportResult, run_import
from ingest.writer import export_store

PROPERTY = hypothesis_settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what splits lines for the readers (newline="")


# --- one import into a fresh store ---------------------------------------------------------


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


# --- raw bytes ----------------------------------------------------------------------------


def _valid_records() -> dict[str, list[Record]]:
    at = datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    return {
        "people": [
            Person("p1", 'Ana, "A"', email="ana@example.org", topics=("graphs", "python")),
            Person("p2", "Bo", joined_at=at, mentor_capacity=2, attrs={"team": "blue"}),
            Person("p3", "Čedo", consent=False, expertise=("ml",)),
        ],
        "communities": [Community("c1", "Graphs"), Community("c2", "Sub", parent_id="c1")],
        "memberships": [
            Membership("p1", "c1"),
            Membership("p2", "c2", MembershipRole.MODERATOR, since=at),
        ],
        "interactions": [
            Interaction("i1", InteractionKind.MENTORING, "p1", "p2", at, weight=2.5, topic="t"),
            Interaction("i2", InteractionKind.COLLABORATION, "p2", "p3", at + timedelta(days=3)),
        ],
        "activities": [Activity("a1", "Kick-off", at, ActivityKind.WORKSHOP, community_id="c1")],
        "participations": [
            Participation("a1", "p1", ParticipationRole.ORGANISER),
            Participation("a1", "p3"),
        ],
    }


def _valid_files() -> dict[str, bytes]:
    records = _valid_records()
    sources = {entity: (lambda rows=rows: sorted_records(rows)) for entity, rows in records.items()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv_folder(folder, sources)
        write_ndjson(folder / "data.ndjson", sources)
        return {path.name: path.read_bytes() for path in folder.iterdir()}


VALID_FILES = _valid_files()
FILE_NAMES = sorted(VALID_FILES)


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` after 1–3 near-valid damages: flips, cuts, BOMs, CRLF, NULs, quotes, …"""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(MUTATIONS))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "crlf":
            data = data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n"])))
        elif kind == "utf16":
            data = data.decode("utf-8", "replace").encode(draw(st.sampled_from(UTF16)))
        else:
            data = data[:at] + draw(INSERTS[kind]) + data[at:]
    return data


UTF16 = ["utf-16", "utf-16-le", "utf-16-be"]
INSERTS: dict[str, st.SearchStrategy[bytes]] = {
    "bom": st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF8 * 2, codecs.BOM_UTF16_LE]),
    "nul": st.sampled_from([b"\x00", b"\x00" * 3]),
    "quote": st.sampled_from([b'"', b'""', b'",', b'"\n']),
    "separator": st.sampled_from([b",", b";", b"\t", b"\n", b",,,,\n", b"{", b"}"]),
    # past csv's field limit (131072): a file error (test_a_file_error_found_mid_file_…)
    "long": st.sampled_from([b"x" * 5000, b"y" * 140_000, b'"' + b"z" * 140_000]),
    "junk": st.binary(min_size=1, max_size=16),
}
MUTATIONS = ["flip", "truncate", "crlf", "utf16", *INSERTS]


def write_files(folder: Path, files: Mapping[str, bytes]) -> Path:
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def run_raw(
    files: Mapping[str, bytes], target: str | None, settings: Settings | None = None
) -> None:
    """Write ``files``, import the folder (or ``target`` in it), check the outcome."""
    with fresh_store() as (tmp, store):
        data = write_files(tmp / "data", files)
        path = data if target is None else data / target
        outcome = import_or_error(store, path, settings or Settings(batch_size=2))
        assert_store_matches_recorded_run(store, outcome)


CSV_NAMES = [name for name in FILE_NAMES if name.endswith(".csv")]


@PROPERTY
@given(name=st.sampled_from(["people.csv", "interactions.csv", "data.ndjson"]), raw=st.binary())
def test_arbitrary_bytes_give_a_result_or_a_graphsvc_error(name: str, raw: bytes) -> None:
    files = {n: VALID_FILES[n] for n in CSV_NAMES} if name.endswith(".csv") else {}
    run_raw({**files, name: raw}, None if name.endswith(".csv") else name)


@hypothesis_settings(PROPERTY, max_examples=150)
@given(data=st.data(), name=st.sampled_from(FILE_NAMES))
def test_damaged_valid_files_give_a_result_or_a_graphsvc_error(
    data: st.DataObject, name: str
) -> None:
    damaged = data.draw(mutated(VALID_FILES[name]))
    if name.endswith(".ndjson"):
        run_raw({name: damaged}, name)
    else:
        run_raw({**{n: VALID_FILES[n] for n in CSV_NAMES}, name: damaged}, None)


def test_the_undamaged_files_load_completely() -> None:
    """The seed of the mutations is valid (else the damage tests prove little)."""
    expected = {entity: len(rows) for entity, rows in _valid_records().items()}
    for target in (None, "data.ndjson"):
        with fresh_store() as (tmp, store):
            data = write_files(tmp / "data", VALID_FILES)
            result = run_import(store, data if target is None else data / target, Settings())
            assert result.ok and result.run.counts == expected


# --- generated rows: cells ----------------------------------------------------------------

#: ids one entity's rows use and other rows refer to (small pools: duplicates, references)
POOLS = {
    "people": ("p1", "p2", "p3", "p4", "p5", "p6"),
    "communities": ("c1", "c2", "c3", "c4"),
    "activities": ("a1", "a2", "a3"),
    "interactions": ("i1", "i2", "i3", "i4", "i5", "i6"),
}
REFERENCED = ("people", "communities", "activities")
TRICKY_TEXT = [
    '"',
    'say "hi"',
    "a,b",
    ";",
    "line\nbreak",
    "cr\ronly",
    "\x00nul",
    "\ufeff",
    "x" * 3000,
]
any_text = st.text(st.characters(codec="utf-8"), max_size=10) | st.sampled_from(TRICKY_TEXT)
EARLIEST, LATEST = datetime(1000, 1, 1), datetime(9000, 12, 31)
MODERATE = st.datetimes(EARLIEST, LATEST)
OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
#: naive extremes: fine in UTC; in a zone east or west of UTC they crash (see KNOWN_CRASHES)
EXTREME_NAIVE = st.sampled_from(["0001-01-01", "0001-01-01T00:00", "9999-12-31T23:59:59.999999"])
BAD_DATES = [
    "yesterday", "2024-13-01", "2024-02-30", "10000-01-01", "0000-01-01", "2024-03-01T25:00",
    "1e5", "+-1", "2024-03-01T10:15:00+24:00", "99999999999999", "-99999999999999",
]  # fmt: skip


def _datetimes(extremes: bool) -> st.SearchStrategy[str]:
    forms = [
        st.dates(EARLIEST.date(), LATEST.date()).map(str),
        st.tuples(MODERATE, st.sampled_from("T ")).map(lambda m: m[0].isoformat(m[1])),
        st.tuples(MODERATE, OFFSETS).map(lambda m: m[0].replace(tzinfo=m[1]).isoformat()),
        MODERATE.map(lambda moment: moment.isoformat() + "Z"),
        st.integers(-(10**10), 10**10).map(str),
        st.floats(-1e10, 1e10).map(lambda seconds: f"{seconds:.3f}"),
    ]
    return st.one_of(*forms, EXTREME_NAIVE) if extremes else st.one_of(*forms)


@dataclass(frozen=True)
class CellKind:
    """What a column's cells look like: mostly ``valid``, sometimes ``wild`` (often bad)."""

    valid: st.SearchStrategy[str]
    wild: st.SearchStrategy[str]


@functools.cache
def _kinds(extremes: bool) -> dict[str, CellKind]:
    return {
        "text": CellKind(any_text, any_text),
        "datetime": CellKind(_datetimes(extremes), st.sampled_from(BAD_DATES) | any_text),
        "list": CellKind(
            st.lists(
                st.sampled_from(["a", " b ", "", "a", "graph theory"]) | any_text, max_size=4
            ).map(";".join),
            any_text,
        ),
        "int": CellKind(
            st.integers(0, 10**12).map(str) | st.just(" 3 "),
            st.sampled_from(["-1", "1.5", "x", "1_000", "+4", "٣"]) | any_text,
        ),
        "float": CellKind(
            st.floats(0, 1e300).map(repr) | st.sampled_from(["1", "0", " 2.5 "]),
            st.floats().map(repr) | st.sampled_from(["-1", "1e309", "abc", "1_000"]) | any_text,
        ),
        "bool": CellKind(
            st.sampled_from(["yes", "no", "YES", " y ", "N", "true", "False", "1", "0"]),
            st.sampled_from(["maybe", "2", "oui"]) | any_text,
        ),
    }


EMAILS = st.from_regex(r"\A[a-z0-9._-]{1,8}@[a-z0-9-]{1,8}\.[a-z]{2,4}\Z")
BAD_EMAILS = st.sampled_from(["a@b", "no-at", "a b@c.de", "a@b@c.de", "@x.yz"]) | any_text


@functools.cache
def _enum_of(spec: FileSpec, name: str) -> type[StrEnum] | None:
    hint = typing.get_type_hints(spec.model).get(name)
    return hint if isinstance(hint, type) and issubclass(hint, StrEnum) else None


def _ids(entity: str, optional: bool = False) -> CellKind:
    pool = st.sampled_from(POOLS[entity][:2]) | st.sampled_from(POOLS[entity])  # the first
    wild = st.sampled_from(["zz", f" {POOLS[entity][0]} "]) | any_text
    return CellKind(st.just("") | pool if optional else pool, wild)


def cell_kind(spec: FileSpec, name: str, kinds: Mapping[str, CellKind]) -> CellKind:
    """The cells of column ``name``: ids from the pools, vocabularies, e-mails, or by kind."""
    targets = dict(spec.references)
    enum = _enum_of(spec, name)
    optional = name not in spec.required
    if name in targets:
        return _ids(targets[name], optional)
    if name == "id" and spec.entity in POOLS:
        return _ids(spec.entity, optional)
    if name == "email":
        return CellKind(EMAILS, BAD_EMAILS)
    if enum is not None:
        values = [member.value for member in enum]
        bad = st.sampled_from([values[0].upper(), "club"]) | any_text
        return CellKind(st.sampled_from(values) | st.just(f" {values[0]} "), bad)
    column = next(c for c in spec.columns if c.name == name)
    return kinds[column.kind]


@st.composite
def cell(draw: st.DrawFn, kind: CellKind, required: bool, tame: bool) -> str:
    """A valid cell (or a blank optional one); unless ``tame``, sometimes wild or blank."""
    choice = draw(st.integers(2 if tame else 0, 29))
    if choice == 0:
        return draw(kind.wild)
    if choice == 1:
        return draw(st.sampled_from(["", "  "]))  # blank: absent (an error when required)
    return draw(kind.valid) if required or choice > 5 else ""


# --- generated rows: files ----------------------------------------------------------------

#: ``(line, values)`` of the non-blank rows of one source; None: a row with too many cells
SourceRows = list[tuple[int, Mapping[str, object] | None]]


@dataclass(frozen=True)
class CsvFile:
    """A generated interchange CSV: its header and rows of cells (as the reader gives them)."""

    entity: str
    header: list[str]
    rows: list[list[str]]

    @property
    def label(self) -> str:
        return SPECS[self.entity].filename


ATTR_NAMES = st.text("abcxyz_- é", min_size=1, max_size=6).map(str.strip).filter(bool)


@st.composite
def csv_file(draw: st.DrawFn, entity: str, extremes: bool = True) -> CsvFile:
    spec, kinds = SPECS[entity], _kinds(extremes)
    optional = [column.name for column in spec.columns if not column.required]
    chosen = draw(st.lists(st.sampled_from(optional), unique=True)) if optional else []
    header = draw(st.permutations([*spec.required, *chosen]))
    if spec.extra_columns_are_attrs:
        header += draw(
            st.lists(
                ATTR_NAMES.filter(lambda n: n not in spec.column_names), max_size=2, unique=True
            )
        )
    columns = [
        (cell_kind(spec, name, kinds), name in spec.required) if name in spec.column_names
        else (kinds["text"], False)
        for name in header
    ]  # fmt: skip
    rows, tame = [], draw(st.booleans())
    for index in range(draw(st.integers(0, 8))):
        cells = [draw(cell(kind, required, tame)) for kind, required in columns]
        if entity in REFERENCED and draw(st.integers(0, 4)):  # mostly the pool in order:
            cells[header.index("id")] = POOLS[entity][index % len(POOLS[entity])]  # few dups
        shape = draw(st.integers(2 if tame else 0, 15))  # now and then too short or long
        cells = cells[:-1] if shape == 0 else [*cells, "extra"] if shape == 1 else cells
        if shape == 15:  # a blank row: skipped, however many spaces its cells hold
            cells = [draw(st.sampled_from(["", " ", "\t"])) for _ in header]
        rows.append(cells)
    return CsvFile(entity, header, rows)


def write_csv_file(folder: Path, file: CsvFile, crlf: bool, bom: bool) -> list[int]:
    """Write ``file`` with real CSV quoting; returns the line each row starts on."""
    # csv quotes a lone "\r" only when it is part of the line terminator: so "\n" ends go
    # with every cell quoted
    buffer = io.StringIO()
    writer = (
        csv.writer(buffer)
        if crlf
        else csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    )
    writer.writerow(file.header)
    starts = []
    for cells in file.rows:
        starts.append(1 + len(LINE_BREAK.findall(buffer.getvalue())))
        writer.writerow(cells)
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    (folder / file.label).write_text(text, encoding="utf-8", newline="")
    return starts


def csv_rows(file: CsvFile, starts: list[int]) -> SourceRows:
    """``(line, cells by column)`` of the non-blank rows; None for a row with too many cells."""
    return [
        (
            line,
            None if len(cells) > len(file.header) else dict(zip(file.header, cells, strict=False)),
        )
        for line, cells in zip(starts, file.rows, strict=True)
        if any(cell.strip() for cell in cells)
    ]


# --- generated rows: what the documented rules say must happen ----------------------------


@dataclass(frozen=True)
class Bad:
    """Why a row must be reported: ``field`` and ``reason`` (exact, or how it starts)."""

    field: str
    reason: str
    exact: bool = False


@dataclass
class Expected:
    """What an import must do: records loaded per entity, rows reported, units rejected."""

    loaded: dict[str, dict[RecordKey, Record]] = field(default_factory=dict)
    bad: dict[tuple[str, int], Bad] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    given: int = 0  # non-blank rows


@dataclass
class UnitRows:
    """What a reader makes of one unit (a CSV file, or a whole NDJSON file)."""

    label: str
    sources: list[tuple[str, SourceRows]]  # (entity, rows) in dependency order
    problems: dict[int, Bad] = field(default_factory=dict)  # lines no source could take


def predict(units: list[UnitRows], settings: Settings, strict: bool) -> Expected:
    """Apply docs/interchange.md to every unit's rows, in dependency order."""
    expected = Expected()
    known: dict[str, set[str]] = {entity: set() for entity in REFERENCED}
    for unit in units:
        unit_label, sources = unit.label, unit.sources
        trial = {entity: set(ids) for entity, ids in known.items()}
        bad_before = len(expected.bad)
        expected.given += len(unit.problems)
        expected.bad.update({(unit_label, line): bad for line, bad in unit.problems.items()})
        accepted = {}
        for entity, rows in sources:
            expected.given += len(rows)
            accepted[entity] = predict_source(unit_label, entity, rows, settings, trial, expected)
        if strict and len(expected.bad) > bad_before:
            expected.rejected.append(unit_label)
            continue
        known = trial
        for entity, records in accepted.items():
            expected.loaded.setdefault(entity, {}).update(records)
    return expected


def predict_source(
    label: str,
    entity: str,
    rows: SourceRows,
    settings: Settings,
    known: dict[str, set[str]],
    expected: Expected,
) -> dict[RecordKey, Record]:
    spec, seen = SPECS[entity], set()
    accepted: dict[RecordKey, Record] = {}
    waiting: list[tuple[int, Community]] = []

    def accept(record: Record) -> None:
        accepted[record_key(record)] = record
        if entity in known:
            known[entity].add(record.id)  # type: ignore[union-attr]

    for line, values in rows:
        if values is None:
            expected.bad[label, line] = Bad("(row)", "")
            continue
        try:
            record = parse_record(entity, values, settings.zone)
        except ValidationError as exc:
            expected.bad[label, line] = Bad(exc.field, exc.reason, exact=True)
            continue
        key = record_key(record)
        if key in seen:
            expected.bad[label, line] = Bad(", ".join(spec.key), "duplicate id")
            continue
        if isinstance(record, Community):  # the parent may come later in the file
            seen.add(key)
            if record.parent_id is None or record.parent_id in known[entity]:
                accept(record)
            else:
                waiting.append((line, record))
            continue
        missing = [c for c, target in spec.references if _unknown(record, c, known[target])]
        if missing:
            expected.bad[label, line] = Bad(missing[0], "unknown ")
            continue
        seen.add(key)
        accept(record)
    while ready := [(line, c) for line, c in waiting if c.parent_id in known[entity]]:
        for item in ready:
            waiting.remove(item)
            accept(item[1])
    for line, _community in waiting:
        expected.bad[label, line] = Bad("parent_id", "unknown community")
    return accepted


def _unknown(record: Record, column: str, ids: set[str]) -> bool:
    value = getattr(record, column)
    return value is not None and value not in ids


def check_import(store: GraphStore, result: ImportResult, expected: Expected, strict: bool) -> None:
    """Every row loaded (equal to its parse) or reported once at its line; counts agree."""
    row_messages: dict[tuple[str, int], str] = {}
    other_messages = []
    for message in result.run.errors:
        where = re.match(r"([^:]+):(\d+): ", message)
        if where is None:
            other_messages.append(message)
            continue
        key = (where[1], int(where[2]))
        assert key not in row_messages, f"two messages for one row: {message}"
        row_messages[key] = message
    assert set(row_messages) == set(expected.bad), result.run.errors
    for (label, line), bad in expected.bad.items():
        prefix = f"{label}:{line}: {bad.field}: {bad.reason}"
        message = row_messages[label, line]
        assert message == prefix if bad.exact else message.startswith(prefix), (message, prefix)
    assert len(other_messages) == len(expected.rejected), other_messages
    assert all("rejected (strict)" in message for message in other_messages)
    assert sorted(result.rejected) == sorted(expected.rejected)
    assert result.bad_rows == len(expected.bad)
    counts = store.counts()
    for entity in SPECS:
        records = expected.loaded.get(entity, {})
        assert store_records(store, entity) == records, entity
        assert counts[entity] == result.run.counts.get(entity, 0) == len(records), entity
    loaded = sum(len(records) for records in expected.loaded.values())
    if not strict:
        assert loaded + result.bad_rows == expected.given
    assert result.run.status == (
        ImportStatus.SUCCEEDED
        if not result.run.errors
        else ImportStatus.PARTIAL
        if loaded
        else ImportStatus.FAILED
    )


# --- generated rows: the tests -------------------------------------------------------------


@st.composite
def csv_dataset(draw: st.DrawFn, entities: tuple[str, ...], extremes: bool = True) -> list[CsvFile]:
    return [draw(csv_file(entity, extremes)) for entity in SPECS if entity in entities]


def import_csv_dataset(
    files: list[CsvFile], settings: Settings, *, strict: bool = False, crlf: bool, bom: bool
) -> None:
    with fresh_store() as (tmp, store):
        folder = tmp / "data"
        folder.mkdir()
        units = []
        for file in files:
            starts = write_csv_file(folder, file, crlf, bom)
            units.append(UnitRows(file.label, [(file.entity, csv_rows(file, starts))]))
        path = folder / files[0].label if len(files) == 1 else folder
        result = run_import(store, path, settings, strict=strict)
        check_import(store, result, predict(units, settings, strict), strict)


ALL_FILES = tuple(SPECS)
batch_sizes = st.integers(1, 4)


@hypothesis_settings(PROPERTY, max_examples=60)
@given(csv_dataset(("people",)), batch_sizes, st.booleans(), st.booleans())
def test_people_rows_are_loaded_as_parsed_or_reported_at_their_line(
    files: list[CsvFile], batch_size: int, crlf: bool, bom: bool
) -> None:
    import_csv_dataset(files, Settings(batch_size=batch_size), crlf=crlf, bom=bom)


@hypothesis_settings(PROPERTY, max_examples=60)
@given(csv_dataset(("people", "interactions")), batch_sizes, st.booleans())
def test_interaction_rows_are_loaded_as_parsed_or_reported_at_their_line(
    files: list[CsvFile], batch_size: int, crlf: bool
) -> None:
    import_csv_dataset(files, Settings(batch_size=batch_size), crlf=crlf, bom=False)


@hypothesis_settings(PROPERTY, max_examples=50)
@given(csv_dataset(ALL_FILES), batch_sizes, st.booleans())
def test_every_file_row_by_row(files: list[CsvFile], batch_size: int, crlf: bool) -> None:
    import_csv_dataset(files, Settings(batch_size=batch_size), crlf=crlf, bom=crlf)


@hypothesis_settings(PROPERTY, max_examples=30)
@given(csv_dataset(ALL_FILES, extremes=False), st.sampled_from(["America/St_Johns", "Asia/Tokyo"]))
def test_naive_times_are_read_in_the_configured_zone(files: list[CsvFile], zone: str) -> None:
    import_csv_dataset(files, Settings(batch_size=3, timezone=zone), crlf=True, bom=False)


@hypothesis_settings(PROPERTY, max_examples=50)
@given(csv_dataset(ALL_FILES), batch_sizes)
def test_strict_loads_nothing_from_a_file_with_a_bad_row(
    files: list[CsvFile], batch_size: int
) -> None:
    import_csv_dataset(files, Settings(batch_size=batch_size), strict=True, crlf=True, bom=False)


@hypothesis_settings(PROPERTY, max_examples=20)
@given(
    st.sampled_from([entity for entity in SPECS if not SPECS[entity].extra_columns_are_attrs]),
    ATTR_NAMES,
)
def test_an_unknown_column_outside_people_is_a_file_error(entity: str, name: str) -> None:
    header = [*SPECS[entity].required, name]
    with fresh_store() as (tmp, store):
        folder = tmp / "data"
        folder.mkdir()
        (folder / SPECS[entity].filename).write_text(",".join(f'"{n}"' for n in header) + "\n")
        with pytest.raises(InputError) as raised:
            run_import(store, folder, Settings())
        if name not in SPECS[entity].column_names:
            assert raised.value.file == SPECS[entity].filename and raised.value.field == name
        assert sum(store.counts()[e] for e in SPECS) == 0


# --- generated NDJSON ---------------------------------------------------------------------

#: native JSON values a column of each kind accepts (besides its CSV text forms)
NATIVE: dict[str, st.SearchStrategy[object]] = {
    "text": st.text(st.characters(codec="utf-8"), max_size=8) | st.integers(-(10**6), 10**6),
    "datetime": st.integers(-(10**10), 10**10) | st.floats(-1e10, 1e10),
    "list": st.lists(
        st.text(st.characters(codec="utf-8"), max_size=5) | st.integers(0, 9), max_size=3
    ),
    "int": st.integers(0, 10**12),
    "float": st.floats(0, 1e300) | st.integers(0, 10**12),
    "bool": st.booleans(),
}
#: any JSON value inside what the product handles today (no ints ≥ 2**63, no surrogates)
WILD_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats()
    | st.text(st.characters(codec="utf-8"), max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
BROKEN_LINES = ["{", "[1]", "null", '"person"', '{"type":"planet"}', '{"id":"p1"}', '{"type":7}']


@st.composite
def json_value(draw: st.DrawFn, spec: FileSpec, name: str, tame: bool) -> object:
    column = next(c for c in spec.columns if c.name == name)
    kind = cell_kind(spec, name, _kinds(True))
    choice = draw(st.integers(0, 9))
    plain = kind is _kinds(True).get(column.kind)  # not an id, e-mail or vocabulary column
    if choice < 5 or not plain:
        return draw(cell(kind, column.required, tame))
    return draw(NATIVE[column.kind]) if choice < 9 or tame else draw(WILD_JSON)


@st.composite
def json_record(draw: st.DrawFn, entity: str) -> dict[str, object]:
    spec, tame = SPECS[entity], draw(st.booleans())
    obj: dict[str, object] = {"type": spec.record_type}
    for column in spec.columns:
        if column.required or draw(st.booleans()):
            obj[column.name] = draw(json_value(spec, column.name, tame))
    if spec.extra_columns_are_attrs and draw(st.booleans()):
        obj["attrs"] = draw(st.dictionaries(ATTR_NAMES, WILD_JSON if not tame else any_text))
    return obj


@st.composite
def ndjson_lines(draw: st.DrawFn) -> list[str]:
    entities = ["people", "people", *SPECS]
    lines = []
    for _ in range(draw(st.integers(0, 14))):
        if draw(st.integers(0, 14)) == 0:
            lines.append(draw(st.sampled_from(["", "   ", *BROKEN_LINES])))
        else:
            obj = draw(json_record(draw(st.sampled_from(entities))))
            lines.append(json.dumps(obj, ensure_ascii=draw(st.booleans())))
    return lines


def ndjson_unit(label: str, lines: list[str]) -> UnitRows:
    """What the documented NDJSON rules make of ``lines`` (each line a record or a problem)."""
    rows: dict[str, SourceRows] = {}
    problems: dict[int, Bad] = {}
    for line, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except ValueError:
            problems[line] = Bad("(json)", "not valid JSON")
            continue
        entity = {spec.record_type: e for e, spec in SPECS.items()}.get(
            obj.get("type") if isinstance(obj, dict) else None  # type: ignore[arg-type]
        )
        if not isinstance(obj, dict):
            problems[line] = Bad("(json)", "")
        elif entity is None:
            problems[line] = Bad("type", "")
        else:
            rows.setdefault(entity, []).append(
                (line, {k: v for k, v in obj.items() if k != "type"})
            )
    return UnitRows(label, [(e, rows[e]) for e in SPECS if e in rows], problems)


@hypothesis_settings(PROPERTY, max_examples=60)
@given(ndjson_lines(), batch_sizes, st.booleans(), st.sampled_from(["\n", "\r\n"]))
def test_ndjson_records_are_loaded_as_parsed_or_reported_at_their_line(
    lines: list[str], batch_size: int, strict: bool, newline: str
) -> None:
    with fresh_store() as (tmp, store):
        path = tmp / "data.ndjson"
        path.write_text(newline.join(lines) + newline, encoding="utf-8", newline="")
        if not any(text.strip() for text in lines):
            with pytest.raises(InputError):
                run_import(store, path, Settings())
            return
        settings = Settings(batch_size=batch_size)
        unit = ndjson_unit(path.name, lines)
        result = run_import(store, path, settings, strict=strict)
        check_import(store, result, predict([unit], settings, strict), strict)


# --- export and import again --------------------------------------------------------------


@hypothesis_settings(PROPERTY, max_examples=30)
@given(csv_dataset(ALL_FILES))
def test_what_was_loaded_survives_export_and_a_second_import(files: list[CsvFile]) -> None:
    with fresh_store() as (tmp, first):
        folder = tmp / "data"
        folder.mkdir()
        for file in files:
            write_csv_file(folder, file, crlf=True, bom=False)
        run_import(first, folder, Settings(batch_size=3))
        loaded = {entity: store_records(first, entity) for entity in SPECS}
        export_store(first, tmp / "first")
        second = open_store(Settings(store=f"sqlite:///{tmp / 'second.db'}"))
        try:
            assert run_import(second, tmp / "first", Settings()).ok
            assert {entity: store_records(second, entity) for entity in SPECS} == loaded
            export_store(second, tmp / "second")
        finally:
            second.close()
        for name in sorted(p.name for p in (tmp / "first").iterdir()):
            assert (tmp / "first" / name).read_bytes() == (tmp / "second" / name).read_bytes()


# --- file errors and known bugs ----------------------------------------------------------


def test_a_header_longer_than_the_csv_field_limit_is_a_file_error() -> None:
    with fresh_store() as (tmp, store):
        data = write_files(tmp / "data", {"people.csv": b"id,n" + b"x" * 140_000 + b"\np1\n"})
        with pytest.raises(InputError) as raised:
            run_import(store, data, Settings())
        assert (raised.value.file, raised.value.line) == ("people.csv", 1)


def _case(name: str, files: Mapping[str, str], reason: str, zone: str = "UTC") -> object:
    """A regression case: ``reason`` is the crash it once caused (fixed since)."""
    raw = {n: text.encode("utf-8") for n, text in files.items()}
    target = next((n for n in raw if n.endswith(".ndjson")), None)
    settings = Settings(batch_size=2, timezone=zone)
    return pytest.param(raw, target, settings, id=name)


def _person(**fields: object) -> str:
    return json.dumps({"type": "person", "id": "p1", **fields}) + "\n"


def _people(column: str, cell: str) -> dict[str, str]:
    return {"people.csv": f"id,{column}\np1,{cell}\n"}


TIME = "graphsvc.interchange.parse.parse_datetime: astimezone(UTC) outside the try: OverflowError"
INT64 = "nothing bounds mentor_capacity: sqlite3 raises OverflowError (> 2**63 - 1)"
CLASSIFY = "ingest.reader._classify catches only json.JSONDecodeError"
SURROGATE = "a lone surrogate (JSON \\ud800 escape) reaches sqlite3: UnicodeEncodeError"
HUGE = "9" * 5000
#: inputs that once crashed the import (a traceback instead of a row or file message);
#: each reason names the fix's place. They must now give a result or a graphsvc error.
KNOWN_CRASHES = [
    _case("offset-past-9999", _people("joined_at", "9999-12-31T23:00:00-05:00"), TIME),
    _case("offset-before-year-1", _people("joined_at", "0001-01-01T00:30:00+01:00"), TIME),
    _case("naive-year-1-in-tokyo", _people("joined_at", "0001-01-01"), TIME, "Asia/Tokyo"),
    _case("capacity-over-int64", _people("mentor_capacity", str(2**63)), INT64),
    _case("ndjson-capacity-over-int64", {"d.ndjson": _person(mentor_capacity=2**63)}, INT64),
    _case(
        "capacity-5000-digits",
        _people("mentor_capacity", HUGE),
        "graphsvc.interchange.parse._parse_int: int() raises ValueError past 4300 digits",
    ),
    _case(
        "ndjson-weight-10e400",
        {
            "d.ndjson": _person()
            + '{"type":"interaction","kind":"other","source_id":"p1","target_id":"p1",'
            + f'"at":0,"weight":{10**400}}}\n'
        },
        "graphsvc.interchange.parse._parse_float: float(int) raises OverflowError",
    ),
    _case(
        "ndjson-5000-digit-number",
        {"d.ndjson": '{"type":"person","id":"p1","x":' + HUGE + "}\n"},
        CLASSIFY + ": json.loads raises ValueError past 4300 digits",
    ),
    _case(
        "ndjson-deep-nesting",
        {"d.ndjson": "[" * 100_000 + "]" * 100_000 + "\n"},
        CLASSIFY + ": json.loads raises RecursionError",
    ),
    _case(
        "ndjson-type-is-a-list",
        {"d.ndjson": _person(type=["person"])},
        "ingest.reader._classify: `kind not in ENTITY_OF_TYPE` on a list: TypeError",
    ),
    _case("ndjson-lone-surrogate", {"d.ndjson": _person(name="\ud800")}, SURROGATE),
    _case("ndjson-lone-surrogate-attr-name", {"d.ndjson": _person(**{"\udc00": "x"})}, SURROGATE),
]


@pytest.mark.parametrize(("files", "target", "settings"), KNOWN_CRASHES)
def test_known_crashes_give_a_graphsvc_error_or_a_result(
    files: dict[str, bytes], target: str | None, settings: Settings
) -> None:
    run_raw(files, target, settings)


def test_a_record_csv_cannot_read_mid_file_is_quarantined_and_the_rest_loads() -> None:
    """A cell longer than csv's field limit on line 7 (found only while loading): that row
    is reported at its line like any bad row, the rows around it load."""
    rows = "".join(f"p{i},name\n" for i in range(5)) + "p9," + "x" * 140_000 + "\np10,after\n"
    with fresh_store() as (tmp, store):
        data = write_files(tmp / "data", {"people.csv": f"id,name\n{rows}".encode()})
        result = run_import(store, data, Settings(batch_size=2))
        assert result.run.status.value == "partial" and result.bad_rows == 1
        assert result.run.errors[0].startswith("people.csv:7: (csv): malformed CSV")
        assert store.counts()["people"] == 6


def test_a_carriage_return_survives_export_and_import() -> None:
    with fresh_store() as (tmp, store):
        data = write_files(tmp / "data", {"d.ndjson": _person(name="A\rB").encode()})
        run_import(store, data / "d.ndjson", Settings())
        export_store(store, tmp / "out")
        second = open_store(Settings(store=f"sqlite:///{tmp / 'second.db'}"))
        try:
            result = run_import(second, tmp / "out", Settings())
            assert result.ok and [p.name for p in second.list_people()] == ["A\rB"]
        finally:
            second.close()


def test_an_attr_without_a_name_does_not_break_export_and_import() -> None:
    with fresh_store() as (tmp, store):
        data = write_files(tmp / "data", {"d.ndjson": _person(**{"": "v"}).encode()})
        run_import(store, data / "d.ndjson", Settings())
        export_store(store, tmp / "out")
        second = open_store(Settings(store=f"sqlite:///{tmp / 'second.db'}"))
        try:
            assert run_import(second, tmp / "out", Settings()).ok
        finally:
            second.close()
