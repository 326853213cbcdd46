"""Tests of analytics.tie_cells: where ties lie in the group × group matrix (M1/M2)."""

from __future__ import annotations

import itertools

import igraph as ig
import numpy as np

from analytics.edges import edge_arrays
from analytics.groups import GroupLabels
from analytics.tie_cells import TieCells


def test_rows_follow_the_source_end() -> None:
    labels = GroupLabels.from_sets(("A", "B"), [{0}, {1}])
    cells = TieCells.of(labels, np.array([1]), np.array([0]))
    assert cells.sums(np.array([2.0])).tolist() == [[0.0, 0.0], [2.0, 0.0]]


def test_split_and_whole_sums_by_hand() -> None:
    # 0 in A; 1 in A and B; 2 in B and C; 3 unaffiliated
    labels = GroupLabels.from_sets(("A", "B", "C"), [{0}, {0, 1}, {1, 2}, set()])
    source, target = np.array([0, 1, 0, 2]), np.array([1, 2, 2, 3])
    cells = TieCells.of(labels, source, target)
    values = np.array([6.0, 4.0, 2.0, 9.0])
    # 0->1 shares A: AA 6; 1->2 shares B: BB 4; 0->2 crosses A|{B,C}: AB 1, AC 1;
    # 2->3 touches an unaffiliated person: nowhere
    assert cells.sums(values).tolist() == [[6, 1, 1], [0, 4, 0], [0, 0, 0]]
    assert cells.sums(values, split=False).tolist() == [[6, 2, 2], [0, 4, 0], [0, 0, 0]]
    assert cells.inside.tolist() == [True, True, False, False]
    assert cells.crossing.tolist() == [2, 3]


def test_split_sums_keep_each_affiliated_tie_whole() -> None:
    # M2 shares of a tie add up to 1 whenever both people have a group
    rng = np.random.default_rng(5)
    n, g = 50, 4
    sets = [set(rng.choice(g, int(rng.integers(1, 4)), replace=False).tolist()) for _ in range(n)]
    labels = GroupLabels.from_sets(tuple("ABCD"), sets)
    pairs = np.array(list(itertools.combinations(range(n), 2)))[::7]
    values = rng.uniform(0.5, 2.0, len(pairs))
    sums = TieCells.of(labels, pairs[:, 0], pairs[:, 1]).sums(values)
    np.testing.assert_allclose(sums.sum(), values.sum(), rtol=0, atol=1e-9)


def test_edge_arrays_defaults_and_attributes() -> None:
    source, target, weight, count = edge_arrays(ig.Graph(3, [(2, 1)]))
    assert (source.tolist(), target.tolist(), weight.tolist(), count.tolist()) == (
        [1],
        [2],
        [1.0],
        [1.0],
    )
    graph = ig.Graph(3, [(0, 2), (2, 1)], directed=True)
    graph.es["count"] = [4, 1]
    source, target, _, count = edge_arrays(graph)
    assert (source.tolist(), target.tolist(), count.tolist()) == ([0, 2], [2, 1], [4.0, 1.0])
