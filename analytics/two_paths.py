"""The label-free two-path structure of a directed graph: its distinct arcs, reciprocated
pairs and *closed* two-paths ``a → v → b`` (arc ``a → b`` too), for the brokerage counts
of :mod:`analytics.gould_fernandez` (METRICS.md B4).

Closed two-paths lie on triangles of the undirected skeleton. Each triangle is listed once,
at its lowest vertex in (degree, id) rank order, as a wedge of two higher-ranked neighbours
closed by a skeleton pair (Chiba & Nishizeki 1985); its six orderings are then checked for
arcs. Wedges are made :data:`WEDGE_CHUNK` at a time to bound memory; the closed two-paths
are kept (12 bytes each): fine for sparse KX/MENT layers, not for big cliques.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import igraph as ig
import numpy as np
import scipy.sparse as sp

from analytics.edges import edge_arrays

#: Wedges (pairs of a row of the ranked skeleton) checked per chunk.
WEDGE_CHUNK = 1 << 22


@dataclass(frozen=True)
class TwoPathSkeleton:
    """The label-free parts of the brokerage count on ``n`` vertices: the distinct arcs
    ``source[k] → target[k]`` (no loops), reciprocated pairs ``(u, w)`` (each once) and
    closed two-paths ``(a, v, b)``."""

    n: int
    source: np.ndarray
    target: np.ndarray
    mutual: tuple[np.ndarray, np.ndarray]
    closed: tuple[np.ndarray, np.ndarray, np.ndarray]


def two_path_skeleton(graph: ig.Graph, *, chunk: int = WEDGE_CHUNK) -> TwoPathSkeleton:
    """Arcs, reciprocated pairs and closed two-paths of a directed graph.

    A closed two-path is ``(a, v, b)`` with arcs ``a → v``, ``v → b`` and ``a → b``
    (Gould & Fernandez 1989: ``v`` brokers only the open ones; METRICS.md B4). Repeated
    arcs count once, loops not at all. Cost ``O(Σ_x d⁺(x)²)`` for the wedges, ``d⁺`` the
    higher-ranked skeleton neighbours; ``chunk`` wedges at a time.

    Examples
    --------
    >>> g = ig.Graph(n=3, edges=[(0, 1), (1, 2), (0, 2), (2, 1)], directed=True)
    >>> s = two_path_skeleton(g)
    >>> sorted(zip(*(x.tolist() for x in s.closed)))
    [(0, 1, 2), (0, 2, 1)]
    >>> sorted(int(x) for x in (s.mutual[0][0], s.mutual[1][0])), len(s.source)
    ([1, 2], 4)
    """
    n = graph.vcount()
    arrays = edge_arrays(graph)
    keys = np.sort(arrays.source * n + arrays.target)
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    src, dst = keys // max(n, 1), keys % max(n, 1)
    src, dst = src[src != dst], dst[src != dst]
    pairs, order = ranked_pairs(n, src, dst)
    row = np.repeat(np.arange(n, dtype=pairs.indices.dtype), np.diff(pairs.indptr))
    both = pairs.data == 3
    a, v, b = transitive_triples(pairs, row, chunk=chunk)
    mutual = (order[row[both]], order[pairs.indices[both]])
    return TwoPathSkeleton(n, src, dst, mutual, (order[a], order[v], order[b]))


def ranked_pairs(
    n: int, source: np.ndarray, target: np.ndarray
) -> tuple[sp.csr_matrix, np.ndarray]:
    """The undirected skeleton of the arcs ``source → target`` in degree rank order.

    Vertex ``order[x]`` has rank ``x`` (by degree, then id). Row ``x`` of the returned
    matrix holds the higher-ranked neighbours ``y`` of ``x``; data bit 1 = arc ``x → y``,
    bit 2 = arc ``y → x`` (3: both).

    Examples
    --------
    >>> pairs, order = ranked_pairs(3, np.array([0, 1, 2]), np.array([1, 0, 1]))
    >>> order.tolist(), pairs.toarray().tolist()  # degrees 2, 3, 1: ranks 1, 2, 0
    ([2, 0, 1], [[0, 0, 1], [0, 0, 3], [0, 0, 0]])
    """
    degree = np.bincount(source, minlength=n) + np.bincount(target, minlength=n)
    order = np.lexsort((np.arange(n), degree)).astype(np.int32 if n < 2**31 else np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    rs, rd = rank[source], rank[target]
    forward = rs < rd
    low, high = np.where(forward, rs, rd), np.where(forward, rd, rs)
    bits = np.where(forward, 1, 2).astype(np.int8)
    pairs = sp.csr_matrix((bits, (low, high)), shape=(n, n))
    pairs.sum_duplicates()
    return pairs, order


def transitive_triples(
    pairs: sp.csr_matrix, row: np.ndarray, *, chunk: int = WEDGE_CHUNK
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All ``(a, v, b)`` (rank ids) with arcs ``a → v``, ``v → b`` and ``a → b``.

    ``pairs`` is a :func:`ranked_pairs` skeleton and ``row[p]`` the row of its entry ``p``.
    Each triangle ``x < y < z`` is found once, as the wedge ``y, z`` in row ``x`` closed by
    the pair ``(y, z)``; its six orderings are then checked for arcs.

    Examples
    --------
    >>> pairs = sp.csr_matrix(np.array([[0, 1, 3], [0, 0, 3], [0, 0, 0]], dtype=np.int8))
    >>> row = np.repeat(np.arange(3), np.diff(pairs.indptr))
    >>> [t.tolist() for t in transitive_triples(pairs, row)]  # 0→1→2, 0→2→1, 2→0→1
    [[0, 0, 2], [1, 2, 0], [2, 1, 1]]
    """
    parts = [np.zeros((3, 0), dtype=row.dtype)]
    for first, second in wedges(pairs.indptr, chunk=chunk):
        closing = np.asarray(pairs[pairs.indices[first], pairs.indices[second]]).ravel()
        found = np.flatnonzero(closing)
        first, second = first[found], second[found]
        ids = {"x": row[first], "y": pairs.indices[first], "z": pairs.indices[second]}
        xy, xz, yz = pairs.data[first], pairs.data[second], closing[found]
        arc = {"xy": xy & 1, "yx": xy & 2, "xz": xz & 1, "zx": xz & 2, "yz": yz & 1, "zy": yz & 2}
        for a, v, b in itertools.permutations("xyz"):
            hit = (arc[a + v] > 0) & (arc[v + b] > 0) & (arc[a + b] > 0)
            parts.append(np.vstack([ids[a][hit], ids[v][hit], ids[b][hit]]))
    closed = np.concatenate(parts, axis=1)
    return closed[0], closed[1], closed[2]


