"""Hypothesis strategies of generated interchange rows, table-driven from ``SPECS``.

Cells of every column kind drawn valid and now and then wild (:func:`cell_kind`,
:func:`cell`), whole CSV files (:func:`csv_file`, written with real quoting by
:func:`write_csv_file`, read back as :data:`SourceRows` by :func:`csv_rows`) and NDJSON
lines (:func:`ndjson_lines`). Ids come from small pools so duplicates and references
(known and unknown) are common.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path

from hypothesis import strategies as st

from graphsvc.interchange import SPECS, FileSpec

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what splits lines for the readers (newline="")


# --- cells ------------------------------------------------------------------------------

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


# --- CSV files --------------------------------------------------------------------------

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


@st.composite
def csv_dataset(draw: st.DrawFn, entities: tuple[str, ...], extremes: bool = True) -> list[CsvFile]:
    return [draw(csv_file(entity, extremes)) for entity in SPECS if entity in entities]


# --- NDJSON lines -----------------------------------------------------------------------

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
