"""From stored interactions to an ``igraph.Graph``: the one place that maps ids ↔ vertices.

:func:`project` takes the store's columnar interactions of a window
(:class:`~graphsvc.model.InteractionArrays`) and the memberships active at the window's
end, and builds the graph every metric reads (METRICS.md §0):

* **vertices**: the people who interact in the window plus the members of the boundary's
  groups (a member without interactions is an isolate, S7), sorted by id;
* **edges**: the chosen interaction kinds aggregated per pair (undirected) or per ordered
  pair (directed; an undirected interaction adds an arc each way), self-interactions
  dropped, and so are pairs of zero strength (every interaction of weight 0); attribute
  ``count`` (interactions) and ``weight`` (strength: the count, the sum of interaction
  weights, or that sum decayed with a half-life, Ahmad et al. 2021:
  ``w = Σ_k w_k · 2^{−(t_end − t_k)/h}``);
* **co-attendance** (interactions of kind ``co_attendance`` and, when given, activity
  participations projected to cliques weighted ``1/(k−1)``, Newman 2001) is an exposure
  layer left out unless ``include_coattendance`` (it inflates cohesion: METRICS.md §0);
* **labels**: per vertex the set of groups of the boundary kind it belongs to at the
  window's end (M1), and its M3 primary group: the one holding most of its interactions
  in the window (ties and people without interactions: the first of its groups by id).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import igraph as ig
import numpy as np
import scipy.sparse as sp

from analytics.edges import EdgeArrays, edge_arrays, keep_edge_arrays
from analytics.groups import GroupLabels
from graphsvc.errors import NotFound, ValidationError
from graphsvc.model import (
    DIRECTED_BY_DEFAULT,
    Activity,
    CommunityKind,
    InteractionArrays,
    InteractionKind,
    Membership,
    Participation,
)

Weighting = Literal["count", "weight", "decay"]
WEIGHTINGS: tuple[str, ...] = ("count", "weight", "decay")
#: kinds a projection uses unless told otherwise: every kind but the co-attendance layer
DEFAULT_KINDS = tuple(kind for kind in InteractionKind if kind is not InteractionKind.CO_ATTENDANCE)
_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class ProjectionOptions:
    """What to project: window ``[start, end)``, kinds, boundary, direction, weighting."""

    start: datetime | None = None
    end: datetime | None = None
    kinds: tuple[InteractionKind, ...] = DEFAULT_KINDS
    boundary: CommunityKind = CommunityKind.COP
    directed: bool = False
    weighting: Weighting = "count"
    half_life_days: float = 90.0
    include_coattendance: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", tuple(InteractionKind(k) for k in self.kinds))
        object.__setattr__(self, "boundary", CommunityKind(self.boundary))
        if self.weighting not in WEIGHTINGS:
            raise ValidationError("weighting", f"must be one of {', '.join(WEIGHTINGS)}")
        if not (self.half_life_days > 0 and math.isfinite(self.half_life_days)):
            raise ValidationError("half_life_days", "must be a positive number of days")
        if self.start and self.end and self.start >= self.end:
            raise ValidationError("start", "must be before end")

    @property
    def used_kinds(self) -> tuple[InteractionKind, ...]:
        """The kinds taken from the interactions (co-attendance added when included)."""
        if self.include_coattendance and InteractionKind.CO_ATTENDANCE not in self.kinds:
            return (*self.kinds, InteractionKind.CO_ATTENDANCE)
        return self.kinds


@dataclass(frozen=True)
class Projection:
    """The graph of one window, its people and their groups.

    Vertex ``i`` is person ``person_ids[i]`` (also the vertex attribute ``name``).
    """

    graph: ig.Graph
    person_ids: tuple[str, ...]
    labels: GroupLabels
    options: ProjectionOptions
    interactions: int  # interactions (and co-attendance ties) that made the edges
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def vertex(self, person_id: str) -> int:
        """The vertex of ``person_id``; :class:`~graphsvc.errors.NotFound` if absent."""
        if not self._index:
            self._index.update((pid, i) for i, pid in enumerate(self.person_ids))
        try:
            return self._index[person_id]
        except KeyError:
            raise NotFound("person", person_id) from None


def project(
    interactions: InteractionArrays,
    memberships: Iterable[Membership],
    options: ProjectionOptions | None = None,
    *,
    activities: Iterable[Activity] = (),
    participations: Iterable[Participation] = (),
    people: Sequence[str] | None = None,
    labels: GroupLabels | None = None,
) -> Projection:
    """Build the projection of one window (see the module docstring).

    Parameters
    ----------
    interactions
        The window's interactions (``store.interactions(start, end)``); rows outside
        ``[start, end)`` or of other kinds are ignored here too.
    memberships
        Memberships active at the window's end, of communities of the boundary kind
        (``store.memberships(as_of=end, kind=boundary)``).
    options
        Window, kinds, boundary, direction and weighting.
    activities, participations
        Used only with ``include_coattendance``: each activity starting in the window
        joins its participants pairwise with weight ``1/(k−1)``.
    people
        The vertices, in this order (e.g. another projection's ``person_ids``, so that
        both index people alike); interactions and memberships of anyone else are left
        out. By default: everyone who interacts, and every member, sorted by id.
    labels
        The groups of ``people`` when already known (another projection's ``labels``):
        taken as they are instead of being rebuilt from ``memberships``.

    Examples
    --------
    >>> from graphsvc.model import Membership
    >>> arrays = interaction_arrays([("a", "b", 0), ("b", "a", 10), ("b", "c", 20)])
    >>> p = project(arrays, [Membership("a", "x"), Membership("c", "y"), Membership("d", "y")])
    >>> p.person_ids, p.graph.ecount(), p.graph.es["count"]
    (('a', 'b', 'c', 'd'), 2, [2, 1])
    >>> [sorted(p.labels.groups[g] for g in s) for s in p.labels.sets]
    [['x'], [], ['y'], ['y']]
    """
    options = options or ProjectionOptions()
    members = list(memberships)
    rows = _window_rows(interactions, options)
    if people is not None:
        rows, members = _among(people, interactions, rows, members)
    extra = None
    if options.include_coattendance:
        extra = _coattendance(activities, participations, options, people)
    if people is not None:
        person_ids = tuple(people)
    else:
        person_ids = _people(_active(interactions, rows), members, extra)
    index = {pid: i for i, pid in enumerate(person_ids)}
    source, target, weight, one_way = _endpoints(interactions, rows, index, options)
    if extra is not None:  # co-attendance ties have no direction
        source = np.concatenate([source, [index[a] for a in extra[0]]]).astype(np.int64)
        target = np.concatenate([target, [index[b] for b in extra[1]]]).astype(np.int64)
        weight = np.concatenate([weight, extra[2]])
        one_way = np.concatenate([one_way, np.zeros(len(extra[2]), dtype=bool)])
    made = len(source)
    if options.directed:  # an undirected interaction flows both ways
        both = ~one_way
        source, target = (
            np.concatenate([source, target[both]]),
            np.concatenate([target, source[both]]),
        )
        weight = np.concatenate([weight, weight[both]])
    graph = _graph(len(person_ids), source, target, weight, options.directed)
    graph.vs["name"] = list(person_ids)
    if labels is None:
        labels = _labels(person_ids, index, members, graph)
    elif labels.n_vertices != len(person_ids):
        raise ValueError(f"labels for {labels.n_vertices} people, projecting {len(person_ids)}")
    return Projection(graph, person_ids, labels, options, made)


def _window_rows(arrays: InteractionArrays, options: ProjectionOptions) -> np.ndarray:
    """Indexes of the rows in the window, of the used kinds, that are not self-loops."""
    kind_codes = [arrays.kinds.index(kind.value) for kind in options.used_kinds]
    keep = np.isin(arrays.kind, kind_codes) & (arrays.source != arrays.target)
    if options.start is not None:
        keep &= arrays.at >= _seconds(options.start)
    if options.end is not None:
        keep &= arrays.at < _seconds(options.end)
    return np.flatnonzero(keep)


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValidationError("start/end", "must be timezone-aware")
    return math.floor(moment.astimezone(UTC).timestamp())


def _among(
    people: Sequence[str], arrays: InteractionArrays, rows: np.ndarray, members: list[Membership]
) -> tuple[np.ndarray, list[Membership]]:
    """The rows and memberships of ``people`` only."""
    wanted = set(people)
    known = np.array([pid in wanted for pid in arrays.person_ids] or [False], dtype=bool)
    keep = known[arrays.source[rows]] & known[arrays.target[rows]] if len(rows) else []
    return rows[keep], [m for m in members if m.person_id in wanted]


def _active(arrays: InteractionArrays, rows: np.ndarray) -> list[str]:
    """The people of the kept rows (not those of other kinds or only of self-loops)."""
    used = np.unique(np.concatenate([arrays.source[rows], arrays.target[rows]]))
    return [arrays.person_ids[i] for i in used.tolist()]


def _people(
    window_people: Sequence[str],
    members: Sequence[Membership],
    extra: tuple[list[str], list[str], np.ndarray] | None,
) -> tuple[str, ...]:
    """Everyone who interacts in the window (used kinds), every member, and co-attendees,
    sorted."""
    return tuple(sorted(set(window_people) | {m.person_id for m in members} | _extra_people(extra)))


def _extra_people(extra: tuple[list[str], list[str], np.ndarray] | None) -> set[str]:
    return set() if extra is None else set(extra[0]) | set(extra[1])


def _endpoints(
    arrays: InteractionArrays,
    rows: np.ndarray,
    index: dict[str, int],
    options: ProjectionOptions,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per interaction: source and target vertex, weight, and whether it is directed."""
    to_vertex = np.array([index.get(pid, -1) for pid in arrays.person_ids], dtype=np.int64)
    source = to_vertex[arrays.source[rows]] if len(rows) else np.empty(0, np.int64)
    target = to_vertex[arrays.target[rows]] if len(rows) else np.empty(0, np.int64)
    weight = _interaction_weights(arrays, rows, options)
    return source, target, weight, np.asarray(arrays.directed[rows], dtype=bool)


def _interaction_weights(
    arrays: InteractionArrays, rows: np.ndarray, options: ProjectionOptions
) -> np.ndarray:
    """1 per interaction (``count``), its weight (``weight``), or its weight decayed to the
    window's end with the half-life (``decay``; end = the last interaction if open)."""
    if options.weighting == "count":
        return np.ones(len(rows))
    weight = np.asarray(arrays.weight[rows], dtype=np.float64)
    if options.weighting == "weight" or not len(rows):
        return weight
    end = _seconds(options.end) if options.end is not None else int(arrays.at[rows].max())
    age_days = (end - arrays.at[rows]) / _SECONDS_PER_DAY
    decayed: np.ndarray = weight * np.exp2(-age_days / options.half_life_days)
    return decayed


def _coattendance(
    activities: Iterable[Activity],
    participations: Iterable[Participation],
    options: ProjectionOptions,
    people: Sequence[str] | None = None,
) -> tuple[list[str], list[str], np.ndarray]:
    """Pairs of participants of each activity starting in the window, ``1/(k−1)`` each
    (``k`` counts every participant; pairs outside ``people``, when given, are left out)."""
    in_window = {
        a.id
        for a in activities
        if (options.start is None or a.start >= options.start)
        and (options.end is None or a.start < options.end)
    }
    attendees: dict[str, list[str]] = {}
    for p in participations:
        if p.activity_id in in_window:
            attendees.setdefault(p.activity_id, []).append(p.person_id)
    sources: list[str] = []
    targets: list[str] = []
    weights: list[float] = []
    wanted = None if people is None else set(people)
    for present in attendees.values():
        unique = sorted(set(present))
        share = 1.0 / (len(unique) - 1) if len(unique) > 1 else 0.0
        for i, a in enumerate(unique):
            for b in unique[i + 1 :]:
                if wanted is not None and not (a in wanted and b in wanted):
                    continue
                sources.append(a)
                targets.append(b)
                weights.append(share)
    return sources, targets, np.asarray(weights, dtype=np.float64)


def _graph(
    n: int, source: np.ndarray, target: np.ndarray, weight: np.ndarray, directed: bool
) -> ig.Graph:
    """One edge per (ordered, if directed) pair with ``count`` and summed ``weight``."""
    if not directed:
        source, target = np.minimum(source, target), np.maximum(source, target)
    keys = source.astype(np.int64) * max(n, 1) + target.astype(np.int64)
    unique, inverse = np.unique(keys, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(unique))
    weights = np.bincount(inverse, weights=weight, minlength=len(unique))
    kept = weights > 0  # a pair whose interactions all weigh 0 has no tie of any strength
    unique, counts, weights = unique[kept], counts[kept], weights[kept]
    source, target = unique // max(n, 1), unique % max(n, 1)
    # a list of tuples converts fastest (about half the time of an (m, 2) array)
    edges = list(zip(source.tolist(), target.tolist(), strict=True))
    graph = ig.Graph(n=n, edges=edges, directed=directed)
    graph.es["count"] = counts.tolist()
    graph.es["weight"] = weights.tolist()
    keep_edge_arrays(graph, EdgeArrays(source, target, weights, counts.astype(np.float64)))
    return graph


def _labels(
    person_ids: Sequence[str],
    index: dict[str, int],
    members: Sequence[Membership],
    graph: ig.Graph,
) -> GroupLabels:
    groups = tuple(sorted({m.community_id for m in members}))
    group_index = {g: i for i, g in enumerate(groups)}
    sets: list[set[int]] = [set() for _ in person_ids]
    for m in members:
        sets[index[m.person_id]].add(group_index[m.community_id])
    primary = _primary(sets, graph, len(groups))
    return GroupLabels.from_sets(groups, sets, primary)


def _primary(sets: list[set[int]], graph: ig.Graph, n_groups: int) -> np.ndarray:
    """M3: per vertex, the group of its own holding most of its interactions (by count)
    with members of that group; ties and no interactions: its first group."""
    primary = np.array([min(s) if s else -1 for s in sets], dtype=np.int64)
    multi = [v for v, s in enumerate(sets) if len(s) > 1]
    if not multi or graph.ecount() == 0:
        return primary
    n = len(sets)
    edges = edge_arrays(graph)
    adjacency = sp.coo_matrix(
        (edges.interactions, (edges.source, edges.target)), shape=(n, n)
    ).tocsr()
    adjacency = adjacency + adjacency.T
    rows = [v for v, s in enumerate(sets) for _ in s]
    cols = [g for s in sets for g in sorted(s)]
    member = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n_groups))
    with_group = (adjacency[multi] @ member).toarray()
    own = member[multi].toarray() > 0
    with_group[~own] = -1.0
    primary[multi] = np.argmax(with_group, axis=1)  # the first maximum: lowest group index
    return primary


def interaction_arrays(
    rows: Sequence[tuple[str, str, int]], kind: str = "collaboration"
) -> InteractionArrays:
    """Arrays of ``(source, target, unix seconds)`` rows of one kind, for examples and
    tests (the store builds them for real use)."""
    people = tuple(sorted({p for s, t, _ in rows for p in (s, t)}))
    at = {p: i for i, p in enumerate(people)}
    kinds = tuple(k.value for k in InteractionKind)
    count = len(rows)
    return InteractionArrays(
        person_ids=people,
        source=np.array([at[s] for s, _, _ in rows], dtype=np.int32),
        target=np.array([at[t] for _, t, _ in rows], dtype=np.int32),
        at=np.array([t for _, _, t in rows], dtype=np.int64),
        weight=np.ones(count),
        directed=np.full(count, InteractionKind(kind) in DIRECTED_BY_DEFAULT),
        kind=np.full(count, kinds.index(kind), dtype=np.int8),
        community=np.full(count, -1, dtype=np.int32),
        topic=np.full(count, -1, dtype=np.int32),
    )
