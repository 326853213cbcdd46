"""The expected outcome of an import of generated rows, from the documented rules.

:func:`predict` applies docs/interchange.md row by row (parse, duplicate keys, unknown
references, communities whose parent comes later, ``--strict`` rejecting a unit with a bad
row) to what a reader makes of each unit (:class:`UnitRows`; :func:`ndjson_unit` for an
NDJSON file); :func:`check_import` compares an import's result and store with that.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from import_harness import store_records
from row_strategies import REFERENCED, SourceRows

from graphsvc.config import Settings
from graphsvc.errors import ValidationError
from graphsvc.interchange import SPECS, Record, RecordKey, parse_record, record_key
from graphsvc.model import Community, ImportStatus
from graphsvc.store import GraphStore
from ingest.runner import ImportResult


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
