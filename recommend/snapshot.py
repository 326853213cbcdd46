"""The state of a :class:`~recommend.history.TieHistory` as of a cut time ``T``.

Everything here is computed from interactions strictly before ``T`` and memberships active
at ``T`` (``since ≤ T < until``); the people's declared topics and expertise are profile
data without dates and are taken as they are. Quantities (METRICS.md §0, R1–R5):

* ``adjacency`` A: symmetric 0/1, ``A_uv = 1`` iff some interaction joined u and v;
  ``interactions``: their number; ``strength``: their weights decayed to ``T`` with the
  half-life h (Ahmad et al. 2021), ``w_uv = Σ_k w_k · 2^{−(T − t_k)/h}``; ``recent``:
  the ties active in the last ``recent_days`` before ``T``;
* ``aa_max`` per person, the largest Adamic–Adar score over the people two steps away
  (computed on first use, in blocks of rows);
* ``activity`` s_u = Σ_v w_uv (decayed strength); ``growth`` g_u = Σ over u's tie onsets
  of ``2^{−(T − t_onset)/h}`` (how fast u is making new contacts lately);
* ``tenure_days``: ``T`` minus the earliest of joining date, first membership and first
  interaction (0 when none is before ``T``); ``last_active``: the latest of those;
* ``labels``: groups of the boundary kind (M1 sets, M3 primary = the group holding most
  of the person's interactions);
* ``tfidf``: TF-IDF rows (Salton & Buckley 1988; sklearn ``TfidfTransformer`` with
  sublinear tf, L2 rows) over declared topics, expertise and the topics of the person's
  interactions before ``T``;
* group × group ``density`` D_AB = C_AB/(n_A n_B) (METRICS.md X1; C_AB distinct tied
  pairs; D_AA = C_AA/(n_A(n_A−1)/2)), ``distance`` 1 − D_AB / max D (the maximum over
  all blocks, internal ones included, so that two groups are never "close" just because
  they are the only pair; 0 on the diagonal), ``spanners`` S_AB = people of A with a tie
  into B (METRICS.md X2 takes K_AB = min(S_AB, S_BA)), ``conductance``
  φ_A = cut(A, Ā)/min(vol A, vol Ā) (METRICS.md S6; 0 when a side has no volume).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from analytics.groups import GroupLabels
from graphsvc.model import MembershipRole
from recommend.history import ROLES, SECONDS_PER_DAY, TieHistory
from recommend.sparse_ops import inverse_degree, inverse_log_degree, scale_rows

#: role flags kept per person (a champion counts as a moderator)
ROLE_FLAGS: dict[str, tuple[MembershipRole, ...]] = {
    "moderator": (MembershipRole.MODERATOR, MembershipRole.CHAMPION),
    "expert": (MembershipRole.EXPERT,),
    "mentor": (MembershipRole.MENTOR,),
}


@dataclass(frozen=True)
class Snapshot:
    """The state at ``cut`` (Unix seconds); see the module docstring for each field."""

    cut: float
    person_ids: tuple[str, ...]
    topics: tuple[str, ...]
    adjacency: sp.csr_matrix
    interactions: sp.csr_matrix
    strength: sp.csr_matrix
    recent: sp.csr_matrix
    degree: np.ndarray
    activity: np.ndarray
    growth: np.ndarray
    last_active: np.ndarray
    tenure_days: np.ndarray
    consent: np.ndarray
    labels: GroupLabels
    roles: np.ndarray
    topic_counts: sp.csr_matrix
    tfidf: sp.csr_matrix
    density: np.ndarray
    distance: np.ndarray
    spanners: np.ndarray
    conductance: np.ndarray

    @property
    def n(self) -> int:
        return len(self.person_ids)

    @cached_property
    def operators(self) -> dict[str, sp.csr_matrix]:
        """Matrices the pair features multiply by, built once per snapshot: ``aa``
        diag(1/ln k)·A and ``ra`` diag(1/k)·A (the structure of A, so that one lookup
        serves A[u]·A, A[u]·aa and A[u]·ra), and ``recent_aa`` diag(1/ln k_r)·R of the
        recent ties R."""
        # a person of degree 1 is never the common neighbour of two others, so 1/ln 2
        # there changes no pair's score and keeps every product's structure that of A·A
        aa_weight = inverse_log_degree(np.maximum(self.degree, 2))
        return {
            "aa": scale_rows(self.adjacency, aa_weight),
            "ra": scale_rows(self.adjacency, inverse_degree(self.degree)),
            "recent_aa": scale_rows(self.recent, inverse_log_degree(np.diff(self.recent.indptr))),
        }

    @cached_property
    def aa_max(self) -> np.ndarray:
        """Per person, max_v AA(u, v) over non-neighbours v ≠ u (0 when none)."""
        return _aa_row_max(self.adjacency)

    def active(self, max_inactive_days: float | None) -> np.ndarray:
        """People active within ``max_inactive_days`` before the cut (all when None)."""
        if max_inactive_days is None:
            return np.ones(self.n, dtype=bool)
        since = self.cut - max_inactive_days * SECONDS_PER_DAY
        return np.asarray(self.last_active >= since)


def snapshot(history: TieHistory, cut: float) -> Snapshot:
    """The :class:`Snapshot` of ``history`` at ``cut`` Unix seconds."""
    n = history.n_people
    stop = int(np.searchsorted(history.event_at, cut, side="left"))
    u = history.event_u[:stop].astype(np.int64)
    v = history.event_v[:stop].astype(np.int64)
    at = history.event_at[:stop]
    decay = np.exp2(-(cut - at) / (history.half_life_days * SECONDS_PER_DAY))
    counts = _symmetric(u, v, np.ones(stop), n)
    strength = _symmetric(u, v, history.event_weight[:stop] * decay, n)
    adjacency = counts.copy()
    adjacency.data[:] = 1.0
    growth, first_seen = _onsets(u, v, at, decay, n)
    start = int(np.searchsorted(at, cut - history.recent_days * SECONDS_PER_DAY, side="left"))
    recent = _symmetric(u[start:], v[start:], np.ones(stop - start), n)
    recent.data[:] = 1.0
    active_members = (history.member_since <= cut) & (cut < history.member_until)
    labels = _labels(history, active_members, counts)
    topic_counts = _topic_counts(history, u, v, stop)
    joined = np.where(history.joined_at <= cut, history.joined_at, np.nan)
    started = _member_start(history, active_members)
    last = np.full(n, -np.inf)
    np.maximum.at(last, u, at.astype(np.float64))
    np.maximum.at(last, v, at.astype(np.float64))
    last = np.fmax(np.fmax(last, joined), started)
    earliest = np.fmin(np.fmin(first_seen, joined), started)
    tenure = np.where(np.isnan(earliest), 0.0, (cut - earliest) / SECONDS_PER_DAY)
    density, distance, spanners, conductance = _group_tables(adjacency, labels)
    return Snapshot(
        cut=float(cut),
        person_ids=history.person_ids,
        topics=history.topics,
        adjacency=adjacency,
        interactions=counts,
        strength=strength,
        recent=recent,
        degree=np.diff(adjacency.indptr).astype(np.int64),
        activity=np.asarray(strength.sum(axis=1)).ravel(),
        growth=growth,
        last_active=np.where(np.isnan(last), -np.inf, last),
        tenure_days=np.maximum(tenure, 0.0),
        consent=history.consent,
        labels=labels,
        roles=_roles(history, active_members),
        topic_counts=topic_counts,
        tfidf=_tfidf(topic_counts),
        density=density,
        distance=distance,
        spanners=spanners,
        conductance=conductance,
    )


#: rows per block when a whole A·D·A product is reduced (bounds memory)
ROW_BLOCK = 4096


def _aa_row_max(adjacency: sp.csr_matrix) -> np.ndarray:
    right = scale_rows(adjacency, inverse_log_degree(np.diff(adjacency.indptr)))
    n = adjacency.shape[0]
    out = np.zeros(n)
    for first in range(0, n, ROW_BLOCK):
        rows = np.arange(first, min(n, first + ROW_BLOCK))
        near = adjacency[rows]
        product = sp.csr_matrix(near @ right)
        product = sp.csr_matrix(product - product.multiply(near != 0)).tocoo()
        product.data[product.col == rows[product.row]] = 0.0
        np.maximum.at(out, rows[product.row], product.data)
    return out


def _symmetric(u: np.ndarray, v: np.ndarray, values: np.ndarray, n: int) -> sp.csr_matrix:
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    matrix = sp.csr_matrix((np.concatenate([values, values]), (rows, cols)), shape=(n, n))
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def _onsets(
    u: np.ndarray, v: np.ndarray, at: np.ndarray, decay: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Decayed count of tie onsets per person, and each person's first interaction."""
    keys = np.minimum(u, v) * n + np.maximum(u, v)
    _, first = np.unique(keys, return_index=True)
    growth = np.bincount(u[first], decay[first], minlength=n) + np.bincount(
        v[first], decay[first], minlength=n
    )
    first_seen = np.full(n, np.inf)
    np.minimum.at(first_seen, u, at.astype(np.float64))
    np.minimum.at(first_seen, v, at.astype(np.float64))
    return growth, np.where(np.isinf(first_seen), np.nan, first_seen)


