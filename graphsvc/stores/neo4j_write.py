"""Transaction functions of the Neo4j store's writes (run by ``session.execute_write``).

Each batch upsert first asks, in the same transaction, which referenced ids are missing;
if any is, it raises :class:`UnknownReference` before writing, so the managed transaction
rolls back and the batch writes nothing. Then one ``UNWIND $rows`` query (or two) writes
the whole batch. Interactions (the bulk of a load) check their persons in the writing
query itself and raise afterwards: the raise rolls back what that query created.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from operator import attrgetter
from typing import Any, NamedTuple

import neo4j

from graphsvc.errors import UnknownReference
from graphsvc.model import (
    REFERENCES,
    Activity,
    Community,
    Interaction,
    Membership,
    Participation,
    Person,
)
from graphsvc.store import ErasureReport
from graphsvc.stores.neo4j_records import (
    activity_row,
    community_row,
    interaction_row,
    interaction_values,
    membership_row,
    participation_row,
    person_row,
)
from graphsvc.stores.neo4j_schema import query

_PEOPLE = "missing_people"
_COMMUNITIES = "missing_communities"
_ACTIVITIES = "missing_activities"
#: referenced entity → the query that lists which of some ids it lacks
_LOOKUPS = {"people": _PEOPLE, "communities": _COMMUNITIES, "activities": _ACTIVITIES}


class Reference(NamedTuple):
    """Record ``record_id``'s ``field`` names ``target_id``, looked up by ``lookup``."""

    record_id: str
    field: str
    lookup: str
    target_id: str


