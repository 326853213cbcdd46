"""One community's page document: who it is for, who is in it, and how it sits in the network.

* ``community``: name, kind, description, objectives, parent and sub-communities;
* ``focus_areas``: the topics its current named members list most often (topics and
  declared expertise, each person counted once per topic) — the data model has no
  separate focus-area field, so the community's focus is what its members work on;
* ``roles``: current members per role (private people included in the counts only);
* ``members``: one page of the current named members with their roles, since when, and
  their degree and spanner kind in the window — moderators first, then champions,
  experts, mentors, mentees and members, busiest first within a role;
* ``metrics``: the community's dashboard row (:func:`web.communities_view.community_row`)
  computed with the community's own kind as the boundary.

"Current" means a membership active at the window's end (now when the window is open);
people with consent = no are never listed or counted in focus areas (METRICS.md, privacy).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from analytics.report import Report
from graphsvc.errors import NotFound
from graphsvc.model import Community, Membership, MembershipRole, Person
from web.communities_view import community_row, fragile_pairs, top_spanners
from web.state import WebState, WindowAnalysis, WindowKey

#: the order roles are listed in (leaders first)
ROLE_ORDER = (
    MembershipRole.MODERATOR,
    MembershipRole.CHAMPION,
    MembershipRole.EXPERT,
    MembershipRole.MENTOR,
    MembershipRole.MENTEE,
    MembershipRole.MEMBER,
)
TOP_FOCUS_AREAS = 10


def community_document(
    state: WebState, key: WindowKey, community_id: str, page: tuple[int, int]
) -> dict[str, Any]:
    """The ``/api/v1/communities/<id>`` document (without ``ok``); unknown ids are not found."""
    communities = {community.id: community for community in state.store.list_communities()}
    community = communities.get(community_id)
    if community is None:
        raise NotFound("community", community_id)
    key = replace(key, boundary=community.kind)
    window, report = state.analyses.report(key)
    moment = key.end or datetime.now(UTC)
    current = [m for m in state.store.members_of(community_id) if m.active_at(moment)]
    people = state.store.get_people({m.person_id for m in current})
    named = {pid: person for pid, person in people.items() if person.consent}
    return {
        "boundary": key.boundary.value,
        "community": describe(community, communities),
        "focus_areas": focus_areas(named.values()),
        "roles": role_counts(current),
        "former_members": len({m.person_id for m in state.store.members_of(community_id)})
        - len({m.person_id for m in current}),
        "private_members": len({m.person_id for m in current} - named.keys()),
        "members": member_page([m for m in current if m.person_id in named], named, window, page),
        "metrics": metrics_row(window, report, community_id),
    }


def describe(community: Community, communities: dict[str, Community]) -> dict[str, Any]:
    """The community's own fields, its parent and its sub-communities (id and name)."""
    parent = communities.get(community.parent_id) if community.parent_id else None
    children = sorted(
        (c for c in communities.values() if c.parent_id == community.id), key=lambda c: c.name
    )
    return {
        "id": community.id,
        "name": community.name,
        "kind": community.kind.value,
        "description": community.description,
        "objectives": community.objectives,
        "parent": None if parent is None else {"id": parent.id, "name": parent.name},
        "children": [{"id": c.id, "name": c.name, "kind": c.kind.value} for c in children],
    }


def focus_areas(people: Any, limit: int = TOP_FOCUS_AREAS) -> list[dict[str, Any]]:
    """The topics most named people list (topics ∪ expertise, once per person), by count
    then topic; case-folded so "Soil" and "soil" are one topic."""
    counts: Counter[str] = Counter()
    for person in people:
        counts.update({topic.casefold() for topic in (*person.topics, *person.expertise)})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [{"topic": topic, "members": count} for topic, count in ranked]


def role_counts(current: list[Membership]) -> dict[str, int]:
    """Distinct current people per role, every role listed (0 when none)."""
    holders: dict[MembershipRole, set[str]] = {role: set() for role in ROLE_ORDER}
    for membership in current:
        holders[membership.role].add(membership.person_id)
    return {role.value: len(holders[role]) for role in ROLE_ORDER}


def member_page(
    current: list[Membership],
    people: dict[str, Person],
    window: WindowAnalysis,
    page: tuple[int, int],
) -> dict[str, Any]:
    """One page of the current named members, leaders first (see the module)."""
    roles: dict[str, list[Membership]] = {}
    for membership in current:
        roles.setdefault(membership.person_id, []).append(membership)
    rows = [_member_row(people[pid], held, window) for pid, held in roles.items()]
    rows.sort(key=lambda row: (row["rank"], -row["degree"], row["name"].casefold(), row["id"]))
    number, per_page = page
    items = rows[(number - 1) * per_page : number * per_page]
    for row in items:
        del row["rank"]
    return {"items": items, "page": number, "per_page": per_page, "total": len(rows)}


def _member_row(person: Person, held: list[Membership], window: WindowAnalysis) -> dict[str, Any]:
    ordered = sorted(held, key=lambda m: ROLE_ORDER.index(m.role))
    starts = [m.since for m in held if m.since is not None]
    degree, spanner = 0, None
    try:
        vertex = window.main.vertex(person.id)
        degree = int(window.main.graph.degree(vertex))
    except NotFound:
        vertex = None
    if vertex is not None and window.report is not None:
        spanner = str(window.report.metrics.spanners.spanner[vertex]) or None
    return {
        "id": person.id,
        "name": person.name,
        "organisation": person.organisation,
        "roles": [m.role.value for m in ordered],
        "since": min(starts).isoformat() if len(starts) == len(held) else None,
        "degree": degree,
        "spanner": spanner,
        "rank": ROLE_ORDER.index(ordered[0].role),
    }


def metrics_row(window: WindowAnalysis, report: Report, community_id: str) -> dict[str, Any] | None:
    """The dashboard row of the community, None when it has no one in the window's graph."""
    groups = report.metrics.silos.groups
    if community_id not in groups:
        return None
    g = list(groups).index(community_id)
    spanners = top_spanners(report, window)[g]
    names = window.community_names
    fragile = [
        {**pair, "name": names.get(pair["with"], pair["with"])}
        for pair in fragile_pairs(report).get(community_id, [])
    ]
    return community_row(window, report, g, spanners, fragile)
