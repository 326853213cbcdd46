"""Tests of analytics.reciprocity (METRICS.md X5)."""

from __future__ import annotations

import itertools

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from datasets import email_eu_core, krackhardt, lazega

from analytics.groups import GroupLabels
from analytics.reciprocity import reciprocity
from graphsvc.errors import ValidationError

NAN = np.nan


def hand_graph() -> ig.Graph:
    """Arcs (weight): 0->1 (2), 1->0 (1), 1->2 (3), 2->3 (1), 3->2 (4), 0->2 (2), 2->0 (5)."""
    arcs = [(0, 1), (1, 0), (1, 2), (2, 3), (3, 2), (0, 2), (2, 0)]
    graph = ig.Graph(4, arcs, directed=True)
    graph.es["weight"] = [2.0, 1, 3, 1, 4, 2, 5]
    return graph


def test_graph_level_by_hand() -> None:
    found = reciprocity(hand_graph())
    # L = 7; every arc but 1->2 has its reverse: L<-> = 6, r = 6/7
    assert (found.vertices, found.arcs, found.mutual_arcs) == (4, 7, 6)
    assert found.reciprocity == pytest.approx(6 / 7, abs=1e-12)
    # a = 7/(4*3) = 7/12; rho = (6/7 - 7/12)/(1 - 7/12) = (23/84)/(5/12) = 23/35
    assert found.density == pytest.approx(7 / 12, abs=1e-12)
    assert found.rho == pytest.approx(23 / 35, abs=1e-12)
    # sum of min(w_ij, w_ji) over ordered pairs: 0-1: 1+1, 2-3: 1+1, 0-2: 2+2 -> 8; W = 18
    assert found.weighted == pytest.approx(8 / 18, abs=1e-12)
    assert found.pairs is None


def test_group_pairs_by_hand() -> None:
    # 0, 1 in A; 2 in B; 3 in A and B
    labels = GroupLabels.from_sets(("A", "B"), [{0}, {0}, {1}, {0, 1}])
    pairs = reciprocity(hand_graph(), labels).pairs
    assert pairs is not None and pairs.groups == ("A", "B")
    # 0->1, 1->0 inside A; 2->3, 3->2 share B (3 is also in A, but M1 makes them internal
    # to B); 1->2 and 0->2 go A->B; 2->0 goes B->A
    assert pairs.arcs.tolist() == [[2, 2], [1, 2]]
    # answered back: all of A->A and B->B; A->B only 0->2; B->A 2->0
    assert pairs.mutual.tolist() == [[2, 1], [1, 2]]
    # pair A-B: (1 + 1)/(2 + 1) = 2/3; inside A and inside B: 1
    np.testing.assert_allclose(pairs.reciprocity, [[1, 2 / 3], [2 / 3, 1]], atol=1e-12)
    # weighted: A: (1+1)/(2+1); B: (1+1)/(1+4); A-B: (2+2+0)/(3+2+5)
    np.testing.assert_allclose(pairs.weighted, [[2 / 3, 0.4], [0.4, 0.4]], atol=1e-12)


def test_pairs_without_arcs_are_nan_and_empty_graph() -> None:
    labels = GroupLabels.from_sets(("A", "B", "C"), [{0}, {1}, {2}])
    found = reciprocity(ig.Graph(3, [(0, 1)], directed=True), labels)
    assert found.reciprocity == 0.0 and found.rho == pytest.approx(-1 / 5)  # a = 1/6
    assert found.pairs is not None
    assert found.pairs.reciprocity[0, 1] == 0.0 and np.isnan(found.pairs.reciprocity[1, 2])
    empty = reciprocity(ig.Graph(3, directed=True))
    assert empty.arcs == 0 and np.isnan(empty.reciprocity) and np.isnan(empty.weighted)


def test_rejects_undirected_graph() -> None:
    with pytest.raises(ValidationError):
        reciprocity(ig.Graph(3, [(0, 1)]))