def _member_start(history: TieHistory, active: np.ndarray) -> np.ndarray:
    """Per person, the earliest finite ``since`` of their memberships active at the cut."""
    start = np.full(history.n_people, np.inf)
    dated = active & np.isfinite(history.member_since)
    np.minimum.at(start, history.member_person[dated], history.member_since[dated])
    return np.where(np.isinf(start), np.nan, start)


def _labels(history: TieHistory, active: np.ndarray, counts: sp.csr_matrix) -> GroupLabels:
    """M1 sets of the boundary groups at the cut and the M3 primary of each person."""
    boundary = np.flatnonzero(history.boundary_group)
    groups = tuple(history.community_ids[g] for g in boundary.tolist())
    renumber = np.full(len(history.community_ids), -1, dtype=np.int64)
    renumber[boundary] = np.arange(len(boundary))
    keep = active & (renumber[history.member_group] >= 0)
    rows = history.member_person[keep]
    cols = renumber[history.member_group[keep]]
    n = history.n_people
    member = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(groups)))
    member.sum_duplicates()
    member.data[:] = 1.0
    sets = np.split(member.indices, member.indptr[1:-1])
    primary = np.array([s[0] if len(s) else -1 for s in sets], dtype=np.int64)
    multi = np.flatnonzero(np.diff(member.indptr) > 1)
    if len(multi):
        with_group = (counts[multi] @ member).toarray()
        with_group[member[multi].toarray() == 0] = -1.0
        primary[multi] = np.argmax(with_group, axis=1)
    return GroupLabels.from_sets(groups, [set(s.tolist()) for s in sets], primary)


