"""Domain model: frozen, slotted dataclasses validated at construction (DESIGN.md §2).

Ids are the source systems' stable string ids. Every datetime is timezone-aware UTC
(aware datetimes in another zone are converted; naive ones are rejected: the edges of
the system decide which zone a naive time means). Time intervals are half-open:
a membership is active on ``[since, until)``, an interaction window is ``[start, end)``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graphsvc.errors import ValidationError
from graphsvc.model_checks import (
    MAX_MENTOR_CAPACITY,
    PROVENANCE_FIELDS,
    _enum,
    _optional_text,
    _provenance,
    _require_id,
    _set,
    _strings,
    _utc,
)
from graphsvc.model_evaluation import (  # noqa: E402  (re-exported with the entities)
    SCOPE_KINDS,
    VALUE_CYCLES,
    MetricValue,
    Objective,
    Story,
)
from graphsvc.vocabulary import (
    DIRECTED_BY_DEFAULT,
    ActivityKind,
    CommunityKind,
    DeclineReason,
    FeedbackVerdict,
    ImportStatus,
    InteractionKind,
    MembershipRole,
    ParticipationRole,
)

#: The vocabulary lives in graphsvc.vocabulary and is re-exported here with the entities.
__all__ = [
    "Activity",
    "ActivityKind",
    "Community",
    "CommunityKind",
    "DIRECTED_BY_DEFAULT",
    "INTERACTION_FIELDS",
    "ENTITIES",
    "PROVENANCE_FIELDS",
    "REFERENCES",
    "ROW_OUTCOMES",
    "DeclineReason",
    "Feedback",
    "FeedbackVerdict",
    "ImportRun",
    "ImportStatus",
    "Interaction",
    "InteractionArrays",
    "InteractionKind",
    "InteractionRow",
    "Membership",
    "MetricValue",
    "Objective",
    "SCOPE_KINDS",
    "Story",
    "VALUE_CYCLES",
    "MembershipRole",
    "Participation",
    "ParticipationRole",
    "Person",
    "interaction_from_row",
    "interaction_id",
    "interaction_row",
]


# --- entities -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """A member of one or more communities.

    ``consent=False`` excludes the person from recommendations; the UI shows them
    pseudonymised. ``mentor_capacity`` is the number of mentees they can take (0 = none).
    """

    id: str
    name: str
    email: str | None = None
    organisation: str | None = None
    location: str | None = None
    joined_at: datetime | None = None
    topics: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    mentor_capacity: int = 0
    consent: bool = True
    attrs: dict[str, str] = field(default_factory=dict, hash=False)
    source_system: str | None = None
    external_id: str | None = None

    def __post_init__(self) -> None:
        _require_id("person", "id", self.id)
        if not isinstance(self.name, str):
            raise ValidationError("name", "must be a string", entity="person", record_id=self.id)
        for name in ("email", "organisation", "location"):
            _set(self, name, _optional_text(getattr(self, name)))
        if self.email is not None and not _looks_like_email(self.email):
            raise ValidationError(
                "email", "not an e-mail address", entity="person", record_id=self.id
            )
        _set(self, "joined_at", _utc("person", self.id, "joined_at", self.joined_at))
        _set(self, "topics", _strings(self.topics))
        _set(self, "expertise", _strings(self.expertise))
        capacity = self.mentor_capacity
        if (
            isinstance(capacity, bool)
            or not isinstance(capacity, int)
            or not 0 <= capacity <= MAX_MENTOR_CAPACITY
        ):
            raise ValidationError(
                "mentor_capacity",
                f"must be a whole number from 0 to {MAX_MENTOR_CAPACITY:,}",
                entity="person",
                record_id=self.id,
            )
        if not isinstance(self.consent, bool):
            raise ValidationError(
                "consent", "must be a boolean", entity="person", record_id=self.id
            )
        _set(self, "attrs", {str(k): str(v) for k, v in dict(self.attrs).items()})
        _provenance(self)


def _looks_like_email(text: str) -> bool:
    local, at, domain = text.partition("@")
    return bool(local) and bool(at) and "." in domain and " " not in text and "@" not in domain


@dataclass(frozen=True, slots=True)
class Community:
    """A group of people of one ``kind``: the kind is the boundary analytics cross."""

    id: str
    name: str
    kind: CommunityKind = CommunityKind.COP
    parent_id: str | None = None
    description: str | None = None
    objectives: str | None = None
    source_system: str | None = None
    external_id: str | None = None

    def __post_init__(self) -> None:
        _require_id("community", "id", self.id)
        if not isinstance(self.name, str):
            raise ValidationError("name", "must be a string", entity="community", record_id=self.id)
        _set(self, "kind", _enum("community", self.id, "kind", CommunityKind, self.kind))
        _set(self, "parent_id", _optional_text(self.parent_id))
        if self.parent_id == self.id:
            raise ValidationError(
                "parent_id",
                "a community cannot be its own parent",
                entity="community",
                record_id=self.id,
            )
        _set(self, "description", _optional_text(self.description))
        _set(self, "objectives", _optional_text(self.objectives))
        _provenance(self)


@dataclass(frozen=True, slots=True)
class Membership:
    """``person_id`` belongs to ``community_id`` in ``role`` during ``[since, until)``.

    Identity (the upsert key) is ``(person_id, community_id, role)``.
    """

    person_id: str
    community_id: str
    role: MembershipRole = MembershipRole.MEMBER
    since: datetime | None = None
    until: datetime | None = None
    source_system: str | None = None
    external_id: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.person_id, self.community_id, self.role.value)

    @property
    def label(self) -> str:
        """``person→community``: how messages name this membership."""
        return f"{self.person_id}→{self.community_id}"

    def active_at(self, moment: datetime) -> bool:
        """True when ``since ≤ moment < until`` (open ends are unbounded)."""
        return (self.since is None or self.since <= moment) and (
            self.until is None or moment < self.until
        )

    def __post_init__(self) -> None:
        rid = self.label
        _require_id("membership", "person_id", self.person_id, rid)
        _require_id("membership", "community_id", self.community_id, rid)
        _set(self, "role", _enum("membership", rid, "role", MembershipRole, self.role))
        _set(self, "since", _utc("membership", rid, "since", self.since))
        _set(self, "until", _utc("membership", rid, "until", self.until))
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ValidationError(
                "until", "must not be before since", entity="membership", record_id=rid
            )
        _provenance(self)


@dataclass(frozen=True, slots=True)
class Interaction:
    """One collaboration, knowledge exchange, mentoring, communication or co-attendance.

    ``weight`` is finite and ≥ 0; ``directed`` defaults by kind (:data:`DIRECTED_BY_DEFAULT`).
    """

    id: str
    kind: InteractionKind
    source_id: str
    target_id: str
    at: datetime
    weight: float = 1.0
    directed: bool | None = None
    topic: str | None = None
    community_id: str | None = None
    source_system: str | None = None
    external_id: str | None = None

    def __post_init__(self) -> None:
        _require_id("interaction", "id", self.id)
        _set(self, "kind", _enum("interaction", self.id, "kind", InteractionKind, self.kind))
        _require_id("interaction", "source_id", self.source_id, self.id)
        _require_id("interaction", "target_id", self.target_id, self.id)
        if self.at is None:
            raise ValidationError("at", "is required", entity="interaction", record_id=self.id)
        _set(self, "at", _utc("interaction", self.id, "at", self.at))
        weight = self.weight
        if weight.__class__ is not float and (
            isinstance(weight, bool) or not isinstance(weight, int | float)
        ):
            raise ValidationError(
                "weight", "must be a number", entity="interaction", record_id=self.id
            )
        if not math.isfinite(weight) or weight < 0:
            raise ValidationError(
                "weight", "must be finite and ≥ 0", entity="interaction", record_id=self.id
            )
        _set(self, "weight", float(weight))
        if self.directed is None:
            _set(self, "directed", self.kind in DIRECTED_BY_DEFAULT)
        elif not isinstance(self.directed, bool):
            raise ValidationError(
                "directed", "must be a boolean", entity="interaction", record_id=self.id
            )
        _set(self, "topic", _optional_text(self.topic))
        _set(self, "community_id", _optional_text(self.community_id))
        _set(self, "source_system", _optional_text(self.source_system))  # _provenance, inlined
        _set(self, "external_id", _optional_text(self.external_id))  # (the bulk entity)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as plain field values (:func:`interaction_row`): batches of interactions
        cross to a writer process (:mod:`graphsvc.process_writer`) at a few µs a row
        instead of the dataclass default's many object look-ups."""
        return (interaction_from_row, interaction_row(self))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: the fields of an interaction row (:func:`interaction_row`), in order
