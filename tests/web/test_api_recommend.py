"""The moderators' API on the demo world: suggestions, scopes, privacy, verdicts, matching."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from graphsvc.demo import DemoWorld

Client = Callable[[str | None], FlaskClient]


def token_client(
    app: Flask, role: str = "moderator", communities: list[str] | None = None
) -> Callable[..., object]:
    """Request helpers acting with a fresh API token of a (possibly scoped) user."""
    accounts = app.extensions["graphsvc.accounts"]
    name = f"mo-{len(accounts.users())}"
    accounts.add_user(name, "a-long-password", role)
    if communities is not None:
        accounts.set_communities(name, communities)
    _token, secret = accounts.add_token(f"{name}-token", role, user=name)
    headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()

    def call(method: str, url: str, **kwargs: Any) -> Any:
        return client.open(url, method=method, headers=headers, **kwargs)

    return call


def members_now(world: DemoWorld, community: str) -> set[str]:
    now = datetime.now(UTC)
    return {
        m.person_id for m in world.memberships if m.community_id == community and m.active_at(now)
    }


def test_suggestions_never_name_private_or_already_tied_people(
    client_as: Client, demo_world: DemoWorld
) -> None:
    client = client_as("moderator")
    consent = {p.id: p.consent for p in demo_world.people}
    tied = {frozenset((i.source_id, i.target_id)) for i in demo_world.interactions
            if i.kind.value != "co_attendance"}  # fmt: skip
    for person in [p.id for p in demo_world.people if p.consent][:6]:
        doc = client.get(f"/api/v1/recommendations/collaborators?person={person}&k=10").get_json()
        assert doc["ok"], doc
        for row in doc["items"]:
            assert consent[row["id"]] and frozenset((person, row["id"])) not in tied
            assert row["reasons"]
        mentors = client.get(f"/api/v1/recommendations/mentors?person={person}").get_json()
        assert all(
            consent[row["id"]] and row["facts"]["free_slots"] > 0 for row in mentors["items"]
        )
    private = next(p.id for p in demo_world.people if not p.consent)
    response = client.get(f"/api/v1/recommendations/collaborators?person={private}")
    assert response.status_code == 404


def test_a_silo_member_is_offered_people_outside_the_silo(
    client_as: Client, demo_world: DemoWorld
) -> None:
    silo = demo_world.ground_truth["silo_community"]
    inside = members_now(demo_world, silo)
    consent = {p.id: p.consent for p in demo_world.people}
    member = sorted(p for p in inside if consent[p])[0]
    doc = (
        client_as("moderator")
        .get(f"/api/v1/recommendations/collaborators?person={member}&k=10&strength=1")
        .get_json()
    )
    assert any(row["id"] not in inside for row in doc["items"]), doc["items"]


def test_a_scoped_moderator_acts_only_for_their_communities(
    app: Flask, demo_world: DemoWorld
) -> None:
    silo = demo_world.ground_truth["silo_community"]
    other = next(c.id for c in demo_world.communities if c.kind.value == "cop" and c.id != silo)
    call = token_client(app, communities=[silo])
    consent = {p.id: p.consent for p in demo_world.people}
    outsider = sorted(p for p in members_now(demo_world, other) - members_now(demo_world, silo)
                      if consent[p])[0]  # fmt: skip
    insider = sorted(p for p in members_now(demo_world, silo) if consent[p])[0]
    assert call("GET", f"/api/v1/recommendations/mentors?person={insider}").status_code == 200
    refused = call("GET", f"/api/v1/recommendations/mentors?person={outsider}")
    assert refused.status_code == 403 and "none of your communities" in refused.get_json()["error"]
    assert call("GET", f"/api/v1/communities/{silo}/moderation").status_code == 200
    assert call("GET", f"/api/v1/communities/{other}/matching").status_code == 403


def test_verdicts_rest_declined_pairs_and_follow_introductions(
    app: Flask, demo_world: DemoWorld
) -> None:
    call = token_client(app)
    cop = next(c.id for c in demo_world.communities if c.kind.value == "cop")
    person = sorted(p for p in members_now(demo_world, cop)
                    if next(x for x in demo_world.people if x.id == p).consent)[0]  # fmt: skip
    url = f"/api/v1/recommendations/collaborators?person={person}&k=5"
    first, second = [row["id"] for row in call("GET", url).get_json()["items"][:2]]
    missing = call("POST", "/api/v1/feedback", json={"person": person, "suggested": first,
                                                       "verdict": "declined"})  # fmt: skip
    assert missing.status_code == 400 and "reason" in missing.get_json()["error"]
    body = {"person": person, "suggested": first, "verdict": "declined", "reason": "not_relevant",
            "community": cop}  # fmt: skip
    assert call("POST", "/api/v1/feedback", json=body).status_code == 201
    accepted = {**body, "suggested": second, "verdict": "accepted", "reason": None}
    made = call("POST", "/api/v1/feedback", json=accepted)
    assert made.status_code == 201 and made.get_json()["feedback"]["moderator"].startswith("mo-")
    after = [row["id"] for row in call("GET", url).get_json()["items"]]
    assert first not in after and second not in after
    doc = call("GET", f"/api/v1/communities/{cop}/moderation").get_json()
    (intro,) = doc["introductions"]
    assert (intro["suggested"], intro["status"]) == (second, "pending")
    assert [v["verdict"] for v in doc["verdicts"]] == ["accepted", "declined"]
    assert doc["conversion"]["all"][0]["pending"] == 1


def test_matching_fills_no_mentor_beyond_capacity(client_as: Client, demo_world: DemoWorld) -> None:
    capacity = {p.id: p.mentor_capacity for p in demo_world.people}
    client = client_as("admin")
    for community in [c.id for c in demo_world.communities if c.kind.value == "cop"][:3]:
        doc = client.get(f"/api/v1/communities/{community}/matching?all_members=true&balance=0.1")
        body = doc.get_json()
        load: dict[str, int] = {}
        for pair in body["pairs"]:
            load[pair["mentor"]] = load.get(pair["mentor"], 0) + 1
        assert all(count <= capacity[m] for m, count in load.items())
        assert len(body["pairs"]) + len(body["unmatched"]) == body["mentees"]
    bad = client.get("/api/v1/communities/cop-open-source/matching?balance=-1")
    assert bad.status_code == 400 and "balance" in bad.get_json()["error"]
