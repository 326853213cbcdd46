"""Boundary spanners: formal, practising, structural and communicative (METRICS.md B7).

Ties are undirected here (a directed graph's arcs are pooled per pair, strengths summed).
Under M1 a tie ``i–j`` is *internal* iff ``M_i ∩ M_j ≠ ∅``; it is a *cross* tie of ``i``
iff ``j`` has groups and shares none with ``i`` (a tie to an unaffiliated person is neither:
it reaches no group). The groups a cross tie reaches are all "other groups" of ``i``.

Levina & Vaast (2005) cross formal membership with practice; one ``spanner`` string per
vertex:

* ``"active"``: member of ≥ 2 groups (formal, Wenger 1998) with at least one cross tie;
* ``"dormant"``: member of ≥ 2 groups without cross ties. Under M1 every tie to a member of
  any of its groups is internal, so "dormant" means "no ties outside all own groups", not
  "does not bridge its groups": ``own_groups_engaged`` tells the latter;
* ``"hidden"``: member of exactly one group with cross ties reaching ≥ ``hidden_min_groups``
  other groups (recognise them);
* ``""``: none of these (the unaffiliated are never classified).

``active`` is the separate window definition of METRICS.md B7 / T2: ≥ 1 internal tie and
cross ties with ≥ 2 other groups, whatever the formal memberships.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import igraph as ig
import numpy as np
import scipy.sparse as sp

from analytics.gould_fernandez import ROLES
from analytics.groups import GroupLabels
from analytics.participation import max_by_vertex, membership_z, strength_matrix

COMMUNICATIVE_Z = 0.5
STRUCTURAL_GF_Z = 2.0
STRUCTURAL_GF_ROLES = ("representative", "gatekeeper", "liaison")
STRUCTURAL_PARTICIPATION_ROLES = ("R3", "R6")
TOP_DECILE = 0.9


@dataclass(frozen=True)
class Spanners:
    """Per vertex: ``spanner`` (``"active"``, ``"dormant"``, ``"hidden"`` or ``""``), boolean
    ``formal``/``active`` (window rule)/``structural``/``communicative``, the score
    ``communicative_z`` (NaN if undefined), the tie counts ``internal_ties``/``cross_ties``,
    their strengths, ``other_groups_reached`` (distinct groups met through cross ties) and
    ``own_groups_engaged`` (own groups with at least one tie to a fellow member)."""

    spanner: np.ndarray
    formal: np.ndarray
    active: np.ndarray
    structural: np.ndarray
    communicative: np.ndarray
    communicative_z: np.ndarray
    other_groups_reached: np.ndarray
    own_groups_engaged: np.ndarray
    internal_ties: np.ndarray
    cross_ties: np.ndarray
    internal_strength: np.ndarray
    external_strength: np.ndarray


def boundary_spanners(
    graph: ig.Graph,
    labels: GroupLabels,
    *,
    cross_betweenness: np.ndarray | None = None,
    gf_z: np.ndarray | None = None,
    roles: Sequence[str] | np.ndarray | None = None,
    hidden_min_groups: int = 2,
    weighted: bool = True,
) -> Spanners:
    """Formal, practising (active/dormant/hidden), structural and communicative spanners.

    METRICS.md B7: (c) *formal* ``|M_i| ≥ 2`` (Wenger 1998), crossed with practice into
    ``spanner`` (Levina & Vaast 2005; module doc); ``active``: ≥ 1 internal tie and
    cross ties reaching ≥ 2 other groups. (a) *structural* (:func:`structural_flags`): top
    decile of ``cross_betweenness`` (B1x), a G–F representative/gatekeeper/liaison
    permutation z > 2 in ``gf_z`` (``(n, 5)``, columns of :data:`ROLES`), or role R3/R6 in
    ``roles`` (B5); each input optional, all False without any. (b) *communicative*
    (Tushman & Scanlan 1981): ``min(z_int, z_ext) > 0.5`` with ``z_int``/``z_ext`` the
    within-group z (population sd, NaN for groups under 3 members or sd 0) of internal and
    cross-tie strength; a member of several groups takes the best group:
    ``communicative_z = max_g min(z_int,g, z_ext,g)``.

    Examples
    --------
    >>> import igraph as ig
    >>> from analytics.groups import GroupLabels
    >>> g = ig.Graph(n=4, edges=[(0, 1), (0, 2), (0, 3)])
    >>> labels = GroupLabels.from_sets(("A", "B", "C"), [{0}, {0}, {1}, {2}])
    >>> result = boundary_spanners(g, labels)
    >>> result.spanner.tolist(), result.active.tolist()
    (['hidden', '', '', ''], [True, False, False, False])
    """
    n = graph.vcount()
    if labels.n_vertices != n:
        raise ValueError(f"{labels.n_vertices} labels for {n} vertices")
    member = labels.membership()
    n_groups = np.diff(member.indptr)
    ties = strength_matrix(graph, weighted=weighted).tocoo()
    i, j, w = ties.row.astype(np.int64), ties.col.astype(np.int64), ties.data
    internal = labels.internal(i, j)
    cross = ~internal & (n_groups[j] > 0)
    reached = _row_nonzeros(_pattern(i[cross], j[cross], n) @ member)
    engaged = _row_nonzeros(sp.csr_matrix((_pattern(i, j, n) @ member).multiply(member)))
    internal_ties, cross_ties = (
        np.bincount(i[internal], minlength=n),
        np.bincount(i[cross], minlength=n),
    )
    inside = np.bincount(i[internal], weights=w[internal], minlength=n)
    outside = np.bincount(i[cross], weights=w[cross], minlength=n)
    formal = n_groups >= 2
    spanner = np.full(n, "", dtype="<U7")
    spanner[formal & (cross_ties > 0)] = "active"
    spanner[formal & (cross_ties == 0)] = "dormant"
    spanner[(n_groups == 1) & (reached >= hidden_min_groups)] = "hidden"
    score = _communicative_z(member, inside, outside)
    return Spanners(
        spanner=spanner,
        formal=formal,
        active=(internal_ties >= 1) & (reached >= 2),
        structural=structural_flags(n, cross_betweenness=cross_betweenness, gf_z=gf_z, roles=roles),
        communicative=np.nan_to_num(score, nan=-np.inf) > COMMUNICATIVE_Z,
        communicative_z=score,
        other_groups_reached=reached,
        own_groups_engaged=engaged,
        internal_ties=internal_ties,
        cross_ties=cross_ties,
        internal_strength=inside,
        external_strength=outside,
    )


def structural_flags(
    n: int,
    *,
    cross_betweenness: np.ndarray | None = None,
    gf_z: np.ndarray | None = None,
    roles: Sequence[str] | np.ndarray | None = None,
) -> np.ndarray:
    """Structural spanners (METRICS.md B7(a)): any of ``cross_betweenness`` in the top decile
    of the vertices with a positive value (``≥`` its 90th percentile), a ``gf_z``
    representative, gatekeeper or liaison z above 2 (NaN: no), or ``roles`` R3/R6.

    Examples
    --------
    >>> structural_flags(3, gf_z=np.array([[9, 9, 0, 0, 0], [0, 0, 0, 2.5, 0],
    ...     [np.nan] * 5]), roles=["", "", "R6"]).tolist()
    [False, True, True]
    """
    flag = np.zeros(n, dtype=bool)
    if cross_betweenness is not None:
        value = _checked(cross_betweenness, (n,), "cross_betweenness")
        positive = value > 0
        if positive.any():
            flag |= positive & (value >= np.quantile(value[positive], TOP_DECILE))
    if gf_z is not None:
        z = _checked(gf_z, (n, len(ROLES)), "gf_z")
        columns = [ROLES.index(role) for role in STRUCTURAL_GF_ROLES]
        flag |= (np.nan_to_num(z[:, columns], nan=-np.inf) > STRUCTURAL_GF_Z).any(axis=1)
    if roles is not None:
        names = np.asarray(roles, dtype=str)
        if names.shape != (n,):
            raise ValueError(f"roles has shape {names.shape}, expected {(n,)}")
        flag |= np.isin(names, STRUCTURAL_PARTICIPATION_ROLES)
    return flag


def _communicative_z(member: sp.csr_matrix, inside: np.ndarray, outside: np.ndarray) -> np.ndarray:
    entries = member.tocoo()
    vertex, group = entries.row.astype(np.int64), entries.col.astype(np.int64)
    z_int = membership_z(vertex, group, inside[vertex], member.shape[1])
    z_ext = membership_z(vertex, group, outside[vertex], member.shape[1])
    return max_by_vertex(vertex, np.minimum(z_int, z_ext), len(inside))


def _pattern(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def _row_nonzeros(matrix: sp.csr_matrix) -> np.ndarray:
    matrix = sp.csr_matrix(matrix)
    matrix.eliminate_zeros()
    counts: np.ndarray = np.diff(matrix.indptr).astype(np.int64)
    return counts


def _checked(values: np.ndarray, shape: tuple[int, ...], name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.shape != shape:
        raise ValueError(f"{name} has shape {array.shape}, expected {shape}")
    return array
