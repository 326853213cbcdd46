"""Group discs: the community-aware layout behind :mod:`web.layout`.

Groups become discs of radius ∝ √members, placed by FR on the group graph (ties between
groups) and pushed apart where they overlap. Inside its disc a group's members with ties
in the group fill an inner disc, the others an outer ring on the side of the groups they
reach (:func:`web.view_shapes.ring`), areas in proportion so the density is even. The
inner disc holds one FR layout when the tied members are connected; otherwise each
connected component gets its own disc, packed round the largest, so small components do
not drift off and squeeze the rest. A group with more tied members than
:data:`SPLIT_SIZE` (FR could not afford :data:`MIN_ITERATIONS` on it) is first split into
Leiden clusters, laid out as groups of their own inside its disc.

FR iterations are the same for every run of one layout, from a budget of
:data:`PAIR_STEPS` vertex-pair steps (FR costs vertices² per iteration). Every function
here may run igraph's FR or Leiden: call under
:func:`analytics.leiden.seeded_igraph_random` (the layout holds it once).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import igraph as ig
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from web.view_shapes import fr_disc, fr_with_gravity, into_disc, packed, ring, separate, sunflower

#: FR vertex-pair steps (vertices² × iterations) of one layout: ~120 ms of igraph FR on
#: the shared 2-core VM
PAIR_STEPS = 40_000_000
MAX_ITERATIONS = 60
MIN_ITERATIONS = 8
#: groups with more tied members than this are split into Leiden clusters first
SPLIT_SIZE = int(math.sqrt(PAIR_STEPS / MIN_ITERATIONS))


def disc_layout(
    sizes: np.ndarray, source: np.ndarray, target: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Centres ``(k, 2)`` and radii ``(k,)`` of ``k`` non-overlapping discs, one per group
    of ``sizes[g]`` members, placed by FR on the group graph (edges ``source``–``target``
    weighted by ``weight``, the ties between the groups, log-damped), or packed when no
    tie joins any two groups."""
    k = len(sizes)
    radii = np.sqrt(np.maximum(np.asarray(sizes, dtype=np.float64), 1.0))
    if k == 1:
        return np.zeros((1, 2)), radii
    if len(source) == 0:
        return packed(radii), radii
    strength = 1.0 + np.log1p(np.asarray(weight, dtype=np.float64))
    start = sunflower(k) * math.sqrt(k) / 2
    xy = fr_with_gravity(k, source, target, strength / strength.max(initial=1.0), start)
    xy *= 2.5 * radii.mean()  # from FR's unit tie length to the discs' scale
    return separate(xy, radii), radii


def group_codes(n: int, groups: np.ndarray | None) -> np.ndarray:
    """Groups as codes 0..k-1 in order of group id (``-1``, no group, is a group too)."""
    if groups is None:
        return np.zeros(n, dtype=np.int64)
    values = np.asarray(groups, dtype=np.int64)
    if values.shape != (n,):
        raise ValueError(f"groups has shape {values.shape}, expected {(n,)}")
    _, code = np.unique(values, return_inverse=True)
    return code.astype(np.int64)


def arrange(
    n: int, source: np.ndarray, target: np.ndarray, code: np.ndarray, iterations: int | None
) -> np.ndarray:
    """Unscaled positions of ``n`` vertices in groups ``code`` (0..k-1): group discs
    placed by the group graph, members inside them. ``iterations``: of every FR run
    (None: from the budget; big groups are then split into Leiden clusters)."""
    k = int(code.max()) + 1
    between = code[source] != code[target]
    pairs = _pair_counts(k, code[source[between]], code[target[between]])
    centres, radii = disc_layout(np.bincount(code, minlength=k), *pairs)
    pull = _pull(n, source[between], target[between], centres[code])
    parts = _Parts.of(n, source[~between], target[~between], code)
    degree = np.bincount(source[~between], minlength=n) + np.bincount(target[~between], minlength=n)
    clusters: dict[int, np.ndarray] = {}
    if iterations is None:
        big = np.flatnonzero(np.bincount(code[degree > 0], minlength=k) > SPLIT_SIZE)
        for part in big.tolist():
            clusters[part] = _clusters(*parts.graph(part))
        iterations = _iterations(parts, degree, clusters)
    local = np.zeros((n, 2))
    for g in range(k):
        members = parts.members(g)
        m, s, t = parts.graph(g)
        local[members] = _group_disc(
            m, s, t, degree[members], pull[members], clusters.get(g), iterations
        )
    positions: np.ndarray = centres[code] + radii[code, None] * local
    return positions


@dataclass(frozen=True)
class _Parts:
    """Vertices and ties sorted by part: part ``p``'s members are
    ``order[bounds[p]:bounds[p+1]]``, ``index[v]`` is ``v``'s place among them, and its
    ties (both ends in ``p``) are ``edge_order[edge_bounds[p]:edge_bounds[p+1]]``."""

    source: np.ndarray
    target: np.ndarray
    order: np.ndarray
    bounds: np.ndarray
    index: np.ndarray
    edge_order: np.ndarray
    edge_bounds: np.ndarray

    @classmethod
    def of(cls, n: int, source: np.ndarray, target: np.ndarray, code: np.ndarray) -> _Parts:
        """``source``/``target``: ties within parts only."""
        k = int(code.max()) + 1 if n else 0
        order = np.argsort(code, kind="stable")
        bounds = np.searchsorted(code[order], np.arange(k + 1))
        index = np.empty(n, dtype=np.int64)
        index[order] = np.arange(n) - bounds[code[order]]
        edge_order = np.argsort(code[source], kind="stable")
        edge_bounds = np.searchsorted(code[source][edge_order], np.arange(k + 1))
        return cls(source, target, order, bounds, index, edge_order, edge_bounds)

    def members(self, p: int) -> np.ndarray:
        members: np.ndarray = self.order[self.bounds[p] : self.bounds[p + 1]]
        return members

    def graph(self, p: int) -> tuple[int, np.ndarray, np.ndarray]:
        """Part ``p`` as (members, ties' source, ties' target) in member places."""
        ties = self.edge_order[self.edge_bounds[p] : self.edge_bounds[p + 1]]
        size = int(self.bounds[p + 1] - self.bounds[p])
        return size, self.index[self.source[ties]], self.index[self.target[ties]]


