"""Aliases, attribute conflicts and alias splits in the Neo4j store (graphsvc.identity).

Graph shape: ``(:Alias {source_system, external_id, person_id, rule, first_seen, last_seen,
snapshot})``, unique by ``(source_system, external_id)`` and indexed by ``person_id``; and
``(:AttributeConflict {seq, person_id, field, kept, replaced, kept_source, replaced_source,
run_id, at})``, numbered in insertion order by the ``(:GraphsvcCounter {name:
'conflicts'})`` node. Both name their person by id (no relationship), as the SQLite tables
do, so that re-pointing an alias is a property update. An alias's snapshot is the person as
its source gave it, stored as its interchange JSON object (the SQLite store's encoding).

The functions taking ``tx`` are transaction functions (run by ``session.execute_write``);
the others convert between domain objects and property maps.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC
from typing import Any

import neo4j

from graphsvc.identity import Alias, AliasRule, AttributeConflict
from graphsvc.interchange import parse_record, to_json
from graphsvc.model import Person
from graphsvc.store import SplitPlan, SplitReport, WriteCounts
from graphsvc.stores.neo4j_records import Props, iso, native, person_row
from graphsvc.stores.neo4j_schema import query
from graphsvc.stores.neo4j_write import Reference, check_references, write_people

#: (report field, query moving one source system's records from $old to $new)
MOVES = (
    ("memberships", "move_memberships"),
    ("interactions", "move_interactions"),
    ("participations", "move_participations"),
)


# -- domain objects ↔ property maps ------------------------------------------------------------


def alias_row(alias: Alias) -> dict[str, Any]:
    snapshot = json.dumps(to_json(alias.snapshot), ensure_ascii=False, sort_keys=True)
    return {
        "source_system": alias.source_system,
        "external_id": alias.external_id,
        "person_id": alias.person_id,
        "rule": alias.rule.value,
        "first_seen": iso(alias.first_seen),
        "last_seen": iso(alias.last_seen),
        "snapshot": snapshot,
    }


def alias_from(props: Props) -> Alias:
    obj = json.loads(props["snapshot"])
    obj.pop("type", None)
    snapshot = parse_record("people", obj, UTC)  # type: ignore[arg-type]
    assert isinstance(snapshot, Person)
    return Alias(
        source_system=props["source_system"],
        external_id=props["external_id"],
        person_id=props["person_id"],
        rule=props["rule"],
        first_seen=native(props["first_seen"]),  # type: ignore[arg-type]
        last_seen=native(props["last_seen"]),  # type: ignore[arg-type]
        snapshot=snapshot,
    )


def conflict_key(c: AttributeConflict) -> tuple[str | None, ...]:
    """What makes a conflict the same as one already recorded."""
    return (c.person_id, c.field, c.kept, c.replaced, c.kept_source, c.replaced_source)


def conflict_row(c: AttributeConflict) -> dict[str, Any]:
    return {
        "person_id": c.person_id,
        "field": c.field,
        "kept": c.kept,
        "replaced": c.replaced,
        "kept_source": c.kept_source,
        "replaced_source": c.replaced_source,
        "run_id": c.run_id,
        "at": iso(c.at),
    }


def conflict_from(props: Props) -> AttributeConflict:
    return AttributeConflict(
        person_id=props["person_id"],
        field=props["field"],
        kept=props.get("kept"),
        replaced=props.get("replaced"),
        kept_source=props.get("kept_source"),
        replaced_source=props.get("replaced_source"),
        run_id=props.get("run_id"),
        at=native(props["at"]),  # type: ignore[arg-type]
    )


# -- reads ---------------------------------------------------------------------------------------


def alias_query(
    person_ids: Collection[str] | None,
    source_system: str | None,
    external_ids: Collection[str] | None,
) -> tuple[str, dict[str, Any]]:
    """The query (name, parameters) answering ``aliases()`` with an index seek when it can."""
    wanted = None if external_ids is None else sorted(set(external_ids))
    if person_ids is not None:
        params = {"ids": sorted(set(person_ids)), "source_system": source_system}
        return "aliases_of_people", {**params, "external_ids": wanted}
    if source_system is not None and wanted is not None:
        return "aliases_by_key", {"source_system": source_system, "external_ids": wanted}
    if source_system is not None:
        return "aliases_of_source", {"source_system": source_system}
    return "list_aliases", {"external_ids": wanted}


def email_keys(emails: Collection[str]) -> list[str]:
    """The distinct case-folded e-mails to look up (as ``email_key`` stores them)."""
    return sorted({email.lower() for email in emails})


# -- writes --------------------------------------------------------------------------------------


def write_people_and_identity(
    tx: neo4j.ManagedTransaction,
    rows: Sequence[Person],
    aliases: Sequence[Alias],
    conflicts: Sequence[AttributeConflict],
) -> WriteCounts:
    """Upsert ``rows``, then their ``aliases`` and ``conflicts``, all in transaction ``tx``.

    An alias naming a person neither stored nor in ``rows`` raises
    :class:`~graphsvc.errors.UnknownReference` (the transaction, batch included, rolls back).
    """
    counts = write_people(tx, rows) if rows else WriteCounts()
    batch_ids = {person.id for person in rows}
    references = (
        Reference(f"{a.source_system}:{a.external_id}", "person_id", "missing_people", a.person_id)
        for a in aliases
        if a.person_id not in batch_ids
    )
    check_references(tx, "alias", references)
    write_identity(tx, aliases, conflicts)
    return counts


def write_identity(
    tx: neo4j.ManagedTransaction, aliases: Sequence[Alias], conflicts: Sequence[AttributeConflict]
) -> None:
    """Upsert ``aliases`` and append those of ``conflicts`` not recorded yet."""
    if aliases:
        tx.run(query("upsert_aliases"), rows=[alias_row(a) for a in aliases]).consume()
    # the first of identical conflicts in the batch (those stored already are skipped in Cypher)
    fresh: dict[tuple[str | None, ...], AttributeConflict] = {}
    for conflict in conflicts:
        fresh.setdefault(conflict_key(conflict), conflict)
    if fresh:
        tx.run(query("append_conflicts"), rows=[conflict_row(c) for c in fresh.values()]).consume()


def split_alias(tx: neo4j.ManagedTransaction, plan: SplitPlan) -> SplitReport:
    """Store the new person, re-point the alias to it (rule ``split``), move the records of
    the alias's source system when the plan says so, and rebuild the old person."""
    alias = replace(plan.alias, person_id=plan.new_person.id, rule=AliasRule.SPLIT)
    tx.run(query("upsert_people"), rows=[person_row(plan.new_person)]).consume()
    write_identity(tx, [alias], [])
    moved: dict[str, int] = {}
    if plan.move_records:
        params = {
            "old": plan.alias.person_id,
            "new": plan.new_person.id,
            "source_system": plan.alias.source_system,
        }
        for field, name in MOVES:
            moved[field] = int(tx.run(query(name), params).single(strict=True)["moved"])
    tx.run(query("upsert_people"), rows=[person_row(plan.rebuilt)]).consume()
    return SplitReport(plan.alias.person_id, plan.new_person.id, **moved)
