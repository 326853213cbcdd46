"""Mentor suggestions: who could mentor whom, with room to do it (METRICS.md R6).

As of a cut, from :mod:`recommend.expertise`'s topic profiles:

* **eligible** mentor ``m`` for mentee ``e``: both consent, ``m ≠ e``, ``m`` is not already
  mentoring ``e``, ``m`` has **free slots** = ``mentor_capacity − current mentees > 0``
  (current mentees: distinct people ``m`` held a mentoring session with, as the source,
  in the ``active_days`` before the cut, plus ``extra_mentees`` such as accepted mentor
  introductions), and the topic fit is positive;
* **fit** ``f = α·cos(need_e, expertise_m) + β·seniority + γ·bridging + δ·availability``
  with ``seniority = clip((tenure_m − tenure_e) / 365 days, 0, 1)`` (½ when a joining date
  is unknown), ``bridging`` = 1 when ``m`` belongs to none of ``e``'s communities of the
  boundary kind, ``availability = free / capacity``; defaults α=0.6, β=0.15, γ=0.1, δ=0.15.

Cohort matching over these fits is :func:`recommend.matching.match_cohort`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import scipy.sparse as sp

from graphsvc.model import (
    Community,
    CommunityKind,
    InteractionArrays,
    InteractionKind,
    Membership,
    Person,
)
from recommend.expertise import TopicProfiles, topic_profiles

SECONDS_PER_YEAR = 365 * 86_400.0
TOP_TOPICS = 3


@dataclass(frozen=True)
class MentorSuggestion:
    """One mentor for one mentee, with the facts that explain it (R7)."""

    mentee_id: str
    mentor_id: str
    fit: float
    parts: dict[str, float]
    shared_topics: tuple[str, ...]
    answers: dict[str, int]
    free_slots: int
    capacity: int
    cross_community: bool


@dataclass
class MentorRecommender:
    """Rank and match mentors (module doc); ``fit(...)`` then ``recommend``/``fit_matrix``."""

    alpha: float = 0.6
    beta: float = 0.15
    gamma: float = 0.1
    delta: float = 0.15
    active_days: float = 180.0
    boundary: CommunityKind = CommunityKind.COP
    profiles_: TopicProfiles | None = field(default=None, init=False, repr=False)

    def fit(
        self,
        people: Sequence[Person],
        interactions: InteractionArrays,
        memberships: Sequence[Membership],
        communities: Iterable[Community],
        cut: datetime,
        extra_mentees: Iterable[tuple[str, str]] = (),
    ) -> MentorRecommender:
        """Learn the profiles, capacities and groups as of ``cut`` (nothing after it)."""
        self.cut_ = cut
        self.profiles_ = topic_profiles(people, interactions, memberships, cut)
        self.index_ = {pid: i for i, pid in enumerate(self.profiles_.person_ids)}
        self.consent_ = np.array([p.consent for p in people], dtype=bool)
        self.capacity_ = np.array([max(p.mentor_capacity, 0) for p in people], dtype=np.int64)
        self.tenure_ = np.array([_tenure(p, cut) for p in people])
        mentees = _current_mentees(interactions, cut, self.active_days, extra_mentees)
        self.mentoring_ = _pair_matrix(mentees, self.index_)
        load = np.asarray(self.mentoring_.sum(axis=1)).ravel().astype(np.int64)
        self.free_ = np.maximum(self.capacity_ - load, 0)
        kinds = {c.id: c.kind for c in communities}
        self.groups_ = _group_matrix(memberships, kinds, self.boundary, cut, self.index_)
        expertise = _normalised_rows(self.profiles_.expertise)
        self.expertise_, self.need_ = expertise, _normalised_rows(self.profiles_.need)
        return self

    def fit_matrix(self, mentee_ids: Sequence[str], mentor_ids: Sequence[str]) -> np.ndarray:
        """Fits of every mentee (rows) with every mentor (columns); NaN where not eligible."""
        rows = np.array([self.index_[pid] for pid in mentee_ids], dtype=np.int64)
        cols = np.array([self.index_[pid] for pid in mentor_ids], dtype=np.int64)
        cosine = (self.need_[rows] @ self.expertise_[cols].T).toarray()
        parts = self._parts(rows, cols, cosine)
        total = sum(weight * parts[name] for name, weight in self._weights().items())
        return np.where(self._eligible(rows, cols, cosine), total, np.nan)

    def recommend(self, mentee_id: str, k: int = 5) -> list[MentorSuggestion]:
        """The ``k`` eligible mentors with the highest fit for ``mentee_id`` (by fit, then id)."""
        e = self.index_[mentee_id]
        if not self.consent_[e]:
            return []
        mentors = np.flatnonzero((self.free_ > 0) & self.consent_)
        ids = [self.profiles_.person_ids[m] for m in mentors] if self.profiles_ else []
        fits = self.fit_matrix([mentee_id], ids)[0] if ids else np.array([])
        order = sorted(
            (i for i in range(len(ids)) if np.isfinite(fits[i])), key=lambda i: (-fits[i], ids[i])
        )
        return [self.explain(mentee_id, ids[i]) for i in order[:k]]

    def explain(self, mentee_id: str, mentor_id: str) -> MentorSuggestion:
        """The suggestion of ``mentor_id`` for ``mentee_id`` with its facts."""
        assert self.profiles_ is not None, "fit first"
        e, m = self.index_[mentee_id], self.index_[mentor_id]
        rows, cols = np.array([e]), np.array([m])
        cosine = (self.need_[rows] @ self.expertise_[cols].T).toarray()
        parts = {
            name: float(values[0, 0]) for name, values in self._parts(rows, cols, cosine).items()
        }
        fit = sum(weight * parts[name] for name, weight in self._weights().items())
        shared = self._shared_topics(e, m)
        answers = self.profiles_.answers[m]
        return MentorSuggestion(
            mentee_id=mentee_id,
            mentor_id=mentor_id,
            fit=float(fit),
            parts=parts,
            shared_topics=shared,
            answers={t: int(answers[0, self.profiles_.topics.index(t)]) for t in shared},
            free_slots=int(self.free_[m]),
            capacity=int(self.capacity_[m]),
            cross_community=bool(parts["bridging"]),
        )

    def _weights(self) -> dict[str, float]:
        return {"topic": self.alpha, "seniority": self.beta, "bridging": self.gamma,
                "availability": self.delta}  # fmt: skip

    def _parts(
        self, rows: np.ndarray, cols: np.ndarray, cosine: np.ndarray
    ) -> dict[str, np.ndarray]:
        gap = (self.tenure_[cols][None, :] - self.tenure_[rows][:, None]) / SECONDS_PER_YEAR
        seniority = np.where(np.isnan(gap), 0.5, np.clip(gap, 0.0, 1.0))
        own, theirs = self.groups_[rows], self.groups_[cols]
        shared = (own @ theirs.T).toarray() > 0
        has_own = np.asarray(own.sum(axis=1)).ravel() > 0
        has_theirs = np.asarray(theirs.sum(axis=1)).ravel() > 0
        bridging = (has_own[:, None] & has_theirs[None, :] & ~shared).astype(float)
        capacity = self.capacity_[cols].astype(float)
        available = np.divide(self.free_[cols], capacity, out=np.zeros_like(capacity),
                              where=capacity > 0)  # fmt: skip
        return {"topic": cosine, "seniority": seniority, "bridging": bridging,
                "availability": np.broadcast_to(available, cosine.shape)}  # fmt: skip

    def _eligible(self, rows: np.ndarray, cols: np.ndarray, cosine: np.ndarray) -> np.ndarray:
        ok = (cosine > 0) & self.consent_[rows][:, None] & self.consent_[cols][None, :]
        ok &= (self.free_[cols] > 0)[None, :] & (rows[:, None] != cols[None, :])
        already: np.ndarray = self.mentoring_[cols][:, rows].T.toarray() > 0
        eligible: np.ndarray = ok & ~already
        return eligible

    def _shared_topics(self, e: int, m: int) -> tuple[str, ...]:
        assert self.profiles_ is not None
        product = self.need_[e].multiply(self.expertise_[m]).toarray()[0]
        best = [j for j in np.argsort(-product, kind="stable")[:TOP_TOPICS] if product[j] > 0]
        return tuple(self.profiles_.topics[j] for j in best)


def _tenure(person: Person, cut: datetime) -> float:
    """Seconds between joining and ``cut`` (NaN when the joining date is unknown)."""
    if person.joined_at is None:
        return float("nan")
    return (cut - person.joined_at).total_seconds()


def _current_mentees(
    arrays: InteractionArrays,
    cut: datetime,
    active_days: float,
    extra: Iterable[tuple[str, str]],
) -> dict[str, set[str]]:
    """Mentor id → mentee ids with a mentoring session in ``[cut − active_days, cut)``."""
    since = (cut - timedelta(days=active_days)).timestamp()
    at = np.asarray(arrays.at)
    kind = arrays.kinds.index(InteractionKind.MENTORING.value)
    keep = np.flatnonzero(
        (np.asarray(arrays.kind) == kind) & (at >= since) & (at < cut.timestamp())
    )
    found: dict[str, set[str]] = {}
    for s, t in zip(np.asarray(arrays.source)[keep], np.asarray(arrays.target)[keep], strict=True):
        found.setdefault(arrays.person_ids[s], set()).add(arrays.person_ids[t])
    for mentor, mentee in extra:
        found.setdefault(mentor, set()).add(mentee)
    return found


def _group_matrix(
    memberships: Iterable[Membership],
    kinds: Mapping[str, CommunityKind],
    boundary: CommunityKind,
    cut: datetime,
    index: Mapping[str, int],
) -> sp.csr_matrix:
    """People × communities: 1 where the person belongs, at ``cut``, to a community of the
    boundary kind."""
    pairs = {
        (index[m.person_id], m.community_id)
        for m in memberships
        if m.person_id in index and kinds.get(m.community_id) is boundary and m.active_at(cut)
    }
    columns = {c: j for j, c in enumerate(sorted({c for _, c in pairs}))}
    rows = [i for i, _ in sorted(pairs)]
    cols = [columns[c] for _, c in sorted(pairs)]
    shape = (len(index), len(columns))
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)


def _pair_matrix(pairs: Mapping[str, set[str]], index: Mapping[str, int]) -> sp.csr_matrix:
    """People × people: 1 where the row person mentors the column person."""
    found = [
        (index[a], index[b]) for a, bs in pairs.items() for b in bs if a in index and b in index
    ]
    rows, cols = [a for a, _ in found], [b for _, b in found]
    return sp.csr_matrix((np.ones(len(found)), (rows, cols)), shape=(len(index), len(index)))


def _normalised_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit L2 norm (zero rows stay zero): dot products become cosines."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale) @ matrix)
