"""Transaction functions of the Neo4j store's writes (run by ``session.execute_write``).

Each batch upsert first asks, in the same transaction, which referenced ids are missing;
if any is, it raises :class:`UnknownReference` before writing, so the managed transaction
rolls back and the batch writes nothing. Then one query reads the stored records of the
batch's keys, which are compared with the rows (:func:`graphsvc.store.classify`), and one
``UNWIND $rows`` query (or two) writes only the new and changed rows: an idempotent rerun
only reads. Each returns the batch's :class:`WriteCounts`. Interactions (the bulk of a
load) travel as plain row tuples, create new ids and check their persons in one query and
raise afterwards (the raise rolls back what that query created); only the stored ids are
then classified.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from operator import attrgetter
from typing import Any, Final, NamedTuple, TypeVar

import neo4j

from graphsvc.errors import UnknownReference
from graphsvc.model import (
    REFERENCES,
    Activity,
    Community,
    Interaction,
    InteractionRow,
    Membership,
    Participation,
    Person,
    interaction_from_row,
)
from graphsvc.store import ErasureReport, WriteCounts, classify, redact
from graphsvc.stores.neo4j_records import (
    activity_from,
    activity_row,
    community_from,
    community_row,
    interaction_from,
    membership_from,
    membership_row,
    participation_from,
    participation_row,
    person_from,
    person_row,
)
from graphsvc.stores.neo4j_schema import query

_PEOPLE = "missing_people"
_COMMUNITIES = "missing_communities"
_ACTIVITIES = "missing_activities"
#: referenced entity → the query that lists which of some ids it lacks
_LOOKUPS = {"people": _PEOPLE, "communities": _COMMUNITIES, "activities": _ACTIVITIES}

T = TypeVar("T")
#: positions in an interaction row (graphsvc.model.INTERACTION_FIELDS; Final literals, so
#: that the type checker knows each field's type)
ROW_ID: Final = 0
ROW_SOURCE: Final = 2
ROW_TARGET: Final = 3
ROW_COMMUNITY: Final = 8
_PERSON_ID = attrgetter("person_id")


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


def references_of(
    entity: str, rows: Iterable[Any], label: Callable[[Any], str] = attrgetter("id")
) -> Iterator[Reference]:
    """Every reference :data:`graphsvc.model.REFERENCES` declares for ``rows`` (unset skipped)."""
    for row in rows:
        for field, target in REFERENCES[entity]:
            value = getattr(row, field)
            if value is not None:
                yield Reference(label(row), field, _LOOKUPS[target], value)


def write_people(tx: neo4j.ManagedTransaction, rows: Sequence[Person]) -> WriteCounts:
    counts, changed = changed_rows(tx, "people_by_ids", rows, attrgetter("id"), _person)
    if changed:
        tx.run(query("upsert_people"), rows=[person_row(p) for p in changed]).consume()
    return counts


def write_communities(tx: neo4j.ManagedTransaction, rows: Sequence[Community]) -> WriteCounts:
    check_references(
        tx,
        "community",
        references_of("communities", rows),
        known=frozenset(c.id for c in rows),
    )
    counts, changed = changed_rows(tx, "communities_by_ids", rows, attrgetter("id"), _community)
    if changed:
        # every new or changed community first, so that a parent new in this batch exists
        data = [community_row(c) for c in changed]
        tx.run(query("upsert_communities"), rows=data).consume()
        tx.run(query("set_community_parents"), rows=data).consume()
    return counts


def write_memberships(tx: neo4j.ManagedTransaction, rows: Sequence[Membership]) -> WriteCounts:
    check_references(tx, "membership", references_of("memberships", rows, attrgetter("label")))
    counts, changed = changed_rows(
        tx, "memberships_of_people", rows, attrgetter("key"), membership_from, _PERSON_ID
    )
    if changed:
        tx.run(query("upsert_memberships"), rows=[membership_row(m) for m in changed]).consume()
    return counts


def write_interactions(tx: neo4j.ManagedTransaction, rows: Sequence[InteractionRow]) -> WriteCounts:
    """Upsert interactions, given as :data:`~graphsvc.model.InteractionRow` tuples, by id;
    the last of duplicate ids in a batch wins.

    The rows go to the server as they are (no per-row Python work on a fresh load). One
    query creates every row whose id is new and reports the stored ids and the persons it
    did not find. A missing person or community raises :class:`UnknownReference`, rolling
    back what the query created. Stored rows are then classified: unchanged rows are
    skipped (an idempotent rerun only reads), changed rows are updated in place, and rows
    whose endpoints moved are deleted and created again between the new endpoints (both
    count as updated).
    """
    latest = list({row[ROW_ID]: row for row in rows}.values())
    community_ids = {row[ROW_COMMUNITY] for row in latest if row[ROW_COMMUNITY] is not None}
    absent_communities = _missing(tx, _COMMUNITIES, community_ids)
    outcome = _create_new(tx, latest)
    absent_people = set(outcome["missing"])
    if absent_people or absent_communities:
        person_ids = {row[ROW_SOURCE] for row in latest} | {row[ROW_TARGET] for row in latest}
        present = {
            _PEOPLE: person_ids - absent_people,
            _COMMUNITIES: community_ids - absent_communities,
        }
        objects = [interaction_from_row(*row) for row in latest]
        check_references(tx, "interaction", references_of("interactions", objects), stored=present)
    stored_ids = set(outcome["stored"])
    ids = [row[ROW_ID] for row in rows]
    repeated = _repeated_ids(ids) if len(latest) < len(rows) else set()
    # the stored records of repeated ids, read before they are updated (rare: no query else)
    earlier = _stored_interactions(tx, repeated & stored_ids)
    updated_ids = _update_stored(tx, [row for row in latest if row[ROW_ID] in stored_ids])
    again = [interaction_from_row(*row) for row in rows if row[ROW_ID] in repeated]
    return _interaction_counts(ids, again, stored_ids, updated_ids, earlier)


def _repeated_ids(ids: Sequence[str]) -> set[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for record_id in ids:
        (repeated if record_id in seen else seen).add(record_id)
    return repeated


def _stored_interactions(tx: neo4j.ManagedTransaction, ids: Collection[str]) -> dict[Any, object]:
    if not ids:
        return {}
    records = tx.run(query("interactions_by_ids"), ids=sorted(ids))
    return {i.id: i for i in map(_interaction, records)}


def _interaction_counts(
    ids: Sequence[str],
    again: Sequence[Interaction],
    stored_ids: Collection[str],
    updated_ids: Collection[str],
    earlier: dict[Any, object],
) -> WriteCounts:
    """Count each row (``ids`` in order) as :func:`graphsvc.store.classify` would.

    A row of an id given once counts as the create and classify queries found it; the rows
    of a repeated id (``again``, in order) are each compared with the one before (the first
    with ``earlier``, the stored record, if any).
    """
    counts, _ = classify([i.id for i in again], earlier, again)
    repeated = {i.id for i in again}
    once = [record_id for record_id in ids if record_id not in repeated]
    inserted = sum(1 for record_id in once if record_id not in stored_ids)
    updated = sum(1 for record_id in once if record_id in updated_ids)
    return counts + WriteCounts(inserted, updated, len(once) - inserted - updated)


def _missing(tx: neo4j.ManagedTransaction, lookup: str, ids: Collection[str]) -> set[str]:
    """Those of ``ids`` the store lacks (``lookup`` names the ``missing_*`` query)."""
    if not ids:
        return set()
    return {record["id"] for record in tx.run(query(lookup), ids=sorted(ids))}


def _create_new(tx: neo4j.ManagedTransaction, rows: Sequence[InteractionRow]) -> neo4j.Record:
    """Create the rows whose id is new; the record lists ``stored`` ids, ``missing`` persons."""
    return tx.run(query("create_interactions"), rows=rows).single(strict=True)


def _update_stored(tx: neo4j.ManagedTransaction, rows: Sequence[InteractionRow]) -> set[str]:
    """Bring already stored interactions up to ``rows`` (skip, update or move each);
    returns the ids of those updated or moved."""
    if not rows:
        return set()
    stored = tx.run(query("classify_interactions"), rows=rows).single(strict=True)
    moved, changed = set(stored["moved"]), set(stored["changed"])
    if moved:
        tx.run(query("delete_interactions_by_id"), ids=sorted(moved)).consume()
        _create_new(tx, [row for row in rows if row[ROW_ID] in moved])
    if changed:
        data = [row for row in rows if row[ROW_ID] in changed]
        tx.run(query("update_interactions"), rows=data).consume()
    return moved | changed


def write_activities(tx: neo4j.ManagedTransaction, rows: Sequence[Activity]) -> WriteCounts:
    check_references(tx, "activity", references_of("activities", rows))
    counts, changed = changed_rows(tx, "activities_by_ids", rows, attrgetter("id"), _activity)
    if changed:
        tx.run(query("upsert_activities"), rows=[activity_row(a) for a in changed]).consume()
    return counts


def write_participations(
    tx: neo4j.ManagedTransaction, rows: Sequence[Participation]
) -> WriteCounts:
    check_references(
        tx, "participation", references_of("participations", rows, attrgetter("label"))
    )
    counts, changed = changed_rows(
        tx, "participations_of_people", rows, attrgetter("key"), participation_from, _PERSON_ID
    )
    if changed:
        data = [participation_row(p) for p in changed]
        tx.run(query("upsert_participations"), rows=data).consume()
    return counts


def changed_rows(
    tx: neo4j.ManagedTransaction,
    lookup: str,
    rows: Sequence[T],
    key: Callable[[T], Hashable],
    decode: Callable[[neo4j.Record], T],
    lookup_id: Callable[[T], str] = attrgetter("id"),
) -> tuple[WriteCounts, list[T]]:
    """Classify ``rows`` against their stored records (:func:`graphsvc.store.classify`).

    One query, ``lookup``, gets the distinct ``lookup_id`` of the rows as ``$ids`` and
    returns (at least) the stored records of the rows' keys; ``decode`` turns each into the
    model object the incoming row of its ``key`` is compared with, by value. Returns the
    counts and the rows to write: the last row of each key that is new or differs.
    """
    if not rows:
        return WriteCounts(), []
    ids = list(dict.fromkeys(map(lookup_id, rows)))
    existing: dict[Any, object] = {
        key(stored): stored for stored in map(decode, tx.run(query(lookup), ids=ids))
    }
    counts, indexes = classify([key(row) for row in rows], existing, rows)
    return counts, [rows[index] for index in indexes]


def _person(record: neo4j.Record) -> Person:
    return person_from(record["person"])


def _community(record: neo4j.Record) -> Community:
    return community_from(record["community"], record["parent_id"])


def _activity(record: neo4j.Record) -> Activity:
    return activity_from(record["activity"], record["community_id"])


def _interaction(record: neo4j.Record) -> Interaction:
    return interaction_from(record["interaction"], record["source_id"], record["target_id"])


def erase_person(tx: neo4j.ManagedTransaction, person_id: str) -> ErasureReport:
    """Delete the person, their relationships, feedback naming them, their person-scoped
    metric values, their aliases and attribute conflicts; count each kind of record
    (aliases and conflicts are not counted)."""
    counted = tx.run(query("erasure_counts"), id=person_id).single()
    feedback = tx.run(query("delete_feedback_naming"), id=person_id).single(strict=True)
    metrics = tx.run(query("delete_person_metrics"), id=person_id).single(strict=True)
    tx.run(query("delete_identity_of_person"), id=person_id).consume()
    people = tx.run(query("delete_person"), id=person_id).single(strict=True)
    messages = _redact_runs(tx, person_id)
    if counted is None:
        return ErasureReport(
            feedback=int(feedback["deleted"]), metric_values=int(metrics["deleted"]),
            messages=messages,
        )  # fmt: skip
    return ErasureReport(
        people=int(people["deleted"]),
        memberships=int(counted["memberships"]),
        interactions=int(counted["interactions"]),
        participations=int(counted["participations"]),
        feedback=int(feedback["deleted"]),
        metric_values=int(metrics["deleted"]),
        messages=messages,
    )


def _redact_runs(tx: neo4j.ManagedTransaction, person_id: str) -> int:
    """Replace ``person_id`` in the messages of every import run that quotes it."""
    rows, changed = [], 0
    for record in tx.run(query("import_runs_quoting"), id=person_id):
        messages, count = redact(record["errors"], person_id)
        if count:
            rows.append({"id": record["id"], "errors": messages})
            changed += count
    if rows:
        tx.run(query("set_import_run_errors"), rows=rows).consume()
    return changed
