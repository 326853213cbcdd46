"""The embedded SQLite backend of :class:`~graphsvc.store.GraphStore` (the default).

``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``. WAL mode, one locked
writer running ``BEGIN IMMEDIATE`` transactions (one per batch, rolled back on any error),
query-only readers each reading one snapshot (:mod:`.sqlite_db`); schema and migrations in
:mod:`.sqlite_schema`; rows ↔ domain objects in :mod:`.sqlite_codec`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from graphsvc.errors import ValidationError
from graphsvc.identity import Alias, AliasRule, AttributeConflict
from graphsvc.model import (
    Activity,
    Community,
    CommunityKind,
    Feedback,
    ImportRun,
    Interaction,
    InteractionArrays,
    InteractionKind,
    Membership,
    Participation,
    Person,
)
from graphsvc.model_batch import as_rows
from graphsvc.store import (
    COUNT_KEYS,
    CommunitySummary,
    EgoNetwork,
    ErasureReport,
    SplitPlan,
    SplitReport,
    WriteCounts,
)
from graphsvc.stores import sqlite_codec as codec
from graphsvc.stores import sqlite_evaluation as evaluation
from graphsvc.stores import sqlite_identity as identity
from graphsvc.stores import sqlite_sql as sql
from graphsvc.stores.sqlite_arrays import fetch_arrays, kind_values
from graphsvc.stores.sqlite_db import SQLiteDatabase, path_from_uri
from graphsvc.stores.sqlite_ego import ego_network
from graphsvc.stores.sqlite_refs import check_references

T = TypeVar("T")


class SQLiteStore(evaluation.EvaluationRecords):
    """A :class:`~graphsvc.store.GraphStore` in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path, location: str) -> None:
        self.location = location
        self.path = path
        self._db = SQLiteDatabase(path, location)

    def write_workers_for(self, entity: str) -> int:
        """One batch at a time for every entity (a single writer)."""
        return 1

    @classmethod
    def from_uri(cls, uri: str) -> SQLiteStore:
        """Open (creating or migrating) the store at ``sqlite:///path``."""
        return cls(path_from_uri(uri), uri)

    def __repr__(self) -> str:
        return f"SQLiteStore({self.location!r})"

    # -- batch upserts --------------------------------------------------------------------

    def _upsert(
        self,
        table: sql.KeyedTable,
        encoded: list[codec.Row],
        check: Callable[[sqlite3.Connection, list[codec.Row]], None] | None = None,
        *,
        enforce_foreign_keys: bool = True,
        after: Callable[[sqlite3.Connection, list[codec.Row]], None] | None = None,
    ) -> WriteCounts:
        """Check the references of the ``encoded`` rows and, in one transaction, write
        those that are new or differ from what is stored (``after`` sees the written rows)."""
        if not encoded:
            return WriteCounts()
        with self._db.write(enforce_foreign_keys=enforce_foreign_keys) as conn:
            if check is not None:
                check(conn, encoded)
            counts, changed = sql.classify_rows(conn, table, encoded)
            written = [encoded[index] for index in changed]
            conn.executemany(table.upsert, written)
            if after is not None:
                after(conn, written)
        return counts

    def upsert_people(
        self,
        rows: Sequence[Person],
        *,
        aliases: Sequence[Alias] = (),
        conflicts: Sequence[AttributeConflict] = (),
    ) -> WriteCounts:
        def reindex_topics_and_identity(conn: sqlite3.Connection, written: list[codec.Row]) -> None:
            people = [codec.decode_person(row) for row in written]
            topics = [(key, p.id) for p in people for key in codec.topic_keys(p)]
            conn.execute(sql.FORGET_TOPICS, (codec.dump_json([p.id for p in people]),))
            conn.executemany(sql.INSERT_TOPIC, topics)
            identity.write_identity(conn, aliases, conflicts)

        if not rows and (aliases or conflicts):
            with self._db.write() as conn:
                identity.write_identity(conn, aliases, conflicts)
        encoded = [codec.encode_person(person) for person in rows]
        return self._upsert(sql.PEOPLE, encoded, after=reindex_topics_and_identity)

    def upsert_communities(self, rows: Sequence[Community]) -> WriteCounts:
        batch_ids = {c.id for c in rows}

        def check(conn: sqlite3.Connection, encoded: list[codec.Row]) -> None:
            check_references(conn, "community", encoded, sql.PARENT_REFS, _id, present=batch_ids)

        encoded = [codec.encode_community(community) for community in rows]
        return self._upsert(sql.COMMUNITIES, encoded, check)

    def upsert_memberships(self, rows: Sequence[Membership]) -> WriteCounts:
        def check(conn: sqlite3.Connection, encoded: list[codec.Row]) -> None:
            check_references(conn, "membership", encoded, sql.MEMBERSHIP_REFS, _pair("→"))

        encoded = [codec.encode_membership(membership) for membership in rows]
        return self._upsert(sql.MEMBERSHIPS, encoded, check)

    def upsert_interactions(self, rows: Sequence[Interaction]) -> WriteCounts:
        def check(conn: sqlite3.Connection, encoded: list[codec.Row]) -> None:
            check_references(conn, "interaction", encoded, sql.INTERACTION_REFS, _id)

        # the hot path: rows of an InteractionBatch are written as they are (no objects);
        # `check` proves every reference inside the transaction, so SQLite's per-row
        # foreign-key look-ups (half the insert cost) are skipped for this batch
        encoded: list[codec.Row] = list(as_rows(rows))
        return self._upsert(sql.INTERACTIONS, encoded, check, enforce_foreign_keys=False)

    def upsert_activities(self, rows: Sequence[Activity]) -> WriteCounts:
        def check(conn: sqlite3.Connection, encoded: list[codec.Row]) -> None:
            check_references(conn, "activity", encoded, sql.ACTIVITY_REFS, _id)

        encoded = [codec.encode_activity(activity) for activity in rows]
        return self._upsert(sql.ACTIVITIES, encoded, check)

    def upsert_participations(self, rows: Sequence[Participation]) -> WriteCounts:
        def check(conn: sqlite3.Connection, encoded: list[codec.Row]) -> None:
            check_references(conn, "participation", encoded, sql.PARTICIPATION_REFS, _pair("←"))

        encoded = [codec.encode_participation(p) for p in rows]
        return self._upsert(sql.PARTICIPATIONS, encoded, check)

    def ids(self, entity: str) -> Iterator[str]:
        """Every stored id of ``people``, ``communities`` or ``activities``."""
        if entity not in sql.SELECT_IDS:
            raise ValueError(f"ids() lists people, communities or activities, not {entity!r}")
        return self._iterate(sql.SELECT_IDS[entity], itemgetter(0))

    # -- lookups --------------------------------------------------------------------------

    def get_person(self, person_id: str) -> Person | None:
        with self._db.read() as conn:
            row = conn.execute(f"{sql.SELECT_PEOPLE} WHERE id = ?", (person_id,)).fetchone()
        return None if row is None else codec.decode_person(row)

    def search_people(
        self, *, text: str | None = None, topic: str | None = None, limit: int = 50
    ) -> list[Person]:
        """People whose id equals ``text`` or whose name contains it (case-insensitive),
        and/or who list ``topic`` among topics or expertise (case-insensitive); by name, id."""
        conditions: list[str] = []
        params: dict[str, Any] = {"limit": max(int(limit), 0)}
        if text is not None:
            conditions.append("(id = :text OR instr(casefold(name), :folded) > 0)")
            params.update(text=text, folded=text.casefold())
        if topic is not None:
            conditions.append(
                "id IN (SELECT person_id FROM person_topics WHERE topic_key = :topic)"
            )
            params["topic"] = topic.strip().casefold()
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        query = f"{sql.SELECT_PEOPLE} {where} ORDER BY name, id LIMIT :limit"
        with self._db.read() as conn:
            return [codec.decode_person(row) for row in conn.execute(query, params)]

    def communities(self, kind: str | None = None) -> list[CommunitySummary]:
        with self._db.read() as conn:
            rows = conn.execute(sql.COMMUNITY_SUMMARIES, {"kind": _kind_value(kind)}).fetchall()
        return [CommunitySummary(codec.decode_community(row), count) for *row, count in rows]

    def memberships(
        self, as_of: datetime | None = None, kind: str | None = None
    ) -> list[Membership]:
        """Memberships active at ``as_of`` (all when None), of communities of ``kind``."""
        params = {"kind": _kind_value(kind), "as_of": codec.bound_micros("as_of", as_of)}
        with self._db.read() as conn:
            rows = conn.execute(sql.ACTIVE_MEMBERSHIPS, params).fetchall()
        return [codec.decode_membership(row) for row in rows]

    def memberships_of(self, person_id: str) -> list[Membership]:
        query = f"{sql.SELECT_MEMBERSHIPS} WHERE m.person_id = ? ORDER BY m.community_id, m.role"
        with self._db.read() as conn:
            rows = conn.execute(query, (person_id,)).fetchall()
        return [codec.decode_membership(row) for row in rows]

    def members_of(self, community_id: str) -> list[Membership]:
        query = f"{sql.SELECT_MEMBERSHIPS} WHERE m.community_id = ? ORDER BY m.person_id, m.role"
        with self._db.read() as conn:
            rows = conn.execute(query, (community_id,)).fetchall()
        return [codec.decode_membership(row) for row in rows]

    def interactions(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        kinds: Iterable[InteractionKind | str] | None = None,
    ) -> InteractionArrays:
        """The window's interactions as columns, rows ordered by ``(at, id)``."""
        bounds = codec.bound_micros("start", start), codec.bound_micros("end", end)
        wanted = None if kinds is None else kind_values(kinds)
        with self._db.read() as conn:
            return fetch_arrays(conn, *bounds, wanted)

    def ego_network(
        self,
        person_id: str,
        hops: int = 1,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> EgoNetwork:
        """Raises :class:`~graphsvc.errors.NotFound` for an unknown person."""
        bounds = codec.bound_micros("start", start), codec.bound_micros("end", end)
        with self._db.read() as conn:
            return ego_network(conn, person_id, hops, *bounds)

    # -- whole-store iteration ------------------------------------------------------------

    def _iterate(self, query: str, decode: Callable[[codec.Row], T]) -> Iterator[T]:
        with self._db.snapshot() as conn:
            for row in conn.execute(query):
                yield decode(row)

    def list_people(self) -> Iterator[Person]:
        return self._iterate(f"{sql.SELECT_PEOPLE} ORDER BY id", codec.decode_person)

    def list_communities(self) -> Iterator[Community]:
        return self._iterate(f"{sql.SELECT_COMMUNITIES} ORDER BY id", codec.decode_community)

    def list_memberships(self) -> Iterator[Membership]:
        query = f"{sql.SELECT_MEMBERSHIPS} ORDER BY person_id, community_id, role"
        return self._iterate(query, codec.decode_membership)

    def list_interactions(self) -> Iterator[Interaction]:
        return self._iterate(f"{sql.SELECT_INTERACTIONS} ORDER BY id", codec.decode_interaction)

    def list_activities(self) -> Iterator[Activity]:
        return self._iterate(f"{sql.SELECT_ACTIVITIES} ORDER BY id", codec.decode_activity)

    def list_participations(self) -> Iterator[Participation]:
        query = f"{sql.SELECT_PARTICIPATIONS} ORDER BY activity_id, person_id"
        return self._iterate(query, codec.decode_participation)

    # -- identity across source systems ----------------------------------------------------

    def aliases(
        self,
        *,
        person_ids: Collection[str] | None = None,
        source_system: str | None = None,
        external_ids: Collection[str] | None = None,
    ) -> list[Alias]:
        with self._db.read() as conn:
            return identity.select_aliases(conn, person_ids, source_system, external_ids)

    def get_people(self, person_ids: Collection[str]) -> dict[str, Person]:
        query = f"{sql.SELECT_PEOPLE} WHERE id IN (SELECT value FROM json_each(?))"
        with self._db.read() as conn:
            rows = conn.execute(query, (codec.dump_json(sorted(person_ids)),)).fetchall()
        return {row[0]: codec.decode_person(row) for row in rows}

    def person_ids_by_email(self, emails: Collection[str]) -> dict[str, str]:
        with self._db.read() as conn:
            return identity.select_ids_by_email(conn, emails)

    def conflicts(self, person_id: str | None = None, limit: int = 100) -> list[AttributeConflict]:
        with self._db.read() as conn:
            return identity.select_conflicts(conn, person_id, limit)

    def split_alias(self, plan: SplitPlan) -> SplitReport:
        """One transaction: new person, alias re-pointed, records moved, old person rebuilt."""
        alias = replace(plan.alias, person_id=plan.new_person.id, rule=AliasRule.SPLIT)
        with self._db.write() as conn:
            conn.executemany(sql.PEOPLE.upsert, [codec.encode_person(plan.new_person)])
            identity.write_identity(conn, [alias], [])
            moved = identity.move_records(conn, plan) if plan.move_records else {}
            conn.executemany(sql.PEOPLE.upsert, [codec.encode_person(plan.rebuilt)])
            people = (plan.new_person, plan.rebuilt)
            conn.execute(sql.FORGET_TOPICS, (codec.dump_json([p.id for p in people]),))
            topics = [(key, p.id) for p in people for key in codec.topic_keys(p)]
            conn.executemany(sql.INSERT_TOPIC, topics)
        return identity.split_report(plan, moved)

    # -- erasure --------------------------------------------------------------------------

    def delete_person(self, person_id: str) -> ErasureReport:
        """Erase the person and every membership, interaction, participation and feedback
        naming them, and their person-scoped metric values; an unknown id returns an
        all-zero report."""
        removed: dict[str, int] = {}
        with self._db.write() as conn:
            for field, statement in sql.ERASURE:
                count = conn.execute(statement, {"id": person_id}).rowcount
                if field:
                    removed[field] = count
            removed["messages"] = identity.redact_runs(conn, person_id)
        return ErasureReport(**removed)

    # -- records --------------------------------------------------------------------------

    def record_import_run(self, run: ImportRun) -> None:
        with self._db.write() as conn:
            conn.execute(sql.UPSERT_IMPORT_RUN, codec.encode_import_run(run))

    def get_import_run(self, run_id: str) -> ImportRun | None:
        with self._db.read() as conn:
            row = conn.execute(f"{sql.SELECT_IMPORT_RUNS} WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else codec.decode_import_run(row)

    def import_runs(self, limit: int = 20) -> list[ImportRun]:
        """Most recent first (by started_at, then id)."""
        query = f"{sql.SELECT_IMPORT_RUNS} ORDER BY started_at DESC, id DESC LIMIT ?"
        with self._db.read() as conn:
            rows = conn.execute(query, (max(int(limit), 0),)).fetchall()
        return [codec.decode_import_run(row) for row in rows]

    def get_cursor(self, source: str) -> str | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT value FROM cursors WHERE source = ?", (source,)).fetchone()
        return None if row is None else str(row[0])

    def set_cursor(self, source: str, value: str) -> None:
        with self._db.write() as conn:
            conn.execute(sql.UPSERT_CURSOR, (source, value))

    def add_feedback(self, rows: Sequence[Feedback]) -> int:
        if rows:
            with self._db.write() as conn:
                conn.executemany(sql.UPSERT_FEEDBACK, [codec.encode_feedback(f) for f in rows])
        return len(rows)

    def feedback(self, person_id: str | None = None) -> list[Feedback]:
        """Feedback given by ``person_id`` (everyone's when None), by time, then id."""
        query = (
            f"{sql.SELECT_FEEDBACK} WHERE :person IS NULL OR person_id = :person ORDER BY at, id"
        )
        with self._db.read() as conn:
            rows = conn.execute(query, {"person": person_id}).fetchall()
        return [codec.decode_feedback(row) for row in rows]

    # -- summary and lifecycle ------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per entity (:data:`~graphsvc.store.COUNT_KEYS`)."""
        with self._db.read() as conn:
            row = conn.execute(sql.COUNTS).fetchone()
        return dict(zip(COUNT_KEYS, (int(n) for n in row), strict=True))

    def clear(self) -> None:
        """Delete every record (schema stays)."""
        with self._db.write() as conn:
            for table in sql.TABLES:
                conn.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        self._db.close()


def _id(row: codec.Row) -> str:
    return str(row[0])


def _pair(arrow: str) -> Callable[[codec.Row], str]:
    """Record id of a keyed pair, as the model's validation errors spell it."""
    return lambda row: f"{row[0]}{arrow}{row[1]}"


def _kind_value(kind: str | None) -> str | None:
    """A community kind filter as stored (validated; None = any kind)."""
    if kind is None:
        return None
    try:
        return CommunityKind(kind).value
    except ValueError:
        allowed = ", ".join(k.value for k in CommunityKind)
        raise ValidationError("kind", f"{kind!r} is not one of: {allowed}") from None
