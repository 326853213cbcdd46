"""Everything the collaborator recommender knows, as columns, and its state as of a cut.

:class:`TieHistory` holds the timestamped interactions of the chosen kinds (co-attendance
left out by default, METRICS.md §0), the people's profiles (declared topics and expertise,
consent, joining date) and the memberships with their intervals. :meth:`TieHistory.as_of`
gives the :class:`~recommend.snapshot.Snapshot` at a cut ``T``: only interactions strictly
before ``T`` and memberships active at ``T`` (``since ≤ T < until``) enter it, so nothing
after the cut can leak into candidates, features or labels (METRICS.md R3 "No leakage").

Ties are undirected for prediction: a tie between ``u`` and ``v`` exists once any
interaction of the chosen kinds went either way; its *onset* is the first such
interaction. A new tie in ``[a, b)`` is a pair whose onset falls in that interval (a
repeated interaction is not a new tie).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from graphsvc.model import (
    Community,
    CommunityKind,
    InteractionArrays,
    InteractionKind,
    Membership,
    MembershipRole,
    Person,
)

if TYPE_CHECKING:
    from recommend.snapshot import Snapshot

#: kinds used unless told otherwise: every kind but the co-attendance exposure layer
DEFAULT_KINDS: tuple[InteractionKind, ...] = tuple(
    kind for kind in InteractionKind if kind is not InteractionKind.CO_ATTENDANCE
)
#: membership roles in code order (``TieHistory.member_role`` indexes into this)
ROLES: tuple[MembershipRole, ...] = tuple(MembershipRole)
SECONDS_PER_DAY = 86_400.0


def to_seconds(moment: datetime | float) -> float:
    """Unix seconds of an aware datetime, or the number itself (already seconds)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("cut times must be timezone-aware")
        return moment.astimezone(UTC).timestamp()
    return float(moment)


