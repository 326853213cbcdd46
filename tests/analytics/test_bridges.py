"""Tests of analytics.bridges (METRICS.md X3): bridges, local bridges, spans."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from datasets import email_eu_core, krackhardt, lazega

from analytics.bridges import bridges, common_neighbour_counts
from analytics.groups import GroupLabels
from graphsvc.errors import ValidationError

INF = np.inf


def hand_case() -> tuple[ig.Graph, GroupLabels]:
    """A 5-cycle 0..4 (group A) joined by 4-5 to a triangle 5-6-7 (B), a pendant 7-8 (8 has
    no group) and a separate 4-cycle 9..12 (B)."""
    edges = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (4, 5), (5, 6), (6, 7), (7, 5), (7, 8)]
    edges += [(9, 10), (10, 11), (11, 12), (12, 9)]
    sets = [{0}] * 5 + [{1}] * 3 + [set()] + [{1}] * 4
    return ig.Graph(13, edges), GroupLabels.from_sets(("A", "B"), sets)


def test_hand_case() -> None:
    graph, labels = hand_case()
    found = bridges(graph, labels)
    # 4-5 and 7-8 disconnect their component; the cycle ties have no common neighbour and
    # the way round is 4 hops (5-cycle) or 3 hops (4-cycle); triangle ties have span 2
    assert found.bridge.tolist() == [False] * 5 + [True, False, False, False, True] + [False] * 4
    assert found.span.tolist() == [4.0] * 5 + [INF, 2.0, 2.0, 2.0, INF] + [3.0] * 4
    assert found.local_bridge.tolist() == (found.span >= 3).tolist()
    assert found.common_neighbours.tolist() == [0] * 6 + [1, 1, 1] + [0] * 5
    # only 4-5 joins A and B; 7-8 touches an unaffiliated person, so it crosses no boundary
    assert np.flatnonzero(found.cross_group).tolist() == [5]
    assert np.flatnonzero(found.novel).tolist() == [5]
    assert (found.source.tolist(), found.target.tolist()) == tuple(
        map(list, zip(*graph.get_edgelist(), strict=True))
    )


def test_min_span_and_skipping_spans() -> None:
    graph, labels = hand_case()
    wide = bridges(graph, labels, min_span=5)
    assert np.flatnonzero(wide.wide).tolist() == [5, 9]  # only the infinite spans
    assert wide.min_span == 5
    quick = bridges(graph, labels, with_span=False)
    # not computed: the local bridges that are not bridges (the two cycles)
    assert np.isnan(quick.span).tolist() == [True] * 5 + [False] * 5 + [True] * 4
    assert quick.span[5] == INF and quick.span[6] == 2.0


def test_directed_graph_is_collapsed() -> None:
    labels = GroupLabels.from_sets(("A",), [{0}, {0}, {0}])
    found = bridges(ig.Graph(3, [(0, 1), (1, 0), (1, 2)], directed=True), labels)
    assert sorted(zip(found.source.tolist(), found.target.tolist(), strict=True)) == [
        (0, 1),
        (1, 2),
    ]
    assert found.bridge.all() and not found.cross_group.any()


def test_rejects_repeated_ties_and_wrong_sizes() -> None:
    labels = GroupLabels.from_sets(("A",), [{0}, {0}])
    with pytest.raises(ValidationError):
        bridges(ig.Graph(2, [(0, 1), (0, 1)]), labels)
    with pytest.raises(ValidationError):
        bridges(ig.Graph(3, [(0, 1)]), labels)


def test_empty_graph() -> None:
    labels = GroupLabels.from_sets(("A",), [{0}, set()])
    found = bridges(ig.Graph(2), labels)
    assert len(found.source) == 0 and len(found.span) == 0 and len(found.novel) == 0


def networkx_reference(graph: nx.Graph) -> tuple[set[frozenset[int]], dict[frozenset[int], float]]:
    found = {frozenset(e) for e in nx.bridges(graph)}
    local = {frozenset((u, v)): float(s) for u, v, s in nx.local_bridges(graph, with_span=True)}
    return found, local


def as_sets(found) -> tuple[set[frozenset[int]], dict[frozenset[int], float]]:
    ties = [frozenset(e) for e in zip(found.source.tolist(), found.target.tolist(), strict=True)]
    mine = {t for t, b in zip(ties, found.bridge, strict=True) if b}
    local = {t: float(s) for t, b, s in zip(ties, found.local_bridge, found.span, strict=True) if b}
    return mine, local


@pytest.mark.parametrize("seed", range(12))
def test_matches_networkx_on_random_graphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 90))
    if seed % 3 == 0:
        reference = nx.connected_watts_strogatz_graph(n, 4, 0.2, seed=seed)
    else:
        reference = nx.gnp_random_graph(n, float(rng.uniform(0.01, 0.12)), seed=seed)
    sets = [set(rng.choice(3, int(rng.integers(0, 3)), replace=False).tolist()) for _ in range(n)]
    labels = GroupLabels.from_sets(("A", "B", "C"), sets)
    found = bridges(ig.Graph(n, list(reference.edges())), labels)
    assert as_sets(found) == networkx_reference(reference)
    common = [len(list(nx.common_neighbors(reference, u, v))) for u, v in reference.edges()]
    assert found.common_neighbours.tolist() == common
    crossing = [
        bool(sets[u]) and bool(sets[v]) and not sets[u] & sets[v] for u, v in reference.edges()
    ]
    assert found.cross_group.tolist() == crossing


def test_common_neighbours_of_a_clique_and_star() -> None:
    # K5: every tie has the other 3 people in common; a star's ties have none
    clique = np.array([(u, v) for u in range(5) for v in range(u + 1, 5)])
    assert common_neighbour_counts(5, clique[:, 0], clique[:, 1]).tolist() == [3] * 10
    assert common_neighbour_counts(4, np.zeros(3, int), np.arange(1, 4)).tolist() == [0, 0, 0]


def test_common_neighbours_in_small_batches() -> None:
    # the wedge batching must give the same counts whatever the batch size
    graph = ig.Graph.Erdos_Renyi(60, 0.3)
    ends = np.array(graph.get_edgelist())
    whole = common_neighbour_counts(60, ends[:, 0], ends[:, 1])
    for batch in (1, 7, 1000):
        assert (common_neighbour_counts(60, ends[:, 0], ends[:, 1], batch=batch) == whole).all()
    brute = [len(set(graph.neighbors(u)) & set(graph.neighbors(v))) for u, v in ends]
    assert whole.tolist() == brute


def span_by_bfs(graph: nx.Graph, u: int, v: int) -> float:
    """Hop distance between u and v with the tie u-v removed, by networkx BFS."""
    graph.remove_edge(u, v)
    try:
        return float(nx.shortest_path_length(graph, u, v))
    except nx.NetworkXNoPath:
        return INF
    finally:
        graph.add_edge(u, v)


def test_small_real_networks_match_networkx() -> None:
    # Krackhardt advice (undirected) has no local bridge; in Lazega's advice network the
    # only one is lawyers 23-47 (vertices 22, 46), Boston (office 1) to Providence
    # (office 3), span 3 -- checked with nx.local_bridges(with_span=True)
    for net in (krackhardt("advice"), lazega("advice", "office")):
        reference = nx.Graph(net.graph(directed=False).get_edgelist())
        reference.add_nodes_from(range(net.n))
        found = bridges(net.graph(directed=True), net.labels)
        assert as_sets(found) == networkx_reference(reference)
    assert as_sets(found)[1] == {frozenset((22, 46)): 3.0}
    assert np.flatnonzero(found.novel).tolist() == np.flatnonzero(found.local_bridge).tolist()


def test_email_eu_core_matches_networkx() -> None:
    # 16,064 ties: 95 bridges (nx.bridges) and 288 ties without common neighbours; spans by
    # networkx BFS with the tie removed: 189 of 3 hops, 4 of 4 hops, 95 infinite
    net = email_eu_core()
    reference = nx.Graph(net.graph(directed=False).get_edgelist())
    found = bridges(net.graph(directed=True), net.labels)
    mine, local = as_sets(found)
    assert mine == {frozenset(e) for e in nx.bridges(reference)} and len(mine) == 95
    assert set(local) == {
        frozenset((u, v)) for u, v in nx.local_bridges(reference, with_span=False)
    }
    spans = {tie: span_by_bfs(reference, *sorted(tie)) for tie in local}
    assert local == spans
    values, counts = np.unique(list(spans.values()), return_counts=True)
    assert dict(zip(values.tolist(), counts.tolist(), strict=True)) == {3.0: 189, 4.0: 4, INF: 95}


def test_spans_of_cross_group_local_bridges_only() -> None:
    """``cross_spans_only`` leaves the spans of local bridges inside a group undefined and
    gives the cross-group ones exactly as the full computation does."""
    rng = np.random.default_rng(11)
    edges = {tuple(sorted(e)) for e in rng.integers(0, 40, size=(70, 2)).tolist() if e[0] != e[1]}
    graph = ig.Graph(n=40, edges=sorted(edges))
    labels = GroupLabels.from_sets(("a", "b"), [{int(g)} for g in rng.integers(0, 2, size=40)])
    full = bridges(graph, labels)
    cheap = bridges(graph, labels, cross_spans_only=True)
    pending = full.local_bridge & ~full.bridge
    assert np.any(pending & full.cross_group) and np.any(pending & ~full.cross_group)
    np.testing.assert_array_equal(
        cheap.span[pending & full.cross_group], full.span[pending & full.cross_group]
    )
    assert np.all(np.isnan(cheap.span[pending & ~full.cross_group]))
    np.testing.assert_array_equal(cheap.span[~pending], full.span[~pending])
