"""E-I index (METRICS.md S1): hand-computed graphs, a plain-Python reference, permutations,
the karate-club check and the real datasets."""

from __future__ import annotations

import dataclasses
import itertools
import math
import tracemalloc

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from datasets import email_eu_core, krackhardt, lazega

import analytics.ei as ei_module
import analytics.label_sets as label_sets_module
from analytics.ei import ei_index, group_counts, tie_table
from analytics.groups import GroupLabels
from analytics.label_sets import label_sets
from graphsvc.errors import ValidationError

ATOL = 1e-9


def brute_ties(graph: ig.Graph, measure: str = "ties") -> dict[tuple[int, int], float]:
    """Plain loop: undirected pair → summed value (1 per tie for ``"ties"``)."""
    ties: dict[tuple[int, int], float] = {}
    for edge in graph.es:
        u, v = sorted(edge.tuple)
        if u != v:
            value = 1.0 if measure == "ties" else float(edge[measure])
            ties[(u, v)] = ties.get((u, v), 0.0) + value
    return {pair: 1.0 for pair in ties} if measure == "ties" else ties


def ratio(external: float, internal: float) -> float:
    return (external - internal) / (external + internal) if external + internal else math.nan


def brute_ei(graph: ig.Graph, sets: list[set[int]], n_groups: int, measure: str = "ties"):
    """E-I at three levels and the random-mixing values by loops over ties and pairs."""
    n = graph.vcount()
    ties = brute_ties(graph, measure)
    internal = sum(w for (u, v), w in ties.items() if sets[u] & sets[v])
    external = sum(w for (u, v), w in ties.items() if not sets[u] & sets[v])
    g_in, g_out, g_else = [0.0] * n_groups, [0.0] * n_groups, [0.0] * n_groups
    for (u, v), w in ties.items():
        for g in sets[u] | sets[v]:
            if g in sets[u] and g in sets[v]:
                g_in[g] += w
            elif sets[u] & sets[v]:
                g_else[g] += w
            else:
                g_out[g] += w
    pairs = list(itertools.combinations(range(n), 2))
    pair_in = sum(1 for u, v in pairs if sets[u] & sets[v])
    size = [sum(1 for s in sets if g in s) for g in range(n_groups)]
    star_out = [sum(1 for u in range(n) for v in range(n) if g in sets[u] and not sets[u] & sets[v])
                for g in range(n_groups)]  # fmt: skip
    star_in = [k * (k - 1) / 2 for k in size]
    person, person0 = [], []
    for i in range(n):
        mine = [(w, bool(sets[u] & sets[v])) for (u, v), w in ties.items() if i in (u, v)]
        share = sum(1 for j in range(n) if j != i and sets[i] & sets[j])
        if sets[i]:
            e_i, i_i = sum(w for w, s in mine if not s), sum(w for w, s in mine if s)
            person.append(ratio(e_i, i_i))
            person0.append(ratio(n - 1 - share, share))
        else:
            person.append(math.nan)
            person0.append(math.nan)
    return {
        "ei": ratio(external, internal),
        "internal": internal,
        "external": external,
        "ei_expected": ratio(len(pairs) - pair_in, pair_in),
        "group_size": size,
        "group_internal": g_in,
        "group_external": g_out,
        "group_elsewhere": g_else,
        "group_ei": [ratio(e, i) for e, i in zip(g_out, g_in, strict=True)],
        "group_ei_expected": [ratio(e, i) for e, i in zip(star_out, star_in, strict=True)],
        "person_ei": person,
        "person_ei_expected": person0,
    }


def assert_matches(result, expected: dict) -> None:
    for field, value in expected.items():
        np.testing.assert_allclose(getattr(result, field), value, rtol=0, atol=ATOL, err_msg=field)


def random_case(seed: int, n: int = 24, directed: bool = False, multi: bool = True):
    """A random graph with count/weight attributes and random (multi-)label sets."""
    rng = np.random.default_rng(seed)
    graph = ig.Graph.Erdos_Renyi(n=n, p=0.2, directed=directed, loops=False)
    graph.es["count"] = rng.integers(1, 5, graph.ecount()).tolist()
    graph.es["weight"] = rng.uniform(0.1, 2.0, graph.ecount()).tolist()
    sets = []
    for _ in range(n):
        k = rng.choice([0, 1, 2, 3], p=[0.1, 0.6, 0.2, 0.1] if multi else [0.1, 0.9, 0, 0])
        sets.append({int(g) for g in rng.choice(4, size=k, replace=False)})
    return graph, sets, GroupLabels.from_sets(("a", "b", "c", "d"), sets)