def _iterations(parts: _Parts, degree: np.ndarray, clusters: dict[int, np.ndarray]) -> int:
    """FR iterations that keep Σ (vertices of each FR run)² × iterations within
    :data:`PAIR_STEPS`, between :data:`MIN_ITERATIONS` and :data:`MAX_ITERATIONS`."""
    steps = 0.0
    for p in range(len(parts.bounds) - 1):
        tied = degree[parts.members(p)] > 0
        if p in clusters:
            sizes = np.bincount(clusters[p][tied]).astype(np.float64)
            steps += float((sizes * sizes).sum())
        else:
            steps += float(np.count_nonzero(tied)) ** 2
    if steps == 0:
        return MAX_ITERATIONS
    return int(max(MIN_ITERATIONS, min(MAX_ITERATIONS, PAIR_STEPS // steps)))


def _group_disc(
    m: int,
    source: np.ndarray,
    target: np.ndarray,
    degree: np.ndarray,
    pull: np.ndarray,
    clusters: np.ndarray | None,
    iterations: int,
) -> np.ndarray:
    """Unit-disc positions of one group's ``m`` members (ties ``source``–``target`` in
    member places, ``degree`` within the group): the tied ones in the inner disc, the
    others in the ring, each towards the groups it reaches (``pull``)."""
    tied = np.flatnonzero(degree > 0)
    if len(tied) == 0:
        return sunflower(m)
    renumber = np.full(m, -1, dtype=np.int64)
    renumber[tied] = np.arange(len(tied))
    inner = math.sqrt(len(tied) / m)
    positions = np.zeros((m, 2))
    positions[tied] = inner * _tied_disc(
        len(tied),
        renumber[source],
        renumber[target],
        None if clusters is None else clusters[tied],
        iterations,
    )
    loose = np.flatnonzero(degree == 0)
    positions[loose] = ring(pull[loose], inner)
    return positions


def _tied_disc(
    n: int, source: np.ndarray, target: np.ndarray, clusters: np.ndarray | None, iterations: int
) -> np.ndarray:
    """Unit-disc positions of ``n`` vertices that all have ties: Leiden clusters as
    groups, components as packed discs, or one FR layout."""
    if n <= 3:
        return sunflower(n)
    if clusters is not None and clusters.max() > clusters.min():
        nested = arrange(n, source, target, group_codes(n, clusters), iterations)
        return into_disc(nested, squash=False)
    adjacency = sp.csr_matrix((np.ones(len(source)), (source, target)), shape=(n, n))
    count, component = connected_components(adjacency, directed=False)
    if count == 1:
        return fr_disc(n, source, target, min(iterations, max(2, PAIR_STEPS // (n * n))))
    return into_disc(_components(n, source, target, component, iterations), squash=False)


def _components(
    n: int, source: np.ndarray, target: np.ndarray, component: np.ndarray, iterations: int
) -> np.ndarray:
    """Components in discs of radius √size packed round the largest: pairs and triangles
    take fixed spots, bigger components an FR layout each."""
    sizes = np.bincount(component)
    parts = _Parts.of(n, source, target, component)
    shapes = np.zeros((4, 3, 2))  # spots of a 1-, 2- or 3-vertex component
    for size in (1, 2, 3):
        shapes[size, :size] = sunflower(size)
    local = np.zeros((n, 2))
    small = sizes[component] <= 3
    local[small] = shapes[sizes[component[small]], parts.index[small]]
    for c in np.flatnonzero(sizes > 3).tolist():
        size, s, t = parts.graph(c)
        local[parts.members(c)] = fr_disc(size, s, t, iterations)
    radii = np.sqrt(sizes.astype(np.float64))
    positions: np.ndarray = packed(radii)[component] + radii[component, None] * local
    return positions


def _clusters(n: int, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Leiden clusters (modularity, two passes) of a group's members (untied members
    come out as clusters of one)."""
    graph = ig.Graph(n=n, edges=list(zip(source.tolist(), target.tolist(), strict=True)))
    found = graph.community_leiden(objective_function="modularity", n_iterations=2)
    return np.asarray(found.membership, dtype=np.int64)


def _pair_counts(k: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unordered group pairs with their tie counts."""
    low, high = np.minimum(a, b), np.maximum(a, b)
    keys, counts = np.unique(low * k + high, return_counts=True)
    return keys // k, keys % k, counts.astype(np.float64)


def _pull(n: int, source: np.ndarray, target: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Per vertex, the sum of unit vectors from its group's centre towards the centres of
    the groups its ties between groups reach (zero without such ties)."""
    toward = centre[target] - centre[source]
    length = np.hypot(toward[:, 0], toward[:, 1])
    unit = np.divide(toward, length[:, None], out=np.zeros_like(toward), where=length[:, None] > 0)
    pull = np.zeros((n, 2))
    for axis in (0, 1):
        pull[:, axis] = np.bincount(source, unit[:, axis], n) - np.bincount(
            target, unit[:, axis], n
        )
    return pull
