"""The person page's document: memberships, metrics, plain-language explanations, top ties.

Explanations turn the window's metrics into sentences a moderator can act on, e.g.
"Connects Soil Health and Water Management: 3 of the 5 ties between them go through them."
(the person's cross ties into a community, over the distinct ties between the two
communities, ``TieMatrix.dyads``; docs/metrics.md X1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analytics.report import Report, person_metrics
from graphsvc.errors import NotFound
from graphsvc.model import Person
from web.state import WebState, WindowAnalysis, WindowKey

#: Guimerà & Amaral (2005) roles of the participation coefficient (METRICS.md B5)
ROLE_MEANINGS = {
    "R1": "ultra-peripheral: nearly all ties inside their own community",
    "R2": "peripheral: most ties inside their own community",
    "R3": "connector: many ties to other communities",
    "R4": "kinless: ties spread evenly over communities",
    "R5": "community hub: highly connected, mostly inside their community",
    "R6": "connector hub: highly connected, with many ties to other communities",
    "R7": "kinless hub: highly connected, ties spread evenly over communities",
}
SPANNER_MEANINGS = {
    "active": "active boundary spanner: belongs to several communities and has ties across them",
    "dormant": "dormant spanner: belongs to several communities but has no ties outside them",
    "hidden": "hidden spanner: belongs to one community yet reaches several others",
}
TOP_TIES = 10


def person_document(state: WebState, key: WindowKey, person_id: str) -> dict[str, Any]:
    """The ``/api/v1/people/<id>`` document; private and unknown people are not found."""
    person = state.store.get_person(person_id)
    if person is None or not person.consent:
        raise NotFound("person", person_id)
    names = {community.id: community for community in state.store.list_communities()}
    memberships = [
        {
            "community_id": m.community_id,
            "community": names[m.community_id].name if m.community_id in names else None,
            "kind": names[m.community_id].kind.value if m.community_id in names else None,
            "role": m.role.value,
            "since": m.since.isoformat() if m.since else None,
            "until": m.until.isoformat() if m.until else None,
        }
        for m in state.store.memberships_of(person_id)
    ]
    window, report = state.analyses.report(key)
    document: dict[str, Any] = {
        "person": _person_fields(person),
        "memberships": memberships,
        "metrics": None,
        "explanations": [],
        "ties": [],
    }
    try:
        vertex = window.main.vertex(person_id)
    except NotFound:
        document["explanations"] = ["No interactions in this window."]
        return document
    document["metrics"] = person_metrics(report, vertex)
    document["explanations"] = explanations(report, window, vertex)
    document["ties"] = top_ties(window, vertex)
    return document


def _person_fields(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "organisation": person.organisation,
        "location": person.location,
        "topics": list(person.topics),
        "expertise": list(person.expertise),
    }


def explanations(report: Report, window: WindowAnalysis, vertex: int) -> list[str]:
    """Sentences on the person's bridging, brokerage rank, role and spanner kind."""
    sentences = bridging_sentences(report, window, vertex)
    cross = report.metrics.cross_betweenness.scores
    if np.isfinite(cross[vertex]) and cross[vertex] > 0:
        below = float(np.mean(cross < cross[vertex]))
        sentences.append(
            f"Lies on more shortest paths between communities than {below:.0%} of people"
            " (cross-community betweenness)."
        )
    role = str(report.metrics.participation.role[vertex])
    if role in ROLE_MEANINGS:
        sentences.append(f"Role {role}, {ROLE_MEANINGS[role]}.")
    spanner = str(report.metrics.spanners.spanner[vertex])
    if spanner in SPANNER_MEANINGS:
        sentences.append(SPANNER_MEANINGS[spanner].capitalize() + ".")
    return sentences


def bridging_sentences(
    report: Report, window: WindowAnalysis, vertex: int, limit: int = 3
) -> list[str]:
    """ "Connects A and B: k of the n ties between them go through them" for the pairs of
    (own community A, other community B) the person's cross ties reach most."""
    main, ties = window.main, report.metrics.ties
    labels, graph = main.labels, main.graph
    own = labels.sets[vertex]
    reached: dict[tuple[int, int], int] = {}
    for neighbour in graph.neighbors(vertex):
        theirs = labels.sets[neighbour]
        if own & theirs:
            continue
        for a in own:
            for b in theirs:
                reached[(a, b)] = reached.get((a, b), 0) + 1
    ranked = sorted(reached.items(), key=lambda item: (-item[1], item[0]))[:limit]
    name = window.community_names
    sentences = []
    for (a, b), through in ranked:
        total = int(ties.dyads[a, b])
        first, second = labels.groups[a], labels.groups[b]
        sentences.append(
            f"Connects {name.get(first, first)} and {name.get(second, second)}:"
            f" {through} of the {total} ties between them go through this person."
        )
    return sentences


def top_ties(window: WindowAnalysis, vertex: int, limit: int = TOP_TIES) -> list[dict[str, Any]]:
    """The strongest ties (by weight, then count), private neighbours unnamed."""
    main = window.main
    graph, labels = main.graph, main.labels
    edges = graph.incident(vertex, mode="all")
    rows: list[dict[str, Any]] = []
    for edge in edges:
        other = graph.es[edge].target if graph.es[edge].source == vertex else graph.es[edge].source
        other_id = main.person_ids[other]
        named = window.consent.get(other_id, True)
        rows.append(
            {
                "id": other_id if named else None,
                "name": window.names.get(other_id) if named else "(private)",
                "weight": float(graph.es[edge]["weight"]),
                "count": int(graph.es[edge]["count"]),
                "cross": not (labels.sets[vertex] & labels.sets[other]),
            }
        )
    rows.sort(key=lambda row: (-row["weight"], -row["count"], row["name"] or ""))
    return rows[:limit]
