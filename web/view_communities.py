"""The community-level view: one node per community, one edge per pair of communities
with cross-community ties between them (the explorer's view of large networks).

A tie counts between communities A and B under the rules of :mod:`analytics.ties`
(METRICS.md X1/X2): it *crosses* when its two people share no community, and then lies
between every community of one and every community of the other. Per pair:
``count`` = C_AB, the ties between them; ``weight`` = W_AB, their weights split over the
cells each tie lies in (M2); ``carriers`` = K_AB, the fewer of the members of A tied
across to B and the members of B tied across to A (the pair's "bus factor"). A report's
tie matrix is reused when it covers the same people and communities; otherwise the same
numbers come from the ties with sparse matrix products (no loop over ties).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from analytics.groups import GroupLabels
from analytics.projection import Projection
from analytics.report import Report
from web.view_metrics import TieArrays, WindowFacts, scaled_sizes

#: positions of ``k`` communities: (members, pair a, pair b, pair ties) → (k, 2)
CommunityPositions = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class CommunityPairs:
    """Pairs ``a[k] < b[k]`` (group indexes) with ``count`` C_AB > 0, ``weight`` W_AB,
    ``carriers`` K_AB and ``bridge``: some tie between them is a cross-group local bridge."""

    a: np.ndarray
    b: np.ndarray
    count: np.ndarray
    weight: np.ndarray
    carriers: np.ndarray
    bridge: np.ndarray


def community_pairs(
    projection: Projection, report: Report | None, ties: TieArrays, bridge_keys: np.ndarray
) -> CommunityPairs:
    """The cross-community pairs of the window (module docstring)."""
    labels = projection.labels
    if _same_window(projection, report):
        assert report is not None
        matrix = report.metrics.ties
        dyads, weight, carriers = matrix.dyads, matrix.weight, matrix.carriers
    else:
        dyads, weight, carriers = pair_matrices(labels, ties)
    a, b = np.triu_indices(labels.n_groups, 1)
    present = dyads[a, b] > 0
    a, b = a[present], b[present]
    bridged = _bridged_cells(labels, ties, bridge_keys)
    return CommunityPairs(
        a=a,
        b=b,
        count=np.rint(dyads[a, b]).astype(np.int64),
        weight=np.asarray(weight[a, b], dtype=np.float64),
        carriers=np.rint(carriers[a, b]).astype(np.int64),
        bridge=bridged[a, b],
    )


def pair_matrices(
    labels: GroupLabels, ties: TieArrays
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense g × g C (ties between), W (M2-split weights) and K (carriers) over the
    crossing ties; the diagonals are left at 0 (internal ties are not drawn).

    With ``X`` the symmetric adjacency of crossing ties, ``B`` the membership and ``P`` the
    fractional membership: ``C = BᵀXB``, ``W = PᵀX_wP``, ``S = Bᵀ·[XB > 0]`` and
    ``K = min(S, Sᵀ)``. A crossing tie has no group at both ends, so ``BᵀXB`` counts it
    once per cell.
    """
    n, g = labels.n_vertices, labels.n_groups
    crossing = ~labels.internal(ties.source, ties.target) if len(ties.source) else np.zeros(0, bool)
    s, t = ties.source[crossing], ties.target[crossing]
    ends = (np.concatenate([s, t]), np.concatenate([t, s]))
    adjacency = sp.csr_matrix((np.ones(2 * len(s)), ends), shape=(n, n))
    weighted = sp.csr_matrix((np.tile(ties.weight[crossing], 2), ends), shape=(n, n))
    member, fraction = labels.membership(), labels.fractional()
    count = (member.T @ adjacency @ member).toarray() if g else np.zeros((0, 0))
    weight = (fraction.T @ weighted @ fraction).toarray() if g else np.zeros((0, 0))
    reach = sp.csr_matrix(adjacency @ member)
    reach.data[:] = 1.0
    sides = (member.T @ reach).toarray() if g else np.zeros((0, 0))
    carriers = np.minimum(sides, sides.T)
    for matrix in (count, weight, carriers):
        np.fill_diagonal(matrix, 0.0)
    return count, weight, carriers