@dataclass(frozen=True)
class TieHistory:
    """Interactions, profiles and memberships as columns (build with :meth:`build`).

    Person ``i`` is ``person_ids[i]``; event ``e`` joins ``event_u[e]`` and ``event_v[e]``
    (never equal) at ``event_at[e]`` Unix seconds (non-decreasing) with ``event_weight[e]``
    and topic ``event_topic[e]`` (index into ``topics`` or -1). ``declared`` is the
    people × topics count matrix of declared topics and expertise. Membership ``j`` puts
    ``member_person[j]`` in ``community_ids[member_group[j]]`` with role
    ``ROLES[member_role[j]]`` during ``[member_since[j], member_until[j])`` (±inf when
    open); ``community_kinds[c]`` is its kind (None: kinds not given, every community
    counts as a boundary group; "": not among the given communities) and
    ``boundary_group[c]`` says whether it is of the boundary kind.
    """

    person_ids: tuple[str, ...]
    event_u: np.ndarray
    event_v: np.ndarray
    event_at: np.ndarray
    event_weight: np.ndarray
    event_topic: np.ndarray
    topics: tuple[str, ...]
    declared: sp.csr_matrix
    consent: np.ndarray
    joined_at: np.ndarray
    community_ids: tuple[str, ...]
    community_kinds: tuple[str | None, ...]
    boundary_group: np.ndarray
    member_person: np.ndarray
    member_group: np.ndarray
    member_role: np.ndarray
    member_since: np.ndarray
    member_until: np.ndarray
    boundary: CommunityKind = CommunityKind.COP
    half_life_days: float = 90.0
    recent_days: float = 30.0

    @property
    def n_people(self) -> int:
        return len(self.person_ids)

    @property
    def n_events(self) -> int:
        return len(self.event_at)

    def index(self, person_id: str) -> int:
        """The index of ``person_id``; ``KeyError`` when unknown."""
        return self._index_map[person_id]

    @cached_property
    def _index_map(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.person_ids)}

    @classmethod
    def build(
        cls,
        interactions: InteractionArrays,
        memberships: Iterable[Membership],
        people: Iterable[Person] = (),
        communities: Iterable[Community] | Mapping[str, CommunityKind] | None = None,
        *,
        boundary: CommunityKind | str = CommunityKind.COP,
        kinds: Sequence[InteractionKind | str] = DEFAULT_KINDS,
        half_life_days: float = 90.0,
        recent_days: float = 30.0,
    ) -> TieHistory:
        """Columns from the store's interaction arrays, memberships and people.

        ``communities`` gives each community's kind, so that only those of the
        ``boundary`` kind count as groups; without it every membership's community is
        taken to be of the boundary kind. Interactions of other ``kinds``, self-loops and
        weight-0 rows are dropped. People are everyone named by interactions, memberships
        or ``people``, sorted by id (people without a record: consent, no topics).
        ``half_life_days`` decays strengths and activity; a tie is *recent* when it was
        active in the last ``recent_days`` before a cut.

        Examples
        --------
        >>> from analytics.projection import interaction_arrays
        >>> arrays = interaction_arrays([("a", "b", 0), ("b", "c", 10), ("c", "c", 20)])
        >>> h = TieHistory.build(arrays, [Membership("a", "x")])
        >>> h.person_ids, h.n_events, h.event_at.tolist()
        (('a', 'b', 'c'), 2, [0, 10])
        """
        boundary = CommunityKind(boundary)
        records = {p.id: p for p in people}
        members = list(memberships)
        ids = sorted(set(interactions.person_ids) | {m.person_id for m in members} | set(records))
        index = {pid: i for i, pid in enumerate(ids)}
        events = _events(interactions, index, kinds)
        topics = _vocabulary(interactions.topics, records.values())
        topic_index = {t: i for i, t in enumerate(topics)}
        remap = np.array([topic_index[t] for t in interactions.topics] + [-1], dtype=np.int64)
        event_topic = remap[events["topic"]]  # -1 maps to the appended -1
        declared = _declared(ids, records, topic_index)
        consent = np.array([records[p].consent if p in records else True for p in ids])
        joined = np.array([_optional_seconds(records[p].joined_at if p in records else None)
                           for p in ids], dtype=np.float64)  # fmt: skip
        kinds_of = _community_kinds(communities)
        community_ids = tuple(sorted({m.community_id for m in members}))
        group_index = {c: i for i, c in enumerate(community_ids)}
        community_kinds = tuple(
            None if kinds_of is None else kinds_of[c].value if c in kinds_of else ""
            for c in community_ids
        )
        role_index = {role: i for i, role in enumerate(ROLES)}
        return cls(
            person_ids=tuple(ids),
            event_u=events["u"],
            event_v=events["v"],
            event_at=events["at"],
            event_weight=events["weight"],
            event_topic=event_topic.astype(np.int32),
            topics=topics,
            declared=declared,
            consent=consent.astype(bool),
            joined_at=joined,
            community_ids=community_ids,
            community_kinds=community_kinds,
            boundary_group=_boundary_groups(community_kinds, boundary),
            member_person=np.array([index[m.person_id] for m in members], dtype=np.int64),
            member_group=np.array([group_index[m.community_id] for m in members], np.int64),
            member_role=np.array([role_index[m.role] for m in members], dtype=np.int8),
            member_since=np.array([_optional_seconds(m.since, -math.inf) for m in members]),
            member_until=np.array([_optional_seconds(m.until, math.inf) for m in members]),
            boundary=boundary,
            half_life_days=float(half_life_days),
            recent_days=float(recent_days),
        )

    def with_boundary(self, boundary: CommunityKind | str) -> TieHistory:
        """The same history with groups of another community kind as the boundary."""
        kind = CommunityKind(boundary)
        groups = _boundary_groups(self.community_kinds, kind)
        return dataclasses.replace(self, boundary=kind, boundary_group=groups)

    def truncated(self, end: datetime | float) -> TieHistory:
        """The same history without the interactions at or after ``end``.

        Evaluation and training hand this to the model so that later events cannot be
        read even by mistake.
        """
        stop = int(np.searchsorted(self.event_at, to_seconds(end), side="left"))
        return _replace_events(self, slice(0, stop))

    def with_events(self, keep: np.ndarray) -> TieHistory:
        """The same history keeping only the events where ``keep`` is true."""
        return _replace_events(self, np.asarray(keep, dtype=bool))

    def pair_onsets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per tied pair ``(u < v)``: its endpoints and its onset (first interaction)."""
        low = np.minimum(self.event_u, self.event_v).astype(np.int64)
        high = np.maximum(self.event_u, self.event_v).astype(np.int64)
        keys, first = np.unique(low * self.n_people + high, return_index=True)
        return keys // self.n_people, keys % self.n_people, self.event_at[first]

    def new_ties(
        self, start: datetime | float, end: datetime | float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs ``(u < v)`` whose tie started in ``[start, end)`` (open end: to the last
        event): their first interaction of the chosen kinds falls in that interval."""
        low, high, onset = self.pair_onsets()
        keep = onset >= to_seconds(start)
        if end is not None:
            keep &= onset < to_seconds(end)
        return low[keep], high[keep]

    def as_of(self, cut: datetime | float) -> Snapshot:
        """The :class:`~recommend.snapshot.Snapshot` at ``cut`` (see the module doc)."""
        from recommend.snapshot import snapshot

        return snapshot(self, to_seconds(cut))


