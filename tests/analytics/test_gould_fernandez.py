"""Gould–Fernandez brokerage roles (METRICS.md B4) against brute force and exact nulls."""

from __future__ import annotations

import itertools

import igraph as ig
import numpy as np
import pytest
from datasets import krackhardt

import analytics.gould_fernandez as gf
from analytics.gould_fernandez import ROLES, bernoulli_moments, brokerage_roles
from analytics.groups import GroupLabels


def brute_force_roles(n: int, arcs: list[tuple[int, int]], group: list[int]) -> np.ndarray:
    """Every open two-path a → v → b (a ≠ b, no a → b), classified by its group pattern."""
    present = set(arcs)
    counts = np.zeros((n, 5), dtype=np.int64)
    for a, v, b in itertools.permutations(range(n), 3):
        if (a, v) not in present or (v, b) not in present or (a, b) in present:
            continue
        ga, gv, gb = group[a], group[v], group[b]
        if min(ga, gv, gb) < 0:
            continue
        if ga == gv == gb:
            role = "coordinator"  # A → A → A
        elif ga == gb:
            role = "itinerant"  # A → B → A
        elif ga == gv:
            role = "representative"  # A → A → B
        elif gv == gb:
            role = "gatekeeper"  # A → B → B
        else:
            role = "liaison"  # A → B → C
        counts[v, ROLES.index(role)] += 1
    return counts


def labels_of(group: list[int] | np.ndarray, n_groups: int) -> GroupLabels:
    sets = [{int(g)} if g >= 0 else set() for g in group]
    return GroupLabels.from_sets([f"g{k}" for k in range(n_groups)], sets)


def random_case(rng: np.random.Generator) -> tuple[int, list[tuple[int, int]], list[int], int]:
    n = int(rng.integers(1, 11))
    density = rng.random()
    arcs = [(a, b) for a in range(n) for b in range(n) if a != b and rng.random() < density]
    n_groups = int(rng.integers(1, 5))
    group = rng.integers(-1, n_groups, size=n).tolist()
    return n, arcs, group, n_groups


def test_counts_equal_brute_force_on_random_small_digraphs() -> None:
    rng = np.random.default_rng(20240501)
    for _ in range(150):
        n, arcs, group, k = random_case(rng)
        graph = ig.Graph(n=n, edges=arcs, directed=True)
        result = brokerage_roles(graph, labels_of(group, k), permutations=0)
        expected = brute_force_roles(n, arcs, group)
        np.testing.assert_array_equal(result.counts, expected)
        np.testing.assert_array_equal(result.total, expected.sum(axis=1))
        np.testing.assert_array_equal(result.role_totals, expected.sum(axis=0))


def test_counts_with_sorted_key_lookup_equal_brute_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gf, "DENSE_TABLE_LIMIT", 0)  # force the n·k > limit branch
    rng = np.random.default_rng(7)
    for _ in range(40):
        n, arcs, group, k = random_case(rng)
        graph = ig.Graph(n=n, edges=arcs, directed=True)
        result = brokerage_roles(graph, labels_of(group, k), permutations=0)
        np.testing.assert_array_equal(result.counts, brute_force_roles(n, arcs, group))


@pytest.mark.parametrize("chunk", [gf.WEDGE_CHUNK, 5])
def test_clustered_reciprocal_graph_equals_brute_force(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # many triangles and mutual arcs: all six orientations; wedges in one or many chunks
    monkeypatch.setattr(gf, "WEDGE_CHUNK", chunk)
    rng = np.random.default_rng(3)
    ring = [(i, (i + d) % 60) for i in range(60) for d in range(1, 5)]  # lattice: triangles
    chords = [tuple(rng.choice(60, size=2, replace=False).tolist()) for _ in range(15)]
    arcs = set()
    for u, w in ring + chords:
        u, w = (u, w) if rng.random() < 0.5 else (w, u)
        arcs.add((u, w))
        if rng.random() < 0.3:
            arcs.add((w, u))
    group = rng.integers(0, 4, size=60).tolist()
    graph = ig.Graph(n=60, edges=sorted(arcs), directed=True)
    result = brokerage_roles(graph, labels_of(group, 4), permutations=0)
    np.testing.assert_array_equal(result.counts, brute_force_roles(60, sorted(arcs), group))


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ([0, 0, 0], "coordinator"),  # A → A → A
        ([0, 1, 0], "itinerant"),  # A → B → A
        ([0, 0, 1], "representative"),  # A → A → B
        ([0, 1, 1], "gatekeeper"),  # A → B → B
        ([0, 1, 2], "liaison"),  # A → B → C
    ],
)
def test_each_role_on_one_two_path(groups: list[int], role: str) -> None:
    # 0 → 1 → 2, the broker is vertex 1; the reverse arc 2 → 0 does not close the path
    graph = ig.Graph(n=3, edges=[(0, 1), (1, 2), (2, 0)], directed=True)
    counts = brokerage_roles(graph, labels_of(groups, 3), permutations=0).counts
    expected = np.zeros(5, dtype=np.int64)
    expected[ROLES.index(role)] = 1
    np.testing.assert_array_equal(counts[1], expected)
    # the cycle also gives 1 → 2 → 0 to vertex 2 and 2 → 0 → 1 to vertex 0: one each
    np.testing.assert_array_equal(counts.sum(axis=1), [1, 1, 1])


