"""Silo and cohesion metrics (METRICS.md S2, S3, S6, S7) and the silo rule: hand-computed
graphs, networkx references, plain loops and the real datasets."""

from __future__ import annotations

import math

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from datasets import email_eu_core, lazega
from test_ei import (
    PATHS,
    brute_ei,
    brute_ties,
    colliding_case,
    force,
    karate,
    multi_member_case,
    random_case,
    two_cliques,
)

from analytics.groups import GroupLabels
from analytics.silos import conductance, density_ratio, insularity, periphery, silo_report

ATOL = 1e-9


def nx_graph(graph: ig.Graph, measure: str = "ties") -> nx.Graph:
    """The undirected tie graph, collapsed by a plain loop, as networkx."""
    reference = nx.Graph()
    reference.add_nodes_from(range(graph.vcount()))
    for (u, v), value in brute_ties(graph, measure).items():
        reference.add_edge(u, v, value=value)
    return reference


def test_two_cliques_by_hand() -> None:
    graph, labels = two_cliques()
    # E_g = 1 of E*_g = 16 pairs, I_g = 6 of I*_g = 6 -> rho = 1/16.
    d = density_ratio(graph, labels)
    np.testing.assert_allclose(d.rho, [1 / 16] * 2, atol=ATOL)
    np.testing.assert_allclose(d.log_rho, [-math.log(16)] * 2, atol=ATOL)
    # T = 13, E* = 16, I* = 12: E_exp = 13·16/28 = 52/7, E = 1 -> S = 1 - 7/52.
    assert d.freeman == pytest.approx(45 / 52, abs=ATOL)
    # tie ends: 2·6 inside, 1 out -> H = 12/13; w = 1/2 -> IH = (12/13 - 1/2)/(1/2) = 11/13.
    s = insularity(graph, labels)
    np.testing.assert_allclose(s.h, [12 / 13] * 2, atol=ATOL)
    np.testing.assert_allclose(s.ih, [11 / 13] * 2, atol=ATOL)
    # vol = 4·3 + 1 = 13 on both sides, cut = 1 -> phi = 1/13, NCut = 2/13.
    c = conductance(graph, labels)
    assert (c.cut.tolist(), c.volume.tolist()) == ([1.0, 1.0], [13.0, 13.0])
    np.testing.assert_allclose(c.conductance, [1 / 13] * 2, atol=ATOL)
    np.testing.assert_allclose(c.normalized_cut, [2 / 13] * 2, atol=ATOL)
    p = periphery(graph, labels)
    assert p.coreness.tolist() == [3] * 8 and p.max_core.tolist() == [3, 3]
    assert p.periphery_share.tolist() == [0.0, 0.0] and p.isolates.tolist() == [0, 0]


def test_multi_members_by_hand() -> None:
    graph, labels = multi_member_case()  # groups g, h, k; see test_ei for the tie list
    # g: E 3 of E* 10, I 2 of I* 6 -> 0.3/(1/3) = 0.9; h: E 2/8, I 2/3 -> 0.375;
    # k has one member (I* = 0) -> NaN.
    d = density_ratio(graph, labels)
    np.testing.assert_allclose(d.rho, [0.9, 0.375, np.nan], atol=ATOL)
    # T = 7, I* = 8, E* = 13: E_exp = 7·13/21 = 13/3, E = 4 -> S = 1 - 12/13.
    assert d.freeman == pytest.approx(1 / 13, abs=ATOL)
    # H: g 4/(4+3), w 4/7 -> IH 0; h 4/6, w 3/7 -> IH 5/12; k 0/2, w 1/7 -> IH -1/6.
    s = insularity(graph, labels)
    np.testing.assert_allclose(s.h, [4 / 7, 2 / 3, 0.0], atol=ATOL)
    np.testing.assert_allclose(s.ih, [0.0, 5 / 12, -1 / 6], atol=ATOL)
    # g = {0,1,3,6}: vol 2+1+4+1 = 8, ties inside 0-3 and 3-6 -> cut 4 (0-2, 1-4, 2-3,
    # 3-5: the set-based cut includes 2-3, internal through h); rest 14 - 8 = 6.
    c = conductance(graph, labels)
    assert (c.cut[0], c.volume[0]) == (4.0, 8.0)
    assert c.conductance[0] == pytest.approx(4 / 6, abs=ATOL)
    assert c.normalized_cut[0] == pytest.approx(4 / 8 + 4 / 6, abs=ATOL)
    # carriers: g 0 (to 2), 1 (to 4), 3 (to 2, 5) but not 6 (only tied to 3, in g) -> 3;
    # h: 2 (to 0), 3 (to 0) -> 2; k: 5 -> 1.
    assert silo_report(graph, labels, permutations=0).carriers.tolist() == [3, 2, 1]


