"""Mentor expertise, eligibility, fit and cohort matching on hand-made cases, brute force
and the demo world's planted mentoring programme."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from demo_stores import sqlite_with

from analytics.projection import interaction_arrays
from graphsvc.config import Settings
from graphsvc.demo import DemoWorld, generate
from graphsvc.model import Community, InteractionArrays, InteractionKind, Membership, Person
from graphsvc.store import open_store
from recommend.expertise import topic_profiles
from recommend.matching import match_cohort
from recommend.mentors import MentorRecommender

CUT = datetime(2025, 6, 1, tzinfo=UTC)
GIVING = {InteractionKind.KNOWLEDGE_EXCHANGE, InteractionKind.MENTORING}


def seconds_before_cut(days: float) -> int:
    return int((CUT - timedelta(days=days)).timestamp())


def with_topics(
    arrays: InteractionArrays, kinds: list[str], topics: list[str]
) -> InteractionArrays:
    """``arrays`` with each row's kind and topic replaced (topics sorted as stores do)."""
    vocabulary = tuple(sorted(set(topics)))
    return InteractionArrays(
        person_ids=arrays.person_ids, source=arrays.source, target=arrays.target, at=arrays.at,
        weight=arrays.weight, directed=np.ones(len(kinds), bool),
        kind=np.array([arrays.kinds.index(k) for k in kinds], dtype=np.int8),
        community=arrays.community,
        topic=np.array([vocabulary.index(t) for t in topics], dtype=np.int32), topics=vocabulary,
    )  # fmt: skip


PEOPLE = [
    Person("e", "Eve", topics=("Soil",), joined_at=CUT - timedelta(days=30)),
    Person(
        "m1", "Mia", expertise=("soil",), mentor_capacity=2, joined_at=CUT - timedelta(days=800)
    ),
    Person("m2", "Max", expertise=("water",), mentor_capacity=2),
    Person("m3", "Mo", expertise=("soil",), mentor_capacity=1),
    Person("m4", "Meg", expertise=("soil",), mentor_capacity=3, consent=False),
    Person("m5", "Mel", expertise=("soil",), mentor_capacity=0),
    Person("x", "Xan", topics=("soil",)),
]
# m3 mentors x (full: capacity 1); m1 answered e twice on soil and asked once; x asked m2
EVENTS = with_topics(
    interaction_arrays([
        ("m3", "x", seconds_before_cut(20)),
        ("m1", "e", seconds_before_cut(10)),
        ("m1", "e", seconds_before_cut(9)),
        ("e", "m1", seconds_before_cut(8)),
        ("m2", "x", seconds_before_cut(5)),
    ]),
    ["mentoring", "knowledge_exchange", "knowledge_exchange", "knowledge_exchange",
     "knowledge_exchange"],
    ["soil", "soil", "soil", "soil", "water"],
)  # fmt: skip
COMMUNITIES = [Community("cop-a", "A"), Community("cop-b", "B")]
MEMBERSHIPS = [
    Membership("e", "cop-a"),
    Membership("m1", "cop-b", "expert"),
    Membership("m3", "cop-a"),
    Membership("x", "cop-a"),
]


def fitted() -> MentorRecommender:
    return MentorRecommender().fit(PEOPLE, EVENTS, MEMBERSHIPS, COMMUNITIES, CUT)


def test_expertise_combines_declared_roles_and_answers() -> None:
    profiles = topic_profiles(PEOPLE, EVENTS, MEMBERSHIPS, CUT)
    soil = profiles.topics.index("soil")
    m1, e = profiles.person_ids.index("m1"), profiles.person_ids.index("e")
    # m1 on soil: gave 2 knowledge exchanges to e, received 1 from e:
    # a = 2, q = 1 → z = (2 − 1)/√3; expertise = declared 1·(1 + ½·role 1) + ½·z
    z = (2 - 1) / math.sqrt(3)
    assert profiles.zhang_z[m1, soil] == pytest.approx(z)
    assert profiles.expertise[m1, soil] == pytest.approx(1 + 0.5 + 0.5 * z)
    # e asked twice and answered once: z < 0 adds nothing; need = interest 1 + ln(1 + 2)
    assert profiles.expertise[e, soil] == 0
    assert profiles.need[e, soil] == pytest.approx(1 + math.log(3))


def test_only_eligible_mentors_with_free_slots_are_suggested() -> None:
    suggestions = fitted().recommend("e", k=10)
    # m2: no shared topic; m3: full (mentors x); m4: no consent; m5: no capacity
    assert [s.mentor_id for s in suggestions] == ["m1"]
    (best,) = suggestions
    assert best.shared_topics == ("soil",) and best.answers == {"soil": 2}
    assert (best.free_slots, best.capacity, best.cross_community) == (2, 2, True)
    assert best.parts["seniority"] == 1.0  # joined 770 days before e: capped at 1
    assert best.fit == pytest.approx(0.6 * 1.0 + 0.15 * 1.0 + 0.1 * 1.0 + 0.15 * 1.0)


