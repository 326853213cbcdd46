"""The outcome of an intervention as a series (for a group) or a person × period panel.

Both count the interactions chosen by :func:`~analytics.intervention_series.select_rows`
(kinds, window, the event's own ties left out) that cross a boundary
(:class:`~analytics.intervention_boundary.Boundary`), per calendar period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import numpy as np

from analytics.intervention_boundary import Boundary
from analytics.intervention_series import (
    POST,
    PRE,
    TRANSITION,
    Intervention,
    OutcomeOptions,
    PeriodGrid,
    iso_day,
    person_mask,
    phases,
    plain,
    select_rows,
)
from graphsvc.model import InteractionArrays

Measure = Literal["cross", "share"]
_PHASE_NAMES = {PRE: "pre", TRANSITION: "transition", POST: "post"}


@dataclass(frozen=True)
class OutcomeSeries:
    """Per period: crossing value (count or weight), total value, interactions, phase."""

    period_start: np.ndarray
    cross: np.ndarray
    total: np.ndarray
    interactions: np.ndarray
    phase: np.ndarray | None
    people: int
    excluded: int
    options: OutcomeOptions

    @property
    def share(self) -> np.ndarray:
        """``cross / total`` per period (NaN where nothing happened)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio: np.ndarray = np.where(self.total > 0, self.cross / self.total, np.nan)
        return ratio

    def values(self, measure: Measure) -> np.ndarray:
        return self.cross if measure == "cross" else self.share

    def to_dict(self) -> dict[str, Any]:
        phase: list[int | None] = (
            [None] * len(self.cross) if self.phase is None else self.phase.tolist()
        )
        periods = [
            {
                "period": iso_day(int(start)),
                "cross": plain(float(self.cross[k])),
                "total": plain(float(self.total[k])),
                "share": plain(float(self.share[k])),
                "n": int(self.interactions[k]),
                "phase": _phase_name(phase[k]),
            }
            for k, start in enumerate(self.period_start.tolist())
        ]
        return {
            "freq": self.options.freq,
            "kinds": [kind.value for kind in self.options.kinds],
            "weighting": self.options.weighting,
            "scope": self.options.scope,
            "people": self.people,
            "excluded_event_rows": self.excluded,
            "periods": periods,
        }


def outcome_series(
    arrays: InteractionArrays,
    boundary: Boundary,
    people: Sequence[str] | None = None,
    intervention: Intervention | None = None,
    options: OutcomeOptions | None = None,
) -> OutcomeSeries:
    """Cross-community interactions of ``people`` per period.

    ``X_t = Σ_{k ∈ rows_t} v_k·x_k`` and ``N_t = Σ_{k ∈ rows_t} v_k``, with ``v_k`` 1 (or the
    weight) and ``x_k`` the M1 crossing of row ``k`` (METRICS.md §4 T1 as a count); rows
    touch a person of the group (``scope="touching"``) or join two (``"among"``); ``None``
    = everyone.

    Examples
    --------
    >>> from analytics.groups import GroupLabels
    >>> from analytics.projection import interaction_arrays
    >>> jan, feb = 1_735_689_600, 1_738_368_000  # 2025-01-01, 2025-02-01 UTC
    >>> arrays = interaction_arrays([("a", "b", jan), ("a", "c", jan + 9), ("b", "c", feb)])
    >>> boundary = Boundary.from_labels(arrays, GroupLabels.from_sets("xy", [{0}, {1}, {1}]))
    >>> s = outcome_series(arrays, boundary, people=["a"])
    >>> s.cross.tolist(), s.total.tolist(), s.to_dict()["periods"][1]["period"]
    ([2.0, 0.0], [2.0, 0.0], '2025-02-01')
    """
    options = options or OutcomeOptions()
    chosen = select_rows(arrays, options, intervention)
    rows, period, value = chosen.rows, chosen.period, chosen.value
    if people is not None:
        group = np.append(person_mask(arrays, people), False)
        ends = group[np.asarray(arrays.source)[rows]], group[np.asarray(arrays.target)[rows]]
        keep = ends[0] & ends[1] if options.scope == "among" else ends[0] | ends[1]
        rows, period, value = rows[keep], period[keep], value[keep]
    count = chosen.grid.count
    cross = boundary.cross[rows]
    return OutcomeSeries(
        period_start=chosen.grid.edges[:-1],
        cross=np.bincount(period, weights=value * cross, minlength=count),
        total=np.bincount(period, weights=value, minlength=count),
        interactions=np.bincount(period, minlength=count),
        phase=None
        if intervention is None
        else phases(chosen.grid, intervention, options.transition),
        people=0 if people is None else int(person_mask(arrays, people).sum()),
        excluded=chosen.excluded,
        options=options,
    )


