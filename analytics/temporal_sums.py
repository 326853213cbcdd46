"""Pair sums of a period and their bootstrap replicates; T4 persistence (METRICS.md §4).

A period's pairs (every pair with an interaction in it) carry the column blocks of
:data:`BLOCKS`, each ``1 + g`` wide (column 0 the network, ``1 + k`` group ``k``). Their
sums and Poisson-bootstrap replicate sums (:func:`~analytics.temporal_bootstrap.pair_sums`)
are computed once per period and shared by the two windows that read the period (as the
window and as the previous period). Pair ratios are rescaled as in
:mod:`analytics.temporal_bootstrap`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.temporal_bootstrap import (
    first_order_scale,
    pair_squares,
    pair_sums,
    percentile_interval,
    ratio,
    rescaled,
)
from analytics.temporal_period import EventIndex, Period, binary


@dataclass(frozen=True)
class Cell:
    """One indicator in one window: ``value``, ``low``, ``high`` (NaN: no interval)."""

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def point(cls, value: np.ndarray) -> Cell:
        nan = np.full(len(value), np.nan)
        return cls(np.asarray(value, dtype=float), nan, nan.copy())


def column(values: np.ndarray) -> sp.csr_matrix:
    """``values`` as a one-column sparse matrix."""
    return sp.csr_matrix(np.asarray(values, dtype=float)[:, None])


def scaled_rows(values: np.ndarray, matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Row ``p`` of ``matrix`` times ``values[p]``."""
    return sp.csr_matrix(sp.diags(np.asarray(values, dtype=float)) @ matrix)


def _placed(rows: np.ndarray, matrix: sp.csr_matrix, n_rows: int) -> sp.csr_matrix:
    """``matrix``'s row ``k`` moved to row ``rows[k]`` of an ``n_rows``-row matrix."""
    entries = matrix.tocoo()
    return sp.csr_matrix(
        (entries.data, (rows[entries.row], entries.col)), shape=(n_rows, matrix.shape[1])
    )


#: column blocks of :func:`period_sums`, each ``1 + g`` wide (network, then groups):
#: every pair with an interaction and the groups its ends hold (T4 Jaccard); the network's
#: cross ties (T5 ``E``, T4 retention) and ties inside groups (T5 ``I``); T1's crossing and
#: total ω
BLOCKS = ("all", "cross", "inside", "t1_num", "t1_den")


@dataclass(frozen=True)
class PeriodSums:
    """Per block of :data:`BLOCKS`: the ``pairs_all × (1 + g)`` matrix over the period's
    pairs (``low``/``high``: their people), its column sums and its replicate sums."""

    low: np.ndarray
    high: np.ndarray
    matrix: dict[str, sp.csr_matrix]
    observed: dict[str, np.ndarray]
    replicates: dict[str, np.ndarray]


def period_sums(period: Period, index: EventIndex, counts: np.ndarray) -> PeriodSums:
    """The :class:`PeriodSums` of one period (computed once, shared by the two windows
    that read it: as "now" and as "previous")."""
    low, high = index.pair_low[period.pairs_all], index.pair_high[period.pairs_all]
    rows, n_all = np.searchsorted(period.pairs_all, period.pair), len(period.pairs_all)
    w, x = period.weight, period.cross.astype(float)
    touching = period.touching
    cross_touching = scaled_rows(x, touching)
    network = {
        "cross": sp.hstack([column(x), cross_touching]),
        "inside": sp.hstack([column(1 - x), period.inside]),
        "t1_num": sp.hstack([column(w * x), scaled_rows(w, cross_touching)]),
        "t1_den": sp.hstack([column(w), scaled_rows(w, touching)]),
    }
    attribution = binary(period.global_member[low] + period.global_member[high])
    matrix = {"all": sp.hstack([column(np.ones(n_all)), attribution]).tocsr()}
    matrix.update({k: _placed(rows, sp.csr_matrix(m), n_all) for k, m in network.items()})
    width = 1 + period.n_groups
    sums = pair_sums(low, high, sp.hstack([matrix[k] for k in BLOCKS]).tocsr(), counts)
    return PeriodSums(
        low=low,
        high=high,
        matrix=matrix,
        observed={k: np.asarray(matrix[k].sum(axis=0)).ravel() for k in BLOCKS},
        replicates={k: sums[i * width : (i + 1) * width] for i, k in enumerate(BLOCKS)},
    )


