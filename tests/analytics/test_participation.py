"""Participation coefficient, within-group z and roles (METRICS.md B5)."""

from __future__ import annotations

import math

import igraph as ig
import numpy as np
import pytest
from datasets import lazega

from analytics.groups import GroupLabels
from analytics.participation import classify_roles, participation


def weighted_graph(
    n: int, edges: list[tuple[int, int]], weights: list[float], directed: bool = False
) -> ig.Graph:
    graph = ig.Graph(n=n, edges=edges, directed=directed)
    graph.es["weight"] = weights
    return graph


def random_graph(rng: np.random.Generator, n: int, p: float, directed: bool) -> ig.Graph:
    """G(n, p) from numpy's generator (igraph's own generator is not seeded here)."""
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b and (directed or a < b)]
    return ig.Graph(n=n, edges=[e for e in pairs if rng.random() < p], directed=directed)


def labels_from(sets: list[set[int]], n_groups: int) -> GroupLabels:
    return GroupLabels.from_sets([f"g{k}" for k in range(n_groups)], sets)


def reference(
    graph: ig.Graph, labels: GroupLabels, mode: str = "all", weighted: bool = True
) -> dict[str, np.ndarray]:
    """bctpy-style loops: k[i, s] over neighbours (M2 split over the neighbour's groups),
    P = 1 - Σ (k_is/k_i)², z per own group with np.std (ddof=0), max over groups."""
    n, g = graph.vcount(), labels.n_groups
    k = np.zeros((n, g))
    for edge in graph.es:
        u, v = edge.tuple
        w = edge["weight"] if weighted and "weight" in graph.es.attributes() else 1.0
        ends = {"all": [(u, v), (v, u)], "out": [(u, v)], "in": [(v, u)]}[mode]
        if not graph.is_directed():
            ends = [(u, v), (v, u)]
        for i, j in ends:
            for s in labels.sets[j]:
                k[i, s] += w / len(labels.sets[j])
    total = k.sum(axis=1)
    coefficient = np.full(n, np.nan)
    for i in range(n):
        if total[i] > 0:
            coefficient[i] = 1 - sum((k[i, s] / total[i]) ** 2 for s in range(g))
    z = np.full(n, np.nan)
    for s in range(g):
        members = [i for i in range(n) if s in labels.sets[i]]
        values = np.array([k[i, s] for i in members])
        if len(members) < 3 or values.std() < 1e-12:
            continue
        for i, value in zip(members, values, strict=True):
            score = (value - values.mean()) / values.std()
            z[i] = score if np.isnan(z[i]) else max(z[i], score)
    return {"coefficient": coefficient, "within_z": z, "strength": total}


def test_ties_split_evenly_over_two_groups_give_one_half() -> None:
    # vertex 0 (group A) has weight 2 to A-member 1 and weight 2 to B-member 2:
    # P_0 = 1 - (2/4)² - (2/4)² = 0.5
    graph = weighted_graph(3, [(0, 1), (0, 2)], [2.0, 2.0])
    result = participation(graph, labels_from([{0}, {0}, {1}], 2))
    assert result.coefficient[0] == pytest.approx(0.5)
    # uneven: 3 to A, 1 to B: 1 - 0.75² - 0.25² = 0.375
    uneven = participation(
        weighted_graph(3, [(0, 1), (0, 2)], [3.0, 1.0]), labels_from([{0}, {0}, {1}], 2)
    )
    assert uneven.coefficient[0] == pytest.approx(0.375)
    # unweighted counts ties: back to 0.5
    assert participation(
        weighted_graph(3, [(0, 1), (0, 2)], [3.0, 1.0]),
        labels_from([{0}, {0}, {1}], 2),
        weighted=False,
    ).coefficient[0] == pytest.approx(0.5)


def test_multi_member_neighbour_is_split_and_unaffiliated_neighbour_ignored() -> None:
    # 0 (A) – 1 (A and B), weight 1: half to A, half to B → P_0 = 0.5;
    # 0 – 2 (no group), weight 5: no group, left out of k_0
    graph = weighted_graph(3, [(0, 1), (0, 2)], [1.0, 5.0])
    result = participation(graph, labels_from([{0}, {0, 1}, set()], 2))
    assert result.coefficient[0] == pytest.approx(0.5)
    assert result.strength[0] == pytest.approx(1.0)
    # the unaffiliated vertex 2 has a P (its one neighbour is in group A) but no role
    assert result.coefficient[2] == pytest.approx(0.0) and result.role[2] == ""


def test_ultra_peripheral_isolate_and_hub() -> None:
    # star: centre 0 with ten leaves 1..10, all in group A, plus B-vertex 11 tied to 0 (w 10)
    # and isolated A-vertex 12. κ (strength to A) = 10 for 0, 1 per leaf, 0 for 12:
    # mean = 20/12, var = (100 + 10)/12 - (20/12)² = 110/12 - 400/144 = 920/144
    edges = [(0, leaf) for leaf in range(1, 11)] + [(0, 11)]
    graph = weighted_graph(13, edges, [1.0] * 10 + [10.0])
    labels = labels_from([{0}] * 11 + [{1}] + [{0}], 2)
    result = participation(graph, labels)
    mean, sd = 20 / 12, math.sqrt(920 / 144)
    assert result.within_z[0] == pytest.approx((10 - mean) / sd)  # ≈ 3.30: a hub
    assert result.coefficient[0] == pytest.approx(0.5)  # 10 to A, 10 to B
    assert result.role[0] == "R6"  # hub connector
    assert result.coefficient[1] == 0.0 and result.role[1] == "R1"  # ultra-peripheral
    assert np.isnan(result.coefficient[12]) and result.role[12] == ""  # isolate
    # group B has one member: z undefined; its only tie goes to A: P = 0 → R1
    assert np.isnan(result.within_z[11]) and result.role[11] == "R1"


