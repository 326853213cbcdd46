"""Seeded Leiden runs on the undirected graph and the presence of clusters across runs
(the community detection behind METRICS.md S5 and S8, :mod:`analytics.clusters`).

Choices fixed here: a directed graph is collapsed to undirected with the weights of ``u→v`` and
``v→u`` summed (no ``"weight"`` attribute = unit weights). Leiden is igraph's
``community_leiden``, drawing from a private ``random.Random(run seed)`` swapped in under a
lock and replaced by igraph's default generator (the :mod:`random` module) afterwards; the
global :mod:`random` state is not touched. (networkit's ParallelLeiden gave different
partitions for one seed on two threads and crashed on a 1M-edge test graph; leidenalg is
10× slower.) A run makes passes of ``n_iterations=1`` from the previous membership (equal to
``n_iterations=k``) until a pass gains less than :data:`PASS_GAIN` in Q or the pass limit is
reached (2 to :data:`MAX_PASSES`, see :data:`PASS_BUDGET`): 2 passes on graphs with community
structure (pass 1 already comes within 1e-4 of convergence), up to 4 without. igraph's
``n_iterations=-1`` (gain ≤ 0) took 8 s for one run on a 100k-edge graph without community
structure, 46 s at 1M edges.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import igraph as ig
import numpy as np

from analytics.edges import edge_arrays
from graphsvc.errors import ValidationError

#: Another run "has" cluster C when one of its clusters D has Jaccard |C∩D|/|C∪D| ≥ this.
MATCH_JACCARD = 0.5
#: A Leiden pass that raises modularity by less than this ends the run.
PASS_GAIN = 1e-3
#: Passes per run: at least 2 (igraph's default), at most MAX_PASSES, and within
#: PASS_BUDGET edge-passes over all runs (2 passes of 3 runs at 1M edges).
MAX_PASSES = 5
PASS_BUDGET = 6_000_000

_IGRAPH_RNG_LOCK = threading.Lock()


@dataclass(frozen=True)
class UndirectedNetwork:
    """The undirected weighted graph Leiden runs on, and its edges as arrays.

    ``weights`` is the edge attribute to pass to igraph (``None``: unit weights); edge
    ``k`` joins ``source[k]`` and ``target[k]`` with weight ``weight[k]``.
    """

    graph: ig.Graph
    weights: str | None
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray

    @property
    def strength(self) -> np.ndarray:
        """Per vertex, the summed weight of its edges (0 for an isolated vertex)."""
        n = self.graph.vcount()
        return np.bincount(self.source, self.weight, n) + np.bincount(self.target, self.weight, n)


def undirected_network(graph: ig.Graph) -> UndirectedNetwork:
    """The graph as undirected, the weights of ``u→v`` and ``v→u`` summed (METRICS.md S5).

    ``w_uv = w(u→v) + w(v→u)`` on a directed graph; an undirected graph is used as it is.
    Without a ``"weight"`` attribute every edge weighs 1.

    Raises
    ------
    ValidationError
        When a weight is not positive.

    Examples
    --------
    >>> g = ig.Graph(n=3, edges=[(0, 1), (1, 0), (2, 1)], directed=True)
    >>> g.es["weight"] = [1.0, 2.0, 0.5]
    >>> network = undirected_network(g)
    >>> network.source.tolist(), network.target.tolist(), network.weight.tolist()
    ([0, 1], [1, 2], [3.0, 0.5])
    >>> network.strength.tolist()
    [3.0, 3.5, 0.5]
    """
    n, m = graph.vcount(), graph.ecount()
    source, target = edge_arrays(graph)[:2]
    weighted = "weight" in graph.es.attributes()
    weight = np.asarray(graph.es["weight"], dtype=np.float64) if weighted else np.ones(m)
    if m and not np.all(weight > 0):
        raise ValidationError("weight", "edge weights must be positive")
    if not graph.is_directed():
        return UndirectedNetwork(graph, "weight" if weighted else None, source, target, weight)
    pair = np.minimum(source, target) * n + np.maximum(source, target)
    unique, inverse = np.unique(pair, return_inverse=True)
    summed = np.bincount(inverse, weights=weight)
    source, target = unique // n, unique % n
    collapsed = ig.Graph(n=n, edges=np.column_stack([source, target]), directed=False)
    collapsed.es["weight"] = summed
    return UndirectedNetwork(collapsed, "weight", source, target, summed)


@contextmanager
def seeded_igraph_random(seed: int) -> Iterator[None]:
    """igraph draws from ``random.Random(seed)`` inside; from its default generator after.

    The swap holds a module lock, so concurrent threads take turns; the global
    :mod:`random` state is neither read nor advanced.

    Examples
    --------
    >>> def sample():
    ...     with seeded_igraph_random(7):
    ...         return ig.Graph.Erdos_Renyi(12, 0.3).get_edgelist()
    >>> sample() == sample()
    True
    """
    with _IGRAPH_RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def leiden_runs(
    network: UndirectedNetwork, resolution: float, runs: int, seed: int
) -> tuple[list[np.ndarray], list[float]]:
    """Memberships and modularities of ``runs`` Leiden runs with seeds drawn from ``seed``.

    Leiden (Traag, Waltman & van Eck 2019) maximising the modularity
    ``Q = (1/2W) Σ_ij [A_ij − γ k_i k_j / 2W] δ(c_i, c_j)`` (Newman & Girvan 2004) with
    ``γ = resolution`` (METRICS.md S5). Run ``r`` is seeded with the r-th draw of
    ``numpy.random.default_rng(seed).integers(0, 2**63)`` and makes passes until one gains
    less than :data:`PASS_GAIN` or ``min(MAX_PASSES, max(2, PASS_BUDGET // (runs·m)))``
    passes are made.

    Examples
    --------
    >>> g = ig.Graph.Full(4) + ig.Graph.Full(4)  # two disjoint 4-cliques
    >>> partitions, qualities = leiden_runs(undirected_network(g), 1.0, 2, seed=0)
    >>> [len(set(p.tolist())) for p in partitions], [round(q, 2) for q in qualities]
    ([2, 2], [0.5, 0.5])
    """
    limit = min(MAX_PASSES, max(2, PASS_BUDGET // max(1, runs * network.graph.ecount())))
    partitions, qualities = [], []
    for run_seed in np.random.default_rng(seed).integers(0, 2**63, size=runs).tolist():
        membership, quality = None, -np.inf
        with seeded_igraph_random(run_seed):
            for _ in range(limit):
                found = network.graph.community_leiden(
                    objective_function="modularity",
                    weights=network.weights,
                    resolution=resolution,
                    n_iterations=1,
                    initial_membership=membership,
                )
                gain, quality, membership = found.quality - quality, found.quality, found.membership
                if gain < PASS_GAIN:
                    break
        partitions.append(np.asarray(membership, dtype=np.int64))
        qualities.append(float(quality))
    return partitions, qualities


def cluster_presence(
    membership: np.ndarray, n_clusters: int, partitions: list[np.ndarray], keep: np.ndarray
) -> np.ndarray:
    """Per cluster of ``membership``, the share of ``partitions`` that have it (METRICS.md S8).

    Over the vertices where ``keep`` is true, a partition has cluster ``C`` when one of its
    clusters ``D`` has Jaccard ``|C∩D|/|C∪D| ≥`` :data:`MATCH_JACCARD` (the cluster-wise
    Jaccard match of Hennig 2007). Clusters are ``0..n_clusters-1`` of ``membership``.

    Examples
    --------
    >>> reference, everyone = np.array([0, 0, 0, 1, 1, 1]), np.ones(6, dtype=bool)
    >>> runs = [np.array([4, 4, 4, 2, 2, 2]), np.array([0, 0, 1, 1, 1, 1])]  # 1, 1; 2/3, 3/4
    >>> cluster_presence(reference, 2, runs, everyone).tolist()
    [1.0, 1.0]
    >>> runs.append(np.arange(6))  # singletons: Jaccard 1/3 at best
    >>> cluster_presence(reference, 2, runs, everyone).tolist()
    [0.6666666666666666, 0.6666666666666666]
    """
    reference = membership[keep]
    sizes = np.bincount(reference, minlength=n_clusters)
    hits = np.zeros(n_clusters)
    for partition in partitions:
        _, other = np.unique(partition[keep], return_inverse=True)
        other = other.ravel()
        width = int(other.max()) + 1 if other.size else 1
        pairs, shared = np.unique(reference * width + other, return_counts=True)
        mine, theirs = pairs // width, pairs % width
        jaccard = shared / (sizes[mine] + np.bincount(other)[theirs] - shared)
        best = np.zeros(n_clusters)
        np.maximum.at(best, mine, jaccard)
        hits += best >= MATCH_JACCARD
    return hits / len(partitions)