def _topic_counts(history: TieHistory, u: np.ndarray, v: np.ndarray, stop: int) -> sp.csr_matrix:
    topic = history.event_topic[:stop].astype(np.int64)
    has = topic >= 0
    rows = np.concatenate([u[has], v[has]])
    cols = np.concatenate([topic[has], topic[has]])
    shape = (history.n_people, len(history.topics))
    talked = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    total = sp.csr_matrix(history.declared + talked)
    total.sum_duplicates()
    return total


def _tfidf(counts: sp.csr_matrix) -> sp.csr_matrix:
    if counts.shape[1] == 0:
        return sp.csr_matrix(counts.shape)
    transformer = TfidfTransformer(sublinear_tf=True, norm="l2", smooth_idf=True)
    return sp.csr_matrix(transformer.fit_transform(counts))


def _roles(history: TieHistory, active: np.ndarray) -> np.ndarray:
    """People × role flags (:data:`ROLE_FLAGS` order), any community kind, at the cut."""
    flags = np.zeros((history.n_people, len(ROLE_FLAGS)), dtype=bool)
    for column, roles in enumerate(ROLE_FLAGS.values()):
        codes = [ROLES.index(role) for role in roles]
        chosen = active & np.isin(history.member_role, codes)
        flags[history.member_person[chosen], column] = True
    return flags


def _group_tables(
    adjacency: sp.csr_matrix, labels: GroupLabels
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Density, distance, spanner counts and conductance of the boundary groups."""
    member = labels.membership()
    sizes = labels.sizes().astype(np.float64)
    pair_ties = np.asarray((member.T @ adjacency @ member).todense())
    with np.errstate(divide="ignore", invalid="ignore"):
        density = pair_ties / np.outer(sizes, sizes)
        inside_pairs = np.diag(pair_ties) / (sizes * (sizes - 1.0))
    density = np.nan_to_num(density, nan=0.0, posinf=0.0)
    np.fill_diagonal(density, np.nan_to_num(inside_pairs, nan=0.0, posinf=0.0))
    top = density.max() if density.size else 0.0
    distance = np.ones_like(density) if top <= 0 else 1.0 - density / top
    np.fill_diagonal(distance, 0.0)
    reaches = adjacency @ member
    reaches.data[:] = 1.0
    spanners = np.asarray((member.T @ reaches).todense())
    volume = member.T @ np.asarray(adjacency.sum(axis=1)).ravel()
    inside = np.diag(pair_ties)
    total = float(adjacency.sum())
    smaller = np.minimum(volume, total - volume)
    with np.errstate(divide="ignore", invalid="ignore"):
        conductance = np.where(smaller > 0, (volume - inside) / smaller, 0.0)
    return density, np.clip(distance, 0.0, 1.0), spanners, conductance
