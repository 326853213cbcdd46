"""Ranking metrics of the offline evaluation (METRICS.md R4), per person and macro.

For one person with ranked list r_1, r_2, … (best first), rel_i = 1 iff r_i became a new
tie after the split, and R = the number of their new ties (all of them, also those no
candidate source proposed, so that a recommender is charged for what it cannot reach):

* precision@k = Σ_{i≤k} rel_i / k (a list shorter than k still divides by k);
* recall@k = Σ_{i≤k} rel_i / R;
* reciprocal rank = 1 / (rank of the first hit), 0 without a hit (MRR is its mean);
* average precision = (1/R) Σ_i rel_i · precision@i (Yang et al. 2015 prefer it under
  extreme imbalance);

each averaged over people (macro). Sampled AUC (Lü & Zhou 2011): n times, compare the
score of a random new tie with that of a random non-tie; AUC = (n′ + 0.5 n″)/n with n′
wins and n″ draws.
"""

from __future__ import annotations

import numpy as np


def precision_at_k(relevant: np.ndarray, k: int) -> float:
    """Hits among the first ``k`` of one ranked list, divided by ``k``.

    Examples
    --------
    >>> precision_at_k(np.array([0, 1, 1, 0]), 2)
    0.5
    """
    return float(np.asarray(relevant[:k], dtype=bool).sum() / k)


def recall_at_k(relevant: np.ndarray, k: int, n_relevant: int) -> float:
    """Hits among the first ``k`` divided by all ``n_relevant`` (0 when there are none).

    Examples
    --------
    >>> recall_at_k(np.array([0, 1, 1, 0]), 2, 4)
    0.25
    """
    hits = float(np.asarray(relevant[:k], dtype=bool).sum())
    return hits / n_relevant if n_relevant else 0.0


def reciprocal_rank(relevant: np.ndarray) -> float:
    """``1 / rank`` of the first hit (ranks from 1), 0 without a hit.

    Examples
    --------
    >>> reciprocal_rank(np.array([0, 0, 1])), reciprocal_rank(np.array([0, 0]))
    (0.3333333333333333, 0.0)
    """
    hits = np.flatnonzero(np.asarray(relevant, dtype=bool))
    return 1.0 / float(hits[0] + 1) if len(hits) else 0.0


def average_precision(relevant: np.ndarray, n_relevant: int) -> float:
    """``(1/R) Σ_i rel_i · precision@i`` over the whole list, R = ``n_relevant``.

    Examples
    --------
    >>> average_precision(np.array([1, 0, 1, 0]), 3)  # (1/1 + 2/3) / 3
    0.5555555555555555
    """
    rel = np.asarray(relevant, dtype=bool)
    if not n_relevant:
        return 0.0
    ranks = np.flatnonzero(rel) + 1
    return float((np.arange(1, len(ranks) + 1) / ranks).sum() / n_relevant)


def sampled_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """``(n′ + 0.5 n″)/n`` comparing ``positive[i]`` with ``negative[i]``.

    Examples
    --------
    >>> sampled_auc(np.array([3.0, 1.0, 2.0]), np.array([1.0, 2.0, 2.0]))
    0.5
    """
    positive = np.asarray(positive, dtype=np.float64)
    negative = np.asarray(negative, dtype=np.float64)
    if not len(positive):
        return float("nan")
    wins = (positive > negative).sum() + 0.5 * (positive == negative).sum()
    return float(wins / len(positive))


def ranking_order(group: np.ndarray, score: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Indexes sorted by group, then score (high first), then ``tiebreak`` (low first)."""
    return np.lexsort((tiebreak, -np.asarray(score, dtype=np.float64), group))


def macro_metrics(
    people: np.ndarray,
    n_relevant: np.ndarray,
    group: np.ndarray,
    relevant: np.ndarray,
    order: np.ndarray,
    k: int,
) -> dict[str, float]:
    """Macro precision@k, recall@k, MRR and AP over ``people`` (sorted vertex ids).

    Item i belongs to the list of ``group[i]``; ``order`` ranks the items (by group, best
    first; see :func:`ranking_order`); ``n_relevant[j]`` counts the new ties of
    ``people[j]``. People without items count with zeros.

    Examples
    --------
    >>> people, n_rel = np.array([0, 1]), np.array([1, 2])
    >>> group = np.array([0, 0, 1, 1])
    >>> relevant = np.array([False, True, True, False])
    >>> order = ranking_order(group, np.array([0.9, 0.5, 0.8, 0.9]), np.zeros(4))
    >>> macro_metrics(people, n_rel, group, relevant, order, k=1)
    {'precision_at_k': 0.0, 'recall_at_k': 0.0, 'mrr': 0.5, 'ap': 0.375}
    """
    g = np.asarray(group)[order]
    rel = np.asarray(relevant, dtype=bool)[order]
    slot = np.searchsorted(people, g)
    start = np.searchsorted(g, g, side="left")
    rank = np.arange(len(g)) - start + 1
    size = len(people)
    hits = np.bincount(slot, rel & (rank <= k), minlength=size)
    first = np.full(size, np.inf)
    np.minimum.at(first, slot[rel], rank[rel])
    running = np.cumsum(rel)
    before = running - rel
    hits_so_far = running - before[start]
    ap_terms = np.where(rel, hits_so_far / rank, 0.0)
    ap_sum = np.bincount(slot, ap_terms, minlength=size)
    total = np.maximum(np.asarray(n_relevant, dtype=np.float64), 1.0)
    return {
        "precision_at_k": float(np.mean(hits / k)) if size else 0.0,
        "recall_at_k": float(np.mean(hits / total)) if size else 0.0,
        "mrr": float(np.mean(1.0 / first)) if size else 0.0,
        "ap": float(np.mean(ap_sum / total)) if size else 0.0,
    }
