"""Difference-in-differences of participants vs matched non-participants (METRICS.md §4 (ii)).

The panel holds, per person ``i`` and period ``t``, the outcome ``Y_it`` (cross-community
interactions) and the activity ``A_it`` (all interactions of the chosen kinds).

* **Matching** (:func:`match_controls`): each participant gets one non-participant of the
  same stratum (M3 primary community), without replacement: greedy nearest neighbour on the
  pre-period activity ``Σ_{t pre} A_it``, ties broken by the pre-period outcome, then at
  random; participants are taken in a random order. All draws come from one
  ``numpy.random.default_rng(seed)``. A participant with no candidate left is unmatched and
  dropped (reported).
* **Effect**: with ``d_i = mean_{t post} Y_it − mean_{t pre} Y_it`` (per person per period),
  ``τ = mean_{i∈T} d_i − mean_{j∈C} d_j`` over the matched pairs (Card & Krueger 1994;
  Angrist & Pischke 2009 ch. 5).
* **p-value**: randomisation inference (Fisher 1935; Imbens & Rubin 2015 ch. 5): the
  treatment labels are permuted ``permutations`` times among the matched pool (the 2m
  people), ``p = (1 + #{|τ*| ≥ |τ|}) / (P + 1)`` (two-sided); it tests the sharp null of no
  effect on anyone in the pool.
* **Interval**: percentile interval of a bootstrap over matched pairs (``bootstrap``
  resamples of the pair differences ``d_T − d_C``; a person-cluster bootstrap keeping each
  pair together; Efron & Tibshirani 1993).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analytics.intervention_series import POST, PRE, Estimate, plain
from graphsvc.errors import ValidationError

P_TOLERANCE = 1e-12  # a permuted effect within this of the observed one counts as extreme


@dataclass(frozen=True)
class Matching:
    """Matched pairs ``(treated[k], control[k])`` (person indexes) and the unmatched
    participants."""

    treated: np.ndarray
    control: np.ndarray
    unmatched: np.ndarray


def match_controls(
    treated: np.ndarray,
    stratum: np.ndarray,
    activity: np.ndarray,
    outcome: np.ndarray,
    *,
    eligible: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> Matching:
    """Greedy 1:1 nearest-neighbour matching within strata, without replacement.

    Parameters
    ----------
    treated
        Per person: took part.
    stratum
        Per person: the stratum (primary community, ``-1`` for none); matches stay inside.
    activity, outcome
        Per person: pre-period activity (distance) and outcome (first tie-break).
    eligible
        Per person: may serve as a control (default: everyone not treated).
    rng
        Random order of participants and last tie-break (default ``default_rng(0)``).

    Examples
    --------
    >>> treated = np.array([True, False, False, True, False])
    >>> m = match_controls(treated, np.array([0, 0, 0, 1, 1]), np.array([5, 1, 4, 2, 9]),
    ...                    np.zeros(5))
    >>> m.treated.tolist(), m.control.tolist(), m.unmatched.tolist()
    ([0, 3], [2, 4], [])
    """
    rng = np.random.default_rng(0) if rng is None else rng
    is_treated = np.asarray(treated, dtype=bool)
    free = ~is_treated if eligible is None else np.asarray(eligible, dtype=bool) & ~is_treated
    group = np.asarray(stratum, dtype=np.int64)
    score = np.asarray(activity, dtype=np.float64)
    second = np.asarray(outcome, dtype=np.float64)
    noise = rng.random(len(group))
    pairs: list[tuple[int, int]] = []
    unmatched: list[int] = []
    for person in rng.permutation(np.flatnonzero(is_treated)).tolist():
        candidates = np.flatnonzero(free & (group == group[person]))
        if not len(candidates):
            unmatched.append(person)
            continue
        order = np.lexsort(
            (
                noise[candidates],
                np.abs(second[candidates] - second[person]),
                np.abs(score[candidates] - score[person]),
            )
        )
        chosen = int(candidates[order[0]])
        free[chosen] = False
        pairs.append((person, chosen))
    pairs.sort()
    as_array = (
        np.array([p for p, _ in pairs], dtype=np.int64),
        np.array([c for _, c in pairs], dtype=np.int64),
    )
    return Matching(as_array[0], as_array[1], np.array(sorted(unmatched), dtype=np.int64))


@dataclass(frozen=True)
class DiDResult:
    """A matched difference-in-differences estimate (see the module docstring).

    ``effect.p`` is the randomisation p, ``effect.ci_low``/``ci_high`` the pair-bootstrap
    percentile interval, ``effect.se`` the standard error of the mean pair difference
    (descriptive). Means are per person per period; ``pairs`` holds person ids when given.
    """

    effect: Estimate
    treated_pre: float
    treated_post: float
    control_pre: float
    control_post: float
    matching: Matching
    pre_periods: int
    post_periods: int
    pre_activity_treated: float
    pre_activity_control: float
    permutations: int
    bootstrap: int
    seed: int
    pairs: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Keys: ``method`` ("did"), ``effect`` (an :class:`Estimate` dict: p from
        randomisation inference, interval from the pair bootstrap), ``p_method``,
        ``ci_method``, ``treated_pre``, ``treated_post``, ``control_pre``,
        ``control_post``, ``n_pairs``, ``n_unmatched``, ``pre_periods``, ``post_periods``,
        ``pre_activity_treated``, ``pre_activity_control``, ``permutations``,
        ``bootstrap``, ``seed``, ``pairs`` (``[participant id, control id]``)."""
        means = ("treated_pre", "treated_post", "control_pre", "control_post")
        balance = ("pre_activity_treated", "pre_activity_control")
        return {
            "method": "did",
            "effect": self.effect.to_dict(),
            "p_method": "randomisation inference (labels permuted in the matched pool)",
            "ci_method": "percentile bootstrap over matched pairs",
            **{name: plain(getattr(self, name)) for name in (*means, *balance)},
            "n_pairs": len(self.matching.treated),
            "n_unmatched": len(self.matching.unmatched),
            "pre_periods": self.pre_periods,
            "post_periods": self.post_periods,
            "permutations": self.permutations,
            "bootstrap": self.bootstrap,
            "seed": self.seed,
            "pairs": [list(pair) for pair in self.pairs],
        }