def wedges(
    indptr: np.ndarray, *, chunk: int = WEDGE_CHUNK
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Positions ``(p, q)``, ``p < q``, of every two entries of one row of a CSR matrix.

    A row of ``d`` entries has ``d(d−1)/2`` wedges; they come in chunks of about ``chunk``
    pairs (a chunk ends at an entry boundary), in row-major order.

    Examples
    --------
    >>> indptr = np.array([0, 3, 4, 6])  # rows of 3, 1 and 2 entries
    >>> [(p.tolist(), q.tolist()) for p, q in wedges(indptr, chunk=2)]
    [([0, 0], [1, 2]), ([1, 4], [2, 5])]
    """
    nnz = int(indptr[-1])
    later = np.repeat(indptr[1:], np.diff(indptr)).astype(np.int64) - np.arange(1, nnz + 1)
    ends = np.cumsum(later)
    total = int(ends[-1]) if nnz else 0
    cuts = np.searchsorted(ends, np.arange(chunk, total, chunk), side="right")
    bounds = np.unique(np.r_[0, cuts, nnz])
    for low, high in itertools.pairwise(bounds.tolist()):
        count = later[low:high]
        if not count.any():
            continue
        entries = np.arange(low, high)
        start = np.cumsum(count) - count - entries - 1
        yield np.repeat(entries, count), np.arange(count.sum()) - np.repeat(start, count)
