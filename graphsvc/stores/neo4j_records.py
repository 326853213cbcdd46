"""Domain objects ↔ Neo4j property maps.

Datetimes are stored as native Cypher ``DateTime`` values (nanosecond precision, so
microseconds round-trip exactly) but cross the wire as ISO 8601 text: the queries call
``datetime($text)`` on the way in and ``toString(x)`` on the way out, because the driver's
own temporal conversion costs ~50–150 µs per value (measured), which would cap imports
far below the throughput target. Lists stay lists (order kept); ``attrs`` and import-run
``counts`` and ``outcomes`` are JSON strings because a Neo4j property cannot hold a map. A
``None`` field (e.g. unset provenance: ``source_system``, ``external_id``) is simply an
absent property. A Person node also carries ``email_key``, its lower-cased e-mail (the
indexed key of case-insensitive e-mail look-ups), which :func:`person_from` leaves out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np

from graphsvc.model import (
    PROVENANCE_FIELDS,
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

Props = Mapping[str, Any]
_KIND_INDEX = {kind.value: index for index, kind in enumerate(InteractionKind)}


def iso(moment: datetime | None) -> str | None:
    """``moment`` as ISO 8601 text for ``datetime()`` in Cypher (None stays None)."""
    return None if moment is None else moment.isoformat()


def native(text: str | None) -> datetime | None:
    """The ISO 8601 text of Cypher's ``toString(datetime)`` (or None) as a datetime."""
    return None if text is None else datetime.fromisoformat(text)


def provenance(record: Any) -> dict[str, str | None]:
    """The provenance properties every entity carries (:data:`PROVENANCE_FIELDS`)."""
    return {name: getattr(record, name) for name in PROVENANCE_FIELDS}


def provenance_from(props: Props) -> dict[str, Any]:
    """The provenance fields of a record read back (absent properties are None)."""
    return {name: props.get(name) for name in PROVENANCE_FIELDS}


def person_row(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "organisation": person.organisation,
        "location": person.location,
        "joined_at": iso(person.joined_at),
        "topics": list(person.topics),
        "expertise": list(person.expertise),
        "mentor_capacity": person.mentor_capacity,
        "consent": person.consent,
        "attrs": json.dumps(person.attrs, ensure_ascii=False, sort_keys=True),
        "email_key": email_key(person.email),
        **provenance(person),
    }


def email_key(email: str | None) -> str | None:
    """The lower-cased e-mail of the ``email_key`` property (indexed; e-mail look-ups)."""
    return None if email is None else email.lower()


def person_from(props: Props) -> Person:
    return Person(
        id=props["id"],
        name=props["name"],
        email=props.get("email"),
        organisation=props.get("organisation"),
        location=props.get("location"),
        joined_at=native(props.get("joined_at")),
        topics=tuple(props.get("topics") or ()),
        expertise=tuple(props.get("expertise") or ()),
        mentor_capacity=int(props.get("mentor_capacity", 0)),
        consent=bool(props.get("consent", True)),
        attrs=json.loads(props.get("attrs") or "{}"),
        **provenance_from(props),
    )


def community_row(community: Community) -> dict[str, Any]:
    return {
        "id": community.id,
        "name": community.name,
        "kind": community.kind.value,
        "parent_id": community.parent_id,
        "description": community.description,
        "objectives": community.objectives,
        **provenance(community),
    }


def community_from(props: Props, parent_id: str | None) -> Community:
    return Community(
        id=props["id"],
        name=props["name"],
        kind=props["kind"],
        parent_id=parent_id,
        description=props.get("description"),
        objectives=props.get("objectives"),
        **provenance_from(props),
    )


def membership_row(membership: Membership) -> dict[str, Any]:
    return {
        "person_id": membership.person_id,
        "community_id": membership.community_id,
        "role": membership.role.value,
        "since": iso(membership.since),
        "until": iso(membership.until),
        **provenance(membership),
    }


def membership_from(record: Props) -> Membership:
    return Membership(
        person_id=record["person_id"],
        community_id=record["community_id"],
        role=record["role"],
        since=native(record["since"]),
        until=native(record["until"]),
        **provenance_from(record),
    )


def interaction_from(props: Props, source_id: str, target_id: str) -> Interaction:
    return Interaction(
        id=props["id"],
        kind=props["kind"],
        source_id=source_id,
        target_id=target_id,
        at=native(props["at"]),  # type: ignore[arg-type]
        weight=float(props["weight"]),
        directed=bool(props["directed"]),
        topic=props.get("topic"),
        community_id=props.get("community_id"),
        **provenance_from(props),
    )


