"""The two inputs of the boundary-group counts (METRICS.md S1–S3, S6, S7): the undirected
tie table of a graph and the distinct label sets of its people.

:func:`tie_table` collapses a graph to **ties**: an undirected pair with at least one
interaction (a directed graph's ``u→v`` and ``v→u`` collapse into one tie), valued 1 or by
the summed ``"count"``/``"weight"`` edge attribute. :func:`label_sets` groups the people by
their label set (rule M1, METRICS.md §0), so that a label permutation only reassigns set
ids, and finds the ties whose ends share a group (:meth:`LabelSets.shared_values`). With few
sets (``k² ≤ DENSE_KEYS``) the ties are summed per (set, set) key; otherwise a 64-bit mask
per set rules out most ties at once and the rest are read bit by bit (at most 64 groups) or
checked slot by slot on the sets' sorted group rows. Nothing is quadratic in the number of
distinct sets, which runs into the thousands when people hold two or three groups.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import igraph as ig
import numpy as np
import scipy.sparse as sp

from analytics.edges import edge_arrays
from analytics.groups import GroupLabels
from graphsvc.errors import ValidationError

Measure = Literal["ties", "count", "weight"]


@dataclass(frozen=True)
class TieTable:
    """The undirected ties ``source[k] < target[k]`` among ``n`` vertices and their values."""

    n: int
    source: np.ndarray
    target: np.ndarray
    value: np.ndarray
    measure: str

    def strength(self) -> np.ndarray:
        """Per vertex, the summed value of its ties (its degree for ``measure="ties"``)."""
        ends = np.bincount(self.source, self.value, self.n)
        return ends + np.bincount(self.target, self.value, self.n)


def tie_table(graph: ig.Graph, measure: Measure = "ties") -> TieTable:
    """Collapse ``graph`` to undirected ties valued by ``measure`` (self-loops dropped).

    The tie ``{u, v}`` has value 1 for ``"ties"``, else ``Σ x(e)`` over the edges ``e``
    between ``u`` and ``v`` in either direction, ``x`` the edge attribute ``measure``
    (METRICS.md S1; Krackhardt & Stern 1988 count ties).

    Raises
    ------
    ValidationError
        When ``measure`` is unknown or the graph lacks that edge attribute.

    Examples
    --------
    >>> g = ig.Graph(n=3, edges=[(0, 1), (1, 0), (1, 2)], directed=True)
    >>> g.es["count"] = [2, 3, 1]
    >>> t = tie_table(g, "count")
    >>> t.source.tolist(), t.target.tolist(), t.value.tolist()
    ([0, 1], [1, 2], [5.0, 1.0])
    """
    if measure not in ("ties", "count", "weight"):
        raise ValidationError("measure", f"{measure!r} is not one of ties, count, weight")
    arrays = edge_arrays(graph)
    edges = np.column_stack([arrays.source, arrays.target])
    value: np.ndarray
    if measure == "ties":
        value = np.ones(len(edges))
    elif measure in graph.es.attributes():  # the kept arrays: no second read of the graph
        value = arrays.weight if measure == "weight" else arrays.interactions
    else:
        raise ValidationError("measure", f"the graph has no edge attribute {measure!r}")
    low, high = np.minimum(edges[:, 0], edges[:, 1]), np.maximum(edges[:, 0], edges[:, 1])
    loop = low == high
    if loop.any():
        low, high, value = low[~loop], high[~loop], value[~loop]
    n = graph.vcount()
    if graph.is_directed() or graph.has_multiple():
        pairs, index = np.unique(low * n + high, return_inverse=True)
        low, high = pairs // n, pairs % n
        value = np.ones(len(pairs)) if measure == "ties" else np.bincount(index, value)
    return TieTable(n, low, high, value, measure)


MASK_BITS = 64  # group g sets bit g % MASK_BITS of its sets' masks
DENSE_KEYS = 1 << 16  # at most this many (set, set) keys: sum the ties per key with np.bincount
SUBSET_LIMIT = 1 << 22  # most (set, subset) pairs for counting ``sharing`` by inclusion–exclusion
SUBSET_WIDTH = 12  # ... and most groups in one set
PRODUCT_BLOCK = 1 << 22  # most (set, set) cells per block when counting it by products


@dataclass(frozen=True)
class SharedValues:
    """Tie values over the ties whose ends share a group (rule M1), under one assignment
    of label sets: ``internal`` in all; per group ``g``, ``inside[g]`` where both ends
    hold ``g`` and ``elsewhere[g]`` where one end does."""

    internal: float
    inside: np.ndarray
    elsewhere: np.ndarray


@dataclass(frozen=True)
class PairTable:
    """The ordered pairs of sets sharing a group, as keys ``s·k + t`` (ascending), with the
    masks of the groups held by both sets and by one of them (exact masks only)."""

    keys: np.ndarray
    both: np.ndarray
    one_side: np.ndarray


@dataclass(frozen=True)
class LabelSets:
    """The distinct label sets of the people.

    Vertex ``i`` holds set ``set_id[i]``; ``count[s]`` people hold set ``s``;
    ``member[s, g] = 1`` when set ``s`` contains group ``g``; ``rows[s]`` lists its groups
    sorted and padded with −1 to the widest set; bit ``g % MASK_BITS`` of ``masks[s]`` is
    set for each of its groups (sets with disjoint masks share no group; with at most
    ``MASK_BITS`` groups the masks are the sets). ``sharing[s]`` counts the people whose set
    meets ``s`` (its own holders included; 0 for the empty set). ``pairs`` is set when the
    masks are exact and there are at most ``DENSE_KEYS`` pairs of sets.
    """

    set_id: np.ndarray
    count: np.ndarray
    member: sp.csr_matrix
    rows: np.ndarray
    masks: np.ndarray
    sharing: np.ndarray
    pairs: PairTable | None

    @property
    def k(self) -> int:
        """The number of distinct label sets."""
        return len(self.count)

    @property
    def n_groups(self) -> int:
        return int(self.member.shape[1])

    def per_group(self, values: np.ndarray, sigma: np.ndarray | None = None) -> np.ndarray:
        """``Σ_{i: g ∈ M_i} values[i]`` per group (vertex ``i`` holding set ``sigma[i]``)."""
        own = self.set_id if sigma is None else sigma
        return np.asarray(self.member.T @ np.bincount(own, values, self.k)).ravel()

    def affiliated(self) -> np.ndarray:
        """Per vertex: does it hold any group?"""
        holds: np.ndarray = (np.diff(self.member.indptr) > 0)[self.set_id]
        return holds

    def shared_ties(self, sigma: np.ndarray, ties: TieTable) -> np.ndarray:
        """The ties (ascending indexes) whose ends share a group, vertex ``i`` holding set
        ``sigma[i]`` (``M_u ∩ M_v ≠ ∅``, rule M1).

        Examples
        --------
        >>> labels = GroupLabels.from_sets(("a", "b", "c"), [{0}, {0, 1}, {1, 2}, set()])
        >>> sets = label_sets(labels)
        >>> ties = TieTable(4, np.array([0, 0, 1, 2]), np.array([1, 2, 2, 3]), np.ones(4), "ties")
        >>> sets.shared_ties(sets.set_id, ties).tolist()
        [0, 2]
        """
        tie, _, _ = self._candidates(sigma, ties)
        if self.n_groups > MASK_BITS:  # masks of different groups can overlap
            tie = tie[self._slots(sigma, ties, tie)[0].any(axis=1)]
        return tie

    def shared_values(self, sigma: np.ndarray, ties: TieTable) -> SharedValues:
        """:class:`SharedValues` of ``ties``, vertex ``i`` holding set ``sigma[i]``.

        Examples
        --------
        >>> labels = GroupLabels.from_sets(("a", "b", "c"), [{0}, {0, 1}, {1, 2}, set()])
        >>> sets = label_sets(labels)
        >>> ties = TieTable(4, np.array([0, 0, 1, 2]), np.array([1, 2, 2, 3]), np.ones(4), "ties")
        >>> shared = sets.shared_values(sets.set_id, ties)
        >>> shared.internal, shared.inside.tolist(), shared.elsewhere.tolist()
        (2.0, [1.0, 1.0, 0.0], [1.0, 1.0, 1.0])
        """
        if self.pairs is not None:
            key = np.take(sigma * self.k, ties.source) + np.take(sigma, ties.target)
            weights = np.bincount(key, ties.value, self.k * self.k)[self.pairs.keys]
            return SharedValues(
                float(weights.sum()),
                _bit_sums(self.pairs.both, weights, self.n_groups),
                _bit_sums(self.pairs.one_side, weights, self.n_groups),
            )
        tie, source_masks, target_masks = self._candidates(sigma, ties)
        if self.n_groups <= MASK_BITS:  # the masks are the sets
            value = ties.value[tie]
            inside = _bit_sums(source_masks & target_masks, value, self.n_groups)
            elsewhere = _bit_sums(source_masks ^ target_masks, value, self.n_groups)
            return SharedValues(float(value.sum()), inside, elsewhere)
        return self._slot_values(sigma, ties, tie)

    def _candidates(
        self, sigma: np.ndarray, ties: TieTable
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ties whose ends' masks overlap, and those masks."""
        vertex_masks = self.masks[sigma]
        source_masks = np.take(vertex_masks, ties.source)
        target_masks = np.take(vertex_masks, ties.target)
        tie = np.flatnonzero((source_masks & target_masks) != 0)
        return tie, source_masks[tie], target_masks[tie]

    def _slots(
        self, sigma: np.ndarray, ties: TieTable, tie: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per tie of ``tie``: the two ends' group rows and which of their groups the
        other end holds (:func:`slot_shares`)."""
        own = self.rows[sigma[ties.source[tie]]]
        other = self.rows[sigma[ties.target[tie]]]
        return (*slot_shares(own, other), own, other)

    def _slot_values(self, sigma: np.ndarray, ties: TieTable, tie: np.ndarray) -> SharedValues:
        """:class:`SharedValues` by comparing the candidates' group rows slot by slot."""
        own_shares, other_shares, own, other = self._slots(sigma, ties, tie)
        shared = own_shares.any(axis=1)
        value, n = ties.value[tie[shared]], self.n_groups
        own, other = own[shared], other[shared]
        own_shares, other_shares = own_shares[shared], other_shares[shared]
        elsewhere = _slot_sums(own, (own >= 0) & ~own_shares, value, n)
        elsewhere += _slot_sums(other, (other >= 0) & ~other_shares, value, n)
        return SharedValues(float(value.sum()), _slot_sums(own, own_shares, value, n), elsewhere)


def slot_shares(own: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows of sorted groups padded with −1 (one pair of sets per row): is
    ``own[k, j]`` in ``other[k]``, and is ``other[k, j]`` in ``own[k]``?"""
    own_shares, other_shares = np.zeros(own.shape, bool), np.zeros(other.shape, bool)
    for slot in range(other.shape[1]):
        equal = own == other[:, slot, None]
        own_shares |= equal
        other_shares[:, slot] = equal.any(axis=1)
    own_shares &= own >= 0  # padding matches padding
    other_shares &= other >= 0
    return own_shares, other_shares


def _slot_sums(groups: np.ndarray, picked: np.ndarray, value: np.ndarray, n: int) -> np.ndarray:
    """``Σ value[k]`` over the picked slots ``(k, j)``, per group ``groups[k, j]``."""
    values = np.broadcast_to(value[:, None], groups.shape)
    return np.bincount(groups[picked], values[picked], n).astype(np.float64, copy=False)


_BYTE_BITS = (np.arange(256)[:, None] >> np.arange(8) & 1).astype(np.float64)  # byte → bits


def _bit_sums(bits: np.ndarray, value: np.ndarray, n: int) -> np.ndarray:
    """``Σ value[k]`` per group ``g < n`` over the ``k`` with bit ``g`` set in ``bits[k]``:
    one histogram of ``value`` over the 256 values of each byte of ``bits``."""
    as_bytes = bits.astype("<u8").view(np.uint8).reshape(len(bits), 8)
    sums = [
        (np.bincount(as_bytes[:, byte], value, 256)[:, None] * _BYTE_BITS).sum(axis=0)
        for byte in range(-(-n // 8))
    ]
    return np.concatenate([*sums, np.zeros(0)])[:n]


def _pair_table(masks: np.ndarray, n_groups: int) -> PairTable | None:
    """The :class:`PairTable` of the sets, if the masks are exact and the pairs few."""
    if len(masks) ** 2 > DENSE_KEYS or n_groups > MASK_BITS:
        return None
    both = np.bitwise_and.outer(masks, masks).ravel()
    keys = np.flatnonzero(both)
    return PairTable(keys, both[keys], np.bitwise_xor.outer(masks, masks).ravel()[keys])


def label_sets(labels: GroupLabels) -> LabelSets:
    """The distinct label sets of ``labels``, numbered in order of first holder.

    Two sets ``M_s``, ``M_t`` share a group iff ``M_s ∩ M_t ≠ ∅`` (rule M1, METRICS.md §0);
    ``sharing[s] = Σ_t count[t]·[M_s ∩ M_t ≠ ∅]``, counted by inclusion–exclusion over the
    subsets ``T`` of ``M_s``: ``Σ_{∅≠T⊆M_s} (−1)^{|T|+1}·#{people holding all of T}``.

    Examples
    --------
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}, {0, 1}, set(), {0}])
    >>> sets = label_sets(labels)
    >>> sets.set_id.tolist(), sets.count.tolist(), sets.sharing.tolist()
    ([0, 1, 2, 0], [2, 1, 1], [3.0, 3.0, 0.0])
    >>> sets.rows.tolist(), sets.masks.tolist()
    ([[0, -1], [0, 1], [-1, -1]], [1, 3, 0])
    >>> sets.per_group(np.ones(4)).tolist(), sets.affiliated().tolist()
    ([3.0, 1.0], [True, True, False, True])
    """
    index: dict[frozenset[int], int] = {}
    set_id = np.array([index.setdefault(own, len(index)) for own in labels.sets], np.int64)
    sizes = np.fromiter(map(len, index), np.int64, len(index))
    groups = np.fromiter(itertools.chain.from_iterable(map(sorted, index)), np.int64, sizes.sum())
    starts = np.concatenate([[0], np.cumsum(sizes)])
    member = sp.csr_matrix(
        (np.ones(len(groups)), groups, starts), shape=(len(index), labels.n_groups)
    )
    rows = np.full((len(index), int(sizes.max(initial=0))), -1, np.int64)
    holder = np.repeat(np.arange(len(index)), sizes)
    rows[holder, np.arange(len(groups)) - starts[holder]] = groups
    bits = np.left_shift(np.uint64(1), (np.maximum(rows, 0) % MASK_BITS).astype(np.uint64))
    masks = np.bitwise_or.reduce(np.where(rows >= 0, bits, np.uint64(0)), axis=1)
    count = np.bincount(set_id, minlength=len(index))
    sharing = _sharing(member, rows, count)
    return LabelSets(
        set_id, count, member, rows, masks, sharing, _pair_table(masks, labels.n_groups)
    )


def _sharing(member: sp.csr_matrix, rows: np.ndarray, count: np.ndarray) -> np.ndarray:
    """People whose set meets each set: by subsets when they are few, else by products."""
    sizes = np.diff(member.indptr)
    subsets = float(np.sum(2.0**sizes - 1))
    if rows.shape[1] <= SUBSET_WIDTH and subsets <= SUBSET_LIMIT:
        return _sharing_by_subsets(rows, sizes, count)
    return _sharing_by_products(member, count)


def _sharing_by_subsets(rows: np.ndarray, sizes: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Inclusion–exclusion over the nonempty subsets of each set (``rows`` sorted, −1 last)."""
    parts, holders, signs = [], [], []
    for size in np.unique(sizes[sizes > 0]).tolist():
        holder = np.flatnonzero(sizes == size)
        own = rows[holder]
        for pick in range(1, 1 << size):
            slots = [j for j in range(size) if pick >> j & 1]
            subset = np.full(own.shape, -1, rows.dtype)
            subset[:, : len(slots)] = own[:, slots]
            parts.append(subset)
            holders.append(holder)
            signs.append(np.full(len(holder), 1.0 if len(slots) % 2 else -1.0))
    if not parts:
        return np.zeros(len(rows))
    holder = np.concatenate(holders)
    which = np.unique(np.concatenate(parts), axis=0, return_inverse=True)[1].ravel()
    holding = np.bincount(which, count[holder])  # people whose set contains the subset
    sharing: np.ndarray = np.bincount(holder, np.concatenate(signs) * holding[which], len(rows))
    return sharing


def _sharing_by_products(member: sp.csr_matrix, count: np.ndarray) -> np.ndarray:
    """``[M_s ∩ M_t ≠ ∅]`` from ``member @ member.T``, a block of sets at a time."""
    member_t = sp.csr_matrix(member.T)
    step = max(1, PRODUCT_BLOCK // max(member.shape[0], 1))
    sharing = np.zeros(member.shape[0])
    for start in range(0, member.shape[0], step):
        block = sp.csr_matrix(member[start : start + step] @ member_t)
        block.data[:] = 1.0
        sharing[start : start + step] = block @ count
    return sharing
