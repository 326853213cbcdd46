"""A collaborator suggestion and the facts that explain it (METRICS.md R7).

Every :class:`Suggestion` carries the model's probability, the re-ranked score, the
feature values and their contributions, and the checkable facts behind them as of the
cut: the mutual contacts (consenting people only; ``n_mutual`` counts all), the shared
topics, and — for a cross-boundary pair — the two groups it would connect, the ties
between them today and how many people carry those ties (K_AB, METRICS.md X2: the
smaller of "members of A with a tie into B" and the converse). The words are written by
the pages; this module only gathers true facts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from recommend.snapshot import Snapshot

#: facts listed at most per suggestion
MAX_MUTUAL = 10
MAX_TOPICS = 5


@dataclass(frozen=True)
class Suggestion:
    """``person_id`` suggested to ``for_id`` at ``rank`` (1 = first)."""

    for_id: str
    person_id: str
    rank: int
    score: float
    probability: float
    bridge: float
    cross: bool
    sources: tuple[str, ...]
    mutual_ids: tuple[str, ...]
    n_mutual: int
    shared_topics: tuple[str, ...]
    connects: tuple[str, str] | None
    group_ties: int | None
    spanners: int | None
    features: dict[str, float] = field(default_factory=dict, hash=False)
    contributions: dict[str, float] = field(default_factory=dict, hash=False)

    def reasons(self, n: int = 3) -> tuple[str, ...]:
        """The features with the ``n`` largest positive contributions, largest first."""
        ranked = sorted(self.contributions.items(), key=lambda item: -item[1])
        return tuple(name for name, value in ranked[:n] if value > 0)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (tuples become lists)."""
        out = asdict(self)
        out["reasons"] = list(self.reasons())
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def pair_facts(snap: Snapshot, u: int, v: int) -> dict[str, Any]:
    """The facts of suggesting ``v`` to ``u`` (see the module docstring).

    Examples
    --------
    >>> from analytics.projection import interaction_arrays
    >>> from graphsvc.model import Membership
    >>> from recommend.history import TieHistory
    >>> rows = [("a", "b", 0), ("b", "c", 0), ("c", "d", 0)]
    >>> members = [Membership(p, g) for p, g in zip("abcd", "xxyy")]
    >>> facts = pair_facts(TieHistory.build(interaction_arrays(rows), members).as_of(1), 1, 3)
    >>> facts["mutual_ids"], facts["connects"], facts["group_ties"], facts["spanners"]
    (('c',), ('x', 'y'), 1, 1)
    """
    return {
        **_mutual(snap, u, v),
        "shared_topics": _shared_topics(snap, u, v),
        **_connection(snap, u, v),
    }


def _mutual(snap: Snapshot, u: int, v: int) -> dict[str, Any]:
    a, w = snap.adjacency, snap.strength  # the same sparsity: one entry per tie
    row_u, row_v = slice(a.indptr[u], a.indptr[u + 1]), slice(a.indptr[v], a.indptr[v + 1])
    shared, at_u, at_v = np.intersect1d(a.indices[row_u], a.indices[row_v], return_indices=True)
    strength = w.data[row_u][at_u] + w.data[row_v][at_v]
    visible = snap.consent[shared]
    order = np.argsort(-strength[visible], kind="stable")[:MAX_MUTUAL]
    return {
        "mutual_ids": tuple(snap.person_ids[z] for z in shared[visible][order].tolist()),
        "n_mutual": len(shared),
    }


def _shared_topics(snap: Snapshot, u: int, v: int) -> tuple[str, ...]:
    if not snap.topics:
        return ()
    both = snap.tfidf[u].multiply(snap.tfidf[v]).tocoo()
    order = np.argsort(-both.data, kind="stable")[:MAX_TOPICS]
    return tuple(snap.topics[t] for t in both.col[order].tolist())


def _connection(snap: Snapshot, u: int, v: int) -> dict[str, Any]:
    labels = snap.labels
    a, b = int(labels.primary[u]), int(labels.primary[v])
    pair = np.array([u]), np.array([v])
    if a < 0 or b < 0 or bool(labels.internal(*pair)[0]):
        return {"connects": None, "group_ties": None, "spanners": None}
    sizes = labels.sizes()
    ties = int(round(snap.density[a, b] * sizes[a] * sizes[b]))
    carriers = int(min(snap.spanners[a, b], snap.spanners[b, a]))
    return {
        "connects": (labels.groups[a], labels.groups[b]),
        "group_ties": ties,
        "spanners": carriers,
    }
