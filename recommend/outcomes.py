"""What became of suggestions: introductions, whether they turned into ties, and what the
recommender should not suggest again (METRICS.md R9).

* An **introduction** is a suggestion a moderator accepted (:class:`~graphsvc.model.Feedback`
  with verdict ``accepted``; its ``at`` is the date of the introduction).
* It **converted** when the two people interacted (any interaction of the given kinds, either
  way) within ``days`` after it: ``at < t ≤ at + days``. It is **pending** while that window
  is still open at ``now`` and no interaction has happened yet.
* **Conversion rate** of a group of introductions = converted / (converted + not converted);
  pending introductions count in neither (Wilson 1927 interval for the uncertainty).
* A **declined** pair (either order) is not suggested again for ``days`` after the verdict;
  "already know each other" is never suggested again (an offline tie).
* **Labels for the next fit**: a converted introduction is a positive pair, one that did not
  convert is a negative, and "already know each other" is a positive (the tie exists, it
  is just not recorded); other declines carry no label about the tie.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from graphsvc.model import DeclineReason, Feedback, FeedbackVerdict, InteractionArrays

DEFAULT_CONVERSION_DAYS = 60
DEFAULT_SUPPRESSION_DAYS = 180
#: z of the two-sided 95% Wilson interval
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Introduction:
    """One accepted suggestion and its outcome.

    ``status`` is ``converted`` (first interaction at ``first_contact``), ``not_converted``
    (the window closed with none) or ``pending`` (the window is still open).
    """

    feedback: Feedback
    status: str
    first_contact: datetime | None
    window_ends: datetime


@dataclass(frozen=True)
class ConversionRow:
    """Introductions of one group (``key``) and their conversion rate with its 95% Wilson
    interval (None when no introduction has an outcome yet)."""

    key: str
    introductions: int
    converted: int
    not_converted: int
    pending: int
    rate: float | None
    low: float | None
    high: float | None


def introductions(
    feedback: Iterable[Feedback],
    interactions: InteractionArrays,
    now: datetime,
    days: int = DEFAULT_CONVERSION_DAYS,
) -> list[Introduction]:
    """The outcome of every accepted suggestion (module doc), in feedback order.

    ``interactions`` are the ones that count as a tie (e.g. every kind but co-attendance),
    ordered by time as the stores return them.
    """
    index = {pid: i for i, pid in enumerate(interactions.person_ids)}
    pair_times = _pair_times(interactions)
    found = []
    for row in feedback:
        if row.verdict is not FeedbackVerdict.ACCEPTED:
            continue
        ends = row.at + timedelta(days=days)
        first = _first_after(pair_times, index, row.person_id, row.suggested_id, row.at, ends)
        status = _status(first, now, ends)
        found.append(Introduction(row, status, first, ends))
    return found


def conversion_rates(intros: Sequence[Introduction], by: str) -> list[ConversionRow]:
    """Conversion per ``by`` ∈ {``moderator``, ``community``, ``recommender``, ``all``},
    sorted by key (introductions without a moderator or community under ``"(none)"``)."""
    groups: dict[str, list[Introduction]] = {}
    for intro in intros:
        groups.setdefault(_group_key(intro.feedback, by), []).append(intro)
    return [_conversion_row(key, groups[key]) for key in sorted(groups)]


def suppressed_pairs(
    feedback: Iterable[Feedback], now: datetime, days: int = DEFAULT_SUPPRESSION_DAYS
) -> set[frozenset[str]]:
    """Pairs not to suggest at ``now``: declined within ``days`` before it, or declined as
    "already know each other" at any time, and introductions already made (accepted)."""
    since = now - timedelta(days=days)
    return {
        frozenset((row.person_id, row.suggested_id))
        for row in feedback
        if row.at <= now and _still_holds(row, since)
    }


def _still_holds(row: Feedback, since: datetime) -> bool:
    """An introduction holds for ever; a decline as "already know" too, others since
    ``since``; a dismissal never."""
    if row.verdict is FeedbackVerdict.ACCEPTED:
        return True
    if row.verdict is not FeedbackVerdict.DECLINED:
        return False
    return row.reason is DeclineReason.ALREADY_KNOW or row.at >= since


def outcome_labels(
    intros: Iterable[Introduction], feedback: Iterable[Feedback]
) -> list[tuple[str, str, int, float]]:
    """``(person, suggested, label, at)`` training pairs from outcomes (module doc), ``at``
    the Unix seconds of the verdict; each unordered pair once, its latest evidence winning."""
    evidence: dict[frozenset[str], tuple[datetime, str, str, int]] = {}
    for intro in intros:
        if intro.status != "pending":
            row = intro.feedback
            label = int(intro.status == "converted")
            _keep_latest(evidence, row.at, row.person_id, row.suggested_id, label)
    for row in feedback:
        if row.verdict is FeedbackVerdict.DECLINED and row.reason is DeclineReason.ALREADY_KNOW:
            _keep_latest(evidence, row.at, row.person_id, row.suggested_id, 1)
    return [(u, v, label, at.timestamp()) for at, u, v, label in sorted(evidence.values())]


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson (1927) score interval of a proportion:
    ``(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)``.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(3, 10)]
    [0.1078, 0.6032]
    """
    if trials <= 0:
        raise ValueError("trials must be positive")
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return (centre - spread) / denominator, (centre + spread) / denominator