def two_cliques() -> tuple[ig.Graph, GroupLabels]:
    """Two 4-cliques {0..3} and {4..7} joined by the tie 0–4."""
    edges = [*itertools.combinations(range(4), 2), *itertools.combinations(range(4, 8), 2)]
    graph = ig.Graph(n=8, edges=[*edges, (0, 4)])
    return graph, GroupLabels.from_sets(("a", "b"), [{0}] * 4 + [{1}] * 4)


def test_two_cliques_by_hand() -> None:
    graph, labels = two_cliques()
    r = ei_index(graph, labels, permutations=0)
    # 13 ties: I = 6 + 6 = 12, E = 1 -> EI = -11/13.
    assert (r.internal, r.external) == (12.0, 1.0)
    assert r.ei == pytest.approx(-11 / 13, abs=ATOL)
    # N = 8: I* = 6 + 6 = 12, E* = 28 - 12 = 16 -> EI0 = 4/28.
    assert r.ei_expected == pytest.approx(4 / 28, abs=ATOL)
    # T = 13: E_max = min(13, 16) = 13 -> EI_max = 1; E_min = max(0, 13 - 12) = 1
    # -> EI_min = -11/13 = EI: the most inward 13 ties can be, rescaled -1.
    assert r.ei_rescaled == pytest.approx(-1.0, abs=ATOL)
    # group a: I = 6, E = 1 -> -5/7; n_g(N-n_g) = 16, n_g(n_g-1)/2 = 6 -> EI0 = 10/22.
    np.testing.assert_allclose(r.group_ei, [-5 / 7] * 2, atol=ATOL)
    np.testing.assert_allclose(r.group_ei_expected, [10 / 22] * 2, atol=ATOL)
    # vertex 0: I = 3, E = 1 -> -0.5; vertex 1: I = 3, E = 0 -> -1; EI0 = (4 - 3)/7.
    assert r.person_ei[:2].tolist() == [-0.5, -1.0]
    np.testing.assert_allclose(r.person_ei_expected, [1 / 7] * 8, atol=ATOL)
    assert math.isnan(r.ei_p) and np.isnan(r.group_ei_p).all()


def multi_member_case() -> tuple[ig.Graph, GroupLabels]:
    """0 a0{g}, 1 a1{g}, 2 b0{h}, 3 x{g,h}, 4 u{} (unaffiliated), 5 c0{k}, 6 y{g,h}."""
    ties = [(0, 3), (2, 3), (0, 2), (1, 4), (4, 5), (3, 5), (3, 6)]
    sets = [{0}, {0}, {1}, {0, 1}, set(), {2}, {0, 1}]
    return ig.Graph(n=7, edges=ties), GroupLabels.from_sets(("g", "h", "k"), sets)


def test_multi_members_under_m1_by_hand() -> None:
    graph, labels = multi_member_case()
    r = ei_index(graph, labels, permutations=0)
    # internal (shared group): 0-3 (g), 2-3 (h), 3-6 (g and h) -> I = 3, E = 4, EI = 1/7.
    assert (r.internal, r.external, r.ei) == (3.0, 4.0, pytest.approx(1 / 7, abs=ATOL))
    # g = {0,1,3,6}: inside 0-3, 3-6; outside 0-2, 1-4, 3-5; 2-3 is internal through h only.
    # h = {2,3,6}: inside 2-3, 3-6; outside 0-2, 3-5; 0-3 internal through g only.
    # k = {5}: outside 4-5, 3-5.
    assert r.group_size.tolist() == [4, 3, 1]
    assert r.group_internal.tolist() == [2.0, 2.0, 0.0]
    assert r.group_external.tolist() == [3.0, 2.0, 2.0]
    assert r.group_elsewhere.tolist() == [1.0, 1.0, 0.0]
    np.testing.assert_allclose(r.group_ei, [1 / 5, 0.0, 1.0], atol=ATOL)
    # pairs sharing a group: 6 inside g, plus 2-3 and 2-6 in h (3-6 counted once): I* = 8
    # (the single-label formula would give 6 + 3 = 9); E* = 21 - 8 = 13 -> EI0 = 5/21.
    assert r.ei_expected == pytest.approx(5 / 21, abs=ATOL)
    # g: I*_g = 6; members 0, 1 share nothing with 2, 4, 5 (3 each), 3 and 6 with 4, 5
    # (2 each): E*_g = 10 -> 4/16. h: I* = 3, E* = 4 + 2 + 2 = 8 -> 5/11. k: E* = 6 -> 1.
    np.testing.assert_allclose(r.group_ei_expected, [0.25, 5 / 11, 1.0], atol=ATOL)
    # vertex 0: 0-3 in, 0-2 out -> 0; expected (3 not sharing - 3 sharing)/6 = 0.
    # vertex 3: 3 in, 1 out -> -0.5; expected (2 - 4)/6. Vertex 4 has no group -> NaN.
    assert r.person_ei[[0, 3, 5]].tolist() == [0.0, -0.5, 1.0]
    np.testing.assert_allclose(r.person_ei_expected[[0, 3, 5]], [0.0, -1 / 3, 1.0], atol=ATOL)
    assert np.isnan(r.person_ei[4]) and np.isnan(r.person_ei_expected[4])
    # T = 7 < I* and < E*: the bounds are -1 and 1, so rescaled = raw.
    assert r.ei_rescaled == pytest.approx(1 / 7, abs=ATOL)


