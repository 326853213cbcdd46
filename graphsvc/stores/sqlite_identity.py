"""Aliases, attribute conflicts and alias splits in the SQLite store (graphsvc.identity).

Tables ``person_aliases`` and ``person_conflicts`` (``schema_2.sql``). An alias's snapshot
is the person as its source gave it, stored as its interchange JSON object.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import UTC
from typing import Any

from graphsvc.errors import UnknownReference
from graphsvc.identity import Alias, AttributeConflict
from graphsvc.interchange import parse_record, to_json
from graphsvc.model import Person
from graphsvc.store import SplitPlan, SplitReport, redact
from graphsvc.stores import sqlite_codec as codec
from graphsvc.stores.sqlite_refs import missing_ids

ALIAS_COLUMNS = (
    "source_system", "external_id", "person_id", "rule", "first_seen", "last_seen", "snapshot",
)  # fmt: skip
UPSERT_ALIAS = (
    codec.upsert_sql("person_aliases", ALIAS_COLUMNS, ("source_system", "external_id"))
    # the first sighting is kept when an alias is seen again
    .replace('"first_seen" = excluded."first_seen", ', "")
)
SELECT_ALIASES = codec.select_sql("person_aliases", ALIAS_COLUMNS)
ALIAS_ORDER = " ORDER BY person_id, last_seen, source_system, external_id"

CONFLICT_COLUMNS = (
    "person_id", "field", "kept", "replaced", "kept_source", "replaced_source", "run_id", "at",
)  # fmt: skip
#: a conflict already recorded (same person, field, values and sources) is not repeated
INSERT_CONFLICT = (
    f"INSERT INTO person_conflicts ({', '.join(CONFLICT_COLUMNS)}) "
    f"SELECT {codec.placeholders(CONFLICT_COLUMNS)} WHERE NOT EXISTS ("
    "SELECT 1 FROM person_conflicts WHERE person_id = ?1 AND field = ?2 AND kept IS ?3"
    " AND replaced IS ?4 AND kept_source IS ?5 AND replaced_source IS ?6)"
)
SELECT_CONFLICTS = codec.select_sql("person_conflicts", CONFLICT_COLUMNS)

#: (report field, statement moving one source system's records from :old to :new)
MOVES = (
    (
        "memberships",
        "UPDATE memberships SET person_id = :new"
        " WHERE person_id = :old AND source_system = :system",
    ),
    (
        "interactions",
        "UPDATE interactions SET"
        " source_id = CASE source_id WHEN :old THEN :new ELSE source_id END,"
        " target_id = CASE target_id WHEN :old THEN :new ELSE target_id END"
        " WHERE (source_id = :old OR target_id = :old) AND source_system = :system",
    ),
    (
        "participations",
        "UPDATE participations SET person_id = :new"
        " WHERE person_id = :old AND source_system = :system",
    ),
)


def encode_alias(alias: Alias) -> codec.Row:
    snapshot = json.dumps(to_json(alias.snapshot), ensure_ascii=False, sort_keys=True)
    return (
        alias.source_system, alias.external_id, alias.person_id, alias.rule.value,
        codec.to_micros(alias.first_seen), codec.to_micros(alias.last_seen), snapshot,
    )  # fmt: skip


def decode_alias(row: codec.Row) -> Alias:
    obj = json.loads(row[6])
    obj.pop("type", None)
    snapshot = parse_record("people", obj, UTC)  # type: ignore[arg-type]
    assert isinstance(snapshot, Person)
    return Alias(
        row[0], row[1], row[2], row[3], codec.from_micros(row[4]), codec.from_micros(row[5]),
        snapshot,
    )  # fmt: skip


def encode_conflict(c: AttributeConflict) -> codec.Row:
    return (
        c.person_id, c.field, c.kept, c.replaced, c.kept_source, c.replaced_source, c.run_id,
        codec.to_micros(c.at),
    )  # fmt: skip


def decode_conflict(row: codec.Row) -> AttributeConflict:
    return AttributeConflict(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], codec.from_micros(row[7])
    )


def write_identity(
    conn: sqlite3.Connection, aliases: Sequence[Alias], conflicts: Sequence[AttributeConflict]
) -> None:
    """Upsert ``aliases`` and append ``conflicts``; an alias naming a person the store lacks
    raises :class:`UnknownReference` (the caller's transaction then writes nothing)."""
    missing = missing_ids(conn, "people", {a.person_id for a in aliases})
    for alias in aliases:
        if alias.person_id in missing:
            key = f"{alias.source_system}:{alias.external_id}"
            raise UnknownReference("alias", key, "person_id", alias.person_id)
    conn.executemany(UPSERT_ALIAS, [encode_alias(a) for a in aliases])
    conn.executemany(INSERT_CONFLICT, [encode_conflict(c) for c in conflicts])


def select_aliases(
    conn: sqlite3.Connection,
    person_ids: Collection[str] | None,
    source_system: str | None,
    external_ids: Collection[str] | None,
) -> list[Alias]:
    conditions: list[str] = []
    params: dict[str, str] = {}
    if person_ids is not None:
        conditions.append("person_id IN (SELECT value FROM json_each(:people))")
        params["people"] = codec.dump_json(sorted(person_ids))
    if source_system is not None:
        conditions.append("source_system = :system")
        params["system"] = source_system
    if external_ids is not None:
        conditions.append("external_id IN (SELECT value FROM json_each(:external))")
        params["external"] = codec.dump_json(sorted(external_ids))
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return [decode_alias(row) for row in conn.execute(SELECT_ALIASES + where + ALIAS_ORDER, params)]


def select_ids_by_email(conn: sqlite3.Connection, emails: Collection[str]) -> dict[str, str]:
    query = (
        "SELECT lower(email), min(id) FROM people WHERE email IS NOT NULL"
        " AND lower(email) IN (SELECT value FROM json_each(?)) GROUP BY lower(email)"
    )
    wanted = codec.dump_json(sorted({e.lower() for e in emails}))
    return {email: person_id for email, person_id in conn.execute(query, (wanted,))}


def select_conflicts(
    conn: sqlite3.Connection, person_id: str | None, limit: int
) -> list[AttributeConflict]:
    query = f"{SELECT_CONFLICTS} WHERE :person IS NULL OR person_id = :person ORDER BY seq LIMIT :n"
    rows = conn.execute(query, {"person": person_id, "n": max(int(limit), 0)})
    return [decode_conflict(row) for row in rows]


def move_records(conn: sqlite3.Connection, plan: SplitPlan) -> dict[str, Any]:
    """Move the plan's source system's records from the old person to the new one."""
    params = {
        "old": plan.alias.person_id,
        "new": plan.new_person.id,
        "system": plan.alias.source_system,
    }
    return {field: conn.execute(statement, params).rowcount for field, statement in MOVES}


def split_report(plan: SplitPlan, moved: dict[str, Any]) -> SplitReport:
    return SplitReport(plan.alias.person_id, plan.new_person.id, **moved)


def redact_runs(conn: sqlite3.Connection, person_id: str) -> int:
    """Replace ``person_id`` in the messages of every import run that quotes it."""
    runs = conn.execute(
        "SELECT id, errors FROM import_runs WHERE instr(errors, ?) > 0", (person_id,)
    ).fetchall()
    changed = 0
    for run_id, errors in runs:
        messages, count = redact(json.loads(errors), person_id)
        if count:
            conn.execute(
                "UPDATE import_runs SET errors = ? WHERE id = ?",
                (codec.dump_json(messages), run_id),
            )
            changed += count
    return changed
