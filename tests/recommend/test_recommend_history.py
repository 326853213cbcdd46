"""TieHistory and its snapshots: what is known as of a cut, computed by hand."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from recdata import DAY, KINDS, arrays, history_of

from graphsvc.model import Community, CommunityKind, Membership, MembershipRole, Person
from recommend.history import TieHistory

ATOL = 1e-9


def test_as_of_keeps_only_interactions_strictly_before_the_cut() -> None:
    h = history_of([("a", "b", 0), ("b", "c", 5), ("c", "d", 10)])
    snap = h.as_of(10 * DAY)  # the c–d interaction at exactly the cut is not known yet
    assert snap.adjacency.toarray().tolist() == [
        [0, 1, 0, 0],
        [1, 0, 1, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 0],
    ]
    assert snap.degree.tolist() == [1, 2, 1, 0]


def test_self_loops_coattendance_and_zero_weights_are_dropped() -> None:
    kinds = ["collaboration", "co_attendance", "collaboration", "collaboration"]
    codes = np.array([KINDS.index(k) for k in kinds])
    columns = arrays(("a", "b", "c"), np.array([0, 0, 1, 2]), np.array([1, 2, 1, 2]),
                     np.zeros(4), kind=codes)  # fmt: skip
    history = TieHistory.build(columns, [])
    # a–b kept; a–c co-attendance; b–b and c–c self-loops
    assert (history.event_u.tolist(), history.event_v.tolist()) == ([0], [1])
    with_events = TieHistory.build(columns, [], kinds=["co_attendance"])
    assert (with_events.event_u.tolist(), with_events.event_v.tolist()) == ([0], [2])


def test_decayed_strength_activity_and_growth() -> None:
    # half-life 90 days: an interaction 90 days before the cut weighs 1/2, 180 days 1/4
    h = history_of([("a", "b", 0), ("a", "b", 90), ("a", "c", 90)])
    snap = h.as_of(180 * DAY)
    assert snap.strength[0, 1] == pytest.approx(0.25 + 0.5, abs=ATOL)
    assert snap.interactions[0, 1] == 2
    assert snap.activity.tolist() == pytest.approx([1.25, 0.75, 0.5], abs=ATOL)
    # growth: onsets a–b at day 0 (1/4) and a–c at day 90 (1/2); the repeat a–b is no onset
    assert snap.growth.tolist() == pytest.approx([0.75, 0.25, 0.5], abs=ATOL)


def test_new_ties_count_first_contacts_only() -> None:
    h = history_of([("a", "b", 0), ("b", "a", 20), ("b", "c", 20), ("c", "d", 40)])
    low, high = h.new_ties(10 * DAY, 30 * DAY)
    names = [(h.person_ids[u], h.person_ids[v]) for u, v in zip(low, high, strict=True)]
    assert names == [("b", "c")]  # b→a again at day 20 is a repeat, not a new tie


def test_memberships_roles_and_tenure_as_of_the_cut() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    day = timedelta(days=1)
    columns = arrays(("a", "b", "c"), np.array([0, 1]), np.array([1, 2]),
                     np.array([int((start + 10 * day).timestamp())] * 2))  # fmt: skip
    members = [
        Membership("a", "x", since=start, until=start + 30 * day),
        Membership("b", "x", MembershipRole.MODERATOR, since=start + 5 * day),
        Membership("c", "y", since=start + 50 * day),  # not yet at the cut
        Membership("c", "org", MembershipRole.EXPERT),
    ]
    communities = [Community("x", "X"), Community("y", "Y"),
                   Community("org", "O", kind=CommunityKind.ORGANISATION)]  # fmt: skip
    people = [Person("a", "A", joined_at=start - 100 * day), Person("b", "B"), Person("c", "C")]
    h = TieHistory.build(columns, members, people, communities)
    snap = h.as_of(start + 20 * day)
    assert snap.labels.groups == ("x", "y")
    assert [sorted(s) for s in snap.labels.sets] == [[0], [0], []]
    assert snap.roles.tolist() == [[False, False, False], [True, False, False],
                                   [False, True, False]]  # fmt: skip
    # tenure: a joined 120 days before the cut; b's membership began 15 days before;
    # c's first interaction was 10 days before
    assert snap.tenure_days.tolist() == pytest.approx([120, 15, 10], abs=1e-6)
    later = h.as_of(start + 40 * day)  # a's membership ended at day 30
    assert [sorted(s) for s in later.labels.sets] == [[], [0], []]
    orgs = h.with_boundary("organisation").as_of(start + 20 * day)
    assert orgs.labels.groups == ("org",)


def test_group_tables_by_hand() -> None:
    # x = {a, b, c}, y = {d, e}; ties a–b, b–c, c–d, d–e
    h = history_of([("a", "b", 0), ("b", "c", 0), ("c", "d", 0), ("d", "e", 0)],
                   groups={"a": ["x"], "b": ["x"], "c": ["x"], "d": ["y"], "e": ["y"]})  # fmt: skip
    snap = h.as_of(DAY)
    # D_xx = 2/3 (2 of 3 pairs), D_yy = 1/1, D_xy = 1/(3·2) = 1/6; max D = 1
    np.testing.assert_allclose(snap.density, [[2 / 3, 1 / 6], [1 / 6, 1.0]], atol=ATOL)
    np.testing.assert_allclose(snap.distance, [[0.0, 5 / 6], [5 / 6, 0.0]], atol=ATOL)
    # vol x = 1+2+2 = 5, internal ends 4, cut 1; vol y = 2+1 = 3, cut 1; 2m = 8
    # φ_x = 1/min(5, 3) = 1/3, φ_y = 1/min(3, 5) = 1/3
    np.testing.assert_allclose(snap.conductance, [1 / 3, 1 / 3], atol=ATOL)
    # people of x with a tie into y: c; of y into x: d
    assert snap.spanners[0, 1] == 1 and snap.spanners[1, 0] == 1


def test_truncated_and_with_events_forget_later_events() -> None:
    h = history_of([("a", "b", 0), ("b", "c", 5), ("c", "d", 10)])
    assert h.truncated(5 * DAY).event_at.tolist() == [0]
    assert h.with_events(h.event_at > 0).n_events == 2
    assert h.truncated(datetime(1970, 1, 6, tzinfo=UTC)).n_events == 1  # day 5, aware
    with pytest.raises(ValueError, match="aware"):
        h.truncated(datetime(1970, 1, 6))


def test_tfidf_matches_sklearn_vectorizer_on_the_same_documents() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    topics = {"a": ["ml", "stats"], "b": ["ml"], "c": ["design", "ml", "ux"]}
    h = history_of([("a", "b", 0), ("b", "c", 0)], topics=topics)
    snap = h.as_of(DAY)
    documents = [topics[p] for p in h.person_ids]
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True)
    expected = vectorizer.fit_transform(documents)
    order = [list(vectorizer.get_feature_names_out()).index(t) for t in snap.topics]
    np.testing.assert_allclose(snap.tfidf.toarray(), expected.toarray()[:, order], atol=ATOL)
    assert math.isclose(float(snap.tfidf[0].multiply(snap.tfidf[0]).sum()), 1.0)
