"""Tests of analytics.ties: X1 group matrix, X2 carriers, X6 flow, report rows."""

from __future__ import annotations

import itertools
from collections import Counter

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from datasets import email_eu_core, krackhardt, lazega

from analytics.groups import GroupLabels
from analytics.ties import PAIR_FIELDS, pairs, tie_matrix
from graphsvc.errors import ValidationError

NAN = np.nan


def multi_member_case() -> tuple[ig.Graph, GroupLabels]:
    """Groups A, B, C; vertex 5 is unaffiliated; 1 and 6 are in A and B, 4 in B and C.

    tie (w, count)   where it lies (M1/M2)
    0-1 (2, 3)       shares A            -> AA += 2
    1-2 (4, 1)       shares B            -> BB += 4
    0-2 (3, 1)       crosses A|B         -> AB += 3
    1-3 (6, 4)       crosses {A,B}|C     -> AC += 6/2, BC += 6/2
    1-4 (8, 1)       shares B            -> BB += 8
    0-4 (4, 1)       crosses A|{B,C}     -> AB += 4/2, AC += 4/2
    3-4 (1, 1)       shares C            -> CC += 1
    2-5 (5, 1)       5 unaffiliated      -> nowhere
    1-6 (2, 1)       shares A and B      -> AA += 2/2, BB += 2/2
    """
    labels = GroupLabels.from_sets(("A", "B", "C"), [{0}, {0, 1}, {1}, {2}, {1, 2}, set(), {0, 1}])
    edges = [(0, 1), (1, 2), (0, 2), (1, 3), (1, 4), (0, 4), (3, 4), (2, 5), (1, 6)]
    graph = ig.Graph(7, edges)
    graph.es["weight"] = [2.0, 4, 3, 6, 8, 4, 1, 5, 2]
    graph.es["count"] = [3.0, 1, 1, 4, 1, 1, 1, 1, 1]
    return graph, labels


def flow_case() -> ig.Graph:
    """Arcs (weight) on the vertices of multi_member_case:
    0->2 (2): A->B 2;  2->0 (1): B->A 1;  1->3 (4): A->C 2, B->C 2;
    4->0 (1): B->A 1/2, C->A 1/2;  1->2 (5): shares B -> BB 5."""
    flow = ig.Graph(7, [(0, 2), (2, 0), (1, 3), (4, 0), (1, 2)], directed=True)
    flow.es["weight"] = [2.0, 1, 4, 1, 5]
    return flow


def test_m2_split_weights_counts_and_dyads_by_hand() -> None:
    graph, labels = multi_member_case()
    ties = tie_matrix(graph, labels)
    # W: AA 2+1 = 3; BB 4+8+1 = 13; CC 1; AB 3+2 = 5; AC 3+2 = 5; BC 3
    np.testing.assert_allclose(ties.weight, [[3, 5, 5], [5, 13, 3], [5, 3, 1]], atol=1e-12)
    # counts: AA 3 + 1/2; BB 1+1+1/2; AB 1 + 1/2; AC 4/2 + 1/2; BC 4/2; CC 1
    np.testing.assert_allclose(
        ties.interactions, [[3.5, 1.5, 2.5], [1.5, 2.5, 2], [2.5, 2, 1]], atol=1e-12
    )
    # distinct dyads: AA {0-1, 1-6}; BB {1-2, 1-4, 1-6}; CC {3-4}; AB {0-2, 0-4};
    # AC {1-3, 0-4}; BC {1-3}
    assert ties.dyads.tolist() == [[2, 2, 2], [2, 3, 1], [2, 1, 1]]
    assert ties.sizes.tolist() == [3, 4, 2]  # A {0,1,6}, B {1,2,4,6}, C {3,4}
    # density: AA 2/3, BB 3/6, CC 1/1, AB 2/12, AC 2/6, BC 1/8
    np.testing.assert_allclose(
        ties.density,
        [[2 / 3, 2 / 12, 2 / 6], [2 / 12, 3 / 6, 1 / 8], [2 / 6, 1 / 8, 1]],
        atol=1e-12,
    )
    # possible pairs: AA 3, BB 6, CC 1, AB 12, AC 6, BC 8 -> only AB reaches 10
    assert ties.small.tolist() == [[True, False, True], [False, True, True], [True, True, True]]
    # row share over cross weight: A 5/10, 5/10; B 5/8, 3/8; C 5/8, 3/8
    np.testing.assert_allclose(
        ties.row_share,
        [[NAN, 0.5, 0.5], [0.625, NAN, 0.375], [0.625, 0.375, NAN]],
        atol=1e-12,
    )