def activity_row(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.id,
        "name": activity.name,
        "kind": activity.kind.value,
        "community_id": activity.community_id,
        "start": iso(activity.start),
        "end": iso(activity.end),
        **provenance(activity),
    }


def activity_from(props: Props, community_id: str | None) -> Activity:
    return Activity(
        id=props["id"],
        name=props["name"],
        start=native(props["start"]),  # type: ignore[arg-type]
        kind=props["kind"],
        community_id=community_id,
        end=native(props.get("end")),
        **provenance_from(props),
    )


def participation_row(participation: Participation) -> dict[str, Any]:
    return {
        "activity_id": participation.activity_id,
        "person_id": participation.person_id,
        "role": participation.role.value,
        "at": iso(participation.at),
        **provenance(participation),
    }


def participation_from(record: Props) -> Participation:
    return Participation(
        activity_id=record["activity_id"],
        person_id=record["person_id"],
        role=record["role"],
        at=native(record["at"]),
        **provenance_from(record),
    )


def import_run_row(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "source": run.source,
        "started_at": iso(run.started_at),
        "status": run.status.value,
        "finished_at": iso(run.finished_at),
        "counts": json.dumps(run.counts, sort_keys=True),
        "errors": list(run.errors),
        "outcomes": json.dumps(run.outcomes, sort_keys=True),
    }


def import_run_from(props: Props) -> ImportRun:
    return ImportRun(
        id=props["id"],
        source=props["source"],
        started_at=native(props["started_at"]),  # type: ignore[arg-type]
        status=props["status"],
        finished_at=native(props.get("finished_at")),
        counts=json.loads(props.get("counts") or "{}"),
        errors=tuple(props.get("errors") or ()),
        outcomes=json.loads(props.get("outcomes") or "{}"),
    )


def feedback_row(feedback: Feedback) -> dict[str, Any]:
    return {
        "id": feedback.id,
        "person_id": feedback.person_id,
        "suggested_id": feedback.suggested_id,
        "verdict": feedback.verdict.value,
        "at": iso(feedback.at),
        "recommender": feedback.recommender,
        "reason": feedback.reason.value if feedback.reason else None,
        "moderator": feedback.moderator,
        "community_id": feedback.community_id,
    }


def feedback_from(props: Props) -> Feedback:
    return Feedback(
        id=props["id"],
        person_id=props["person_id"],
        suggested_id=props["suggested_id"],
        verdict=props["verdict"],
        at=native(props["at"]),  # type: ignore[arg-type]
        recommender=props["recommender"],
        reason=props.get("reason"),
        moderator=props.get("moderator"),
        community_id=props.get("community_id"),
    )


def interaction_arrays(columns: Props) -> InteractionArrays:
    """Build :class:`InteractionArrays` from the parallel lists of ``interaction_columns``."""
    sources: list[str] = columns["source"]
    targets: list[str] = columns["target"]
    count = len(sources)
    person_ids = tuple(sorted(set(sources).union(targets)))
    person_index = {person: index for index, person in enumerate(person_ids)}
    community_ids, community = _codes(columns["community"])
    topics, topic = _codes(columns["topic"])
    return InteractionArrays(
        person_ids=person_ids,
        source=np.fromiter(map(person_index.__getitem__, sources), np.int32, count),
        target=np.fromiter(map(person_index.__getitem__, targets), np.int32, count),
        at=np.array(columns["at"], dtype=np.int64).reshape(count),
        weight=np.array(columns["weight"], dtype=np.float64).reshape(count),
        directed=np.array(columns["directed"], dtype=np.bool_).reshape(count),
        kind=np.fromiter(map(_KIND_INDEX.__getitem__, columns["kind"]), np.int8, count),
        community=community,
        topic=topic,
        community_ids=community_ids,
        topics=topics,
    )


def _codes(values: list[str]) -> tuple[tuple[str, ...], Any]:
    """Sorted distinct non-blank values and each value's index into them ('' → -1)."""
    labels = tuple(sorted(set(values) - {""}))
    index = {label: position for position, label in enumerate(labels)}
    index[""] = -1
    return labels, np.fromiter(map(index.__getitem__, values), np.int32, len(values))
