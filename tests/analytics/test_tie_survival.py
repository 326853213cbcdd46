"""Tie lifetimes (Kaplan–Meier): a hand example, a plain-loop reference, interval coverage
on exponential lifetimes, a hand timeline of ties and planted short-lived cross ties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_temporal import arrays, utc

from analytics.projection import DEFAULT_KINDS
from analytics.temporal_period import prepare_events
from analytics.temporal_windows import membership_arrays, seconds
from analytics.tie_survival import kaplan_meier, tie_lifetimes
from graphsvc.model import Membership

Z90 = 1.6448536269514722


def test_kaplan_meier_by_hand() -> None:
    # lifetimes 2, 3+, 5, 5, 8+, 9 (+ censored). At 2: 6 at risk, 1 ends → 5/6;
    # at 5: 4 at risk, 2 end → 5/6 · 2/4 = 5/12; at 9: 1 at risk, 1 ends → 0.
    # Greenwood at 5: 1/(6·5) + 2/(4·2) = 0.28333…
    curve = kaplan_meier(np.array([2, 3, 5, 5, 8, 9.0]), np.array([1, 0, 1, 1, 0, 1], bool))
    assert curve.times.tolist() == [2, 5, 9] and curve.at_risk.tolist() == [6, 4, 1]
    np.testing.assert_allclose(curve.survival, [5 / 6, 5 / 12, 0.0])
    s, v = 5 / 12, 1 / 30 + 2 / 8
    spread = Z90 * math.sqrt(v) / math.log(s)
    assert curve.at(6) == pytest.approx((s, s ** math.exp(-spread), s ** math.exp(spread)))
    assert curve.at(1) == (1.0, 1.0, 1.0)
    assert curve.median()[0] == 5.0  # the first time S ≤ ½
    assert curve.at(9)[0] == 0.0


def _reference(durations: np.ndarray, ended: np.ndarray) -> dict[float, float]:
    """Kaplan–Meier with a plain loop over the distinct ended lifetimes."""
    survival, out = 1.0, {}
    for t in sorted(set(durations[ended].tolist())):
        at_risk = sum(1 for d in durations if d >= t)
        died = sum(1 for d, e in zip(durations, ended, strict=True) if e and d == t)
        survival *= 1 - died / at_risk
        out[t] = survival
    return out


def test_kaplan_meier_matches_a_plain_loop() -> None:
    rng = np.random.default_rng(3)
    durations = rng.integers(0, 40, 300).astype(float)  # many ties, zeros included
    ended = rng.random(300) < 0.7
    curve = kaplan_meier(durations, ended)
    reference = _reference(durations, ended)
    assert curve.times.tolist() == list(reference)
    np.testing.assert_allclose(curve.survival, list(reference.values()), rtol=0, atol=1e-12)


def test_median_interval_covers_the_true_median_of_exponential_lifetimes() -> None:
    # 400 samples of 200 exponential lifetimes (mean 100 days, true median 100·ln 2),
    # censored by an independent exponential (mean 300): the 90% interval of the median
    # covers the true median about 90% of the time (measured 89.2% over 1,000 samples)
    truth, hits = 100 * math.log(2), 0
    for seed in range(400):
        rng = np.random.default_rng(seed)
        life, censor = rng.exponential(100, 200), rng.exponential(300, 200)
        _, low, high = kaplan_meier(np.minimum(life, censor), life <= censor).median()
        hits += low <= truth <= high
    assert 0.86 <= hits / 400 <= 0.95, hits / 400


def _timeline() -> tuple[np.ndarray, ...]:
    """a, b in X; c in Y (d joins Y on March 2nd); e in no group. A tie is classified by
    the memberships at the end of the month of its first contact."""
    rows = [
        ("a", "b", utc(2025, 1, 5), "collaboration"),
        ("a", "b", utc(2025, 1, 25), "collaboration"),  # internal, 20 days, ended
        ("a", "c", utc(2025, 1, 10), "collaboration"),  # cross, one-off, ended
        ("b", "c", utc(2025, 2, 1), "collaboration"),
        ("b", "c", utc(2025, 6, 1), "collaboration"),  # cross, still alive at the end
        ("c", "d", utc(2025, 2, 10), "collaboration"),  # d in no group in February: left out
        ("a", "e", utc(2025, 3, 1), "collaboration"),  # e in no group: left out
        ("a", "d", utc(2025, 3, 5), "collaboration"),  # cross in March (d in Y)
        ("a", "b", utc(2025, 6, 30), "co_attendance"),  # not a counted kind
        ("c", "e", utc(2025, 7, 1), "collaboration"),  # the end of observation
    ]
    events = arrays(rows)
    members = membership_arrays(
        [
            Membership("a", "X"),
            Membership("b", "X"),
            Membership("c", "Y"),
            Membership("d", "Y", since=utc(2025, 3, 2)),
        ],
        events.person_ids,
    )
    return events, members


def test_tie_lifetimes_on_a_hand_timeline() -> None:
    events, members = _timeline()
    ties = tie_lifetimes(prepare_events(events, DEFAULT_KINDS), members, gap_days=60)
    people = events.person_ids
    found = {
        (people[u], people[v]): (d, e, c)
        for u, v, d, e, c in zip(ties.low, ties.high, ties.days, ties.ended, ties.cross,
                                 strict=True)
    }  # fmt: skip
    end = utc(2025, 7, 1)
    assert found == {
        ("a", "b"): (20.0, True, False),
        ("a", "c"): (0.0, True, True),
        ("b", "c"): ((end - utc(2025, 2, 1)).days, False, True),  # 30 days of silence < 60
        ("a", "d"): (0.0, True, True),
    }
    touching = dict(zip(found, ties.touching.toarray().tolist(), strict=True))
    assert touching[("a", "b")] == [1, 0] and touching[("a", "d")] == [1, 1]
    cohort = tie_lifetimes(
        prepare_events(events, DEFAULT_KINDS), members, formed_from=seconds(utc(2025, 2, 1))
    )
    assert len(cohort.days) == 2  # b–c and a–d were formed from February on


def test_planted_short_lived_cross_ties_have_the_shorter_median() -> None:
    # 600 people in 6 groups; internal ties last ~240 days on average, cross ties ~60
    rng = np.random.default_rng(8)
    people = [f"p{i}" for i in range(600)]
    group = rng.integers(0, 6, 600)
    start = seconds(utc(2024, 1, 1))
    rows = []
    for _ in range(3000):
        u, v = rng.choice(600, 2, replace=False)
        first = start + int(rng.integers(0, 200)) * 86_400
        life = rng.exponential(60 if group[u] != group[v] else 240)
        for day in np.arange(0, life, 7):  # weekly contact while the tie lives
            rows.append((people[u], people[v], first + int(day) * 86_400, "collaboration"))
    rows.append((people[0], people[1], start + 900 * 86_400, "collaboration"))  # the end
    events = arrays(rows)
    members = membership_arrays(
        [Membership(p, f"g{g}") for p, g in zip(people, group, strict=True)], events.person_ids
    )
    curves = tie_lifetimes(prepare_events(events, DEFAULT_KINDS), members).curves()
    cross, internal = curves[("network", "cross")], curves[("network", "internal")]
    assert cross.median()[2] < internal.median()[1]  # the intervals do not overlap
    assert cross.at(180)[0] < internal.at(180)[0]
    assert set(curves) == {(s, k) for s in ["network"] + [f"g{g}" for g in range(6)]
                           for k in ("cross", "internal")}  # fmt: skip
