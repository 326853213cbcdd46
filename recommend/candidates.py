"""Candidate generation for collaborator suggestions (METRICS.md R1 "Candidates").

For a person u, as of a :class:`~recommend.snapshot.Snapshot`, the candidates are the union of

* **hop2**: people two steps away, the rows of A² (kept: the ``max_hop2`` with most
  common neighbours, ties broken by activity);
* **hop3** (``hops=3``): people three steps away, from (A² > 0)·A (kept: ``max_hop3``
  with most paths);
* **topic**: the ``per_topic`` most active holders of each of u's topics (declared
  topics, expertise and topics of u's interactions);
* **comember**: the ``per_group`` most active members of each of u's boundary groups;
* **cross**: the cross-group pool: the ``cross_per_group`` most active members of every
  boundary group u is not in, of whom the ``max_cross`` most active are kept;

minus u, u's existing ties at the cut, people with ``consent=False`` and people inactive
for more than ``max_inactive_days`` (no interaction, joining or membership start in that
time). A person with ``consent=False`` gets no candidates. Everything is sparse algebra
over blocks of people, never a per-person search, so all people of a 100k-person graph
can be served.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from recommend.snapshot import Snapshot
from recommend.sparse_ops import positions

#: bit of each candidate source in :attr:`CandidatePairs.flags`
SOURCES: dict[str, int] = {"hop2": 1, "hop3": 2, "topic": 4, "comember": 8, "cross": 16}


@dataclass(frozen=True)
class CandidateOptions:
    """Where candidates come from and how many of each (see the module docstring)."""

    hops: int = 2
    max_hop2: int | None = 200
    max_hop3: int | None = 100
    per_topic: int = 10
    per_group: int = 20
    cross_per_group: int = 2
    max_cross: int | None = 20
    max_inactive_days: float | None = 180.0

    def __post_init__(self) -> None:
        if self.hops not in (2, 3):
            raise ValueError("hops must be 2 or 3")


@dataclass(frozen=True)
class CandidatePairs:
    """Pair ``k`` suggests ``target[k]`` to ``source[k]``; ``flags[k]`` has one bit per
    source that proposed it (:data:`SOURCES`). Pairs are sorted by ``(source, target)``."""

    source: np.ndarray
    target: np.ndarray
    flags: np.ndarray

    def __len__(self) -> int:
        return len(self.source)

    @classmethod
    def concat(cls, parts: list[CandidatePairs]) -> CandidatePairs:
        if not parts:
            empty = np.empty(0, dtype=np.int64)
            return cls(empty, empty.copy(), np.empty(0, dtype=np.int8))
        return cls(
            np.concatenate([p.source for p in parts]),
            np.concatenate([p.target for p in parts]),
            np.concatenate([p.flags for p in parts]),
        )

    def sources_of(self, k: int) -> tuple[str, ...]:
        """The names of the sources that proposed pair ``k``."""
        return tuple(name for name, bit in SOURCES.items() if int(self.flags[k]) & bit)


class CandidateGenerator:
    """Candidates of any people at one snapshot (the per-topic and per-group lists are
    built once and shared by every call).

    Examples
    --------
    >>> from analytics.projection import interaction_arrays
    >>> from recommend.history import TieHistory
    >>> arrays = interaction_arrays([("a", "b", 0), ("b", "c", 0), ("c", "d", 0)])
    >>> snap = TieHistory.build(arrays, []).as_of(1)
    >>> pairs = CandidateGenerator(snap, CandidateOptions()).pairs([0])
    >>> [snap.person_ids[v] for v in pairs.target.tolist()]
    ['c']
    """

    def __init__(self, snap: Snapshot, options: CandidateOptions) -> None:
        self.snap = snap
        self.options = options

    @cached_property
    def eligible(self) -> np.ndarray:
        """People who may be suggested: consenting and active."""
        return np.asarray(self.snap.consent & self.snap.active(self.options.max_inactive_days))

    @cached_property
    def _tiebreak(self) -> np.ndarray:
        """Activity rank in [0, 1): more active people first among equal counts."""
        order = np.argsort(-self.snap.activity, kind="stable")
        rank = np.empty(self.snap.n, dtype=np.float64)
        rank[order] = np.arange(self.snap.n) / max(self.snap.n, 1)
        return 1.0 - rank

    @cached_property
    def _topic_holders(self) -> sp.csr_matrix:
        holds = self.snap.topic_counts.copy()
        holds.data[:] = 1.0
        return sp.csr_matrix(holds)

    @cached_property
    def _topic_top(self) -> sp.csr_matrix:
        return _most_active(
            self._topic_holders, self._tiebreak, self.eligible, self.options.per_topic
        )

    @cached_property
    def _group_top(self) -> sp.csr_matrix:
        member = self.snap.labels.membership()
        return _most_active(member, self._tiebreak, self.eligible, self.options.per_group)

    @cached_property
    def _cross_top(self) -> sp.csr_matrix:
        member = self.snap.labels.membership()
        limit = self.options.cross_per_group
        return _most_active(member, self._tiebreak, self.eligible, limit)

    @cached_property
    def _member(self) -> sp.csr_matrix:
        return self.snap.labels.membership()

    def matrix(self, rows: np.ndarray) -> sp.csr_matrix:
        """``len(rows) × n`` matrix of source bits: entry (i, v) proposes v to ``rows[i]``."""
        rows = np.asarray(rows, dtype=np.int64)
        options = self.options
        adjacency = self.snap.adjacency
        near = adjacency[rows]
        two = sp.csr_matrix(near @ adjacency)
        parts = [_bits(_top_per_row(_drop(two, near, rows), options.max_hop2, self._tiebreak),
                       SOURCES["hop2"])]  # fmt: skip
        if options.hops == 3:
            reach = two.copy()
            reach.data[:] = 1.0
            three = _drop(sp.csr_matrix(reach @ adjacency), near + reach, rows)
            kept = _top_per_row(three, options.max_hop3, self._tiebreak)
            parts.append(_bits(kept, SOURCES["hop3"]))
        parts.append(_bits(self._topic_holders[rows] @ self._topic_top, SOURCES["topic"]))
        member = self._member[rows]
        parts.append(_bits(member @ self._group_top, SOURCES["comember"]))
        outside = sp.csr_matrix(1.0 - member.toarray())
        pool = _top_per_row(
            sp.csr_matrix(outside @ self._cross_top), options.max_cross, self._tiebreak
        )
        parts.append(_bits(pool, SOURCES["cross"]))
        flags = sp.csr_matrix(sum(parts[1:], parts[0])).tocoo()
        keep = self.eligible[flags.col] & self.snap.consent[rows][flags.row]
        keep &= flags.col != rows[flags.row]
        flags = sp.csr_matrix((flags.data[keep], (flags.row[keep], flags.col[keep])), flags.shape)
        flags = sp.csr_matrix(flags - flags.multiply(near != 0))
        flags.eliminate_zeros()
        flags.sort_indices()
        return flags

    def pairs(self, rows: np.ndarray | list[int]) -> CandidatePairs:
        """The candidates of the people ``rows`` as pairs sorted by (source, target)."""
        rows = np.asarray(rows, dtype=np.int64)
        flags = self.matrix(rows).tocoo()
        order = np.lexsort((flags.col, flags.row))
        return CandidatePairs(
            rows[flags.row[order]].astype(np.int64),
            flags.col[order].astype(np.int64),
            flags.data[order].astype(np.int8),
        )

    def blocks(self, rows: np.ndarray, block: int = 2000) -> Iterator[CandidatePairs]:
        """:meth:`pairs` of ``rows`` in blocks of ``block`` people (bounded memory)."""
        rows = np.asarray(rows, dtype=np.int64)
        for start in range(0, len(rows), block):
            yield self.pairs(rows[start : start + block])


def _bits(matrix: sp.spmatrix, bit: int) -> sp.csr_matrix:
    """``bit`` wherever ``matrix`` has a non-zero entry."""
    out = sp.csr_matrix(matrix, copy=True)
    out.eliminate_zeros()
    out.data[:] = float(bit)
    return out


def _drop(matrix: sp.csr_matrix, near: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """``matrix`` without the entries of ``near`` (existing ties) and of the diagonal."""
    matrix = sp.csr_matrix(matrix)
    row = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    col = matrix.indices
    keep = (col != rows[row]) & (positions(near, row, col) < 0)
    return sp.csr_matrix((matrix.data[keep], (row[keep], col[keep])), shape=matrix.shape)


def _top_per_row(matrix: sp.csr_matrix, limit: int | None, tiebreak: np.ndarray) -> sp.csr_matrix:
    """Per row, the ``limit`` largest entries (ties: higher ``tiebreak`` of the column);
    only rows longer than ``limit`` are sorted."""
    matrix = sp.csr_matrix(matrix)
    if limit is None:
        return matrix
    lengths = np.diff(matrix.indptr)
    too_long = lengths > limit
    if not too_long.any():
        return matrix
    row = np.repeat(np.arange(matrix.shape[0]), lengths)
    keep = np.ones(len(row), dtype=bool)
    inside = np.flatnonzero(np.repeat(too_long, lengths))
    value = matrix.data[inside] + 0.5 * tiebreak[matrix.indices[inside]] / (1.0 + tiebreak.max())
    span = float(value.max()) + 1.0  # one sort key: row first, then the largest value
    order = inside[np.argsort(row[inside] * span - value)]
    first = np.searchsorted(row[order], row[order], side="left")
    keep[order[(np.arange(len(order)) - first) >= limit]] = False
    return sp.csr_matrix((matrix.data[keep], (row[keep], matrix.indices[keep])), matrix.shape)


def _most_active(
    member: sp.csr_matrix, tiebreak: np.ndarray, eligible: np.ndarray, limit: int
) -> sp.csr_matrix:
    """Groups (or topics) × people: the ``limit`` most active eligible members of each."""
    holders = sp.csr_matrix(member.T.multiply(eligible.astype(np.float64)[None, :]))
    holders = sp.csr_matrix(holders.multiply(tiebreak[None, :] + 1.0))
    top = _top_per_row(holders, limit, tiebreak)
    top.data[:] = 1.0
    return top