def test_mixing_and_observed_expected_by_hand() -> None:
    graph, labels = multi_member_case()
    ties = tie_matrix(graph, labels)
    # total affiliated weight W = 3+13+1+5+5+3 = 30 (tie 2-5 of weight 5 is left out)
    # e_AA = 3/30, e_BB = 13/30, e_CC = 1/30, e_AB = e_AC = 5/60, e_BC = 3/60
    expected_e = np.array([[6, 5, 5], [5, 26, 3], [5, 3, 2]]) / 60
    np.testing.assert_allclose(ties.mixing, expected_e, atol=1e-12)
    # vol_A = 2*3+5+5 = 16, vol_B = 26+5+3 = 34, vol_C = 2+5+3 = 10; a = vol/60
    np.testing.assert_allclose(ties.end_share, np.array([16, 34, 10]) / 60, atol=1e-12)
    # O/E_AB = (5/60)/((16/60)(34/60)) = 300/544; O/E_AA = (3/30)/(16/60)^2 = 1.40625
    assert ties.observed_expected[0, 1] == pytest.approx(300 / 544, abs=1e-12)
    assert ties.observed_expected[0, 0] == pytest.approx(1.40625, abs=1e-12)
    assert ties.observed_expected[1, 2] == pytest.approx((3 / 60) / (34 * 10 / 3600), abs=1e-12)


def test_carriers_by_hand() -> None:
    graph, labels = multi_member_case()
    ties = tie_matrix(graph, labels)
    # crossing ties: 0-2 (A|B), 1-3 ({A,B}|C), 0-4 (A|{B,C})
    # AB: A side {0}, B side {2, 4} -> K = 1; AC: {0, 1} and {3, 4} -> 2; BC: {1}, {3} -> 1
    assert ties.carrier_sides.tolist() == [[0, 1, 2], [2, 0, 1], [2, 1, 0]]
    assert ties.carriers.tolist() == [[0, 1, 2], [1, 0, 1], [2, 1, 0]]
    assert ties.fragile.tolist() == [
        [False, True, False],
        [True, False, True],
        [False, True, False],
    ]
    sides = {pair: ties.carriers_of(*pair) for pair in [("A", "B"), ("A", "C"), (1, 2)]}
    assert {k: (a.tolist(), b.tolist()) for k, (a, b) in sides.items()} == {
        ("A", "B"): ([0], [2, 4]),
        ("A", "C"): ([0, 1], [3, 4]),
        (1, 2): ([1], [3]),
    }
    # 1 is in A and B and tied to 2 (B) and 0 (A), but both ties are internal (M1)
    assert 1 not in ties.carriers_of("A", "B")[0]


def test_flow_by_hand() -> None:
    graph, labels = multi_member_case()
    ties = tie_matrix(graph, labels, flow_graph=flow_case())
    assert ties.flow is not None and ties.net_flow is not None
    assert ties.asymmetry is not None and ties.export_share is not None
    # F_AB = 2, F_BA = 1 + 1/2, F_AC = 2, F_CA = 1/2, F_BC = 2, F_CB = 0, F_BB = 5
    np.testing.assert_allclose(ties.flow, [[0, 2, 2], [1.5, 5, 2], [0.5, 0, 0]], atol=1e-12)
    np.testing.assert_allclose(ties.net_flow, ties.flow - ties.flow.T, atol=1e-12)
    # a_AB = 0.5/3.5 = 1/7; a_AC = 1.5/2.5 = 0.6; a_BC = 2/2 = 1
    np.testing.assert_allclose(
        ties.asymmetry,
        [[NAN, 1 / 7, 0.6], [-1 / 7, NAN, 1], [-0.6, -1, NAN]],
        atol=1e-12,
    )
    # export: A out 4, in 2 -> 2/3; B out 3.5, in 2 -> 7/11; C out 0.5, in 4 -> 1/9
    np.testing.assert_allclose(ties.export_share, [2 / 3, 7 / 11, 1 / 9], atol=1e-12)


