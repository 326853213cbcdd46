"""Indicators T1–T7 of one window (METRICS.md §4) on a :class:`~analytics.temporal_period.Period`.

Every function returns :class:`Cell` values of length ``1 + g``: position 0 is the whole
window network, position ``1 + k`` group ``k`` (its members, or the pairs touching it). The
window network, the M1 rule and the conventions are those of :mod:`analytics.temporal_period`;
the formulas are in :mod:`analytics.temporal`. Bootstrap replicates come from the Poisson
multiplicities of the window's people, ``drawn`` (its people × replicates, float32, from
:func:`~analytics.temporal_bootstrap.replicate_counts`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from analytics.ei import EIResult, GroupCounts, ei_and_counts, group_counts
from analytics.temporal_bootstrap import pair_sums, percentile_interval, person_sums, ratio
from analytics.temporal_period import EventIndex, Period, binary
from analytics.temporal_sums import (
    Cell,
    PeriodSums,
    block_ratio,
    column,
    pair_count,
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
    drawn: np.ndarray,
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
    expected = _expected_replicates(period, drawn)
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


def active_spanners(period: Period, drawn: np.ndarray, level: float) -> tuple[Cell, Cell]:
    """T2 (METRICS.md B7, as :func:`analytics.spanners.boundary_spanners` ``active``): people
    with ≥ 1 internal tie and cross ties reaching ≥ 2 other groups; their count and share
    of the window's active people (of a group's active members), with a person-cluster
    interval on the share; the count's is the share's times the active people (a Poisson
    replicate's own count varies with its random number of people)."""
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
    active = _both(n, np.asarray(member.sum(axis=0)).ravel())
    value = ratio(count, active)
    sums = person_sums(sp.hstack([numerator, denominator]).tocsr(), drawn)
    low, high = percentile_interval(ratio(sums[: len(count)], sums[len(count) :]), level)
    return Cell(count, low * active, high * active), Cell(value, low, high)


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


def tie_origins(
    period: Period, previous: Period, index: EventIndex, drawn: np.ndarray, level: float
) -> tuple[Cell, Cell]:
    """T3: the window's cross ties whose pair had never interacted before ``start``
    (*new*), and those seen before but not in the previous period (*reactivated*); per
    group the ones touching it. Intervals: the replicate counts ``Σ_p c_u c_v a_p`` of the
    person-cluster bootstrap as shares of the possible pairs (:func:`~analytics.
    temporal_sums.pair_count`, :func:`possible_pairs`)."""
    cross = period.cross
    pair = period.pair[cross]
    new = index.first_contact[pair] >= period.start
    reactivated = ~new & ~sorted_in(pair, previous.pairs_all)
    touching = period.touching[cross]
    parts = [[column(x), scaled_rows(x, touching)] for x in (new, reactivated)]
    both = sp.hstack(parts[0] + parts[1]).tocsr()
    sums = pair_sums(period.source[cross], period.target[cross], both, drawn)
    pairs, pairs_drawn = possible_pairs(period, drawn)
    value, replicates = pair_count(both, sums, np.tile(pairs, 2), np.tile(pairs_drawn, (2, 1)))
    interval = percentile_interval(replicates, level)
    width = 1 + period.n_groups
    return (
        Cell(value[:width], interval[0][:width], interval[1][:width]),
        Cell(value[width:], interval[0][width:], interval[1][width:]),
    )


def possible_pairs(period: Period, drawn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of active people (network) and pairs touching each group, ``N(N−1)/2`` and
    ``N(N−1)/2 − (N−n_g)(N−n_g−1)/2``, and their replicates ``(S₁² − S₂)/2`` with
    ``S₁ = Σ c_i``, ``S₂ = Σ c_i²`` over the people concerned (``drawn``: the window's
    people × replicates)."""
    every = sp.hstack([sp.csr_matrix(np.ones((period.n, 1))), period.member]).tocsr()
    active = np.asarray(every.sum(axis=0)).ravel()

    def pairs(first: np.ndarray, second: np.ndarray) -> np.ndarray:
        outside_first, outside_second = first[:1] - first[1:], second[:1] - second[1:]
        every_pair = (first[:1] ** 2 - second[:1]) / 2
        return np.vstack([every_pair, every_pair - (outside_first**2 - outside_second) / 2])

    observed = pairs(active[:, None], active[:, None])[:, 0]
    return observed, pairs(person_sums(every, drawn), person_sums(every, drawn, power=2))