def _events(
    arrays: InteractionArrays, index: dict[str, int], kinds: Sequence[InteractionKind | str]
) -> dict[str, np.ndarray]:
    codes = [arrays.kinds.index(InteractionKind(k).value) for k in kinds]
    source = np.asarray(arrays.source, dtype=np.int64)
    target = np.asarray(arrays.target, dtype=np.int64)
    weight = np.asarray(arrays.weight, dtype=np.float64)
    keep = np.isin(arrays.kind, codes) & (source != target) & (weight > 0)
    to_index = np.array([index[p] for p in arrays.person_ids], dtype=np.int64)
    rows = np.flatnonzero(keep)
    at = np.asarray(arrays.at, dtype=np.int64)[rows]
    order = np.argsort(at, kind="stable")
    rows = rows[order]
    topic = np.asarray(arrays.topic, dtype=np.int64)[rows]
    return {
        "u": to_index[source[rows]].astype(np.int32) if len(rows) else np.empty(0, np.int32),
        "v": to_index[target[rows]].astype(np.int32) if len(rows) else np.empty(0, np.int32),
        "at": at[order],
        "weight": weight[rows],
        "topic": topic,
    }


def _vocabulary(event_topics: Sequence[str], people: Iterable[Person]) -> tuple[str, ...]:
    words = set(event_topics)
    for person in people:
        words.update(person.topics)
        words.update(person.expertise)
    return tuple(sorted(words))


def _declared(
    ids: Sequence[str], records: Mapping[str, Person], topic_index: Mapping[str, int]
) -> sp.csr_matrix:
    """People × topics: 1 per declared topic and 1 per declared expertise."""
    rows: list[int] = []
    cols: list[int] = []
    for i, pid in enumerate(ids):
        person = records.get(pid)
        if person is None:
            continue
        for word in (*person.topics, *person.expertise):
            rows.append(i)
            cols.append(topic_index[word])
    data = np.ones(len(rows))
    shape = (len(ids), len(topic_index))
    return sp.csr_matrix((data, (rows, cols)), shape=shape)


def _optional_seconds(moment: datetime | None, default: float = math.nan) -> float:
    return default if moment is None else moment.timestamp()


def _community_kinds(
    communities: Iterable[Community] | Mapping[str, CommunityKind] | None,
) -> dict[str, CommunityKind] | None:
    if communities is None:
        return None
    if isinstance(communities, Mapping):
        return {str(c): CommunityKind(k) for c, k in communities.items()}
    return {c.id: c.kind for c in communities}


def _boundary_groups(kinds: Sequence[str | None], boundary: CommunityKind) -> np.ndarray:
    """Which communities are of the boundary kind (all of them when kinds are unknown)."""
    return np.array([kind is None or kind == boundary.value for kind in kinds], dtype=bool)


def _replace_events(history: TieHistory, keep: slice | np.ndarray) -> TieHistory:
    return dataclasses.replace(
        history,
        event_u=history.event_u[keep],
        event_v=history.event_v[keep],
        event_at=history.event_at[keep],
        event_weight=history.event_weight[keep],
        event_topic=history.event_topic[keep],
    )