def test_pairs_rows_read_like_dicts() -> None:
    graph, labels = multi_member_case()
    rows = pairs(tie_matrix(graph, labels))
    assert [(r.a, r.b) for r in rows] == [("A", "B"), ("A", "C"), ("B", "C")]
    first = dict(rows[0])
    assert tuple(first) == PAIR_FIELDS
    assert first == {
        "a": "A",
        "b": "B",
        "count": 2,
        "weight": 5.0,
        "density": pytest.approx(2 / 12),
        "observed_expected": pytest.approx(300 / 544),
        "carriers": 1,
    }
    assert rows[0]["carriers"] == 1 and "flow_ab" not in rows[0]
    with pytest.raises(KeyError):
        rows[0]["flow_ab"]
    flowing = pairs(tie_matrix(graph, labels, flow_graph=flow_case()))
    assert (flowing[0]["flow_ab"], flowing[0]["flow_ba"]) == (2.0, 1.5)
    assert flowing[2]["asymmetry"] == pytest.approx(1.0)
    assert len(flowing[0]) == 10


def test_pairs_skip_untied_pairs_unless_asked() -> None:
    labels = GroupLabels.from_sets(("A", "B", "C"), [{0}, {1}, {2}, {2}])
    ties = tie_matrix(ig.Graph(4, [(0, 1), (2, 3)]), labels)
    assert [(r.a, r.b) for r in pairs(ties)] == [("A", "B")]
    everything = pairs(ties, include_empty=True)
    assert [(r.a, r.b, r.count) for r in everything] == [
        ("A", "B", 1),
        ("A", "C", 0),
        ("B", "C", 0),
    ]
    # n_A = n_B = 1: one possible pair, so the AB density is 1
    assert everything[0].density == 1.0


def test_directed_tie_graph_counts_each_dyad_once() -> None:
    labels = GroupLabels.from_sets(("A", "B"), [{0}, {1}, {1}])
    graph = ig.Graph(3, [(0, 1), (1, 0), (0, 2)], directed=True)
    graph.es["weight"] = [1.0, 2.0, 4.0]
    ties = tie_matrix(graph, labels)
    # dyads {0,1} (weight 1+2) and {0,2} (weight 4), both A|B
    assert ties.dyads.tolist() == [[0, 2], [2, 0]]
    np.testing.assert_allclose(ties.weight, [[0, 7], [7, 0]])
    # B side has 1 and 2, A side only 0
    assert ties.carriers[0, 1] == 1 and ties.carrier_sides[1, 0] == 2


def test_no_crossing_ties_and_no_ties() -> None:
    labels = GroupLabels.from_sets(("A", "B"), [{0}, {0}, {1}])
    inside = tie_matrix(ig.Graph(3, [(0, 1)]), labels)
    assert inside.dyads.tolist() == [[1, 0], [0, 0]] and inside.carriers.sum() == 0
    empty = tie_matrix(ig.Graph(3), labels)
    assert empty.dyads.sum() == 0 and np.isnan(empty.observed_expected).all()
    assert pairs(empty) == ()


def test_rejects_mismatched_graphs() -> None:
    graph, labels = multi_member_case()
    with pytest.raises(ValidationError):
        tie_matrix(ig.Graph(3), labels)
    with pytest.raises(ValidationError):
        tie_matrix(graph, labels, flow_graph=ig.Graph(7))  # flow must be directed


def random_single_labels(seed: int) -> tuple[nx.Graph, ig.Graph, GroupLabels, list[int]]:
    rng = np.random.default_rng(seed)
    n, groups = int(rng.integers(10, 60)), int(rng.integers(2, 6))
    reference = nx.gnp_random_graph(n, float(rng.uniform(0.05, 0.3)), seed=seed)
    group_of = rng.integers(0, groups, n).tolist()
    nx.set_node_attributes(reference, dict(enumerate(group_of)), "g")
    labels = GroupLabels.from_sets(tuple(f"g{k}" for k in range(groups)), [{g} for g in group_of])
    return reference, ig.Graph(n, list(reference.edges())), labels, group_of


