"""Introductions' outcomes become training rows of the next fit (METRICS.md R9)."""

from __future__ import annotations

import numpy as np
from recdata import DAY, closure_history

from recommend.candidates import CandidateOptions
from recommend.model import CollaboratorModel
from recommend.training import Outcomes, TrainingOptions, training_set

CUT = 150 * DAY
HORIZON = 60  # days: the training window is [90, 150) days


def untied_pairs(history: object, moment: float, count: int, seed: int) -> list[tuple[int, int]]:
    """``count`` pairs with no tie and no common neighbour at ``moment`` (far apart)."""
    snap = history.as_of(moment)  # type: ignore[attr-defined]
    a = snap.adjacency
    two = (a @ a).tocsr()
    rng = np.random.default_rng(seed)
    found: list[tuple[int, int]] = []
    while len(found) < count:
        u, v = (int(x) for x in rng.choice(snap.n, 2, replace=False))
        if a[u, v] == 0 and two[u, v] == 0 and (u, v) not in found and snap.degree[u] > 0:
            found.append((u, v))
    return found


def test_outcomes_inside_the_window_become_weighted_rows() -> None:
    history = closure_history(seed=3)
    options = TrainingOptions(horizon_days=HORIZON)
    start = CUT - HORIZON * DAY
    pairs = untied_pairs(history, start, 4, seed=0)
    u = np.array([p[0] for p in pairs])
    v = np.array([p[1] for p in pairs])
    at = np.array([start + DAY, start + 2 * DAY, start - DAY, CUT + DAY])  # 2 inside
    outcomes = Outcomes(u, v, np.array([1, 0, 1, 1]), at)
    plain = training_set(history, CUT, CandidateOptions(), options, np.random.default_rng(0))
    with_outcomes = training_set(
        history, CUT, CandidateOptions(), options, np.random.default_rng(0), outcomes
    )
    n = history.n_people
    rows = {
        int(key): (int(label), float(weight))
        for key, label, weight in zip(
            with_outcomes.keys, with_outcomes.labels, with_outcomes.weights, strict=True
        )
    }
    keys = [min(a, b) * n + max(a, b) for a, b in pairs]
    assert rows[keys[0]] == (1, options.outcome_weight)  # introduced inside: its outcome
    assert rows[keys[1]] == (0, options.outcome_weight)
    for key in keys[2:]:  # before the window or after the cut: not an outcome row
        assert rows.get(key, (0, 1.0))[1] != options.outcome_weight
    assert len(with_outcomes) - len(plain) <= 2


def test_converted_introductions_teach_the_model() -> None:
    history = closure_history(seed=4)
    start = CUT - HORIZON * DAY
    pairs = untied_pairs(history, start, 40, seed=1)
    taught, held_out = pairs[:30], pairs[30:]
    outcomes = [
        (history.person_ids[u], history.person_ids[v], 1, start + 5 * DAY) for u, v in taught
    ]
    plain = CollaboratorModel(horizon_days=HORIZON).fit(history, CUT)
    learned = CollaboratorModel(horizon_days=HORIZON).fit(history, CUT, outcomes=outcomes)
    u = np.array([p[0] for p in held_out])
    v = np.array([p[1] for p in held_out])
    # far-apart pairs that did become ties after introductions: similar pairs now score higher
    assert learned.score_pairs(u, v).mean() > plain.score_pairs(u, v).mean()
    assert learned.training_["rows"] > plain.training_["rows"]
