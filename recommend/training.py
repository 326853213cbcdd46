"""Temporal training samples for supervised link prediction (METRICS.md R3).

For a cut T and a horizon Δ, window w = 0 … n_windows−1 gives features as of
t0 = T − (w+1)Δ and labels = ties whose onset (first interaction) falls in [t0, t0 + Δ):
a pair that interacted before t0 is never a positive (a repeated interaction is not a new
tie), and nothing at or after T is read (the caller passes a history truncated at T).

Pairs are the candidates (:mod:`recommend.candidates`) of the people present at t0 (at
least one tie, consenting), each unordered pair once. Negatives are sampled per stratum of
shortest-path distance (Lichtenwalter et al. 2010): in each stratum (2 hops, 3 hops, other
sources) every positive is kept and negatives are kept with probability
p = min(1, max(ratio · positives, floor) / negatives), then weighted 1/p so that the
sample stays an unbiased picture of all candidates (the model must learn that distance-2
pairs form ties far more often than the rest).

**Outcomes of introductions** (METRICS.md R9) join the window their introduction fell in:
a pair introduced at t ∈ [t0, t0 + Δ) is a row with the features as of t0 (before the
introduction) and its observed label (1 = a tie formed, 0 = none within the follow-up;
:func:`recommend.outcomes.outcome_labels`), weighted ``outcome_weight`` because it is
direct evidence; it replaces the sampled row of the same pair, and pairs already tied at t0
are skipped (they cannot become a new tie).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from recommend.candidates import SOURCES, CandidateGenerator, CandidateOptions
from recommend.features import pair_features
from recommend.history import SECONDS_PER_DAY, TieHistory

#: negatives kept per stratum at least (when there are that many)
NEGATIVE_FLOOR = 200


@dataclass(frozen=True)
class TrainingSet:
    """Rows of :data:`~recommend.features.FEATURES`, 0/1 labels and sampling weights."""

    features: np.ndarray
    labels: np.ndarray
    weights: np.ndarray
    strata: np.ndarray
    positives_missed: int  # new ties of present people that no candidate source proposed
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # min·n + max

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class TrainingOptions:
    """How the sample is drawn (see the module docstring)."""

    horizon_days: float = 90.0
    n_windows: int = 1
    negative_ratio: float = 20.0
    max_people: int | None = 20_000
    three_hops: bool = False
    #: weight of an introduction's outcome row
    outcome_weight: float = 5.0


@dataclass(frozen=True)
class Outcomes:
    """Labelled introductions: person indexes ``u``, ``v``, 0/1 ``label`` and the
    introduction time ``at`` (Unix seconds)."""

    u: np.ndarray
    v: np.ndarray
    label: np.ndarray
    at: np.ndarray

    @classmethod
    def empty(cls) -> Outcomes:
        nothing = np.zeros(0, dtype=np.int64)
        return cls(nothing, nothing, nothing, np.zeros(0))


def strata(flags: np.ndarray) -> np.ndarray:
    """0 for 2-hop candidates, 1 for 3-hop ones, 2 for the rest."""
    flags = np.asarray(flags, dtype=np.int64)
    return np.where(flags & SOURCES["hop2"], 0, np.where(flags & SOURCES["hop3"], 1, 2))


def training_set(
    history: TieHistory,
    cut: float,
    candidates: CandidateOptions,
    options: TrainingOptions,
    rng: np.random.Generator,
    outcomes: Outcomes | None = None,
) -> TrainingSet:
    """The sample of all windows (see the module docstring)."""
    horizon = options.horizon_days * SECONDS_PER_DAY
    parts = [
        _with_outcomes(
            _window(history, cut - (w + 1) * horizon, cut - w * horizon, candidates, options, rng),
            history, cut - (w + 1) * horizon, cut - w * horizon, outcomes, options,
        )
        for w in range(options.n_windows)
    ]  # fmt: skip
    return TrainingSet(
        features=np.concatenate([p.features for p in parts]),
        labels=np.concatenate([p.labels for p in parts]),
        weights=np.concatenate([p.weights for p in parts]),
        strata=np.concatenate([p.strata for p in parts]),
        positives_missed=sum(p.positives_missed for p in parts),
        keys=np.concatenate([p.keys for p in parts]),
    )


def _window(
    history: TieHistory,
    start: float,
    end: float,
    candidates: CandidateOptions,
    options: TrainingOptions,
    rng: np.random.Generator,
) -> TrainingSet:
    snap = history.as_of(start)
    generator = CandidateGenerator(snap, candidates)
    present = np.flatnonzero(snap.consent & (snap.degree > 0))
    if options.max_people is not None and len(present) > options.max_people:
        present = np.sort(rng.choice(present, options.max_people, replace=False))
    n = history.n_people
    pairs = generator.pairs(present)
    low = np.minimum(pairs.source, pairs.target)
    high = np.maximum(pairs.source, pairs.target)
    keys, first, inverse = np.unique(low * n + high, return_index=True, return_inverse=True)
    flags = np.zeros(len(keys), dtype=np.int64)
    np.bitwise_or.at(flags, inverse, pairs.flags.astype(np.int64))
    requester, candidate = pairs.source[first], pairs.target[first]  # u: a sampled person
    new_low, new_high = history.new_ties(start, end)
    new_keys = new_low * n + new_high
    labels = np.isin(keys, new_keys)
    asked = np.isin(new_low, present) | np.isin(new_high, present)
    live = snap.degree[new_low] * snap.degree[new_high] > 0
    missed = int((~np.isin(new_keys, keys) & asked & live).sum())
    stratum = strata(flags)
    keep, weights = _sample(labels, stratum, options.negative_ratio, rng)
    return TrainingSet(
        features=pair_features(snap, requester[keep], candidate[keep], options.three_hops),
        labels=labels[keep].astype(np.int64),
        weights=weights,
        strata=stratum[keep],
        positives_missed=missed,
        keys=keys[keep],
    )


def _with_outcomes(
    sample: TrainingSet,
    history: TieHistory,
    start: float,
    end: float,
    outcomes: Outcomes | None,
    options: TrainingOptions,
) -> TrainingSet:
    """``sample`` with the outcomes of introductions made in ``[start, end)`` (module doc)."""
    if outcomes is None or not len(outcomes.at):
        return sample
    snap = history.as_of(start)
    n = history.n_people
    inside = (outcomes.at >= start) & (outcomes.at < end)
    u, v = outcomes.u[inside], outcomes.v[inside]
    untied = np.asarray(snap.adjacency[u, v]).ravel() == 0 if len(u) else np.zeros(0, bool)
    u, v, label = u[untied], v[untied], outcomes.label[inside][untied]
    if not len(u):
        return sample
    keys = np.minimum(u, v) * n + np.maximum(u, v)
    kept = ~np.isin(sample.keys, keys)
    return TrainingSet(
        features=np.vstack([sample.features[kept], pair_features(snap, u, v, options.three_hops)]),
        labels=np.concatenate([sample.labels[kept], label.astype(np.int64)]),
        weights=np.concatenate([sample.weights[kept], np.full(len(u), options.outcome_weight)]),
        strata=np.concatenate([sample.strata[kept], np.full(len(u), -1)]),
        positives_missed=sample.positives_missed,
        keys=np.concatenate([sample.keys[kept], keys]),
    )


def _sample(
    labels: np.ndarray, stratum: np.ndarray, ratio: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indexes kept (all positives, sampled negatives per stratum) and their weights."""
    keep = np.zeros(len(labels), dtype=bool)
    weight = np.ones(len(labels))
    keep[labels] = True
    for s in np.unique(stratum):
        negatives = np.flatnonzero((stratum == s) & ~labels)
        if not len(negatives):
            continue
        positives = int(((stratum == s) & labels).sum())
        p = min(1.0, max(ratio * positives, NEGATIVE_FLOOR) / len(negatives))
        chosen = negatives[rng.random(len(negatives)) < p]
        keep[chosen] = True
        weight[chosen] = 1.0 / p
    index = np.flatnonzero(keep)
    return index, weight[index]
