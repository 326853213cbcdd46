"""The result of :func:`analytics.temporal.temporal_indicators`: values per window and
scope, and the plain rows the store and the exports read (keys: :data:`ROW_KEYS`, documented
in :mod:`analytics.temporal`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from analytics.projection import DEFAULT_KINDS
from analytics.temporal_windows import Windows, iso
from graphsvc.model import InteractionKind

#: indicator name → METRICS.md §4 code, in row order
#: indicators that compare with earlier periods: in a burn-in window (no known history
#: before it) every tie would look new, so their rows are flagged ``insufficient``
NEEDS_HISTORY = ("T3", "T4")
INDICATORS: dict[str, str] = {
    "cross_share": "T1",
    "cross_share_baseline": "T1",
    "unaffiliated_share": "T1",
    "active_spanners": "T2",
    "active_spanner_share": "T2",
    "new_cross_ties": "T3",
    "reactivated_cross_ties": "T3",
    "retention": "T4",
    "jaccard": "T4",
    "ei_excess": "T5",
    "ei_p": "T5",
    "ei_q": "T5",
    "pairs_connected": "T6",
    "fragile_pairs": "T6",
    "reach_2": "T7",
}
NETWORK_ONLY = frozenset({"unaffiliated_share"})
GROUPS_ONLY = frozenset({"ei_q"})
ROW_KEYS = (
    "period_start", "period_end", "scope", "indicator", "code", "value", "low", "high",
    "n_interactions", "n_active", "insufficient", "burn_in",
)  # fmt: skip


@dataclass(frozen=True)
class TemporalOptions:
    """What to count and how to qualify it (:mod:`analytics.temporal`).

    ``kinds``: interaction kinds (default: all but co-attendance); ``weighting``: ω = 1 per
    interaction (``"count"``) or its weight (``"weight"``); ``replicates``: bootstrap B
    (200; 2000 for reported intervals); ``level``: interval coverage (0.9);
    ``permutations``: label permutations of the T5 test (99: p resolution 0.01; they cost
    about 40% of the run time at 10M interactions); ``baseline_permutations``: draws for
    the T1 baseline (0: its exact random-mixing value, no band); ``min_interactions`` /
    ``min_active``: the "insufficient data" minimums (METRICS.md §4: 30 and 5).

    ``seed`` makes a run reproducible: the bootstrap multiplicities are
    :func:`~analytics.temporal_bootstrap.replicate_counts` ``(n_people, replicates, seed)``;
    window ``t`` seeds its T5 permutations (:func:`analytics.ei.ei_index`'s ``seed``) and its
    T1 baseline draws with the two numbers of
    ``numpy.random.SeedSequence([seed, t]).generate_state(2)``.
    """

    kinds: tuple[InteractionKind, ...] = DEFAULT_KINDS
    weighting: Literal["count", "weight"] = "count"
    replicates: int = 200
    level: float = 0.9
    permutations: int = 99
    baseline_permutations: int = 0
    min_interactions: int = 30
    min_active: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", tuple(InteractionKind(k) for k in self.kinds))
        if self.weighting not in ("count", "weight"):
            raise ValueError("weighting must be 'count' or 'weight'")
        if self.replicates < 1 or not 0 < self.level < 1:
            raise ValueError("replicates must be ≥ 1 and level between 0 and 1")
        if self.permutations < 0 or self.baseline_permutations < 0:
            raise ValueError("permutations must be ≥ 0")


@dataclass(frozen=True)
class Estimate:
    """Values of one indicator, ``windows × (1 + groups)``: column 0 the network, column
    ``1 + k`` group ``k``; ``low``/``high`` NaN where there is no interval."""

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class IndicatorTable:
    """T1–T7 per window (rows of :attr:`windows`) and scope (column 0 the network, column
    ``1 + k`` group ``groups[k]``), with ``n_interactions``, ``n_active`` and
    ``insufficient`` of the same shape; ``estimates`` maps each name of
    :data:`INDICATORS` to its :class:`Estimate`."""

    windows: Windows
    groups: tuple[str, ...]
    options: TemporalOptions
    n_interactions: np.ndarray
    n_active: np.ndarray
    insufficient: np.ndarray
    estimates: dict[str, Estimate] = field(repr=False)

    def network(self, name: str) -> Estimate:
        """One indicator for the whole network, arrays indexed by window."""
        e = self.estimates[name]
        return Estimate(e.value[:, 0], e.low[:, 0], e.high[:, 0])

    def group(self, name: str, group: str) -> Estimate:
        """One indicator for one group (by id), arrays indexed by window."""
        column = 1 + self.groups.index(group)
        e = self.estimates[name]
        return Estimate(e.value[:, column], e.low[:, column], e.high[:, column])

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain dict per (window, scope, indicator); keys :data:`ROW_KEYS`.

        Examples
        --------
        >>> from analytics.projection import interaction_arrays
        >>> from analytics.temporal import temporal_indicators
        >>> from analytics.temporal_windows import membership_arrays
        >>> from graphsvc.model import Membership
        >>> events = interaction_arrays([("a", "b", 0), ("a", "c", 10), ("b", "c", 20)])
        >>> members = membership_arrays([Membership("a", "x"), Membership("b", "x"),
        ...     Membership("c", "y")], events.person_ids)
        >>> table = temporal_indicators(events, members, Windows.of([0], [30]),
        ...     TemporalOptions(replicates=20, permutations=9))
        >>> row = table.to_rows()[0]
        >>> row["period_start"], row["scope"], row["indicator"], round(row["value"], 4)
        ('1970-01-01T00:00:00Z', 'network', 'cross_share', 0.6667)
        >>> row["n_interactions"], row["n_active"], row["insufficient"], row["burn_in"]
        (3, 3, True, True)
        """
        return list(self._rows())

    def _rows(self) -> Iterator[dict[str, Any]]:
        scopes = ("network", *self.groups)
        for t in range(len(self.windows)):
            start, end = iso(self.windows.start[t]), iso(self.windows.end[t])
            burn_in = bool(self.windows.burn_in[t])
            for column, scope in enumerate(scopes):
                for name, code in INDICATORS.items():
                    if (name in NETWORK_ONLY and column) or (name in GROUPS_ONLY and not column):
                        continue
                    e = self.estimates[name]
                    yield {
                        "period_start": start,
                        "period_end": end,
                        "scope": scope,
                        "indicator": name,
                        "code": code,
                        "value": _plain(e.value[t, column]),
                        "low": _plain(e.low[t, column]),
                        "high": _plain(e.high[t, column]),
                        "n_interactions": int(self.n_interactions[t, column]),
                        "n_active": int(self.n_active[t, column]),
                        "insufficient": bool(self.insufficient[t, column])
                        or (burn_in and code in NEEDS_HISTORY),
                        "burn_in": burn_in,
                    }


def _plain(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
