"""Reference checks for batch upserts: one query per referenced table per batch.

The batch's distinct referenced ids go to SQLite as one JSON array; ``json_each`` with
``NOT EXISTS`` returns the ones the store lacks. Only when some are missing does Python
walk the batch (in order) to name the first offending record and field. The check runs
inside the batch's write transaction, so nothing can delete a referenced record between
the check and the insert.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from operator import itemgetter

from graphsvc.errors import UnknownReference
from graphsvc.stores.sqlite_codec import Row, dump_json


@dataclass(frozen=True, slots=True)
class Reference:
    """Column ``column`` of an encoded row (field ``field``) names an ``id`` of ``table``."""

    field: str
    table: str
    column: int


def missing_ids(conn: sqlite3.Connection, table: str, ids: Collection[str]) -> set[str]:
    """Those of ``ids`` that are not an ``id`` of ``table`` (a constant table name)."""
    if not ids:
        return set()
    query = (
        "SELECT j.value FROM json_each(?) AS j "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.id = j.value)"
    )
    return {value for (value,) in conn.execute(query, (dump_json(list(ids)),))}


def check_references(
    conn: sqlite3.Connection,
    entity: str,
    rows: Sequence[Row],
    references: Sequence[Reference],
    record_id: Callable[[Row], str],
    present: Collection[str] = (),
) -> None:
    """Raise :class:`UnknownReference` for the first reference of ``rows`` the store lacks.

    ``rows`` are encoded rows; ``present`` holds ids that count as existing although not
    yet stored (a community parent arriving in the same batch).
    """
    missing_by_column: dict[int, set[str]] = {}
    for table in dict.fromkeys(ref.table for ref in references):
        columns = [ref.column for ref in references if ref.table == table]
        wanted: set[str] = set()
        for column in columns:
            wanted.update(map(itemgetter(column), rows))
        wanted.discard(None)
        missing = missing_ids(conn, table, wanted).difference(present)
        missing_by_column.update(dict.fromkeys(columns, missing))
    if any(missing_by_column.values()):
        _raise_first(entity, rows, references, record_id, missing_by_column)


def _raise_first(
    entity: str,
    rows: Sequence[Row],
    references: Sequence[Reference],
    record_id: Callable[[Row], str],
    missing_by_column: dict[int, set[str]],
) -> None:
    for row in rows:
        for ref in references:
            value = row[ref.column]
            if value is not None and value in missing_by_column[ref.column]:
                raise UnknownReference(entity, record_id(row), ref.field, value)
