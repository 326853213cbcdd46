"""The two inputs of the boundary-group counts (METRICS.md S1–S3, S6, S7): the undirected
tie table of a graph and the distinct label sets of its people.

:func:`tie_table` collapses a graph to **ties**: an undirected pair with at least one
interaction (a directed graph's ``u→v`` and ``v→u`` collapse into one tie), valued 1 or by
the summed ``"count"``/``"weight"`` edge attribute. :func:`label_sets` groups the people by
their label set (rule M1, METRICS.md §0): few distinct sets stand for many people, so the
counts of :mod:`analytics.ei` and :mod:`analytics.silos` run over (set, set) keys, and a
label permutation only reassigns set ids.
"""

from __future__ import annotations

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
    elif measure in graph.es.attributes():
        value = np.fromiter(graph.es[measure], dtype=np.float64, count=len(edges))
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


@dataclass(frozen=True)
class LabelSets:
    """The distinct label sets of the people, and the pairs of sets that share a group.

    Vertex ``i`` holds set ``set_id[i]``; ``count[s]`` people hold set ``s``;
    ``member[s, g] = 1`` when set ``s`` contains group ``g``. ``keys`` lists, sorted, the
    keys ``s·k + t`` of the ordered pairs of sets with a group in common (``k`` sets);
    ``both_t[g, key]`` = 1 when ``g`` is in both sets of the pair, ``one_side_t[g, key]``
    = 1 when ``g`` is in exactly one. ``sharing[s]`` counts the people whose set meets
    ``s`` (its own holders included; 0 for the empty set).
    """

    set_id: np.ndarray
    count: np.ndarray
    member: sp.csr_matrix
    keys: np.ndarray
    both_t: sp.csr_matrix
    one_side_t: sp.csr_matrix
    sharing: np.ndarray

    @property
    def k(self) -> int:
        """The number of distinct label sets."""
        return len(self.count)

    def per_group(self, values: np.ndarray, sigma: np.ndarray | None = None) -> np.ndarray:
        """``Σ_{i: g ∈ M_i} values[i]`` per group (vertex ``i`` holding set ``sigma[i]``)."""
        own = self.set_id if sigma is None else sigma
        return np.asarray(self.member.T @ np.bincount(own, values, self.k)).ravel()

    def affiliated(self) -> np.ndarray:
        """Per vertex: does it hold any group?"""
        holds: np.ndarray = (np.diff(self.member.indptr) > 0)[self.set_id]
        return holds


def label_sets(labels: GroupLabels) -> LabelSets:
    """The distinct label sets of ``labels``, numbered in order of first holder.

    Two sets ``M_s``, ``M_t`` share a group iff ``M_s ∩ M_t ≠ ∅`` (rule M1, METRICS.md §0);
    ``sharing[s] = Σ_t count[t]·[M_s ∩ M_t ≠ ∅]``.

    Examples
    --------
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}, {0, 1}, set(), {0}])
    >>> sets = label_sets(labels)
    >>> sets.set_id.tolist(), sets.count.tolist(), sets.sharing.tolist()
    ([0, 1, 2, 0], [2, 1, 1], [3.0, 3.0, 0.0])
    >>> sets.per_group(np.ones(4)).tolist(), sets.affiliated().tolist()
    ([3.0, 1.0], [True, True, False, True])
    """
    index: dict[frozenset[int], int] = {}
    set_id = np.array([index.setdefault(own, len(index)) for own in labels.sets], np.int64)
    rows = [s for s, own in enumerate(index) for _ in own]
    cols = [g for own in index for g in sorted(own)]
    shape = (len(index), labels.n_groups)
    member = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    count = np.bincount(set_id, minlength=len(index))
    shared = sp.coo_matrix(member @ member.T)
    order = np.argsort(shared.row * len(index) + shared.col)
    first, second = shared.row[order].astype(np.int64), shared.col[order].astype(np.int64)
    both = member[first].multiply(member[second])
    one_side = member[first] + member[second] - 2 * both
    sharing = np.bincount(first, count[second], len(index))
    keys, both_t, one_side_t = first * len(index) + second, both.T.tocsr(), one_side.T.tocsr()
    return LabelSets(set_id, count, member, keys, both_t, one_side_t, sharing)