INTERACTION_FIELDS = (
    "id", "kind", "source_id", "target_id", "at", "weight", "directed", "topic",
    "community_id", "source_system", "external_id",
)  # fmt: skip
#: an interaction as plain values in INTERACTION_FIELDS order: ``kind`` as its value, ``at``
#: as Unix microseconds (UTC), ``directed`` resolved (never None)
InteractionRow = tuple[
    str, str, str, str, int, float, bool, str | None, str | None, str | None, str | None
]


def interaction_row(record: Interaction) -> InteractionRow:
    """``record`` as plain values (see :data:`InteractionRow`)."""
    moment = record.at - _EPOCH
    micros = (moment.days * 86_400 + moment.seconds) * 1_000_000 + moment.microseconds
    return (
        record.id, record.kind.value, record.source_id, record.target_id, micros,
        record.weight, bool(record.directed), record.topic, record.community_id,
        record.source_system, record.external_id,
    )  # fmt: skip


def interaction_from_row(*values: Any) -> Interaction:
    """The :class:`Interaction` of a row made by :func:`interaction_row` (or by a parser
    applying the same rules), without validating again: its values are already valid."""
    record = object.__new__(Interaction)
    for name, value in zip(INTERACTION_FIELDS, values, strict=True):
        _set(record, name, value)
    _set(record, "kind", InteractionKind(values[1]))
    _set(record, "at", _EPOCH + timedelta(microseconds=values[4]))
    return record


