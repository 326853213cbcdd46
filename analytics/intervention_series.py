"""What the outcome of an intervention reads (METRICS.md §4): options, periods, rows.

The before/after methods (:mod:`analytics.intervention`) all read the same outcome: the
interactions of the chosen kinds (by default every kind but the ``co_attendance`` exposure
layer, METRICS.md §0) that **cross a community boundary**, counted (or weighted) per
calendar period, for a group of people or per person
(:mod:`analytics.intervention_outcome`). This module holds the pieces: the
:class:`Intervention`, the :class:`OutcomeOptions`, the :class:`PeriodGrid` and
:func:`phases`, the row selection (:func:`select_rows`, :func:`event_rows`) and the
:class:`Estimate` every method reports.

* **Crossing** (:class:`~analytics.intervention_boundary.Boundary`): an interaction
  crosses when both ends are affiliated and share no group (rule M1 shared-any), under
  fixed labels or under the memberships active at its time. An interaction touching an
  unaffiliated person counts in the total, never as crossing.
* **Periods**: UTC calendar months (``freq="month"``) or ISO weeks from Monday 00:00 UTC
  (``freq="week"``) covering ``[start, end)`` (default: the first to the last interaction).
  A ``start``/``end`` inside a period leaves that period partial; pass period starts to
  avoid it.
* **The event's own ties are left out** (METRICS.md §4): interactions carry no link to an
  activity (:class:`~graphsvc.model.InteractionArrays` has none), so what can be identified
  is: every ``co_attendance`` interaction between two participants dated on the event's UTC
  days (excluded always; it only matters when the co-attendance kind is asked for) and,
  with ``exclude_event_days=True`` (the default), every interaction between two
  participants on those days. Co-attendance projected from participations (DESIGN.md §5)
  never enters: the outcome reads interactions only. The count left out is reported.
* **Phases** (:func:`phases`): a period ending at or before the event's start is *pre*, one
  starting at or after its end (its start for a date) is *post*; the periods in between
  overlap the event and are a *transition*, left out of the fits (``transition="exclude"``)
  or counted as post (``transition="post"``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

from graphsvc.errors import ValidationError
from graphsvc.model import Activity, InteractionArrays, InteractionKind, Participation

Frequency = Literal["month", "week"]
Scope = Literal["touching", "among"]
Weighting = Literal["count", "weight"]
Transition = Literal["exclude", "post"]
#: every kind but the co-attendance exposure layer (METRICS.md §0)
DEFAULT_KINDS = tuple(k for k in InteractionKind if k is not InteractionKind.CO_ATTENDANCE)
DAY = 86_400
PRE, TRANSITION, POST = -1, 0, 1


def plain(value: Any) -> Any:
    """``value`` as JSON: numpy scalars and arrays to Python, NaN/inf to ``None``."""
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def iso_day(seconds: int) -> str:
    """``YYYY-MM-DD`` (UTC) of Unix ``seconds``."""
    return datetime.fromtimestamp(int(seconds), UTC).date().isoformat()


def to_seconds(moment: datetime) -> int:
    """Unix seconds (floor) of an aware datetime."""
    if moment.tzinfo is None:
        raise ValidationError("date", "must be timezone-aware")
    return math.floor(moment.astimezone(UTC).timestamp())


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error, two-sided ``level`` interval and p-value
    (NaN where a method gives none)."""

    estimate: float
    ci_low: float
    ci_high: float
    p: float
    se: float = math.nan
    level: float = 0.95

    def excludes_zero(self) -> bool:
        return bool(self.ci_low > 0 or self.ci_high < 0)

    def to_dict(self) -> dict[str, Any]:
        keys = ("estimate", "ci_low", "ci_high", "p", "se", "level")
        return {key: plain(float(getattr(self, key))) for key in keys}


