"""The interchange format's parsing and formatting rules (graphsvc/interchange.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.errors import ValidationError
from graphsvc.interchange import (
    SPECS,
    check_header,
    csv_header,
    format_datetime,
    parse_datetime,
    parse_record,
    record_key,
    to_cells,
    to_json,
)
from graphsvc.model import (
    Activity,
    Community,
    Interaction,
    InteractionKind,
    Membership,
    Participation,
    Person,
    interaction_id,
)

UTC_ZONE = ZoneInfo("UTC")
LJUBLJANA = ZoneInfo("Europe/Ljubljana")


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2024-03-01", UTC_ZONE, datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01", LJUBLJANA, datetime(2024, 2, 29, 23, tzinfo=UTC)),
        ("2024-07-01T12:00:00", LJUBLJANA, datetime(2024, 7, 1, 10, tzinfo=UTC)),
        ("2024-07-01 12:00", UTC_ZONE, datetime(2024, 7, 1, 12, tzinfo=UTC)),
        ("2024-07-01T12:00:00Z", LJUBLJANA, datetime(2024, 7, 1, 12, tzinfo=UTC)),
        ("2024-07-01T12:00:00+02:00", UTC_ZONE, datetime(2024, 7, 1, 10, tzinfo=UTC)),
        ("1700000000", LJUBLJANA, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000.5", UTC_ZONE, datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
        (" 2024-03-01 ", UTC_ZONE, datetime(2024, 3, 1, tzinfo=UTC)),
    ],
)
def test_dates_are_iso_or_unix_seconds_and_naive_ones_use_the_zone(
    text: str, zone: ZoneInfo, expected: datetime
) -> None:
    parsed = parse_datetime(text, zone, "at")
    assert parsed == expected
    assert parsed.tzinfo == UTC


def test_json_numbers_are_unix_seconds() -> None:
    assert parse_datetime(0, UTC_ZONE, "at") == datetime(1970, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "01/03/2024", "9" * 30])
def test_bad_dates_name_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_datetime(text, UTC_ZONE, "joined_at")
    assert caught.value.field == "joined_at"
    assert "ISO 8601" in caught.value.reason


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    )
)
def test_datetimes_round_trip_through_their_text(moment: datetime) -> None:
    text = format_datetime(moment)
    assert text.endswith("Z")
    assert parse_datetime(text, LJUBLJANA, "at") == moment


def test_people_rows_parse_lists_consent_and_attrs() -> None:
    person = parse_record(
        "people",
        {
            "id": " p1 ",
            "name": "Ana",
            "email": "",
            "topics": "python; graphs;;python",
            "expertise": "",
            "mentor_capacity": "2",
            "consent": "No",
            "team": "blue",
            "floor": "",
        },
        UTC_ZONE,
    )
    assert person == Person(
        id="p1",
        name="Ana",
        topics=("python", "graphs"),
        mentor_capacity=2,
        consent=False,
        attrs={"team": "blue"},
    )


def test_blank_cells_take_the_defaults() -> None:
    person = parse_record("people", {"id": "p1"}, UTC_ZONE)
    assert (person.name, person.consent, person.mentor_capacity) == ("", True, 0)
    community = parse_record("communities", {"id": "c1", "kind": " "}, UTC_ZONE)
    assert isinstance(community, Community) and community.kind == "cop"
    membership = parse_record("memberships", {"person_id": "p", "community_id": "c"}, UTC_ZONE)
    assert isinstance(membership, Membership) and membership.role == "member"


@pytest.mark.parametrize(
    ("kind", "directed"),
    [
        ("collaboration", False),
        ("knowledge_exchange", True),
        ("mentoring", True),
        ("communication", True),
        ("co_attendance", False),
    ],
)
def test_interactions_default_direction_by_kind_and_hash_their_id(
    kind: str, directed: bool
) -> None:
    row = {"kind": kind, "source_id": "a", "target_id": "b", "at": "2024-03-01", "topic": "x"}
    interaction = parse_record("interactions", row, UTC_ZONE)
    assert isinstance(interaction, Interaction)
    assert interaction.directed is directed
    at = datetime(2024, 3, 1, tzinfo=UTC)
    assert interaction.id == interaction_id("a", "b", kind, at, "x")
    explicit = parse_record("interactions", {**row, "directed": "yes", "id": "i1"}, UTC_ZONE)
    assert isinstance(explicit, Interaction)
    assert (explicit.id, explicit.directed) == ("i1", True)


def test_the_same_interaction_in_another_zone_notation_gets_the_same_id() -> None:
    base = {"kind": "collaboration", "source_id": "a", "target_id": "b"}
    first = parse_record("interactions", {**base, "at": "2024-07-01T12:00:00"}, LJUBLJANA)
    second = parse_record("interactions", {**base, "at": "2024-07-01T10:00:00Z"}, UTC_ZONE)
    assert record_key(first) == record_key(second)


@pytest.mark.parametrize(
    ("entity", "row", "field", "reason"),
    [
        ("people", {"id": ""}, "id", "is required"),
        ("people", {"id": "p", "email": "nope"}, "email", "not an e-mail address"),
        ("people", {"id": "p", "consent": "maybe"}, "consent", "must be yes or no, not 'maybe'"),
        ("people", {"id": "p", "mentor_capacity": "1.5"}, "mentor_capacity", "whole number"),
        ("people", {"id": "p", "mentor_capacity": "-1"}, "mentor_capacity", "from 0 to 10,000"),
        ("people", {"id": "p", "mentor_capacity": "10001"}, "mentor_capacity", "from 0 to 10,000"),
        ("communities", {"id": "c", "kind": "club"}, "kind", "'club' is not one of"),
        (
            "interactions",
            {"kind": "chat", "source_id": "a", "target_id": "b", "at": "0"},
            "kind",
            "is not one of",
        ),
        (
            "interactions",
            {"kind": "other", "source_id": "a", "target_id": "b"},
            "at",
            "is required",
        ),
        (
            "interactions",
            {"kind": "other", "source_id": "a", "target_id": "b", "at": "0", "weight": "heavy"},
            "weight",
            "must be a number",
        ),
        (
            "interactions",
            {"kind": "other", "source_id": "a", "target_id": "b", "at": "0", "weight": "-1"},
            "weight",
            "≥ 0",
        ),
        (
            "activities",
            {"id": "a", "start": "2024-03-02", "end": "2024-03-01"},
            "end",
            "before start",
        ),
        (
            "participations",
            {"activity_id": "a", "person_id": "p", "role": "host"},
            "role",
            "is not one of",
        ),
    ],
)
def test_bad_values_raise_field_errors(
    entity: str, row: dict[str, str], field: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_record(entity, row, UTC_ZONE)
    assert caught.value.field == field
    assert reason in caught.value.reason


def test_ndjson_values_may_be_native_json_types() -> None:
    person = parse_record(
        "people",
        {
            "id": "p1",
            "topics": ["a", "b"],
            "consent": False,
            "mentor_capacity": 3,
            "attrs": {"team": "blue"},
            "level": 7,
        },
        UTC_ZONE,
    )
    assert person == Person(
        id="p1",
        name="",
        topics=("a", "b"),
        consent=False,
        mentor_capacity=3,
        attrs={"team": "blue", "level": "7"},
    )
    with pytest.raises(ValidationError, match="unknown field"):
        parse_record("memberships", {"person_id": "p", "community_id": "c", "x": 1}, UTC_ZONE)
    with pytest.raises(ValidationError, match="must be a string"):
        parse_record("people", {"id": "p", "name": ["x"]}, UTC_ZONE)


def test_header_check_names_missing_and_unknown_columns() -> None:
    assert check_header("people", ["id", "name", "shoe_size"]) == []
    assert check_header("people", ["name"]) == [("id", "missing required column")]
    problems = check_header("memberships", ["person_id", "community_id", "rol"])
    assert problems == [
        (
            "rol",
            "unknown column (known: person_id, community_id, role, since, until,"
            " source_system, external_id)",
        )
    ]
    assert check_header("activities", ["id", "start", "id"]) == [("id", "duplicate column")]


SAMPLES = [
    Person(
        id="p1",
        name='Ana, "the" first',
        email="ana@example.org",
        topics=("a", "b"),
        joined_at=datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        mentor_capacity=2,
        consent=False,
        attrs={"team": "blue"},
    ),
    Community(id="c2", name="Child", kind="team", parent_id="c1", description="multi\nline"),
    Membership(
        person_id="p1", community_id="c2", role="mentor", since=datetime(2024, 1, 1, tzinfo=UTC)
    ),
    Interaction(
        id="i1",
        kind=InteractionKind.COLLABORATION,
        source_id="p1",
        target_id="p2",
        at=datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
        weight=2.5,
        directed=True,
        topic="graphs",
        source_system="slack",
    ),
    Activity(
        id="a1",
        name="Kick-off",
        kind="workshop",
        start=datetime(2024, 5, 1, tzinfo=UTC),
        end=datetime(2024, 5, 2, tzinfo=UTC),
        community_id="c2",
    ),
    Participation(activity_id="a1", person_id="p1", role="speaker"),
]


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
def test_records_round_trip_through_cells_and_json(record: object) -> None:
    spec = next(s for s in SPECS.values() if isinstance(record, s.model))
    cells = to_cells(record)  # type: ignore[arg-type]
    assert all(isinstance(value, str) for value in cells.values())
    assert parse_record(spec.entity, cells, LJUBLJANA) == record
    obj = json.loads(json.dumps(to_json(record)))  # type: ignore[arg-type]
    assert obj.pop("type") == spec.record_type
    assert parse_record(spec.entity, obj, LJUBLJANA) == record


def test_cells_are_formatted_canonically() -> None:
    person, _community, _membership, interaction, *_ = SAMPLES
    cells = to_cells(person)  # type: ignore[arg-type]
    assert cells["joined_at"] == "2024-01-02T03:04:05.000006Z"
    assert (cells["topics"], cells["consent"], cells["team"]) == ("a;b", "no", "blue")
    cells = to_cells(interaction)  # type: ignore[arg-type]
    assert (cells["at"], cells["weight"], cells["directed"]) == (
        "2024-05-01T09:30:00Z",
        "2.5",
        "yes",
    )
    assert (
        to_cells(
            Interaction(
                id="i",
                kind="other",
                source_id="a",
                target_id="b",
                at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(0),
            )
        )["weight"]
        == "1"
    )
    assert csv_header("people", ["zeta", "alpha", "name"])[-2:] == ["alpha", "zeta"]