@pytest.mark.parametrize("seed", range(8))
def test_single_labels_match_networkx_mixing_matrix(seed: int) -> None:
    reference, graph, labels, _ = random_single_labels(seed)
    mapping = {k: k for k in range(labels.n_groups)}
    counted = nx.attribute_mixing_matrix(reference, "g", mapping=mapping, normalized=False)
    ties = tie_matrix(graph, labels)
    # networkx counts each undirected edge in both orientations: diagonal = 2 C_AA
    expected = counted.copy()
    np.fill_diagonal(expected, np.diag(counted) / 2)
    np.testing.assert_allclose(ties.dyads, expected, rtol=0, atol=1e-9)
    if reference.number_of_edges():
        normalised = nx.attribute_mixing_matrix(reference, "g", mapping=mapping)
        np.testing.assert_allclose(ties.mixing, normalised, rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_integer_weights_match_networkx_multigraph_mixing(seed: int) -> None:
    # weight w == w parallel edges in a networkx MultiGraph
    reference, graph, labels, _ = random_single_labels(100 + seed)
    rng = np.random.default_rng(seed)
    weights = rng.integers(1, 5, graph.ecount())
    graph.es["weight"] = weights.astype(float)
    multi = nx.MultiGraph()
    multi.add_nodes_from(reference.nodes(data=True))
    for (u, v), w in zip(graph.get_edgelist(), weights.tolist(), strict=True):
        multi.add_edges_from([(u, v)] * w)
    mapping = {k: k for k in range(labels.n_groups)}
    normalised = nx.attribute_mixing_matrix(multi, "g", mapping=mapping)
    np.testing.assert_allclose(tie_matrix(graph, labels).mixing, normalised, rtol=0, atol=1e-9)


def brute_force(
    graph: ig.Graph, labels: GroupLabels
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[tuple[int, int], set[int]]]:
    """W, C and carrier sides by looping over ties with the M1/M2 rule spelled out."""
    g = labels.n_groups
    weight, dyads = np.zeros((g, g)), np.zeros((g, g), dtype=int)
    carriers: dict[tuple[int, int], set[int]] = {}
    for edge in graph.es:
        u, v = edge.tuple
        mu, mv = labels.sets[u], labels.sets[v]
        shared = mu & mv
        cells = [(a, a) for a in shared] if shared else list(itertools.product(mu, mv))
        for a, b in cells:
            share = edge["weight"] / len(cells)
            weight[a, b] += share
            dyads[a, b] += 1
            if a != b:
                weight[b, a] += share
                dyads[b, a] += 1
                carriers.setdefault((a, b), set()).add(u)
                carriers.setdefault((b, a), set()).add(v)
    sides = np.zeros((g, g), dtype=int)
    for (a, b), people in carriers.items():
        sides[a, b] = len(people)
    return weight, dyads, sides, carriers


@pytest.mark.parametrize("seed", range(6))
def test_multi_membership_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, g = 40, 4
    graph = ig.Graph.Erdos_Renyi(n, 0.15)
    graph.es["weight"] = rng.uniform(0.1, 3, graph.ecount()).tolist()
    sets = [set(rng.choice(g, int(rng.integers(0, 3)), replace=False).tolist()) for _ in range(n)]
    labels = GroupLabels.from_sets(tuple("ABCD"), sets)
    weight, dyads, sides, carriers = brute_force(graph, labels)
    ties = tie_matrix(graph, labels)
    np.testing.assert_allclose(ties.weight, weight, rtol=0, atol=1e-9)
    assert (ties.dyads == dyads).all()
    assert (ties.carrier_sides == sides).all()
    assert (ties.carriers == np.minimum(sides, sides.T)).all()
    for (a, b), people in carriers.items():
        assert ties.carriers_of(a, b)[0].tolist() == sorted(people)


def single_label_reference(net_source: np.ndarray, net_target: np.ndarray, group_of: list[int]):
    """Dyads per group pair and arcs per ordered group pair, counted in plain Python."""
    dyads = {
        (min(u, v), max(u, v))
        for u, v in zip(net_source.tolist(), net_target.tolist(), strict=True)
    }
    pair_counts = Counter(tuple(sorted((group_of[u], group_of[v]))) for u, v in dyads)
    arc_counts = Counter(
        (group_of[u], group_of[v])
        for u, v in zip(net_source.tolist(), net_target.tolist(), strict=True)
    )
    return pair_counts, arc_counts


@pytest.mark.parametrize(
    ("net", "within", "cross"),
    [
        # Lazega advice (892 arcs, 717 dyads) by office: sizes 48/19/4; counted by hand in
        # plain Python over the dyads (single_label_reference): 555 inside, 128/25/9 across
        (lazega("advice", "office"), 555, {(0, 1): 128, (0, 2): 25, (1, 2): 9}),
        # by practice (41/30): 529 inside, 188 across
        (lazega("advice", "practice"), 529, {(0, 1): 188}),
        # Krackhardt advice (190 arcs, 145 dyads) by department (sizes 1/5/8/3/4)
        (krackhardt("advice"), 35, None),
    ],
)
def test_real_networks_counts_flows_and_carriers(net, within: int, cross) -> None:
    group_of = [min(s) for s in net.labels.sets]
    pair_counts, arc_counts = single_label_reference(net.source, net.target, group_of)
    flow = ig.Graph(
        net.n, list(zip(net.target.tolist(), net.source.tolist(), strict=True)), directed=True
    )
    ties = tie_matrix(net.graph(directed=True), net.labels, flow_graph=flow)
    assert ties.flow is not None
    assert int(np.trace(ties.dyads)) == within
    g = net.labels.n_groups
    for a, b in itertools.product(range(g), repeat=2):
        assert ties.dyads[a, b] == pair_counts[tuple(sorted((a, b)))]
        # advice i -> j means knowledge flows j -> i: the flow graph has the reversed arcs
        assert ties.flow[a, b] == arc_counts[(b, a)]
    if cross is not None:
        assert {k: int(ties.dyads[k]) for k in cross} == cross
    # networkx mixing matrix: a dyad weighs its arcs (1 or 2), i.e. the arcs as parallel
    # undirected edges of a MultiGraph
    reference = nx.MultiGraph(list(zip(net.source.tolist(), net.target.tolist(), strict=True)))
    reference.add_nodes_from(range(net.n))
    nx.set_node_attributes(reference, dict(enumerate(group_of)), "g")
    mapping = {k: k for k in range(g)}
    normalised = nx.attribute_mixing_matrix(reference, "g", mapping=mapping)
    np.testing.assert_allclose(ties.mixing, normalised, rtol=0, atol=1e-9)
    # carriers, brute force: people of A with an advice tie (either way) into B
    undirected = net.graph(directed=False)
    undirected.es["weight"] = 1.0
    _, _, sides, _ = brute_force(undirected, net.labels)
    assert (ties.carriers == np.minimum(sides, sides.T)).all()


def test_krackhardt_ceo_department_is_small_and_fragile() -> None:
    # department 0 is the CEO alone (manager 7): every pair with it has one carrier on
    # its side, and a one-person group has no internal pair (density NaN, small)
    net = krackhardt("advice")
    ties = tie_matrix(net.graph(directed=True), net.labels)
    assert ties.sizes.tolist() == [1, 5, 8, 3, 4]
    assert ties.fragile[0, 1:].all() and np.isnan(ties.density[0, 0]) and ties.small[0, 0]
    assert ties.carriers_of("0", "2")[0].tolist() == [6]
    assert not ties.small[1, 2]  # 5 x 8 = 40 possible pairs


def test_email_eu_core_by_department() -> None:
    # README facts: 24,929 non-loop arcs form 16,064 dyads; 34.7% of arcs are inside one
    # department. Inside-department dyads, 5,393, were counted in plain Python.
    net = email_eu_core()
    ties = tie_matrix(net.graph(directed=True), net.labels)
    dyads = ties.dyads
    assert int((dyads.sum() + np.trace(dyads)) // 2) == 16_064
    group_of = [min(s) for s in net.labels.sets]
    pair_counts, _ = single_label_reference(net.source, net.target, group_of)
    assert int(np.trace(dyads)) == sum(c for (a, b), c in pair_counts.items() if a == b) == 5_393
    assert ties.sizes.max() == 109 and ties.small[18, 18] and ties.small[33, 33]
    rows = pairs(ties)
    assert len(rows) == sum(1 for a, b in pair_counts if a != b)
    np.testing.assert_allclose(ties.mixing.sum(), 1.0, rtol=0, atol=1e-9)
