"""Writing model objects as interchange CSV cells / NDJSON objects, deterministically."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import IO

from graphsvc.interchange.parse import LIST_SEPARATOR
from graphsvc.interchange.spec import SPECS, Record, record_key, spec_for
from graphsvc.model import Person


def format_datetime(moment: datetime) -> str:
    """UTC ISO 8601 ending in ``Z`` (microseconds only when non-zero)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _format_number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _format_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return _format_number(value)
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(value)
    return str(value)


def csv_header(entity: str, attr_keys: Iterable[str] = ()) -> list[str]:
    """The column order written for ``entity`` (people: fixed columns then sorted attrs)."""
    names = list(SPECS[entity].column_names)
    return names + sorted(set(attr_keys) - set(names))


def to_cells(record: Record) -> dict[str, str]:
    """Model object → CSV cells (attrs of a person become their own columns)."""
    spec = spec_for(record)
    cells = {column.name: _format_cell(getattr(record, column.name)) for column in spec.columns}
    if isinstance(record, Person):
        for name, value in record.attrs.items():
            cells.setdefault(name, value)
    return cells


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def to_json(record: Record) -> dict[str, object]:
    """Model object → NDJSON object: ``type`` first, then the columns; absent ones omitted."""
    spec = spec_for(record)
    obj: dict[str, object] = {"type": spec.record_type}
    for column in spec.columns:
        value = getattr(record, column.name)
        if value is not None and value != ():
            obj[column.name] = _json_value(value)
    if isinstance(record, Person) and record.attrs:
        obj["attrs"] = dict(sorted(record.attrs.items()))
    return obj


def dump_json_line(record: Record) -> str:
    """One NDJSON line (with its newline) for ``record``."""
    return json.dumps(to_json(record), ensure_ascii=False, separators=(",", ":")) + "\n"


RecordSource = Callable[[], Iterable[Record]]
"""A callable returning a fresh iterable of one entity's records, ordered by key."""


def write_csv(path: Path, entity: str, source: RecordSource) -> int:
    """Write one interchange CSV atomically; returns the number of rows.

    People are read twice (once for the attr column names), so nothing is held in memory.
    """
    attr_keys: set[str] = set()
    if entity == "people":
        for person in source():
            assert isinstance(person, Person)
            attr_keys.update(person.attrs)
    header = csv_header(entity, attr_keys)
    count = 0
    with _atomic(path) as handle:
        writer = csv.DictWriter(_LineFeedRows(handle), fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        for record in source():
            writer.writerow({k: v for k, v in to_cells(record).items() if k in header})
            count += 1
    return count


class _LineFeedRows:
    """Ends each row the csv writer writes with ``\n`` instead of ``\r\n``.

    The writer is given ``\r\n`` as line terminator so that it quotes every cell holding a
    ``\r`` or ``\n`` (it quotes only the characters of its terminator); the file still ends
    its rows with a plain line feed. The csv writer writes one row per ``write`` call.
    """

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    def write(self, row: str) -> int:
        return self._handle.write(row[:-2] + "\n" if row.endswith("\r\n") else row)


def write_csv_folder(folder: Path, sources: Mapping[str, RecordSource]) -> dict[str, int]:
    """Write ``<entity>.csv`` for every entity in ``sources`` (created even when empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        entity: write_csv(folder / SPECS[entity].filename, entity, sources[entity])
        for entity in SPECS
        if entity in sources
    }


def write_ndjson(path: Path, sources: Mapping[str, RecordSource]) -> dict[str, int]:
    """Write one NDJSON file, entities in dependency order; returns rows per entity."""
    counts: dict[str, int] = {}
    with _atomic(path) as handle:
        for entity in SPECS:
            if entity not in sources:
                continue
            counts[entity] = 0
            for record in sources[entity]():
                handle.write(dump_json_line(record))
                counts[entity] += 1
    return counts


class _atomic:
    """Write to ``path.tmp`` and rename over ``path`` only when the block succeeds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.handle: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        self.handle = self.tmp.open("w", encoding="utf-8", newline="")
        return self.handle

    def __exit__(self, exc_type: object, *_: object) -> None:
        assert self.handle is not None
        self.handle.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def sorted_records(records: Iterable[Record]) -> Iterator[Record]:
    """``records`` sorted by key (for writing in-memory data deterministically)."""
    return iter(sorted(records, key=record_key))
