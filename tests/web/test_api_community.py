"""The community document and the analytics endpoints, checked against the demo world's
own records (recounted here) and its planted truth."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient

from graphsvc.demo import DemoWorld
from graphsvc.model import Community, CommunityKind

Client = Callable[[str | None], FlaskClient]
LEADERS_FIRST = ("moderator", "champion", "expert", "mentor", "mentee", "member")


def current_members(world: DemoWorld, community_id: str) -> dict[str, set[str]]:
    """Person id → roles held now in ``community_id`` (recounted from the records)."""
    now = datetime.now(UTC)
    held: dict[str, set[str]] = {}
    for m in world.memberships:
        if m.community_id == community_id and m.active_at(now):
            held.setdefault(m.person_id, set()).add(m.role.value)
    return held


def first_cop(world: DemoWorld) -> Community:
    return next(c for c in world.communities if c.kind is CommunityKind.COP)


def test_community_document_lists_its_current_members_with_roles(
    client_as: Client, demo_world: DemoWorld
) -> None:
    silo = demo_world.ground_truth["silo_community"]
    community = next(c for c in demo_world.communities if c.id == silo)
    people = {p.id: p for p in demo_world.people}
    held = current_members(demo_world, silo)
    named = {pid: roles for pid, roles in held.items() if people[pid].consent}
    doc = client_as("viewer").get(f"/api/v1/communities/{silo}?per_page=200").get_json()
    assert doc["ok"] and doc["boundary"] == community.kind.value
    about = doc["community"]
    assert (about["name"], about["description"], about["objectives"]) == (
        community.name, community.description, community.objectives,
    )  # fmt: skip
    members = doc["members"]
    assert members["total"] == len(named) and len(members["items"]) == len(named)
    assert {row["id"]: set(row["roles"]) for row in members["items"]} == named
    assert doc["private_members"] == len(held) - len(named)
    expected_roles = Counter(role for roles in held.values() for role in roles)
    assert doc["roles"] == {role: expected_roles.get(role, 0) for role in LEADERS_FIRST}
    ranks = [min(LEADERS_FIRST.index(r) for r in row["roles"]) for row in members["items"]]
    assert ranks == sorted(ranks), "leaders come first"
    assert doc["metrics"]["silo"] is True and doc["metrics"]["id"] == silo


def test_focus_areas_are_the_topics_its_named_members_list(
    client_as: Client, demo_world: DemoWorld
) -> None:
    community = first_cop(demo_world)
    people = {p.id: p for p in demo_world.people}
    held = current_members(demo_world, community.id)
    named = [people[pid] for pid in held if people[pid].consent]
    counts = Counter(
        topic for p in named for topic in {t.casefold() for t in (*p.topics, *p.expertise)}
    )
    doc = client_as("viewer").get(f"/api/v1/communities/{community.id}").get_json()
    focus = doc["focus_areas"]
    assert focus, "demo members list topics"
    for row in focus:
        assert row["members"] == counts[row["topic"]]
    assert [row["members"] for row in focus] == sorted((r["members"] for r in focus), reverse=True)
    assert focus[0]["members"] == max(counts.values())


def test_member_pages_partition_the_members(client_as: Client, demo_world: DemoWorld) -> None:
    community = first_cop(demo_world).id
    client = client_as("viewer")
    whole = client.get(f"/api/v1/communities/{community}?per_page=200").get_json()["members"]
    paged = [
        row["id"]
        for number in (1, 2, 3, 4, 5, 6, 7, 8)
        for row in client.get(
            f"/api/v1/communities/{community}?per_page=10&page={number}"
        ).get_json()["members"]["items"]
    ]
    assert paged == [row["id"] for row in whole["items"]][: len(paged)]
    assert len(paged) == min(80, whole["total"])


def test_unknown_community_and_bad_page_are_errors(client_as: Client) -> None:
    client = client_as("viewer")
    missing = client.get("/api/v1/communities/no-such-community")
    assert missing.status_code == 404 and "no-such-community" in missing.get_json()["error"]
    bad = client.get("/api/v1/communities/cop-open-source?per_page=0")
    assert bad.status_code == 400 and "per_page" in bad.get_json()["error"]


def test_brokers_rank_the_planted_brokers_first(client_as: Client, demo_world: DemoWorld) -> None:
    truth = demo_world.ground_truth
    consent = {p.id: p.consent for p in demo_world.people}
    doc = client_as("viewer").get("/api/v1/analytics/brokers?per_page=10").get_json()
    items = doc["items"]
    scores = [row["cross_betweenness"] for row in items]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    ranks = [row["rank"] for row in items]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert all(consent[row["id"]] for row in items)
    planted = {b for b in truth["brokers"] if consent[b]}
    assert planted <= {row["id"] for row in items}
    graph = client_as("viewer").get("/api/v1/graph?highlight=brokers").get_json()
    named_top = [row["id"] for row in items if row["rank"] <= len(graph["brokers"])]
    assert set(named_top) <= set(graph["brokers"])


def test_silos_and_ties_agree_with_the_dashboard(client_as: Client, demo_world: DemoWorld) -> None:
    client = client_as("viewer")
    dashboard = client.get("/api/v1/communities").get_json()
    silos = client.get("/api/v1/analytics/silos").get_json()
    assert [row["id"] for row in silos["items"]] == [demo_world.ground_truth["silo_community"]]
    assert silos["items"] == [row for row in dashboard["items"] if row["silo"]]
    ties = client.get("/api/v1/analytics/ties").get_json()
    matrix = dashboard["matrix"]
    index = {group: i for i, group in enumerate(matrix["ids"])}
    assert ties["matrix"] == matrix
    assert ties["pairs"], "the demo CoPs are connected"
    for row in ties["pairs"]:
        assert row["count"] == matrix["ties"][index[row["a"]]][index[row["b"]]] > 0
        assert row["carriers"] >= 1
    fragile = {
        frozenset((row["id"], pair["with"]))
        for row in dashboard["items"]
        for pair in row["fragile_pairs"]
    }
    assert fragile == {frozenset((r["a"], r["b"])) for r in ties["pairs"] if r["carriers"] == 1}
