"""Time windows and memberships over time, as arrays (METRICS.md §0, §4 "Windows").

**Windows** are half-open ``[start, end)`` in Unix seconds (UTC): an interaction at
``start`` belongs to the window, one at ``end`` to the next. Tumbling windows follow the
calendar in UTC (``month``: the 1st at 00:00; ``quarter``: January, April, July, October);
sliding windows are ``width_days`` wide and start every ``step_days`` from the first day
(00:00 UTC) holding an interaction. Every window also names its **previous period**, the
one T3 (reactivated ties) and T4 (retention, Jaccard) compare it with: the preceding
calendar period for tumbling windows, ``[start − width, start)`` for sliding ones (so
overlapping windows are never compared with themselves). The first ``burn_in`` windows
are flagged: before them the history is unknown, so their "new" ties may be old ones.

**Memberships** become :class:`MembershipArrays` (one row per membership, ``since`` and
``until`` in seconds); :meth:`MembershipArrays.at` gives the 0/1 person × group matrix of
the memberships active at a moment, ``since ≤ moment < until`` — the store's ``as_of``
rule, applied at each window's end (METRICS.md §0: node metrics use memberships as of the
window's end). A fractional ``since``/``until`` is rounded up to the second, which keeps
that comparison exact against whole-second window ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import scipy.sparse as sp

from graphsvc.model import Membership

Frequency = Literal["month", "quarter", "sliding"]
FREQUENCIES: tuple[str, ...] = ("month", "quarter", "sliding")
DAY = 86_400
NEVER = np.iinfo(np.int64).max  # an open ``until``
ALWAYS = np.iinfo(np.int64).min  # an open ``since``
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def seconds(moment: datetime | int, *, ceil: bool = False) -> int:
    """Unix seconds of an aware datetime (floored, or rounded up with ``ceil``), or an int.

    Examples
    --------
    >>> seconds(datetime(2025, 1, 1, tzinfo=UTC)), seconds(7)
    (1735689600, 7)
    """
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError(f"{moment!r} is naive: give a timezone-aware datetime")
        delta = moment - _EPOCH
        micros = (delta.days * DAY + delta.seconds) * 1_000_000 + delta.microseconds
        return -(-micros // 1_000_000) if ceil else micros // 1_000_000
    return int(moment)


def iso(second: int) -> str:
    """ISO 8601 UTC text of Unix seconds, e.g. ``2025-01-01T00:00:00Z``."""
    return str(np.datetime64(int(second), "s")) + "Z"


@dataclass(frozen=True)
class Windows:
    """Windows ``[start[t], end[t])`` with previous periods ``[prev_start[t], prev_end[t])``
    and the ``burn_in`` flag, all arrays indexed by window; ``frequency`` names how they
    were cut (``month``, ``quarter``, ``sliding`` or ``custom``)."""

    frequency: str
    start: np.ndarray
    end: np.ndarray
    prev_start: np.ndarray
    prev_end: np.ndarray
    burn_in: np.ndarray

    def __len__(self) -> int:
        return len(self.start)

    @classmethod
    def of(cls, starts: Sequence[int], ends: Sequence[int], *, burn_in: int = 1) -> Windows:
        """Windows from explicit bounds; each previous period is the equally long span
        just before the window.

        Examples
        --------
        >>> w = Windows.of([0, 10], [10, 20])
        >>> w.prev_start.tolist(), w.burn_in.tolist()
        ([-10, 0], [True, False])
        """
        start, end = np.asarray(starts, np.int64), np.asarray(ends, np.int64)
        if start.shape != end.shape or np.any(end <= start):
            raise ValueError("every window needs start < end")
        return cls("custom", start, end, 2 * start - end, start.copy(), _flags(len(start), burn_in))


def _flags(count: int, burn_in: int) -> np.ndarray:
    if burn_in < 0:
        raise ValueError("burn_in must be ≥ 0")
    return np.arange(count) < burn_in


def windows(
    first: datetime | int,
    last: datetime | int,
    frequency: Frequency = "month",
    *,
    width_days: int = 90,
    step_days: int = 30,
    burn_in: int = 1,
) -> Windows:
    """Windows covering ``[first, last]`` (METRICS.md §4: monthly/quarterly tumbling,
    sliding 90 d wide every 30 d).

    Tumbling windows run from the calendar period holding ``first`` to the one holding
    ``last``; sliding ones start at ``first``'s day (00:00 UTC) and every ``step_days``
    after, as long as they start at or before ``last`` (the last ones may reach past the
    data). ``burn_in`` leading windows are flagged.

    Examples
    --------
    >>> w = windows(datetime(2025, 1, 15, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC))
    >>> [iso(s) for s in w.start], iso(w.end[-1]), iso(w.prev_start[0])
    (['2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z', '2025-03-01T00:00:00Z'], \
'2025-04-01T00:00:00Z', '2024-12-01T00:00:00Z')
    >>> s = windows(0, 100 * 86_400, "sliding", width_days=60, step_days=30, burn_in=2)
    >>> (s.start // 86_400).tolist(), (s.end // 86_400).tolist(), s.burn_in.tolist()
    ([0, 30, 60, 90], [60, 90, 120, 150], [True, True, False, False])
    """
    low, high = seconds(first), seconds(last)
    if high < low:
        raise ValueError("last is before first")
    if frequency == "sliding":
        if width_days <= 0 or step_days <= 0:
            raise ValueError("width_days and step_days must be positive")
        origin = low // DAY * DAY
        start = np.arange(origin, high + 1, step_days * DAY, dtype=np.int64)
        end = start + width_days * DAY
        prev = start - width_days * DAY
        return Windows("sliding", start, end, prev, start.copy(), _flags(len(start), burn_in))
    if frequency not in ("month", "quarter"):
        raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}")
    months = 1 if frequency == "month" else 3
    first_month = _month(low) // months * months
    last_month = _month(high) // months * months
    bounds = np.arange(first_month - months, last_month + 2 * months, months)
    edges = _month_seconds(bounds)
    start, end, prev = edges[1:-1], edges[2:], edges[:-2]
    return Windows(frequency, start, end, prev, start.copy(), _flags(len(start), burn_in))


def _month(second: int) -> int:
    """Months since January 1970 (UTC) of Unix seconds."""
    return int(np.datetime64(second, "s").astype("datetime64[M]").astype(np.int64))


def _month_seconds(months: np.ndarray) -> np.ndarray:
    """Unix seconds of the first instant of each month (months since January 1970)."""
    stamps: np.ndarray = months.astype("datetime64[M]").astype("datetime64[s]").astype(np.int64)
    return stamps


@dataclass(frozen=True)
class MembershipArrays:
    """Memberships as rows ``(person[k], group[k], since[k], until[k])``, sorted by person
    then group. ``person`` indexes the people of the interactions (``person_ids``),
    ``group`` indexes ``groups``; ``since``/``until`` are Unix seconds (:data:`ALWAYS` /
    :data:`NEVER` for open ends)."""

    groups: tuple[str, ...]
    n_people: int
    person: np.ndarray
    group: np.ndarray
    since: np.ndarray
    until: np.ndarray

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    def at(self, moment: int) -> sp.csr_matrix:
        """The ``n_people × n_groups`` 0/1 matrix of memberships active at ``moment``
        (``since ≤ moment < until``; several rows of one person and group count once).

        Examples
        --------
        >>> m = membership_arrays([Membership("a", "x", until=datetime(2025, 2, 1,
        ...     tzinfo=UTC)), Membership("b", "y")], ("a", "b"))
        >>> m.at(seconds(datetime(2025, 1, 31, tzinfo=UTC))).toarray().tolist()
        [[1.0, 0.0], [0.0, 1.0]]
        >>> m.at(seconds(datetime(2025, 2, 1, tzinfo=UTC))).toarray().tolist()
        [[0.0, 0.0], [0.0, 1.0]]
        """
        active = (self.since <= moment) & (moment < self.until)
        rows, cols = self.person[active], self.group[active]
        matrix = sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(self.n_people, self.n_groups)
        )
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        return matrix


def membership_arrays(
    memberships: Iterable[Membership],
    person_ids: Sequence[str],
    groups: Sequence[str] | None = None,
) -> MembershipArrays:
    """:class:`MembershipArrays` of ``memberships`` over the people ``person_ids`` (the
    interactions' :attr:`~graphsvc.model.InteractionArrays.person_ids`).

    Pass the memberships of one boundary kind (e.g. the store's memberships of CoPs);
    memberships of people outside ``person_ids`` (who never interact) and of groups
    outside ``groups`` (when given; default: every group named, sorted) are dropped.

    Examples
    --------
    >>> m = membership_arrays([Membership("b", "y"), Membership("a", "x"),
    ...     Membership("z", "x")], ("a", "b"))
    >>> m.groups, m.person.tolist(), m.group.tolist(), bool(m.until[0] == NEVER)
    (('x', 'y'), [0, 1], [0, 1], True)
    """
    rows = list(memberships)
    names = tuple(sorted({m.community_id for m in rows})) if groups is None else tuple(groups)
    person_index = {pid: i for i, pid in enumerate(person_ids)}
    group_index = {g: i for i, g in enumerate(names)}
    kept = [m for m in rows if m.person_id in person_index and m.community_id in group_index]
    person = np.array([person_index[m.person_id] for m in kept], dtype=np.int64)
    group = np.array([group_index[m.community_id] for m in kept], dtype=np.int64)
    since = np.array(
        [ALWAYS if m.since is None else seconds(m.since, ceil=True) for m in kept], np.int64
    )
    until = np.array(
        [NEVER if m.until is None else seconds(m.until, ceil=True) for m in kept], np.int64
    )
    order = np.lexsort((group, person))
    return MembershipArrays(
        names, len(person_ids), person[order], group[order], since[order], until[order]
    )
