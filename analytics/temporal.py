"""Boundary-crossing indicators per period, with uncertainty (METRICS.md §4, T1–T7).

:func:`temporal_indicators` cuts the interactions into windows
(:mod:`analytics.temporal_windows`: monthly, quarterly or sliding, ``[start, end)`` UTC) and
computes, per window, for the whole network and for each group of one boundary kind (the
memberships passed in), with numpy over the event arrays (no graph is built):

* the **window network**: the window's interactions of the chosen kinds (default: all but
  co-attendance, METRICS.md §0) between people holding ≥ 1 group at the window's end; its
  people are the window's *active* people (:mod:`analytics.temporal_period`). Ties are the
  unordered pairs with ≥ 1 interaction; a tie is *cross* when its people share no group
  (rule M1 shared-any). ``ω`` is 1 per interaction (``weighting="count"``, the default) or
  the interaction's weight (``"weight"``);
* **T1** ``cross_share`` ``X = Σ ω x / Σ ω`` over the interactions (per group: those
  touching a member); ``cross_share_baseline`` the same under label sets permuted among
  the window's people (exact random-mixing mean, or ``baseline_permutations`` draws);
  ``unaffiliated_share`` (network only) the share of ω left out because an end holds no
  group;
* **T2** ``active_spanners`` (count) and ``active_spanner_share``: ≥ 1 internal tie and
  cross ties reaching ≥ 2 other groups (METRICS.md B7);
* **T3** ``new_cross_ties`` (the pair's first interaction ever, over the whole history
  given) and ``reactivated_cross_ties`` (seen before, not in the previous period);
* **T4** ``retention`` of the previous period's cross ties and ``jaccard`` of consecutive
  tie sets (previous period: :class:`~analytics.temporal_windows.Windows`);
* **T5** ``ei_excess`` ``EI − EI₀`` on ties (:func:`analytics.ei.ei_index` on the window
  network), ``ei_p`` its one-sided permutation p (small: more inward-looking than random
  mixing), ``ei_q`` (groups only) Benjamini–Hochberg q over the window's sufficient groups;
* **T6** ``pairs_connected`` (share of pairs of present groups with ``D_AB > 0``; per group
  the share of other groups it reaches) and ``fragile_pairs`` (``K_AB = 1``);
* **T7** ``reach_2``: median number of other groups within two steps.

Every indicator carries a 90% person-cluster bootstrap interval (Poisson multiplicities
per person, :mod:`analytics.temporal_bootstrap`; B = 200 by default, 2000 for reports):
percentile intervals of the rescaled replicates for the ratios (T1, T2 share, T4, T5
excess); for the counts (T2, T3) those of the count as a share of the active people or of
the possible pairs, times them (:func:`analytics.temporal_sums.pair_count`); T6 the normal
interval of the node bootstrap recomputed on each replicate's network and T7 the
percentile interval of the median over resampled people (:mod:`analytics.temporal_reach`).
Tests and references carry none: ``ei_p``, ``ei_q``, ``unaffiliated_share`` and
``cross_share_baseline`` (its permutation band when drawn). Every value carries its
``n_interactions`` (window network interactions; per group those touching a member) and
``n_active`` (active people; per group its active members) and is ``insufficient`` when
``n_interactions < min_interactions`` (30) or ``n_active < min_active`` (5) (METRICS.md §4).

**Rows** (:meth:`IndicatorTable.to_rows`), one plain dict per (window, scope, indicator),
keys in this order: ``period_start``, ``period_end`` (ISO 8601 UTC, ``…Z``; the window is
``[start, end)``), ``scope`` (``"network"`` or the community id), ``indicator`` (a name
above), ``code`` (``"T1"``…``"T7"``), ``value``, ``low``, ``high`` (floats, ``None`` where
undefined or without an interval), ``n_interactions``, ``n_active`` (ints),
``insufficient``, ``burn_in`` (booleans; burn-in windows have no known history before them,
so a row of T3 or T4 in one is also ``insufficient``: every tie would look new).

References: Krackhardt & Stern (1988) E-I; Tushman & Scanlan (1981), Levina & Vaast (2005)
spanners; Granovetter (1973) weak ties; Snijders & Borgatti (1999), Efron & Tibshirani
(1993) bootstrap; Benjamini & Hochberg (1995) FDR; Künsch (1989) block bootstrap.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from analytics.temporal_bootstrap import benjamini_hochberg, replicate_counts
from analytics.temporal_measures import (
    active_spanners,
    cross_baseline,
    cross_share,
    ei_excess,
    tie_origins,
)
from analytics.temporal_period import EventIndex, Period, build_period, prepare_events
from analytics.temporal_reach import group_links, reach_two
from analytics.temporal_sums import Cell, PeriodSums, period_sums, persistence
from analytics.temporal_table import (
    GROUPS_ONLY,
    INDICATORS,
    NETWORK_ONLY,
    ROW_KEYS,
    Estimate,
    IndicatorTable,
    TemporalOptions,
)
from analytics.temporal_windows import Frequency, MembershipArrays, Windows, windows
from graphsvc.model import InteractionArrays

__all__ = [
    "GROUPS_ONLY",
    "INDICATORS",
    "NETWORK_ONLY",
    "ROW_KEYS",
    "Estimate",
    "IndicatorTable",
    "TemporalOptions",
    "temporal_indicators",
]


def temporal_indicators(
    events: InteractionArrays,
    members: MembershipArrays,
    windows_or_frequency: Windows | Frequency = "month",
    options: TemporalOptions | None = None,
) -> IndicatorTable:
    """T1–T7 per window for the network and each group (METRICS.md §4; module docstring).

    Parameters
    ----------
    events
        All interactions up to the last window (the history before the first window
        decides which ties are new; pass it all).
    members
        Memberships of one boundary kind over ``events.person_ids``
        (:func:`~analytics.temporal_windows.membership_arrays`).
    windows_or_frequency
        :class:`~analytics.temporal_windows.Windows`, or ``"month"``, ``"quarter"`` or
        ``"sliding"`` (90 d every 30 d) over the span of the interactions.
    options
        Kinds, weighting, bootstrap, permutations, minimums, seed.

    Returns
    -------
    IndicatorTable
        Deterministic for a given ``options.seed``.

    Examples
    --------
    >>> from analytics.projection import interaction_arrays
    >>> from analytics.temporal_windows import membership_arrays
    >>> from graphsvc.model import Membership
    >>> events = interaction_arrays([("a", "b", 0), ("a", "c", 10), ("a", "c", 40)])
    >>> members = membership_arrays([Membership("a", "x"), Membership("b", "x"),
    ...     Membership("c", "y")], events.person_ids)
    >>> table = temporal_indicators(events, members, Windows.of([0, 30], [30, 60]),
    ...     TemporalOptions(replicates=10, permutations=0))
    >>> table.network("cross_share").value.tolist(), table.network("retention").value.tolist()
    ([0.5, 1.0], [nan, 1.0])
    """
    options = options or TemporalOptions()
    if members.n_people != len(events.person_ids):
        raise ValueError("members must index the same people as events (membership_arrays)")
    index = prepare_events(events, options.kinds, options.weighting)
    if isinstance(windows_or_frequency, Windows):
        cut = windows_or_frequency
    else:
        if not len(index.at):
            raise ValueError("no interactions of the chosen kinds to cut windows from")
        cut = windows(int(index.at[0]), int(index.at[-1]), windows_or_frequency)
    counts = replicate_counts(index.n_people, options.replicates, options.seed)
    as_float = counts.astype(np.float32)
    buffer = np.empty_like(as_float)  # a window's people's counts, reused
    cells: list[dict[str, Cell]] = []
    sizes: list[tuple[np.ndarray, np.ndarray]] = []
    with _Periods(index, members, counts) as periods:
        for t in range(len(cut)):
            now = periods.get(int(cut.start[t]), int(cut.end[t]))
            before = periods.get(int(cut.prev_start[t]), int(cut.prev_end[t]))
            if t + 1 < len(cut):  # build the next window's periods meanwhile
                periods.forget_before(int(cut.prev_start[t + 1]))
                periods.prefetch(int(cut.start[t + 1]), int(cut.end[t + 1]))
                periods.prefetch(int(cut.prev_start[t + 1]), int(cut.prev_end[t + 1]))
            drawn = buffer[: now[0].n]
            np.take(as_float, now[0].people, axis=0, out=drawn)
            cells.append(_window_cells(now, before, index, counts, drawn, options, t))
            sizes.append(_sizes(now[0]))
    return _table(cut, members.groups, options, cells, sizes)


class _Periods:
    """The periods windows read, each built once (:func:`~analytics.temporal_period.
    build_period` and :func:`~analytics.temporal_sums.period_sums`) on one background
    thread, so the next window's periods are built while this one's indicators run."""

    def __init__(self, index: EventIndex, members: MembershipArrays, counts: np.ndarray) -> None:
        self._args = (index, members, counts)
        self._pool = ThreadPoolExecutor(1)
        self._built: dict[tuple[int, int], Future[tuple[Period, PeriodSums]]] = {}

    def __enter__(self) -> _Periods:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def prefetch(self, start: int, end: int) -> None:
        if (start, end) not in self._built:
            self._built[(start, end)] = self._pool.submit(_build, *self._args, start, end)

    def get(self, start: int, end: int) -> tuple[Period, PeriodSums]:
        self.prefetch(start, end)
        return self._built[(start, end)].result()

    def forget_before(self, start: int) -> None:
        """Drop the periods starting before ``start`` (no later window reads them)."""
        for key in [k for k in self._built if k[0] < start]:
            del self._built[key]


def _build(
    index: EventIndex, members: MembershipArrays, counts: np.ndarray, start: int, end: int
) -> tuple[Period, PeriodSums]:
    period = build_period(index, members, start, end)
    return period, period_sums(period, index, counts)


def _sizes(period: Period) -> tuple[np.ndarray, np.ndarray]:
    """Interactions and active people per scope (network, then groups)."""
    touching = np.asarray(period.touching.T @ period.count).ravel()
    members = np.asarray(period.member.sum(axis=0)).ravel()
    return (
        np.concatenate([[period.interactions], touching]),
        np.concatenate([[period.n], members]),
    )


def _window_cells(
    current: tuple[Period, PeriodSums],
    previous: tuple[Period, PeriodSums],
    index: EventIndex,
    counts: np.ndarray,
    drawn: np.ndarray,
    options: TemporalOptions,
    t: int,
) -> dict[str, Cell]:
    """Every indicator of window ``t``; ``counts`` are the multiplicities of all people,
    ``drawn`` those of the window's people as float32."""
    level = options.level
    (now, now_sums), (before, before_sums) = current, previous
    cross = cross_share(now_sums, level)
    spanners, spanner_share = active_spanners(now, drawn, level)
    new, reactivated = tie_origins(now, before, index, drawn, level)
    retention, jaccard = persistence(now, before, now_sums, before_sums, counts, level)
    connected, fragile = group_links(now, drawn, level)
    state = np.random.SeedSequence([options.seed, t]).generate_state(2)
    nothing = np.full(1 + now.n_groups, np.nan)
    excess, p, group_counts = (
        ei_excess(
            now,
            now_sums,
            drawn,
            permutations=options.permutations,
            seed=int(state[0]),
            level=level,
        )
        if now.n >= 2
        else (Cell.point(nothing), nothing, None)
    )
    baseline = cross_baseline(
        now, options.baseline_permutations, np.random.default_rng(state[1]), level, group_counts
    )
    unaffiliated = np.full(1 + now.n_groups, np.nan)
    unaffiliated[0] = now.unaffiliated_share
    return {
        "cross_share": cross,
        "cross_share_baseline": baseline,
        "unaffiliated_share": Cell.point(unaffiliated),
        "active_spanners": spanners,
        "active_spanner_share": spanner_share,
        "new_cross_ties": new,
        "reactivated_cross_ties": reactivated,
        "retention": retention,
        "jaccard": jaccard,
        "ei_excess": excess,
        "ei_p": Cell.point(p),
        "pairs_connected": connected,
        "fragile_pairs": fragile,
        "reach_2": reach_two(now, drawn, level),
    }


