"""Cohort matching: mentees to mentors, maximising total fit under capacities (METRICS.md R6).

The assignment problem with capacities, solved exactly as a rectangular assignment
(Kuhn 1955; Hungarian-type solver ``scipy.optimize.linear_sum_assignment``, Crouse 2016):
mentor ``m`` with ``c_m`` free slots becomes ``c_m`` columns, slot ``s`` (0-based) worth
``f[e, m] − λ·s`` for mentee ``e``; every mentee also has an "unmatched" column worth
``min_fit``. The optimum maximises

    Σ_matched (f[e, m] − min_fit) − λ · Σ_m load_m (load_m − 1) / 2

so a pair is made only when it beats leaving the mentee unmatched, and with ``λ > 0`` (the
**load-balance** option) a mentor's second, third … mentee must be worth λ, 2λ … more than
spreading them to another mentor. **Trade-off**: λ = 0 gives the best total fit and may fill
the most popular mentors to capacity while others get none; λ > 0 gives up some total fit
for an even load (the result reports both). A stable matching (Gale & Shapley 1962) would
instead guarantee that no mentee and mentor would both rather be together, at a lower total
fit; graphsvc maximises fit and reports load, because moderators review the pairs anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

#: the value of a forbidden pair (NaN fit): far below any real total
FORBIDDEN = -1e9


@dataclass(frozen=True)
class CohortMatch:
    """``pairs``: (mentee index, mentor index) sorted by mentee; ``unmatched`` mentee
    indexes; ``load`` per mentor; ``total_fit`` = Σ f over the pairs."""

    pairs: tuple[tuple[int, int], ...]
    unmatched: tuple[int, ...]
    load: np.ndarray
    total_fit: float

    def capacity_use(self, free: Sequence[int]) -> float:
        """Share of the free slots the match fills (0 when there were none)."""
        slots = int(np.sum(free))
        return len(self.pairs) / slots if slots else 0.0


def match_cohort(
    fit: np.ndarray, free: Sequence[int], *, min_fit: float = 0.0, balance: float = 0.0
) -> CohortMatch:
    """The optimal assignment of mentees (rows of ``fit``) to mentors (columns) described in
    the module doc; NaN fits are forbidden pairs, ``free[m]`` the slots of mentor ``m``.

    Examples
    --------
    >>> fit = np.array([[0.9, 0.8], [0.85, 0.1]])
    >>> match_cohort(fit, [1, 1]).pairs  # 0.8 + 0.85 beats 0.9 + 0.1
    ((0, 1), (1, 0))
    >>> match_cohort(fit, [2, 0]).pairs  # one mentor with two slots takes both
    ((0, 0), (1, 0))
    """
    fit = np.asarray(fit, dtype=float)
    n_mentees, n_mentors = fit.shape
    slots = np.minimum(np.maximum(np.asarray(free, dtype=np.int64), 0), n_mentees)
    if len(slots) != n_mentors:
        raise ValueError(f"free has {len(slots)} entries for {n_mentors} mentors")
    mentor_of_column = np.repeat(np.arange(n_mentors), slots)
    slot_of_column = np.concatenate([np.arange(c) for c in slots]) if len(slots) else slots
    gain = fit[:, mentor_of_column] - balance * slot_of_column[None, :] - min_fit
    gain = np.where(np.isnan(gain), FORBIDDEN, gain)
    values = np.hstack([gain, np.zeros((n_mentees, n_mentees))])
    rows, columns = linear_sum_assignment(values, maximize=True)
    pairs = [
        (int(e), int(mentor_of_column[c]))
        for e, c in zip(rows, columns, strict=True)
        if c < len(mentor_of_column) and values[e, c] > FORBIDDEN / 2 and values[e, c] >= 0
    ]
    matched = {e for e, _ in pairs}
    load = np.bincount([m for _, m in pairs], minlength=n_mentors)
    return CohortMatch(
        pairs=tuple(sorted(pairs)),
        unmatched=tuple(e for e in range(n_mentees) if e not in matched),
        load=load,
        total_fit=float(sum(fit[e, m] for e, m in pairs)),
    )
