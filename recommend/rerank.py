"""Boundary-aware re-ranking of collaborator suggestions (METRICS.md R5).

The model's score s of suggesting v to u becomes

    s′ = s · (1 + β · bridge) · load_penalty,
    bridge = x_τ · (1 − D_{g(u)g(v)} / max D) · (1 − φ),
    load_penalty = 1 / (1 + max(0, load − cap) / cap),

with x_τ = 1 iff u and v share no group of the boundary kind (M1), D the tie density
between their primary groups (METRICS.md X1; ``1 − D/max D`` is the snapshot's group
distance) and φ a conductance (S6: φ ≈ 0 is a closed group). METRICS.md takes φ of v's
group; ``closed="either"`` (the default) takes the more closed of the two groups,
min(φ_{g(u)}, φ_{g(v)}), so that an introduction that opens *u's* silo counts as much as
one into a closed group. People without a group bridge nothing (bridge = 0). ``load``
is what the suggested person already carries (pending introductions, mentees, times
suggested in this batch), ``cap`` what they can take.

After scoring, at least q = ``min_cross`` of the top k are cross-boundary items when the
candidates allow it: the best cross items below the cut replace the lowest non-cross items
above it (a constraint in the spirit of Carbonell & Goldstein 1998's diversification;
fairness of exposure through the load caps: Singh & Joachims 2018). With β = 0, q = 0 and
no cap the ranking is the plain one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from recommend.snapshot import Snapshot


@dataclass(frozen=True)
class BoundaryRerank:
    """Strength β, minimum cross items q, load cap, and which side's closure counts."""

    beta: float = 0.0
    min_cross: int = 0
    load_cap: float | None = None
    closed: Literal["target", "either"] = "either"

    def __post_init__(self) -> None:
        if self.beta < 0 or self.min_cross < 0:
            raise ValueError("beta and min_cross must be ≥ 0")
        if self.load_cap is not None and self.load_cap <= 0:
            raise ValueError("load_cap must be > 0")


PLAIN = BoundaryRerank()


def bridge_scores(
    snap: Snapshot, u: np.ndarray, v: np.ndarray, closed: str = "either"
) -> np.ndarray:
    """``x_τ · (1 − D/max D) · (1 − φ)`` per pair (see the module docstring).

    Examples
    --------
    >>> from analytics.projection import interaction_arrays
    >>> from graphsvc.model import Membership
    >>> from recommend.history import TieHistory
    >>> rows = [("a", "b", 0), ("b", "c", 0), ("c", "d", 0)]
    >>> members = [Membership(p, g) for p, g in zip("abcd", "xxyy")]
    >>> snap = TieHistory.build(interaction_arrays(rows), members).as_of(1)
    >>> bridge_scores(snap, np.array([0, 0]), np.array([1, 3])).round(3).tolist()
    [0.0, 0.5]
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    labels = snap.labels
    if len(u) == 0 or labels.n_groups == 0:
        return np.zeros(len(u))
    pu, pv = labels.primary[u], labels.primary[v]
    known = (pu >= 0) & (pv >= 0) & ~labels.internal(u, v)
    bridge = np.zeros(len(u))
    a, b = pu[known], pv[known]
    phi = (
        snap.conductance[b]
        if closed == "target"
        else np.minimum(snap.conductance[a], snap.conductance[b])
    )
    bridge[known] = snap.distance[a, b] * (1.0 - np.clip(phi, 0.0, 1.0))
    return bridge


def load_penalty(load: np.ndarray, cap: float | None) -> np.ndarray:
    """``1 / (1 + max(0, load − cap)/cap)``; 1 everywhere without a cap.

    Examples
    --------
    >>> load_penalty(np.array([0.0, 3.0, 6.0]), 3.0).tolist()
    [1.0, 1.0, 0.5]
    """
    load = np.asarray(load, dtype=np.float64)
    if cap is None:
        return np.ones(len(load))
    return 1.0 / (1.0 + np.maximum(0.0, load - cap) / cap)


def boosted(
    score: np.ndarray,
    bridge: np.ndarray,
    options: BoundaryRerank,
    load: np.ndarray | None = None,
) -> np.ndarray:
    """s′ = s · (1 + β · bridge) · load_penalty (``load`` None: no penalty)."""
    out = np.asarray(score, dtype=np.float64) * (1.0 + options.beta * np.asarray(bridge))
    if load is not None:
        out = out * load_penalty(load, options.load_cap)
    return out


def select_top_k(
    group: np.ndarray,
    score: np.ndarray,
    cross: np.ndarray,
    k: int,
    min_cross: int = 0,
    tiebreak: np.ndarray | None = None,
) -> np.ndarray:
    """Indexes of each group's top ``k`` by ``score`` (ties: smaller ``tiebreak``), with at
    least ``min_cross`` items where ``cross`` holds when the group has them; the result is
    ordered by group, then by score.

    Examples
    --------
    >>> group = np.array([0, 0, 0, 0])
    >>> score = np.array([0.9, 0.8, 0.7, 0.1])
    >>> cross = np.array([False, False, False, True])
    >>> select_top_k(group, score, cross, 2).tolist()
    [0, 1]
    >>> select_top_k(group, score, cross, 2, min_cross=1).tolist()
    [0, 3]
    """
    group = np.asarray(group)
    if len(group) == 0:
        return np.empty(0, dtype=np.int64)
    tie = np.arange(len(group)) if tiebreak is None else np.asarray(tiebreak)
    order = np.lexsort((tie, -np.asarray(score, dtype=np.float64), group))
    g = group[order]
    start = np.searchsorted(g, g, side="left")
    top = (np.arange(len(g)) - start) < k
    if min_cross > 0:
        top = _ensure_cross(g, start, top, np.asarray(cross, dtype=bool)[order], min_cross)
    return order[top]


def _ensure_cross(
    g: np.ndarray, start: np.ndarray, top: np.ndarray, cross: np.ndarray, q: int
) -> np.ndarray:
    """Swap the lowest non-cross items of each top list for the best cross items below."""
    _, slot = np.unique(g, return_inverse=True)
    below = ~top & cross
    above_plain = top & ~cross
    need = np.maximum(0, q - np.bincount(slot, top & cross))
    need = np.minimum(need, np.bincount(slot, below))
    need = np.minimum(need, np.bincount(slot, above_plain))
    promote = below & (_count_before(below, start) < need[slot])
    from_bottom = np.bincount(slot, above_plain)[slot] - 1 - _count_before(above_plain, start)
    demote = above_plain & (from_bottom < need[slot])
    return np.asarray((top & ~demote) | promote)


def _count_before(mask: np.ndarray, start: np.ndarray) -> np.ndarray:
    """For each position, how many earlier positions of its group have ``mask``."""
    running = np.cumsum(mask) - mask
    return np.asarray(running - running[start])