def test_private_people_get_and_give_no_mentoring() -> None:
    model = fitted()
    people = [Person("e", "Eve", topics=("soil",), consent=False), *PEOPLE[1:]]
    hidden = MentorRecommender().fit(people, EVENTS, MEMBERSHIPS, COMMUNITIES, CUT)
    assert hidden.recommend("e") == []
    fits = model.fit_matrix(["e", "x"], ["m4"])
    assert np.isnan(fits).all()


def test_a_current_mentee_is_not_suggested_their_own_mentor_again() -> None:
    model = MentorRecommender().fit(
        PEOPLE, EVENTS, MEMBERSHIPS, COMMUNITIES, CUT, extra_mentees=[("m1", "e")]
    )
    assert model.recommend("e") == []  # m1 already mentors e (accepted introduction)
    assert model.free_[model.index_["m1"]] == 1


def brute_force(fit: np.ndarray, free: list[int], min_fit: float, balance: float) -> float:
    """The best objective over every assignment (mentee → mentor or none)."""
    n, m = fit.shape
    best = -math.inf
    for choice in itertools.product(range(-1, m), repeat=n):
        load = np.bincount([c for c in choice if c >= 0], minlength=m)
        if np.any(load > free) or any(c >= 0 and np.isnan(fit[e, c]) for e, c in enumerate(choice)):
            continue
        value = sum(fit[e, c] - min_fit for e, c in enumerate(choice) if c >= 0)
        best = max(best, value - balance * float(np.sum(load * (load - 1) / 2)))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_cohort_matching_is_optimal_and_within_capacity(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 6)), int(rng.integers(1, 4))
    fit = rng.random((n, m))
    fit[rng.random((n, m)) < 0.2] = np.nan
    free = rng.integers(0, 3, m).tolist()
    min_fit, balance = (0.0, 0.0) if seed % 3 == 0 else (0.2, 0.15 * (seed % 2))
    result = match_cohort(fit, free, min_fit=min_fit, balance=balance)
    assert np.all(result.load <= free)
    assert len({e for e, _ in result.pairs}) == len(result.pairs)
    assert all(not np.isnan(fit[e, c]) for e, c in result.pairs)
    objective = sum(fit[e, c] - min_fit for e, c in result.pairs)
    objective -= balance * float(np.sum(result.load * (result.load - 1) / 2))
    assert objective == pytest.approx(brute_force(fit, free, min_fit, balance), abs=1e-9)
    assert sorted([*result.unmatched, *(e for e, _ in result.pairs)]) == list(range(n))


def test_load_balance_spreads_mentees_at_a_small_cost_in_fit() -> None:
    # one popular mentor (fits 0.9) and one decent one (0.8): λ = 0 gives the popular one
    # all three; λ = 0.2 moves mentees while the loss in fit (0.1) is below 0.2·slot
    fit = np.array([[0.9, 0.8]] * 3)
    greedy = match_cohort(fit, [3, 3])
    balanced = match_cohort(fit, [3, 3], balance=0.2)
    assert greedy.load.tolist() == [3, 0] and greedy.total_fit == pytest.approx(2.7)
    assert sorted(balanced.load.tolist()) == [1, 2] and balanced.total_fit < greedy.total_fit


def received(world: DemoWorld, person: str, before: datetime) -> set[str]:
    return {
        i.topic.casefold()
        for i in world.interactions
        if i.target_id == person and i.topic and i.at < before and i.kind in GIVING
    }


def given(world: DemoWorld, person: str, before: datetime) -> set[str]:
    return {
        i.topic.casefold()
        for i in world.interactions
        if i.source_id == person and i.topic and i.at < before and i.kind in GIVING
    }


def test_planted_mentees_are_offered_mentors_with_their_topics(tmp_path: Path) -> None:
    world = generate(people=400, months=12, seed=7)
    store = open_store(Settings(store=sqlite_with(world, tmp_path / "demo.db")))
    programme = world.ground_truth["mentoring_programme"]
    start = datetime.fromisoformat(programme["start"])
    people = {p.id: p for p in world.people}
    model = MentorRecommender().fit(
        world.people, store.interactions(), world.memberships, world.communities, start
    )
    store.close()
    mentees = sorted({mentee for _mentor, mentee in programme["pairs"]})
    offered = 0
    for mentee in mentees:
        # what the mentee needs: their interests and what they were taught before the start
        wanted = {t.casefold() for t in people[mentee].topics} | received(world, mentee, start)
        for suggestion in model.recommend(mentee, k=3):
            offered += 1
            mentor = people[suggestion.mentor_id]
            shown = {t.casefold() for t in mentor.expertise} | given(world, mentor.id, start)
            assert suggestion.shared_topics
            assert set(suggestion.shared_topics) <= wanted & shown
            assert suggestion.free_slots >= 1 and mentor.consent
    assert offered >= len(mentees)
