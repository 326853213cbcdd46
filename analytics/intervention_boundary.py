"""Which interactions cross a community boundary (M1 shared-any, METRICS.md §0), for the
before/after outcome of :mod:`analytics.intervention`.

:meth:`Boundary.from_labels` uses fixed :class:`~analytics.groups.GroupLabels`;
:meth:`Boundary.from_memberships` uses the memberships active **at each interaction's time**
(METRICS.md §0 "Memberships as of interaction time"). An interaction crosses when both ends
are affiliated and share no group; one touching an unaffiliated person never crosses. Each
person also gets a stratum (their M3 primary group), which matching stays inside.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from analytics.groups import GroupLabels
from analytics.intervention_series import to_seconds
from graphsvc.errors import ValidationError
from graphsvc.model import InteractionArrays, Membership


@dataclass(frozen=True)
class Boundary:
    """Which interaction rows cross a boundary, and each person's stratum for matching.

    ``cross[k]`` is True iff row ``k`` crosses (M1); ``stratum[i]`` is the M3 primary group
    of person ``i`` of the arrays (index into ``groups``), ``-1`` for none.
    """

    cross: np.ndarray
    stratum: np.ndarray
    groups: tuple[str, ...]

    @classmethod
    def from_labels(
        cls,
        arrays: InteractionArrays,
        labels: GroupLabels,
        person_ids: Sequence[str] | None = None,
    ) -> Boundary:
        """Crossing under fixed labels; ``person_ids`` names the labels' vertices (default:
        the arrays' people, in order).

        Examples
        --------
        >>> from analytics.projection import interaction_arrays
        >>> arrays = interaction_arrays([("a", "b", 0), ("a", "c", 5), ("b", "d", 9)])
        >>> labels = GroupLabels.from_sets(("x", "y"), [{0}, {0}, {1}, set()])
        >>> Boundary.from_labels(arrays, labels).cross.tolist()
        [False, True, False]
        """
        ids = arrays.person_ids if person_ids is None else tuple(person_ids)
        if len(ids) != labels.n_vertices:
            raise ValidationError("labels", f"{labels.n_vertices} label sets for {len(ids)} ids")
        where = {pid: i for i, pid in enumerate(ids)}
        vertex = np.array([where.get(p, -1) for p in arrays.person_ids], dtype=np.int64)
        affiliated = np.array([bool(s) for s in labels.sets] + [False], dtype=bool)
        vs, vt = vertex[np.asarray(arrays.source)], vertex[np.asarray(arrays.target)]
        rows = np.flatnonzero(affiliated[vs] & affiliated[vt])
        cross = np.zeros(len(vs), dtype=bool)
        if len(rows):
            cross[rows] = ~labels.internal(vs[rows], vt[rows])
        primary = np.append(np.asarray(labels.primary, dtype=np.int64), -1)
        return cls(cross, primary[vertex], labels.groups)

    @classmethod
    def from_memberships(
        cls, arrays: InteractionArrays, memberships: Iterable[Membership]
    ) -> Boundary:
        """Crossing under the memberships active at each interaction's time
        (``since ≤ at < until``); the stratum is the group in which the person holds most
        interactions with fellow members (self-interactions aside; ties and none: their first
        group by id).

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> from analytics.projection import interaction_arrays
        >>> arrays = interaction_arrays([("a", "b", 0), ("a", "b", 200_000)])
        >>> until = datetime.fromtimestamp(100_000, UTC)
        >>> ms = [Membership("a", "x"), Membership("b", "x", until=until), Membership("b", "y")]
        >>> Boundary.from_memberships(arrays, ms).cross.tolist()
        [False, True]
        """
        index = {pid: i for i, pid in enumerate(arrays.person_ids)}
        members = [m for m in memberships if m.person_id in index]
        groups = tuple(sorted({m.community_id for m in members}))
        at = np.asarray(arrays.at, dtype=np.int64)
        source = np.asarray(arrays.source, dtype=np.int64)
        target = np.asarray(arrays.target, dtype=np.int64)
        n = len(arrays.person_ids)
        lo, hi = (int(at.min()), int(at.max())) if len(at) else (0, 0)
        where = {g: i for i, g in enumerate(groups)}
        group_of = np.array([where[m.community_id] for m in members], dtype=np.int64)
        person_of = np.array([index[m.person_id] for m in members], dtype=np.int64)
        since_of = np.array([_bound(m.since, lo) for m in members], dtype=np.int64)
        until_of = np.array([_bound(m.until, hi + 1) for m in members], dtype=np.int64)
        in_source, in_target = np.zeros(len(at), bool), np.zeros(len(at), bool)
        shared = np.zeros(len(at), bool)
        score = np.full((n, len(groups)), -1.0)
        for g in range(len(groups)):
            pick = group_of == g
            intervals = (person_of[pick], since_of[pick], until_of[pick])
            s_in = _member_at(intervals, (lo, hi), source, at, n)
            t_in = _member_at(intervals, (lo, hi), target, at, n)
            both = s_in & t_in
            in_source |= s_in
            in_target |= t_in
            shared |= both
            tie = both & (source != target)
            ends = np.bincount(source[tie], minlength=n) + np.bincount(target[tie], minlength=n)
            score[intervals[0], g] = ends[intervals[0]]
        stratum = np.argmax(score, axis=1) if len(groups) else np.zeros(n, np.int64)
        stratum = np.where(score.max(axis=1, initial=-1.0) >= 0, stratum, -1)
        return cls(in_source & in_target & ~shared, stratum.astype(np.int64), groups)


def _member_at(
    intervals: tuple[np.ndarray, np.ndarray, np.ndarray],
    span: tuple[int, int],
    who: np.ndarray,
    when: np.ndarray,
    n: int,
) -> np.ndarray:
    """Per row: is ``who`` a member at ``when`` (only the rows of people with an interval in
    this group are searched)."""
    person = intervals[0]
    ever = np.zeros(n, dtype=bool)
    ever[person] = True
    rows = np.flatnonzero(ever[who])
    inside = np.zeros(len(who), dtype=bool)
    inside[rows] = _active(*intervals, span, who[rows], when[rows])
    return inside


def _bound(moment: datetime | None, default: int) -> int:
    return default if moment is None else to_seconds(moment)


def _active(
    person: np.ndarray,
    since: np.ndarray,
    until: np.ndarray,
    span: tuple[int, int],
    who: np.ndarray,
    when: np.ndarray,
) -> np.ndarray:
    """Is ``who[k]`` inside one of its intervals ``[since, until)`` at ``when[k]``?

    Intervals are clipped to ``[lo, hi + 1]``, keyed ``person·width + time`` so one sorted
    array holds everyone's, merged where they overlap, then found by binary search."""
    lo, hi = span
    width = hi - lo + 2
    start = person * width + np.clip(since, lo, hi + 1) - lo
    stop = person * width + np.clip(until, lo, hi + 1) - lo
    order = np.argsort(start, kind="stable")
    start, stop = start[order], stop[order]
    if not len(start):
        return np.zeros(len(who), dtype=bool)
    reach = np.maximum.accumulate(stop)
    first = np.ones(len(start), dtype=bool)
    first[1:] = start[1:] > reach[:-1]
    runs = np.flatnonzero(first)
    merged_start, merged_stop = start[runs], np.maximum.reduceat(stop, runs)
    query = who * width + np.clip(when, lo, hi) - lo
    found = np.searchsorted(merged_start, query, side="right") - 1
    inside: np.ndarray = (found >= 0) & (merged_stop[np.maximum(found, 0)] > query)
    return inside
