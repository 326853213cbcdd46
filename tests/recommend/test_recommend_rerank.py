"""Boundary-aware re-ranking (METRICS.md R5): the formula, the constraints, the identity."""

from __future__ import annotations

import numpy as np
import pytest
from recdata import DAY, history_of

from recommend.rerank import (
    BoundaryRerank,
    boosted,
    bridge_scores,
    load_penalty,
    select_top_k,
)

ATOL = 1e-9


def plain_top_k(group: np.ndarray, score: np.ndarray, k: int) -> list[int]:
    """Brute force: per group, indexes by score (ties: lower index first), first k."""
    out = []
    for g in sorted(set(group.tolist())):
        members = [i for i in range(len(group)) if group[i] == g]
        out += sorted(members, key=lambda i: (-score[i], i))[:k]
    return out


@pytest.mark.parametrize("seed", range(5))
def test_beta_zero_and_no_quota_reproduce_the_plain_ranking(seed: int) -> None:
    rng = np.random.default_rng(seed)
    group = np.sort(rng.integers(0, 6, 80))
    score = rng.integers(0, 5, 80) / 4.0  # many ties
    cross = rng.random(80) < 0.3
    bridge = rng.random(80)
    options = BoundaryRerank(beta=0.0, min_cross=0)
    reranked = boosted(score, bridge, options, load=rng.integers(0, 9, 80).astype(float))
    assert reranked.tolist() == score.tolist()  # no cap: the load changes nothing
    got = select_top_k(group, reranked, cross, 4, options.min_cross)
    assert got.tolist() == plain_top_k(group, score, 4)


def test_quota_swaps_the_lowest_plain_items_for_the_best_cross_items() -> None:
    group = np.zeros(6, dtype=int)
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    cross = np.array([False, False, False, False, True, True])
    # top 3 plain = 0, 1, 2; q = 2 replaces 2 and 1 by the cross items 4 and 5
    assert select_top_k(group, score, cross, 3, min_cross=2).tolist() == [0, 4, 5]
    # fewer cross items than q: all of them, no more
    assert select_top_k(group, score, cross, 3, min_cross=5).tolist() == [0, 4, 5]
    # already enough cross items in the top: unchanged
    assert select_top_k(group, score[::-1].copy(), cross, 3, 1).tolist() == [5, 4, 3]


@pytest.mark.parametrize("seed", range(5))
def test_quota_holds_per_group_whenever_possible(seed: int) -> None:
    rng = np.random.default_rng(seed)
    group = np.sort(rng.integers(0, 8, 120))
    score = rng.random(120)
    cross = rng.random(120) < 0.2
    k, q = 5, 2
    got = select_top_k(group, score, cross, k, q)
    for g in np.unique(group):
        mine = got[group[got] == g]
        available = int(cross[group == g].sum())
        assert len(mine) == min(k, int((group == g).sum()))
        assert cross[mine].sum() >= min(q, available, len(mine))
        assert list(score[mine]) == sorted(score[mine], reverse=True)


def test_load_penalty_formula() -> None:
    # 1 / (1 + max(0, load − cap)/cap) with cap 4: loads 2, 4, 6, 12 → 1, 1, 2/3, 1/3
    got = load_penalty(np.array([2.0, 4.0, 6.0, 12.0]), 4.0)
    np.testing.assert_allclose(got, [1.0, 1.0, 2 / 3, 1 / 3], atol=ATOL)
    options = BoundaryRerank(beta=0.5, load_cap=4.0)
    # s' = s · (1 + β·bridge) · penalty = 0.2 · 1.4 · 2/3
    got = boosted(np.array([0.2]), np.array([0.8]), options, np.array([6.0]))
    assert got[0] == pytest.approx(0.2 * 1.4 * 2 / 3, abs=ATOL)


def test_bridge_by_hand() -> None:
    # x = {a, b, c}, y = {d, e}; ties a–b, b–c, c–d, d–e
    rows = [("a", "b", 0), ("b", "c", 0), ("c", "d", 0), ("d", "e", 0)]
    groups = {"a": ["x"], "b": ["x"], "c": ["x"], "d": ["y"], "e": ["y"]}
    h = history_of(rows, groups=groups)
    snap = h.as_of(DAY)
    a, b, e = (h.index(p) for p in "abe")
    # distance x–y = 1 − (1/6)/1 = 5/6; φ_x = φ_y = 1/3 (see test_recommend_history)
    got = bridge_scores(snap, np.array([a, a]), np.array([b, e]))
    np.testing.assert_allclose(got, [0.0, 5 / 6 * (1 - 1 / 3)], atol=ATOL)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        BoundaryRerank(beta=-1.0)
    with pytest.raises(ValueError):
        BoundaryRerank(load_cap=0.0)
