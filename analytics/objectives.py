"""Where a community stands against its objective (METRICS.md §4 "Objective tracking").

An objective moves an indicator from its baseline B (at t₀) to a target T by a deadline D.
The **trajectory** is the straight line from (t₀, B) to (D, T); at time t it expects

    y*(t) = B + (T − B)·(t − t₀)/(D − t₀)    (held at T after D).

**Progress** p_t = (X_t − B)/(T − B) (1 = target reached, whatever the direction). The
**status** of the latest period with data compares its interval [low, high] (90% by default,
from the bootstrap) with the trajectory at the period's end, in the objective's direction
(up when T > B):

* ``insufficient``: no value, or n below the objective's ``min_n``;
* ``green``: the whole interval is on the target side of the trajectory (up: low ≥ y*);
* ``red``: the whole interval is on the wrong side (up: high < y*);
* ``amber``: the interval straddles it.

The **projection** at the deadline is the ordinary least-squares line through the periods
with data since t₀ (x = period end), evaluated at D, with its 90% prediction interval
(t quantile with n − 2 degrees of freedom; none with fewer than 3 points).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy import stats

from graphsvc.model import Objective

LEVEL = 0.90


@dataclass(frozen=True)
class ObjectiveStatus:
    """The status of one objective at its latest period (see the module)."""

    status: str
    period_end: datetime | None
    value: float | None
    expected: float | None
    progress: float | None
    projection: float | None
    projection_low: float | None
    projection_high: float | None
    on_track: bool | None

    def to_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["period_end"] = self.period_end.isoformat() if self.period_end else None
        return out


def trajectory(objective: Objective, moment: datetime) -> float:
    """``y*(t)``: the baseline-to-target line at ``moment`` (B before t₀, T after D).

    Examples
    --------
    >>> from datetime import UTC
    >>> goal = Objective("o", "x", 0.2, datetime(2025, 1, 1, tzinfo=UTC), 0.4,
    ...                  datetime(2025, 1, 11, tzinfo=UTC))
    >>> round(trajectory(goal, datetime(2025, 1, 6, tzinfo=UTC)), 6)
    0.3
    """
    span = (objective.deadline - objective.baseline_at).total_seconds()
    done = (moment - objective.baseline_at).total_seconds() / span
    share = min(max(done, 0.0), 1.0)
    return objective.baseline + (objective.target - objective.baseline) * share


def objective_status(
    objective: Objective,
    period_ends: list[datetime],
    values: list[float | None],
    lows: list[float | None],
    highs: list[float | None],
    ns: list[int],
) -> ObjectiveStatus:
    """The status, progress and projection of ``objective`` over its indicator's series
    (one entry per period, in time order; see the module)."""
    rising = objective.target > objective.baseline
    latest = _latest(period_ends, values)
    projection = _projection(objective, period_ends, values)
    if latest is None:
        return ObjectiveStatus("insufficient", None, None, None, None, *projection)
    i = latest
    value, end = values[i], period_ends[i]
    assert value is not None
    expected = trajectory(objective, end)
    progress = (value - objective.baseline) / (objective.target - objective.baseline)
    low: float = value if lows[i] is None else float(lows[i])  # type: ignore[arg-type]
    high: float = value if highs[i] is None else float(highs[i])  # type: ignore[arg-type]
    if ns[i] < objective.min_n:
        status = "insufficient"
    elif (low >= expected) if rising else (high <= expected):
        status = "green"
    elif (high < expected) if rising else (low > expected):
        status = "red"
    else:
        status = "amber"
    return ObjectiveStatus(status, end, value, expected, progress, *projection)


def _latest(period_ends: list[datetime], values: list[float | None]) -> int | None:
    with_data = [i for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    return max(with_data, key=lambda i: period_ends[i]) if with_data else None


def _projection(
    objective: Objective, period_ends: list[datetime], values: list[float | None]
) -> tuple[float | None, float | None, float | None, bool | None]:
    """OLS line through the periods since t₀, at the deadline, with its prediction interval."""
    points = [
        (end.timestamp(), v)
        for end, v in zip(period_ends, values, strict=True)
        if v is not None and math.isfinite(v) and end >= objective.baseline_at
    ]
    if len(points) < 2:
        return None, None, None, None
    x = np.array([p[0] for p in points]) / 86_400.0
    y = np.array([p[1] for p in points])
    slope, intercept = np.polyfit(x, y, 1)
    at = objective.deadline.timestamp() / 86_400.0
    predicted = float(intercept + slope * at)
    low = high = None
    if len(points) >= 3:
        residual = y - (intercept + slope * x)
        sigma = math.sqrt(float(residual @ residual) / (len(x) - 2))
        spread = math.sqrt(
            1 + 1 / len(x) + (at - x.mean()) ** 2 / float(((x - x.mean()) ** 2).sum())
        )
        t = float(stats.t.ppf(0.5 + LEVEL / 2, len(x) - 2))
        low, high = predicted - t * sigma * spread, predicted + t * sigma * spread
    rising = objective.target > objective.baseline
    on_track = predicted >= objective.target if rising else predicted <= objective.target
    return predicted, low, high, on_track