def _same_window(projection: Projection, report: Report | None) -> bool:
    """True when the report's tie matrix indexes the same people and communities."""
    return (
        report is not None
        and report.main.person_ids == projection.person_ids
        and report.metrics.ties.groups == projection.labels.groups
    )


def _bridged_cells(labels: GroupLabels, ties: TieArrays, bridge_keys: np.ndarray) -> np.ndarray:
    """g × g: True where a bridge tie lies between the two communities."""
    n = labels.n_vertices
    bridge = np.isin(ties.keys(n), bridge_keys)
    s, t = ties.source[bridge], ties.target[bridge]
    ends = (np.concatenate([s, t]), np.concatenate([t, s]))
    adjacency = sp.csr_matrix((np.ones(2 * len(s)), ends), shape=(n, n))
    member = labels.membership()
    cells: np.ndarray = (member.T @ adjacency @ member).toarray() > 0
    np.fill_diagonal(cells, False)
    return cells


def shown_groups(pairs: CommunityPairs, n_groups: int, wanted: np.ndarray | None) -> np.ndarray:
    """Group indexes to show: all, or the ``wanted`` ones and their direct neighbours."""
    if wanted is None:
        return np.arange(n_groups)
    chosen = np.zeros(n_groups, dtype=bool)
    chosen[wanted] = True
    near = chosen.copy()
    near[pairs.b[chosen[pairs.a]]] = True
    near[pairs.a[chosen[pairs.b]]] = True
    return np.flatnonzero(near)


def community_parts(
    labels: GroupLabels,
    pairs: CommunityPairs,
    facts: WindowFacts,
    shown: np.ndarray,
    positions: CommunityPositions,
    names: Mapping[str, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes (communities ``shown``) and edges (their pairs) of the community view."""
    local = np.full(labels.n_groups, -1, dtype=np.int64)
    local[shown] = np.arange(len(shown))
    keep = np.flatnonzero((local[pairs.a] >= 0) & (local[pairs.b] >= 0))
    members = labels.sizes()[shown] if labels.n_groups else np.zeros(0, np.int64)
    a, b = local[pairs.a[keep]], local[pairs.b[keep]]
    xy = np.round(positions(members, a, b, pairs.count[keep].astype(np.float64)), 1)
    ids = [labels.groups[g] for g in shown.tolist()]
    sizes = np.round(scaled_sizes(members), 2).tolist()
    silo = facts.silo[shown].tolist()
    nodes = [
        {
            "id": ids[i],
            "label": names.get(ids[i]) or ids[i],
            "group": ids[i],
            "groups": [ids[i]],
            "x": float(xy[i, 0]),
            "y": float(xy[i, 1]),
            "size": sizes[i],
            "value": float(members[i]),
            "broker": False,
            "silo": silo[i],
            "members": int(members[i]),
            "named": True,
        }
        for i in range(len(ids))
    ]
    return nodes, _pair_edges(ids, a.tolist(), b.tolist(), pairs, keep)


def _pair_edges(
    ids: list[str], a: list[int], b: list[int], pairs: CommunityPairs, keep: np.ndarray
) -> list[dict[str, Any]]:
    count, weight = pairs.count[keep].tolist(), pairs.weight[keep].tolist()
    carriers, bridge = pairs.carriers[keep].tolist(), pairs.bridge[keep].tolist()
    edges = []
    for k, (i, j) in enumerate(zip(a, b, strict=True)):
        first, second = sorted((ids[i], ids[j]))
        edges.append(
            {
                "id": f"{first}|{second}",
                "from": first,
                "to": second,
                "weight": weight[k],
                "count": count[k],
                "cross": True,
                "bridge": bridge[k],
                "carriers": carriers[k],
            }
        )
    return edges
