"""Burt's structural holes (METRICS.md B3).

Ground truth: hand-computed egos, networkx ``constraint`` / ``local_constraint`` /
``effective_size``, igraph ``constraint``, Borgatti's (1997) ``N − 2t/N`` and the
Krackhardt advice network.

Two networkx 3.6 quirks shape the references: its all-nodes ``effective_size`` (scipy
path) divides ``m_jq`` by the max of column q instead of contact j's max, so it differs
on weighted or directed graphs; and its per-node path treats a directed sink (no
out-arcs) as an isolate (NaN). Effective size is therefore compared with the per-node
path on the pooled undirected graph (``w_ij = a_ij + a_ji``), which is B3's definition.
"""

from __future__ import annotations

import math

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from datasets import krackhardt

from analytics.holes import StructuralHoles, structural_holes
from graphsvc.errors import ValidationError

ATOL = 1e-9


def random_graph(n: int, m: int, directed: bool, seed: int) -> ig.Graph:
    """G(n, m) plus two isolates; directed graphs get many reciprocated arcs."""
    rng = np.random.default_rng(seed)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < m:
        u, v = (int(x) for x in rng.integers(0, n, 2))
        if u == v:
            continue
        pairs.add((u, v) if directed else (min(u, v), max(u, v)))
        if directed and rng.random() < 0.3:
            pairs.add((v, u))
    edges = sorted(pairs)
    graph = ig.Graph(n=n + 2, edges=edges, directed=directed)
    graph.es["weight"] = rng.uniform(0.2, 3.0, len(edges)).tolist()
    return graph


def as_networkx(graph: ig.Graph, weighted: bool) -> nx.Graph:
    """Same arcs, ``weight`` = strength (or absent when unweighted)."""
    result = nx.DiGraph() if graph.is_directed() else nx.Graph()
    result.add_nodes_from(range(graph.vcount()))
    for edge in graph.es:
        data = {"weight": edge["weight"]} if weighted else {}
        result.add_edge(edge.source, edge.target, **data)
    return result


def pooled_networkx(graph: ig.Graph, weighted: bool) -> nx.Graph:
    """Undirected graph with ``weight = a_ij + a_ji`` (arcs count 1 when unweighted)."""
    result = nx.Graph()
    result.add_nodes_from(range(graph.vcount()))
    for edge in graph.es:
        add = edge["weight"] if weighted else 1.0
        old = result.get_edge_data(edge.source, edge.target, {"weight": 0.0})["weight"]
        result.add_edge(edge.source, edge.target, weight=old + add)
    return result


def as_array(values: dict[int, float], n: int) -> np.ndarray:
    return np.array([values[v] for v in range(n)])


def check(holes: StructuralHoles, **expected: list[float]) -> None:
    for name, values in expected.items():
        np.testing.assert_allclose(getattr(holes, name), values, rtol=0, atol=ATOL)


# ---------------------------------------------------------------- hand-computed egos


def test_star_by_hand() -> None:
    # centre with 4 unconnected contacts: p = 1/4, no indirect paths, c = 1/16 each,
    # C = 4/16; ES = 4 (no redundancy), efficiency 1; r = (1/16)/(1/16) = 1 → H = 0.
    # Leaves: one contact → C = 1, ES = 1, efficiency 1, H = 1 (convention).
    holes = structural_holes(ig.Graph([(0, 1), (0, 2), (0, 3), (0, 4)]), weighted=False)
    check(
        holes,
        constraint=[0.25, 1, 1, 1, 1],
        effective_size=[4, 1, 1, 1, 1],
        efficiency=[1, 1, 1, 1, 1],
        hierarchy=[0, 1, 1, 1, 1],
    )
    assert holes.degree.tolist() == [4, 1, 1, 1, 1]
    assert holes.ranked.tolist() == [True, False, False, False, False]