@dataclass(frozen=True)
class PersonPanel:
    """Per person (of the arrays) and period: crossing value ``cross`` and total value
    ``total`` of the interactions they take part in (each end counts)."""

    grid: PeriodGrid
    cross: np.ndarray
    total: np.ndarray
    excluded: int


def person_panel(
    arrays: InteractionArrays,
    boundary: Boundary,
    intervention: Intervention | None = None,
    options: OutcomeOptions | None = None,
) -> PersonPanel:
    """The ``n × P`` person-period panel of crossing and total interactions.

    Examples
    --------
    >>> from analytics.groups import GroupLabels
    >>> from analytics.projection import interaction_arrays
    >>> arrays = interaction_arrays([("a", "b", 0), ("a", "c", 9)])
    >>> boundary = Boundary.from_labels(arrays, GroupLabels.from_sets("xy", [{0}, {1}, {0}]))
    >>> person_panel(arrays, boundary).cross.ravel().tolist()
    [1.0, 1.0, 0.0]
    """
    options = options or OutcomeOptions()
    chosen = select_rows(arrays, options, intervention)
    n, count = len(arrays.person_ids), chosen.grid.count
    ends = np.concatenate(
        [np.asarray(arrays.source)[chosen.rows], np.asarray(arrays.target)[chosen.rows]]
    ).astype(np.int64)
    cell = ends * count + np.tile(chosen.period, 2)
    value = np.tile(chosen.value, 2)
    crossing = np.tile(boundary.cross[chosen.rows], 2)
    size = n * count
    cross = np.bincount(cell, weights=value * crossing, minlength=size).reshape(n, count)
    total = np.bincount(cell, weights=value, minlength=size).reshape(n, count)
    return PersonPanel(chosen.grid, cross, total, chosen.excluded)


def _phase_name(phase: int | None) -> str | None:
    return None if phase is None else _PHASE_NAMES[phase]


def example_world() -> tuple[InteractionArrays, Boundary, Intervention]:
    """A small world for the examples and tests: 8 people in two communities, a workshop
    on 2025-07-02 joining ``p0`` (of ``x``) and ``p4`` (of ``y``).

    Every month of 2025 (on the 15th) ``p0–p1``, ``p2–p3``, ``p4–p5`` and ``p6–p7`` interact
    inside their community; ``p2–p6`` cross in odd months; ``p0–p4`` cross every month from
    August. So the participants' cross interactions go from 0 to 1 a month each.

    Examples
    --------
    >>> arrays, boundary, workshop = example_world()
    >>> len(arrays), int(boundary.cross.sum()), workshop.participants
    (59, 11, ('p0', 'p4'))
    """
    from analytics.groups import GroupLabels
    from analytics.projection import interaction_arrays

    rows: list[tuple[str, str, int]] = []
    for month in range(1, 13):
        at = int(datetime(2025, month, 15, tzinfo=UTC).timestamp())
        rows += [("p0", "p1", at), ("p2", "p3", at), ("p4", "p5", at), ("p6", "p7", at)]
        rows += [("p2", "p6", at + 60)] if month % 2 else []
        rows += [("p0", "p4", at + 120)] if month >= 8 else []
    arrays = interaction_arrays(rows)
    labels = GroupLabels.from_sets(("x", "y"), [{0}] * 4 + [{1}] * 4)
    start = datetime(2025, 7, 2, 9, tzinfo=UTC)
    workshop = Intervention(start, start + timedelta(hours=7), ("p0", "p4"), "w", "Workshop")
    return arrays, Boundary.from_labels(arrays, labels), workshop
