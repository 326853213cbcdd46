"""Introductions, conversion, suppression and outcome labels on hand-made timelines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics.projection import interaction_arrays
from graphsvc.model import Feedback
from recommend.outcomes import (
    conversion_rates,
    introductions,
    outcome_labels,
    suppressed_pairs,
    wilson_interval,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def seconds(n: float) -> int:
    return int(day(n).timestamp())


def accepted(fid: str, u: str, v: str, at: float, **extra: str) -> Feedback:
    return Feedback(fid, u, v, "accepted", day(at), **extra)  # type: ignore[arg-type]


# a–b meet 10 days after their introduction (converted); c–d met before it and 70 days
# after (outside 60 days: not converted); e–f were introduced 20 days before "now" (pending)
EVENTS = interaction_arrays(
    [
        ("a", "b", seconds(15)),
        ("d", "c", seconds(1)),
        ("c", "d", seconds(75)),
        ("e", "x", seconds(1)),
    ]
)
FEEDBACK = [
    accepted("f1", "a", "b", 5, moderator="mo", community_id="cop1"),
    accepted("f2", "c", "d", 5, moderator="mo", community_id="cop2"),
    accepted("f3", "e", "f", 80, moderator="ann", community_id="cop1"),
    Feedback("f4", "a", "g", "declined", day(50), reason="overloaded"),
    Feedback("f5", "a", "h", "declined", day(1), reason="already_know"),
    Feedback("f6", "b", "g", "dismissed", day(90)),
]
NOW = day(100)


def test_an_introduction_converts_only_on_contact_inside_its_window() -> None:
    found = {intro.feedback.id: intro for intro in introductions(FEEDBACK, EVENTS, NOW)}
    assert set(found) == {"f1", "f2", "f3"}  # only accepted suggestions are introductions
    assert found["f1"].status == "converted" and found["f1"].first_contact == day(15)
    assert found["f2"].status == "not_converted"  # contact at day 1 was before; day 75 too late
    assert found["f3"].status == "pending" and found["f3"].window_ends == day(140)


def test_the_window_end_is_inclusive_and_the_introduction_instant_exclusive() -> None:
    events = interaction_arrays([("a", "b", seconds(5)), ("c", "d", seconds(65))])
    rows = [accepted("f1", "a", "b", 5), accepted("f2", "c", "d", 5)]
    status = {i.feedback.id: i.status for i in introductions(rows, events, NOW, days=60)}
    assert status == {"f1": "not_converted", "f2": "converted"}


def test_conversion_rates_per_moderator_and_community() -> None:
    intros = introductions(FEEDBACK, EVENTS, NOW)
    by_moderator = {row.key: row for row in conversion_rates(intros, "moderator")}
    assert (by_moderator["mo"].converted, by_moderator["mo"].not_converted) == (1, 1)
    assert by_moderator["mo"].rate == 0.5
    assert by_moderator["ann"].pending == 1 and by_moderator["ann"].rate is None
    by_community = {row.key: row.rate for row in conversion_rates(intros, "community")}
    assert by_community == {"cop1": 1.0, "cop2": 0.0}
    (everyone,) = conversion_rates(intros, "all")
    assert (everyone.introductions, everyone.rate) == (3, 0.5)
    with pytest.raises(ValueError, match="by: expected"):
        conversion_rates(intros, "weekday")


def test_declined_pairs_rest_for_a_while_and_known_pairs_for_ever() -> None:
    pairs = suppressed_pairs(FEEDBACK, NOW, days=60)
    assert frozenset(("g", "a")) in pairs  # declined on day 50, 50 days ago < 60
    assert frozenset(("a", "h")) in pairs  # "already know": for ever
    assert frozenset(("a", "b")) in pairs  # introduced already
    assert frozenset(("b", "g")) not in pairs  # dismissed: may come back
    later = suppressed_pairs(FEEDBACK, day(111), days=60)
    assert frozenset(("a", "g")) not in later and frozenset(("a", "h")) in later
    assert frozenset(("e", "f")) not in suppressed_pairs(FEEDBACK, day(70))  # not yet made


def test_outcomes_become_labels() -> None:
    intros = introductions(FEEDBACK, EVENTS, NOW)
    labels = outcome_labels(intros, FEEDBACK)
    assert sorted(labels) == [
        ("a", "b", 1, day(5).timestamp()),
        ("a", "h", 1, day(1).timestamp()),
        ("c", "d", 0, day(5).timestamp()),
    ]


def test_wilson_interval_matches_the_closed_form() -> None:
    # 3 of 10, z = 1.96: centre (0.3 + 0.19207) / 1.38415 = 0.35550; half-width
    # 1.96·sqrt(0.021 + 0.0096040)/1.38415 = 0.24773 → (0.1078, 0.6032)
    low, high = wilson_interval(3, 10)
    assert low == pytest.approx(0.1078, abs=1e-4) and high == pytest.approx(0.6032, abs=1e-4)
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        wilson_interval(0, 0)


def test_no_interactions_means_every_introduction_is_pending_or_missed() -> None:
    nothing = interaction_arrays([])
    status = [i.status for i in introductions(FEEDBACK, nothing, NOW)]
    assert status == ["not_converted", "not_converted", "pending"]
