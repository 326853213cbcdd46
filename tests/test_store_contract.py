"""The store contract: every test runs against SQLite and against the real Neo4j server.

Ground truth is the small hand-built world below; each expectation is derived from it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from graphsvc.errors import NotFound, UnknownReference
from graphsvc.identity import Alias, AliasRule, AttributeConflict
from graphsvc.model import (
    Activity,
    Community,
    Feedback,
    ImportRun,
    ImportStatus,
    Interaction,
    InteractionKind,
    Membership,
    MetricValue,
    Objective,
    Participation,
    Person,
    Story,
)
from graphsvc.model_batch import InteractionBatch
from graphsvc.store import COUNT_KEYS, GraphStore, MetricQuery, SplitPlan, SplitReport, WriteCounts

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


PEOPLE = [
    Person(
        "p1",
        "Ada Lovelace",
        email="ada@example.org",
        organisation="Analytical",
        topics=("maths", "engines"),
        expertise=("maths",),
        mentor_capacity=2,
        joined_at=day(0),
        attrs={"team": "A"},
        source_system="hr",
        external_id="E-0017",
    ),
    Person("p2", "Zoë Øvergård-Łukasiewicz", topics=("soil", "water"), location="Tromsø"),
    Person("p3", "李小龍", topics=("water",), consent=False),
    Person("p4", "Ngozi Okonjo", organisation="Analytical", topics=("Engines",)),
    Person("p5", "José Müller"),
]
COMMUNITIES = [
    Community("org", "Analytical Org", kind="organisation"),
    Community("c1", "Soil CoP", parent_id="org", objectives="Healthy soil"),
    Community("c2", "Water CoP", description="Rivers", source_system="forum", external_id="cat-2"),
]
MEMBERSHIPS = [
    Membership("p1", "c1", "moderator", since=day(0)),
    Membership("p2", "c1", since=day(0), until=day(30)),
    Membership("p2", "c2", since=day(30)),
    Membership("p3", "c2"),
    Membership("p4", "c2", "expert", since=day(10)),
    Membership("p1", "org", source_system="hr", external_id="E-0017/org"),
    Membership("p4", "org"),
]
INTERACTIONS = [
    Interaction(
        "i1",
        "collaboration",
        "p1",
        "p2",
        day(1),
        weight=2.0,
        community_id="c1",
        topic="soil",
        source_system="forum",
        external_id="answer-991",
    ),
    Interaction("i2", "knowledge_exchange", "p2", "p3", day(5), topic="water"),
    Interaction("i3", "mentoring", "p1", "p4", day(10)),
    Interaction("i4", "communication", "p4", "p5", day(20), weight=0.5),
    Interaction("i5", "collaboration", "p3", "p4", day(30), community_id="c2"),
    Interaction("i6", "co_attendance", "p1", "p3", day(40), weight=0.25),
]
ACTIVITIES = [
    Activity("a1", "Soil workshop", day(3), kind="workshop", community_id="c1", end=day(4)),
    Activity("a2", "Open meeting", day(50), source_system="events", external_id="ev-1"),
]
PARTICIPATIONS = [
    Participation("a1", "p1", "organiser", at=day(3)),
    Participation("a1", "p2"),
    Participation("a1", "p3", "speaker"),
    Participation("a2", "p5", source_system="events", external_id="reg-5"),
]


def load_world(store: GraphStore) -> None:
    store.upsert_people(PEOPLE)
    store.upsert_communities(COMMUNITIES)
    store.upsert_memberships(MEMBERSHIPS)
    store.upsert_interactions(INTERACTIONS)
    store.upsert_activities(ACTIVITIES)
    store.upsert_participations(PARTICIPATIONS)


WORLD_COUNTS = {
    "people": 5,
    "communities": 3,
    "memberships": 7,
    "interactions": 6,
    "activities": 2,
    "participations": 4,
    "import_runs": 0,
    "feedback": 0,
    "metric_values": 0,
    "objectives": 0,
    "stories": 0,
}


@pytest.fixture
def world(store: GraphStore) -> GraphStore:
    load_world(store)
    return store


def interaction_ids(store: GraphStore, arrays_start=None, end=None, kinds=None) -> list[str]:
    """Recover (source, target, at) rows from the columnar arrays and map them back to ids."""
    arrays = store.interactions(arrays_start, end, kinds)
    by_key = {(i.source_id, i.target_id, int(i.at.timestamp())): i.id for i in INTERACTIONS}
    return [
        by_key[(arrays.person_ids[s], arrays.person_ids[t], int(a))]
        for s, t, a in zip(arrays.source, arrays.target, arrays.at, strict=True)
    ]


# --- upserts, counts, idempotency -----------------------------------------------------------


def test_empty_store_counts_zero(store: GraphStore) -> None:
    assert store.counts() == dict.fromkeys(COUNT_KEYS, 0)


def test_world_counts(world: GraphStore) -> None:
    assert world.counts() == WORLD_COUNTS


def test_second_upsert_of_same_rows_changes_nothing(world: GraphStore) -> None:
    before_people = list(world.list_people())
    before_interactions = list(world.list_interactions())
    load_world(world)
    assert world.counts() == WORLD_COUNTS
    assert list(world.list_people()) == before_people
    assert list(world.list_interactions()) == before_interactions


def test_upserts_count_inserted_rows(store: GraphStore) -> None:
    assert store.upsert_people(PEOPLE) == WriteCounts(inserted=5)
    assert store.upsert_communities(COMMUNITIES) == WriteCounts(inserted=3)
    assert store.upsert_memberships(MEMBERSHIPS) == WriteCounts(inserted=7)
    assert store.upsert_interactions(INTERACTIONS) == WriteCounts(inserted=6)
    assert store.upsert_activities(ACTIVITIES) == WriteCounts(inserted=2)
    assert store.upsert_participations(PARTICIPATIONS) == WriteCounts(inserted=4)


def test_a_rerun_counts_every_row_unchanged(world: GraphStore) -> None:
    assert world.upsert_people(PEOPLE) == WriteCounts(unchanged=5)
    assert world.upsert_communities(COMMUNITIES) == WriteCounts(unchanged=3)
    assert world.upsert_memberships(MEMBERSHIPS) == WriteCounts(unchanged=7)
    assert world.upsert_interactions(INTERACTIONS) == WriteCounts(unchanged=6)
    assert world.upsert_activities(ACTIVITIES) == WriteCounts(unchanged=2)
    assert world.upsert_participations(PARTICIPATIONS) == WriteCounts(unchanged=4)


def test_changed_fields_count_as_updated(world: GraphStore) -> None:
    people = [replace(PEOPLE[0], external_id="E-18"), PEOPLE[1], Person("p9", "New")]
    assert world.upsert_people(people) == WriteCounts(inserted=1, updated=1, unchanged=1)
    assert world.get_person("p1") == people[0]
    memberships = [replace(MEMBERSHIPS[0], until=day(99)), MEMBERSHIPS[1]]
    assert world.upsert_memberships(memberships) == WriteCounts(updated=1, unchanged=1)
    moved = replace(INTERACTIONS[2], target_id="p5")
    assert world.upsert_interactions([moved, INTERACTIONS[3]]) == WriteCounts(
        updated=1, unchanged=1
    )
    participation = replace(PARTICIPATIONS[1], role="speaker")
    assert world.upsert_participations([participation]) == WriteCounts(updated=1)
    assert world.upsert_communities([replace(COMMUNITIES[2], source_system=None)]) == (
        WriteCounts(updated=1)
    )
    assert world.upsert_activities([replace(ACTIVITIES[0], name="Soil day")]) == (
        WriteCounts(updated=1)
    )


def test_an_interaction_batch_is_written_like_its_records(store: GraphStore) -> None:
    """The bulk form (rows of plain values) counts, stores and refuses like the objects."""
    load_world(store)
    moved = replace(INTERACTIONS[2], target_id="p5", weight=2.5, topic="soil")
    fresh = Interaction("n9", "mentoring", "p2", "p3", day(9) + timedelta(microseconds=7))
    batch = InteractionBatch.from_records([moved, INTERACTIONS[3], fresh])
    assert store.upsert_interactions(batch) == WriteCounts(inserted=1, updated=1, unchanged=1)
    stored = {i.id: i for i in store.list_interactions()}
    assert [stored[i.id] for i in (moved, INTERACTIONS[3], fresh)] == list(batch)
    assert store.upsert_interactions(batch) == WriteCounts(unchanged=3)
    ghost = Interaction("n10", "collaboration", "p1", "ghost", day(2))
    with pytest.raises(UnknownReference):
        store.upsert_interactions(InteractionBatch.from_records([fresh, ghost]))
    assert store.counts()["interactions"] == WORLD_COUNTS["interactions"] + 1


def test_repeated_keys_in_one_batch_count_against_the_earlier_row(store: GraphStore) -> None:
    first, second = Person("p1", "Ada"), Person("p1", "Ada King")
    assert store.upsert_people([first, first, second]) == WriteCounts(
        inserted=1, unchanged=1, updated=1
    )
    assert list(store.list_people()) == [second]


def test_ids_lists_referenced_entities_without_records(world: GraphStore) -> None:
    assert sorted(world.ids("people")) == ["p1", "p2", "p3", "p4", "p5"]
    assert sorted(world.ids("communities")) == ["c1", "c2", "org"]
    assert sorted(world.ids("activities")) == ["a1", "a2"]


def test_upsert_replaces_every_field(world: GraphStore) -> None:
    changed = replace(PEOPLE[0], name="Ada King", topics=("poetry",), email=None, attrs={})
    world.upsert_people([changed])
    assert world.get_person("p1") == changed
    moved = replace(INTERACTIONS[0], source_id="p5", target_id="p4", weight=7.0, topic=None)
    world.upsert_interactions([moved])
    stored = {i.id: i for i in world.list_interactions()}
    assert stored["i1"] == moved
    assert world.counts()["interactions"] == 6


def test_round_trip_of_every_entity(world: GraphStore) -> None:
    assert list(world.list_people()) == sorted(PEOPLE, key=lambda p: p.id)
    assert list(world.list_communities()) == sorted(COMMUNITIES, key=lambda c: c.id)
    assert list(world.list_memberships()) == sorted(MEMBERSHIPS, key=lambda m: m.key)
    assert list(world.list_interactions()) == sorted(INTERACTIONS, key=lambda i: i.id)
    assert list(world.list_activities()) == sorted(ACTIVITIES, key=lambda a: a.id)
    assert list(world.list_participations()) == sorted(PARTICIPATIONS, key=lambda p: p.key)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2024, 2, 29, 23, 59, 59, 999999, UTC),
        datetime(1969, 12, 31, 23, 59, 58, 500000, UTC),  # negative epoch, fraction floored
        datetime(1, 1, 1, 0, 0, 0, 1, UTC),
    ],
    ids=["leap-day", "before-1970", "year-1"],
)
def test_microsecond_datetimes_round_trip(store: GraphStore, moment: datetime) -> None:
    store.upsert_people(PEOPLE)
    precise = replace(INTERACTIONS[1], id="ix", at=moment)
    store.upsert_interactions([precise])
    assert list(store.list_interactions()) == [precise]
    assert store.upsert_interactions([precise]) == WriteCounts(unchanged=1)


def test_unicode_names_round_trip_and_search(world: GraphStore) -> None:
    assert world.get_person("p2").name == "Zoë Øvergård-Łukasiewicz"  # type: ignore[union-attr]
    assert [p.id for p in world.search_people(text="小龍")] == ["p3"]
    assert [p.id for p in world.search_people(text="øvergård")] == ["p2"]


# --- a bad batch writes nothing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "rows"),
    [
        ("memberships", [Membership("p1", "c2"), Membership("ghost", "c1")]),
        ("memberships", [Membership("p5", "c1"), Membership("p5", "nowhere")]),
        (
            "interactions",
            [
                Interaction("n1", "collaboration", "p1", "p5", day(2)),
                Interaction("n2", "collaboration", "p1", "ghost", day(2)),
            ],
        ),
        (
            "interactions",
            [Interaction("n3", "collaboration", "p1", "p5", day(2), community_id="nowhere")],
        ),
        (
            "activities",
            [Activity("a9", "x", day(1)), Activity("a8", "y", day(1), community_id="z")],
        ),
        ("participations", [Participation("a2", "p1"), Participation("a404", "p1")]),
        ("participations", [Participation("a2", "p2"), Participation("a2", "ghost")]),
        ("communities", [Community("c7", "Seven"), Community("c8", "Eight", parent_id="missing")]),
    ],
)
def test_batch_with_one_unknown_reference_writes_nothing(
    world: GraphStore, entity: str, rows: list[object]
) -> None:
    with pytest.raises(UnknownReference):
        getattr(world, f"upsert_{entity}")(rows)
    assert world.counts() == WORLD_COUNTS


def test_parent_may_arrive_in_the_same_batch(store: GraphStore) -> None:
    store.upsert_communities(
        [Community("child", "Child", parent_id="mum"), Community("mum", "Mum")]
    )
    assert store.counts()["communities"] == 2


def test_error_names_the_offending_reference(world: GraphStore) -> None:
    with pytest.raises(UnknownReference) as caught:
        world.upsert_interactions([Interaction("n2", "collaboration", "p1", "ghost", day(2))])
    assert caught.value.missing_id == "ghost"
    assert "ghost" in str(caught.value)


# --- lookups --------------------------------------------------------------------------------


def test_get_person(world: GraphStore) -> None:
    assert world.get_person("p1") == PEOPLE[0]
    assert world.get_person("nobody") is None


def test_search_by_id_name_and_topic(world: GraphStore) -> None:
    assert [p.id for p in world.search_people(text="p4")] == ["p4"]
    assert [p.id for p in world.search_people(text="ada")] == ["p1"]
    assert [p.id for p in world.search_people(topic="water")] == ["p2", "p3"]
    assert sorted(p.id for p in world.search_people(topic="engines")) == ["p1", "p4"]
    assert [p.id for p in world.search_people(topic="MATHS")] == ["p1"]
    assert [p.id for p in world.search_people(text="o", topic="water")] == ["p2"]
    assert len(world.search_people(text="o", limit=2)) == 2


def test_communities_with_member_counts(world: GraphStore) -> None:
    summary = {s.community.id: s.member_count for s in world.communities()}
    assert summary == {"org": 2, "c1": 2, "c2": 3}
    cops = world.communities(kind="cop")
    assert sorted(s.community.id for s in cops) == ["c1", "c2"]
    assert next(s for s in cops if s.community.id == "c1").community == COMMUNITIES[1]


def test_memberships_as_of(world: GraphStore) -> None:
    def active(moment: datetime | None, kind: str | None = None) -> set[tuple[str, str, str]]:
        return {m.key for m in world.memberships(moment, kind)}

    assert active(None) == {m.key for m in MEMBERSHIPS}
    assert active(day(5), "cop") == {
        ("p1", "c1", "moderator"),
        ("p2", "c1", "member"),
        ("p3", "c2", "member"),
    }
    # until is exclusive, since inclusive
    assert ("p2", "c1", "member") not in active(day(30))
    assert ("p2", "c2", "member") in active(day(30))
    assert ("p4", "c2", "expert") in active(day(10))
    assert ("p4", "c2", "expert") not in active(day(10) - timedelta(microseconds=1))
    assert active(day(5), "organisation") == {("p1", "org", "member"), ("p4", "org", "member")}


# --- interactions as columns ----------------------------------------------------------------


def test_memberships_of_one_person_past_and_present(world: GraphStore) -> None:
    for person_id in ("p1", "p2", "p5", "nobody"):
        expected = sorted(
            (m for m in MEMBERSHIPS if m.person_id == person_id),
            key=lambda m: (m.community_id, m.role),
        )
        assert world.memberships_of(person_id) == expected


def test_members_of_one_community_past_and_present(world: GraphStore) -> None:
    for community_id in ("c1", "c2", "org", "nowhere"):
        expected = sorted(
            (m for m in MEMBERSHIPS if m.community_id == community_id),
            key=lambda m: (m.person_id, m.role),
        )
        assert world.members_of(community_id) == expected


def test_interaction_arrays_columns(world: GraphStore) -> None:
    arrays = world.interactions()
    assert len(arrays) == 6
    assert arrays.person_ids == ("p1", "p2", "p3", "p4", "p5")
    assert arrays.source.dtype == np.int32 and arrays.target.dtype == np.int32
    assert arrays.at.dtype == np.int64 and arrays.weight.dtype == np.float64
    assert arrays.directed.dtype == np.bool_ and arrays.kind.dtype == np.int8
    ordered = sorted(INTERACTIONS, key=lambda i: (i.at, i.id))
    assert list(arrays.at) == [int(i.at.timestamp()) for i in ordered]
    assert list(arrays.weight) == [i.weight for i in ordered]
    assert list(arrays.directed) == [i.directed for i in ordered]
    assert [arrays.kinds[k] for k in arrays.kind] == [i.kind.value for i in ordered]
    assert arrays.community_ids == ("c1", "c2")
    assert [arrays.community_ids[c] if c >= 0 else None for c in arrays.community] == [
        i.community_id for i in ordered
    ]
    assert [arrays.topics[t] if t >= 0 else None for t in arrays.topic] == [
        i.topic for i in ordered
    ]


def test_window_is_start_inclusive_end_exclusive(world: GraphStore) -> None:
    assert interaction_ids(world, day(5), day(30)) == ["i2", "i3", "i4"]
    assert interaction_ids(world, day(1), day(5)) == ["i1"]
    assert interaction_ids(world, None, day(1)) == []
    assert interaction_ids(world, day(30), None) == ["i5", "i6"]


def test_window_filters_kinds(world: GraphStore) -> None:
    assert interaction_ids(world, kinds=["collaboration"]) == ["i1", "i5"]
    assert interaction_ids(world, kinds=[InteractionKind.MENTORING, "communication"]) == [
        "i3",
        "i4",
    ]
    empty = world.interactions(day(1000), None)
    assert len(empty) == 0 and empty.person_ids == ()


def test_arrays_name_only_people_in_the_window(world: GraphStore) -> None:
    arrays = world.interactions(day(20), day(21))
    assert arrays.person_ids == ("p4", "p5")
    assert (arrays.source[0], arrays.target[0]) == (0, 1)


# --- ego network ----------------------------------------------------------------------------


def test_ego_network_hops(world: GraphStore) -> None:
    one = world.ego_network("p5", hops=1)
    assert one.distance == {"p5": 0, "p4": 1}
    assert [i.id for i in one.interactions] == ["i4"]
    two = world.ego_network("p5", hops=2)
    assert two.distance == {"p5": 0, "p4": 1, "p1": 2, "p3": 2}
    assert sorted(p.id for p in two.people) == ["p1", "p3", "p4", "p5"]
    assert sorted(i.id for i in two.interactions) == ["i3", "i4", "i5", "i6"]


def test_ego_network_respects_window(world: GraphStore) -> None:
    ego = world.ego_network("p1", hops=2, start=day(0), end=day(10))
    assert ego.distance == {"p1": 0, "p2": 1, "p3": 2}


def test_ego_network_of_unknown_person(world: GraphStore) -> None:
    with pytest.raises(NotFound):
        world.ego_network("ghost")


def test_isolated_person_is_own_ego_network(world: GraphStore) -> None:
    world.upsert_people([Person("lonely", "Lonely")])
    ego = world.ego_network("lonely", hops=3)
    assert ego.distance == {"lonely": 0} and ego.interactions == ()


# --- erasure --------------------------------------------------------------------------------


def test_delete_person_erases_every_trace(world: GraphStore) -> None:
    world.add_feedback(
        [
            Feedback("f1", "p2", "p1", "accepted", day(60)),
            Feedback("f2", "p1", "p5", "dismissed", day(60)),
            Feedback("f3", "p2", "p4", "dismissed", day(60)),
        ]
    )
    report = world.delete_person("p1")
    assert (
        report.people,
        report.memberships,
        report.interactions,
        report.participations,
        report.feedback,
    ) == (1, 2, 3, 1, 2)
    assert world.get_person("p1") is None
    assert all("p1" not in (m.person_id,) for m in world.list_memberships())
    assert all("p1" not in (i.source_id, i.target_id) for i in world.list_interactions())
    assert all(p.person_id != "p1" for p in world.list_participations())
    assert [f.id for f in world.feedback()] == ["f3"]
    assert "p1" not in world.interactions().person_ids
    assert world.counts()["people"] == 4


def test_delete_person_erases_their_metric_values_only(world: GraphStore) -> None:
    world.upsert_metric_values(
        [metric("person", "p1", "degree", 0), metric("person", "p2", "degree", 0),
         metric("community", "c1", "cross_share", 0)]
    )  # fmt: skip
    report = world.delete_person("p1")
    assert report.metric_values == 1
    assert {(m.scope_kind, m.scope_id) for m in world.metric_values()} == {
        ("person", "p2"), ("community", "c1")
    }  # fmt: skip


def test_delete_unknown_person_is_a_zero_report(world: GraphStore) -> None:
    assert world.delete_person("ghost").total() == 0
    assert world.counts() == WORLD_COUNTS


# --- records ---------------------------------------------------------------------------------


def test_import_runs(store: GraphStore) -> None:
    first = ImportRun("r1", "data/a", day(1))
    store.record_import_run(first)
    done = replace(
        first,
        status=ImportStatus.PARTIAL,
        finished_at=day(2),
        counts={"people": 3},
        errors=("people.csv:3: email: not an e-mail address",),
        outcomes={"people": {"inserted": 2, "updated": 1, "rejected": 1}},
    )
    store.record_import_run(done)
    store.record_import_run(
        ImportRun(
            "r2", "https://x/api", day(3), ImportStatus.SUCCEEDED, day(3), {"interactions": 10}
        )
    )
    assert store.get_import_run("r1") == done
    assert done.totals() == {"inserted": 2, "updated": 1, "unchanged": 0, "rejected": 1}
    assert store.get_import_run("nope") is None
    assert [r.id for r in store.import_runs()] == ["r2", "r1"]
    assert [r.id for r in store.import_runs(limit=1)] == ["r2"]
    assert store.counts()["import_runs"] == 2


def test_cursors(store: GraphStore) -> None:
    assert store.get_cursor("crm") is None
    store.set_cursor("crm", "2024-01-01T00:00:00Z")
    store.set_cursor("crm", "2024-02-01T00:00:00Z")
    store.set_cursor("forum", "page=7")
    assert store.get_cursor("crm") == "2024-02-01T00:00:00Z"
    assert store.get_cursor("forum") == "page=7"


def test_feedback(world: GraphStore) -> None:
    rows = [
        Feedback("f1", "p2", "p1", "accepted", day(60)),
        Feedback("f2", "p1", "p5", "dismissed", day(61), recommender="mentor"),
        Feedback(
            "f3",
            "p1",
            "p4",
            "declined",
            day(62),
            reason="already_know",
            moderator="mo",
            community_id="c2",
        ),  # fmt: skip
    ]
    assert world.add_feedback(rows) == 3
    world.add_feedback(rows)
    assert world.feedback() == rows
    assert world.feedback("p1") == rows[1:]
    assert world.counts()["feedback"] == 3


def test_clear(world: GraphStore) -> None:
    world.set_cursor("x", "1")
    world.clear()
    assert world.counts() == dict.fromkeys(COUNT_KEYS, 0)
    assert world.get_cursor("x") is None
    load_world(world)
    assert world.counts() == WORLD_COUNTS


# --- evaluation records ---------------------------------------------------------------------


def metric(
    scope_kind: str,
    scope_id: str,
    indicator: str,
    month: int,
    value: float | None = 0.5,
    definition: str = "temporal-1",
    parameters: str = '{"boundary": "cop"}',
) -> MetricValue:
    return MetricValue(
        day(30 * month), day(30 * month + 30), scope_kind, scope_id, indicator, value,
        definition, parameters, low=None if value is None else value - 0.1, high=value,
        n_interactions=40, n_active=12, insufficient=value is None, computed_at=day(400),
    )  # fmt: skip


def test_metric_values_are_kept_per_definition_and_filtered(store: GraphStore) -> None:
    rows = [
        metric("network", "", "cross_share", 0),
        metric("network", "", "cross_share", 1, value=None),
        metric("community", "c1", "cross_share", 0, value=0.25),
        metric("community", "c1", "ei_excess", 1, value=-0.75),
    ]
    assert store.upsert_metric_values(rows) == 4
    store.upsert_metric_values(rows)  # the same keys: replaced, not added
    assert store.counts()["metric_values"] == 4
    in_order = sorted(rows, key=lambda m: (m.scope_kind, m.scope_id, m.indicator, m.period_start))
    assert store.metric_values() == in_order
    newer = metric("network", "", "cross_share", 0, value=0.6, definition="temporal-2")
    other = metric("network", "", "cross_share", 0, value=0.7, parameters='{"boundary":"sector"}')
    store.upsert_metric_values([newer, other, replace(rows[0], value=0.55)])
    assert store.counts()["metric_values"] == 6  # a new definition or parameters add rows
    history = store.metric_values(MetricQuery(scope_kind="network", definition="temporal-1"))
    assert [(m.period_start, m.value, m.parameters) for m in history] == [
        (day(0), 0.55, '{"boundary":"cop"}'),
        (day(30), None, '{"boundary":"cop"}'),
        (day(0), 0.7, '{"boundary":"sector"}'),
    ]
    assert store.metric_values(MetricQuery(parameters_id=other.parameters_id)) == [other]
    assert store.metric_values(MetricQuery(scope_id="c1", indicator="ei_excess")) == [rows[3]]
    window = MetricQuery(scope_kind="community", start=day(30), end=day(60))
    assert store.metric_values(window) == [rows[3]]


def test_objectives_and_stories_round_trip_update_and_delete(store: GraphStore) -> None:
    goal = Objective(
        "o1", "cross_share", 0.2, day(0), 0.3, day(365), community_id="c1",
        interaction_kind="knowledge_exchange", min_n=40, description="30% of KX crosses",
        author="eva", created_at=day(1),
    )  # fmt: skip
    network = Objective("o2", "active_spanners", 10, day(0), 20, day(180))
    assert store.upsert_objectives([goal, network]) == 2
    assert store.objectives() == [goal, network]
    assert store.objectives("c1") == [goal]
    store.upsert_objectives([replace(goal, target=0.35)])
    assert store.objectives("c1")[0].target == 0.35
    assert store.delete_objective("o1") and not store.delete_objective("o1")
    assert store.objectives() == [network]
    told = Story("s1", "The workshop led to a shared pilot.", day(90), "eva", "c1", "applied")
    early = Story("s2", "Kick-off.", day(10), "ann")
    assert store.upsert_stories([told, early]) == 2
    assert store.stories() == [early, told] and store.stories("c1") == [told]
    assert store.counts()["objectives"] == 1 and store.counts()["stories"] == 2
    assert store.delete_story("s2") and store.stories() == [told]


# --- identity across source systems ----------------------------------------------------------


def alias(
    system: str, external: str, person: str, seen: int, rule: AliasRule = AliasRule.NEW
) -> Alias:
    """Alias ``(system, external)`` → ``person``, first and last seen on day ``seen``."""
    snapshot = Person(external, f"{external} from {system}", source_system=system)
    return Alias(system, external, person, rule, day(seen), day(seen), snapshot)


def conflict(
    person: str,
    field: str,
    kept: str | None,
    replaced: str | None,
    sources: tuple[str | None, str | None] = ("forum", "hr"),
    run_id: str | None = None,
    at: int = 1,
) -> AttributeConflict:
    """``field`` of ``person``: ``kept`` from ``sources[0]`` replaced ``replaced`` from
    ``sources[1]``, in run ``run_id``, on day ``at``."""
    return AttributeConflict(person, field, kept, replaced, *sources, run_id, day(at))


def test_aliases_round_trip_and_keep_their_first_sighting(store: GraphStore) -> None:
    rich = replace(
        PEOPLE[0],
        id="E-0017",
        joined_at=datetime(2023, 5, 6, 7, 8, 9, 123456, UTC),
        consent=False,
        attrs={"team": "A", "grade": "7"},
    )
    first = Alias("hr", "E-0017", "p1", AliasRule.NEW, day(1), day(1), rich)
    assert store.upsert_people(PEOPLE, aliases=[first]) == WriteCounts(inserted=5)
    assert store.aliases() == [first]
    again = Alias("hr", "E-0017", "p2", AliasRule.EMAIL, day(5), day(6), replace(rich, name="A"))
    assert store.upsert_people([], aliases=[again]) == WriteCounts()
    assert store.aliases() == [replace(again, first_seen=day(1))]


def test_aliases_filter_and_order(store: GraphStore) -> None:
    late, forum, hr, other = (
        alias("hr", "E2", "p1", 3),
        alias("forum", "u7", "p1", 2),
        alias("hr", "E1", "p1", 2),
        alias("forum", "u9", "p2", 1),
    )
    store.upsert_people(PEOPLE, aliases=[late, other, hr, forum])
    # by person id, last seen, source system, external id
    assert store.aliases() == [forum, hr, late, other]
    assert store.aliases(person_ids=["p2"]) == [other]
    assert store.aliases(person_ids=["p1", "ghost", "p1"]) == [forum, hr, late]
    assert store.aliases(person_ids=[]) == []
    assert store.aliases(source_system="forum") == [forum, other]
    assert store.aliases(source_system="forum", external_ids=["u9", "nope"]) == [other]
    assert store.aliases(source_system="forum", external_ids=[]) == []
    assert store.aliases(external_ids=["E1", "u9"]) == [hr, other]
    assert store.aliases(person_ids=["p1"], source_system="hr") == [hr, late]
    assert store.aliases(person_ids=["p1"], source_system="hr", external_ids=["E2"]) == [late]
    assert store.aliases(source_system="nowhere") == []


def test_conflicts_are_kept_once_in_insertion_order(store: GraphStore) -> None:
    renamed = conflict("p1", "name", "Ada L.", "Ada", run_id="r1")
    team = conflict("p2", "attrs.team", "B", "A", (None, "hr"), run_id="r1")
    store.upsert_people(PEOPLE, conflicts=[renamed, team])
    again = replace(renamed, run_id="r2", at=day(2))  # the same conflict, seen again
    back = conflict("p1", "name", "Ada", "Ada L.", ("hr", "forum"), run_id="r2", at=2)
    unsourced = replace(team, replaced_source=None, at=day(2))  # differs by a null source
    batch = [again, back, unsourced, replace(back, at=day(3))]
    assert store.upsert_people([], conflicts=batch) == WriteCounts()
    assert store.conflicts() == [renamed, team, back, unsourced]
    assert store.conflicts("p1") == [renamed, back]
    assert store.conflicts(limit=2) == [renamed, team]
    assert store.conflicts("p2", limit=1) == [team]
    assert store.conflicts("ghost") == []
    store.upsert_people([replace(PEOPLE[0], name="Ada L.")], conflicts=[back])
    assert store.conflicts() == [renamed, team, back, unsourced]


def test_get_people_returns_the_stored_ones(world: GraphStore) -> None:
    assert world.get_people(["p3", "ghost", "p1", "p1"]) == {"p1": PEOPLE[0], "p3": PEOPLE[2]}
    assert world.get_people([]) == {}


def test_person_ids_by_email_ignore_case_and_take_the_smallest_id(world: GraphStore) -> None:
    twins = [Person("p9", "Ada twin", email="ADA@example.org"), Person("p0", "Ada", email="x@y.z")]
    world.upsert_people(twins)
    wanted = ["Ada@Example.ORG", "x@Y.z", "nobody@example.org"]
    assert world.person_ids_by_email(wanted) == {"ada@example.org": "p1", "x@y.z": "p0"}
    world.upsert_people([replace(twins[1], email="ada@EXAMPLE.org")])
    assert world.person_ids_by_email(wanted) == {"ada@example.org": "p0"}
    world.upsert_people([replace(twins[1], email=None), replace(PEOPLE[0], email="new@x.org")])
    assert world.person_ids_by_email(wanted) == {"ada@example.org": "p9"}
    assert world.person_ids_by_email([]) == {}


def forum_records(store: GraphStore) -> None:
    """Records of source system ``forum`` naming p1 (besides the world's interaction i1)."""
    forum = {"source_system": "forum"}
    store.upsert_memberships([Membership("p1", "c2", "expert", since=day(7), **forum)])
    store.upsert_interactions(
        [
            Interaction("f1", "mentoring", "p3", "p1", day(8), weight=3.0, **forum),
            Interaction("f2", "other", "p1", "p1", day(9), external_id="self", **forum),
        ]
    )
    store.upsert_participations([Participation("a2", "p1", "speaker", at=day(50), **forum)])


def split_plan(store: GraphStore, move_records: bool) -> SplitPlan:
    hr, forum = alias("hr", "E-0017", "p1", 1), alias("forum", "u7", "p1", 2, AliasRule.EMAIL)
    store.upsert_people([], aliases=[hr, forum])
    new_person = Person("u7", "Ada L.", email="ada@forum.org", source_system="forum")
    rebuilt = replace(PEOPLE[0], name="Ada (HR)")
    return SplitPlan(forum, new_person, rebuilt, move_records)


def test_split_moves_the_source_systems_records(world: GraphStore) -> None:
    forum_records(world)
    plan = split_plan(world, move_records=True)
    assert world.split_alias(plan) == SplitReport("p1", "u7", 1, 3, 1)
    assert world.get_person("u7") == plan.new_person
    assert world.get_person("p1") == plan.rebuilt
    ties = {i.id: i for i in world.list_interactions()}
    assert ties["i1"] == replace(INTERACTIONS[0], source_id="u7")  # every field kept
    assert (ties["f1"].source_id, ties["f1"].target_id, ties["f1"].weight) == ("p3", "u7", 3.0)
    assert (ties["f2"].source_id, ties["f2"].target_id, ties["f2"].external_id) == (
        "u7",
        "u7",
        "self",
    )
    assert {i.id for i in ties.values() if "p1" in (i.source_id, i.target_id)} == {"i3", "i6"}
    memberships = {(m.person_id, m.community_id) for m in world.list_memberships()}
    assert ("u7", "c2") in memberships and ("p1", "c2") not in memberships
    assert {("p1", "c1"), ("p1", "org")} <= memberships
    moved = [m for m in world.list_memberships() if m.person_id == "u7"]
    assert moved == [Membership("u7", "c2", "expert", since=day(7), source_system="forum")]
    participations = {(p.activity_id, p.person_id) for p in world.list_participations()}
    assert ("a2", "u7") in participations and ("a1", "p1") in participations
    assert ("a2", "p1") not in participations
    assert [(a.external_id, a.person_id, a.rule) for a in world.aliases(person_ids=["u7"])] == [
        ("u7", "u7", AliasRule.SPLIT)
    ]
    assert world.aliases(person_ids=["u7"])[0].first_seen == day(2)
    assert [a.external_id for a in world.aliases(person_ids=["p1"])] == ["E-0017"]
    grown = {"people": 6, "memberships": 8, "interactions": 8, "participations": 5}
    assert world.counts() == {**WORLD_COUNTS, **grown}


def test_split_without_moving_records_leaves_them(world: GraphStore) -> None:
    forum_records(world)
    before = (list(world.list_interactions()), list(world.list_memberships()))
    plan = split_plan(world, move_records=False)
    assert world.split_alias(plan) == SplitReport("p1", "u7")
    assert (list(world.list_interactions()), list(world.list_memberships())) == before
    assert world.get_person("p1") == plan.rebuilt
    assert [a.rule for a in world.aliases(person_ids=["u7"])] == [AliasRule.SPLIT]


def test_an_alias_of_an_unknown_person_rolls_the_batch_back(store: GraphStore) -> None:
    stray = Alias("hr", "E9", "ghost", AliasRule.NEW, T0, T0, Person("E9", "Nine"))
    with pytest.raises(UnknownReference) as caught:
        store.upsert_people([Person("a", "Ada")], aliases=[stray])
    assert (caught.value.record_id, caught.value.missing_id) == ("hr:E9", "ghost")
    assert store.counts()["people"] == 0 and store.aliases() == []


def test_erasure_and_clear_remove_aliases_and_conflicts(world: GraphStore) -> None:
    kept_alias = alias("forum", "u9", "p2", 1)
    kept_conflict = conflict("p2", "name", "Zoë", "Zoe")
    world.upsert_people(
        [],
        aliases=[alias("hr", "E-0017", "p1", 1), kept_alias],
        conflicts=[conflict("p1", "name", "A", "B"), kept_conflict],
    )
    world.delete_person("p1")
    assert world.aliases() == [kept_alias]
    assert world.conflicts() == [kept_conflict]
    world.clear()
    assert world.aliases() == [] and world.conflicts() == []


def test_erasure_redacts_the_person_from_import_run_messages(world: GraphStore) -> None:
    messages = (
        "interactions.csv:9: target_id: unknown person 'p1'",
        "people.csv:3: id: duplicate id (p1)",
        "memberships.csv:4: person_id, community_id, role: duplicate id (p1, c1, member)",
        "interactions.csv:12: target_id: unknown person 'p10'",  # another person: kept
    )
    world.record_import_run(ImportRun("r1", "data", day(1), ImportStatus.PARTIAL, errors=messages))
    world.record_import_run(ImportRun("r2", "other", day(2), errors=("people.csv:2: name: x",)))
    report = world.delete_person("p1")
    # records only (1 person, 2 memberships, 3 interactions, 1 participation), not messages
    assert report.messages == 3 and report.total() == 1 + 2 + 3 + 1
    run = world.get_import_run("r1")
    assert run is not None and run.errors == (
        "interactions.csv:9: target_id: unknown person '[erased]'",
        "people.csv:3: id: duplicate id ([erased])",
        "memberships.csv:4: person_id, community_id, role: duplicate id ([erased], c1, member)",
        "interactions.csv:12: target_id: unknown person 'p10'",
    )
    assert world.get_import_run("r2") == ImportRun(
        "r2", "other", day(2), errors=("people.csv:2: name: x",)
    )
