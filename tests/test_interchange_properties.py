"""Property tests: any valid record survives the trip to CSV cells or NDJSON and back."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.interchange import SPECS, dump_json_line, parse_record, spec_for, to_cells
from graphsvc.model import (
    CommunityKind,
    Interaction,
    InteractionKind,
    Membership,
    MembershipRole,
    Person,
)

UTC_ZONE = ZoneInfo("UTC")
PEOPLE_COLUMNS = set(SPECS["people"].column_names)

# Cell text as the reader sees it: trimmed, no control characters (csv quotes the rest).
text = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=24)
    .map(str.strip)
    .filter(bool)
)
ids = text
list_item = text.filter(lambda item: ";" not in item)
moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
emails = st.from_regex(r"\A[a-z0-9._-]{1,10}@[a-z0-9-]{1,10}\.[a-z]{2,6}\Z")


@st.composite
def people(draw: st.DrawFn) -> Person:
    attr_keys = text.filter(lambda key: key not in PEOPLE_COLUMNS and key != "type")
    return Person(
        id=draw(ids),
        name=draw(st.one_of(st.just(""), text)),
        email=draw(st.none() | emails),
        organisation=draw(st.none() | text),
        joined_at=draw(st.none() | moments),
        topics=tuple(draw(st.lists(list_item, max_size=4, unique=True))),
        expertise=tuple(draw(st.lists(list_item, max_size=3, unique=True))),
        mentor_capacity=draw(st.integers(0, 50)),
        consent=draw(st.booleans()),
        attrs=draw(st.dictionaries(attr_keys, text, max_size=3)),
    )


@st.composite
def interactions(draw: st.DrawFn) -> Interaction:
    kind = draw(st.sampled_from(list(InteractionKind)))
    return Interaction(
        id=draw(ids),
        kind=kind,
        source_id=draw(ids),
        target_id=draw(ids),
        at=draw(moments),
        weight=draw(st.floats(0, 1e9, allow_nan=False, allow_infinity=False)),
        directed=draw(st.booleans()),
        topic=draw(st.none() | text),
        community_id=draw(st.none() | ids),
        source_system=draw(st.none() | text),
    )


memberships = st.builds(
    Membership,
    person_id=ids,
    community_id=ids,
    role=st.sampled_from(list(MembershipRole)),
    since=st.none() | moments,
)

records = st.one_of(people(), interactions(), memberships)


def via_csv_cells(record: object) -> object:
    """Cells → a real CSV text (csv module quoting) → read back → parsed."""
    cells = to_cells(record)  # type: ignore[arg-type]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(cells), lineterminator="\n")
    writer.writeheader()
    writer.writerow(cells)
    buffer.seek(0)
    (row,) = list(csv.DictReader(buffer))
    present = {name: value for name, value in row.items() if value != ""}
    return parse_record(spec_for(record).entity, present, UTC_ZONE)  # type: ignore[arg-type]


def via_ndjson(record: object) -> object:
    obj = json.loads(dump_json_line(record))  # type: ignore[arg-type]
    obj.pop("type")
    return parse_record(spec_for(record).entity, obj, UTC_ZONE)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(records)
def test_csv_cells_round_trip(record: object) -> None:
    assert via_csv_cells(record) == record


@settings(max_examples=300, deadline=None)
@given(records)
def test_ndjson_round_trip(record: object) -> None:
    assert via_ndjson(record) == record


def test_community_kinds_all_round_trip() -> None:
    from graphsvc.model import Community

    for kind in CommunityKind:
        community = Community(f"c-{kind}", "Name, with comma", kind=kind, objectives='say "hi"')
        assert via_csv_cells(community) == community
        assert via_ndjson(community) == community
