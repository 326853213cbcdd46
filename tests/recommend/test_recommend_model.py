"""CollaboratorModel: known answers, what is never suggested, no leakage, explanations."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import numpy as np
import pytest
from recdata import DAY, closure_history, demo_history, history_of

from graphsvc.demo import generate
from graphsvc.errors import NotFound, ValidationError
from recommend.features import FEATURES, pair_features
from recommend.history import TieHistory
from recommend.model import CollaboratorModel
from recommend.rerank import BoundaryRerank

CUT = 150 * DAY


@pytest.fixture(scope="module")
def world() -> TieHistory:
    return closure_history(seed=1, opted_out=0.2)


@pytest.fixture(scope="module")
def fitted(world: TieHistory) -> CollaboratorModel:
    return CollaboratorModel(horizon_days=60).fit(world, CUT)


def with_probe(history: TieHistory) -> TieHistory:
    """The closure world plus a probe: u knows x and y; z knows x and y (two mutual
    contacts, closing two triangles); w knows x and q (one mutual contact). z and w have
    the same degree and met their contacts on the same day: only the structure differs."""
    rows = [("u", "x", 140), ("u", "y", 140), ("z", "x", 140), ("z", "y", 140),
            ("w", "x", 140), ("w", "q", 140)]  # fmt: skip
    probe = history_of(rows)
    offset = history.n_people
    index = {p: offset + i for i, p in enumerate(probe.person_ids)}
    names = history.person_ids + probe.person_ids
    u = np.concatenate([history.event_u, [index[probe.person_ids[i]] for i in probe.event_u]])
    v = np.concatenate([history.event_v, [index[probe.person_ids[i]] for i in probe.event_v]])
    at = np.concatenate([history.event_at, probe.event_at])
    order = np.argsort(at, kind="stable")
    return dataclasses.replace(
        history,
        person_ids=names,
        event_u=u[order].astype(np.int32),
        event_v=v[order].astype(np.int32),
        event_at=at[order],
        event_weight=np.ones(len(at)),
        event_topic=np.full(len(at), -1, dtype=np.int32),
        declared=history.declared.__class__((len(names), len(history.topics))),
        consent=np.concatenate([history.consent, np.ones(probe.n_people, dtype=bool)]),
        # the probe joined at day 0 like everyone (tenure is no give-away)
        joined_at=np.concatenate([history.joined_at, np.zeros(probe.n_people)]),
    )


def test_the_triangle_closing_pair_ranks_first(world: TieHistory) -> None:
    history = with_probe(world)
    model = CollaboratorModel(horizon_days=60).fit(history, CUT)
    suggestions = model.recommend("u", k=5)
    assert [s.person_id for s in suggestions] == ["z", "w"]
    assert suggestions[0].n_mutual == 2 and suggestions[1].n_mutual == 1
    assert suggestions[0].probability > suggestions[1].probability


def test_suggestions_are_never_ties_self_or_opted_out(
    world: TieHistory, fitted: CollaboratorModel
) -> None:
    snap = fitted.state_
    for person in world.person_ids:
        u = world.index(person)
        got = fitted.recommend(person, k=20)
        if not snap.consent[u]:
            assert got == []
            continue
        for s in got:
            v = world.index(s.person_id)
            assert v != u
            assert snap.adjacency[u, v] == 0
            assert snap.consent[v]


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_recommend_all_agrees_with_recommend(seed: int) -> None:
    history = closure_history(seed=seed, opted_out=0.1)
    model = CollaboratorModel(horizon_days=60).fit(history, CUT)
    table = model.recommend_all(k=5)
    for person in history.person_ids[::7]:
        want = [s.person_id for s in model.recommend(person, k=5)]
        if history.consent[history.index(person)]:
            assert table.ids(person) == want
        else:
            assert want == [] and history.index(person) not in table.people


def test_no_leakage_events_after_the_cut_change_nothing(world: TieHistory) -> None:
    # plant a future-only signal: after the cut, p000 talks every day to the people it was
    # not tied to, on a brand-new topic; and drop every real later event
    before = world.event_at < CUT
    future = world.with_events(before)
    targets = np.array([i for i in range(1, 40) if i != 0])
    planted = dataclasses.replace(
        future,
        event_u=np.concatenate([future.event_u, np.zeros(len(targets), dtype=np.int32)]),
        event_v=np.concatenate([future.event_v, targets.astype(np.int32)]),
        event_at=np.concatenate([future.event_at, CUT + DAY * np.arange(len(targets))]),
        event_weight=np.concatenate([future.event_weight, np.full(len(targets), 50.0)]),
        event_topic=np.concatenate([future.event_topic, np.full(len(targets), -1, np.int32)]),
    )
    base = CollaboratorModel(horizon_days=60).fit(world, CUT)
    for other_history in (future, planted):
        other = CollaboratorModel(horizon_days=60).fit(other_history, CUT)
        np.testing.assert_array_equal(other.estimator_[-1].coef_, base.estimator_[-1].coef_)
        for person in ("p000", "p005", "p017"):
            a = base.recommend(person, k=10)
            b = other.recommend(person, k=10)
            assert [(s.person_id, s.probability, s.features) for s in a] == [
                (s.person_id, s.probability, s.features) for s in b
            ]
        u = np.zeros(len(targets), dtype=np.int64)
        np.testing.assert_array_equal(
            pair_features(base.state_, u, targets), pair_features(other.state_, u, targets)
        )


def test_explanation_facts_are_true(fitted: CollaboratorModel, world: TieHistory) -> None:
    snap = fitted.state_
    adjacency = snap.adjacency.toarray() > 0
    for person in ("p000", "p003", "p010"):
        u = world.index(person)
        for s in fitted.recommend(person, k=10):
            v = world.index(s.person_id)
            mutual = {world.person_ids[z] for z in np.flatnonzero(adjacency[u] & adjacency[v])}
            assert s.n_mutual == len(mutual)
            assert set(s.mutual_ids) <= mutual
            assert all(snap.consent[world.index(z)] for z in s.mutual_ids)
            assert s.features["cn"] == len(mutual)
            assert set(s.features) == set(FEATURES) == set(s.contributions)
            assert s.sources


def test_logistic_contributions_add_up_to_the_log_odds(fitted: CollaboratorModel) -> None:
    s = fitted.recommend("p000", k=1)[0]
    x = np.array([[s.features[name] for name in FEATURES]])
    base = fitted.baseline_[None, :]
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    total = logit(fitted.probabilities(x)) - logit(fitted.probabilities(base))
    assert sum(s.contributions.values()) == pytest.approx(float(total[0]), abs=1e-9)
    # the folded linear score equals the scikit-learn pipeline's
    pipeline = fitted.estimator_.predict_proba(x)[:, 1]
    assert fitted.probabilities(x)[0] == pytest.approx(float(pipeline[0]), abs=1e-12)


def test_load_cap_pushes_a_busy_person_down(fitted: CollaboratorModel) -> None:
    plain = fitted.recommend("p000", k=5)
    busy = plain[0].person_id
    options = BoundaryRerank(load_cap=1.0)
    capped = fitted.recommend("p000", k=5, rerank=options, load={busy: 50.0})
    assert busy not in [s.person_id for s in capped[:1]]


def test_unknown_people_and_untrainable_cuts() -> None:
    h = history_of([("a", "b", 0), ("b", "c", 1)])
    with pytest.raises(ValidationError):
        CollaboratorModel().fit(h, 2 * DAY)  # no new tie between candidates to learn from
    history = closure_history(seed=5)
    model = CollaboratorModel(horizon_days=60).fit(history, CUT)
    with pytest.raises(NotFound):
        model.recommend("nobody")


def test_a_silo_member_gets_suggestions_outside_the_silo() -> None:
    world = generate(people=500, months=12, seed=7)
    history = demo_history(world)
    model = CollaboratorModel().fit(history, datetime(2025, 12, 1, tzinfo=UTC))
    silo = world.ground_truth["silo_community"]
    members = sorted({m.person_id for m in world.memberships if m.community_id == silo})
    assert len(members) > 10

    def reached(options: BoundaryRerank) -> int:
        lists = [model.recommend(p, k=10, rerank=options) for p in members]
        return sum(any(s.cross for s in found) for found in lists)

    plain, boosted, quota = (reached(BoundaryRerank(beta=b, min_cross=q))
                             for b, q in ((0.0, 0), (2.0, 0), (0.0, 1)))  # fmt: skip
    # measured (members with ≥ 1 outside suggestion in their top 10): β = 0: 2 of 31,
    # β = 1: 22, β = 2: 31; q = 1 guarantees it for all 31
    assert boosted > plain and boosted >= len(members) // 2
    assert quota == len(members)
    first = model.recommend(members[0], k=10, rerank=BoundaryRerank(beta=2.0))
    outside = [s for s in first if s.cross]
    assert outside and all(silo in s.connects for s in outside if s.connects)