def interaction_id(
    source_id: str, target_id: str, kind: str, at: datetime, topic: str | None = None
) -> str:
    """Stable id for an interaction that arrives without one.

    ``"ix-" + sha256(source \\x1f target \\x1f kind \\x1f at(ISO, UTC) \\x1f topic)[:20]``,
    so a rerun of the same import yields the same id (DESIGN.md §3).
    """
    moment = at.astimezone(UTC).isoformat()
    payload = "\x1f".join((source_id, target_id, str(kind), moment, topic or ""))
    return "ix-" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Activity:
    """A workshop, seminar, project, pilot, meeting or training, ``[start, end]``."""

    id: str
    name: str
    start: datetime
    kind: ActivityKind = ActivityKind.OTHER
    community_id: str | None = None
    end: datetime | None = None
    source_system: str | None = None
    external_id: str | None = None

    def __post_init__(self) -> None:
        _require_id("activity", "id", self.id)
        if not isinstance(self.name, str):
            raise ValidationError("name", "must be a string", entity="activity", record_id=self.id)
        _set(self, "kind", _enum("activity", self.id, "kind", ActivityKind, self.kind))
        if self.start is None:
            raise ValidationError("start", "is required", entity="activity", record_id=self.id)
        _set(self, "start", _utc("activity", self.id, "start", self.start))
        _set(self, "end", _utc("activity", self.id, "end", self.end))
        if self.end is not None and self.end < self.start:
            raise ValidationError(
                "end", "must not be before start", entity="activity", record_id=self.id
            )
        _set(self, "community_id", _optional_text(self.community_id))
        _provenance(self)


@dataclass(frozen=True, slots=True)
class Participation:
    """``person_id`` took part in ``activity_id``; identity is ``(activity_id, person_id)``."""

    activity_id: str
    person_id: str
    role: ParticipationRole = ParticipationRole.PARTICIPANT
    at: datetime | None = None
    source_system: str | None = None
    external_id: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.activity_id, self.person_id)

    @property
    def label(self) -> str:
        """``activity←person``: how messages name this participation."""
        return f"{self.activity_id}←{self.person_id}"

    def __post_init__(self) -> None:
        rid = self.label
        _require_id("participation", "activity_id", self.activity_id, rid)
        _require_id("participation", "person_id", self.person_id, rid)
        _set(self, "role", _enum("participation", rid, "role", ParticipationRole, self.role))
        _set(self, "at", _utc("participation", rid, "at", self.at))
        _provenance(self)


@dataclass(frozen=True, slots=True)
class Feedback:
    """A verdict on a suggestion of ``suggested_id`` for ``person_id`` (kept for evaluation).

    ``recommender`` is the kind of suggestion (``collaborator`` or ``mentor``). A moderator's
    verdict names them (``moderator``, a web user name) and the community they act for;
    ``declined`` needs a ``reason`` (and only it has one). An ``accepted`` suggestion is an
    introduction made at ``at``.
    """

    id: str
    person_id: str
    suggested_id: str
    verdict: FeedbackVerdict
    at: datetime
    recommender: str = "collaborator"
    reason: DeclineReason | None = None
    moderator: str | None = None
    community_id: str | None = None

    def __post_init__(self) -> None:
        _require_id("feedback", "id", self.id)
        _require_id("feedback", "person_id", self.person_id, self.id)
        _require_id("feedback", "suggested_id", self.suggested_id, self.id)
        _set(self, "verdict", _enum("feedback", self.id, "verdict", FeedbackVerdict, self.verdict))
        _set(self, "at", _utc("feedback", self.id, "at", self.at))
        _require_id("feedback", "recommender", self.recommender, self.id)
        _set(self, "moderator", _optional_text(self.moderator))
        _set(self, "community_id", _optional_text(self.community_id))
        self._check_reason()

    def _check_reason(self) -> None:
        declined = self.verdict is FeedbackVerdict.DECLINED
        if self.reason is None:
            if declined:
                raise ValidationError(
                    "reason", "a declined suggestion needs a reason", **self._where()
                )
            return
        if not declined:
            raise ValidationError(
                "reason", "only a declined suggestion has a reason", **self._where()
            )
        _set(self, "reason", _enum("feedback", self.id, "reason", DeclineReason, self.reason))

    def _where(self) -> dict[str, str]:
        return {"entity": "feedback", "record_id": self.id}


