"""The interactions of one period as arrays: pairs, people, their groups (METRICS.md §0, §4).

:func:`prepare_events` filters the interactions once (the chosen kinds; self-interactions
dropped), numbers every unordered pair of people and records its first contact. A
:class:`Period` is then the state of one window ``[start, end)``, built with numpy only:

* ``pairs_all``: every pair with an interaction in the period (any labels): the contact
  history read by T3 and T4;
* the **window network**: the period's interactions between people who hold at least one
  group at the period's end (the memberships active at ``end``, METRICS.md §0), aggregated
  per pair. Its people (``people``, global indexes, sorted) are the window's *active* people;
  interactions touching an unaffiliated person are left out of it (they cross no named
  boundary) and reported as ``unaffiliated_share``;
* per network pair: ``weight`` (summed interaction weights or counts), ``count``
  (interactions) and ``cross`` (rule M1: the two people share no group);
* the labels of the active people: the 0/1 matrix ``member``, bit masks, and the
  :class:`~analytics.groups.GroupLabels` / :class:`~analytics.label_sets.LabelSets` the
  E-I functions of :mod:`analytics.ei` take.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.groups import GroupLabels
from analytics.label_sets import LabelSets, TieTable, label_sets
from analytics.temporal_windows import MembershipArrays
from graphsvc.model import InteractionArrays, InteractionKind

MASK_BITS = 64


@dataclass(frozen=True)
class EventIndex:
    """Interactions kept for the indicators, sorted by time: ``source``/``target`` (person
    indexes), ``at`` (seconds), ``weight`` (ω: 1 per interaction, or its weight), ``pair``
    (the unordered pair's number); per pair ``pair_low`` < ``pair_high`` and
    ``first_contact`` (seconds of its first interaction)."""

    n_people: int
    source: np.ndarray
    target: np.ndarray
    at: np.ndarray
    weight: np.ndarray
    pair: np.ndarray
    pair_low: np.ndarray
    pair_high: np.ndarray
    first_contact: np.ndarray

    def span(self, start: int, end: int) -> slice:
        """The rows with ``start ≤ at < end``."""
        low, high = np.searchsorted(self.at, [start, end], side="left")
        return slice(int(low), int(high))


def counted_rows(events: InteractionArrays, kinds: Sequence[InteractionKind]) -> np.ndarray:
    """Per interaction: is it of one of ``kinds`` and between two people (no self-loop)?"""
    codes = [events.kinds.index(k.value) for k in kinds if k.value in events.kinds]
    counted: np.ndarray = np.isin(events.kind, codes) & (events.source != events.target)
    return counted


def prepare_events(
    events: InteractionArrays, kinds: Sequence[InteractionKind], weighting: str = "count"
) -> EventIndex:
    """The :class:`EventIndex` of ``events``: rows of ``kinds`` without self-interactions,
    ω = 1 (``weighting="count"``) or the interaction's weight (``"weight"``).

    Examples
    --------
    >>> from analytics.projection import interaction_arrays
    >>> idx = prepare_events(interaction_arrays([("a", "b", 5), ("b", "a", 9),
    ...     ("a", "a", 9), ("c", "a", 7)]), [InteractionKind.COLLABORATION])
    >>> idx.pair.tolist(), idx.pair_low.tolist(), idx.pair_high.tolist()
    ([0, 1, 0], [0, 0], [1, 2])
    >>> idx.first_contact.tolist()
    [5, 7]
    """
    if weighting not in ("count", "weight"):
        raise ValueError("weighting must be 'count' or 'weight'")
    keep = counted_rows(events, kinds)
    at = np.asarray(events.at, dtype=np.int64)[keep]
    order = np.argsort(at, kind="stable") if np.any(np.diff(at) < 0) else slice(None)
    source = np.asarray(events.source, dtype=np.int64)[keep][order]
    target = np.asarray(events.target, dtype=np.int64)[keep][order]
    at = at[order]
    if weighting == "count":
        weight = np.ones(len(at))
    else:
        weight = np.asarray(events.weight, dtype=np.float64)[keep][order]
    n = len(events.person_ids)
    key = np.minimum(source, target) * max(n, 1) + np.maximum(source, target)
    pairs, first, pair = np.unique(key, return_index=True, return_inverse=True)
    return EventIndex(
        n_people=n,
        source=source.astype(np.int32),
        target=target.astype(np.int32),
        at=at,
        weight=weight,
        pair=pair.astype(np.int64).ravel(),
        pair_low=pairs // max(n, 1),
        pair_high=pairs % max(n, 1),
        first_contact=at[first],
    )


@dataclass(frozen=True)
class Period:
    """One window's network and labels (module docstring). Pair arrays index the network
    pairs; ``source``/``target`` are positions in ``people`` (``source < target``);
    ``global_member`` is the ``n_people × n_groups`` membership matrix at ``end``."""

    start: int
    end: int
    groups: tuple[str, ...]
    pairs_all: np.ndarray
    people: np.ndarray
    pair: np.ndarray
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    count: np.ndarray
    cross: np.ndarray
    member: sp.csr_matrix
    masks: np.ndarray
    global_member: sp.csr_matrix
    interactions: int
    unaffiliated_share: float

    @property
    def n(self) -> int:
        """Active people of the window network."""
        return len(self.people)

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    @functools.cached_property
    def labels(self) -> GroupLabels:
        """The active people's group sets (M1) and primary groups (lowest index)."""
        return group_labels(self.member, self.masks, self.groups)

    @functools.cached_property
    def sets(self) -> LabelSets:
        return label_sets(self.labels)

    @functools.cached_property
    def touching(self) -> sp.csr_matrix:
        """Pairs × groups: 1 where either end holds the group (the pair touches it)."""
        return binary(self.member[self.source] + self.member[self.target])

    @functools.cached_property
    def inside(self) -> sp.csr_matrix:
        """Pairs × groups: 1 where both ends hold the group."""
        return binary(self.member[self.source].multiply(self.member[self.target]))

    def ties(self, values: np.ndarray | None = None) -> TieTable:
        """The network pairs as an :class:`~analytics.label_sets.TieTable` (value 1 per tie,
        or ``values``)."""
        if values is None:
            return TieTable(self.n, self.source, self.target, np.ones(len(self.pair)), "ties")
        return TieTable(self.n, self.source, self.target, values, "weight")


def binary(matrix: sp.spmatrix) -> sp.csr_matrix:
    """``matrix`` with every stored nonzero set to 1 (explicit zeros dropped)."""
    out = sp.csr_matrix(matrix, dtype=np.float64, copy=True)
    out.eliminate_zeros()
    out.data[:] = 1.0
    return out


def build_period(index: EventIndex, members: MembershipArrays, start: int, end: int) -> Period:
    """The :class:`Period` ``[start, end)`` of ``index`` with the memberships at ``end``."""
    rows = index.span(start, end)
    global_member = members.at(end)
    held = np.diff(global_member.indptr) > 0
    source, target = index.source[rows], index.target[rows]
    pair, weight = index.pair[rows], index.weight[rows]
    kept = held[source] & held[target]
    pairs, inverse = np.unique(pair[kept], return_inverse=True)
    low, high = index.pair_low[pairs], index.pair_high[pairs]
    people = distinct(np.concatenate([low, high]))
    local_source, local_target = np.searchsorted(people, low), np.searchsorted(people, high)
    member = sp.csr_matrix(global_member[people])
    member.sort_indices()
    masks = group_masks(member)
    cross = ~(masks[local_source] & masks[local_target]).any(axis=1)
    total = float(weight.sum())
    return Period(
        start=start,
        end=end,
        groups=members.groups,
        pairs_all=distinct(pair),
        people=people,
        pair=pairs,
        source=local_source,
        target=local_target,
        weight=np.bincount(inverse, weight[kept], len(pairs)),
        count=np.bincount(inverse, minlength=len(pairs)).astype(np.float64),
        cross=cross,
        member=member,
        masks=masks,
        global_member=global_member,
        interactions=int(kept.sum()),
        unaffiliated_share=1.0 - float(weight[kept].sum()) / total if total > 0 else np.nan,
    )


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (by sorting: far faster than numpy 2's hashing
    ``np.unique`` on large integer arrays).

    Examples
    --------
    >>> distinct(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def group_masks(member: sp.csr_matrix) -> np.ndarray:
    """``n × ⌈g/64⌉`` uint64 masks: bit ``g % 64`` of word ``g // 64`` set when the person
    holds group ``g`` (``member`` with sorted indices).

    Examples
    --------
    >>> group_masks(sp.csr_matrix(np.array([[1.0, 0, 1], [0, 0, 0]]))).tolist()
    [[5], [0]]
    """
    n, g = member.shape
    words = max(1, -(-g // MASK_BITS))
    rows = np.repeat(np.arange(n), np.diff(member.indptr))
    cols = member.indices.astype(np.int64)
    key = rows * words + cols // MASK_BITS
    bits = np.left_shift(np.uint64(1), (cols % MASK_BITS).astype(np.uint64))
    flat = np.zeros(n * words, dtype=np.uint64)
    if len(key):
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        flat[key[starts]] = np.bitwise_or.reduceat(bits, starts)
    return flat.reshape(n, words)


def group_labels(member: sp.csr_matrix, masks: np.ndarray, groups: tuple[str, ...]) -> GroupLabels:
    """:class:`~analytics.groups.GroupLabels` of the rows of ``member`` (sorted indices),
    one frozenset per distinct set; primary = the lowest group index (−1 if none)."""
    n = member.shape[0]
    if masks.shape[1] == 1:
        _, first, inverse = np.unique(masks[:, 0], return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(masks, axis=0, return_index=True, return_inverse=True)
    indptr, indices = member.indptr, member.indices
    distinct = [frozenset(indices[indptr[r] : indptr[r + 1]].tolist()) for r in first.tolist()]
    sets = tuple(distinct[i] for i in np.asarray(inverse).ravel().tolist()) if n else ()
    primary = np.full(n, -1, dtype=np.int64)
    held = np.diff(indptr) > 0
    primary[held] = indices[indptr[:-1][held]]  # sorted indices: the lowest group
    return GroupLabels(groups, sets, primary)
