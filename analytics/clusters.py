"""Formal groups against Leiden communities; hidden cross-cutting clusters (METRICS.md S5, S8).

Leiden runs on the undirected graph, directed weights summed per pair; the collapse, the
seeded runs and the presence of a cluster across runs are :mod:`analytics.leiden`. Isolated
vertices are singleton clusters numbered after the others and take no part in the
comparison, the conductance median or the hidden clusters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np
import scipy.sparse as sp
from sklearn.metrics import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    normalized_mutual_info_score,
)

from analytics.groups import GroupLabels
from analytics.leiden import (
    MATCH_JACCARD,
    MAX_PASSES,
    PASS_BUDGET,
    PASS_GAIN,
    UndirectedNetwork,
    cluster_presence,
    leiden_runs,
    undirected_network,
)
from graphsvc.errors import ValidationError

__all__ = [
    "FULL_RUNS_EDGES",
    "MATCH_JACCARD",
    "MAX_PASSES",
    "MIN_RUNS",
    "PASS_BUDGET",
    "PASS_GAIN",
    "ClusterReport",
    "HiddenCluster",
    "hidden_clusters",
    "stability_runs",
]

#: Up to this many undirected edges every requested run is made (see :func:`stability_runs`).
FULL_RUNS_EDGES = 100_000
#: Fewest stability runs on large graphs (when ``seeds`` asks for at least that many).
MIN_RUNS = 3


@dataclass(frozen=True)
class HiddenCluster:
    """A detected cluster that cuts across the formal groups (METRICS.md S8).

    ``communities`` holds ``(group id, members holding that group)`` by decreasing count (a
    multi-member counts in each of its groups); ``unaffiliated`` counts members without one.
    """

    members: np.ndarray
    conductance: float
    presence: float
    max_share: float
    communities: tuple[tuple[str, int], ...]
    unaffiliated: int

    @property
    def size(self) -> int:
        return int(self.members.size)

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "conductance": self.conductance,
            "presence": self.presence,
            "max_share": self.max_share,
            "communities": dict(self.communities),
            "unaffiliated": self.unaffiliated,
            "members": self.members.tolist(),
        }


@dataclass(frozen=True)
class ClusterReport:
    """Leiden partition, its comparison with the formal partition, and the hidden clusters.

    ``membership[i]`` is the detected cluster of vertex ``i``: clusters of non-isolated
    vertices are ``0..n_clusters-1`` by decreasing size (ties: smallest member first), each
    isolated vertex follows as its own cluster. ``contingency[g, c]`` counts the compared
    vertices (non-isolated, with a primary group) of primary group ``g`` in cluster ``c``;
    ``cluster_conductance``/``cluster_presence`` are per cluster, ``formal_conductance`` per
    group (NaN where undefined) and ``conductance_threshold`` its median.
    """

    nmi: float
    ari: float
    ami: float
    modularity_formal: float
    modularity_detected: float
    membership: np.ndarray
    n_clusters: int
    n_isolated: int
    contingency: sp.csr_matrix
    cluster_conductance: np.ndarray
    cluster_presence: np.ndarray
    formal_conductance: np.ndarray
    conductance_threshold: float
    runs: int
    resolution: float
    hidden: tuple[HiddenCluster, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON; NaN (undefined) becomes ``None``; members are vertex indexes."""
        scores = ("nmi", "ari", "ami", "modularity_formal", "modularity_detected")
        plain = {name: _plain(getattr(self, name)) for name in scores}
        counts = {"clusters": self.n_clusters, "isolated": self.n_isolated, "runs": self.runs}
        return plain | counts | {"hidden": [cluster.to_dict() for cluster in self.hidden]}


