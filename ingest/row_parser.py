"""The per-row parser of an import: a source's row → its record, or its rejection.

A run given a ``source_system`` stamps it, and the row's own id as ``external_id``, on
every row that does not name its own (:func:`stamper`), before the row is parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from graphsvc.errors import ValidationError
from graphsvc.interchange import SPECS, Record, record_parser

if TYPE_CHECKING:
    from ingest.reader import RowValues, Source

#: parses one row: ``(source, line, values)`` → the record, or None when it was rejected
RowParser = Callable[["Source", int, "RowValues"], Record | None]
Reject = Callable[["Source", int, ValidationError], None]


def row_parser(entity: str, zone: ZoneInfo, source_system: str | None, reject: Reject) -> RowParser:
    """The per-row parser of ``entity``'s rows; a bad row goes to ``reject`` (its line and
    the error) and gives None."""
    parse = record_parser(entity, zone)
    stamp = stamper(entity, source_system)

    def parse_row(source: Source, line: int, values: RowValues) -> Record | None:
        try:
            if isinstance(values, ValidationError):
                raise values
            return parse(stamp(values))
        except ValidationError as exc:
            reject(source, line, exc)
            return None

    return parse_row


def stamper(
    entity: str, source_system: str | None
) -> Callable[[Mapping[str, object]], Mapping[str, object]]:
    """Adds the run's ``source_system`` (and the row's id as ``external_id``) where absent."""
    if source_system is None:
        return lambda values: values
    has_id = "id" in SPECS[entity].key

    def stamp(values: Mapping[str, object]) -> Mapping[str, object]:
        stamped = dict(values)
        if not _present(stamped.get("source_system")):
            stamped["source_system"] = source_system
            if has_id and not _present(stamped.get("external_id")):
                stamped["external_id"] = stamped.get("id")
        return stamped

    return stamp


def _present(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))
