"""Candidate generation: who is proposed, from which source, and who never is."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from recdata import DAY, history_of

from recommend.candidates import SOURCES, CandidateGenerator, CandidateOptions


def names(snap, pairs, person: str) -> dict[str, tuple[str, ...]]:
    """Candidate id → source names, for the pairs of ``person``."""
    u = snap.person_ids.index(person)
    return {
        snap.person_ids[int(v)]: pairs.sources_of(k)
        for k, v in enumerate(pairs.target)
        if pairs.source[k] == u
    }


def test_two_hops_and_three_hops_on_a_path() -> None:
    # a – b – c – d – e
    h = history_of([("a", "b", 0), ("b", "c", 0), ("c", "d", 0), ("d", "e", 0)])
    snap = h.as_of(DAY)
    two = CandidateGenerator(snap, CandidateOptions()).pairs([0])
    assert names(snap, two, "a") == {"c": ("hop2",)}
    three = CandidateGenerator(snap, CandidateOptions(hops=3)).pairs([0])
    assert names(snap, three, "a") == {"c": ("hop2",), "d": ("hop3",)}


def test_topic_comember_and_cross_sources() -> None:
    rows = [("a", "b", 0), ("c", "d", 0), ("e", "f", 0)]
    groups = {"a": ["x"], "b": ["x"], "c": ["x"], "d": ["y"], "e": ["z"], "f": ["z"]}
    topics = {"a": ["ml"], "e": ["ml"]}
    h = history_of(rows, groups=groups, topics=topics)
    snap = h.as_of(DAY)
    options = CandidateOptions(per_group=5, cross_per_group=1, per_topic=5)
    got = names(snap, CandidateGenerator(snap, options).pairs([0]), "a")
    # c shares x; e holds topic ml; the most active member of y (d) and of z (e or f,
    # equal activity: the first by activity rank) form the cross pool
    assert got["c"] == ("comember",)
    assert "topic" in got["e"]
    assert got["d"] == ("cross",)
    assert "b" not in got and "a" not in got  # an existing tie, and a itself


def test_max_hop2_keeps_the_pairs_with_most_common_neighbours() -> None:
    # a knows m1, m2; x shares both with a, y shares one
    rows = [("a", "m1", 0), ("a", "m2", 0), ("x", "m1", 0), ("x", "m2", 0), ("y", "m1", 0)]
    snap = history_of(rows).as_of(DAY)
    got = names(snap, CandidateGenerator(snap, CandidateOptions(max_hop2=1)).pairs([0]), "a")
    assert set(got) == {"x"}


def test_inactive_and_opted_out_people_are_never_proposed() -> None:
    rows = [("a", "b", 0), ("b", "c", 0), ("b", "d", 300), ("b", "e", 300)]
    h = history_of(rows, consent={"e": False})
    snap = h.as_of(301 * DAY)
    got = names(snap, CandidateGenerator(snap, CandidateOptions()).pairs([0, 1, 2, 3, 4]), "d")
    # c was last active on day 0, more than 180 days ago; e opted out
    assert set(got) == set()
    everyone = CandidateOptions(max_inactive_days=None)
    got = names(snap, CandidateGenerator(snap, everyone).pairs([3]), "d")
    assert set(got) == {"a", "c"}
    # an opted-out person gets nothing either
    assert len(CandidateGenerator(snap, everyone).pairs([4])) == 0


def test_blocks_give_the_same_pairs_as_one_call() -> None:
    graph = nx.gnm_random_graph(60, 150, seed=3)
    h = history_of([(f"p{u:02d}", f"p{v:02d}", 0) for u, v in graph.edges])
    generator = CandidateGenerator(h.as_of(DAY), CandidateOptions(hops=3))
    rows = np.arange(h.n_people)
    whole = generator.pairs(rows)
    parts = list(generator.blocks(rows, block=7))
    assert np.array_equal(np.concatenate([p.source for p in parts]), whole.source)
    assert np.array_equal(np.concatenate([p.target for p in parts]), whole.target)
    assert np.array_equal(np.concatenate([p.flags for p in parts]), whole.flags)


def test_two_hop_candidates_equal_networkx_distance_two_without_caps() -> None:
    graph = nx.gnm_random_graph(50, 90, seed=11)
    h = history_of([(f"p{u:02d}", f"p{v:02d}", 0) for u, v in graph.edges])
    snap = h.as_of(DAY)
    options = CandidateOptions(max_hop2=None, per_topic=0, per_group=0, cross_per_group=0)
    pairs = CandidateGenerator(snap, options).pairs(np.arange(snap.n))
    got = {
        (snap.person_ids[u], snap.person_ids[v])
        for u, v in zip(pairs.source, pairs.target, strict=True)
    }
    lengths = dict(nx.all_pairs_shortest_path_length(graph, cutoff=2))
    want = {
        (f"p{u:02d}", f"p{v:02d}")
        for u, reach in lengths.items()
        for v, d in reach.items()
        if d == 2
    }
    assert got == want
    assert set(np.unique(pairs.flags).tolist()) == {SOURCES["hop2"]}


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(4, 25),
    density=st.floats(0.05, 0.5),
    seed=st.integers(0, 10_000),
    hops=st.sampled_from([2, 3]),
)
def test_never_self_never_tied_never_opted_out(
    n: int, density: float, seed: int, hops: int
) -> None:
    rng = np.random.default_rng(seed)
    people = [f"p{i:02d}" for i in range(n)]
    pairs = [(a, b) for a, b in itertools.combinations(people, 2) if rng.random() < density]
    rows = [(a, b, float(rng.integers(0, 50))) for a, b in pairs]
    groups = {p: [f"g{rng.integers(0, 3)}"] for p in people if rng.random() < 0.8}
    topics = {p: [f"t{rng.integers(0, 4)}"] for p in people}
    consent = {p: bool(rng.random() < 0.8) for p in people}
    h = history_of(rows, groups=groups, topics=topics, consent=consent, people=people)
    snap = h.as_of(40 * DAY)  # some interactions come after the cut
    options = CandidateOptions(hops=hops, per_group=3, cross_per_group=1, per_topic=2)
    got = CandidateGenerator(snap, options).pairs(np.arange(snap.n))
    tied = {(a, b) for a, b, day in rows if day < 40} | {(b, a) for a, b, day in rows if day < 40}
    for u, v in zip(got.source.tolist(), got.target.tolist(), strict=True):
        a, b = snap.person_ids[u], snap.person_ids[v]
        assert a != b
        assert (a, b) not in tied
        assert consent[a] and consent[b]