@dataclass(frozen=True)
class Intervention:
    """What happened when: an activity (or any date) and who took part.

    ``start`` is the intervention date T0; ``end`` (the activity's end) closes the
    transition; ``participants`` are person ids (empty for a date without attendees).
    """

    start: datetime
    end: datetime | None = None
    participants: tuple[str, ...] = ()
    activity_id: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        to_seconds(self.start)
        if self.end is not None and to_seconds(self.end) < to_seconds(self.start):
            raise ValidationError("end", "must not be before start")
        object.__setattr__(self, "participants", tuple(sorted(set(self.participants))))

    @classmethod
    def from_activity(
        cls, activity: Activity, participations: Iterable[Participation]
    ) -> Intervention:
        """The activity's dates and the people who took part in it."""
        people = tuple(p.person_id for p in participations if p.activity_id == activity.id)
        return cls(activity.start, activity.end, people, activity.id, activity.name)

    def at(self, start: datetime) -> Intervention:
        """The same participants at another date (no end): a placebo intervention."""
        return Intervention(start, None, self.participants, self.activity_id, self.name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "activity_id": self.activity_id,
            "name": self.name,
            "start": self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "participants": len(self.participants),
        }


@dataclass(frozen=True)
class OutcomeOptions:
    """What the outcome counts (see the module docstring)."""

    kinds: tuple[InteractionKind, ...] = DEFAULT_KINDS
    freq: Frequency = "month"
    weighting: Weighting = "count"
    scope: Scope = "touching"
    start: datetime | None = None
    end: datetime | None = None
    exclude_event_days: bool = True
    transition: Transition = "exclude"

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", tuple(InteractionKind(k) for k in self.kinds))
        for name, value, allowed in (
            ("freq", self.freq, ("month", "week")),
            ("weighting", self.weighting, ("count", "weight")),
            ("scope", self.scope, ("touching", "among")),
            ("transition", self.transition, ("exclude", "post")),
        ):
            if value not in allowed:
                raise ValidationError(name, f"must be one of {', '.join(allowed)}")
        if self.start and self.end and to_seconds(self.start) >= to_seconds(self.end):
            raise ValidationError("start", "must be before end")


