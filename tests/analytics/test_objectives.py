"""Objective status, progress and projection on crafted series (METRICS.md §4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analytics.objectives import objective_status, trajectory
from graphsvc.model import Objective

T0 = datetime(2025, 1, 1, tzinfo=UTC)
DEADLINE = T0 + timedelta(days=300)
UP = Objective("up", "cross_share", 0.2, T0, 0.5, DEADLINE, min_n=30)
DOWN = Objective("down", "fragile_pairs", 10, T0, 4, DEADLINE, min_n=1)


def months(k: int) -> list[datetime]:
    return [T0 + timedelta(days=30 * (i + 1)) for i in range(k)]


def test_trajectory_is_the_line_from_baseline_to_target_then_holds() -> None:
    # 0.2 + 0.3·(150/300) = 0.35 half way; before t0 the baseline, after D the target
    assert trajectory(UP, T0 + timedelta(days=150)) == pytest.approx(0.35)
    assert trajectory(UP, T0 - timedelta(days=10)) == 0.2
    assert trajectory(UP, DEADLINE + timedelta(days=10)) == 0.5


@pytest.mark.parametrize(
    ("low", "high", "status"),
    [(0.28, 0.32, "green"), (0.20, 0.25, "red"), (0.25, 0.30, "amber")],
)
def test_status_compares_the_interval_with_the_trajectory(
    low: float, high: float, status: str
) -> None:
    # at day 60 the trajectory expects 0.2 + 0.3·60/300 = 0.26
    ends, value = months(2), (low + high) / 2
    result = objective_status(UP, ends, [0.22, value], [0.2, low], [0.24, high], [50, 50])
    assert result.expected == pytest.approx(0.26)
    assert result.status == status
    assert result.progress == pytest.approx((value - 0.2) / 0.3)


def test_a_falling_target_reads_the_other_side() -> None:
    # expected at day 60: 10 − 6·60/300 = 8.8; the whole interval below it is green
    ends = months(2)
    assert objective_status(DOWN, ends, [9.5, 8.0], [9, 7.5], [10, 8.5], [5, 5]).status == "green"
    assert objective_status(DOWN, ends, [9.5, 9.5], [9, 9.2], [10, 9.8], [5, 5]).status == "red"


def test_too_few_observations_or_no_value_is_insufficient() -> None:
    ends = months(3)
    small = objective_status(UP, ends, [0.3, 0.3, 0.4], [0.3] * 3, [0.5] * 3, [50, 50, 10])
    assert small.status == "insufficient" and small.value == 0.4  # latest period, n = 10 < 30
    empty = objective_status(UP, ends, [None, None, None], [None] * 3, [None] * 3, [0, 0, 0])
    assert empty.status == "insufficient" and empty.value is None and empty.projection is None


def test_projection_extends_the_least_squares_line_to_the_deadline() -> None:
    ends = months(6)
    rng = np.random.default_rng(0)
    days = np.array([(e - T0).days for e in ends], dtype=float)
    values = (0.2 + 0.001 * days + rng.normal(0, 0.005, len(days))).tolist()
    result = objective_status(UP, ends, values, values, values, [50] * 6)
    x = np.array([e.timestamp() for e in ends]) / 86_400
    slope, intercept = np.polyfit(x, values, 1)
    assert result.projection == pytest.approx(intercept + slope * DEADLINE.timestamp() / 86_400)
    assert result.projection_low < result.projection < result.projection_high
    assert result.projection_low < 0.5 < result.projection_high  # the true line hits 0.5 at D
    assert result.on_track is (result.projection >= 0.5)
