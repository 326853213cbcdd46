"""The demo world: realistic, deterministic, self-consistent, and its planted structure shows.

Every planted fact is re-derived from the generated records with plain Python / networkx
(METRICS.md definitions, shared-any membership rule at each tie's time), never hard-coded.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.demo import DemoWorld, cop_count_for, generate, write_ground_truth
from graphsvc.demo_catalogue import cop_profiles
from graphsvc.errors import ValidationError
from graphsvc.model import (
    ENTITIES,
    CommunityKind,
    Interaction,
    InteractionKind,
    MembershipRole,
)

#: Co-attendance is an exposure layer, left out of brokerage and silo metrics (METRICS.md §0).
TIE_KINDS = frozenset(InteractionKind) - {InteractionKind.CO_ATTENDANCE}


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return generate()


class CopMembership:
    """Which CoPs a person belongs to at a moment (memberships are ``[since, until)``)."""

    def __init__(self, world: DemoWorld) -> None:
        cops = {c.id for c in world.communities if c.kind is CommunityKind.COP}
        self.spans: dict[str, list[tuple[str, datetime | None, datetime | None]]] = defaultdict(
            list
        )
        for m in world.memberships:
            if m.community_id in cops:
                self.spans[m.person_id].append((m.community_id, m.since, m.until))

    def at(self, person: str, moment: datetime) -> set[str]:
        return {
            cop
            for cop, since, until in self.spans[person]
            if (since is None or since <= moment) and (until is None or moment < until)
        }

    def ever(self, person: str) -> set[str]:
        return {cop for cop, _since, _until in self.spans[person]}

    def is_cross(self, tie: Interaction) -> bool:
        return not (self.at(tie.source_id, tie.at) & self.at(tie.target_id, tie.at))


def ties(world: DemoWorld) -> list[Interaction]:
    return [i for i in world.interactions if i.kind in TIE_KINDS]


# --- size, determinism, validity ------------------------------------------------------------


def test_default_world_is_human_sized(world: DemoWorld) -> None:
    counts = world.counts()
    assert list(counts) == list(ENTITIES)
    assert 300 <= counts["people"] <= 800
    assert 8 <= counts["interactions"] / counts["people"] <= 14
    assert counts["activities"] >= 8 and counts["participations"] > counts["activities"]


def test_same_seed_same_world_other_seed_other_world() -> None:
    first, again = generate(120, 3, seed=3), generate(120, 3, seed=3)
    assert first == again
    other = generate(120, 3, seed=4)
    assert other.interactions != first.interactions and other.people != first.people
    assert other.ground_truth != first.ground_truth


def test_every_reference_resolves(world: DemoWorld) -> None:
    people = {p.id for p in world.people}
    communities = {c.id for c in world.communities}
    activities = {a.id for a in world.activities}
    assert len(people) == len(world.people) and len(communities) == len(world.communities)
    assert len({i.id for i in world.interactions}) == len(world.interactions)
    assert all(c.parent_id in communities for c in world.communities if c.parent_id)
    assert all(m.person_id in people and m.community_id in communities for m in world.memberships)
    for i in world.interactions:
        assert i.source_id in people and i.target_id in people and i.source_id != i.target_id
        assert i.community_id is None or i.community_id in communities
    assert all(a.community_id is None or a.community_id in communities for a in world.activities)
    assert all(p.activity_id in activities and p.person_id in people for p in world.participations)
    assert len({p.key for p in world.participations}) == len(world.participations)
    assert len({m.key for m in world.memberships}) == len(world.memberships)


def test_kinds_of_interactions_and_communities(world: DemoWorld) -> None:
    assert {i.kind for i in world.interactions} == set(InteractionKind)
    kinds = Counter(c.kind for c in world.communities)
    assert kinds[CommunityKind.COP] == 8
    assert kinds[CommunityKind.ORGANISATION] == 3 and kinds[CommunityKind.REGION] == 2
    assert kinds[CommunityKind.SECTOR] >= 1
    for cop in (c for c in world.communities if c.kind is CommunityKind.COP):
        assert cop.name and cop.description and cop.objectives
    assert {i.source_system for i in world.interactions} >= {"forum", "chat", "crm"}
    assert len({i.topic for i in world.interactions if i.topic}) >= 20


def test_everyone_has_one_organisation_one_region_and_one_to_three_cops(
    world: DemoWorld,
) -> None:
    kind_of = {c.id: c.kind for c in world.communities}
    per_person: dict[str, Counter[CommunityKind]] = defaultdict(Counter)
    for m in world.memberships:
        per_person[m.person_id][kind_of[m.community_id]] += 1
    for person in world.people:
        held = per_person[person.id]
        assert held[CommunityKind.ORGANISATION] == 1 and held[CommunityKind.REGION] == 1
        assert 1 <= held[CommunityKind.COP] <= 3
    assert any(m.until is not None for m in world.memberships)
    assert all(m.since is not None for m in world.memberships)


def test_interactions_fall_in_the_window_and_in_both_peoples_membership(
    world: DemoWorld,
) -> None:
    start = datetime.fromisoformat(world.ground_truth["start"])
    end = datetime.fromisoformat(world.ground_truth["end"])
    membership = CopMembership(world)
    for i in world.interactions:
        assert start <= i.at < end
        assert membership.at(i.source_id, i.at) and membership.at(i.target_id, i.at)
    weekdays = Counter(i.at.weekday() for i in world.interactions)
    assert weekdays[5] + weekdays[6] < 0.1 * len(world.interactions)


def test_activity_is_heavy_tailed(world: DemoWorld) -> None:
    degree = Counter()
    for i in world.interactions:
        degree[i.source_id] += 1
        degree[i.target_id] += 1
    values = sorted(degree.values())
    median = values[len(values) // 2]
    assert values[-1] >= 5 * median


def test_roles_names_emails_and_consent(world: DemoWorld) -> None:
    cops = [c.id for c in world.communities if c.kind is CommunityKind.COP]
    roles = Counter((m.community_id, m.role) for m in world.memberships)
    assert all(roles[(cop, MembershipRole.MODERATOR)] == 1 for cop in cops)
    every_role = {m.role for m in world.memberships}
    assert every_role == set(MembershipRole)
    by_id = {p.id: p for p in world.people}
    mentors = {m.person_id for m in world.memberships if m.role is MembershipRole.MENTOR}
    assert mentors and all(by_id[m].mentor_capacity > 0 and by_id[m].expertise for m in mentors)
    assert any(not p.name.isascii() for p in world.people)
    domains = {"northwind-health.example", "riverside.example", "brightwater.example"}
    assert all(
        p.email and p.email.isascii() and p.email.split("@")[1] in domains for p in world.people
    )
    assert len({p.email for p in world.people}) == len(world.people)
    assert all(p.topics and p.location and p.joined_at and p.organisation for p in world.people)
    refused = sum(not p.consent for p in world.people) / len(world.people)
    assert 0.01 <= refused <= 0.12


# --- planted structure -------------------------------------------------------------------------


def test_brokers_carry_most_cross_cop_ties_and_span_three_cops(world: DemoWorld) -> None:
    brokers = set(world.ground_truth["brokers"])
    assert 3 <= len(brokers) <= 5
    membership = CopMembership(world)
    cross = [t for t in ties(world) if membership.is_cross(t)]
    touching = [t for t in cross if {t.source_id, t.target_id} & brokers]
    assert len(touching) / len(cross) >= 0.5
    dyads = {frozenset((t.source_id, t.target_id)) for t in cross}
    assert sum(1 for d in dyads if d & brokers) / len(dyads) >= 0.4
    graph = nx.Graph((t.source_id, t.target_id) for t in ties(world))
    for broker in brokers:
        spanned = set().union(*(membership.ever(n) for n in graph[broker]))
        assert len(spanned) >= 3
    cross_degree = Counter(p for t in cross for p in (t.source_id, t.target_id))
    top = {person for person, _count in cross_degree.most_common(len(brokers))}
    assert top == brokers


def e_i_index(graph: nx.Graph, members: set[str]) -> float:
    """(E−I)/(E+I) over the ties of ``members`` (METRICS.md S1, group level, binary)."""
    internal = external = 0
    for u, v in graph.edges:
        inside = (u in members) + (v in members)
        internal += inside == 2
        external += inside == 1
    return (external - internal) / (external + internal)


def test_silo_is_the_most_inward_looking_cop(world: DemoWorld) -> None:
    silo = world.ground_truth["silo_community"]
    membership = CopMembership(world)
    members: dict[str, set[str]] = defaultdict(set)
    for person in membership.spans:
        for cop in membership.ever(person):
            members[cop].add(person)
    assert all(membership.ever(p) == {silo} for p in members[silo])
    graph = nx.Graph((t.source_id, t.target_id) for t in ties(world))
    scores = {cop: e_i_index(graph, people) for cop, people in members.items()}
    assert scores[silo] <= -0.8
    assert all(scores[silo] < score for cop, score in scores.items() if cop != silo)


def test_cross_cop_ties_among_workshop_participants_rise_after_it(world: DemoWorld) -> None:
    truth = world.ground_truth["workshop"]
    activity = next(a for a in world.activities if a.id == truth["activity_id"])
    assert activity.start == datetime.fromisoformat(truth["date"])
    attended = {p.person_id for p in world.participations if p.activity_id == activity.id}
    assert attended == set(truth["participants"])
    membership = CopMembership(world)
    assert len(set().union(*(membership.ever(p) for p in attended))) >= 3
    start = datetime.fromisoformat(world.ground_truth["start"])
    end = datetime.fromisoformat(world.ground_truth["end"])
    among = [
        t for t in ties(world) if {t.source_id, t.target_id} <= attended and membership.is_cross(t)
    ]
    before = sum(t.at < activity.start for t in among)
    after = len(among) - before
    rate_before = before / ((activity.start - start) / timedelta(days=30))
    rate_after = after / ((end - activity.start) / timedelta(days=30))
    assert rate_after > 0 and rate_after >= 3 * rate_before


def test_mentoring_programme_pairs_meet_after_start_within_capacity(world: DemoWorld) -> None:
    truth = world.ground_truth["mentoring_programme"]
    start = datetime.fromisoformat(truth["start"])
    pairs = {tuple(pair) for pair in truth["pairs"]}
    assert len(pairs) >= 5
    mentoring = [i for i in world.interactions if i.kind is InteractionKind.MENTORING]
    met = {(i.source_id, i.target_id) for i in mentoring}
    assert met == pairs
    assert all(i.at >= start and i.directed for i in mentoring)
    by_id = {p.id: p for p in world.people}
    mentees = Counter(mentor for mentor, _mentee in met)
    assert all(count <= by_id[mentor].mentor_capacity for mentor, count in mentees.items())
    role = {(m.person_id, m.community_id): m.role for m in world.memberships}
    for (mentor, mentee), cop in zip(truth["pairs"], truth["pair_communities"], strict=True):
        assert role[(mentor, cop)] is MembershipRole.MENTOR
        assert role[(mentee, cop)] is MembershipRole.MENTEE


# --- ground truth file, arguments, scaling ------------------------------------------------------


def test_ground_truth_json_round_trips(world: DemoWorld, tmp_path: Path) -> None:
    path = tmp_path / "ground_truth.json"
    write_ground_truth(world, path)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == world.ground_truth
    assert (
        text == json.dumps(world.ground_truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    truth = world.ground_truth
    assert (truth["seed"], truth["people"], truth["months"], truth["boundary_kind"]) == (
        7,
        500,
        12,
        "cop",
    )


def test_custom_start_and_months() -> None:
    start = datetime(2024, 3, 15, 8, 30, tzinfo=UTC)
    world = generate(120, 2, seed=11, start=start)
    end = datetime(2024, 5, 15, 8, 30, tzinfo=UTC)
    assert world.interactions and all(start <= i.at < end for i in world.interactions)
    assert world.ground_truth["end"] == end.isoformat()
    per_person_year = len(world.interactions) / 120 * 12 / 2
    assert 8 <= per_person_year <= 16


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"people": 10}, "people"),
        ({"months": 0}, "months"),
        ({"start": datetime(2025, 1, 1)}, "start"),
    ],
)
def test_rejects_bad_arguments(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        generate(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_cop_count_scales_with_people_and_ids_stay_unique() -> None:
    assert cop_count_for(500) == 8 and cop_count_for(100_000) == 50
    profiles = cop_profiles(300)
    assert len({p.id for p in profiles}) == 300 and len({p.name for p in profiles}) == 300
