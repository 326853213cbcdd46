"""Per person and period: how much each person worked across boundaries (for the history).

For each window ``[start, end)`` and each person with an interaction of the chosen kinds
in it (self-interactions aside), with the groups of one boundary kind held at the window's
end (rule M1 shared-any: a tie is cross when its people share no group; people without a
group make no cross ties):

* ``interactions`` — interactions the person took part in;
* ``contacts`` — distinct people they interacted with;
* ``cross_contacts`` — distinct contacts sharing no group with them;
* ``cross_share`` — their cross interactions over their interactions (None when the person
  holds no group).

Computed with sparse products over the window's events: ``shared = (M_u ∘ M_v)·1`` for the
membership matrix ``M`` (people × groups) at the window's end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.temporal_windows import MembershipArrays, Windows
from graphsvc.model import InteractionArrays, InteractionKind

PERSON_INDICATORS = ("interactions", "contacts", "cross_contacts", "cross_share")


@dataclass(frozen=True)
class PersonPeriod:
    """One person's values in one window (see the module)."""

    window: int
    person: int
    interactions: int
    contacts: int
    cross_contacts: int
    cross_share: float | None


def person_periods(
    events: InteractionArrays,
    members: MembershipArrays,
    windows: Windows,
    kinds: tuple[InteractionKind, ...],
) -> Iterator[PersonPeriod]:
    """The values of every active person in every window (see the module).

    Examples
    --------
    >>> from analytics.projection import interaction_arrays
    >>> from analytics.temporal_windows import membership_arrays, windows
    >>> from graphsvc.model import Membership
    >>> events = interaction_arrays([("a", "b", 0), ("a", "c", 10), ("a", "c", 20)])
    >>> members = membership_arrays([Membership("a", "x"), Membership("b", "x"),
    ...     Membership("c", "y")], events.person_ids)
    >>> one = windows(0, 30, "sliding", width_days=1, step_days=1, burn_in=0)
    >>> [(p.person, p.interactions, p.contacts, p.cross_contacts, round(p.cross_share, 2))
    ...  for p in person_periods(events, members, one, ("collaboration",)) if p.window == 0]
    [(0, 3, 2, 1, 0.67), (1, 1, 1, 0, 0.0), (2, 2, 1, 1, 1.0)]
    """
    wanted = np.isin(events.kind, [events.kinds.index(InteractionKind(k).value) for k in kinds])
    source, target = np.asarray(events.source), np.asarray(events.target)
    at = np.asarray(events.at)
    keep = wanted & (source != target)
    for w in range(len(windows.start)):
        inside = keep & (at >= windows.start[w]) & (at < windows.end[w])
        if inside.any():
            matrix = _members_at(members, int(windows.end[w]) - 1)
            yield from _window_rows(w, source[inside], target[inside], matrix, members.n_people)


def _members_at(members: MembershipArrays, moment: int) -> sp.csr_matrix:
    """People × groups: memberships active at ``moment`` (``since ≤ t < until``)."""
    active = (members.since <= moment) & (moment < members.until)
    ones = np.ones(int(active.sum()))
    shape = (members.n_people, len(members.groups))
    return sp.csr_matrix((ones, (members.person[active], members.group[active])), shape=shape)


def _window_rows(
    w: int, u: np.ndarray, v: np.ndarray, matrix: sp.csr_matrix, n: int
) -> Iterator[PersonPeriod]:
    shared = np.asarray(matrix[u].multiply(matrix[v]).sum(axis=1)).ravel() > 0
    grouped = np.asarray(matrix.sum(axis=1)).ravel() > 0
    cross = ~shared & grouped[u] & grouped[v]
    ends = np.concatenate([u, v])
    others = np.concatenate([v, u])
    crossing = np.concatenate([cross, cross])
    interactions = np.bincount(ends, minlength=n)
    cross_count = np.bincount(ends, weights=crossing, minlength=n)
    pairs = np.unique(ends.astype(np.int64) * n + others)
    contacts = np.bincount(pairs // n, minlength=n)
    cross_pairs = np.unique((ends.astype(np.int64) * n + others)[crossing])
    cross_contacts = np.bincount(cross_pairs // n, minlength=n)
    for person in np.flatnonzero(interactions):
        share = float(cross_count[person] / interactions[person]) if grouped[person] else None
        yield PersonPeriod(w, int(person), int(interactions[person]), int(contacts[person]),
                           int(cross_contacts[person]), share)  # fmt: skip
