"""Interactions of a window as numpy columns (:class:`~graphsvc.model.InteractionArrays`).

One query fetches the window's rows ordered by ``(at, id)`` (the ``interactions_by_at``
index delivers that order); the id columns become int indices through dict look-ups over
the sorted distinct ids, which is much faster than sorting object arrays.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

import numpy as np

from graphsvc.errors import ValidationError
from graphsvc.model import InteractionArrays, InteractionKind
from graphsvc.stores.sqlite_codec import dump_json

KIND_VALUES: tuple[str, ...] = tuple(kind.value for kind in InteractionKind)
KIND_INDEX: dict[str, int] = {kind: index for index, kind in enumerate(KIND_VALUES)}
MICROS_PER_SECOND = 1_000_000


def kind_values(kinds: Iterable[InteractionKind | str]) -> list[str]:
    """Validated interaction kind values (a ``str`` that is no kind is refused)."""
    values: list[str] = []
    for kind in kinds:
        try:
            values.append(InteractionKind(kind).value)
        except ValueError:
            allowed = ", ".join(KIND_VALUES)
            raise ValidationError("kinds", f"{kind!r} is not one of: {allowed}") from None
    return values


def window_clause(
    start: int | None, end: int | None, column: str = "at"
) -> tuple[list[str], list[Any]]:
    """SQL conditions and parameters for the half-open window ``[start, end)``."""
    conditions: list[str] = []
    params: list[Any] = []
    if start is not None:
        conditions.append(f"{column} >= ?")
        params.append(start)
    if end is not None:
        conditions.append(f"{column} < ?")
        params.append(end)
    return conditions, params


def fetch_window(
    conn: sqlite3.Connection, start: int | None, end: int | None, kinds: list[str] | None
) -> list[tuple[Any, ...]]:
    """``(source, target, at, weight, directed, kind, community, topic)`` rows by (at, id)."""
    conditions, params = window_clause(start, end)
    if kinds is not None:
        conditions.append("kind IN (SELECT value FROM json_each(?))")
        params.append(dump_json(kinds))
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    query = (
        "SELECT source_id, target_id, at, weight, directed, kind, community_id, topic "
        f"FROM interactions {where} ORDER BY at, id"
    )
    return conn.execute(query, params).fetchall()


def _column(rows: list[tuple[Any, ...]], index: int) -> list[Any]:
    return list(map(itemgetter(index), rows))


def _codes(values: list[str | None], index: dict[str | None, int]) -> Any:
    return np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))


def _index_of(*columns: list[str | None]) -> tuple[tuple[str, ...], dict[str | None, int]]:
    """Sorted distinct non-None values of ``columns`` and a value → index map (None → -1)."""
    distinct: set[str | None] = set()
    for column in columns:
        distinct.update(column)
    distinct.discard(None)
    ordered = tuple(sorted(distinct))  # type: ignore[type-var]
    index: dict[str | None, int] = {value: i for i, value in enumerate(ordered)}
    index[None] = -1
    return ordered, index  # type: ignore[return-value]


def build_arrays(rows: list[tuple[Any, ...]]) -> InteractionArrays:
    """Columns from rows as :func:`fetch_window` returns them (one pass per column)."""
    if not rows:
        return empty_arrays()
    count = len(rows)
    source, target, community, topic = (_column(rows, i) for i in (0, 1, 6, 7))
    person_ids, person_index = _index_of(source, target)
    community_ids, community_index = _index_of(community)
    topics, topic_index = _index_of(topic)
    kinds = map(KIND_INDEX.__getitem__, map(itemgetter(5), rows))
    return InteractionArrays(
        person_ids=person_ids,
        source=_codes(source, person_index),
        target=_codes(target, person_index),
        at=np.fromiter(map(itemgetter(2), rows), dtype=np.int64, count=count) // MICROS_PER_SECOND,
        weight=np.fromiter(map(itemgetter(3), rows), dtype=np.float64, count=count),
        directed=np.fromiter(map(itemgetter(4), rows), dtype=np.bool_, count=count),
        kind=np.fromiter(kinds, dtype=np.int8, count=count),
        community=_codes(community, community_index),
        topic=_codes(topic, topic_index),
        community_ids=community_ids,
        topics=topics,
        kinds=KIND_VALUES,
    )


def empty_arrays() -> InteractionArrays:
    """Zero rows, with every column of the right dtype."""
    return InteractionArrays(
        person_ids=(),
        source=np.empty(0, dtype=np.int32),
        target=np.empty(0, dtype=np.int32),
        at=np.empty(0, dtype=np.int64),
        weight=np.empty(0, dtype=np.float64),
        directed=np.empty(0, dtype=np.bool_),
        kind=np.empty(0, dtype=np.int8),
        community=np.empty(0, dtype=np.int32),
        topic=np.empty(0, dtype=np.int32),
        kinds=KIND_VALUES,
    )