def difference_in_differences(
    outcome: np.ndarray,
    activity: np.ndarray,
    treated: np.ndarray,
    stratum: np.ndarray,
    phase: np.ndarray,
    *,
    eligible: np.ndarray | None = None,
    permutations: int = 999,
    bootstrap: int = 999,
    level: float = 0.95,
    seed: int = 0,
    person_ids: Sequence[str] | None = None,
) -> DiDResult:
    """Matched DiD on a person × period panel, with randomisation p and bootstrap interval.

    Parameters
    ----------
    outcome, activity
        ``n × P`` arrays: outcome ``Y_it`` and activity ``A_it`` per person and period.
    treated, stratum, eligible
        Per person, as in :func:`match_controls`.
    phase
        Per period: ``-1`` pre, ``1`` post, anything else left out (transition).
    permutations, bootstrap
        Randomisation permutations ``P`` and bootstrap resamples ``B``.
    level
        Two-sided interval level.
    seed
        Seeds matching, permutations and bootstrap (one generator, in that order).
    person_ids
        Person ids, to report the pairs by id.

    Returns
    -------
    DiDResult
        ``τ = mean_T(d) − mean_C(d)``, ``d_i = mean_post Y_i − mean_pre Y_i``.

    Examples
    --------
    >>> y = np.array([[0, 0, 3, 3], [0, 0, 0, 0], [1, 1, 4, 4], [1, 1, 1, 1.]])
    >>> result = difference_in_differences(y, y + 1, np.array([1, 0, 1, 0], bool),
    ...     np.zeros(4, int), np.array([-1, -1, 1, 1]), permutations=99, bootstrap=99)
    >>> result.effect.estimate, result.matching.control.tolist()
    (3.0, [1, 3])
    """
    y = np.asarray(outcome, dtype=np.float64)
    periods = np.asarray(phase)
    pre, post = periods == PRE, periods == POST
    if not pre.any() or not post.any():
        raise ValidationError("periods", "needs at least one pre and one post period")
    rng = np.random.default_rng(seed)
    pre_activity = np.asarray(activity, dtype=np.float64)[:, pre].sum(axis=1)
    matching = match_controls(
        treated, stratum, pre_activity, y[:, pre].sum(axis=1), eligible=eligible, rng=rng
    )
    if not len(matching.treated):
        raise ValidationError("participants", "no participant could be matched to a control")
    change = y[:, post].mean(axis=1) - y[:, pre].mean(axis=1)
    gaps = change[matching.treated] - change[matching.control]
    effect = float(gaps.mean())
    p = _randomisation_p(change, matching, effect, permutations, rng)
    low, high = _pair_bootstrap(gaps, bootstrap, level, rng)
    ids = () if person_ids is None else tuple(person_ids)
    return DiDResult(
        effect=Estimate(effect, low, high, p, se=_se(gaps), level=level),
        treated_pre=float(y[matching.treated][:, pre].mean()),
        treated_post=float(y[matching.treated][:, post].mean()),
        control_pre=float(y[matching.control][:, pre].mean()),
        control_post=float(y[matching.control][:, post].mean()),
        matching=matching,
        pre_periods=int(pre.sum()),
        post_periods=int(post.sum()),
        pre_activity_treated=float(pre_activity[matching.treated].mean()),
        pre_activity_control=float(pre_activity[matching.control].mean()),
        permutations=permutations,
        bootstrap=bootstrap,
        seed=seed,
        pairs=tuple(
            (ids[t], ids[c])
            for t, c in zip(matching.treated.tolist(), matching.control.tolist(), strict=True)
        )
        if ids
        else (),
    )


def _se(gaps: np.ndarray) -> float:
    """Standard error of the mean pair difference (NaN for one pair)."""
    return float(gaps.std(ddof=1) / math.sqrt(len(gaps))) if len(gaps) > 1 else math.nan


def _randomisation_p(
    change: np.ndarray,
    matching: Matching,
    effect: float,
    permutations: int,
    rng: np.random.Generator,
) -> float:
    """Two-sided p of ``τ`` over label permutations within the matched pool."""
    if permutations < 1:
        return math.nan
    pool = np.concatenate([matching.treated, matching.control])
    values = change[pool]
    m = len(matching.treated)
    labels = np.zeros((permutations, len(pool)), dtype=bool)
    labels[:, :m] = True
    labels = rng.permuted(labels, axis=1)
    total = values.sum()
    treated_sum = labels.astype(np.float64) @ values
    permuted = treated_sum / m - (total - treated_sum) / m
    extreme = int((np.abs(permuted) >= abs(effect) - P_TOLERANCE).sum())
    return (1 + extreme) / (permutations + 1)


def _pair_bootstrap(
    gaps: np.ndarray, resamples: int, level: float, rng: np.random.Generator
) -> tuple[float, float]:
    """Percentile interval of the mean pair difference over pair resamples."""
    if resamples < 1:
        return math.nan, math.nan
    draws = rng.integers(0, len(gaps), size=(resamples, len(gaps)))
    means = gaps[draws].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)