def pair_ratio(
    numerator: sp.csr_matrix,
    denominator: sp.csr_matrix,
    drawn_numerator: np.ndarray,
    drawn_denominator: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Value and rescaled replicates of a pair ratio (:mod:`analytics.temporal_bootstrap`)."""
    value = ratio(
        np.asarray(numerator.sum(axis=0)).ravel(), np.asarray(denominator.sum(axis=0)).ravel()
    )
    squares = pair_squares(numerator, denominator, value)
    scale = first_order_scale(value, drawn_numerator, drawn_denominator, squares)
    return value, rescaled(value, ratio(drawn_numerator, drawn_denominator), scale)


def pair_count(
    matrix: sp.csr_matrix, drawn: np.ndarray, pairs: np.ndarray, pairs_drawn: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Counts over pairs ``A_k = Σ_p a_pk`` (0/1 ``a``) and their replicates, bootstrapped as
    the share ``A_k / P_k`` of the ``P_k`` possible pairs (``pairs``; replicates
    ``pairs_drawn``, ``Σ_{u<v} c_u c_v``) times ``P_k``: a Poisson replicate has a random
    number of people, and a count of pairs grows with its square, so replicate counts
    ``A*`` themselves spread far too wide. The share is a pair ratio over every possible
    pair (``b_p = 1``; ``Σ_p f_p² = A − 2RA + R²P``), rescaled as in
    :mod:`analytics.temporal_bootstrap`; ``drawn`` is ``K × B``."""
    value = np.asarray(matrix.sum(axis=0), dtype=float).ravel()
    share = ratio(value, pairs)
    squares = np.nan_to_num(value - 2 * share * value + share**2 * pairs)
    scale = first_order_scale(share, drawn, pairs_drawn, squares)
    return value, pairs[:, None] * rescaled(share, ratio(drawn, pairs_drawn), scale)


def block_ratio(
    sums: PeriodSums, numerator: str, denominator: str
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pair_ratio` for the ratio of two blocks."""
    return pair_ratio(
        sums.matrix[numerator],
        sums.matrix[denominator],
        sums.replicates[numerator],
        sums.replicates[denominator],
    )


def sorted_in(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """``np.isin`` for a sorted array of distinct values."""
    position = np.searchsorted(sorted_unique, values)
    position = np.minimum(position, max(len(sorted_unique) - 1, 0))
    if not len(sorted_unique):
        return np.zeros(len(values), dtype=bool)
    found: np.ndarray = sorted_unique[position] == values
    return found


def persistence(
    now: Period,
    before: Period,
    now_sums: PeriodSums,
    before_sums: PeriodSums,
    counts: np.ndarray,
    level: float,
) -> tuple[Cell, Cell]:
    """T4: retention ``|E^x_{t−1} ∩ E_t| / |E^x_{t−1}|`` of the previous period's cross
    ties (per group: those touching it), and the Jaccard ``|E_t ∩ E_{t−1}| / |E_t ∪
    E_{t−1}|`` of all pairs with an interaction (per group: the pairs touching it under
    each period's labels); person-cluster intervals on both. Only the pairs present in
    both periods are summed again: ``|A ∪ B| = |A| + |B| − |A ∩ B|``."""
    both = np.intersect1d(before.pairs_all, now.pairs_all, assume_unique=True)
    at_now = np.searchsorted(now.pairs_all, both)
    at_before = np.searchsorted(before.pairs_all, both)
    shared = now_sums.matrix["all"][at_now].multiply(before_sums.matrix["all"][at_before])
    kept = before_sums.matrix["cross"][at_before]
    width = 1 + now.n_groups
    drawn = pair_sums(
        now_sums.low[at_now], now_sums.high[at_now], sp.hstack([shared, kept]).tocsr(), counts
    )
    in_now = np.zeros(len(before.pairs_all))
    in_now[at_before] = 1.0
    retained = sp.csr_matrix(sp.diags(in_now) @ before_sums.matrix["cross"])
    retention, retention_drawn = pair_ratio(
        retained, before_sums.matrix["cross"], drawn[width:], before_sums.replicates["cross"]
    )
    return (
        Cell(retention, *percentile_interval(retention_drawn, level)),
        _jaccard(now_sums, before_sums, shared, drawn[:width], level),
    )


def _jaccard(
    now_sums: PeriodSums,
    before_sums: PeriodSums,
    shared: sp.csr_matrix,
    shared_drawn: np.ndarray,
    level: float,
) -> Cell:
    """T4 Jaccard ``|A ∩ B| / (|A| + |B| − |A ∩ B|)`` from the pair sums of each period
    and of the pairs in both. The indicators are 0/1, so ``Σ_p f_p² = R(1 − R)|A ∪ B|``."""
    both = np.asarray(shared.sum(axis=0)).ravel()
    union = now_sums.observed["all"] + before_sums.observed["all"] - both
    value = ratio(both, union)
    union_drawn = now_sums.replicates["all"] + before_sums.replicates["all"] - shared_drawn
    squares = np.nan_to_num(value * (1 - value) * union)
    scale = first_order_scale(value, shared_drawn, union_drawn, squares)
    drawn = rescaled(value, ratio(shared_drawn, union_drawn), scale)
    return Cell(value, *percentile_interval(drawn, level))
