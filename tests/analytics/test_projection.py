"""The projection: windows, kinds, direction, weighting, co-attendance and labels."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

import networkx as nx
import numpy as np
import pytest

from analytics.projection import ProjectionOptions, interaction_arrays, project
from graphsvc.config import Settings
from graphsvc.demo import generate
from graphsvc.errors import NotFound, ValidationError
from graphsvc.model import (
    Activity,
    CommunityKind,
    InteractionArrays,
    InteractionKind,
    Membership,
    Participation,
)
from graphsvc.store import open_store

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(days: float) -> int:
    return int((T0 + timedelta(days=days)).timestamp())


def edges(projection) -> dict[tuple[str, str], tuple[int, float]]:
    """(person, person) → (count, weight) of every edge."""
    g, ids = projection.graph, projection.person_ids
    return {(ids[e.source], ids[e.target]): (e["count"], pytest.approx(e["weight"])) for e in g.es}


def mixed(rows: list[tuple[str, str, int, str, float]]) -> InteractionArrays:
    """Arrays of ``(source, target, seconds, kind, weight)`` rows of several kinds."""
    base = interaction_arrays([(s, t, when) for s, t, when, _, _ in rows])
    kinds = base.kinds
    kind = np.array([kinds.index(k) for *_, k, _ in rows], dtype=np.int8)
    directed = np.array([InteractionKind(k).value in _DIRECTED for *_, k, _ in rows])
    return InteractionArrays(
        person_ids=base.person_ids, source=base.source, target=base.target, at=base.at,
        weight=np.array([w for *_, w in rows]), directed=directed, kind=kind,
        community=base.community, topic=base.topic,
    )  # fmt: skip


_DIRECTED = {"knowledge_exchange", "mentoring", "communication"}
ROWS = [
    ("a", "b", at(0), "collaboration", 2.0),
    ("b", "a", at(10), "collaboration", 1.0),
    ("a", "c", at(20), "knowledge_exchange", 0.5),
    ("c", "c", at(21), "collaboration", 1.0),  # a self-interaction: dropped
    ("c", "d", at(30), "co_attendance", 1.0),  # the exposure layer: out by default
    ("d", "a", at(40), "mentoring", 1.0),
]


def test_undirected_projection_aggregates_pairs_and_leaves_out_coattendance() -> None:
    p = project(mixed(ROWS), [])
    assert p.person_ids == ("a", "b", "c", "d")
    assert edges(p) == {("a", "b"): (2, 2), ("a", "c"): (1, 1), ("a", "d"): (1, 1)}
    assert p.interactions == 4 and not p.graph.is_directed()


def test_directed_projection_keeps_directions_and_doubles_undirected_kinds() -> None:
    p = project(mixed(ROWS), [], ProjectionOptions(directed=True, weighting="weight"))
    # collaboration (undirected) flows both ways: a→b 2+1, b→a 2+1; KX a→c; mentoring d→a
    assert edges(p) == {
        ("a", "b"): (2, 3.0), ("b", "a"): (2, 3.0), ("a", "c"): (1, 0.5), ("d", "a"): (1, 1.0),
    }  # fmt: skip


def test_window_is_start_inclusive_end_exclusive_and_kinds_filter() -> None:
    options = ProjectionOptions(
        start=T0 + timedelta(days=10), end=T0 + timedelta(days=40),
        kinds=(InteractionKind.COLLABORATION, InteractionKind.KNOWLEDGE_EXCHANGE),
    )  # fmt: skip
    assert edges(project(mixed(ROWS), [], options)) == {("a", "b"): (1, 1), ("a", "c"): (1, 1)}


def test_decay_halves_the_weight_per_half_life_before_the_window_end() -> None:
    rows = [("a", "b", at(0), "collaboration", 4.0), ("a", "b", at(90), "collaboration", 1.0)]
    options = ProjectionOptions(end=T0 + timedelta(days=180), weighting="decay")
    # 4·2^(−180/90) + 1·2^(−90/90) = 1 + 0.5
    assert edges(project(mixed(rows), [], options)) == {("a", "b"): (2, 1.5)}
    open_ended = ProjectionOptions(weighting="decay", half_life_days=45)
    # no end: decayed to the last interaction (day 90): 4·2^(−2) + 1 = 2
    assert edges(project(mixed(rows), [], open_ended)) == {("a", "b"): (2, 2.0)}


def test_coattendance_projects_participations_to_weighted_cliques() -> None:
    activities = [Activity("w", "Workshop", T0 + timedelta(days=5)), Activity("old", "Old", T0)]
    participations = [Participation("w", p) for p in ("a", "b", "e")] + [
        Participation("old", "a"),
        Participation("old", "z"),
    ]
    options = ProjectionOptions(start=T0 + timedelta(days=1), include_coattendance=True)
    p = project(mixed(ROWS), [], options, activities=activities, participations=participations)
    got = edges(p)
    # the workshop (k = 3 participants) adds 1/(k−1) = 0.5 per pair; "old" starts before the window
    assert got[("a", "e")] == (1, 0.5) and got[("b", "e")] == (1, 0.5)
    assert got[("a", "b")] == (2, 1.5)  # the day-10 collaboration + the workshop
    assert got[("c", "d")] == (1, 1)  # co-attendance interactions count when included
    assert "z" not in p.person_ids


def test_members_without_interactions_are_isolated_vertices_with_their_groups() -> None:
    members = [
        Membership("a", "x"),
        Membership("a", "y"),
        Membership("c", "y"),
        Membership("q", "x"),
    ]
    p = project(mixed(ROWS), members)
    assert p.person_ids == ("a", "b", "c", "d", "q") and p.graph.degree(p.vertex("q")) == 0
    labels = p.labels
    assert labels.groups == ("x", "y")
    assert [sorted(labels.groups[g] for g in s) for s in labels.sets] == [
        ["x", "y"], [], ["y"], [], ["x"],
    ]  # fmt: skip
    # M3: a interacts with c (in y) once and with nobody in x: its primary group is y
    assert labels.primary.tolist() == [1, -1, 1, -1, 0]
    with pytest.raises(NotFound):
        p.vertex("nobody")


def test_primary_ties_go_to_the_first_group() -> None:
    rows = [("a", "b", at(0), "collaboration", 1.0), ("a", "c", at(1), "collaboration", 1.0)]
    members = [
        Membership("a", "x"),
        Membership("a", "y"),
        Membership("b", "y"),
        Membership("c", "x"),
    ]
    assert project(mixed(rows), members).labels.primary.tolist() == [0, 1, 0]


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValidationError):
        ProjectionOptions(weighting="loudness")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ProjectionOptions(half_life_days=0)
    with pytest.raises(ValidationError):
        ProjectionOptions(start=T0, end=T0)
    assert ProjectionOptions(boundary="department").boundary is CommunityKind.DEPARTMENT  # type: ignore[arg-type]


def test_the_demo_world_from_a_real_store_equals_an_independent_networkx_projection(
    tmp_path,
) -> None:
    """The store's arrays → projection equals a networkx graph built from the records."""
    world = generate(people=300, months=6, seed=3)
    store = open_store(Settings(store=f"sqlite:///{tmp_path / 'g.db'}"))
    try:
        store.upsert_people(world.people)
        store.upsert_communities(world.communities)
        store.upsert_memberships(world.memberships)
        store.upsert_interactions(world.interactions)
        end = max(i.at for i in world.interactions) + timedelta(seconds=1)
        start = end - timedelta(days=90)
        p = project(store.interactions(start, end), store.memberships(as_of=end, kind="cop"),
                    ProjectionOptions(start=start, end=end))  # fmt: skip
        members = store.memberships(as_of=end, kind="cop")
    finally:
        store.close()
    reference = nx.Graph()
    counts: Counter[tuple[str, str]] = Counter()
    for i in world.interactions:
        if start <= i.at < end and i.kind != "co_attendance" and i.source_id != i.target_id:
            counts[tuple(sorted((i.source_id, i.target_id)))] += 1  # type: ignore[index]
    reference.add_edges_from((a, b, {"count": c}) for (a, b), c in counts.items())
    got = {(p.person_ids[e.source], p.person_ids[e.target]): e["count"] for e in p.graph.es}
    assert got == {tuple(sorted(k)): v for k, v in counts.items()}
    assert set(p.person_ids) == set(reference.nodes) | {m.person_id for m in members}
    for m in members:
        group = p.labels.groups.index(m.community_id)
        assert group in p.labels.sets[p.vertex(m.person_id)]
    assert sum(len(s) for s in p.labels.sets) == len(
        {(m.person_id, m.community_id) for m in members}
    )
    assert math.isclose(sum(p.graph.es["weight"]), sum(counts.values()))