@dataclass(frozen=True)
class PeriodGrid:
    """Consecutive calendar periods: ``count`` of them from period number ``first``
    (months since 1970-01, or Monday-weeks since 1969-12-29)."""

    freq: Frequency
    first: int
    count: int

    @staticmethod
    def numbers(at: np.ndarray, freq: Frequency) -> np.ndarray:
        seconds = np.asarray(at, dtype=np.int64)
        if freq == "month":
            months = seconds.astype("datetime64[s]").astype("datetime64[M]")
            return months.astype(np.int64)
        return (seconds // DAY + 3) // 7

    @property
    def edges(self) -> np.ndarray:
        """Unix seconds of the ``count + 1`` period boundaries."""
        number = np.arange(self.first, self.first + self.count + 1, dtype=np.int64)
        if self.freq == "month":
            return number.astype("datetime64[M]").astype("datetime64[s]").astype(np.int64)
        return (number * 7 - 3) * DAY

    def index(self, at: np.ndarray) -> np.ndarray:
        return self.numbers(at, self.freq) - self.first

    def labels(self) -> list[str]:
        return [iso_day(s) for s in self.edges[:-1].tolist()]


def phases(grid: PeriodGrid, intervention: Intervention, transition: Transition) -> np.ndarray:
    """Per period: ``-1`` pre, ``0`` transition, ``1`` post (see the module docstring).

    Examples
    --------
    >>> grid = PeriodGrid("month", 660, 4)  # 2025-01 .. 2025-04
    >>> event = Intervention(datetime(2025, 2, 3, tzinfo=UTC), datetime(2025, 2, 4, tzinfo=UTC))
    >>> phases(grid, event, "exclude").tolist(), phases(grid, event, "post").tolist()
    ([-1, 0, 1, 1], [-1, 1, 1, 1])
    """
    edges = grid.edges
    start = to_seconds(intervention.start)
    stop = start if intervention.end is None else to_seconds(intervention.end)
    phase = np.full(grid.count, TRANSITION, dtype=np.int8)
    phase[edges[1:] <= start] = PRE
    phase[edges[:-1] >= stop] = POST
    if transition == "post":
        phase[phase == TRANSITION] = POST
    return phase


@dataclass(frozen=True)
class Selection:
    """The rows an outcome reads: indexes into the arrays, each row's period, and how many
    rows were left out as the event's own."""

    grid: PeriodGrid
    rows: np.ndarray
    period: np.ndarray
    excluded: int
    value: np.ndarray = field(repr=False)


def select_rows(
    arrays: InteractionArrays,
    options: OutcomeOptions,
    intervention: Intervention | None = None,
) -> Selection:
    """Rows of the chosen kinds inside ``[start, end)`` without self-loops or the event's
    own ties, with their period on the grid and their value (1 or the weight)."""
    at = np.asarray(arrays.at, dtype=np.int64)
    start = to_seconds(options.start) if options.start else (int(at.min()) if len(at) else None)
    end = to_seconds(options.end) if options.end else (int(at.max()) + 1 if len(at) else None)
    if start is None or end is None:
        raise ValidationError("interactions", "no interactions to build a series from")
    codes = [arrays.kinds.index(k.value) for k in options.kinds if k.value in arrays.kinds]
    keep = np.isin(arrays.kind, codes) & (np.asarray(arrays.source) != np.asarray(arrays.target))
    keep &= (at >= start) & (at < end)
    excluded = 0
    if intervention is not None and intervention.participants:
        own = event_rows(arrays, intervention, options.exclude_event_days)
        excluded = int((keep & own).sum())
        keep &= ~own
    rows = np.flatnonzero(keep)
    first = int(PeriodGrid.numbers(np.array([start]), options.freq)[0])
    last = int(PeriodGrid.numbers(np.array([end - 1]), options.freq)[0])
    grid = PeriodGrid(options.freq, first, last - first + 1)
    weight = np.asarray(arrays.weight, dtype=np.float64)[rows]
    value = np.ones(len(rows)) if options.weighting == "count" else weight
    return Selection(grid, rows, grid.index(at[rows]), excluded, value)


def event_rows(
    arrays: InteractionArrays, intervention: Intervention, exclude_event_days: bool = True
) -> np.ndarray:
    """Per row: is it the event's own tie (both ends participants, on the event's UTC days,
    and of kind ``co_attendance`` unless ``exclude_event_days``)?

    Examples
    --------
    >>> from analytics.projection import interaction_arrays
    >>> arrays = interaction_arrays([("a", "b", 3_600), ("a", "c", 7_200), ("a", "b", 90_000)])
    >>> event = Intervention(datetime.fromtimestamp(0, UTC), participants=("a", "b"))
    >>> event_rows(arrays, event).tolist(), event_rows(arrays, event, False).tolist()
    ([True, False, False], [False, False, False])
    """
    wanted = set(intervention.participants)
    taking_part = np.array([p in wanted for p in arrays.person_ids] + [False], dtype=bool)
    among = taking_part[np.asarray(arrays.source)] & taking_part[np.asarray(arrays.target)]
    first_day = to_seconds(intervention.start) // DAY * DAY
    stop = to_seconds(intervention.end) if intervention.end else to_seconds(intervention.start)
    last_day = max(-(-stop // DAY) * DAY, first_day + DAY)
    at = np.asarray(arrays.at, dtype=np.int64)
    on_days = (at >= first_day) & (at < last_day)
    own: np.ndarray = among & on_days
    if not exclude_event_days:
        codes = [i for i, k in enumerate(arrays.kinds) if k == InteractionKind.CO_ATTENDANCE.value]
        own &= np.isin(arrays.kind, codes)
    return own


def person_mask(arrays: InteractionArrays, people: Iterable[str]) -> np.ndarray:
    """Per person of the arrays: is it one of ``people`` (unknown ids are ignored)?"""
    wanted = set(people)
    return np.array([p in wanted for p in arrays.person_ids], dtype=bool)
