"""Interactions of a window as numpy columns (:class:`~graphsvc.model.InteractionArrays`).

One query fetches the window's rows ordered by ``(at, id)`` (the ``interactions_by_at``
index delivers that order), a chunk at a time; the id columns become int indices through
dict look-ups, which is much faster than sorting object arrays.
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


#: rows fetched and turned into columns at a time (bounds the memory of a large window)
CHUNK_ROWS = 100_000


def fetch_arrays(
    conn: sqlite3.Connection, start: int | None, end: int | None, kinds: list[str] | None
) -> InteractionArrays:
    """The window's interactions as columns, rows ordered by ``(at, id)``.

    Rows are fetched :data:`CHUNK_ROWS` at a time and turned into columns chunk by chunk,
    so memory holds one chunk of Python tuples, never the whole window's; ids get codes in
    order of appearance, renumbered to sorted order at the end.
    """
    conditions, params = window_clause(start, end)
    if kinds is not None:
        conditions.append("kind IN (SELECT value FROM json_each(?))")
        params.append(dump_json(kinds))
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    query = (
        "SELECT source_id, target_id, at, weight, directed, kind, community_id, topic "
        f"FROM interactions {where} ORDER BY at, id"
    )
    cursor = conn.execute(query, params)
    codes: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
    parts: list[dict[str, np.ndarray]] = []
    while rows := cursor.fetchmany(CHUNK_ROWS):
        parts.append(_chunk_columns(rows, *codes))
    if not parts:
        return empty_arrays()
    column = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    (person_ids, person), (community_ids, community), (topics, topic) = map(_sorted_codes, codes)
    return InteractionArrays(
        person_ids=person_ids,
        source=person[column["source"]],
        target=person[column["target"]],
        at=column["at"],
        weight=column["weight"],
        directed=column["directed"],
        kind=column["kind"],
        community=_remap(community, column["community"]),
        topic=_remap(topic, column["topic"]),
        community_ids=community_ids,
        topics=topics,
        kinds=KIND_VALUES,
    )


def _chunk_columns(
    rows: list[tuple[Any, ...]],
    people: dict[str, int],
    communities: dict[str, int],
    topics: dict[str, int],
) -> dict[str, np.ndarray]:
    """One chunk's columns; ids coded by first appearance (None → -1)."""
    count = len(rows)

    def coded(index: int, seen: dict[str, int]) -> np.ndarray:
        values = map(itemgetter(index), rows)
        codes = (-1 if v is None else seen.setdefault(v, len(seen)) for v in values)
        return np.fromiter(codes, dtype=np.int32, count=count)

    return {
        "source": coded(0, people),
        "target": coded(1, people),
        "at": np.fromiter(map(itemgetter(2), rows), dtype=np.int64, count=count)
        // MICROS_PER_SECOND,
        "weight": np.fromiter(map(itemgetter(3), rows), dtype=np.float64, count=count),
        "directed": np.fromiter(map(itemgetter(4), rows), dtype=np.bool_, count=count),
        "kind": np.fromiter(map(KIND_INDEX.__getitem__, map(itemgetter(5), rows)), np.int8, count),
        "community": coded(6, communities),
        "topic": coded(7, topics),
    }


def _sorted_codes(seen: dict[str, int]) -> tuple[tuple[str, ...], np.ndarray]:
    """The distinct values sorted, and first-appearance code → sorted index."""
    ordered = tuple(sorted(seen))
    renumber = np.empty(len(seen), dtype=np.int32)
    renumber[[seen[value] for value in ordered]] = np.arange(len(ordered), dtype=np.int32)
    return ordered, renumber


def _remap(renumber: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Codes renumbered, -1 (none) kept."""
    out = np.full(len(codes), -1, dtype=np.int32)
    present = codes >= 0
    out[present] = renumber[codes[present]]
    return out


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