def stability_runs(n_edges: int, seeds: int) -> int:
    """How many Leiden runs :func:`hidden_clusters` makes for ``n_edges`` undirected edges.

    All ``seeds`` runs up to :data:`FULL_RUNS_EDGES` edges; above, ``seeds·FULL_RUNS_EDGES/m``
    runs (the same edge work), never fewer than ``min(seeds, MIN_RUNS)``.

    Examples
    --------
    >>> stability_runs(50_000, 20), stability_runs(200_000, 20), stability_runs(1_000_000, 20)
    (20, 10, 3)
    """
    if n_edges <= FULL_RUNS_EDGES:
        return seeds
    return max(min(seeds, MIN_RUNS), seeds * FULL_RUNS_EDGES // n_edges)


def hidden_clusters(
    graph: ig.Graph,
    labels: GroupLabels,
    *,
    resolution: float = 1.0,
    seeds: int = 20,
    min_size: int = 5,
    max_share: float = 0.6,
    presence: float = 0.8,
    seed: int = 0,
) -> ClusterReport:
    """Leiden communities against the formal groups, and the hidden cross-cutting clusters.

    METRICS.md S5 and S8. Leiden (Traag, Waltman & van Eck 2019) maximises
    ``Q = (1/2W) Σ_ij [A_ij − γ k_i k_j / 2W] δ(c_i, c_j)`` (Newman & Girvan 2004) on the
    undirected graph (directed weights summed per pair); the reported partition is the best
    (highest Q, first on ties) of :func:`stability_runs` runs seeded from ``seed``.
    ``modularity_formal`` is the same Q of the M3 primary partition (unaffiliated vertices
    as singletons). NMI (arithmetic mean; Danon et al. 2005), ARI (Hubert & Arabie 1985) and
    AMI (Vinh et al. 2010) compare primary group and cluster over the vertices that are
    neither isolated nor unaffiliated. Conductance ``φ(S) = cut(S, S̄)/min(vol S, vol S̄)``
    (weighted; Shi & Malik 2000) is taken for every cluster and for each formal group as
    the set of all its members. A cluster ``C`` is hidden iff ``|C| ≥ min_size``,
    ``max_g |C∩g|/|C| < max_share`` (``C∩g`` = members of C holding g, so a multi-member
    counts in each of its groups; unaffiliated members count in ``|C|`` only),
    ``φ(C) <`` the median φ of the formal groups, and C is present (a cluster with Jaccard
    ≥ :data:`MATCH_JACCARD`) in a share ≥ ``presence`` of the runs, the best one included.

    Parameters
    ----------
    graph, labels
        The interaction graph (edge attribute ``"weight"`` > 0, optional) and its groups.
    resolution
        γ of Leiden and of both modularities.
    seeds
        Leiden runs asked for; :func:`stability_runs` lowers it on large graphs.
    min_size, max_share, presence
        The hidden-cluster thresholds above.
    seed
        Seeds the runs: equal seeds give equal reports.

    Returns
    -------
    ClusterReport
        Scores, partition, contingency table, conductances and the hidden clusters.

    Examples
    --------
    >>> g = ig.Graph.Full(5) + ig.Graph.Full(5)  # two disjoint 5-cliques
    >>> _ = g.add_edge(0, 5)
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}] * 5 + [{1}] * 5)
    >>> report = hidden_clusters(g, labels, seeds=3)
    >>> report.nmi, report.ari, report.n_clusters, report.hidden
    (1.0, 1.0, 2, ())
    >>> round(report.modularity_formal, 4)  # 2·(10/21 − (21/42)²)
    0.4524
    """
    rule = _Rule(min_size, max_share, presence)
    if labels.n_vertices != graph.vcount() or resolution <= 0 or seeds < 1:
        raise ValidationError(
            "options",
            f"{labels.n_vertices} label sets for "
            f"{graph.vcount()} vertices, resolution {resolution}, seeds {seeds}",
        )
    network = undirected_network(graph)
    runs = stability_runs(network.graph.ecount(), seeds)
    partitions, qualities = leiden_runs(network, resolution, runs, seed)
    isolated = network.strength == 0
    membership, n_clusters = _renumbered(partitions[int(np.argmax(qualities))], isolated)
    compared = ~isolated & (labels.primary >= 0)
    truth, found = labels.primary[compared], membership[compared]
    cluster_phi = _conductance(membership, n_clusters, network)
    member = labels.membership()
    formal_phi = _group_conductance(member, network)
    defined = formal_phi[~np.isnan(formal_phi)]
    threshold = float(np.median(defined)) if defined.size else float("nan")
    present = cluster_presence(membership, n_clusters, partitions, ~isolated)
    table = (np.ones(truth.size, dtype=np.int64), (truth, found))
    return ClusterReport(
        nmi=_score(normalized_mutual_info_score, truth, found),
        ari=_score(adjusted_rand_score, truth, found),
        ami=_score(adjusted_mutual_info_score, truth, found),
        modularity_formal=_modularity(network, _formal_membership(labels), resolution),
        modularity_detected=_modularity(network, membership, resolution),
        membership=membership,
        n_clusters=n_clusters,
        n_isolated=int(isolated.sum()),
        contingency=sp.csr_matrix(table, shape=(labels.n_groups, n_clusters)),
        cluster_conductance=cluster_phi,
        cluster_presence=present,
        formal_conductance=formal_phi,
        conductance_threshold=threshold,
        runs=runs,
        resolution=resolution,
        hidden=rule.hidden(membership, n_clusters, labels, member, cluster_phi, present, threshold),
    )


def _renumbered(membership: np.ndarray, isolated: np.ndarray) -> tuple[np.ndarray, int]:
    """Clusters of non-isolated vertices by decreasing size, then each isolate alone."""
    _, first, inverse, sizes = np.unique(np.where(isolated, -1, membership), True, True, True)
    real = np.arange(sizes.size) if not isolated.any() else np.arange(1, sizes.size)
    order = real[np.lexsort((first[real], -sizes[real]))]
    rank = np.empty(sizes.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    renumbered = rank[inverse.ravel()]
    renumbered[isolated] = order.size + np.arange(int(isolated.sum()))
    return renumbered, int(order.size)


def _score(metric: Any, truth: np.ndarray, found: np.ndarray) -> float:
    return float(metric(truth, found)) if truth.size else float("nan")


def _formal_membership(labels: GroupLabels) -> np.ndarray:
    """The M3 partition, each unaffiliated vertex a singleton."""
    own = np.arange(labels.n_vertices) + labels.n_groups
    return np.where(labels.primary >= 0, labels.primary, own)


def _modularity(network: UndirectedNetwork, membership: np.ndarray, resolution: float) -> float:
    if network.graph.ecount() == 0:
        return float("nan")
    compact = np.unique(membership, return_inverse=True)[1].ravel().tolist()
    return float(network.graph.modularity(compact, network.weights, resolution=resolution))


def _phi(volume: np.ndarray, inside: np.ndarray, total: float) -> np.ndarray:
    cut = np.maximum(volume - 2 * inside, 0.0)
    smaller = np.minimum(volume, total - volume)
    phi = np.full(volume.size, np.nan)
    np.divide(cut, smaller, out=phi, where=smaller > 1e-12 * total)
    return phi


def _conductance(membership: np.ndarray, n_clusters: int, network: UndirectedNetwork) -> np.ndarray:
    """Weighted conductance of clusters ``0..n_clusters-1`` of a partition."""
    strength = network.strength
    volume = np.bincount(membership, strength, membership.size)[:n_clusters]
    ends = membership[network.source]
    same = ends == membership[network.target]
    inside = np.bincount(ends[same], network.weight[same], membership.size)[:n_clusters]
    return _phi(volume, inside, float(strength.sum()))


def _group_conductance(member: sp.csr_matrix, network: UndirectedNetwork) -> np.ndarray:
    """Weighted conductance of each (possibly overlapping) formal group, by its member set."""
    strength = network.strength
    volume = member.T @ strength
    both = member[network.source].multiply(member[network.target])
    inside = np.asarray(both.T @ network.weight).ravel()
    return _phi(np.asarray(volume).ravel(), inside, float(strength.sum()))


@dataclass(frozen=True)
class _Rule:
    """The METRICS.md S8 hidden-cluster rule."""

    min_size: int
    max_share: float
    presence: float

    def __post_init__(self) -> None:
        if self.min_size < 1 or not 0 < self.max_share <= 1 or not 0 < self.presence <= 1:
            raise ValidationError("options", f"hidden-cluster rule out of range: {self}")

    def hidden(
        self,
        membership: np.ndarray,
        n_clusters: int,
        labels: GroupLabels,
        member: sp.csr_matrix,
        phi: np.ndarray,
        present: np.ndarray,
        threshold: float,
    ) -> tuple[HiddenCluster, ...]:
        """The clusters passing the rule, largest first."""
        vertices = np.flatnonzero(membership < n_clusters)
        indicator = (np.ones(vertices.size), (membership[vertices], vertices))
        cluster_by_vertex = sp.csr_matrix(indicator, shape=(n_clusters, membership.size))
        holding = sp.csr_matrix(cluster_by_vertex @ member)
        sizes = np.bincount(membership[vertices], minlength=n_clusters)
        top = holding.max(axis=1).toarray().ravel() if labels.n_groups else np.zeros(n_clusters)
        share = top / np.maximum(sizes, 1)
        with np.errstate(invalid="ignore"):
            closed = phi < threshold
        chosen = (sizes >= self.min_size) & (share < self.max_share) & closed
        chosen &= present >= self.presence
        hidden = []
        for c in np.flatnonzero(chosen).tolist():
            row = holding.getrow(c)
            pairs = zip(row.data.astype(np.int64).tolist(), row.indices.tolist(), strict=True)
            ordered = sorted(pairs, key=lambda pair: (-pair[0], pair[1]))
            members = np.flatnonzero(membership == c)
            communities = tuple((labels.groups[group], count) for count, group in ordered)
            unaffiliated = int((labels.primary[members] < 0).sum())
            hidden.append(
                HiddenCluster(
                    members,
                    float(phi[c]),
                    float(present[c]),
                    float(share[c]),
                    communities,
                    unaffiliated,
                )
            )
        return tuple(hidden)


def _plain(value: float) -> float | None:
    return None if np.isnan(value) else value