def test_closed_mutual_and_unaffiliated_two_paths_are_not_counted() -> None:
    closed = ig.Graph(n=3, edges=[(0, 1), (1, 2), (0, 2)], directed=True)
    assert brokerage_roles(closed, labels_of([0, 1, 2], 3), permutations=0).counts.sum() == 0
    mutual = ig.Graph(n=2, edges=[(0, 1), (1, 0)], directed=True)  # a → v → a is no path
    assert brokerage_roles(mutual, labels_of([0, 1], 2), permutations=0).counts.sum() == 0
    path = ig.Graph(n=3, edges=[(0, 1), (1, 2)], directed=True)
    for group in ([-1, 0, 0], [0, -1, 0], [0, 0, -1]):
        result = brokerage_roles(path, labels_of(group, 1), permutations=0)
        assert result.counts.sum() == 0
    assert np.isnan(brokerage_roles(path, labels_of([0, -1, 0], 1), permutations=0).z[1]).all()


def test_rejects_undirected_graphs_and_mismatched_labels() -> None:
    with pytest.raises(ValueError, match="directed"):
        brokerage_roles(ig.Graph(n=2, edges=[(0, 1)]), labels_of([0, 0], 1))
    with pytest.raises(ValueError, match="labels"):
        brokerage_roles(ig.Graph(n=2, directed=True), labels_of([0, 0, 0], 1))


ENSEMBLE_N, ENSEMBLE_D = 5, 0.3


@pytest.fixture(scope="module")
def ensemble() -> tuple[dict[tuple[int, int], int], np.ndarray, np.ndarray]:
    """All 2^20 digraphs on 5 vertices (one column per ordered pair), each with its
    probability d^m (1-d)^(20-m) in the Bernoulli graph of density d."""
    ordered = list(itertools.permutations(range(ENSEMBLE_N), 2))
    graphs = np.arange(1 << len(ordered), dtype=np.int64)
    arc = np.column_stack([(graphs >> k) & 1 for k in range(len(ordered))]).astype(bool)
    m = arc.sum(axis=1)
    weight = ENSEMBLE_D**m * (1 - ENSEMBLE_D) ** (len(ordered) - m)
    return {pair: k for k, pair in enumerate(ordered)}, arc, weight


@pytest.mark.parametrize("sizes", [[4, 1], [3, 1, 1], [2, 2, 1]])
def test_bernoulli_moments_equal_exact_ensemble_moments(
    sizes: list[int], ensemble: tuple[dict[tuple[int, int], int], np.ndarray, np.ndarray]
) -> None:
    index, arc, weight = ensemble
    group = [g for g, size in enumerate(sizes) for _ in range(size)]
    mean, sd = bernoulli_moments(np.array(sizes), ENSEMBLE_D)
    for v in range(ENSEMBLE_N):
        counts = np.zeros((5, len(weight)), dtype=np.int8)
        for a, b in itertools.permutations([x for x in range(ENSEMBLE_N) if x != v], 2):
            pattern = brute_force_roles(3, [(0, 1), (1, 2)], [group[a], group[v], group[b]])
            role = int(np.argmax(pattern[1]))
            counts[role] += arc[:, index[a, v]] & arc[:, index[v, b]] & ~arc[:, index[a, b]]
        exact_mean = counts @ weight
        exact_var = (counts.astype(float) ** 2) @ weight - exact_mean**2
        np.testing.assert_allclose(mean[group[v]], exact_mean, rtol=0, atol=1e-9)
        np.testing.assert_allclose(sd[group[v]] ** 2, exact_var, rtol=0, atol=1e-9)


