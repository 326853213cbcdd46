"""Pair features for link prediction as of a snapshot (METRICS.md R1–R3), vectorised.

For pairs (u, v) with Γ(x) the neighbours of x at the cut and k_x = |Γ(x)|:

* ``cn`` common neighbours |Γu ∩ Γv|; ``aa`` Adamic–Adar Σ_{z∈Γu∩Γv} 1/ln k_z (Adamic &
  Adar 2003); ``ra`` resource allocation Σ 1/k_z (Zhou et al. 2009); ``jaccard``
  cn/|Γu ∪ Γv| (0 when both are isolated); ``pa_log`` ln(1 + k_u k_v) (preferential
  attachment, logged); ``degree_min``/``degree_max`` ln(1 + k) of the two
  (Liben-Nowell & Kleinberg 2007; Lü & Zhou 2011);
* ``aa_recent`` Adamic–Adar on the recent ties only (active in the last
  ``recent_days``); ``aa_share_min``/``aa_share_max`` AA(u, v)/max_w AA(u, w) and the same
  for v: how v ranks among u's two-step contacts, whatever u's neighbourhood size;
  ``recent_degree_min``/``recent_degree_max`` ln(1 + recent contacts);
* ``topic_cosine`` cosine of the two TF-IDF rows (Salton & Buckley 1988; METRICS.md R2);
* ``same_group`` 1 iff they share a boundary group (M1); ``group_distance`` 1 − D_AB/max D
  between their primary groups (0 when they share a group, 1 when either has none);
* ``activity_min``/``activity_max`` ln(1 + decayed strength), ``growth_min``/``growth_max``
  ln(1 + decayed count of new contacts), ``tenure_min``/``tenure_max`` ln(1 + days);
* ``moderator``, ``expert``, ``mentor``: how many of the two hold the role (0, 1, 2);
* ``distance`` the shortest-path bucket: 2 (a common neighbour), 3 (a path of three, only
  computed with ``three_hops``), else 4 (further or unreachable; 3 stands for "3 or
  more" without ``three_hops``).

All sums over common neighbours are one sparse product per distinct u, ``(X[u] @ Y)[v]``,
so every candidate pair of a block costs O(Σ k_z²) over the block, never a loop.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommend.snapshot import ROLE_FLAGS, Snapshot
from recommend.sparse_ops import (
    inverse_degree,
    inverse_log_degree,
    lookup,
    pair_products,
    scale_rows,
    shared_products,
)

FEATURES: tuple[str, ...] = (
    "cn", "aa", "ra", "jaccard", "pa_log", "degree_min", "degree_max", "aa_recent",
    "aa_share_min", "aa_share_max", "recent_degree_min", "recent_degree_max",
    "topic_cosine", "same_group", "group_distance", "activity_min", "activity_max",
    "growth_min", "growth_max", "tenure_min", "tenure_max", *ROLE_FLAGS, "distance",
)  # fmt: skip


def topological_scores(
    adjacency: sp.csr_matrix,
    u: np.ndarray,
    v: np.ndarray,
    operators: dict[str, sp.csr_matrix] | None = None,
) -> dict[str, np.ndarray]:
    """CN, Adamic–Adar, RA, Jaccard and PA (k_u·k_v, not logged) of pairs (METRICS.md R1).

    ``adjacency`` is a symmetric 0/1 matrix without self-loops; ``operators`` may hold
    its ``aa`` and ``ra`` row-scaled copies (a snapshot's
    :attr:`~recommend.snapshot.Snapshot.operators`, built once).

    Examples
    --------
    >>> path = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    >>> s = topological_scores(path, np.array([0]), np.array([2]))
    >>> [round(float(s[name][0]), 4) for name in ("cn", "aa", "ra", "jaccard", "pa")]
    [1.0, 1.4427, 0.5, 1.0, 1.0]
    """
    degree = np.diff(adjacency.indptr).astype(np.float64)
    if operators is None:
        operators = {  # degree 1 → 1/ln 2: see Snapshot.operators
            "aa": scale_rows(adjacency, inverse_log_degree(np.maximum(degree, 2))),
            "ra": scale_rows(adjacency, inverse_degree(degree)),
        }
    rights = [adjacency, operators["aa"], operators["ra"]]
    cn, aa, ra = shared_products(adjacency, rights, u, v)
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    union = degree[u] + degree[v] - cn
    jaccard = np.divide(cn, union, out=np.zeros_like(cn), where=union > 0)
    return {"cn": cn, "aa": aa, "ra": ra, "jaccard": jaccard, "pa": degree[u] * degree[v]}


def topic_cosine(snap: Snapshot, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Cosine of the TF-IDF rows of u and v (rows are L2-normalised: a dot product)."""
    if len(u) == 0 or snap.tfidf.shape[1] == 0:
        return np.zeros(len(u))
    return np.asarray(snap.tfidf[u].multiply(snap.tfidf[v]).sum(axis=1)).ravel()


