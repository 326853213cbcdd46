"""Domain objects ↔ SQLite rows: column lists, encoders and decoders.

Datetimes are stored as integer Unix microseconds, an exact round trip of aware UTC
datetimes; tuples of topics and the free-form ``attrs`` are JSON text (order kept).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from graphsvc.errors import ValidationError
from graphsvc.model import (
    INTERACTION_FIELDS,
    Activity,
    Community,
    Feedback,
    ImportRun,
    Interaction,
    Membership,
    Participation,
    Person,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Row = tuple[Any, ...]


def to_micros(moment: datetime) -> int:
    """Unix microseconds of an aware datetime (exact)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def opt_micros(moment: datetime | None) -> int | None:
    return None if moment is None else to_micros(moment)


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def opt_datetime(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


def bound_micros(name: str, moment: datetime | None) -> int | None:
    """A query bound (``start``/``end``/``as_of``) in microseconds; naive times are refused."""
    if moment is None:
        return None
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValidationError(name, "must be timezone-aware (UTC)")
    return to_micros(moment)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # json.dumps(**kw) rebuilds one


def dump_json(value: Any) -> str:
    """Compact JSON text (UTF-8 kept); empty lists and dicts skip the encoder."""
    if not value:
        return "[]" if isinstance(value, list | tuple) else _JSON.encode(value)
    return _JSON.encode(value)


def placeholders(columns: Sequence[str]) -> str:
    return ", ".join("?" for _ in columns)


def upsert_sql(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` replacing every non-key column."""
    quoted = [f'"{c}"' for c in columns]
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in key)
    conflict = ", ".join(f'"{c}"' for c in key)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return (
        f"INSERT INTO {table} ({', '.join(quoted)}) VALUES ({placeholders(columns)}) "
        f"ON CONFLICT ({conflict}) {action}"
    )


def select_sql(table: str, columns: Sequence[str], alias: str = "") -> str:
    """``SELECT "c1", … FROM table`` (columns qualified by ``alias`` when given)."""
    prefix = f"{alias}." if alias else ""
    selected = ", ".join(f'{prefix}"{c}"' for c in columns)
    return (
        f"SELECT {selected} FROM {table} AS {alias}" if alias else f"SELECT {selected} FROM {table}"
    )


# --- people -------------------------------------------------------------------------------

PERSON_COLUMNS = (
    "id", "name", "email", "organisation", "location", "joined_at", "topics", "expertise",
    "mentor_capacity", "consent", "attrs", "source_system", "external_id",
)  # fmt: skip


def encode_person(p: Person) -> Row:
    return (
        p.id, p.name, p.email, p.organisation, p.location, opt_micros(p.joined_at),
        dump_json(p.topics), dump_json(p.expertise), p.mentor_capacity, int(p.consent),
        dump_json(p.attrs), p.source_system, p.external_id,
    )  # fmt: skip


def decode_person(row: Row) -> Person:
    return Person(
        id=row[0], name=row[1], email=row[2], organisation=row[3], location=row[4],
        joined_at=opt_datetime(row[5]), topics=tuple(json.loads(row[6])),
        expertise=tuple(json.loads(row[7])), mentor_capacity=row[8], consent=bool(row[9]),
        attrs=json.loads(row[10]), source_system=row[11], external_id=row[12],
    )  # fmt: skip


def topic_keys(p: Person) -> set[str]:
    """The case-folded topics and expertise of ``p`` (what topic search matches)."""
    return {topic.casefold() for topic in (*p.topics, *p.expertise)}


# --- communities and memberships ----------------------------------------------------------

COMMUNITY_COLUMNS = (
    "id", "name", "kind", "parent_id", "description", "objectives", "source_system",
    "external_id",
)  # fmt: skip


def encode_community(c: Community) -> Row:
    return (
        c.id, c.name, c.kind.value, c.parent_id, c.description, c.objectives, c.source_system,
        c.external_id,
    )  # fmt: skip


def decode_community(row: Row) -> Community:
    return Community(*row)


MEMBERSHIP_COLUMNS = (
    "person_id", "community_id", "role", "since", "until", "source_system", "external_id",
)  # fmt: skip


def encode_membership(m: Membership) -> Row:
    return (
        m.person_id, m.community_id, m.role.value, opt_micros(m.since), opt_micros(m.until),
        m.source_system, m.external_id,
    )  # fmt: skip


def decode_membership(row: Row) -> Membership:
    return Membership(
        row[0], row[1], row[2], opt_datetime(row[3]), opt_datetime(row[4]), row[5], row[6]
    )


# --- interactions, activities, participations ---------------------------------------------

#: an interaction's row is graphsvc.model.interaction_row (``directed`` is stored as 0/1)
INTERACTION_COLUMNS = INTERACTION_FIELDS


def decode_interaction(row: Row) -> Interaction:
    return Interaction(
        id=row[0], kind=row[1], source_id=row[2], target_id=row[3], at=from_micros(row[4]),
        weight=row[5], directed=bool(row[6]), topic=row[7], community_id=row[8],
        source_system=row[9], external_id=row[10],
    )  # fmt: skip


ACTIVITY_COLUMNS = (
    "id", "name", "kind", "community_id", "start", "end", "source_system", "external_id",
)  # fmt: skip


def encode_activity(a: Activity) -> Row:
    return (
        a.id, a.name, a.kind.value, a.community_id, to_micros(a.start), opt_micros(a.end),
        a.source_system, a.external_id,
    )  # fmt: skip


def decode_activity(row: Row) -> Activity:
    return Activity(
        id=row[0], name=row[1], kind=row[2], community_id=row[3], start=from_micros(row[4]),
        end=opt_datetime(row[5]), source_system=row[6], external_id=row[7],
    )  # fmt: skip


PARTICIPATION_COLUMNS = (
    "activity_id", "person_id", "role", "at", "source_system", "external_id",
)  # fmt: skip


def encode_participation(p: Participation) -> Row:
    return (
        p.activity_id, p.person_id, p.role.value, opt_micros(p.at), p.source_system,
        p.external_id,
    )  # fmt: skip


def decode_participation(row: Row) -> Participation:
    return Participation(row[0], row[1], row[2], opt_datetime(row[3]), row[4], row[5])


# --- records ------------------------------------------------------------------------------

IMPORT_RUN_COLUMNS = (
    "id", "source", "started_at", "finished_at", "status", "counts", "errors", "outcomes",
)  # fmt: skip


def encode_import_run(r: ImportRun) -> Row:
    return (
        r.id, r.source, to_micros(r.started_at), opt_micros(r.finished_at), r.status.value,
        dump_json(r.counts), dump_json(list(r.errors)), dump_json(r.outcomes),
    )  # fmt: skip


def decode_import_run(row: Row) -> ImportRun:
    return ImportRun(
        id=row[0], source=row[1], started_at=from_micros(row[2]),
        finished_at=opt_datetime(row[3]), status=row[4], counts=json.loads(row[5]),
        errors=tuple(json.loads(row[6])), outcomes=json.loads(row[7]),
    )  # fmt: skip


FEEDBACK_COLUMNS = (
    "id", "person_id", "suggested_id", "verdict", "at", "recommender",
    "reason", "moderator", "community_id",
)  # fmt: skip


def encode_feedback(f: Feedback) -> Row:
    reason = f.reason.value if f.reason else None
    return (
        f.id, f.person_id, f.suggested_id, f.verdict.value, to_micros(f.at), f.recommender,
        reason, f.moderator, f.community_id,
    )  # fmt: skip


def decode_feedback(row: Row) -> Feedback:
    return Feedback(
        row[0], row[1], row[2], row[3], from_micros(row[4]), row[5],
        reason=row[6], moderator=row[7], community_id=row[8],
    )  # fmt: skip