def test_directed_arcs_collapse_into_ties_and_measures_sum_them() -> None:
    graph = ig.Graph(n=3, edges=[(0, 1), (1, 0), (1, 2), (2, 2)], directed=True)
    graph.es["count"] = [2, 3, 4, 9]
    graph.es["weight"] = [0.5, 0.25, 1.0, 9.0]
    labels = GroupLabels.from_sets(("a", "b"), [{0}, {0}, {1}])
    # ties: 0-1 (internal; count 2 + 3, weight 0.75) and 1-2 (external; count 4, weight 1);
    # the self-loop is dropped.
    assert ei_index(graph, labels, permutations=0).ei == 0.0
    assert ei_index(graph, labels, measure="count", permutations=0).ei == (4 - 5) / 9
    r = ei_index(graph, labels, measure="weight", permutations=0)
    assert r.ei == pytest.approx(0.25 / 1.75, abs=ATOL)
    assert math.isnan(r.ei_rescaled)  # rescaling is defined for tie counts only
    assert tie_table(graph, "count").value.tolist() == [5.0, 4.0]


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("measure", ["ties", "count", "weight"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_plain_loops_on_random_multi_member_graphs(
    seed: int, measure: str, directed: bool
) -> None:
    graph, sets, labels = random_case(seed, directed=directed)
    result = ei_index(graph, labels, measure=measure, permutations=0)
    assert_matches(result, brute_ei(graph, sets, 4, measure))


def test_group_counts_pair_counts_match_the_single_label_formulas() -> None:
    graph, _, labels = random_case(7, n=30, multi=False)
    counts = group_counts(tie_table(graph), labels)
    n, size = 30, counts.size
    np.testing.assert_allclose(counts.pairs_external, size * (n - size), atol=ATOL)
    assert counts.network_pairs_internal == (size * (size - 1) / 2).sum()


def test_expected_value_is_the_mean_over_all_label_permutations() -> None:
    """EI0 (pairs sharing a group, rule M1) = mean network E-I over all 7! relabellings."""
    graph, labels = multi_member_case()
    ties = list(brute_ties(graph))
    values = []
    for order in itertools.permutations(range(7)):
        sets = [labels.sets[i] for i in order]
        internal = sum(1 for u, v in ties if sets[u] & sets[v])
        values.append(ratio(len(ties) - internal, internal))
    assert ei_index(graph, labels, permutations=0).ei_expected == pytest.approx(
        np.mean(values), abs=1e-12
    )


def test_permutations_are_those_of_labels_permuted() -> None:
    """The vectorised test equals a loop over ``labels.permuted(rng)`` with the same seed."""
    graph, sets, labels = random_case(11, n=20)
    observed = brute_ei(graph, sets, 4)
    rng = np.random.default_rng(5)
    network, groups = [], []
    for _ in range(60):
        permuted = labels.permuted(rng)
        values = brute_ei(graph, [set(s) for s in permuted.sets], 4)
        network.append(values["ei"])
        groups.append(values["group_ei"])
    null, null_groups = np.array(network), np.array(groups)
    p = (1 + np.sum(null <= observed["ei"] + 1e-12)) / 61
    valid = ~np.isnan(null_groups)
    low = valid & (null_groups <= np.array(observed["group_ei"]) + 1e-12)
    p_groups = (1 + low.sum(axis=0)) / (1 + valid.sum(axis=0))
    result = ei_index(graph, labels, permutations=60, seed=5)
    assert result.ei_p == p
    np.testing.assert_array_equal(result.group_ei_p, p_groups)


def karate() -> tuple[ig.Graph, GroupLabels]:
    club = nx.karate_club_graph()
    names = sorted({club.nodes[v]["club"] for v in club})
    sets = [{names.index(club.nodes[v]["club"])} for v in club]
    return ig.Graph(n=34, edges=list(club.edges())), GroupLabels.from_sets(names, sets)


def test_karate_club_metrics_check() -> None:
    """METRICS.md S1: EI = -0.72 vs EI0 = +0.03, p ≈ 0.0005."""
    graph, labels = karate()
    r = ei_index(graph, labels, permutations=1999, seed=3)
    # 78 ties, 11 across the clubs: EI = (11 - 67)/78; two clubs of 17: I* = 2·136,
    # E* = 561 - 272 -> EI0 = 17/561.
    assert r.ei == pytest.approx(-56 / 78, abs=ATOL) and round(r.ei, 2) == -0.72
    assert r.ei_expected == pytest.approx(17 / 561, abs=ATOL) and round(r.ei_expected, 2) == 0.03
    # The observed split is > 6 null standard deviations out: no permutation reaches it,
    # so p is the smallest possible, 1/(R + 1) = 0.0005 (allow one chance hit).
    assert r.ei_p <= 2 / 2000
    assert (r.group_ei_p <= 2 / 2000).all()


def test_p_values_under_a_null_are_not_systematically_small() -> None:
    ps = []
    for seed in range(40):
        graph, _, labels = random_case(100 + seed, n=40, multi=seed % 2 == 0)
        ps.append(ei_index(graph, labels, permutations=99, seed=seed).ei_p)
    ps_array = np.array(ps)
    # Uniform p: mean 0.5 (sd of a mean of 40 ≈ 0.046), P(p < 0.05) = 0.05.
    assert 0.35 < ps_array.mean() < 0.65
    assert (ps_array < 0.05).mean() <= 0.2
    assert (ps_array > 0.5).mean() >= 0.25


def test_p_value_is_small_for_a_planted_silo() -> None:
    sizes, block = [20, 20, 20], [[0.5, 0.02, 0.02], [0.02, 0.1, 0.1], [0.02, 0.1, 0.1]]
    planted = nx.stochastic_block_model(sizes, block, seed=4)
    graph = ig.Graph(n=60, edges=list(planted.edges()))
    labels = GroupLabels.from_sets(("silo", "b", "c"), [{i // 20} for i in range(60)])
    r = ei_index(graph, labels, permutations=199, seed=2)
    assert r.group_ei_p[0] == 1 / 200
    assert r.group_ei[0] < r.group_ei_expected[0] - 0.5


def test_no_ties_and_no_permutations_give_nan() -> None:
    labels = GroupLabels.from_sets(("a",), [{0}, {0}, set()])
    r = ei_index(ig.Graph(n=3), labels, permutations=9)
    assert math.isnan(r.ei) and math.isnan(r.ei_p) and np.isnan(r.group_ei).all()
    assert np.isnan(r.person_ei).all()


def test_unknown_measure_or_missing_attribute_is_an_error() -> None:
    graph = ig.Graph(n=2, edges=[(0, 1)])
    labels = GroupLabels.from_sets(("a",), [{0}, {0}])
    with pytest.raises(ValidationError, match="measure"):
        ei_index(graph, labels, measure="weight")
    with pytest.raises(ValidationError, match="measure"):
        ei_index(graph, labels, measure="strength")  # type: ignore[arg-type]


def real_case(network):
    graph = network.graph(directed=True)  # ei_index collapses arcs itself
    sets = [set(s) for s in network.labels.sets]
    return graph, sets


def test_krackhardt_advice_by_department() -> None:
    network = krackhardt("advice")
    graph, sets = real_case(network)
    r = ei_index(graph, network.labels, permutations=199, seed=1)
    assert_matches(r, brute_ei(graph, sets, network.labels.n_groups))
    # Checked with awk on the raw multiplex file (layer 1, pairs sorted and deduplicated,
    # departments from the node file): 190 arcs -> 145 ties, 35 inside a department:
    # EI = (110 - 35)/145.
    assert (r.internal, r.external, r.ei) == (35.0, 110.0, pytest.approx(75 / 145, abs=ATOL))
    assert r.ei < r.ei_expected and r.ei_p > 0.1  # advice crosses departments: no silo


def test_lazega_advice_by_office() -> None:
    network = lazega("advice", "office")
    graph, sets = real_case(network)
    r = ei_index(graph, network.labels, permutations=199, seed=1)
    assert_matches(r, brute_ei(graph, sets, network.labels.n_groups))
    # awk on the raw .paj (relation 1, pairs deduplicated; office = 4th column of ELattr.dat):
    # 717 ties, 555 inside an office.
    assert (r.internal, r.external) == (555.0, 162.0)
    assert r.ei < r.ei_expected and r.ei_p == 1 / 200  # offices are inward-looking


def test_email_eu_core_by_department() -> None:
    network = email_eu_core()
    labels = network.labels
    department = [next(iter(s)) for s in labels.sets]
    # README: 34.7% of the 24,929 non-loop arcs stay inside a department.
    arcs = list(zip(network.source.tolist(), network.target.tolist(), strict=True))
    inside_arcs = sum(1 for u, v in arcs if department[u] == department[v])
    assert (len(network.source), round(inside_arcs / len(network.source), 3)) == (24929, 0.347)
    r = ei_index(network.graph(directed=True), labels, permutations=199, seed=1)
    pairs = {(min(u, v), max(u, v)) for u, v in arcs}
    internal = sum(1 for u, v in pairs if department[u] == department[v])
    assert len(pairs) == 16064 and r.internal + r.external == 16064  # README: 16,064 pairs
    assert (r.internal, r.ei) == (internal, pytest.approx(ratio(16064 - internal, internal)))
    sizes = np.bincount(department, minlength=42)
    pairs_in = (sizes * (sizes - 1) / 2).sum()
    total = 1005 * 1004 / 2
    assert r.ei_expected == pytest.approx(ratio(total - pairs_in, pairs_in), abs=ATOL)
    assert r.ei_p == 1 / 200


PATHS = {  # how LabelSets finds the ties whose ends share a group
    "pairs": {"DENSE_KEYS": 1 << 30},  # ties summed per (set, set) key
    "masks": {"DENSE_KEYS": 0},  # ties whose 64-bit group masks overlap
    "slots": {"DENSE_KEYS": 0, "MASK_BITS": 2},  # masks overlap across groups: rows checked
}


def force(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    for name, value in PATHS[path].items():
        monkeypatch.setattr(label_sets_module, name, value)


def colliding_case(seed: int, n: int = 26):
    """Random multi-label sets over groups 0, 1, 64 and 65 of 70: groups g and g + 64
    share a mask bit, so overlapping masks do not mean a shared group."""
    graph, sets, _ = random_case(seed, n=n)
    sets = [{(0, 64, 1, 65)[g] for g in own} for own in sets]
    return graph, sets, GroupLabels.from_sets([f"g{g}" for g in range(70)], sets)


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("measure", ["ties", "count", "weight"])
def test_every_path_gives_each_permutation_of_plain_loops(
    path: str, measure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The r-th null E-I (network and groups) on each path equals plain loops over the
    r-th ``labels.permuted(rng)``; observed values and p-values as the loops give them."""
    force(monkeypatch, path)
    graph, sets, labels = random_case(21, n=26, directed=True)
    assert (label_sets(labels).pairs is not None) == (path == "pairs")
    null, null_groups = ei_module._null_ei(tie_table(graph, measure), label_sets(labels), 30, 4)
    rng = np.random.default_rng(4)
    for r in range(30):
        loops = brute_ei(graph, [set(s) for s in labels.permuted(rng).sets], 4, measure)
        np.testing.assert_allclose(null[r], loops["ei"], rtol=0, atol=ATOL)
        np.testing.assert_allclose(null_groups[r], loops["group_ei"], rtol=0, atol=ATOL)
    observed = brute_ei(graph, sets, 4, measure)
    result = ei_index(graph, labels, measure=measure, permutations=30, seed=4)  # type: ignore[arg-type]
    assert_matches(result, observed)
    valid = ~np.isnan(null_groups)
    low = valid & (null_groups <= np.array(observed["group_ei"]) + 1e-12)
    np.testing.assert_array_equal(result.group_ei_p, (1 + low.sum(0)) / (1 + valid.sum(0)))
    assert result.ei_p == (1 + np.sum(null <= observed["ei"] + 1e-12)) / 31


@pytest.mark.parametrize("measure", ["ties", "weight"])
def test_the_paths_agree_exactly(measure: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same seed, same results on every path: tie counts bit for bit, weights to rounding."""
    graph, _, labels = random_case(8, n=60)
    results = {}
    for path in PATHS:
        with monkeypatch.context() as patch:
            force(patch, path)
            results[path] = ei_index(graph, labels, measure=measure, permutations=99, seed=2)  # type: ignore[arg-type]
    first = results["pairs"]
    for result in results.values():
        for field in dataclasses.fields(result):
            mine, theirs = getattr(result, field.name), getattr(first, field.name)
            if measure == "ties" or field.name.endswith("_p") or isinstance(mine, str | tuple):
                np.testing.assert_array_equal(mine, theirs, err_msg=field.name)
            else:
                np.testing.assert_allclose(mine, theirs, rtol=1e-12, err_msg=field.name)
    assert 0 < first.ei_p < 1 and np.isfinite(first.group_ei_p).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_groups_sharing_a_mask_bit_are_told_apart(seed: int) -> None:
    """70 groups: g and g + 64 share a mask bit; counts as the plain loops give them, and
    the permutations as those of the loops."""
    graph, sets, labels = colliding_case(seed)
    sets_ = label_sets(labels)
    overlapping = sets_._candidates(sets_.set_id, tie_table(graph))[0]
    assert sets_.pairs is None and len(sets_.shared_ties(sets_.set_id, tie_table(graph))) < len(
        overlapping
    )
    result = ei_index(graph, labels, measure="weight", permutations=0)
    assert_matches(result, brute_ei(graph, sets, 70, "weight"))
    null, _ = ei_module._null_ei(tie_table(graph), sets_, 10, seed)
    rng = np.random.default_rng(seed)
    loops = [brute_ei(graph, list(labels.permuted(rng).sets), 70)["ei"] for _ in range(10)]
    np.testing.assert_allclose(null, loops, rtol=0, atol=ATOL)


@pytest.mark.parametrize("path", ["subsets", "products"])
def test_sharing_counts_the_people_whose_set_meets_each_set(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sharing`` by inclusion–exclusion over subsets and by blocks of ``member @ member.T``
    against a loop over people, with sets of up to 5 groups."""
    if path == "products":
        monkeypatch.setattr(label_sets_module, "SUBSET_LIMIT", 0)
        monkeypatch.setattr(label_sets_module, "PRODUCT_BLOCK", 7)  # blocks of one set
    rng = np.random.default_rng(3)
    sets = [set(rng.choice(6, size=rng.integers(0, 6), replace=False).tolist()) for _ in range(80)]
    labels = GroupLabels.from_sets(tuple("abcdef"), sets)
    result = label_sets(labels)
    for own, s in zip(sets, result.set_id.tolist(), strict=True):
        assert result.sharing[s] == sum(1 for other in sets if own & other)


def test_many_distinct_label_sets_need_no_table_over_pairs_of_sets() -> None:
    """20,000 people in 1–4 of 40 groups (thousands of distinct sets, millions of pairs of
    sets sharing a group): counts and pair counts checked against sparse products, and the
    whole computation, 5 permutations included, peaks under 60 MB."""
    rng = np.random.default_rng(5)
    n, m = 20_000, 80_000
    sets = [set(rng.choice(40, size=rng.integers(1, 5), replace=False).tolist()) for _ in range(n)]
    labels = GroupLabels.from_sets([f"g{g}" for g in range(40)], sets)
    pairs = np.unique(np.sort(rng.integers(0, n, (m, 2)), axis=1), axis=0)
    pairs = pairs[pairs[:, 0] < pairs[:, 1]]
    ties = label_sets_module.TieTable(n, pairs[:, 0], pairs[:, 1], np.ones(len(pairs)), "ties")
    tracemalloc.start()
    sets_ = label_sets(labels)
    result, counts = ei_module.ei_and_counts(ties, labels, sets_, permutations=5, seed=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert sets_.k > 5000 and peak < 60 * 2**20
    member = labels.membership()
    both = member[ties.source].multiply(member[ties.target])
    np.testing.assert_array_equal(counts.internal, np.asarray(both.sum(axis=0)).ravel())
    assert counts.network_internal == labels.internal(ties.source, ties.target).sum()
    sharing = label_sets_module._sharing_by_products(sets_.member, sets_.count)
    np.testing.assert_array_equal(sets_.sharing, sharing)
    assert np.isfinite([result.ei, result.ei_expected, result.ei_p]).all()