def group_features(snap: Snapshot, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``same_group`` (M1) and ``group_distance`` between primary groups."""
    labels = snap.labels
    if len(u) == 0 or labels.n_groups == 0:
        return np.zeros(len(u)), np.ones(len(u))
    same = labels.internal(u, v)
    pu, pv = labels.primary[u], labels.primary[v]
    known = (pu >= 0) & (pv >= 0)
    distance = np.ones(len(u))
    distance[known] = snap.distance[pu[known], pv[known]]
    distance[same] = 0.0
    return same.astype(np.float64), distance


def path_distance(
    snap: Snapshot, u: np.ndarray, v: np.ndarray, cn: np.ndarray, three_hops: bool
) -> np.ndarray:
    """2 with a common neighbour; 3 with a path of three (``three_hops``); else 4."""
    distance = np.where(cn > 0, 2.0, 3.0 if not three_hops else 4.0)
    far = np.flatnonzero(cn == 0)
    if three_hops and len(far):
        distinct, local = np.unique(u[far], return_inverse=True)
        reach = sp.csr_matrix(snap.adjacency[distinct] @ snap.adjacency)
        reach.data[:] = 1.0
        paths = lookup(sp.csr_matrix(reach @ snap.adjacency), local, v[far])
        distance[far[paths > 0]] = 3.0
    return distance


def pair_features(
    snap: Snapshot, u: np.ndarray, v: np.ndarray, three_hops: bool = False
) -> np.ndarray:
    """The :data:`FEATURES` of pairs ``(u[k], v[k])`` as a ``len(u) × len(FEATURES)`` array.

    Examples
    --------
    >>> from analytics.projection import interaction_arrays
    >>> from recommend.history import TieHistory
    >>> snap = TieHistory.build(interaction_arrays([("a", "b", 0), ("b", "c", 0)]), []).as_of(1)
    >>> row = pair_features(snap, np.array([0]), np.array([2]))[0]
    >>> {name: round(float(x), 3) for name, x in zip(FEATURES, row) if name in ("cn", "distance")}
    {'cn': 1.0, 'distance': 2.0}
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    scores = topological_scores(snap.adjacency, u, v, snap.operators)
    same, distance = group_features(snap, u, v)
    roles = snap.roles[u].astype(np.float64) + snap.roles[v].astype(np.float64)
    k_u, k_v = np.log1p(snap.degree[u]), np.log1p(snap.degree[v])
    recent_degree = np.log1p(np.diff(snap.recent.indptr))
    columns = [
        scores["cn"], scores["aa"], scores["ra"], scores["jaccard"], np.log1p(scores["pa"]),
        np.minimum(k_u, k_v), np.maximum(k_u, k_v),
        pair_products(snap.recent, snap.operators["recent_aa"], u, v),
        *_aa_shares(snap, u, v, scores["aa"]),
        *_low_high(recent_degree, u, v), topic_cosine(snap, u, v), same, distance,
        *_low_high(np.log1p(snap.activity), u, v), *_low_high(np.log1p(snap.growth), u, v),
        *_low_high(np.log1p(snap.tenure_days), u, v), *roles.T,
        path_distance(snap, u, v, scores["cn"], three_hops),
    ]  # fmt: skip
    return np.column_stack(columns) if len(u) else np.empty((0, len(FEATURES)))


def _aa_shares(
    snap: Snapshot, u: np.ndarray, v: np.ndarray, aa: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    top = snap.aa_max
    share_u = np.divide(aa, top[u], out=np.zeros_like(aa), where=top[u] > 0)
    share_v = np.divide(aa, top[v], out=np.zeros_like(aa), where=top[v] > 0)
    return np.minimum(share_u, share_v), np.maximum(share_u, share_v)


def _low_high(values: np.ndarray, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.minimum(values[u], values[v]), np.maximum(values[u], values[v])