def test_triangle_by_hand() -> None:
    # p_ij = 1/2, indirect p_iq·p_qj = 1/4 → c_ij = (3/4)² = 9/16, C = 9/8 (the maximum);
    # ES = N − 2t/N = 2 − 2·1/2 = 1, efficiency 1/2; equal c_ij → H = 0.
    holes = structural_holes(ig.Graph([(0, 1), (1, 2), (0, 2)]), weighted=False)
    check(
        holes,
        constraint=[9 / 8] * 3,
        effective_size=[1] * 3,
        efficiency=[0.5] * 3,
        hierarchy=[0] * 3,
    )


def test_pair_and_isolate_conventions() -> None:
    # a lone tie: C = p² = 1, ES = 1, H = 1; the isolate (vertex 2): all 0 (Burt's
    # STRUCTURE convention; networkx gives NaN), never ranked.
    holes = structural_holes(ig.Graph(3, [(0, 1)]), weighted=False)
    check(
        holes,
        constraint=[1, 1, 0],
        effective_size=[1, 1, 0],
        efficiency=[1, 1, 0],
        hierarchy=[1, 1, 0],
    )
    assert holes.degree.tolist() == [1, 1, 0] and not holes.ranked.any()


def test_weighted_ego_by_hand() -> None:
    # ties 0-1 (3), 0-2 (1), 1-2 (1). s_0 = 4, s_1 = 4, s_2 = 2.
    # p01 = 3/4, p02 = 1/4, p12 = 1/4, p21 = 1/2.
    # c01 = (3/4 + 1/4·1/2)² = 49/64; c02 = (1/4 + 3/4·1/4)² = 49/256; C_0 = 245/256.
    # m12 = 1/3 (1's max is 3), m21 = 1 (2's max is 1):
    # ES_0 = (1 − p02·m12) + (1 − p01·m21) = 11/12 + 1/4 = 7/6, efficiency 7/12.
    # H_0: C/N = 245/512, r01 = 1.6, r02 = 0.4 → (1.6 ln 1.6 + 0.4 ln 0.4)/(2 ln 2).
    graph = ig.Graph([(0, 1), (0, 2), (1, 2)])
    graph.es["weight"] = [3.0, 1.0, 1.0]
    holes = structural_holes(graph)
    assert holes.constraint[0] == pytest.approx(245 / 256, abs=ATOL)
    assert holes.effective_size[0] == pytest.approx(7 / 6, abs=ATOL)
    assert holes.efficiency[0] == pytest.approx(7 / 12, abs=ATOL)
    expected = (1.6 * math.log(1.6) + 0.4 * math.log(0.4)) / (2 * math.log(2))
    assert holes.hierarchy[0] == pytest.approx(expected, abs=ATOL)
    assert expected == pytest.approx(0.278072, abs=1e-6)


def test_reciprocated_arcs_weigh_double_when_unweighted() -> None:
    # 0⇄1 and 0→2: w01 = 2, w02 = 1 → p01 = 2/3, p02 = 1/3, C_0 = 4/9 + 1/9 = 5/9.
    graph = ig.Graph([(0, 1), (1, 0), (0, 2)], directed=True)
    assert structural_holes(graph, weighted=False).constraint[0] == pytest.approx(5 / 9)