def test_a_projection_over_given_people_indexes_them_alike() -> None:
    """``people`` fixes the vertices (a second projection aligned with a first one)."""
    members = [Membership("a", "x"), Membership("z", "x")]
    first = project(mixed(ROWS), members)
    flows = project(
        mixed(ROWS), members,
        ProjectionOptions(directed=True, kinds=(InteractionKind.KNOWLEDGE_EXCHANGE,)),
        people=("a", "b", "c"),
    )  # fmt: skip
    assert flows.person_ids == ("a", "b", "c") and first.person_ids[:3] == flows.person_ids
    assert edges(flows) == {("a", "c"): (1, 1)}
    assert [sorted(s) for s in flows.labels.sets] == [[0], [], []]  # z is left out


def test_pairs_of_zero_strength_have_no_tie() -> None:
    rows = [("a", "b", at(0), "collaboration", 0.0), ("a", "c", at(1), "collaboration", 2.0)]
    p = project(mixed(rows), [], ProjectionOptions(weighting="weight"))
    assert edges(p) == {("a", "c"): (1, 2.0)} and p.person_ids == ("a", "b", "c")


def test_given_labels_are_taken_as_they_are() -> None:
    members = [Membership("a", "x"), Membership("c", "y")]
    first = project(mixed(ROWS), members)
    again = project(mixed(ROWS), [], ProjectionOptions(directed=True), people=first.person_ids,
                    labels=first.labels)  # fmt: skip
    assert again.labels is first.labels
    with pytest.raises(ValueError):
        project(mixed(ROWS), [], people=("a", "b"), labels=first.labels)
