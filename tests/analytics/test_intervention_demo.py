"""The planted cross-CoP workshop of the demo world (graphsvc.demo) is found by the
before/after methods, and a placebo date before it is not (issue 7, deliverable 5)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from analytics.intervention import (
    Boundary,
    Intervention,
    OutcomeOptions,
    change_points_for,
    did_for_intervention,
    evaluate_intervention,
    its_for_intervention,
    outcome_series,
    placebo_test,
)
from graphsvc.batching import write_all
from graphsvc.config import Settings
from graphsvc.demo import generate
from graphsvc.demo_events import WORKSHOP_ACTIVITY_ID
from graphsvc.interchange import SPECS
from graphsvc.model import InteractionArrays
from graphsvc.store import open_store

YEAR = OutcomeOptions(start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 1, tzinfo=UTC))
#: Monday 2024-12-30 to Monday 2025-12-29: 52 whole weeks
WEEKS = OutcomeOptions(
    freq="week", start=datetime(2024, 12, 30, tzinfo=UTC), end=datetime(2025, 12, 29, tzinfo=UTC)
)
THREE_MONTHS_BEFORE = datetime(2025, 4, 1, tzinfo=UTC)  # the workshop is on 2025-07-02


@dataclass(frozen=True)
class Demo:
    arrays: InteractionArrays
    boundary: Boundary
    workshop: Intervention
    truth: dict[str, Any]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The default demo world (500 people, 12 months, seed 7) through a real SQLite store."""
    world = generate(people=500, months=12, seed=7)
    path: Path = tmp_path_factory.mktemp("intervention") / "demo.db"
    store = open_store(Settings(store=f"sqlite:///{path}"))
    try:
        for entity in SPECS:
            write_all(store, entity, list(getattr(world, entity)), 5000)
        arrays = store.interactions()
        memberships = store.memberships(None, kind="cop")
    finally:
        store.close()
    activity = next(a for a in world.activities if a.id == WORKSHOP_ACTIVITY_ID)
    workshop = Intervention.from_activity(activity, world.participations)
    truth = world.ground_truth["workshop"]
    assert sorted(truth["participants"]) == list(workshop.participants)
    return Demo(arrays, Boundary.from_memberships(arrays, memberships), workshop, truth)


def test_the_outcome_counts_exactly_the_planted_cross_ties_among_participants(
    demo: Demo,
) -> None:
    options = OutcomeOptions(scope="among", transition="post")
    series = outcome_series(demo.arrays, demo.boundary, demo.workshop.participants,
                            demo.workshop, options)  # fmt: skip
    assert series.phase is not None
    before = series.cross[series.phase == -1].sum()
    after = series.cross[series.phase == 1].sum()
    # the generator planted these cross-CoP interactions among participant pairs
    assert (before, after) == (
        demo.truth["planted_interactions_before"],
        demo.truth["planted_interactions_after"],
    )


def test_difference_in_differences_detects_the_workshop(demo: Demo) -> None:
    did = did_for_intervention(demo.arrays, demo.boundary, demo.workshop, YEAR, seed=0)
    assert did.effect.estimate > 0 and did.effect.ci_low > 0 and did.effect.p <= 0.002
    assert len(did.pairs) == len(demo.workshop.participants)  # every participant matched
    # planted: each participant pair's interaction counts for both ends, so the change per
    # participant per month is 2·(10 − 1)·(30.44/30)/k ≈ 0.79 for k = 23 participants
    k = len(demo.workshop.participants)
    rate_change = demo.truth["planted_rate_after"] - demo.truth["planted_rate_before"]
    planted = 2 * rate_change * (365.25 / 12 / 30) / k
    assert did.effect.ci_low <= planted <= did.effect.ci_high


def test_interrupted_time_series_detects_the_workshop(demo: Demo) -> None:
    monthly = its_for_intervention(demo.arrays, demo.boundary, demo.workshop, YEAR)
    assert monthly.few_points and (monthly.n_pre, monthly.n_post) == (6, 5)
    assert monthly.mean_post_effect.estimate > 0 and monthly.mean_post_effect.ci_low > 0
    weekly = its_for_intervention(demo.arrays, demo.boundary, demo.workshop, WEEKS)
    assert (weekly.n_pre, weekly.n_post) == (26, 25) and not weekly.few_points
    assert weekly.level_change.estimate > 0 and weekly.level_change.ci_low > 0


def test_a_placebo_date_before_the_workshop_finds_nothing(demo: Demo) -> None:
    did = placebo_test(
        demo.arrays, demo.boundary, demo.workshop, YEAR, dates=[THREE_MONTHS_BEFORE], seed=0
    )
    assert did.dates == ("2025-04-01",) and did.data_until == "2025-07-01"
    placebo = did.placebos[0]
    assert placebo.ci_low <= 0 <= placebo.ci_high and placebo.p > 0.05
    assert abs(placebo.estimate) < abs(did.real.estimate) / 5
    weekly = placebo_test(
        demo.arrays, demo.boundary, demo.workshop, WEEKS, method="its",
        dates=[datetime(2025, 3, 31, tzinfo=UTC)],
    )  # fmt: skip
    assert weekly.placebos[0].ci_low <= 0 <= weekly.placebos[0].ci_high
    # every monthly placebo date (≥ 2 months from either end of the pre-period)
    every = placebo_test(demo.arrays, demo.boundary, demo.workshop, YEAR, seed=0)
    assert every.dates == ("2025-03-01", "2025-04-01", "2025-05-01")
    assert every.share_as_extreme == 0.0


def test_change_points_put_the_break_at_the_workshop(demo: Demo) -> None:
    series = outcome_series(demo.arrays, demo.boundary, demo.workshop.participants,
                            options=YEAR)  # fmt: skip
    found = change_points_for(series)
    # one break, at the workshop's month (July) ± 1 month
    assert found.dates() in (["2025-06-01"], ["2025-07-01"], ["2025-08-01"])
    assert found.hypotheses and found.segment_means[1] > 3 * found.segment_means[0]


def test_the_report_serialises_to_plain_json(demo: Demo) -> None:
    report = evaluate_intervention(
        demo.arrays, demo.boundary, demo.workshop, YEAR, permutations=199, bootstrap=199
    )
    document = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert document["intervention"]["activity_id"] == WORKSHOP_ACTIVITY_ID
    assert document["did"]["effect"]["ci_low"] > 0
    assert document["placebo"]["share_as_extreme"] == 0.0
    assert document["notes"] == ["its: fewer than 8 points on a side (6 pre, 5 post)"]
