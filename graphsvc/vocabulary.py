"""The closed vocabularies of the domain model (DESIGN.md §2): kinds, roles, verdicts."""

from __future__ import annotations

from enum import StrEnum


class CommunityKind(StrEnum):
    COP = "cop"
    DEPARTMENT = "department"
    ORGANISATION = "organisation"
    SECTOR = "sector"
    REGION = "region"
    TEAM = "team"
    OTHER = "other"


class MembershipRole(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    CHAMPION = "champion"
    EXPERT = "expert"
    MENTOR = "mentor"
    MENTEE = "mentee"


class InteractionKind(StrEnum):
    COLLABORATION = "collaboration"
    KNOWLEDGE_EXCHANGE = "knowledge_exchange"
    MENTORING = "mentoring"
    COMMUNICATION = "communication"
    CO_ATTENDANCE = "co_attendance"
    OTHER = "other"


#: Interaction kinds that are directed unless a record says otherwise (DESIGN.md §3).
DIRECTED_BY_DEFAULT = frozenset(
    {InteractionKind.KNOWLEDGE_EXCHANGE, InteractionKind.MENTORING, InteractionKind.COMMUNICATION}
)


class ActivityKind(StrEnum):
    WORKSHOP = "workshop"
    SEMINAR = "seminar"
    PROJECT = "project"
    PILOT = "pilot"
    MEETING = "meeting"
    TRAINING = "training"
    OTHER = "other"


class ParticipationRole(StrEnum):
    ORGANISER = "organiser"
    SPEAKER = "speaker"
    PARTICIPANT = "participant"


class FeedbackVerdict(StrEnum):
    #: a moderator made the introduction (the feedback's ``at`` is its date)
    ACCEPTED = "accepted"
    #: a moderator refused it, with a :class:`DeclineReason`
    DECLINED = "declined"
    #: set aside without a verdict (may come back)
    DISMISSED = "dismissed"
    CONNECTED = "connected"


class DeclineReason(StrEnum):
    ALREADY_KNOW = "already_know"
    NOT_RELEVANT = "not_relevant"
    OVERLOADED = "overloaded"
    WRONG_TOPIC = "wrong_topic"


class ImportStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    #: stopped before the end (SIGTERM, or found dead by a later run); what committed stays
    INTERRUPTED = "interrupted"
