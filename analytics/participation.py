"""Participation coefficient, within-group z and roles (Guimerà & Amaral 2005; METRICS.md B5).

``k_is`` is the strength from vertex ``i`` to group ``s`` under M2: a neighbour ``j``'s
tie weight is split evenly over ``j``'s groups (``K = W·P``, ``P`` the fractional membership
matrix of :meth:`analytics.groups.GroupLabels.fractional`). Unaffiliated neighbours belong
to no group, so their ties are left out of ``k_i = Σ_s k_is``. Directions are pooled
(``W + Wᵀ``) for ``coefficient`` and ``within_z``; directed graphs also get
``coefficient_out`` (rows of ``W``: ties sent) and ``coefficient_in`` (ties received).
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np
import scipy.sparse as sp

from analytics.edges import edge_arrays
from analytics.groups import GroupLabels

HUB_Z = 2.5
#: Upper P bounds of the non-hub roles R1–R3 (R4 above) and of the hub roles R5–R6 (R7 above).
NON_HUB_BOUNDS = (0.05, 0.62, 0.80)
HUB_BOUNDS = (0.30, 0.75)
MIN_GROUP_SIZE = 3


@dataclass(frozen=True)
class Participation:
    """Per-vertex participation ``coefficient``, ``within_z`` (max over the vertex's groups)
    and ``role`` (``"R1"``–``"R7"``, ``""`` when not classified); ``coefficient_in`` and
    ``coefficient_out`` only for directed graphs (else ``None``). ``strength`` is ``k_i``
    and ``own_strength`` the strength to the vertex's own groups (M2 split, summed)."""

    coefficient: np.ndarray
    within_z: np.ndarray
    role: np.ndarray
    strength: np.ndarray
    own_strength: np.ndarray
    coefficient_in: np.ndarray | None = None
    coefficient_out: np.ndarray | None = None


def participation(graph: ig.Graph, labels: GroupLabels, *, weighted: bool = True) -> Participation:
    """Participation coefficient ``P_i = 1 − Σ_s (k_is/k_i)²`` and within-group z.

    ``z_ig = (κ_ig − mean_{j∈g} κ_jg) / sd_{j∈g} κ_jg`` with ``κ_ig = k_ig`` the (M2)
    strength from ``i`` to its own group ``g`` and the population sd (``ddof=0``, as bctpy
    ``module_degree_zscore``); NaN when ``sd = 0`` or ``g`` has fewer than 3 members. A
    vertex of several groups gets a z per group and reports the largest (METRICS.md B5).
    ``P`` is NaN when ``k_i = 0`` (bctpy reports 0). Roles: :func:`classify_roles`, ``""``
    for the unaffiliated and for ``k_i = 0``; a NaN z counts as a non-hub.
    ``weighted=False`` counts ties (weight 1); otherwise the ``"weight"`` edge attribute
    (1 if absent). Reference: Guimerà & Amaral (2005), Nature 433:895.

    Examples
    --------
    >>> import igraph as ig
    >>> from analytics.groups import GroupLabels
    >>> g = ig.Graph(n=3, edges=[(0, 1), (0, 2)])
    >>> labels = GroupLabels.from_sets(("A", "B"), [{0}, {0}, {1}])
    >>> result = participation(g, labels)
    >>> result.coefficient.tolist()
    [0.5, 0.0, 0.0]
    >>> result.role.tolist()
    ['R2', 'R1', 'R1']
    """
    if labels.n_vertices != graph.vcount():
        raise ValueError(f"{labels.n_vertices} labels for {graph.vcount()} vertices")
    fraction = labels.fractional()
    by_group = sp.csr_matrix(strength_matrix(graph, weighted=weighted) @ fraction)
    coefficient, strength = _coefficient(by_group)
    member = labels.membership().tocoo()
    vertex, group = member.row.astype(np.int64), member.col.astype(np.int64)
    kappa = np.asarray(by_group[vertex, group]).ravel() if len(vertex) else np.zeros(0)
    z = max_by_vertex(vertex, membership_z(vertex, group, kappa, labels.n_groups), len(strength))
    affiliated = np.bincount(vertex, minlength=len(strength)) > 0
    role = classify_roles(coefficient, z)
    role[~affiliated | ~(strength > 0)] = ""
    directed = {}
    if graph.is_directed():
        sent = strength_matrix(graph, weighted=weighted, direction="out")
        directed["coefficient_out"] = _coefficient(sp.csr_matrix(sent @ fraction))[0]
        directed["coefficient_in"] = _coefficient(sp.csr_matrix(sent.T @ fraction))[0]
    own = np.bincount(vertex, weights=kappa, minlength=len(strength))
    return Participation(coefficient, z, role, strength, own, **directed)


def classify_roles(coefficient: np.ndarray, within_z: np.ndarray) -> np.ndarray:
    """Guimerà–Amaral roles from P and z (METRICS.md B5): non-hubs (``z < 2.5`` or NaN)
    R1 ``P ≤ 0.05``, R2 ``≤ 0.62``, R3 ``≤ 0.80``, R4 above; hubs (``z ≥ 2.5``) R5
    ``P ≤ 0.30``, R6 ``≤ 0.75``, R7 above. ``""`` where P is NaN.

    Examples
    --------
    >>> classify_roles(np.array([0.05, 0.8, 0.3, 0.76, np.nan]),
    ...                np.array([0.0, 2.49, 2.5, 3.0, 1.0])).tolist()
    ['R1', 'R3', 'R5', 'R7', '']
    """
    p = np.asarray(coefficient, dtype=float)
    hub = np.nan_to_num(np.asarray(within_z, dtype=float), nan=-np.inf) >= HUB_Z
    non_hub_role = np.searchsorted(np.array(NON_HUB_BOUNDS), p, side="left")
    hub_role = np.searchsorted(np.array(HUB_BOUNDS), p, side="left")
    names = np.array(["R1", "R2", "R3", "R4", "R5", "R6", "R7"])
    role: np.ndarray = names[np.where(hub, 4 + hub_role, non_hub_role).clip(0, 6)]
    role[np.isnan(p)] = ""
    return role


def strength_matrix(
    graph: ig.Graph, *, weighted: bool = True, direction: str = "all"
) -> sp.csr_matrix:
    """The ``n × n`` strength matrix ``W``: ``W[i, j]`` sums the weights of the edges between
    ``i`` and ``j``; undirected graphs and ``direction="all"`` pool both directions
    (symmetric), ``"out"`` keeps arcs ``i → j`` only (directed graphs).

    Examples
    --------
    >>> import igraph as ig
    >>> g = ig.Graph(n=2, edges=[(0, 1), (1, 0)], directed=True)
    >>> g.es["weight"] = [2.0, 0.5]
    >>> strength_matrix(g).toarray().tolist()
    [[0.0, 2.5], [2.5, 0.0]]
    >>> strength_matrix(g, direction="out").toarray().tolist()
    [[0.0, 2.0], [0.5, 0.0]]
    """
    n, m = graph.vcount(), graph.ecount()
    src, dst = edge_arrays(graph)[:2]
    has_weight = weighted and "weight" in graph.es.attributes()
    weight = np.asarray(graph.es["weight"], dtype=float) if has_weight else np.ones(m)
    if direction == "all" or not graph.is_directed():
        src, dst, weight = np.r_[src, dst], np.r_[dst, src], np.r_[weight, weight]
    elif direction != "out":
        raise ValueError(f"direction must be 'all' or 'out', not {direction!r}")
    matrix = sp.csr_matrix((weight, (src, dst)), shape=(n, n))
    matrix.sum_duplicates()
    return matrix


def membership_z(
    vertex: np.ndarray, group: np.ndarray, value: np.ndarray, n_groups: int
) -> np.ndarray:
    """z of ``value[k]`` among the entries of its group ``group[k]`` (one entry per
    membership ``(vertex[k], group[k])``): population sd; NaN when the sd is 0 (or below
    1e-12 of the mean's scale) or the group has fewer than :data:`MIN_GROUP_SIZE` entries.

    Examples
    --------
    >>> membership_z(np.arange(4), np.array([0, 0, 0, 1]),
    ...              np.array([1.0, 2.0, 3.0, 5.0]), 2).round(3).tolist()
    [-1.225, 0.0, 1.225, nan]
    """
    size = np.bincount(group, minlength=n_groups)
    mean = np.bincount(group, weights=value, minlength=n_groups) / np.maximum(size, 1)
    deviation = value - mean[group]
    sd = np.sqrt(np.bincount(group, weights=deviation**2, minlength=n_groups) / np.maximum(size, 1))
    scale = np.bincount(group, weights=np.abs(value), minlength=n_groups) / np.maximum(size, 1)
    valid = (size >= MIN_GROUP_SIZE) & (sd > 1e-12 * scale)
    z = np.full(len(value), np.nan)
    ok = valid[group]
    z[ok] = deviation[ok] / sd[group][ok]
    return z


def max_by_vertex(vertex: np.ndarray, score: np.ndarray, n: int) -> np.ndarray:
    """Per vertex, the largest non-NaN ``score`` of its entries (NaN if none).

    Examples
    --------
    >>> max_by_vertex(np.array([0, 0, 2]), np.array([1.0, np.nan, 3.0]), 3).tolist()
    [1.0, nan, 3.0]
    """
    best = np.full(n, -np.inf)
    finite = ~np.isnan(score)
    np.maximum.at(best, vertex[finite], score[finite])
    best[np.isneginf(best)] = np.nan
    return best


def _coefficient(by_group: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """``(P, k)`` from the strengths by group ``K = W·P`` (``n × g``)."""
    k = np.asarray(by_group.sum(axis=1)).ravel()
    squares = np.asarray(by_group.multiply(by_group).sum(axis=1)).ravel()
    ok = k > 0
    coefficient = np.full(len(k), np.nan)
    coefficient[ok] = 1.0 - squares[ok] / k[ok] ** 2
    return coefficient, k
