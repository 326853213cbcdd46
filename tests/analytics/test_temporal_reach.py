"""T6/T7 intervals and the counts' intervals (T2, T3): replicates against the resampled
network built by hand, and the intervals present on every indicator that has one."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest
import scipy.sparse as sp
from test_temporal import random_history, utc

from analytics.groups import GroupLabels
from analytics.projection import DEFAULT_KINDS
from analytics.temporal import TemporalOptions, temporal_indicators
from analytics.temporal_bootstrap import replicate_counts
from analytics.temporal_measures import possible_pairs
from analytics.temporal_period import Period, build_period, prepare_events
from analytics.temporal_reach import link_replicates, normal_interval, weighted_medians
from analytics.temporal_windows import seconds
from analytics.ties import tie_matrix


def _february() -> Period:
    events, members, _ = random_history(11)
    index = prepare_events(events, DEFAULT_KINDS)
    return build_period(index, members, seconds(utc(2025, 2, 1)), seconds(utc(2025, 3, 1)))


def _resampled(period: Period, copies: np.ndarray) -> tuple[ig.Graph, list[set[int]]]:
    """The network among ``copies[i]`` copies of each person: every tie (u, v) becomes
    ``c_u·c_v`` ties between their copies; each copy keeps the person's groups."""
    owner = np.repeat(np.arange(period.n), copies)
    first = np.concatenate([[0], np.cumsum(copies)[:-1]])
    edges = [
        (first[u] + i, first[v] + j)
        for u, v in zip(period.source.tolist(), period.target.tolist(), strict=True)
        for i in range(copies[u])
        for j in range(copies[v])
    ]
    member = period.member.tolil().rows
    return ig.Graph(n=len(owner), edges=edges), [set(member[o]) for o in owner]


def test_t6_replicates_are_the_tie_matrix_of_the_resampled_network() -> None:
    period = _february()
    counts = replicate_counts(period.n, 6, seed=3)
    shares, fragile = link_replicates(period, counts)
    g = period.n_groups
    for b in range(counts.shape[1]):
        graph, sets = _resampled(period, counts[:, b].astype(int))
        ties = tie_matrix(graph, GroupLabels.from_sets([str(k) for k in range(g)], sets))
        present = np.array([any(k in s for s in sets) for k in range(g)])
        linked = (ties.dyads > 0) & np.outer(present, present)
        np.fill_diagonal(linked, False)
        upper = np.triu_indices(g, 1)
        pairs = present.sum() * (present.sum() - 1) / 2
        assert shares[0, b] == pytest.approx(linked[upper].sum() / pairs)
        assert fragile[0, b] == ties.fragile[upper].sum()
        expected = np.where(present, linked.sum(axis=1) / (present.sum() - 1), np.nan)
        np.testing.assert_allclose(shares[1:, b], expected)
        np.testing.assert_array_equal(fragile[1:, b], ties.fragile.sum(axis=1))


def test_weighted_medians_are_medians_of_repeated_values() -> None:
    rng = np.random.default_rng(5)
    member = sp.csr_matrix((rng.random((40, 4)) < 0.4).astype(float))
    values = rng.integers(0, 6, 40).astype(float)
    counts = replicate_counts(40, 30, seed=2)
    medians = weighted_medians(member, values, counts)
    for k in range(4):
        rows = member[:, k].nonzero()[0]
        for b in range(30):
            repeated = np.repeat(values[rows], counts[rows, b])
            expected = np.median(repeated) if len(repeated) else np.nan
            np.testing.assert_equal(medians[k, b], expected)


def test_possible_pairs_count_the_pairs_among_the_copies() -> None:
    period = _february()
    counts = replicate_counts(period.n, 4, seed=9)
    pairs, drawn = possible_pairs(period, counts)
    n = period.n
    assert pairs[0] == n * (n - 1) / 2
    member = period.member.toarray() > 0
    for b in range(4):
        c = counts[:, b].astype(int)
        total = c.sum()
        assert drawn[0, b] == (total**2 - (c**2).sum()) / 2
        for k in range(period.n_groups):
            outside = c[~member[:, k]]
            untouched = (outside.sum() ** 2 - (outside**2).sum()) / 2
            assert drawn[1 + k, b] == drawn[0, b] - untouched  # pairs with ≥ 1 member copy


def test_normal_interval_is_clipped_and_needs_replicates() -> None:
    low, high = normal_interval(np.array([0.95, 0.5]), np.array([[0.7, 1.0], [np.nan] * 2]), 0.9, 1)
    assert high[0] == 1.0 and low[0] == pytest.approx(0.95 - 1.6449 * 0.15, abs=1e-4)
    assert np.isnan(low[1]) and np.isnan(high[1])


COUNTED = ("active_spanners", "new_cross_ties", "reactivated_cross_ties")
NETWORK = ("pairs_connected", "fragile_pairs", "reach_2")


def test_every_indicator_but_tests_and_baselines_carries_an_interval() -> None:
    events, members, _ = random_history(4)
    table = temporal_indicators(events, members, "month", TemporalOptions(replicates=200))
    for name in COUNTED + NETWORK:
        e = table.estimates[name]
        ok = ~table.insufficient & np.isfinite(e.value)
        assert ok.any() and np.isfinite(e.low[ok]).all(), name
        assert np.all(e.low[ok] <= e.high[ok]), name
        assert np.mean((e.low[ok] <= e.value[ok]) & (e.value[ok] <= e.high[ok])) >= 0.9, name
    spanners, share = table.estimates["active_spanners"], table.estimates["active_spanner_share"]
    np.testing.assert_allclose(spanners.low, share.low * table.n_active)
    assert np.all(table.estimates["fragile_pairs"].low >= 0)
    assert np.all(table.estimates["pairs_connected"].high[np.isfinite(e.high)] <= 1)


def test_rows_of_t3_and_t4_in_burn_in_windows_are_insufficient() -> None:
    events, members, _ = random_history(4)
    table = temporal_indicators(events, members, "month", TemporalOptions(replicates=20))
    assert table.windows.burn_in.tolist() == [True, False, False, False]
    assert not table.insufficient[:, 0].any()  # the network has enough interactions
    flagged = {
        (row["code"], row["period_start"][:7])
        for row in table.to_rows()
        if row["scope"] == "network" and row["insufficient"]
    }
    assert flagged == {("T3", "2025-01"), ("T4", "2025-01")}