@pytest.mark.parametrize("seed", range(10))
def test_matches_networkx_and_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 50))
    reference = nx.gnp_random_graph(n, float(rng.uniform(0.02, 0.4)), seed=seed, directed=True)
    graph = ig.Graph(n, list(reference.edges()), directed=True)
    weights = rng.uniform(0.1, 5, graph.ecount())
    graph.es["weight"] = weights.tolist()
    found = reciprocity(graph)
    if reference.number_of_edges():
        assert found.reciprocity == pytest.approx(nx.overall_reciprocity(reference), abs=1e-9)
        assert found.reciprocity == pytest.approx(graph.reciprocity(), abs=1e-9)
    weight = dict(zip(graph.get_edgelist(), weights.tolist(), strict=True))
    matched = sum(min(w, weight.get((v, u), 0.0)) for (u, v), w in weight.items())
    if weight:
        assert found.weighted == pytest.approx(matched / sum(weight.values()), abs=1e-9)
    density = len(weight) / (n * (n - 1))
    assert found.density == pytest.approx(density, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_group_pairs_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, g = 30, 3
    graph = ig.Graph.Erdos_Renyi(n, 0.2, directed=True)
    graph.es["weight"] = rng.uniform(0.1, 2, graph.ecount()).tolist()
    sets = [set(rng.choice(g, int(rng.integers(0, 3)), replace=False).tolist()) for _ in range(n)]
    labels = GroupLabels.from_sets(("A", "B", "C"), sets)
    weight = {e.tuple: e["weight"] for e in graph.es}
    arcs, mutual = np.zeros((g, g)), np.zeros((g, g))
    total, matched = np.zeros((g, g)), np.zeros((g, g))
    for (u, v), w in weight.items():
        shared = sets[u] & sets[v]
        cells = [(a, a) for a in shared] if shared else itertools.product(sets[u], sets[v])
        for a, b in cells:
            arcs[a, b] += 1
            mutual[a, b] += (v, u) in weight
            total[a, b] += w
            matched[a, b] += min(w, weight.get((v, u), 0.0))
    pairs = reciprocity(graph, labels).pairs
    assert pairs is not None
    assert (pairs.arcs == arcs).all() and (pairs.mutual == mutual).all()
    for a, b in itertools.product(range(g), repeat=2):
        cells = [(a, b)] if a == b else [(a, b), (b, a)]
        bottom = sum(arcs[c] for c in cells)
        expected = sum(mutual[c] for c in cells) / bottom if bottom else NAN
        np.testing.assert_allclose(pairs.reciprocity[a, b], expected, rtol=0, atol=1e-9)
        bottom_w = sum(total[c] for c in cells)
        expected_w = sum(matched[c] for c in cells) / bottom_w if bottom_w else NAN
        np.testing.assert_allclose(pairs.weighted[a, b], expected_w, rtol=0, atol=1e-9)


def test_email_eu_core_readme_facts() -> None:
    # README: 24,929 non-loop arcs, 17,730 reciprocated -> r = 0.7112...; 34.7% of the
    # arcs inside one department (8,645, counted in plain Python below)
    net = email_eu_core()
    found = reciprocity(net.graph(directed=True), net.labels)
    assert (found.vertices, found.arcs, found.mutual_arcs) == (1005, 24_929, 17_730)
    assert found.reciprocity == pytest.approx(17_730 / 24_929, abs=1e-12)
    assert round(found.reciprocity, 4) == 0.7112
    # rho with a = 24,929/(1,005 * 1,004) = 0.024706...: (0.711220 - 0.024706)/0.975294
    assert found.rho == pytest.approx(0.7039045, abs=1e-7)
    group_of = [min(s) for s in net.labels.sets]
    inside = sum(group_of[u] == group_of[v] for u, v in zip(net.source, net.target, strict=True))
    assert found.pairs is not None
    assert int(np.trace(found.pairs.arcs)) == inside == 8_645
    assert round(inside / found.arcs, 3) == 0.347
    assert int(found.pairs.arcs.sum()) == 24_929  # one department each: every arc once


@pytest.mark.parametrize(
    ("net", "arcs", "mutual"),
    [
        # Lazega advice: 892 arcs (Lazega 2001), 350 of them answered back (plain count)
        (lazega("advice", "office"), 892, 350),
        # Krackhardt advice: 190 arcs (Krackhardt 1987), 90 answered back
        (krackhardt("advice"), 190, 90),
    ],
)
def test_small_real_networks(net, arcs: int, mutual: int) -> None:
    found = reciprocity(net.graph(directed=True), net.labels)
    reference = nx.DiGraph(list(zip(net.source.tolist(), net.target.tolist(), strict=True)))
    assert (found.arcs, found.mutual_arcs) == (arcs, mutual)
    assert found.reciprocity == pytest.approx(nx.overall_reciprocity(reference), abs=1e-12)
    assert found.weighted == pytest.approx(found.reciprocity, abs=1e-12)  # unit weights
    assert found.pairs is not None and int(found.pairs.mutual.sum()) == mutual