def check_references(
    tx: neo4j.ManagedTransaction,
    entity: str,
    references: Iterable[Reference],
    known: frozenset[str] = frozenset(),
    stored: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Raise :class:`UnknownReference` for the first reference the store lacks.

    ``known`` holds ids arriving in the same batch (only for ``missing_communities``);
    ``stored`` maps a lookup to the ids already found by the caller in this transaction
    (that lookup then needs no query).
    """
    references = list(references)
    stored = stored or {}
    wanted: dict[str, set[str]] = {}
    missing: set[tuple[str, str]] = set()
    for ref in references:
        if ref.lookup in stored:
            if ref.target_id not in stored[ref.lookup]:
                missing.add((ref.lookup, ref.target_id))
        elif not (ref.lookup == _COMMUNITIES and ref.target_id in known):
            wanted.setdefault(ref.lookup, set()).add(ref.target_id)
    for lookup, ids in wanted.items():
        result = tx.run(query(lookup), ids=sorted(ids))
        missing.update((lookup, record["id"]) for record in result)
    if not missing:
        return
    for ref in references:
        if (ref.lookup, ref.target_id) in missing:
            raise UnknownReference(entity, ref.record_id, ref.field, ref.target_id)


def write_people(tx: neo4j.ManagedTransaction, rows: Sequence[Person]) -> None:
    tx.run(query("upsert_people"), rows=[person_row(p) for p in rows]).consume()


def references_of(
    entity: str, rows: Iterable[Any], label: Callable[[Any], str] = attrgetter("id")
) -> Iterator[Reference]:
    """Every reference :data:`graphsvc.model.REFERENCES` declares for ``rows`` (unset skipped)."""
    for row in rows:
        for field, target in REFERENCES[entity]:
            value = getattr(row, field)
            if value is not None:
                yield Reference(label(row), field, _LOOKUPS[target], value)


def write_communities(tx: neo4j.ManagedTransaction, rows: Sequence[Community]) -> None:
    check_references(
        tx,
        "community",
        references_of("communities", rows),
        known=frozenset(c.id for c in rows),
    )
    data = [community_row(c) for c in rows]
    tx.run(query("upsert_communities"), rows=data).consume()
    tx.run(query("set_community_parents"), rows=data).consume()


def write_memberships(tx: neo4j.ManagedTransaction, rows: Sequence[Membership]) -> None:
    check_references(tx, "membership", references_of("memberships", rows, attrgetter("label")))
    tx.run(query("upsert_memberships"), rows=[membership_row(m) for m in rows]).consume()


def write_interactions(tx: neo4j.ManagedTransaction, rows: Sequence[Interaction]) -> None:
    """Upsert interactions by id; the last of duplicate ids in a batch wins.

    One query creates every row whose id is new (a fresh load needs no other per-row
    query) and reports the stored ids and the persons it did not find. A missing person or
    community raises :class:`UnknownReference`, rolling back what the query created.
    Stored rows are then classified: unchanged rows are skipped (an idempotent rerun only
    reads), changed rows are updated in place, and rows whose endpoints moved are deleted
    and created again between the new endpoints.
    """
    latest = list({i.id: i for i in rows}.values())
    community_ids = {i.community_id for i in latest if i.community_id is not None}
    absent_communities = _missing(tx, _COMMUNITIES, community_ids)
    outcome = _create_new(tx, latest)
    absent_people = set(outcome["missing"])
    if absent_people or absent_communities:
        person_ids = {i.source_id for i in latest} | {i.target_id for i in latest}
        present = {
            _PEOPLE: person_ids - absent_people,
            _COMMUNITIES: community_ids - absent_communities,
        }
        check_references(tx, "interaction", references_of("interactions", latest), stored=present)
    if outcome["stored"]:
        stored_ids = set(outcome["stored"])
        _update_stored(tx, [i for i in latest if i.id in stored_ids])


def _missing(tx: neo4j.ManagedTransaction, lookup: str, ids: Collection[str]) -> set[str]:
    """Those of ``ids`` the store lacks (``lookup`` names the ``missing_*`` query)."""
    if not ids:
        return set()
    return {record["id"] for record in tx.run(query(lookup), ids=sorted(ids))}


def _create_new(tx: neo4j.ManagedTransaction, rows: Sequence[Interaction]) -> neo4j.Record:
    """Create the rows whose id is new; the record lists ``stored`` ids, ``missing`` persons."""
    values = [interaction_values(i) for i in rows]
    return tx.run(query("create_interactions"), rows=values).single(strict=True)


def _update_stored(tx: neo4j.ManagedTransaction, rows: Sequence[Interaction]) -> None:
    """Bring already stored interactions up to ``rows`` (skip, update or move each)."""
    data = [interaction_row(i) for i in rows]
    stored = tx.run(query("classify_interactions"), rows=data).single(strict=True)
    moved, changed = set(stored["moved"]), set(stored["changed"])
    if moved:
        tx.run(query("delete_interactions_by_id"), ids=sorted(moved)).consume()
        _create_new(tx, [i for i in rows if i.id in moved])
    if changed:
        tx.run(query("update_interactions"), rows=[r for r in data if r["id"] in changed]).consume()


def write_activities(tx: neo4j.ManagedTransaction, rows: Sequence[Activity]) -> None:
    check_references(tx, "activity", references_of("activities", rows))
    tx.run(query("upsert_activities"), rows=[activity_row(a) for a in rows]).consume()


def write_participations(tx: neo4j.ManagedTransaction, rows: Sequence[Participation]) -> None:
    check_references(
        tx, "participation", references_of("participations", rows, attrgetter("label"))
    )
    tx.run(query("upsert_participations"), rows=[participation_row(p) for p in rows]).consume()


def erase_person(tx: neo4j.ManagedTransaction, person_id: str) -> ErasureReport:
    """Delete the person, their relationships and feedback naming them; count each kind."""
    counted = tx.run(query("erasure_counts"), id=person_id).single()
    feedback = tx.run(query("delete_feedback_naming"), id=person_id).single(strict=True)
    people = tx.run(query("delete_person"), id=person_id).single(strict=True)
    if counted is None:
        return ErasureReport(feedback=int(feedback["deleted"]))
    return ErasureReport(
        people=int(people["deleted"]),
        memberships=int(counted["memberships"]),
        interactions=int(counted["interactions"]),
        participations=int(counted["participations"]),
        feedback=int(feedback["deleted"]),
    )
