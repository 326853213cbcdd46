"""The Neo4j backend of :class:`graphsvc.store.GraphStore` (DESIGN.md §2 and §4).

Graph shape: ``(:Person)-[:MEMBER_OF {role,since,until}]->(:Community)``,
``(:Person)-[:INTERACTED {id,kind,at,weight,directed,topic,community_id}]->(:Person)``,
``(:Person)-[:PARTICIPATED {role,at}]->(:Activity)-[:HOSTED_BY]->(:Community)``,
``(:Community)-[:PART_OF]->(:Community)``, plus ``(:ImportRun)``, ``(:Cursor)``,
``(:Feedback)`` nodes and the ``(:Alias)`` and ``(:AttributeConflict)`` nodes of identity
resolution (:mod:`~graphsvc.stores.neo4j_identity`). Every Person, Community and Activity
node and every MEMBER_OF, INTERACTED and PARTICIPATED relationship also carries its
provenance, ``source_system`` and ``external_id``, when set. Every query comes from
``cypher/<name>.cypher`` and names the database; writes are ``UNWIND $rows`` batches in
managed write transactions (one batch, one transaction) that classify the rows first and
write only the new and changed ones; driver errors become :class:`StoreUnavailable` /
:class:`StoreError`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

import neo4j

from graphsvc.config import Settings
from graphsvc.errors import NotFound, ValidationError
from graphsvc.identity import Alias, AttributeConflict
from graphsvc.model import (
    Activity,
    Community,
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
from graphsvc.stores import neo4j_identity as identity
from graphsvc.stores import neo4j_write as write
from graphsvc.stores.neo4j_connect import (
    Neo4jTarget,
    open_driver,
    parse_target,
    session_config,
    translated_errors,
)
from graphsvc.stores.neo4j_evaluation import EvaluationRecords
from graphsvc.stores.neo4j_records import (
    activity_from,
    community_from,
    feedback_from,
    feedback_row,
    import_run_from,
    import_run_row,
    interaction_arrays,
    interaction_from,
    membership_from,
    participation_from,
    person_from,
)
from graphsvc.stores.neo4j_schema import ensure_schema, query

P = ParamSpec("P")
R = TypeVar("R")

#: batches in flight for most entities: two keep both cores of a small server busy
#: (bench/store_load.py; a third gained nothing)
CONCURRENT_BATCHES = 2
#: entities written one batch at a time: every membership batch MERGEs edges onto the same
#: few community nodes, so a second batch in flight only waits for their locks or deadlocks
#: (each retry then sleeps about a second) — measured slower than a single stream
SINGLE_STREAM = frozenset({"communities", "memberships"})

#: entity → the query streaming its ids (:meth:`Neo4jStore.ids`)
_ID_QUERIES = {"people": "person_ids", "communities": "community_ids", "activities": "activity_ids"}

#: the lower bound of an unbounded window (keeps the ``at`` range-index seek in every query)
_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)


class Neo4jStore(EvaluationRecords):
    """A :class:`~graphsvc.store.GraphStore` on a Neo4j database (official driver)."""

    def __init__(self, driver: neo4j.Driver, target: Neo4jTarget) -> None:
        self._driver = driver
        self._target = target
        self.location = target.location

    def write_workers_for(self, entity: str) -> int:
        """Batches of ``entity`` to keep in flight: 1 for the entities in ``SINGLE_STREAM``."""
        return 1 if entity in SINGLE_STREAM else CONCURRENT_BATCHES

    @classmethod
    def from_settings(cls, settings: Settings) -> Neo4jStore:
        """Connect (verifying connectivity), create or migrate the schema, return the store.

        Raises :class:`StoreUnavailable` naming the redacted URI when the server cannot be
        reached or refuses the credentials.
        """
        target = parse_target(settings)
        driver = open_driver(target)
        try:
            with translated_errors(target):
                ensure_schema(driver, target.database)
        except BaseException:
            driver.close()
            raise
        return cls(driver, target)

    def __repr__(self) -> str:
        return f"Neo4jStore({self.location!r}, database={self._target.database!r})"

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _write(
        self,
        work: Callable[Concatenate[neo4j.ManagedTransaction, P], R],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Run ``work(tx, ...)`` in one managed write transaction (retried if transient)."""
        with (
            translated_errors(self._target),
            self._driver.session(**session_config(self._target, read=False)) as session,
        ):
            return session.execute_write(work, *args, **kwargs)

    def _execute(self, name: str, *, write_: bool = False, **params: Any) -> list[neo4j.Record]:
        """All records of one query, run in a managed (read unless ``write_``) transaction."""
        routing = neo4j.RoutingControl.WRITE if write_ else neo4j.RoutingControl.READ
        with translated_errors(self._target):
            records, _, _ = self._driver.execute_query(
                query(name), params, routing_=routing, database_=self._target.database
            )
        return records

    def _stream(self, name: str, **params: Any) -> Iterator[neo4j.Record]:
        """The records of one read query, fetched lazily (for whole-store iteration)."""
        with (
            translated_errors(self._target),
            self._driver.session(**session_config(self._target, read=True)) as session,
        ):
            yield from session.run(query(name), params)

    # -- batch upserts -------------------------------------------------------------------------

    def upsert_people(
        self,
        rows: Sequence[Person],
        *,
        aliases: Sequence[Alias] = (),
        conflicts: Sequence[AttributeConflict] = (),
    ) -> WriteCounts:
        """Upsert ``rows`` and, in the same transaction, ``aliases`` and ``conflicts``."""
        if not (rows or aliases or conflicts):
            return WriteCounts()
        return self._write(identity.write_people_and_identity, rows, aliases, conflicts)

    def upsert_communities(self, rows: Sequence[Community]) -> WriteCounts:
        return self._write(write.write_communities, rows) if rows else WriteCounts()

    def upsert_memberships(self, rows: Sequence[Membership]) -> WriteCounts:
        return self._write(write.write_memberships, rows) if rows else WriteCounts()

    def upsert_interactions(self, rows: Sequence[Interaction]) -> WriteCounts:
        # plain rows: a batch's own tuples, sent as they are (graphsvc.model_batch)
        return self._write(write.write_interactions, as_rows(rows)) if rows else WriteCounts()

    def upsert_activities(self, rows: Sequence[Activity]) -> WriteCounts:
        return self._write(write.write_activities, rows) if rows else WriteCounts()

    def upsert_participations(self, rows: Sequence[Participation]) -> WriteCounts:
        return self._write(write.write_participations, rows) if rows else WriteCounts()

    def ids(self, entity: str) -> Iterator[str]:
        """Every stored id of ``people``, ``communities`` or ``activities``, streamed."""
        if entity not in _ID_QUERIES:
            raise ValueError(f"ids() lists people, communities or activities, not {entity!r}")
        return (str(i) for record in self._stream(_ID_QUERIES[entity]) for i in record["ids"])

    # -- lookups -------------------------------------------------------------------------------

    def get_person(self, person_id: str) -> Person | None:
        records = self._execute("get_person", id=person_id)
        return person_from(records[0]["person"]) if records else None

    def search_people(
        self, *, text: str | None = None, topic: str | None = None, limit: int = 50
    ) -> list[Person]:
        """People whose id equals ``text`` or whose name contains it (case-insensitive),
        and/or who list ``topic`` among topics or expertise (case-insensitive); by name, id."""
        records = self._execute("search_people", text=text, topic=topic, limit=max(limit, 0))
        return [person_from(record["person"]) for record in records]

    def communities(self, kind: str | None = None) -> list[CommunitySummary]:
        records = self._execute("communities", kind=kind)
        return [
            CommunitySummary(
                community_from(record["community"], record["parent_id"]),
                int(record["member_count"]),
            )
            for record in records
        ]

    def memberships(
        self, as_of: datetime | None = None, kind: str | None = None
    ) -> list[Membership]:
        """Memberships active at ``as_of`` (all when None), of communities of ``kind``."""
        records = self._execute("memberships", as_of=as_of, kind=kind)
        return [membership_from(record) for record in records]

    def memberships_of(self, person_id: str) -> list[Membership]:
        records = self._execute("memberships_of_people", ids=[person_id])
        found = [membership_from(record) for record in records]
        return sorted(found, key=lambda m: (m.community_id, m.role))

    def members_of(self, community_id: str) -> list[Membership]:
        records = self._execute("members_of_community", id=community_id)
        return [membership_from(record) for record in records]

    def interactions(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        kinds: Iterable[InteractionKind | str] | None = None,
    ) -> InteractionArrays:
        records = self._execute(
            "interaction_columns",
            start=start or _EARLIEST,
            end=end,
            kinds=None if kinds is None else _kind_values(kinds),
        )
        return interaction_arrays(records[0])

    def ego_network(
        self,
        person_id: str,
        hops: int = 1,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> EgoNetwork:
        """Raises :class:`~graphsvc.errors.NotFound` for an unknown person."""
        if hops < 0:
            raise ValidationError("hops", "must be ≥ 0", entity="ego_network", record_id=person_id)
        if self.get_person(person_id) is None:
            raise NotFound("person", person_id)
        window: dict[str, Any] = {"start": start or _EARLIEST, "end": end}
        distance = {person_id: 0}
        frontier = [person_id]
        for hop in range(1, hops + 1):
            if not frontier:
                break
            found = self._execute("ego_neighbours", ids=frontier, **window)
            frontier = sorted({r["id"] for r in found} - distance.keys())
            distance.update(dict.fromkeys(frontier, hop))
        people = [person_from(r["person"]) for r in self._execute("people_by_ids", ids=[*distance])]
        people.sort(key=lambda person: (distance[person.id], person.id))
        ties = self._execute("ego_interactions", ids=[*distance], **window)
        return EgoNetwork(
            center=person_id,
            people=tuple(people),
            distance=distance,
            interactions=tuple(
                interaction_from(r["interaction"], r["source_id"], r["target_id"]) for r in ties
            ),
        )

    # -- whole-store iteration, ordered by key (export) ----------------------------------------

    def list_people(self) -> Iterator[Person]:
        for record in self._stream("list_people"):
            yield person_from(record["person"])

    def list_communities(self) -> Iterator[Community]:
        for record in self._stream("list_communities"):
            yield community_from(record["community"], record["parent_id"])

    def list_memberships(self) -> Iterator[Membership]:
        for record in self._stream("memberships", as_of=None, kind=None):
            yield membership_from(record)

    def list_interactions(self) -> Iterator[Interaction]:
        for record in self._stream("list_interactions"):
            yield interaction_from(record["interaction"], record["source_id"], record["target_id"])

    def list_activities(self) -> Iterator[Activity]:
        for record in self._stream("list_activities"):
            yield activity_from(record["activity"], record["community_id"])

    def list_participations(self) -> Iterator[Participation]:
        for record in self._stream("list_participations"):
            yield participation_from(record)

    # -- identity across source systems (graphsvc.stores.neo4j_identity) -----------------------

    def aliases(
        self,
        *,
        person_ids: Collection[str] | None = None,
        source_system: str | None = None,
        external_ids: Collection[str] | None = None,
    ) -> list[Alias]:
        name, params = identity.alias_query(person_ids, source_system, external_ids)
        return [identity.alias_from(record["alias"]) for record in self._execute(name, **params)]

    def get_people(self, person_ids: Collection[str]) -> dict[str, Person]:
        records = self._execute("people_by_ids", ids=sorted(set(person_ids)))
        return {person.id: person for person in (person_from(r["person"]) for r in records)}

    def person_ids_by_email(self, emails: Collection[str]) -> dict[str, str]:
        records = self._execute("person_ids_by_email", emails=identity.email_keys(emails))
        return {str(record["email"]): str(record["id"]) for record in records}

    def conflicts(self, person_id: str | None = None, limit: int = 100) -> list[AttributeConflict]:
        name = "conflicts" if person_id is None else "conflicts_of_person"
        records = self._execute(name, person_id=person_id, limit=max(int(limit), 0))
        return [identity.conflict_from(record["conflict"]) for record in records]

    def split_alias(self, plan: SplitPlan) -> SplitReport:
        """One transaction: new person, alias re-pointed, records moved, old person rebuilt."""
        return self._write(identity.split_alias, plan)

    # -- erasure -------------------------------------------------------------------------------

    def delete_person(self, person_id: str) -> ErasureReport:
        """Erase the person and every membership, interaction, participation and feedback
        naming them, and their aliases and conflicts; an unknown id returns a zero report."""
        return self._write(write.erase_person, person_id)

    # -- records -------------------------------------------------------------------------------

    def record_import_run(self, run: ImportRun) -> None:
        self._execute("upsert_import_run", write_=True, run=import_run_row(run))

    def get_import_run(self, run_id: str) -> ImportRun | None:
        records = self._execute("get_import_run", id=run_id)
        return import_run_from(records[0]["run"]) if records else None

    def import_runs(self, limit: int = 20) -> list[ImportRun]:
        """Most recent first (by started_at, then id)."""
        records = self._execute("import_runs", limit=max(limit, 0))
        return [import_run_from(record["run"]) for record in records]

    def get_cursor(self, source: str) -> str | None:
        records = self._execute("get_cursor", source=source)
        return str(records[0]["value"]) if records else None

    def set_cursor(self, source: str, value: str) -> None:
        self._execute("set_cursor", write_=True, source=source, value=value)

    def add_feedback(self, rows: Sequence[Feedback]) -> int:
        if rows:
            self._execute("upsert_feedback", write_=True, rows=[feedback_row(f) for f in rows])
        return len(rows)

    def feedback(self, person_id: str | None = None) -> list[Feedback]:
        records = self._execute("feedback", person_id=person_id)
        return [feedback_from(record["feedback"]) for record in records]

    # -- summary and lifecycle -----------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per entity (:data:`~graphsvc.store.COUNT_KEYS`)."""
        record = self._execute("counts")[0]
        return {key: int(record[key]) for key in COUNT_KEYS}

    def clear(self) -> None:
        """Delete every record (schema stays): relationships, then nodes (aliases, conflicts
        and counters included), in batches of 10,000 so that memory stays bounded."""
        with (
            translated_errors(self._target),
            self._driver.session(**session_config(self._target, read=False)) as session,
        ):
            session.run(query("clear_relationships")).consume()
            session.run(query("clear_all")).consume()

    def close(self) -> None:
        self._driver.close()


def _kind_values(kinds: Iterable[InteractionKind | str]) -> list[str]:
    values = []
    for kind in kinds:
        try:
            values.append(InteractionKind(kind).value)
        except ValueError:
            allowed = ", ".join(k.value for k in InteractionKind)
            raise ValidationError("kinds", f"{kind!r} is not one of: {allowed}") from None
    return values
