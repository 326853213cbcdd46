"""Indicators T1–T7 of one window (METRICS.md §4) on a :class:`~analytics.temporal_period.Period`.

Every function returns :class:`Cell` values of length ``1 + g``: position 0 is the whole
window network, position ``1 + k`` group ``k`` (its members, or the pairs touching it). The
window network, the M1 rule and the conventions are those of :mod:`analytics.temporal_period`;
the formulas are in :mod:`analytics.temporal`. Bootstrap replicates come from the Poisson
multiplicities ``counts`` (people × replicates, :mod:`analytics.temporal_bootstrap`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from analytics.ei import EIResult, GroupCounts, ei_and_counts, group_counts
from analytics.temporal_bootstrap import percentile_interval, person_sums, ratio
from analytics.temporal_period import EventIndex, Period, binary
from analytics.temporal_sums import (
    Cell,
    PeriodSums,
    block_ratio,
    column,
    pair_ratio,
    scaled_rows,
    sorted_in,
)


def _both(network: float | np.ndarray, groups: np.ndarray) -> np.ndarray:
    return np.concatenate([np.atleast_1d(np.asarray(network, dtype=float)), groups])


def cross_share(sums: PeriodSums, level: float) -> Cell:
    """T1 ``X = Σ_p ω_p x_p / Σ_p ω_p`` over the network pairs (per group: the pairs
    touching it; ``x_p = 1`` when the two share no group), with its interval."""
    value, replicates = block_ratio(sums, "t1_num", "t1_den")
    return Cell(value, *percentile_interval(replicates, level))


def cross_baseline(
    period: Period,
    permutations: int,
    rng: np.random.Generator,
    level: float,
    counts: GroupCounts | None = None,
) -> Cell:
    """T1 baseline: the cross share under label sets permuted among the window's people,
    graph fixed. ``permutations = 0``: its exact mean for the network, ``E*/(E* + I*)``
    with ``I*`` the pairs of people sharing a group, and per group the ratio of expected
    values ``2E*_g / (N(N−1) − (N−n_g)(N−n_g−1))`` (``E*_g`` member–outsider pairs sharing
    no group); otherwise the mean of ``permutations`` draws and their percentile band."""
    if period.n < 2:
        return Cell.point(np.full(1 + period.n_groups, np.nan))
    if permutations == 0:
        counts = counts or group_counts(period.ties(), period.labels)
        n, size = counts.n_vertices, counts.size.astype(float)
        network = 1.0 - counts.network_pairs_internal / counts.network_pairs
        touching = n * (n - 1) - (n - size) * (n - size - 1)
        return Cell.point(_both(network, ratio(2 * counts.pairs_external, touching)))
    sets, ties = period.sets, period.ties(period.weight)
    strength, total = ties.strength(), float(ties.value.sum())
    draws = np.array(
        [
            cross_shares(period, sets.set_id[rng.permutation(period.n)], strength, total)
            for _ in range(permutations)
        ]
    )
    low, high = percentile_interval(draws.T, level)
    with np.errstate(all="ignore"):
        mean = np.nanmean(np.where(np.isfinite(draws), draws, np.nan), axis=0)
    return Cell(mean, low, high)


def cross_shares(
    period: Period, sigma: np.ndarray, strength: np.ndarray, total: float
) -> np.ndarray:
    """T1 values when vertex ``i`` holds label set ``sigma[i]``: with ``V_g`` the weight of
    the members' pair ends, ``I_g`` inside ``g`` and ``O_g`` internal through another group
    only, the pairs touching ``g`` weigh ``V_g − I_g`` and the crossing ones
    ``V_g − 2I_g − O_g`` (:meth:`analytics.label_sets.LabelSets.shared_values`)."""
    sets = period.sets
    shared = sets.shared_values(sigma, period.ties(period.weight))
    volume = sets.per_group(strength, sigma)
    crossing = volume - 2 * shared.inside - shared.elsewhere
    network = 1.0 - shared.internal / total if total > 0 else np.nan
    return _both(network, ratio(crossing, volume - shared.inside))


def ei_excess(
    period: Period,
    sums: PeriodSums,
    counts: np.ndarray,
    *,
    permutations: int,
    seed: int,
    level: float,
) -> tuple[Cell, np.ndarray, GroupCounts]:
    """T5: ``EI − EI₀`` (network and groups) with its interval, and the permutation p
    (:func:`analytics.ei.ei_and_counts` on the window's ties). Replicates of
    ``EI = (E − I)/(E + I)`` come from the pair sums (``E_g``: cross ties touching ``g``,
    ``I_g``: ties inside ``g``); those of ``EI₀`` recount the random-mixing pairs among the
    resampled people (``N``, ``n_g`` and ``E*_g`` from the replicate's label-set counts)."""
    result: EIResult
    result, counted = ei_and_counts(
        period.ties(), period.labels, period.sets, permutations=permutations, seed=seed
    )
    value = _both(result.ei - result.ei_expected, result.group_ei - result.group_ei_expected)
    e, i = sums.matrix["cross"], sums.matrix["inside"]
    e_drawn, i_drawn = sums.replicates["cross"], sums.replicates["inside"]
    _, ei_replicates = pair_ratio(e - i, e + i, e_drawn - i_drawn, e_drawn + i_drawn)
    expected = _expected_replicates(period, counts[period.people])
    low, high = percentile_interval(ei_replicates - expected, level)
    return Cell(value, low, high), _both(result.ei_p, result.group_ei_p), counted


def _expected_replicates(period: Period, counts: np.ndarray) -> np.ndarray:
    """``EI₀`` per replicate (network row, then groups), from the resampled set counts."""
    sets = period.sets
    holders = sp.csr_matrix((np.ones(period.n), (np.arange(period.n), sets.set_id)))
    held = person_sums(holders, counts)  # distinct sets × replicates
    meets = binary(sets.member @ sets.member.T)
    sharing = meets @ held
    total = held.sum(axis=0)
    pairs_internal = ((held * sharing).sum(axis=0) - total) / 2
    pairs = total * (total - 1) / 2
    network = ratio(pairs - 2 * pairs_internal, pairs)
    size = sets.member.T @ held
    internal = size * (size - 1) / 2
    external = sets.member.T @ (held * (total - sharing))
    return np.vstack([network, ratio(external - internal, external + internal)])


def active_spanners(period: Period, counts: np.ndarray, level: float) -> tuple[Cell, Cell]:
    """T2 (METRICS.md B7, as :func:`analytics.spanners.boundary_spanners` ``active``): people
    with ≥ 1 internal tie and cross ties reaching ≥ 2 other groups; their count and share
    of the window's active people (of a group's active members), with a person-cluster
    interval on the share."""
    n = period.n
    internal = ~period.cross
    ties_inside = np.bincount(period.source[internal], minlength=n) + np.bincount(
        period.target[internal], minlength=n
    )
    flag = ((ties_inside >= 1) & (groups_reached(period) >= 2)).astype(float)
    member = period.member
    count = _both(flag.sum(), np.asarray(member.T @ flag).ravel())
    numerator = sp.hstack([column(flag), scaled_rows(flag, member)]).tocsr()
    denominator = sp.hstack([column(np.ones(n)), member]).tocsr()
    value = ratio(count, _both(n, np.asarray(member.sum(axis=0)).ravel()))
    sums = person_sums(sp.hstack([numerator, denominator]).tocsr(), counts[period.people])
    low, high = percentile_interval(ratio(sums[: len(count)], sums[len(count) :]), level)
    return Cell.point(count), Cell(value, low, high)


def groups_reached(period: Period) -> np.ndarray:
    """Per active person, the distinct groups of the people they share no group with."""
    cross = period.cross
    ego = np.concatenate([period.source[cross], period.target[cross]])
    alter = np.concatenate([period.target[cross], period.source[cross]])
    reached = np.zeros(period.n, dtype=np.int64)
    if not len(ego):
        return reached
    order = np.argsort(ego, kind="stable")
    ego, alter = ego[order], alter[order]
    starts = np.flatnonzero(np.concatenate([[True], ego[1:] != ego[:-1]]))
    joined = np.bitwise_or.reduceat(period.masks[alter], starts, axis=0)
    reached[ego[starts]] = np.bitwise_count(joined).sum(axis=1)
    return reached


def tie_origins(period: Period, previous: Period, index: EventIndex) -> tuple[Cell, Cell]:
    """T3: the window's cross ties whose pair had never interacted before ``start``
    (*new*), and those seen before but not in the previous period (*reactivated*)."""
    cross = period.cross
    pair = period.pair[cross]
    new = index.first_contact[pair] >= period.start
    reactivated = ~new & ~sorted_in(pair, previous.pairs_all)
    touching = period.touching[cross].T
    return (
        Cell.point(_both(new.sum(), touching @ new.astype(float))),
        Cell.point(_both(reactivated.sum(), touching @ reactivated.astype(float))),
    )


def group_links(period: Period) -> tuple[Cell, Cell]:
    """T6 (METRICS.md X1/X2, as :func:`analytics.ties.tie_matrix`): the share of pairs of
    present groups (≥ 1 active member) joined by a cross tie (``D_AB > 0``) and the pairs
    carried by one person (``K_AB = 1``, ``K_AB = min(S_AB, S_BA)``, ``S_AB`` members of
    A with a cross tie to B); per group A: the share of other present groups it is joined
    to, and its partners with ``K_AB = 1``."""
    cross, n = period.cross, period.n
    ego = np.concatenate([period.source[cross], period.target[cross]])
    alter = np.concatenate([period.target[cross], period.source[cross]])
    adjacency = sp.csr_matrix((np.ones(len(ego)), (ego, alter)), shape=(n, n))
    reach = binary(adjacency @ period.member)
    sides = np.asarray((period.member.T @ reach).todense())
    present = np.asarray(period.member.sum(axis=0)).ravel() > 0
    possible = np.outer(present, present)
    np.fill_diagonal(possible, False)
    linked = (sides > 0) & possible
    fragile = (np.minimum(sides, sides.T) == 1) & possible
    others = np.full(len(present), float(possible.sum(axis=1).max(initial=0)))
    share = _both(
        ratio(linked.sum(), possible.sum()),
        np.where(present, ratio(linked.sum(axis=1), others), np.nan),
    )
    return Cell.point(share), Cell.point(_both(fragile.sum() / 2, fragile.sum(axis=1)))


def reach_two(period: Period) -> Cell:
    """T7: the median number of other groups (not one's own) held by someone within two
    steps, over the active people (per group: over its active members); group sets as
    bit masks, joined over neighbours."""
    n = period.n
    ego = np.concatenate([period.source, period.target])
    alter = np.concatenate([period.target, period.source])
    order = np.argsort(ego, kind="stable")
    ego, alter = ego[order], alter[order]
    one = _neighbours_joined(ego, alter, period.masks)
    within = one | _neighbours_joined(ego, alter, one)
    other = np.bitwise_count(within & ~period.masks).sum(axis=1).astype(float)
    network = float(np.median(other)) if n else np.nan
    return Cell.point(_both(network, group_medians(period.member, other)))


def _neighbours_joined(ego: np.ndarray, alter: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per person, the OR of ``masks`` over their neighbours (``ego`` sorted)."""
    joined = np.zeros_like(masks)
    if len(ego):
        starts = np.flatnonzero(np.concatenate([[True], ego[1:] != ego[:-1]]))
        joined[ego[starts]] = np.bitwise_or.reduceat(masks[alter], starts, axis=0)
    return joined


def group_medians(member: sp.csr_matrix, values: np.ndarray) -> np.ndarray:
    """Per column ``g`` of a 0/1 ``member`` matrix, the median of ``values`` over its rows
    (NaN for an empty column).

    Examples
    --------
    >>> m = sp.csr_matrix(np.array([[1, 0], [1, 0], [1, 1], [0, 0]]))
    >>> group_medians(m, np.array([1.0, 5.0, 2.0, 9.0])).tolist()
    [2.0, 2.0]
    """
    entries = member.tocoo()
    group, value = entries.col.astype(np.int64), values[entries.row]
    order = np.lexsort((value, group))
    group, value = group[order], value[order]
    size = np.bincount(group, minlength=member.shape[1])
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    out = np.full(member.shape[1], np.nan)
    has = size > 0
    low = start[has] + (size[has] - 1) // 2
    high = start[has] + size[has] // 2
    out[has] = (value[low] + value[high]) / 2
    return out
