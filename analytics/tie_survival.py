"""How long ties last: Kaplan–Meier survival of cross-community and internal ties
(METRICS.md §4, T4 "Kaplan–Meier tie lifetimes").

A tie (a pair with ≥ 1 interaction of the chosen kinds) lives from its first interaction
``f`` to its last ``l``. It has **ended** when nothing more happened within ``gap`` days
of ``l`` before the end of observation ``E`` (``E − l ≥ gap``): its lifetime is ``l − f``
(0 for a one-off contact). Otherwise it is still alive and **censored** at ``E − f``. A
tie is *cross* when its people share no group at the end of the month of its first
contact (rule M1, as the monthly window networks of :mod:`analytics.temporal`); ties
with an end holding no group are left out. Per community: the ties touching it.

The survival function is the product-limit estimator (Kaplan & Meier 1958)
``S(t) = Π_{t_i ≤ t} (1 − d_i / n_i)`` over the distinct lifetimes ``t_i`` with ``d_i``
ended ties and ``n_i`` ties at risk (lifetime ≥ ``t_i``), with Greenwood's variance
``v(t) = Σ_{t_i ≤ t} d_i / (n_i (n_i − d_i))`` and the log–log pointwise interval
``S(t)^{exp(± z √v / log S(t))}`` (Kalbfleisch & Prentice 2002, §1.3); the median
lifetime is the first ``t`` with ``S(t) ≤ ½`` and its interval the first times the
interval's bounds reach ½ (Brookmeyer & Crowley 1982).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.stats import norm

from analytics.projection import DEFAULT_KINDS
from analytics.temporal_period import EventIndex, counted_rows, prepare_events
from analytics.temporal_windows import MembershipArrays, membership_arrays, windows
from graphsvc.model import InteractionArrays, InteractionKind, Membership

DAY = 86_400
#: days at which the survival is reported
HORIZONS = (30, 90, 180, 365)
#: fewer ties than this in a curve: "insufficient data"
MIN_TIES = 30


@dataclass(frozen=True)
class SurvivalCurve:
    """The Kaplan–Meier step function: at each distinct ended lifetime ``times`` (days),
    the ties at risk, those ended, ``S`` just after it and its pointwise interval."""

    n: int
    times: np.ndarray
    at_risk: np.ndarray
    ended: np.ndarray
    survival: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def at(self, days: float) -> tuple[float, float, float]:
        """``(S, low, high)`` at ``days`` (1 before the first ended lifetime)."""
        k = int(np.searchsorted(self.times, days, side="right")) - 1
        if k < 0:
            return 1.0, 1.0, 1.0
        return float(self.survival[k]), float(self.low[k]), float(self.high[k])

    def median(self) -> tuple[float, float, float]:
        """Median lifetime and its interval (NaN where the curve or a bound stays > ½)."""
        return tuple(  # type: ignore[return-value]
            _first_at_or_below(self.times, curve, 0.5)
            for curve in (self.survival, self.low, self.high)
        )

    def summary(self) -> dict[str, Any]:
        """Plain values: n, ended, median with its interval, S at :data:`HORIZONS`."""
        median, low, high = self.median()
        out: dict[str, Any] = {
            "n": self.n,
            "ended": int(self.ended.sum()),
            "median_days": _plain(median),
            "median_low": _plain(low),
            "median_high": _plain(high),
        }
        for days in HORIZONS:
            s, s_low, s_high = self.at(days)
            out[f"surviving_{days}d"] = {"value": s, "low": s_low, "high": s_high}
        return out


def kaplan_meier(durations: np.ndarray, ended: np.ndarray, level: float = 0.9) -> SurvivalCurve:
    """The :class:`SurvivalCurve` of ``durations`` (days), ``ended`` False where censored
    (module docstring).

    Examples
    --------
    >>> curve = kaplan_meier(np.array([1, 2, 2, 3, 4.0]), np.array([1, 1, 0, 1, 0], bool))
    >>> curve.times.tolist(), curve.at_risk.tolist(), np.round(curve.survival, 4).tolist()
    ([1.0, 2.0, 3.0], [5, 4, 2], [0.8, 0.6, 0.3])
    >>> curve.median()[0]
    3.0
    """
    durations, ended = np.asarray(durations, float), np.asarray(ended, bool)
    times = np.unique(durations[ended])
    order = np.sort(durations)
    at_risk = len(order) - np.searchsorted(order, times, side="left")
    counts = np.bincount(np.searchsorted(times, durations[ended]), minlength=len(times))
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - counts / at_risk)
        greenwood = np.cumsum(counts / (at_risk * (at_risk - counts)))
        spread = norm.ppf((1 + level) / 2) * np.sqrt(greenwood) / np.log(survival)
        low = survival ** np.exp(-spread)
        high = survival ** np.exp(spread)
    low = np.where(survival > 0, np.where(np.isfinite(low), low, 0.0), 0.0)
    high = np.where(survival > 0, np.where(np.isfinite(high), high, 1.0), 0.0)
    high = np.where(survival >= 1, 1.0, high)
    return SurvivalCurve(len(durations), times, at_risk, counts, survival, low, high)


@dataclass(frozen=True)
class TieLifetimes:
    """Per tie: its people (``low``/``high`` person indexes), lifetime or censoring time
    in days, whether it ended, whether it crosses, and the groups it touches (ties ×
    groups, 0/1)."""

    groups: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    days: np.ndarray
    ended: np.ndarray
    cross: np.ndarray
    touching: sp.csr_matrix

    def curves(self, level: float = 0.9) -> dict[tuple[str, str], SurvivalCurve]:
        """Curves per (scope, ``"cross"``/``"internal"``), scope ``"network"`` or a group."""
        out: dict[tuple[str, str], SurvivalCurve] = {}
        scopes = [("network", np.ones(len(self.days), bool))] + [
            (group, self.touching[:, k].toarray().ravel() > 0)
            for k, group in enumerate(self.groups)
        ]
        for scope, mask in scopes:
            for name, kind in (("cross", self.cross), ("internal", ~self.cross)):
                chosen = mask & kind
                out[(scope, name)] = kaplan_meier(self.days[chosen], self.ended[chosen], level)
        return out


def survival_rows(
    lifetimes: TieLifetimes, community: str | None = None, level: float = 0.9
) -> list[dict[str, Any]]:
    """One plain row per curve (:meth:`SurvivalCurve.summary` plus ``scope``, ``ties``
    ``"cross"``/``"internal"`` and ``insufficient``: fewer than :data:`MIN_TIES` ties), for
    the network and every group, or the network and ``community`` only."""
    return [
        {"scope": scope, "ties": kind, **curve.summary(), "insufficient": curve.n < MIN_TIES}
        for (scope, kind), curve in lifetimes.curves(level).items()
        if community in (None, scope) or scope == "network"
    ]


def survival_of(
    events: InteractionArrays,
    memberships: Iterable[Membership],
    kinds: Sequence[InteractionKind] = DEFAULT_KINDS,
    *,
    community: str | None = None,
    gap_days: float = 90.0,
    formed_from: int | None = None,
    formed_until: int | None = None,
) -> list[dict[str, Any]] | None:
    """:func:`survival_rows` of the interactions of ``kinds`` under ``memberships`` (one
    boundary kind); None when there is no such interaction yet."""
    if not counted_rows(events, kinds).any():
        return None
    members = membership_arrays(memberships, events.person_ids)
    lifetimes = tie_lifetimes(
        prepare_events(events, kinds),
        members,
        gap_days=gap_days,
        formed_from=formed_from,
        formed_until=formed_until,
    )
    return survival_rows(lifetimes, community)


def tie_lifetimes(
    index: EventIndex,
    members: MembershipArrays,
    *,
    gap_days: float = 90.0,
    end: int | None = None,
    formed_from: int | None = None,
    formed_until: int | None = None,
) -> TieLifetimes:
    """The :class:`TieLifetimes` of the ties in ``index`` (module docstring), observed
    until ``end`` (default: the last interaction), for the ties first formed in
    ``[formed_from, formed_until)`` when given.

    Examples
    --------
    >>> from analytics.projection import interaction_arrays, DEFAULT_KINDS
    >>> from analytics.temporal_period import prepare_events
    >>> from analytics.temporal_windows import membership_arrays
    >>> from graphsvc.model import Membership
    >>> d = 86_400
    >>> events = interaction_arrays([("a", "b", 0), ("a", "b", 10 * d), ("a", "c", 5 * d),
    ...     ("b", "c", 200 * d)])
    >>> members = membership_arrays([Membership("a", "x"), Membership("b", "x"),
    ...     Membership("c", "y")], events.person_ids)
    >>> ties = tie_lifetimes(prepare_events(events, DEFAULT_KINDS), members)
    >>> ties.days.tolist(), ties.ended.tolist(), ties.cross.tolist()
    ([10.0, 0.0, 0.0], [True, True, False], [False, True, True])
    """
    until = int(index.at[-1]) if end is None else int(end)
    seen = index.at <= until
    first = index.first_contact
    last = np.full(len(first), np.iinfo(np.int64).min)
    np.maximum.at(last, index.pair[seen], index.at[seen])
    keep = last >= first  # pairs first met after ``until`` have no ``last``
    if formed_from is not None:
        keep &= first >= formed_from
    if formed_until is not None:
        keep &= first < formed_until
    ties = np.flatnonzero(keep)
    first, last = first[ties], last[ties]
    cross, touching, held = _classify(index, members, ties, first)
    ended = until - last >= gap_days * DAY
    days = np.where(ended, last - first, until - first) / DAY
    return TieLifetimes(
        groups=members.groups,
        low=index.pair_low[ties][held],
        high=index.pair_high[ties][held],
        days=days[held],
        ended=ended[held],
        cross=cross[held],
        touching=touching[held],
    )


def _classify(
    index: EventIndex, members: MembershipArrays, ties: np.ndarray, first: np.ndarray
) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray]:
    """Cross flags and touched groups under the memberships at the end of each tie's
    first month, and which ties have both ends in a group."""
    g = len(members.groups)
    cross = np.zeros(len(ties), bool)
    held = np.zeros(len(ties), bool)
    parts: list[sp.csr_matrix] = []
    rows: list[np.ndarray] = []
    if len(ties):
        months = windows(int(first.min()), int(first.max()), "month")
        month = np.searchsorted(months.end, first, side="right")
        for m in np.unique(month):
            chosen = np.flatnonzero(month == m)
            member = members.at(int(months.end[m]))
            u, v = member[index.pair_low[ties[chosen]]], member[index.pair_high[ties[chosen]]]
            held[chosen] = (np.diff(u.indptr) > 0) & (np.diff(v.indptr) > 0)
            cross[chosen] = np.asarray(u.multiply(v).sum(axis=1)).ravel() == 0
            parts.append(sp.csr_matrix((u + v) > 0, dtype=np.float64))
            rows.append(chosen)
    touching = sp.csr_matrix((len(ties), g))
    if parts:
        order = np.argsort(np.concatenate(rows), kind="stable")
        touching = sp.csr_matrix(sp.vstack(parts).tocsr()[order])
    return cross, touching, held


def _first_at_or_below(times: np.ndarray, curve: np.ndarray, threshold: float) -> float:
    below = np.flatnonzero(curve <= threshold)
    return float(times[below[0]]) if len(below) else float("nan")


def _plain(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