def test_z_is_nan_when_sd_is_zero_and_max_over_groups_for_multi_members() -> None:
    # ring 0-1-2-3 in group A: every κ = 2, sd = 0 → NaN
    ring = weighted_graph(4, [(0, 1), (1, 2), (2, 3), (3, 0)], [1.0] * 4)
    assert np.isnan(participation(ring, labels_from([{0}] * 4, 1)).within_z).all()
    # 0 in A and B; A = {0, 1, 2}, B = {0, 3, 4}; ties 0-1 (w 2), 1-2 (w 1), 0-3 (w 1), 3-4 (w 1)
    graph = weighted_graph(5, [(0, 1), (1, 2), (0, 3), (3, 4)], [2.0, 1.0, 1.0, 1.0])
    labels = labels_from([{0, 1}, {0}, {0}, {1}, {1}], 2)
    result = participation(graph, labels)
    # κ_A: 0 → 2 (from 1), 1 → 2/2 (0 is split over A, B) + 1, 2 → 1;
    # κ_B: 0 → 1 (from 3), 3 → 1/2 + 1, 4 → 1. z_A(0) ≈ 0.707 > z_B(0) ≈ -0.707
    kappa_a, kappa_b = np.array([2.0, 2.0, 1.0]), np.array([1.0, 1.5, 1.0])
    z_a = (kappa_a[0] - kappa_a.mean()) / kappa_a.std()
    z_b = (kappa_b[0] - kappa_b.mean()) / kappa_b.std()
    assert result.within_z[0] == pytest.approx(max(z_a, z_b))


def test_role_thresholds_at_their_boundaries() -> None:
    up = np.nextafter
    cases = [
        (0.05, 0.0, "R1"),
        (up(0.05, 1), 0.0, "R2"),
        (0.62, 0.0, "R2"),
        (up(0.62, 1), 0.0, "R3"),
        (0.80, 0.0, "R3"),
        (up(0.80, 1), 0.0, "R4"),
        (0.0, up(2.5, 0), "R1"),  # just below the hub threshold
        (0.30, 2.5, "R5"),
        (up(0.30, 1), 2.5, "R6"),
        (0.75, 2.5, "R6"),
        (up(0.75, 1), 2.5, "R7"),
        (0.9, np.nan, "R4"),  # an undefined z is not a hub
        (np.nan, 3.0, ""),
    ]
    p = np.array([c[0] for c in cases])
    z = np.array([c[1] for c in cases])
    assert classify_roles(p, z).tolist() == [c[2] for c in cases]


def test_random_graphs_match_the_reference_loop() -> None:
    rng = np.random.default_rng(42)
    for trial in range(30):
        n, directed = int(rng.integers(2, 25)), bool(trial % 2)
        graph = random_graph(rng, n, float(rng.uniform(0.1, 0.6)), directed)
        graph.es["weight"] = rng.uniform(0.1, 3.0, size=graph.ecount()).tolist()
        n_groups = int(rng.integers(1, 5))
        sets = [
            set(rng.choice(n_groups, size=int(rng.integers(0, 3)), replace=True).tolist())
            for _ in range(n)
        ]
        labels = labels_from(sets, n_groups)
        result = participation(graph, labels)
        expected = reference(graph, labels)
        for field in ("coefficient", "within_z", "strength"):
            np.testing.assert_allclose(getattr(result, field), expected[field], rtol=0, atol=1e-9)
        if directed:
            assert result.coefficient_out is not None and result.coefficient_in is not None
            np.testing.assert_allclose(
                result.coefficient_out,
                reference(graph, labels, "out")["coefficient"],
                rtol=0,
                atol=1e-9,
            )
            np.testing.assert_allclose(
                result.coefficient_in,
                reference(graph, labels, "in")["coefficient"],
                rtol=0,
                atol=1e-9,
            )
        else:
            assert result.coefficient_in is None and result.coefficient_out is None


def test_lazega_advice_by_office_matches_the_reference_loop() -> None:
    net = lazega("advice", "office")
    graph = net.graph(True)
    result = participation(graph, net.labels, weighted=False)
    expected = reference(graph, net.labels, weighted=False)
    np.testing.assert_allclose(result.coefficient, expected["coefficient"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(result.within_z, expected["within_z"], rtol=0, atol=1e-9)
    for mode, field in (("out", result.coefficient_out), ("in", result.coefficient_in)):
        np.testing.assert_allclose(
            field,
            reference(graph, net.labels, mode, weighted=False)["coefficient"],
            rtol=0,
            atol=1e-9,
        )
    assert (
        result.role.tolist()
        == classify_roles(expected["coefficient"], expected["within_z"]).tolist()
    )
    assert set(result.role.tolist()) <= {"R1", "R2", "R3", "R4", "R5", "R6", "R7", ""}


def test_rejects_mismatched_labels() -> None:
    with pytest.raises(ValueError, match="labels"):
        participation(ig.Graph(n=2), labels_from([{0}], 1))


def test_nobody_affiliated_gives_nan_and_no_roles() -> None:
    graph = weighted_graph(3, [(0, 1), (1, 2)], [1.0, 1.0])
    result = participation(graph, labels_from([set(), set(), set()], 1))
    assert np.isnan(result.coefficient).all() and np.isnan(result.within_z).all()
    assert result.role.tolist() == ["", "", ""]
