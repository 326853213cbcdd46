"""Ranking metrics (METRICS.md R4): hand-computed lists and a brute-force macro check."""

from __future__ import annotations

import numpy as np
import pytest

from recommend.metrics import (
    average_precision,
    macro_metrics,
    precision_at_k,
    ranking_order,
    recall_at_k,
    reciprocal_rank,
    sampled_auc,
)


def test_single_list_by_hand() -> None:
    # ranked list: miss, hit, miss, hit, hit; the person has 4 new ties in all
    rel = np.array([0, 1, 0, 1, 1], dtype=bool)
    assert precision_at_k(rel, 3) == pytest.approx(1 / 3)
    assert precision_at_k(rel, 10) == pytest.approx(3 / 10)  # short list: still / k
    assert recall_at_k(rel, 3, 4) == pytest.approx(1 / 4)
    assert reciprocal_rank(rel) == pytest.approx(1 / 2)
    # AP = (1/2 + 2/4 + 3/5) / 4
    assert average_precision(rel, 4) == pytest.approx((0.5 + 0.5 + 0.6) / 4)
    assert reciprocal_rank(np.zeros(3, dtype=bool)) == 0.0
    assert average_precision(np.zeros(3, dtype=bool), 0) == 0.0


def test_sampled_auc_by_hand() -> None:
    # pairs: 0.9 > 0.1 win, 0.5 = 0.5 draw, 0.2 < 0.3 loss, 0.7 > 0.6 win → (2 + 0.5)/4
    auc = sampled_auc(np.array([0.9, 0.5, 0.2, 0.7]), np.array([0.1, 0.5, 0.3, 0.6]))
    assert auc == pytest.approx(0.625)


def test_macro_metrics_by_hand() -> None:
    # person 0: scores (0.9 miss, 0.5 hit), 1 new tie; person 1: (0.8 hit, 0.9 miss,
    # 0.1 hit), 3 new ties; person 2: no candidates, 1 new tie
    people = np.array([0, 1, 2])
    n_relevant = np.array([1, 3, 1])
    group = np.array([0, 0, 1, 1, 1])
    score = np.array([0.9, 0.5, 0.8, 0.9, 0.1])
    relevant = np.array([False, True, True, False, True])
    order = ranking_order(group, score, np.zeros(5))
    got = macro_metrics(people, n_relevant, group, relevant, order, k=2)
    # P@2: 1/2, 1/2, 0; R@2: 1, 1/3, 0; RR: 1/2, 1/2, 0; AP: 1/2, (1/2 + 2/3)/3, 0
    assert got["precision_at_k"] == pytest.approx((0.5 + 0.5) / 3)
    assert got["recall_at_k"] == pytest.approx((1 + 1 / 3) / 3)
    assert got["mrr"] == pytest.approx((0.5 + 0.5) / 3)
    assert got["ap"] == pytest.approx((0.5 + (0.5 + 2 / 3) / 3) / 3)


@pytest.mark.parametrize("seed", range(4))
def test_macro_metrics_equal_the_per_list_functions(seed: int) -> None:
    rng = np.random.default_rng(seed)
    people = np.arange(12)
    group = np.sort(rng.integers(0, 12, 200))
    score = rng.integers(0, 6, 200).astype(float)
    tiebreak = rng.permutation(200)
    relevant = rng.random(200) < 0.15
    n_relevant = np.bincount(group[relevant], minlength=12) + rng.integers(0, 3, 12)
    order = ranking_order(group, score, tiebreak)
    k = 5
    got = macro_metrics(people, n_relevant, group, relevant, order, k)
    rows = {"precision_at_k": [], "recall_at_k": [], "mrr": [], "ap": []}
    for p in people:
        ranked = [i for i in order if group[i] == p]
        rel = relevant[ranked]
        rows["precision_at_k"].append(precision_at_k(rel, k))
        rows["recall_at_k"].append(recall_at_k(rel, k, int(n_relevant[p])))
        rows["mrr"].append(reciprocal_rank(rel))
        rows["ap"].append(average_precision(rel, int(n_relevant[p])))
    for name, values in rows.items():
        assert got[name] == pytest.approx(np.mean(values), abs=1e-12), name
