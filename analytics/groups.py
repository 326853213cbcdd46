"""Boundary groups of the people of a projection, under the multi-membership rules.

A person may belong to several groups of one boundary kind (two CoPs, say) or to none.
METRICS.md §0 fixes how such memberships count, and every metric follows it:

* **M1 shared-any** (the default for crossing): a tie is internal iff the two people
  share at least one group, ``M_u ∩ M_v ≠ ∅``.
* **M2 fractional** (matrices, participation): a person's weight is split evenly over
  their groups: row ``i`` of :meth:`GroupLabels.fractional` is ``1/|M_i|`` on each group.
* **M3 primary** (where one label per person is needed: modularity, Leiden comparison,
  cross-community betweenness): :attr:`GroupLabels.primary`, the group the person holds
  most interactions in (ties broken by group order), ``-1`` for the unaffiliated.

Unaffiliated people keep their vertex (label set ``∅``) and are left out of group rows.
Null models permute whole label sets across people with the graph fixed
(:meth:`GroupLabels.permuted`).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

IntArray = np.ndarray
BoolArray = np.ndarray


@dataclass(frozen=True)
class GroupLabels:
    """The groups of each vertex: ``sets[i]`` holds indexes into ``groups``.

    Parameters
    ----------
    groups
        Group ids (e.g. community ids), one per group index.
    sets
        Per vertex, the indexes of its groups (M1); empty for the unaffiliated.
    primary
        Per vertex, its M3 primary group index, ``-1`` when it has none.

    Examples
    --------
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}, {0, 1}, set()])
    >>> labels.internal(np.array([0, 0, 1]), np.array([1, 2, 2])).tolist()
    [True, False, False]
    >>> labels.sizes().tolist(), labels.primary.tolist()
    ([2, 1], [0, 0, -1])
    """

    groups: tuple[str, ...]
    sets: tuple[frozenset[int], ...]
    primary: IntArray

    @classmethod
    def from_sets(
        cls,
        groups: Sequence[str],
        sets: Sequence[set[int] | frozenset[int]],
        primary: Sequence[int] | IntArray | None = None,
    ) -> GroupLabels:
        """Labels from per-vertex group sets; ``primary`` defaults to each set's smallest
        group index (``-1`` for an empty set)."""
        frozen = tuple(frozenset(s) for s in sets)
        if primary is None:
            primary = [min(s) if s else -1 for s in frozen]
        chosen = np.asarray(primary, dtype=np.int64)
        for vertex, (own, main) in enumerate(zip(frozen, chosen.tolist(), strict=True)):
            if (main == -1) != (not own) or (own and main not in own):
                raise ValueError(f"vertex {vertex}: primary group {main} is not among {own}")
        return cls(tuple(groups), frozen, chosen)

    @property
    def n_vertices(self) -> int:
        return len(self.sets)

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    @functools.cached_property
    def _membership(self) -> sp.csr_matrix:
        sizes = np.fromiter((len(own) for own in self.sets), dtype=np.int64, count=self.n_vertices)
        rows = np.repeat(np.arange(self.n_vertices), sizes)
        cols = np.fromiter(
            itertools.chain.from_iterable(sorted(own) for own in self.sets),
            dtype=np.int64,
            count=int(sizes.sum()),
        )
        data = np.ones(len(rows))
        return sp.csr_matrix((data, (rows, cols)), shape=(self.n_vertices, self.n_groups))

    def membership(self) -> sp.csr_matrix:
        """The n × g 0/1 matrix ``B``: ``B[i, g] = 1`` iff ``g ∈ M_i`` (a copy)."""
        return self._membership.copy()

    def fractional(self) -> sp.csr_matrix:
        """The n × g M2 matrix ``P``: ``P[i, g] = 1/|M_i|`` for ``g ∈ M_i`` (rows of the
        unaffiliated are zero)."""
        member = self._membership
        counts = np.asarray(member.sum(axis=1)).ravel()
        scale = np.divide(1.0, counts, out=np.zeros_like(counts), where=counts > 0)
        return sp.csr_matrix(sp.diags(scale) @ member)

    def sizes(self) -> IntArray:
        """Members per group (a multi-member counts in each of their groups)."""
        return np.asarray(self._membership.sum(axis=0)).ravel().astype(np.int64)

    def internal(self, source: IntArray, target: IntArray) -> BoolArray:
        """M1 for each pair ``(source[k], target[k])``: True iff they share a group."""
        member = self._membership
        shared = member[np.asarray(source)].multiply(member[np.asarray(target)])
        return np.asarray(shared.sum(axis=1)).ravel() > 0

    def permuted(self, rng: np.random.Generator) -> GroupLabels:
        """The same label sets (with their primaries) shuffled across vertices."""
        order = rng.permutation(self.n_vertices)
        return GroupLabels(
            self.groups, tuple(self.sets[i] for i in order), self.primary[order].copy()
        )