def _table(
    cut: Windows,
    groups: tuple[str, ...],
    options: TemporalOptions,
    cells: list[dict[str, Cell]],
    sizes: list[tuple[np.ndarray, np.ndarray]],
) -> IndicatorTable:
    width = 1 + len(groups)
    empty = np.zeros((0, width))
    n_interactions = np.array([s[0] for s in sizes]).reshape(-1, width)
    n_active = np.array([s[1] for s in sizes]).reshape(-1, width)
    insufficient = (n_interactions < options.min_interactions) | (n_active < options.min_active)
    estimates: dict[str, Estimate] = {}
    for name in INDICATORS:
        if name == "ei_q":
            continue
        parts = [c[name] for c in cells]
        stacked = [
            np.array([getattr(c, a) for c in parts]).reshape(-1, width) if parts else empty
            for a in ("value", "low", "high")
        ]
        estimates[name] = Estimate(*stacked)
    p = estimates["ei_p"].value
    q = np.full(p.shape, np.nan)
    for t in range(len(cut)):
        family = np.where(insufficient[t, 1:], np.nan, p[t, 1:])
        q[t, 1:] = benjamini_hochberg(family)
    estimates["ei_q"] = Estimate(q, np.full(q.shape, np.nan), np.full(q.shape, np.nan))
    estimates = {name: estimates[name] for name in INDICATORS}
    return IndicatorTable(cut, groups, options, n_interactions, n_active, insufficient, estimates)
