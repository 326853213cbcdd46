"""Offline evaluation of collaborator suggestions on a temporal holdout (METRICS.md R4).

Protocol of :func:`evaluate`:

1. The model is fitted on the history truncated at the split T (nothing at or after T
   exists for it); the baselines read the same snapshot at T.
2. **Present** people: at least one tie before T, consenting. A **new tie** is a pair of
   present people that never interacted (chosen kinds, either way) before T and did at or
   after T. **Evaluated people** (``n_people``): present people with ≥ 1 new tie;
   ``n_new_ties`` counts the new ties.
3. Every method ranks the same candidates (:mod:`recommend.candidates`, as of T) of each
   evaluated person; equal scores are ordered by one seeded random permutation shared by
   all methods. Baselines: ``random`` (seeded uniform scores), ``preferential_attachment``
   k_u·k_v, ``common_neighbours`` and ``adamic_adar`` (METRICS.md R1); ``model`` is the
   :class:`~recommend.model.CollaboratorModel`; with ``rerank`` a ``model_boundary`` row
   adds the R5 re-ranking (its list: the constrained top k, then the rest by s′).
4. Metrics per model (:mod:`recommend.metrics`, macro over evaluated people):
   ``precision_at_k``, ``recall_at_k`` (R counts all new ties of the person, also those no
   candidate source reaches), ``mrr``, ``ap``; ``auc``: sampled AUC over ``auc_samples``
   (new tie, non-tie) pairs drawn uniformly with the seed, scored directly (candidates or
   not); ``cross_hit_rate``: the share of top-k hits that cross the boundary (no shared
   group at T; None without hits); ``coverage``: distinct people in any top-k list over
   the people who may be suggested (consenting, active).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from graphsvc.model import CommunityKind
from recommend.candidates import CandidateGenerator, CandidateOptions, CandidatePairs
from recommend.features import topological_scores
from recommend.history import TieHistory, to_seconds
from recommend.metrics import macro_metrics, ranking_order, sampled_auc
from recommend.model import CollaboratorModel
from recommend.rerank import BoundaryRerank, boosted, bridge_scores, select_top_k
from recommend.snapshot import Snapshot

BASELINES = ("random", "preferential_attachment", "common_neighbours", "adamic_adar")
MODELS = (*BASELINES, "model")
Scorer = Callable[[np.ndarray, np.ndarray], np.ndarray]


def evaluate(
    history: TieHistory,
    split_at: datetime | float,
    k: int = 10,
    boundary: CommunityKind | str | None = None,
    models: Sequence[str] = MODELS,
    *,
    model: CollaboratorModel | None = None,
    rerank: BoundaryRerank | None = None,
    auc_samples: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """``{split_at, k, n_people, n_new_ties, models: {name: {precision_at_k, recall_at_k,
    mrr, ap, auc, cross_hit_rate, coverage}}}`` (see the module docstring).

    ``model`` (fitted here, at the split) defaults to ``CollaboratorModel(random_state=seed)``;
    ``boundary`` defaults to the history's.

    Examples
    --------
    >>> from analytics.projection import interaction_arrays
    >>> rows = [("a", "b", 0), ("b", "c", 0), ("c", "d", 0), ("a", "c", 20)]
    >>> history = TieHistory.build(interaction_arrays(rows), [])
    >>> out = evaluate(history, 10, k=1, models=("common_neighbours",), auc_samples=10)
    >>> out["n_people"], out["n_new_ties"], out["models"]["common_neighbours"]["mrr"]
    (2, 1, 1.0)
    """
    if boundary is not None:
        history = history.with_boundary(boundary)
    split = to_seconds(split_at)
    train = history.truncated(split)
    fitted = None
    if "model" in models or rerank is not None:
        fitted = (model or CollaboratorModel(random_state=seed)).fit(train, split)
    state = fitted.state_ if fitted is not None else train.as_of(split)
    options = fitted.generator_.options if fitted is not None else CandidateOptions()
    generator = fitted.generator_ if fitted is not None else CandidateGenerator(state, options)
    truth = _new_ties(history, state, split)
    people = np.unique(np.concatenate(truth))
    n_relevant = np.bincount(np.concatenate(truth), minlength=state.n)[people]
    pairs = generator.pairs(people)
    relevant = np.isin(_keys(pairs.source, pairs.target, state.n), _keys(*truth, state.n))
    rng = np.random.default_rng(seed)
    tiebreak = rng.permutation(len(pairs))
    scorers = _scorers(state, fitted, rng)
    positives, negatives = _auc_pairs(state, truth, auc_samples, rng)
    cross = ~state.labels.internal(pairs.source, pairs.target)
    eligible = int(generator.eligible.sum())
    results: dict[str, dict[str, float | None]] = {}
    for name in [*models, *(["model_boundary"] if rerank is not None else [])]:
        score_of = _rerank_scorer(state, fitted, rerank) if name == "model_boundary" else (
            scorers[name]
        )  # fmt: skip
        score = score_of(pairs.source, pairs.target)
        order = ranking_order(pairs.source, score, tiebreak)
        if name == "model_boundary" and rerank is not None and rerank.min_cross:
            order = _constrained(pairs, score, cross, k, rerank.min_cross, tiebreak)
        row: dict[str, float | None] = {}
        row.update(macro_metrics(people, n_relevant, pairs.source, relevant, order, k))
        row["auc"] = sampled_auc(score_of(*positives), score_of(*negatives))
        row.update(_top_k_facts(pairs, order, relevant, cross, k, eligible))
        results[name] = {key: row[key] for key in _COLUMNS}
    return {
        "split_at": datetime.fromtimestamp(split, UTC).isoformat(),
        "k": k,
        "n_people": len(people),
        "n_new_ties": len(truth[0]),
        "models": results,
    }


_COLUMNS = ("precision_at_k", "recall_at_k", "mrr", "ap", "auc", "cross_hit_rate", "coverage")


def _keys(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    return np.asarray(np.minimum(u, v).astype(np.int64) * n + np.maximum(u, v))


def _new_ties(history: TieHistory, state: Snapshot, split: float) -> tuple[np.ndarray, np.ndarray]:
    """New ties at or after ``split`` between present (tied before, consenting) people."""
    low, high = history.new_ties(split)
    present = (state.degree > 0) & state.consent
    keep = present[low] & present[high]
    return low[keep].astype(np.int64), high[keep].astype(np.int64)


def _scorers(
    state: Snapshot, fitted: CollaboratorModel | None, rng: np.random.Generator
) -> dict[str, Scorer]:
    def topological(name: str) -> Scorer:
        return lambda u, v: topological_scores(state.adjacency, u, v)[name]

    def model_score(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        if fitted is None:
            raise ValueError("the model was not fitted")
        return fitted.score_pairs(u, v)

    return {
        "random": lambda u, v: rng.random(len(u)),
        "preferential_attachment": topological("pa"),
        "common_neighbours": topological("cn"),
        "adamic_adar": topological("aa"),
        "model": model_score,
    }


def _rerank_scorer(
    state: Snapshot, fitted: CollaboratorModel | None, options: BoundaryRerank | None
) -> Scorer:
    def score(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        if fitted is None or options is None:
            raise ValueError("re-ranking needs the fitted model")
        bridge = bridge_scores(state, u, v, options.closed)
        return boosted(fitted.score_pairs(u, v), bridge, options)

    return score


def _constrained(
    pairs: CandidatePairs,
    score: np.ndarray,
    cross: np.ndarray,
    k: int,
    q: int,
    tiebreak: np.ndarray,
) -> np.ndarray:
    """The order whose first k per person are the q-constrained top k, then the rest."""
    chosen = select_top_k(pairs.source, score, cross, k, q, tiebreak)
    first = np.zeros(len(pairs), dtype=bool)
    first[chosen] = True
    plain = ranking_order(pairs.source, score, tiebreak)
    position = np.empty(len(pairs), dtype=np.int64)
    position[plain] = np.arange(len(pairs))
    return np.lexsort((position, ~first, pairs.source))


def _top_k_facts(
    pairs: CandidatePairs,
    order: np.ndarray,
    relevant: np.ndarray,
    cross: np.ndarray,
    k: int,
    eligible: int,
) -> dict[str, float | None]:
    g = pairs.source[order]
    rank = np.arange(len(g)) - np.searchsorted(g, g, side="left")
    top = order[rank < k]
    hits = top[relevant[top]]
    return {
        "cross_hit_rate": float(cross[hits].mean()) if len(hits) else None,
        "coverage": len(np.unique(pairs.target[top])) / eligible if eligible else 0.0,
    }


def _auc_pairs(
    state: Snapshot,
    truth: tuple[np.ndarray, np.ndarray],
    samples: int,
    rng: np.random.Generator,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``samples`` new ties and as many non-ties (present people, never tied), uniformly."""
    empty = np.empty(0, dtype=np.int64)
    if not len(truth[0]) or samples <= 0:
        return (empty, empty), (empty, empty)
    pick = rng.integers(0, len(truth[0]), samples)
    present = np.flatnonzero((state.degree > 0) & state.consent)
    taken = np.union1d(_keys(*truth, state.n), _keys(*_tied(state), state.n))
    u_neg, v_neg = [], []
    wanted = samples
    for _ in range(100):
        u = rng.choice(present, 2 * wanted)
        v = rng.choice(present, 2 * wanted)
        ok = (u != v) & ~np.isin(_keys(u, v, state.n), taken)
        u_neg.append(u[ok])
        v_neg.append(v[ok])
        wanted -= int(ok.sum())
        if wanted <= 0:
            break
    neg_u = np.concatenate(u_neg)[:samples]
    neg_v = np.concatenate(v_neg)[:samples]
    size = len(neg_u)
    return (truth[0][pick][:size], truth[1][pick][:size]), (neg_u, neg_v)


def _tied(state: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    coo = state.adjacency.tocoo()
    upper = coo.row < coo.col
    return coo.row[upper].astype(np.int64), coo.col[upper].astype(np.int64)
