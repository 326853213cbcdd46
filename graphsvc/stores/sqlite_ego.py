"""Ego networks: breadth-first search over a window's interactions, one scan per hop.

The interactions table has no index by person (it would halve the bulk load rate), so
each hop is one pass over the window that keeps rows touching the frontier.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from graphsvc.errors import NotFound, ValidationError
from graphsvc.store import EgoNetwork
from graphsvc.stores.sqlite_codec import (
    INTERACTION_COLUMNS,
    PERSON_COLUMNS,
    decode_interaction,
    decode_person,
    dump_json,
    select_sql,
)

_IN_FRONTIER = "IN (SELECT value FROM json_each(:frontier))"
_IN_PEOPLE = "IN (SELECT value FROM json_each(:people))"
_PEOPLE = f"{select_sql('people', PERSON_COLUMNS)} WHERE id {_IN_PEOPLE} ORDER BY id"


def _window(start: int | None, end: int | None) -> str:
    conditions = [""]
    if start is not None:
        conditions.append("at >= :start")
    if end is not None:
        conditions.append("at < :end")
    return " AND ".join(conditions)


def ego_distances(
    conn: sqlite3.Connection, center: str, hops: int, start: int | None, end: int | None
) -> dict[str, int]:
    """Person id → hops from ``center`` for everyone within ``hops`` (either direction)."""
    query = (
        "SELECT source_id, target_id FROM interactions "
        f"WHERE (source_id {_IN_FRONTIER} OR target_id {_IN_FRONTIER}){_window(start, end)}"
    )
    distance = {center: 0}
    frontier = [center]
    for hop in range(1, hops + 1):
        if not frontier:
            break
        params: dict[str, Any] = {"frontier": dump_json(frontier), "start": start, "end": end}
        reached = {person for pair in conn.execute(query, params) for person in pair}
        frontier = sorted(reached - distance.keys())
        distance.update(dict.fromkeys(frontier, hop))
    return distance


def ego_network(
    conn: sqlite3.Connection, center: str, hops: int, start: int | None, end: int | None
) -> EgoNetwork:
    """The :class:`EgoNetwork` of ``center``: people by (distance, id), interactions by
    (at, id)."""
    if isinstance(hops, bool) or not isinstance(hops, int) or hops < 0:
        raise ValidationError("hops", "must be a whole number ≥ 0")
    if conn.execute("SELECT 1 FROM people WHERE id = ?", (center,)).fetchone() is None:
        raise NotFound("person", center)
    distance = ego_distances(conn, center, hops, start, end)
    params: dict[str, Any] = {"people": dump_json(list(distance)), "start": start, "end": end}
    people = [decode_person(row) for row in conn.execute(_PEOPLE, params)]
    people.sort(key=lambda person: (distance[person.id], person.id))
    among = (
        f"{select_sql('interactions', INTERACTION_COLUMNS)} "
        f"WHERE source_id {_IN_PEOPLE} AND target_id {_IN_PEOPLE}{_window(start, end)} "
        "ORDER BY at, id"
    )
    interactions = tuple(decode_interaction(row) for row in conn.execute(among, params))
    return EgoNetwork(center, tuple(people), distance, interactions)