def _pair_times(interactions: InteractionArrays) -> dict[tuple[int, int], np.ndarray]:
    """Unordered person pair → the sorted Unix seconds of its interactions."""
    low = np.minimum(interactions.source, interactions.target).astype(np.int64)
    high = np.maximum(interactions.source, interactions.target).astype(np.int64)
    keep = low != high
    keys = low[keep] * max(len(interactions.person_ids), 1) + high[keep]
    at = np.asarray(interactions.at, dtype=np.int64)[keep]
    order = np.lexsort((at, keys))
    keys, at = keys[order], at[order]
    if not len(keys):
        return {}
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    n = max(len(interactions.person_ids), 1)
    return {
        (int(keys[s]) // n, int(keys[s]) % n): at[s:e] for s, e in zip(starts, ends, strict=True)
    }


def _first_after(
    pair_times: dict[tuple[int, int], np.ndarray],
    index: dict[str, int],
    u: str,
    v: str,
    start: datetime,
    end: datetime,
) -> datetime | None:
    """The first interaction time of ``u``–``v`` in ``(start, end]``, None when none."""
    if u not in index or v not in index:
        return None
    a, b = sorted((index[u], index[v]))
    times = pair_times.get((a, b))
    if times is None:
        return None
    after = int(np.searchsorted(times, start.timestamp(), side="right"))
    if after < len(times) and times[after] <= end.timestamp():
        return datetime.fromtimestamp(int(times[after]), tz=start.tzinfo)
    return None


def _status(first: datetime | None, now: datetime, ends: datetime) -> str:
    if first is not None:
        return "converted"
    return "pending" if now < ends else "not_converted"


def _group_key(row: Feedback, by: str) -> str:
    if by == "moderator":
        return row.moderator or "(none)"
    if by == "community":
        return row.community_id or "(none)"
    if by == "recommender":
        return row.recommender
    if by == "all":
        return "all"
    raise ValueError(f"by: expected moderator, community, recommender or all, got {by!r}")


def _conversion_row(key: str, intros: list[Introduction]) -> ConversionRow:
    converted = sum(intro.status == "converted" for intro in intros)
    missed = sum(intro.status == "not_converted" for intro in intros)
    decided = converted + missed
    low, high = wilson_interval(converted, decided) if decided else (None, None)
    return ConversionRow(
        key=key,
        introductions=len(intros),
        converted=converted,
        not_converted=missed,
        pending=len(intros) - decided,
        rate=converted / decided if decided else None,
        low=low,
        high=high,
    )


def _keep_latest(
    evidence: dict[frozenset[str], tuple[datetime, str, str, int]],
    at: datetime,
    u: str,
    v: str,
    label: int,
) -> None:
    pair = frozenset((u, v))
    if pair not in evidence or evidence[pair][0] <= at:
        evidence[pair] = (at, u, v, label)
