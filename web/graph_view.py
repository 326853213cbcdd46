"""The network explorer's graph document (``GET /api/v1/graph``, issue #5 item 2).

:func:`graph_document` turns a window's :class:`~analytics.projection.Projection` (and,
once computed, its :class:`~analytics.report.Report`) into the JSON-ready document of the
web contract, less ``ok``, ``window`` and ``boundary`` (the route adds those). Views:

* ``people``: the people of the chosen communities (any membership; none chosen:
  everyone) and the ties among them;
* ``communities``: one node per community of the boundary kind, edges aggregating the
  cross-community ties (:mod:`web.view_communities`); with chosen communities, those and
  their direct neighbours;
* ``ego``: a person's neighbourhood within ``hops`` ties (1-3), the person marked
  ``"ego": true`` (the communities filter does not apply);
* ``auto``: ``people`` while the people to show are at most ``node_threshold``, else
  ``communities``.

Nodes are sized 10-60 by the square root of the metric (people) or of the members
(communities: the document's ``size_metric`` then reads ``"members"``); without a report
people are sized by degree whatever was asked (``size_metric`` says ``"degree"``). Node
``value`` is the raw metric, ``null`` where undefined (participation without ties).

Positions come from :mod:`web.layout` (cached when a :class:`~web.layout.LayoutCache`
and a key are given). Brokers, bridges and silos: :mod:`web.view_metrics`; the lists
``brokers``, ``bridges`` and ``silos`` are filled for the highlights asked for (the
per-node and per-edge flags are always set). Privacy: :mod:`web.view_people`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analytics.projection import Projection
from analytics.report import Report
from graphsvc.errors import ValidationError
from web.layout import LayoutCache, community_layout, layout_arrays
from web.view_communities import community_pairs, community_parts, shown_groups
from web.view_metrics import SIZE_METRICS, TieArrays, WindowFacts, tie_arrays, window_facts
from web.view_people import people_parts

VIEWS = ("auto", "people", "communities", "ego")
HIGHLIGHTS = ("brokers", "bridges", "silos")
#: Paul Tol's "muted" qualitative scheme: distinct under the common colour-vision deficiencies
PALETTE = (
    "#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE",
    "#882255", "#44AA99", "#999933", "#AA4499",
)  # fmt: skip


@dataclass(frozen=True)
class ViewOptions:
    """What the explorer asks for (validated here: a bad value is a ValidationError
    naming the query parameter)."""

    view: str = "auto"
    size_metric: str = "degree"
    communities: tuple[str, ...] = ()
    person: str | None = None
    hops: int = 1
    highlight: frozenset[str] = field(default_factory=frozenset)
    node_threshold: int = 2000

    def __post_init__(self) -> None:
        object.__setattr__(self, "communities", tuple(self.communities))
        object.__setattr__(self, "highlight", frozenset(self.highlight))
        if self.view not in VIEWS:
            raise ValidationError("view", f"expected one of {', '.join(VIEWS)}, got {self.view!r}")
        if self.size_metric not in SIZE_METRICS:
            allowed = ", ".join(SIZE_METRICS)
            raise ValidationError("size", f"expected one of {allowed}, got {self.size_metric!r}")
        if not 1 <= self.hops <= 3:
            raise ValidationError("hops", f"must be between 1 and 3, got {self.hops}")
        unknown = sorted(self.highlight - set(HIGHLIGHTS))
        if unknown:
            raise ValidationError("highlight", f"unknown {', '.join(unknown)}")
        if self.node_threshold < 1:
            raise ValidationError("node_threshold", "must be positive")
        if self.view == "ego" and not self.person:
            raise ValidationError("person", "the ego view needs a person")


def graph_document(
    projection: Projection,
    report: Report | None,
    options: ViewOptions,
    *,
    names: Mapping[str, str],
    consent: Mapping[str, bool],
    community_names: Mapping[str, str],
    layout_cache: LayoutCache | None = None,
    layout_key: Hashable | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """The graph document of the contract (module docstring), JSON-ready (plain Python
    values, no NaN). ``names``: names of the people who consented; ``consent``: who did
    (anyone missing counts as private); ``community_names``: display names by id.
    ``layout_cache``/``layout_key``: reuse positions for the same key (the caller's key
    must name the window, boundary and kinds; the view's own choices are added here).

    Raises NotFound for an unknown ego person.
    """
    ties = tie_arrays(projection)
    facts = window_facts(projection, report, options.size_metric, ties)
    wanted = _wanted_groups(projection, options.communities)
    people = _people_of(projection, wanted)
    view = options.view
    if view == "auto":
        view = "people" if len(people) <= options.node_threshold else "communities"
    place = _Placer(layout_cache, _layout_key(layout_key, view, options, seed), seed)
    document: dict[str, Any] = {
        "view": view,
        "size_metric": facts.size_metric,
        "total_people": projection.graph.vcount(),
        "groups": group_entries(projection.labels.groups, community_names),
    }
    if view == "communities":
        nodes, edges, brokers, bridges = _community_view(
            projection, report, facts, ties, wanted, place, consent, community_names
        )
        document["size_metric"] = "members"
    else:
        if view == "ego":
            people = _ego_people(projection, options)
        parts = people_parts(
            projection.person_ids, projection.labels, ties, facts, people, place.people,
            names=names, consent=consent,
            ego=projection.vertex(options.person) if view == "ego" and options.person else None,
        )  # fmt: skip
        nodes, edges, brokers, bridges = parts.nodes, parts.edges, parts.brokers, parts.bridges
    document.update(nodes=nodes, edges=edges)
    silos = [
        g for g, flag in zip(projection.labels.groups, facts.silo.tolist(), strict=True) if flag
    ]
    lists: dict[str, list[Any]] = {"brokers": brokers, "bridges": bridges, "silos": silos}
    for name in HIGHLIGHTS:
        document[name] = lists[name] if name in options.highlight else []
    return document


def group_entries(
    groups: tuple[str, ...], community_names: Mapping[str, str]
) -> list[dict[str, str]]:
    """``{"id", "name", "color"}`` per group: the colour is the palette entry (cycling) of
    the id's place among the ids of ``community_names`` (every community the caller
    knows, sorted), so it stays with the community whichever window is shown; an id
    missing from ``community_names`` is coloured by its hash."""
    known = sorted(set(community_names))
    place = {cid: i for i, cid in enumerate(known)}
    return [
        {
            "id": cid,
            "name": community_names.get(cid) or cid,
            "color": PALETTE[place[cid] % len(PALETTE)] if cid in place else hashed_colour(cid),
        }
        for cid in groups
    ]


def hashed_colour(community_id: str) -> str:
    """A palette colour chosen by a hash of the id (stable across processes)."""
    digest = hashlib.sha256(community_id.encode()).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def _wanted_groups(projection: Projection, communities: tuple[str, ...]) -> np.ndarray | None:
    """Indexes of the chosen communities present in the window (None: no filter).
    Unknown ids are ignored: a community without members in the window shows nothing."""
    if not communities:
        return None
    index = {g: i for i, g in enumerate(projection.labels.groups)}
    return np.array(sorted({index[c] for c in communities if c in index}), dtype=np.int64)


def _people_of(projection: Projection, wanted: np.ndarray | None) -> np.ndarray:
    """Sorted vertices of the people in any of the ``wanted`` groups (None: everyone)."""
    n = projection.graph.vcount()
    if wanted is None:
        return np.arange(n, dtype=np.int64)
    member = projection.labels.membership()
    hits = np.asarray(member[:, wanted].sum(axis=1)).ravel() if len(wanted) else np.zeros(n)
    return np.flatnonzero(hits > 0).astype(np.int64)


def _ego_people(projection: Projection, options: ViewOptions) -> np.ndarray:
    """Sorted vertices within ``options.hops`` ties of the ego (NotFound if unknown)."""
    ego = projection.vertex(options.person or "")
    around = projection.graph.neighborhood(ego, order=options.hops, mode="all")
    return np.unique(np.asarray(around, dtype=np.int64))


def _community_view(
    projection: Projection,
    report: Report | None,
    facts: WindowFacts,
    ties: TieArrays,
    wanted: np.ndarray | None,
    place: _Placer,
    consent: Mapping[str, bool],
    community_names: Mapping[str, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str], list[list[str]]]:
    """Nodes, edges, brokers and bridges of the community view. No person is drawn, so
    the brokers listed are the consenting ones, by id."""
    pairs = community_pairs(projection, report, ties, facts.bridge_keys)
    shown = shown_groups(pairs, projection.labels.n_groups, wanted)
    nodes, edges = community_parts(
        projection.labels, pairs, facts, shown, place.communities, community_names
    )
    brokers = [
        pid
        for pid, flag in zip(projection.person_ids, facts.broker.tolist(), strict=True)
        if flag and consent.get(pid) is True
    ]
    bridges = [[edge["from"], edge["to"]] for edge in edges if edge["bridge"]]
    return nodes, edges, brokers, bridges


def _layout_key(
    key: Hashable | None, view: str, options: ViewOptions, seed: int
) -> Hashable | None:
    """The caller's key with what else shapes the laid-out graph."""
    if key is None:
        return None
    chosen = tuple(sorted(set(options.communities)))
    ego = (options.person, options.hops) if view == "ego" else None
    return (key, view, () if view == "ego" else chosen, ego, seed)


class _Placer:
    """Positions for a view, through the cache when there is one (a stored layout of
    another size is recomputed: the caller's key did not name all that shapes the graph)."""

    def __init__(self, cache: LayoutCache | None, key: Hashable | None, seed: int) -> None:
        self.cache, self.key, self.seed = cache, key, seed

    def people(
        self, n: int, source: np.ndarray, target: np.ndarray, groups: np.ndarray
    ) -> np.ndarray:
        return self._cached(
            n, lambda: layout_arrays(n, source, target, groups=groups, seed=self.seed)
        )

    def communities(
        self, members: np.ndarray, a: np.ndarray, b: np.ndarray, count: np.ndarray
    ) -> np.ndarray:
        return self._cached(
            len(members), lambda: community_layout(members, a, b, count, seed=self.seed)
        )

    def _cached(self, n: int, compute: Callable[[], np.ndarray]) -> np.ndarray:
        if self.cache is None or self.key is None:
            return compute()
        found = self.cache.get(self.key)
        if found is not None and found.shape == (n, 2):
            return found
        return self.cache.put(self.key, compute())
