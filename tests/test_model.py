"""Domain model validation at construction."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from graphsvc.errors import ValidationError
from graphsvc.model import (
    Activity,
    Community,
    CommunityKind,
    DeclineReason,
    Feedback,
    ImportRun,
    Interaction,
    Membership,
    Participation,
    Person,
    interaction_id,
)

T = datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_person_normalises_lists_and_text() -> None:
    person = Person(
        "p", "Zoë", email=" zoe@example.org ", topics=["a", " b", "a", ""], attrs={"x": 1}
    )
    assert person.email == "zoe@example.org"
    assert person.topics == ("a", "b")
    assert person.attrs == {"x": "1"}
    assert person.consent is True and person.mentor_capacity == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"id": ""}, "id"),
        ({"id": "   "}, "id"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"mentor_capacity": -1}, "mentor_capacity"),
        ({"mentor_capacity": True}, "mentor_capacity"),
        ({"joined_at": datetime(2024, 1, 1)}, "joined_at"),
        ({"consent": "yes"}, "consent"),
    ],
)
def test_person_rejects(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"id": "p", "name": "P", **kwargs}
    with pytest.raises(ValidationError) as caught:
        Person(**values)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_datetimes_are_converted_to_utc() -> None:
    cet = timezone(timedelta(hours=1))
    person = Person("p", "P", joined_at=datetime(2024, 1, 1, 1, tzinfo=cet))
    assert person.joined_at == datetime(2024, 1, 1, tzinfo=UTC)
    assert person.joined_at.tzinfo is UTC  # type: ignore[union-attr]


def test_community_kind_enum() -> None:
    assert Community("c", "C").kind is CommunityKind.COP
    assert Community("c", "C", kind="region").kind is CommunityKind.REGION
    with pytest.raises(ValidationError, match="kind: 'galaxy' is not one of: cop"):
        Community("c", "C", kind="galaxy")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="own parent"):
        Community("c", "C", parent_id="c")


def test_membership_interval() -> None:
    membership = Membership("p", "c", "mentor", since=T, until=T)
    assert not membership.active_at(T)
    assert Membership("p", "c", since=T).active_at(T)
    with pytest.raises(ValidationError, match="until: must not be before since"):
        Membership("p", "c", since=T, until=T - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="role"):
        Membership("p", "c", "boss")  # type: ignore[arg-type]


@pytest.mark.parametrize("weight", [-1.0, math.inf, math.nan, "2", True])
def test_interaction_weight_must_be_finite_non_negative_number(weight: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Interaction("i", "collaboration", "a", "b", T, weight=weight)  # type: ignore[arg-type]
    assert caught.value.field == "weight"


def test_interaction_direction_defaults_by_kind() -> None:
    assert Interaction("i", "knowledge_exchange", "a", "b", T).directed is True
    assert Interaction("i", "mentoring", "a", "b", T).directed is True
    assert Interaction("i", "communication", "a", "b", T).directed is True
    assert Interaction("i", "collaboration", "a", "b", T).directed is False
    assert Interaction("i", "collaboration", "a", "b", T, directed=True).directed is True
    assert Interaction("i", "collaboration", "a", "b", T, weight=3).weight == 3.0


def test_interaction_requires_aware_time_and_ids() -> None:
    with pytest.raises(ValidationError, match="at: must be timezone-aware"):
        Interaction("i", "collaboration", "a", "b", datetime(2024, 1, 1))
    with pytest.raises(ValidationError, match="target_id"):
        Interaction("i", "collaboration", "a", "", T)
    with pytest.raises(ValidationError, match="kind"):
        Interaction("i", "gossip", "a", "b", T)  # type: ignore[arg-type]


def test_interaction_id_is_stable_and_sensitive() -> None:
    first = interaction_id("a", "b", "collaboration", T, "soil")
    assert first == interaction_id("a", "b", "collaboration", T.astimezone(UTC), "soil")
    assert first.startswith("ix-") and len(first) == 23
    assert first != interaction_id("b", "a", "collaboration", T, "soil")
    assert first != interaction_id("a", "b", "collaboration", T, None)
    assert first != interaction_id("a", "b", "collaboration", T + timedelta(seconds=1), "soil")


def test_activity_end_after_start() -> None:
    assert Activity("a", "A", T, kind="pilot").end is None
    with pytest.raises(ValidationError, match="end"):
        Activity("a", "A", T, end=T - timedelta(days=1))


def test_participation_feedback_importrun_enums() -> None:
    with pytest.raises(ValidationError, match="role"):
        Participation("a", "p", "audience")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="verdict"):
        Feedback("f", "p", "q", "meh", T)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="status"):
        ImportRun("r", "src", T, status="lost")  # type: ignore[arg-type]


def test_error_message_names_entity_id_and_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Person("p9", "X", email="nope")
    assert str(caught.value) == "person p9: email: not an e-mail address"


def test_entities_are_frozen() -> None:
    person = Person("p", "P")
    with pytest.raises(AttributeError):
        person.name = "Q"  # type: ignore[misc]


def test_a_declined_suggestion_needs_a_reason_and_only_it_has_one() -> None:
    at = datetime(2025, 3, 1, tzinfo=UTC)
    declined = Feedback("f1", "p1", "p2", "declined", at, reason="wrong_topic", moderator=" mo ")
    assert declined.reason is DeclineReason.WRONG_TOPIC and declined.moderator == "mo"
    with pytest.raises(ValidationError, match="f1: reason: a declined suggestion needs a reason"):
        Feedback("f1", "p1", "p2", "declined", at)
    with pytest.raises(ValidationError, match="only a declined suggestion has a reason"):
        Feedback("f1", "p1", "p2", "accepted", at, reason="overloaded")
    with pytest.raises(ValidationError, match="reason: 'busy' is not one of"):
        Feedback("f1", "p1", "p2", "declined", at, reason="busy")