def test_pseudo_count_defines_rho_for_groups_without_internal_ties() -> None:
    graph = ig.Graph(n=4, edges=[(0, 2), (1, 3)])
    labels = GroupLabels.from_sets(("a", "b"), [{0}, {0}, {1}, {1}])
    assert np.isnan(density_ratio(graph, labels).rho).all()  # I_g = 0
    # ((2 + 1)/4)/((0 + 1)/1) = 0.75
    np.testing.assert_allclose(density_ratio(graph, labels, pseudo_count=1).rho, [0.75] * 2)
    assert density_ratio(graph, labels).freeman == pytest.approx(1 - 2 / (2 * 4 / 6))


@pytest.mark.parametrize("measure", ["ties", "weight"])
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_conductance_matches_networkx(seed: int, measure: str) -> None:
    graph, sets, labels = random_case(seed, n=40, directed=seed % 2 == 0)
    reference = nx_graph(graph, measure)
    weight = None if measure == "ties" else "value"
    c = conductance(graph, labels, measure=measure)  # type: ignore[arg-type]
    for g in range(labels.n_groups):
        members = {v for v in range(40) if g in sets[v]}
        assert c.volume[g] == pytest.approx(nx.volume(reference, members, weight), abs=ATOL)
        assert c.cut[g] == pytest.approx(nx.cut_size(reference, members, weight=weight), abs=ATOL)
        phi = nx.conductance(reference, members, weight=weight)
        ncut = nx.normalized_cut_size(reference, members, weight=weight)
        np.testing.assert_allclose([c.conductance[g], c.normalized_cut[g]], [phi, ncut], atol=ATOL)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_density_ratio_and_insularity_match_the_formulas(seed: int) -> None:
    """METRICS.md S2/S3 formulas on single labels, with E_g, I_g from plain loops."""
    graph, sets, labels = random_case(seed, n=40, multi=False)
    loops = brute_ei(graph, sets, 4)
    n = np.array(loops["group_size"], float)
    e, i = np.array(loops["group_external"]), np.array(loops["group_internal"])
    with np.errstate(divide="ignore", invalid="ignore"):  # I_g = 0 or n_g < 2: undefined
        rho = (e / (n * (40 - n))) / (i / (n * (n - 1) / 2))
    rho[~np.isfinite(rho)] = np.nan
    np.testing.assert_allclose(density_ratio(graph, labels).rho, rho, rtol=0, atol=ATOL)
    h = 2 * i / (2 * i + e)
    np.testing.assert_allclose(insularity(graph, labels).ih, (h - n / 40) / (1 - n / 40), atol=ATOL)
    pairs_in = (n * (n - 1) / 2).sum()
    ties = loops["internal"] + loops["external"]
    expected = ties * (780 - pairs_in) / 780
    assert density_ratio(graph, labels).freeman == pytest.approx(1 - loops["external"] / expected)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coreness_matches_networkx(seed: int) -> None:
    graph, sets, labels = random_case(seed, n=60, directed=seed == 2)
    graph.add_vertices(3)  # three isolates without a group
    reference = nx_graph(graph)
    p = periphery(graph, GroupLabels.from_sets(labels.groups, [*sets, set(), set(), set()]))
    core = nx.core_number(reference)
    assert p.coreness.tolist() == [core[v] for v in range(63)]
    assert p.isolate.tolist() == [reference.degree(v) == 0 for v in range(63)]
    for g in range(4):
        members = [v for v in range(60) if g in sets[v]]
        assert p.max_core[g] == max(core[v] for v in members)
        shell = sum(core[v] <= 1 for v in members) / len(members)
        assert p.periphery_share[g] == pytest.approx(shell, abs=ATOL)


