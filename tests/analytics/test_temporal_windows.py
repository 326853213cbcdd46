"""Windows in UTC, their edges and previous periods, and memberships over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from analytics.temporal_windows import (
    ALWAYS,
    NEVER,
    Windows,
    iso,
    membership_arrays,
    seconds,
    windows,
)
from graphsvc.model import Membership, MembershipRole


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_months_follow_the_calendar_in_utc_with_half_open_edges() -> None:
    w = windows(utc(2024, 1, 31, 23, 59, 59), utc(2024, 3, 1), "month")
    assert [iso(s) for s in w.start] == [
        "2024-01-01T00:00:00Z",
        "2024-02-01T00:00:00Z",
        "2024-03-01T00:00:00Z",
    ]
    # 2024 is a leap year: February ends at March 1st 00:00, 29 days after it starts
    assert (w.end[1] - w.start[1]) // 86_400 == 29
    assert iso(w.end[-1]) == "2024-04-01T00:00:00Z"
    # each window's previous period is the calendar month before it
    assert iso(w.prev_start[0]) == "2023-12-01T00:00:00Z"
    np.testing.assert_array_equal(w.prev_end, w.start)
    np.testing.assert_array_equal(w.prev_start[1:], w.start[:-1])
    # the last second of January is in January, the first of February in February
    last, first = seconds(utc(2024, 1, 31, 23, 59, 59)), seconds(utc(2024, 2, 1))
    assert w.start[0] <= last < w.end[0]
    assert w.start[1] == first < w.end[1]


def test_an_aware_datetime_in_another_zone_is_read_in_utc() -> None:
    # 01:00 on February 1st at UTC+2 is 23:00 on January 31st UTC: the January window
    plus_two = timezone(timedelta(hours=2))
    w = windows(datetime(2025, 2, 1, 1, 0, tzinfo=plus_two), utc(2025, 2, 3), "month")
    assert iso(w.start[0]) == "2025-01-01T00:00:00Z"
    assert len(w) == 2
    with pytest.raises(ValueError, match="naive"):
        windows(datetime(2025, 1, 1), utc(2025, 2, 1))


def test_quarters_start_in_january_april_july_october() -> None:
    w = windows(utc(2025, 3, 31, 23, 59, 59), utc(2025, 7, 1), "quarter")
    assert [iso(s) for s in w.start] == [
        "2025-01-01T00:00:00Z",
        "2025-04-01T00:00:00Z",
        "2025-07-01T00:00:00Z",
    ]
    assert iso(w.end[-1]) == "2025-10-01T00:00:00Z"
    assert iso(w.prev_start[0]) == "2024-10-01T00:00:00Z"
    assert w.frequency == "quarter"


def test_sliding_windows_step_from_the_first_day_and_compare_with_the_span_before() -> None:
    first = seconds(utc(2025, 1, 10, 15, 30))
    w = windows(first, first + 100 * 86_400, "sliding")  # 90 d wide, every 30 d
    day = seconds(utc(2025, 1, 10))
    assert ((w.start - day) // 86_400).tolist() == [0, 30, 60, 90]
    assert ((w.end - w.start) // 86_400).tolist() == [90] * 4
    # previous period: the 90 days just before, never the overlapping window
    np.testing.assert_array_equal(w.prev_end, w.start)
    assert ((w.start - w.prev_start) // 86_400).tolist() == [90] * 4


def test_burn_in_flags_the_first_windows() -> None:
    w = windows(utc(2025, 1, 1), utc(2025, 6, 1), "month", burn_in=2)
    assert w.burn_in.tolist() == [True, True, False, False, False, False]
    assert not windows(utc(2025, 1, 1), utc(2025, 2, 1), burn_in=0).burn_in.any()
    with pytest.raises(ValueError):
        windows(utc(2025, 1, 1), utc(2025, 2, 1), burn_in=-1)


def test_custom_windows_check_their_bounds() -> None:
    w = Windows.of([100, 200], [200, 260])
    assert w.prev_start.tolist() == [0, 140] and w.prev_end.tolist() == [100, 200]
    with pytest.raises(ValueError):
        Windows.of([10], [10])


def test_memberships_are_active_from_since_until_before_until() -> None:
    jan, feb, mar = utc(2025, 1, 1), utc(2025, 2, 1), utc(2025, 3, 1)
    rows = [
        Membership("a", "x", since=jan, until=feb),
        Membership("a", "y", since=feb),
        Membership("b", "x"),  # open at both ends
        Membership("b", "x", role=MembershipRole.MODERATOR),  # same group twice: counts once
        Membership("ghost", "x"),  # never interacts: dropped
    ]
    m = membership_arrays(rows, ("a", "b"))
    assert m.groups == ("x", "y") and m.n_people == 2
    assert m.since[m.person == 1].tolist() == [ALWAYS, ALWAYS]
    assert m.until[m.person == 1].tolist() == [NEVER, NEVER]
    # at the first second of February a has left x and joined y (until is exclusive)
    assert m.at(seconds(feb) - 1).toarray().tolist() == [[1, 0], [1, 0]]
    assert m.at(seconds(feb)).toarray().tolist() == [[0, 1], [1, 0]]
    assert m.at(seconds(mar)).toarray().tolist() == [[0, 1], [1, 0]]
    assert m.at(seconds(jan) - 1).toarray().tolist() == [[0, 0], [1, 0]]


def test_fractional_membership_bounds_round_up_to_the_second() -> None:
    # since 00:00:00.5: not yet a member at the window end 00:00:00, a member at 00:00:01
    since = utc(2025, 2, 1) + timedelta(microseconds=500_000)
    m = membership_arrays([Membership("a", "x", since=since)], ("a",))
    assert m.at(seconds(utc(2025, 2, 1))).toarray().tolist() == [[0]]
    assert m.at(seconds(utc(2025, 2, 1)) + 1).toarray().tolist() == [[1]]


def test_groups_can_be_fixed_and_filtered() -> None:
    m = membership_arrays([Membership("a", "x"), Membership("a", "z")], ("a",), groups=("z", "y"))
    assert m.groups == ("z", "y")
    assert m.at(0).toarray().tolist() == [[1, 0]]