# ---------------------------------------------------------------- networkx and igraph


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_equals_networkx(directed: bool, weighted: bool, seed: int) -> None:
    graph = random_graph(60, 220, directed, seed)
    n = graph.vcount()
    holes = structural_holes(graph, weighted=weighted)
    direct = as_networkx(graph, weighted)
    pooled = pooled_networkx(graph, weighted)
    weight = "weight" if weighted else None
    contacts = holes.degree > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        constraint = as_array(nx.constraint(direct, weight=weight), n)
    size = as_array(nx.effective_size(pooled, nodes=list(pooled), weight="weight"), n)
    np.testing.assert_allclose(holes.constraint[contacts], constraint[contacts], rtol=0, atol=ATOL)
    np.testing.assert_allclose(holes.effective_size[contacts], size[contacts], rtol=0, atol=ATOL)
    assert np.isnan(constraint[~contacts]).all() and (holes.constraint[~contacts] == 0).all()
    # the per-node networkx path on the directed graph agrees where it is defined
    if directed and weighted:
        per_node = nx.constraint(direct, nodes=[0, 1, 2], weight=weight)
        for v, value in per_node.items():
            if not math.isnan(value):
                assert holes.constraint[v] == pytest.approx(value, abs=ATOL)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_hierarchy_from_networkx_local_constraint(directed: bool, weighted: bool) -> None:
    graph = random_graph(40, 120, directed, seed=3)
    holes = structural_holes(graph, weighted=weighted)
    direct = as_networkx(graph, weighted)
    weight = "weight" if weighted else None
    for ego in range(graph.vcount()):
        contacts = sorted(set(nx.all_neighbors(direct, ego)))
        count = len(contacts)
        if count < 2:
            continue
        local = np.array([nx.local_constraint(direct, ego, j, weight=weight) for j in contacts])
        assert holes.constraint[ego] == pytest.approx(local.sum(), abs=ATOL)
        ratio = local / (local.sum() / count)
        expected = float(np.sum(ratio * np.log(ratio)) / (count * math.log(count)))
        assert holes.hierarchy[ego] == pytest.approx(expected, abs=ATOL)
    assert holes.hierarchy.max() > 0.01


def test_unweighted_effective_size_is_borgatti() -> None:
    # Borgatti (1997): ES = N − 2t/N, t = ties among the N contacts
    graph = random_graph(60, 260, directed=False, seed=4)
    holes = structural_holes(graph, weighted=False)
    for ego in range(graph.vcount()):
        contacts = graph.neighbors(ego)
        if not contacts:
            continue
        among = graph.induced_subgraph(contacts).ecount()
        expected = len(contacts) - 2 * among / len(contacts)
        assert holes.effective_size[ego] == pytest.approx(expected, abs=ATOL)


def test_constraint_equals_igraph() -> None:
    graph = random_graph(80, 400, directed=True, seed=5)
    holes = structural_holes(graph)
    reference = np.asarray(graph.constraint(weights="weight"))
    contacts = holes.degree > 0
    np.testing.assert_allclose(holes.constraint[contacts], reference[contacts], rtol=0, atol=ATOL)


def test_rejects_missing_weights() -> None:
    with pytest.raises(ValidationError, match="weight"):
        structural_holes(ig.Graph([(0, 1)]))


# ---------------------------------------------------------------- real data


def test_krackhardt_advice_equals_networkx() -> None:
    network = krackhardt("advice")
    undirected = network.graph(directed=False)
    holes = structural_holes(undirected, weighted=False)
    reference = as_networkx(undirected, weighted=False)
    np.testing.assert_allclose(
        holes.constraint, as_array(nx.constraint(reference), 21), rtol=0, atol=ATOL
    )
    np.testing.assert_allclose(
        holes.effective_size, as_array(nx.effective_size(reference), 21), rtol=0, atol=ATOL
    )
    # checked against the networkx values above: manager 9 is the least constrained
    # (16 contacts), manager 15 has the largest effective size (20 contacts)
    assert int(np.argmin(holes.constraint)) + 1 == 9
    assert holes.constraint[8] == pytest.approx(0.182275, abs=1e-6)
    assert int(np.argmax(holes.effective_size)) + 1 == 15
    assert holes.effective_size[14] == pytest.approx(7.5, abs=ATOL)
    assert holes.ranked.all()
    # the directed arcs, pooled (reciprocated advice weighs 2), equal networkx on the digraph
    directed = network.graph(directed=True)
    pooled = structural_holes(directed, weighted=False)
    np.testing.assert_allclose(
        pooled.constraint,
        as_array(nx.constraint(as_networkx(directed, weighted=False)), 21),
        rtol=0,
        atol=ATOL,
    )
    assert int(np.argmin(pooled.constraint)) + 1 == 18
