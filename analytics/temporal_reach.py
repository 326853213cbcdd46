"""T6 links between groups and T7 two-step reach of one window, with node-bootstrap
uncertainty (METRICS.md §4 "T6", "T7", "Intervals and significance").

Both are *network statistics*: a person's contribution depends on who else is in the
network. They are resampled as in the node bootstrap of Snijders & Borgatti (1999): the
Poisson multiplicities ``c_i`` of :mod:`analytics.temporal_bootstrap` (people × replicates)
keep the network among the people drawn, a person drawn ``c_i`` times counting ``c_i`` times.

* **T6** is recomputed exactly on each replicate's network: a member ``i`` of A carries
  the pair (A, B) when some *drawn* person of B shares a cross tie with ``i``, so
  ``S*_AB = Σ_{i∈A} c_i·[Σ_{j∈N(i)∩B} c_j > 0]``, ``K*_AB = min(S*_AB, S*_BA)``, A and B
  linked when ``K* > 0`` (equivalently ``D*_AB > 0``), fragile when ``K* = 1``, and the
  groups present those with a drawn member. A replicate network only loses links and
  carriers, so these replicates sit below the estimate: the interval is the normal one,
  ``estimate ± z·SE`` with ``SE`` the replicates' standard deviation — the use Snijders &
  Borgatti make of the node bootstrap — clipped to the indicator's range.
* **T7**'s per-person reach (other groups within two steps) is held fixed and the people
  resampled: the replicate is the median over the drawn people (a person drawn twice
  counts twice), with a percentile interval. It is the uncertainty of the median over who
  happens to be active, not of each person's reach.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.stats import norm

from analytics.temporal_bootstrap import CHUNK_CELLS, percentile_interval, person_sums, ratio
from analytics.temporal_period import Period
from analytics.temporal_sums import Cell


def group_links(period: Period, drawn: np.ndarray, level: float) -> tuple[Cell, Cell]:
    """T6 (METRICS.md X1/X2, as :func:`analytics.ties.tie_matrix`): the share of pairs of
    present groups (≥ 1 active member) joined by a cross tie (``D_AB > 0``) and the pairs
    carried by one person (``K_AB = 1``, ``K_AB = min(S_AB, S_BA)``, ``S_AB`` members of
    A with a cross tie to B); per group A: the share of the other present groups it is
    joined to, and its partners with ``K_AB = 1``. Node-bootstrap normal intervals
    (module docstring); ``drawn``: the multiplicities of the window's people."""
    carriers = _Carriers.of(period)
    share, fragile = carriers.links(np.ones((period.n, 1), dtype=np.uint8))
    share_drawn, fragile_drawn = carriers.links(drawn)
    return (
        Cell(share[:, 0], *normal_interval(share[:, 0], share_drawn, level, upper=1.0)),
        Cell(fragile[:, 0], *normal_interval(fragile[:, 0], fragile_drawn, level)),
    )


