"""Server-side layout: deterministic, in the box, communities apart, nothing flying off,
and the LRU cache of positions."""

from __future__ import annotations

import threading

import igraph as ig
import numpy as np
import pytest

from analytics.leiden import seeded_igraph_random
from web.layout import BOX, LayoutCache, community_layout, layout, layout_arrays
from web.view_discs import SPLIT_SIZE


def planted(blocks: int, size: int, p_in: float, p_out: float, seed: int = 1) -> ig.Graph:
    """A planted-partition graph, the same for a seed."""
    pref = np.full((blocks, blocks), p_out)
    np.fill_diagonal(pref, p_in)
    with seeded_igraph_random(seed):
        return ig.Graph.SBM(pref.tolist(), [size] * blocks)


def closer_to_own_centre(xy: np.ndarray, truth: np.ndarray) -> float:
    """Share of vertices nearer their own block's centroid than any other's."""
    centres = np.array([xy[truth == b].mean(axis=0) for b in range(truth.max() + 1)])
    distance = np.linalg.norm(xy[:, None, :] - centres[None, :, :], axis=2)
    return float((distance.argmin(axis=1) == truth).mean())


def test_positions_are_deterministic_per_seed_and_fill_the_box() -> None:
    graph = planted(4, 30, 0.3, 0.02)
    groups = np.repeat(np.arange(4), 30)
    first = layout(graph, seed=5, groups=groups)
    assert first.shape == (120, 2)
    assert np.array_equal(first, layout(graph, seed=5, groups=groups))
    assert np.array_equal(layout(graph, seed=2), layout(graph, seed=2))
    assert not np.array_equal(first, layout(graph, seed=6, groups=groups))
    assert np.abs(first).max() == pytest.approx(BOX)


def test_planted_communities_lie_around_their_own_centre() -> None:
    graph = planted(6, 40, 0.25, 0.01)
    truth = np.repeat(np.arange(6), 40)
    # communities given (the explorer's case), and no communities at all (FR alone)
    assert closer_to_own_centre(layout(graph, groups=truth), truth) == 1.0
    assert closer_to_own_centre(layout(graph), truth) >= 0.95


def test_a_group_too_big_for_fr_is_split_into_clusters_that_stay_apart() -> None:
    blocks, size = 10, 240
    assert blocks * size > SPLIT_SIZE  # one group of everyone: the Leiden split path
    graph = planted(blocks, size, 0.08, 0.0005)
    truth = np.repeat(np.arange(blocks), size)
    xy = layout(graph, seed=3)
    assert closer_to_own_centre(xy, truth) >= 0.95


def test_isolates_and_small_components_stay_near_the_rest() -> None:
    # one group: a 40-clique-ish core, five isolated pairs and ten isolates
    core = planted(1, 40, 0.3, 0.0)
    edges = core.get_edgelist() + [(40 + 2 * i, 41 + 2 * i) for i in range(5)]
    xy = layout_arrays(60, *np.array(edges).T)
    core_span = np.ptp(xy[:40], axis=0).max()
    assert core_span >= 0.5 * np.ptp(xy, axis=0).max()  # the core is not squeezed by outliers
    # two groups, the second without any tie to the first: it sits next to it, not far off
    graph = planted(2, 30, 0.3, 0.0)
    xy = layout(graph, groups=np.repeat([0, 1], 30))
    gap = np.linalg.norm(xy[:30].mean(axis=0) - xy[30:].mean(axis=0))
    assert gap <= 3 * max(np.ptp(xy[:30], axis=0).max(), np.ptp(xy[30:], axis=0).max())


def test_members_without_ties_in_their_group_face_the_group_they_reach() -> None:
    # group 0: a ring of 12 and member 12 tied only to group 1; group 1: a ring of 12
    ring = [(i, (i + 1) % 12) for i in range(12)]
    edges = ring + [(13 + a, 13 + b) for a, b in ring] + [(12, 13)]
    groups = np.array([0] * 13 + [1] * 12)
    xy = layout_arrays(25, *np.array(edges).T, groups=groups)
    own, other = xy[:12].mean(axis=0), xy[13:].mean(axis=0)
    assert np.dot(xy[12] - own, other - own) > 0


def test_edge_cases_empty_single_and_self_loops() -> None:
    assert layout(ig.Graph(0)).shape == (0, 2)
    assert layout(ig.Graph(1)).tolist() == [[0.0, 0.0]]
    xy = layout_arrays(3, np.array([0, 1, 2]), np.array([0, 2, 1]))
    assert xy.shape == (3, 2) and np.isfinite(xy).all()
    with pytest.raises(ValueError, match="groups"):
        layout(ig.Graph(3), groups=np.array([0, 1]))


def test_community_layout_places_each_community_in_the_box() -> None:
    sizes = np.array([50, 10, 30, 5])
    xy = community_layout(sizes, np.array([0, 0, 2]), np.array([1, 2, 3]), np.array([5.0, 1, 1]))
    assert xy.shape == (4, 2) and np.abs(xy).max() == pytest.approx(BOX)
    assert len({tuple(p) for p in xy.round(3).tolist()}) == 4
    same = community_layout(sizes, np.array([0, 0, 2]), np.array([1, 2, 3]), np.array([5.0, 1, 1]))
    assert np.array_equal(xy, same)
    assert community_layout(np.zeros(0), *(np.zeros(0),) * 3).shape == (0, 2)


def test_the_cache_keeps_the_most_recently_used_read_only() -> None:
    cache = LayoutCache(maxsize=2)
    a = cache.put("a", np.zeros((2, 2)))
    cache.put("b", np.ones((2, 2)))
    assert cache.get("a") is a  # "a" is now the most recent
    cache.put("c", np.ones((1, 2)))
    assert cache.get("b") is None and cache.get("a") is a and len(cache) == 2
    assert (cache.hits, cache.misses) == (2, 1)
    with pytest.raises(ValueError):
        a[0, 0] = 1.0
    calls = []
    cache.get_or_compute("d", lambda: calls.append(1) or np.zeros((1, 2)))
    cache.get_or_compute("d", lambda: calls.append(1) or np.zeros((1, 2)))
    assert calls == [1]
    with pytest.raises(ValueError):
        LayoutCache(maxsize=0)


def test_the_cache_survives_concurrent_use() -> None:
    cache = LayoutCache(maxsize=4)
    failures: list[AssertionError] = []

    def work(worker: int) -> None:
        try:
            for i in range(300):
                key = (worker + i) % 7
                found = cache.get_or_compute(key, lambda k=key: np.full((3, 2), float(k)))
                assert found[0, 0] == key
        except AssertionError as error:
            failures.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures and len(cache) <= 4
