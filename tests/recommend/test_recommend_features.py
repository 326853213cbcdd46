"""Pair features against networkx references, brute force and hand arithmetic."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from recdata import DAY, history_of

from recommend.features import (
    FEATURES,
    pair_features,
    path_distance,
    topological_scores,
)

ATOL = 1e-9


def random_history(n: int, m: int, seed: int):
    graph = nx.gnm_random_graph(n, m, seed=seed)
    rows = [(f"p{u:03d}", f"p{v:03d}", 0) for u, v in graph.edges]
    people = [f"p{i:03d}" for i in range(n)]
    return graph, history_of(rows, people=people)


def all_non_edges(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(u, v) for u, v in itertools.combinations(graph.nodes, 2) if not graph.has_edge(u, v)]
    return np.array([u for u, _ in pairs]), np.array([v for _, v in pairs])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_topological_scores_match_networkx(seed: int) -> None:
    graph, history = random_history(40, 120, seed)
    snap = history.as_of(DAY)
    u, v = all_non_edges(graph)
    got = topological_scores(snap.adjacency, u, v)
    ebunch = list(zip(u.tolist(), v.tolist(), strict=True))
    references = {
        "aa": nx.adamic_adar_index(graph, ebunch),
        "ra": nx.resource_allocation_index(graph, ebunch),
        "jaccard": nx.jaccard_coefficient(graph, ebunch),
        "pa": nx.preferential_attachment(graph, ebunch),
    }
    for name, triples in references.items():
        expected = np.array([score for _, _, score in triples], dtype=float)
        np.testing.assert_allclose(got[name], expected, rtol=0, atol=ATOL, err_msg=name)
    cn = np.array([len(list(nx.common_neighbors(graph, a, b))) for a, b in ebunch])
    np.testing.assert_allclose(got["cn"], cn, rtol=0, atol=ATOL)


def test_distance_buckets_match_shortest_paths() -> None:
    graph, history = random_history(40, 50, 7)
    snap = history.as_of(DAY)
    u, v = all_non_edges(graph)
    cn = topological_scores(snap.adjacency, u, v)["cn"]
    got = path_distance(snap, u, v, cn, three_hops=True)
    lengths = dict(nx.all_pairs_shortest_path_length(graph))
    expected = [min(lengths[a].get(b, 99), 4) for a, b in zip(u.tolist(), v.tolist(), strict=True)]
    assert got.tolist() == expected
    coarse = path_distance(snap, u, v, cn, three_hops=False)
    assert coarse.tolist() == [min(d, 3) for d in expected]


def test_feature_table_by_hand() -> None:
    # x = {a, b, c}, y = {d}; ties a–b, b–c (day 0), c–d (day 170); cut day 180
    rows = [("a", "b", 0), ("b", "c", 0), ("c", "d", 170)]
    groups = {"a": ["x"], "b": ["x"], "c": ["x"], "d": ["y"]}
    topics = {"a": ["ml", "ux"], "d": ["ml", "ux"]}
    history = history_of(rows, groups=groups, topics=topics)
    snap = history.as_of(180 * DAY)
    a, b, c, d = (history.index(p) for p in "abcd")
    table = pair_features(snap, np.array([a, b]), np.array([c, d]), three_hops=True)
    got = [dict(zip(FEATURES, row.tolist(), strict=True)) for row in table]
    ac, bd = got
    assert ac["cn"] == 1 and ac["aa"] == pytest.approx(1 / math.log(2), abs=ATOL)
    # Γa = {b}, Γc = {b, d}: Jaccard 1/2, PA 1·2
    assert ac["ra"] == pytest.approx(0.5) and ac["jaccard"] == pytest.approx(0.5)
    assert ac["pa_log"] == pytest.approx(math.log(1 + 1 * 2))
    assert ac["same_group"] == 1 and ac["group_distance"] == 0 and ac["distance"] == 2
    # only c–d is recent (last 30 days): no recent common neighbour for a, c
    assert ac["aa_recent"] == 0 and ac["recent_degree_max"] == pytest.approx(math.log(2))
    # a's best two-step contact is c itself: share 1
    assert ac["aa_share_min"] == pytest.approx(1.0) and ac["aa_share_max"] == pytest.approx(1.0)
    assert bd["cn"] == 1 and bd["same_group"] == 0 and bd["distance"] == 2
    # D_xx = 2/3, D_xy = 1/3 (c–d of 3·1 pairs), D_yy = 0 → distance 1 − (1/3)/(2/3)
    assert bd["group_distance"] == pytest.approx(0.5, abs=ATOL)
    assert bd["topic_cosine"] == 0.0
    cosine = pair_features(snap, np.array([a]), np.array([d]), three_hops=True)[0]
    assert cosine[FEATURES.index("topic_cosine")] == pytest.approx(1.0, abs=ATOL)
    assert cosine[FEATURES.index("distance")] == 3  # a – b – c – d
    # tenure: a and c first interacted on day 0 (180 days), d on day 170 (10 days)
    assert bd["tenure_min"] == pytest.approx(math.log1p(10), abs=1e-6)


def test_aa_share_against_brute_force() -> None:
    graph, history = random_history(30, 70, 5)
    snap = history.as_of(DAY)
    u, v = all_non_edges(graph)
    aa = topological_scores(snap.adjacency, u, v)["aa"]
    best = np.zeros(snap.n)
    np.maximum.at(best, u, aa)
    np.maximum.at(best, v, aa)
    np.testing.assert_allclose(snap.aa_max, best, rtol=0, atol=ATOL)


def test_features_of_no_pairs_have_the_right_shape() -> None:
    snap = history_of([("a", "b", 0)]).as_of(DAY)
    assert pair_features(snap, np.array([], int), np.array([], int)).shape == (0, len(FEATURES))
