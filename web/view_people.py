"""Nodes and edges of the people and ego views: a set of people and the ties among them.

Built from whole columns (numpy arrays turned into lists once, then one list
comprehension per output list), never by reading igraph attributes vertex by vertex:
5,000 people and 50,000 ties take tens of milliseconds beside the layout.

Privacy: a person is named only when ``consent`` says True for them. Everyone else is
shown as ``"(private)"`` under a pseudonym ``private-1``, ``private-2`` … numbered in
vertex order within the document (so it changes between documents and reveals nothing);
their id and name appear nowhere in it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analytics.groups import GroupLabels
from web.view_metrics import TieArrays, WindowFacts, plain_floats, scaled_sizes

PRIVATE_LABEL = "(private)"
#: positions of ``n`` people: (n, source, target, groups) → (n, 2)
Positions = Callable[[int, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PeopleParts:
    """The people-level parts of a graph document."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    brokers: list[str]
    bridges: list[list[str]]


def people_parts(
    person_ids: Sequence[str],
    labels: GroupLabels,
    ties: TieArrays,
    facts: WindowFacts,
    vertices: np.ndarray,
    positions: Positions,
    *,
    names: Mapping[str, str],
    consent: Mapping[str, bool],
    ego: int | None = None,
) -> PeopleParts:
    """Nodes for ``vertices`` (sorted projection vertex indexes) and edges for the ties
    among them, laid out by ``positions`` (groups: each person's primary community).
    ``ego``: the vertex of the ego view's centre (``"ego": true`` on its node)."""
    n = len(person_ids)
    inside = np.zeros(n, dtype=bool)
    inside[vertices] = True
    kept = np.flatnonzero(inside[ties.source] & inside[ties.target])
    local = np.full(n, -1, dtype=np.int64)
    local[vertices] = np.arange(len(vertices))
    source, target = local[ties.source[kept]], local[ties.target[kept]]
    xy = np.round(positions(len(vertices), source, target, labels.primary[vertices]), 1)
    pids = [person_ids[v] for v in vertices.tolist()]
    named = [consent.get(pid) is True for pid in pids]
    shown = display_ids(pids, named)
    nodes = _nodes(pids, named, shown, labels, facts, vertices, xy, names, ego)
    edges, bridges = _edges(shown, ties, facts, kept, source, target, labels, n)
    brokers = [shown[i] for i in np.flatnonzero(facts.broker[vertices]).tolist()]
    return PeopleParts(nodes, edges, brokers, bridges)


def display_ids(person_ids: Sequence[str], named: Sequence[bool]) -> list[str]:
    """The ids shown: a named person's own id, ``private-k`` for the k-th private one
    (the prefix grows while it could be mistaken for a named person's id).

    Examples
    --------
    >>> display_ids(["ann", "bob", "cy"], [True, False, False])
    ['ann', 'private-1', 'private-2']
    """
    prefix = "private-"
    own = [pid for pid, ok in zip(person_ids, named, strict=True) if ok]
    while any(pid.startswith(prefix) for pid in own):
        prefix += "-"
    counter = iter(range(1, len(person_ids) + 1))
    return [
        pid if ok else f"{prefix}{next(counter)}" for pid, ok in zip(person_ids, named, strict=True)
    ]


def _nodes(
    pids: list[str],
    named: list[bool],
    shown: list[str],
    labels: GroupLabels,
    facts: WindowFacts,
    vertices: np.ndarray,
    xy: np.ndarray,
    names: Mapping[str, str],
    ego: int | None,
) -> list[dict[str, Any]]:
    groups = labels.groups
    primary = [groups[g] if g >= 0 else None for g in labels.primary[vertices].tolist()]
    member_of = _group_lists(labels, vertices)
    text = [
        names.get(pid) or pid if ok else PRIVATE_LABEL for pid, ok in zip(pids, named, strict=True)
    ]
    sizes = np.round(scaled_sizes(facts.value[vertices]), 2).tolist()
    values = plain_floats(facts.value[vertices])
    broker = facts.broker[vertices].tolist()
    is_ego = (vertices == ego).tolist() if ego is not None else [False] * len(pids)
    x, y = xy[:, 0].tolist(), xy[:, 1].tolist()
    return [
        {
            "id": shown[i],
            "label": text[i],
            "group": primary[i],
            "groups": member_of[i],
            "x": x[i],
            "y": y[i],
            "size": sizes[i],
            "value": values[i],
            "broker": broker[i],
            "named": named[i],
            "ego": is_ego[i],
        }
        for i in range(len(pids))
    ]


def _group_lists(labels: GroupLabels, vertices: np.ndarray) -> list[list[str]]:
    """Each vertex's group ids, sorted (one list built per distinct label set)."""
    built: dict[frozenset[int], list[str]] = {}
    out = []
    for v in vertices.tolist():
        own = labels.sets[v]
        found = built.get(own)
        if found is None:
            found = built[own] = sorted(labels.groups[g] for g in own)
        out.append(list(found))
    return out


def _edges(
    shown: list[str],
    ties: TieArrays,
    facts: WindowFacts,
    kept: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    labels: GroupLabels,
    n: int,
) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Edge dictionaries (``from``/``to`` in display-id order) and the bridge pairs."""
    ids = np.array(shown, dtype=str) if shown else np.zeros(0, dtype=str)
    a, b = ids[source], ids[target]
    swap = b < a
    first = np.where(swap, b, a).tolist()
    second = np.where(swap, a, b).tolist()
    cross = (~labels.internal(ties.source[kept], ties.target[kept])).tolist() if len(kept) else []
    bridge = np.isin(ties.keys(n)[kept], facts.bridge_keys)
    weight = ties.weight[kept].tolist()
    count = np.rint(ties.count[kept]).astype(np.int64).tolist()
    flags = bridge.tolist()
    edges = [
        {
            "id": f"{a}|{b}",
            "from": a,
            "to": b,
            "weight": w,
            "count": c,
            "cross": x,
            "bridge": f,
        }
        for a, b, w, c, x, f in zip(first, second, weight, count, cross, flags, strict=True)
    ]
    bridges = [[first[k], second[k]] for k in np.flatnonzero(bridge).tolist()]
    return edges, bridges