def link_replicates(period: Period, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """T6 on the network among the people drawn ``counts[i, b]`` times (the window's
    people × replicates): ``(1 + g) × B`` shares of present group pairs linked and
    fragile-pair counts (network row, then groups; module docstring)."""
    return _Carriers.of(period).links(counts)


def normal_interval(
    value: np.ndarray, replicates: np.ndarray, level: float, upper: float = np.inf
) -> tuple[np.ndarray, np.ndarray]:
    """``value ± z·SE``, ``SE`` the standard deviation of the finite replicates (last axis),
    clipped to ``[0, upper]``; NaN where fewer than half the replicates are finite.

    Examples
    --------
    >>> low, high = normal_interval(np.array([0.5]), np.array([[0.4, 0.6]]), 0.9, 1.0)
    >>> np.round(low, 4).tolist(), np.round(high, 4).tolist()  # SE = 0.1, z = 1.645
    ([0.3355], [0.6645])
    """
    drawn = np.asarray(replicates, dtype=float)
    finite = np.isfinite(drawn)
    seen = finite.sum(axis=-1)
    enough = seen * 2 >= drawn.shape[-1]
    mean = np.where(finite, drawn, 0.0).sum(axis=-1) / np.maximum(seen, 1)
    deviation = np.where(finite, drawn - mean[..., None], 0.0)
    spread = np.sqrt((deviation**2).sum(axis=-1) / np.maximum(seen, 1))
    half = norm.ppf((1 + level) / 2) * spread
    ok = enough & np.isfinite(value)
    low = np.where(ok, np.clip(value - half, 0.0, upper), np.nan)
    high = np.where(ok, np.clip(value + half, 0.0, upper), np.nan)
    return low, high


class _Carriers:
    """The window's carriers of group pairs: one row per (person ``i``, group ``B`` of a
    cross neighbour), with the neighbours in B (``neighbours``, rows × people) and the
    ordered pairs (A, B), A a group of ``i``, each row counts for (``pair_of_row``)."""

    def __init__(self, period: Period, rows: np.ndarray, neighbours: sp.csr_matrix) -> None:
        self.period = period
        g = period.n_groups
        self.ego, self.reached = rows // max(g, 1), rows % max(g, 1)
        self.neighbours = neighbours
        held = period.member[self.ego].tocoo()
        ordered = held.col.astype(np.int64) * g + self.reached[held.row]
        self.pairs = np.unique(ordered)  # ordered (A, B) with S_AB > 0
        column = np.searchsorted(self.pairs, ordered)
        self.pair_of_row = sp.csr_matrix(
            (np.ones(len(ordered), dtype=np.float32), (column, held.row)),
            shape=(len(self.pairs), len(rows)),
        )
        first, second = self.pairs // max(g, 1), self.pairs % max(g, 1)
        self.forward = np.flatnonzero(first < second)  # each unordered pair once
        self.backward = np.searchsorted(self.pairs, second * g + first)[self.forward]
        self.first, self.second = first[self.forward], second[self.forward]

    @classmethod
    def of(cls, period: Period) -> _Carriers:
        cross, g = period.cross, period.n_groups
        ego = np.concatenate([period.source[cross], period.target[cross]])
        alter = np.concatenate([period.target[cross], period.source[cross]])
        held = period.member[alter].tocoo()
        key = ego[held.row].astype(np.int64) * g + held.col
        rows, row_of = np.unique(key, return_inverse=True)
        neighbours = sp.csr_matrix(
            (np.ones(len(key), dtype=np.float32), (row_of, alter[held.row])),
            shape=(len(rows), period.n),
        )
        return cls(period, rows, neighbours)

    def carried(self, counts: np.ndarray) -> np.ndarray:
        """``S*_AB`` per ordered pair and replicate (``counts``: people × replicates)."""
        out = np.zeros((len(self.pairs), counts.shape[1]))
        weights = counts.astype(np.float32, copy=False)
        step = max(1, CHUNK_CELLS // max(counts.shape[1], 1))
        for low in range(0, len(self.ego), step):
            high = min(low + step, len(self.ego))
            drawn = (self.neighbours[low:high] @ weights) > 0
            out += self.pair_of_row[:, low:high] @ (drawn * weights[self.ego[low:high]])
        return out

    def links(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(1 + g) × B`` linked shares and fragile-pair counts (network, then groups)."""
        period, g = self.period, self.period.n_groups
        sides = self.carried(counts)
        carriers = np.minimum(sides[self.forward], sides[self.backward])
        linked, fragile = (carriers > 0).astype(float), (carriers == 1).astype(float)
        present = person_sums(period.member, counts) > 0  # g × B
        n_present = present.sum(axis=0).astype(float)
        ends = sp.csr_matrix(
            (
                np.ones(2 * len(self.first)),
                (np.concatenate([self.first, self.second]), np.tile(np.arange(len(self.first)), 2)),
            ),
            shape=(g, len(self.first)),
        )
        others = np.where(present, n_present - 1, 0.0)
        pairs_present = n_present * (n_present - 1) / 2
        shares = np.vstack([ratio(linked.sum(axis=0), pairs_present), ratio(ends @ linked, others)])
        fragile_counts = np.vstack([fragile.sum(axis=0), ends @ fragile])
        return shares, fragile_counts


def reach_two(period: Period, drawn: np.ndarray, level: float) -> Cell:
    """T7: the median number of other groups (not one's own) held by someone within two
    steps, over the active people (per group: over its active members), with the
    percentile interval of the medians over resampled people (module docstring). Group
    sets as bit masks, joined over neighbours."""
    ego = np.concatenate([period.source, period.target])
    alter = np.concatenate([period.target, period.source])
    order = np.argsort(ego, kind="stable")
    ego, alter = ego[order], alter[order]
    one = _neighbours_joined(ego, alter, period.masks)
    within = one | _neighbours_joined(ego, alter, one)
    other = np.bitwise_count(within & ~period.masks).sum(axis=1).astype(float)
    scopes = sp.hstack([sp.csr_matrix(np.ones((period.n, 1))), period.member]).tocsr()
    value = weighted_medians(scopes, other, np.ones((period.n, 1), dtype=np.uint8))[:, 0]
    medians = weighted_medians(scopes, other, drawn)
    return Cell(value, *percentile_interval(medians, level))


def _neighbours_joined(ego: np.ndarray, alter: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per person, the OR of ``masks`` over their neighbours (``ego`` sorted)."""
    joined = np.zeros_like(masks)
    if len(ego):
        starts = np.flatnonzero(np.concatenate([[True], ego[1:] != ego[:-1]]))
        joined[ego[starts]] = np.bitwise_or.reduceat(masks[alter], starts, axis=0)
    return joined


def weighted_medians(member: sp.csr_matrix, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per column ``k`` of a 0/1 ``member`` matrix (people × K) and replicate ``b``, the
    median of the non-negative integer ``values`` over its rows, row ``i`` repeated
    ``counts[i, b]`` times: with ``m`` repetitions in all, the mean of the
    ``⌊(m+1)/2⌋``-th and ``⌊m/2⌋+1``-th smallest (``np.median``); NaN when ``m = 0``.
    ``K × B``, from the weighted histograms ``H[k, v, b] = Σ_{i∈k, values_i = v} c_ib``
    (:func:`~analytics.temporal_bootstrap.person_sums`) and their running sums.

    Examples
    --------
    >>> m = sp.csr_matrix(np.array([[1, 0], [1, 0], [1, 1], [0, 0]]))
    >>> counts = np.array([[1, 0], [1, 3], [1, 1], [1, 1]], dtype=np.uint8)
    >>> weighted_medians(m, np.array([1.0, 5.0, 2.0, 9.0]), counts).tolist()
    [[2.0, 5.0], [2.0, 2.0]]
    """
    level = np.asarray(values).astype(np.int64)
    k, width = member.shape[1], int(level.max(initial=0)) + 1
    entries = sp.csr_matrix(member).tocoo()
    histogram_of = sp.csr_matrix(
        (np.ones(entries.nnz), (entries.row, entries.col * width + level[entries.row])),
        shape=(member.shape[0], k * width),
    )
    running = np.cumsum(person_sums(histogram_of, counts).reshape(k, width, -1), axis=1)
    total = running[:, -1, :]
    out = np.zeros(total.shape)
    for rank in ((total + 1) // 2, total // 2 + 1):  # the value where the running sum reaches rank
        out += (running < rank[:, None, :]).sum(axis=1)
    return np.where(total > 0, out / 2, np.nan)