def test_expectations_sum_to_all_two_paths() -> None:
    rng = np.random.default_rng(11)
    for _ in range(20):
        sizes = rng.integers(1, 30, size=int(rng.integers(1, 8)))
        d = float(rng.random())
        mean, _ = bernoulli_moments(sizes, d)
        total = sizes.sum()
        np.testing.assert_allclose(mean.sum(axis=1), d * d * (1 - d) * (total - 1) * (total - 2))


def test_bernoulli_z_uses_the_observed_density() -> None:
    net = krackhardt("advice")
    result = brokerage_roles(net.graph(True), net.labels, permutations=0)
    assert result.density == pytest.approx(190 / (21 * 20))
    sizes = np.bincount(net.labels.primary, minlength=net.labels.n_groups)
    mean, sd = bernoulli_moments(sizes, result.density)
    group = net.labels.primary
    np.testing.assert_allclose(result.expected, mean[group], rtol=0, atol=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd[group] > 0, (result.counts - mean[group]) / sd[group], np.nan)
    np.testing.assert_allclose(result.z, z, rtol=0, atol=1e-12)
    # the CEO (manager 7) is alone in department 0: no coordinator can exist, z is NaN
    assert result.expected[6, 0] == 0 and np.isnan(result.z[6, 0])


def test_permutation_z_equals_an_independent_permutation_run() -> None:
    rng = np.random.default_rng(5)
    n, k = 12, 3
    arcs = [(a, b) for a in range(n) for b in range(n) if a != b and rng.random() < 0.3]
    labels = labels_of(rng.integers(0, k, size=n).tolist(), k)
    graph = ig.Graph(n=n, edges=arcs, directed=True)
    result = brokerage_roles(graph, labels, permutations=25, seed=9)
    null_rng = np.random.default_rng(9)
    samples = np.array(
        [brute_force_roles(n, arcs, labels.permuted(null_rng).primary.tolist()) for _ in range(25)]
    )
    mean, sd = samples.mean(axis=0), samples.std(axis=0, ddof=1)
    observed = brute_force_roles(n, arcs, labels.primary.tolist())
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (observed - mean) / sd, np.nan)
    assert result.permutations == 25
    np.testing.assert_allclose(result.perm_mean, mean, rtol=0, atol=1e-9)
    np.testing.assert_allclose(result.perm_sd, sd, rtol=0, atol=1e-9)
    np.testing.assert_allclose(result.perm_z, z, rtol=0, atol=1e-9)
    totals = samples.sum(axis=1)
    total_z = (observed.sum(axis=0) - totals.mean(axis=0)) / totals.std(axis=0, ddof=1)
    np.testing.assert_allclose(result.role_totals_perm_z, total_z, rtol=0, atol=1e-9)


def test_permutation_null_is_deterministic_and_nan_without_runs() -> None:
    net = krackhardt("advice")
    first = brokerage_roles(net.graph(True), net.labels, permutations=50, seed=1)
    again = brokerage_roles(net.graph(True), net.labels, permutations=50, seed=1)
    other = brokerage_roles(net.graph(True), net.labels, permutations=50, seed=2)
    np.testing.assert_array_equal(first.perm_z, again.perm_z)
    assert not np.array_equal(np.nan_to_num(first.perm_z), np.nan_to_num(other.perm_z))
    for runs in (0, 1):
        empty = brokerage_roles(net.graph(True), net.labels, permutations=runs)
        assert np.isnan(empty.perm_z).all() and np.isnan(empty.role_totals_perm_z).all()


def test_krackhardt_advice_by_department() -> None:
    net = krackhardt("advice")
    arcs = list(zip(net.source.tolist(), net.target.tolist(), strict=True))
    result = brokerage_roles(net.graph(True), net.labels)
    np.testing.assert_array_equal(
        result.counts, brute_force_roles(21, arcs, net.labels.primary.tolist())
    )
    # checked by a separate loop over all (a, v, b) with sets of departments:
    # manager 2 (dept 4) liaises 13 pairs, e.g. 10 → 2 → 6 (depts 3, 4, 1);
    # manager 18 (dept 3) liaises 74; manager 21 (dept 1) represents 20
    assert result.counts[1, ROLES.index("liaison")] == 13
    assert result.counts[17, ROLES.index("liaison")] == 74
    assert result.counts[20, ROLES.index("representative")] == 20
    np.testing.assert_array_equal(result.role_totals, [28, 69, 95, 62, 246])
    assert result.permutations == gf.PERMUTATIONS_MAX  # a small graph gets the full count
    assert np.isnan(result.perm_z[5]).all()  # manager 6 brokers nothing in any labelling