def test_isolates_and_outer_shell_by_hand() -> None:
    # triangle 0-1-2, chain 2-3-4, isolates 5 and 6; groups a = {0,1,2,3}, b = {4,5,6}.
    graph = ig.Graph(n=7, edges=[(0, 1), (1, 2), (0, 2), (2, 3), (3, 4)])
    labels = GroupLabels.from_sets(("a", "b"), [{0}] * 4 + [{1}] * 3)
    p = periphery(graph, labels)
    assert p.coreness.tolist() == [2, 2, 2, 1, 1, 0, 0]
    assert (p.isolates.tolist(), p.isolate_share.tolist()) == ([0, 2], [0.0, 2 / 3])
    assert p.periphery_share.tolist() == [0.25, 1.0] and p.max_core.tolist() == [2, 1]
    assert periphery(graph, labels, outer_shell=0).periphery_share.tolist() == [0.0, 2 / 3]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_carriers_match_a_plain_loop(seed: int) -> None:
    graph, sets, labels = random_case(seed, n=40, directed=seed == 3)
    neighbours = nx_graph(graph)
    expected = [
        sum(1 for u in range(40) if g in sets[u] and any(g not in sets[v] for v in neighbours[u]))
        for g in range(4)
    ]
    assert silo_report(graph, labels, permutations=0).carriers.tolist() == expected


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("colliding", [False, True])
def test_carriers_on_every_path_match_a_plain_loop(
    path: str, colliding: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Carriers, and the counts behind S2/S3/S6, whichever way shared ties are found; with
    70 groups, g and g + 64 share a mask bit."""
    force(monkeypatch, path)
    graph, sets, labels = colliding_case(6, n=40) if colliding else random_case(6, n=40)
    neighbours = nx_graph(graph)
    r = silo_report(graph, labels, permutations=0)
    for g in range(labels.n_groups):
        members = [u for u in range(40) if g in sets[u]]
        carriers = sum(1 for u in members if any(g not in sets[v] for v in neighbours[u]))
        assert r.carriers[g] == carriers
    loops = brute_ei(graph, sets, labels.n_groups)
    np.testing.assert_allclose(r.ei.group_external, loops["group_external"], atol=ATOL)
    np.testing.assert_allclose(r.ei.group_internal, loops["group_internal"], atol=ATOL)
    assert r.carriers.sum() > 0 and (r.carriers <= r.active_members).all()


def planted_silo() -> tuple[ig.Graph, GroupLabels]:
    """Group a: a 10-clique whose only outside tie is 0-10; b and c: 10 people each in a
    ring with chords, tied to each other by 6 ties."""
    edges = [(u, v) for u in range(10) for v in range(u + 1, 10)] + [(0, 10)]
    for base in (10, 20):
        edges += [(base + i, base + (i + 1) % 10) for i in range(10)]
        edges += [(base + i, base + (i + 3) % 10) for i in range(10)]
    edges += [(10 + i, 20 + i) for i in range(6)]
    labels = GroupLabels.from_sets(("a", "b", "c"), [{i // 10} for i in range(30)])
    return ig.Graph(n=30, edges=edges), labels


def test_planted_silo_is_flagged_with_a_readable_reason() -> None:
    graph, labels = planted_silo()
    r = silo_report(graph, labels, permutations=199, seed=1)
    assert r.silo.tolist() == [True, False, False]
    assert r.carriers.tolist() == [1, 6, 6]  # a: 0; b: 10..15 (10 also to 0); c: 20..25
    # a: I = 45, E = 1 -> -44/46; EI0 = (10·20 - 45)/(10·20 + 45) = 155/245.
    assert r.reason[0] == (
        "E-I −0.96 vs expected +0.63 (p=0.005); 1 of 10 active members (10%) carries cross ties"
    )
    assert r.reason[1].endswith("; not a silo: 50% or more of its active members carry cross ties")
    assert r.density.rho[0] == pytest.approx((1 / 200) / (45 / 45), abs=ATOL)


def test_karate_clubs_are_silos_unless_the_carrier_share_allows_a_third() -> None:
    """The two factions that split the club (Zachary 1977): inward beyond chance, their 11
    cross ties held by 6 of 17 and 7 of 17 members (35 % and 41 %)."""
    graph, labels = karate()
    r = silo_report(graph, labels, permutations=199, seed=1)
    assert r.carriers.tolist() == [6, 7]
    assert r.silo.tolist() == [True, True]
    assert (
        r.reason[0]
        == "E-I −0.52 vs expected +0.36 (p=0.005); 6 of 17 active members (35%) carry cross ties"
    )
    strict = silo_report(graph, labels, permutations=199, max_carrier_share=0.3)
    assert strict.silo.tolist() == [False, False]
    assert strict.reason[1].endswith(
        "not a silo: 30% or more of its active members carry cross ties"
    )


def test_groups_without_members_ties_or_test_are_never_silos() -> None:
    graph = ig.Graph(n=5, edges=[(0, 1), (0, 2), (1, 2)])
    labels = GroupLabels.from_sets(("a", "b", "c"), [{0}, {0}, {0}, {1}, {1}])
    r = silo_report(graph, labels, permutations=0)
    assert r.silo.tolist() == [False, False, False]
    assert r.reason[1].startswith("no internal or cross-group ties")
    assert r.reason[2] == "no members"
    assert "no permutation test" in r.reason[0]
    assert r.reason[0].endswith("not a silo: p not below 0.05")


def test_lazega_offices() -> None:
    network = lazega("advice", "office")
    graph = network.graph(directed=True)
    r = silo_report(graph, network.labels, permutations=199, seed=1)
    reference = nx_graph(graph)
    sets = network.labels.sets
    for g in range(3):
        members = {v for v in range(71) if g in sets[v]}
        phi = nx.conductance(reference, members)
        assert r.conductance.conductance[g] == pytest.approx(phi, abs=ATOL)
    # Boston (36 lawyers) is inward-looking beyond chance but talks out through many people.
    assert r.ei.group_ei_p[0] == 1 / 200 and r.carriers[0] >= 3 and not r.silo[0]
    core = nx.core_number(reference)
    assert r.periphery.coreness.tolist() == [core[v] for v in range(71)]


def test_email_eu_core_departments() -> None:
    network = email_eu_core()
    graph = network.graph(directed=True)
    r = silo_report(graph, network.labels, permutations=99, seed=1)
    reference = nx_graph(graph)
    department = [next(iter(s)) for s in network.labels.sets]
    for g in (0, 4, 14, 37):
        members = {v for v in range(1005) if department[v] == g}
        assert r.conductance.conductance[g] == pytest.approx(
            nx.conductance(reference, members), abs=ATOL
        )
    # 19 people have no non-loop arc (README): isolates, coreness 0.
    assert int(r.periphery.isolate.sum()) == 19 and int(r.periphery.isolates.sum()) == 19
    # every department of 10 or more is inward-looking (E-I below EI0) ...
    large = r.ei.group_size >= 10
    assert large.sum() == 28 and (r.ei.group_ei[large] < r.ei.group_ei_expected[large]).all()
    # ... while department 31 (8 people) never mails itself: 138 ties, all external.
    ties = brute_ties(graph)
    touching = [(u, v) for u, v in ties if 31 in (department[u], department[v])]
    inside = [(u, v) for u, v in touching if department[u] == department[v]]
    assert (len(touching), len(inside)) == (138, 0)
    assert (r.ei.group_ei[31], r.insularity.h[31]) == (1.0, 0.0)
    assert np.isnan(r.density.rho[31])  # I_g = 0: undefined (METRICS.md S2), not a silo
    assert not r.silo[31] and "not a silo: E-I not below expected" in r.reason[31]


def test_no_groups_and_no_people_are_handled() -> None:
    graph = ig.Graph(n=3, edges=[(0, 1)])
    r = silo_report(graph, GroupLabels.from_sets((), [set()] * 3), permutations=5)
    # one tie between unaffiliated people: external under M1, as is every pair
    assert (r.ei.ei, r.ei.ei_expected, r.silo.size, r.periphery.max_core.size) == (1.0, 1.0, 0, 0)
    empty = silo_report(ig.Graph(n=0), GroupLabels.from_sets(("a",), []), permutations=5)
    assert empty.reason == ("no members",) and math.isnan(empty.ei.ei)


def test_members_who_never_interact_do_not_count_against_the_carrier_share() -> None:
    """Lurkers: ten silent members added to group b (60 % carriers among the active) leave
    its verdict and its carrier share as they were."""
    graph, labels = planted_silo()
    before = silo_report(graph, labels, permutations=199, seed=1)
    graph.add_vertices(10)
    lurking = GroupLabels.from_sets(labels.groups, [*labels.sets, *([{1}] * 10)])
    after = silo_report(graph, lurking, permutations=199, seed=1)
    assert after.active_members.tolist() == before.active_members.tolist() == [10, 10, 10]
    assert after.silo.tolist() == before.silo.tolist() == [True, False, False]
    assert "6 of 10 active members (60%)" in after.reason[1]
