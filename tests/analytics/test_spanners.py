"""Boundary spanners (METRICS.md B7): formal × practice, window activity, structural,
communicative."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest

from analytics.gould_fernandez import ROLES
from analytics.groups import GroupLabels
from analytics.spanners import boundary_spanners, structural_flags

A, B, C, D = 0, 1, 2, 3


def labels_from(sets: list[set[int]], n_groups: int = 4) -> GroupLabels:
    return GroupLabels.from_sets([f"g{k}" for k in range(n_groups)], sets)


def example() -> tuple[ig.Graph, GroupLabels]:
    """0 {A,B}: ties to 2 (A) and 4 (C)          → formal with a cross tie: active
    1 {A,B}: ties to 2 (A) and 3 (B)              → formal, no cross tie: dormant
    4 {C}:   ties to 0 (A,B), 5 (A), 7 (A), 8 ({}) → one group, reaches A and B: hidden
    5 {A}:   ties to 2 (A), 4 (C), 6 (D)          → one group, reaches C and D: hidden
    7 {A}:   tie to 4 (C)                         → reaches one other group only: none
    8 {}:    ties to 4 (C), 6 (D), 2 (A)          → unaffiliated: never classified"""
    edges = [(0, 2), (0, 4), (1, 2), (1, 3), (5, 2), (5, 4), (5, 6), (7, 4), (8, 4), (8, 6), (8, 2)]
    sets = [{A, B}, {A, B}, {A}, {B}, {C}, {A}, {D}, {A}, set()]
    return ig.Graph(n=9, edges=edges), labels_from(sets)


def test_levina_vaast_categories_on_a_hand_built_graph() -> None:
    graph, labels = example()
    result = boundary_spanners(graph, labels)
    assert result.spanner.tolist() == ["active", "dormant", "", "", "hidden", "hidden", "", "", ""]
    assert result.formal.tolist() == [True, True] + [False] * 7
    # 0 reaches C; 5 reaches C, D; 7 reaches C; 8 (no groups) reaches A, C, D;
    # 4 (C) reaches A and B via 0 (8 has no group); 2 (A) only meets A members and 8
    assert result.other_groups_reached.tolist() == [1, 0, 0, 0, 2, 2, 1, 1, 3]
    assert result.cross_ties.tolist() == [1, 0, 0, 0, 3, 2, 1, 1, 3]
    # internal: 2 meets 0, 1, 5 (A); 3 meets 1 (B); 1 meets 2, 3; 8's ties are never internal
    assert result.internal_ties.tolist() == [1, 2, 3, 1, 0, 1, 0, 0, 0]
    # window definition: ≥ 1 internal tie and ≥ 2 other groups → only 5
    assert result.active.tolist() == [False] * 5 + [True] + [False] * 3
    # the dormant 1 still talks in both of its groups; 0 only in A
    assert result.own_groups_engaged[:2].tolist() == [1, 2]


def test_multi_member_without_cross_ties_is_dormant() -> None:
    # 0 in A and B, tied to an A-only and a B-only member: every tie is internal (M1)
    graph = ig.Graph(n=3, edges=[(0, 1), (0, 2)])
    result = boundary_spanners(graph, labels_from([{A, B}, {A}, {B}]))
    assert result.spanner[0] == "dormant" and result.cross_ties[0] == 0
    # an isolated multi-member is dormant too
    lonely = boundary_spanners(ig.Graph(n=1), labels_from([{A, B}]))
    assert lonely.spanner.tolist() == ["dormant"]


def test_hidden_min_groups_is_respected() -> None:
    graph, labels = example()
    assert boundary_spanners(graph, labels, hidden_min_groups=3).spanner[5] == ""
    assert boundary_spanners(graph, labels, hidden_min_groups=1).spanner[7] == "hidden"


def test_directed_arcs_are_pooled_per_pair() -> None:
    graph = ig.Graph(n=3, edges=[(0, 1), (1, 0), (2, 0)], directed=True)
    graph.es["weight"] = [1.0, 2.0, 4.0]
    result = boundary_spanners(graph, labels_from([{A}, {A}, {B}]))
    assert result.internal_ties.tolist() == [1, 1, 0]  # one tie 0–1, not two
    assert result.internal_strength.tolist() == [3.0, 3.0, 0.0]
    assert result.external_strength.tolist() == [4.0, 0.0, 4.0]
    unweighted = boundary_spanners(graph, labels_from([{A}, {A}, {B}]), weighted=False)
    assert unweighted.internal_strength.tolist() == [2.0, 2.0, 0.0]  # both arcs count 1


def test_communicative_spanners_by_hand() -> None:
    # A = {0, 1, 2, 3}: internal ties 0–1 (w 3), 2–3 (w 1) → internal strengths 3, 3, 1, 1:
    # mean 2, sd 1, z_int = 1, 1, -1, -1. Cross ties 0–4 (w 2), 2–5 (w 2) → external
    # 2, 0, 2, 0: mean 1, sd 1, z_ext = 1, -1, 1, -1. min(z_int, z_ext) = 1, -1, -1, -1.
    # B = {4, 5, 6} with tie 5–6: internal 0, 1, 1 → z_int = -√2, 1/√2, 1/√2; external
    # 2, 2, 0 → z_ext = 1/√2, 1/√2, -√2: min = -√2, 1/√2 (> 0.5: communicative), -√2.
    edges = [(0, 1), (2, 3), (0, 4), (2, 5), (5, 6)]
    graph = ig.Graph(n=7, edges=edges)
    graph.es["weight"] = [3.0, 1.0, 2.0, 2.0, 1.0]
    result = boundary_spanners(graph, labels_from([{A}] * 4 + [{B}] * 3))
    np.testing.assert_allclose(result.communicative_z[:4], [1.0, -1.0, -1.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(result.communicative_z[4:], [-(2**0.5), 0.5**0.5, -(2**0.5)])
    assert np.flatnonzero(result.communicative).tolist() == [0, 5]


def test_structural_flags_from_given_arrays() -> None:
    n = 12
    # betweenness: zeros for 0, 1; 1..10 for the rest → 90th percentile of 1..10 is 9.1
    betweenness = np.r_[0.0, 0.0, np.arange(1.0, 11.0)]
    assert np.flatnonzero(structural_flags(n, cross_betweenness=betweenness)).tolist() == [11]
    z = np.zeros((n, len(ROLES)))
    z[0, ROLES.index("liaison")] = 2.1
    z[1, ROLES.index("gatekeeper")] = 3.0
    z[2, ROLES.index("representative")] = 2.5
    z[3, ROLES.index("coordinator")] = 9.0  # not a spanning role
    z[4, ROLES.index("itinerant")] = 9.0  # not a spanning role
    z[5, ROLES.index("liaison")] = 2.0  # not above 2
    z[6] = np.nan
    assert np.flatnonzero(structural_flags(n, gf_z=z)).tolist() == [0, 1, 2]
    roles = ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "", "R3", "R1", "R1", "R1"]
    assert np.flatnonzero(structural_flags(n, roles=roles)).tolist() == [2, 5, 8]
    combined = structural_flags(n, cross_betweenness=betweenness, gf_z=z, roles=roles)
    assert np.flatnonzero(combined).tolist() == [0, 1, 2, 5, 8, 11]
    assert not structural_flags(n).any()
    with pytest.raises(ValueError, match="gf_z"):
        structural_flags(n, gf_z=np.zeros((n, 4)))


def test_boundary_spanners_passes_structural_inputs_through() -> None:
    graph, labels = example()
    roles = [""] * 9
    roles[7] = "R3"
    result = boundary_spanners(graph, labels, roles=roles, cross_betweenness=np.arange(9.0))
    assert np.flatnonzero(result.structural).tolist() == [7, 8]


def reference_counts(graph: ig.Graph, labels: GroupLabels) -> dict[str, list[int]]:
    n = graph.vcount()
    neighbours = [set(graph.neighbors(v)) for v in range(n)]
    out: dict[str, list[int]] = {"internal": [], "cross": [], "reached": [], "engaged": []}
    for v in range(n):
        own = labels.sets[v]
        internal = [u for u in neighbours[v] if own & labels.sets[u]]
        cross = [u for u in neighbours[v] if labels.sets[u] and not own & labels.sets[u]]
        reached = set().union(*(labels.sets[u] for u in cross)) - own
        engaged = {g for u in neighbours[v] for g in labels.sets[u] & own}
        out["internal"].append(len(internal))
        out["cross"].append(len(cross))
        out["reached"].append(len(reached))
        out["engaged"].append(len(engaged))
    return out


def test_random_graphs_match_a_reference_loop() -> None:
    rng = np.random.default_rng(8)
    for _ in range(25):
        n, k = int(rng.integers(1, 30)), int(rng.integers(1, 6))
        p = float(rng.uniform(0.05, 0.5))
        graph = ig.Graph(
            n=n, edges=[(a, b) for a in range(n) for b in range(a + 1, n) if rng.random() < p]
        )
        sets = [set(rng.choice(k, size=int(rng.integers(0, 3))).tolist()) for _ in range(n)]
        labels = labels_from(sets, k)
        result = boundary_spanners(graph, labels)
        expected = reference_counts(graph, labels)
        assert result.internal_ties.tolist() == expected["internal"]
        assert result.cross_ties.tolist() == expected["cross"]
        assert result.other_groups_reached.tolist() == expected["reached"]
        assert result.own_groups_engaged.tolist() == expected["engaged"]
        size = np.array([len(s) for s in sets])
        reached = np.array(expected["reached"])
        hidden = (size == 1) & (reached >= 2)
        assert np.array_equal(result.spanner == "hidden", hidden)
        assert np.array_equal(
            result.spanner == "active", (size >= 2) & (np.array(expected["cross"]) > 0)
        )


def test_rejects_mismatched_labels() -> None:
    with pytest.raises(ValueError, match="labels"):
        boundary_spanners(ig.Graph(n=2), labels_from([{A}]))