@dataclass(frozen=True, slots=True)
class ImportRun:
    """The record of one import: what came from where, when, with which outcome.

    ``counts`` maps entity name → rows accepted (and committed); ``outcomes`` maps entity
    name → ``{inserted, updated, unchanged, rejected}`` (:data:`ROW_OUTCOMES`); ``errors``
    holds the quarantined rows' ``file:line: field: reason`` messages. A run is recorded
    ``running`` when it starts and again when it ends.
    """

    id: str
    source: str
    started_at: datetime
    status: ImportStatus = ImportStatus.RUNNING
    finished_at: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict, hash=False)
    errors: tuple[str, ...] = ()
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict, hash=False)

    def to_json(self) -> dict[str, Any]:
        """The run as JSON values, without its error messages (``error_count`` instead)."""
        finished = self.finished_at
        return {
            "id": self.id,
            "source": self.source,
            "status": self.status.value,
            "started_at": self.started_at.isoformat(),
            "finished_at": finished.isoformat() if finished else None,
            "seconds": (finished - self.started_at).total_seconds() if finished else None,
            "counts": self.counts,
            "outcomes": self.outcomes,
            "error_count": len(self.errors),
        }

    def totals(self) -> dict[str, int]:
        """Rows per outcome over every entity (each of :data:`ROW_OUTCOMES`, 0 when none)."""
        return {
            outcome: sum(per.get(outcome, 0) for per in self.outcomes.values())
            for outcome in ROW_OUTCOMES
        }

    def __post_init__(self) -> None:
        _require_id("import_run", "id", self.id)
        _require_id("import_run", "source", self.source, self.id)
        _set(self, "status", _enum("import_run", self.id, "status", ImportStatus, self.status))
        _set(self, "started_at", _utc("import_run", self.id, "started_at", self.started_at))
        _set(self, "finished_at", _utc("import_run", self.id, "finished_at", self.finished_at))
        _set(self, "counts", {str(k): int(v) for k, v in dict(self.counts).items()})
        _set(self, "errors", tuple(str(e) for e in self.errors))
        _set(
            self,
            "outcomes",
            {
                str(entity): {str(k): int(v) for k, v in dict(per).items()}
                for entity, per in dict(self.outcomes).items()
            },
        )


#: what happens to a row of an import: written new, changed, already so, or refused
ROW_OUTCOMES = ("inserted", "updated", "unchanged", "rejected")


#: Entity names in dependency order (a later entity may refer to an earlier one).
ENTITIES = ("people", "communities", "memberships", "interactions", "activities", "participations")

#: entity → its ``(field, referenced entity)`` pairs: the references every store checks on
#: upsert and every import checks per row (an unset optional field refers to nothing).
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "people": (),
    "communities": (("parent_id", "communities"),),
    "memberships": (("person_id", "people"), ("community_id", "communities")),
    "interactions": (
        ("source_id", "people"),
        ("target_id", "people"),
        ("community_id", "communities"),
    ),
    "activities": (("community_id", "communities"),),
    "participations": (("activity_id", "activities"), ("person_id", "people")),
}


@dataclass(frozen=True, slots=True)
class InteractionArrays:
    """Interactions as columns, ready for projection (one row per interaction).

    ``source``/``target`` index into ``person_ids`` (the people these rows name, sorted);
    ``kind`` indexes into ``kinds`` (the :class:`InteractionKind` values in declaration
    order); ``community`` indexes into ``community_ids`` (sorted) or is -1; ``topic``
    indexes into ``topics`` (sorted) or is -1; ``at`` is Unix seconds (int64).
    Rows are ordered by ``(at, id)``.
    """

    person_ids: tuple[str, ...]
    source: Any  # np.ndarray[int32]
    target: Any  # np.ndarray[int32]
    at: Any  # np.ndarray[int64], Unix seconds
    weight: Any  # np.ndarray[float64]
    directed: Any  # np.ndarray[bool]
    kind: Any  # np.ndarray[int8]
    community: Any  # np.ndarray[int32], -1 = none
    topic: Any  # np.ndarray[int32], -1 = none
    community_ids: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = tuple(kind.value for kind in InteractionKind)

    def __len__(self) -> int:
        return int(len(self.source))
