"""Silo and cohesion metrics of boundary groups (METRICS.md S2, S3, S6, S7) and the silo rule.

Ties, ``I_g``, ``E_g`` and the pair counts of random mixing are those of :mod:`analytics.ei`
(undirected ties and label sets of :mod:`analytics.label_sets`, rule M1; ``measure``
``"ties"``, ``"count"`` or ``"weight"``). Group rows follow ``labels.groups``; a value that
is undefined (a zero denominator) is NaN.

**Silo rule** (:func:`silo_report`): a group is a silo when its E-I is below its expected
value EI₀, the permutation p-value is below ``alpha`` (0.05), and fewer than
``max_carrier_share`` (half) of its *active* members (those with a tie in the window) carry
cross-group ties (a *carrier* has at least one tie to a person outside the group, including
through a membership shared elsewhere). It reads: inward-looking beyond chance, with its
outside contact resting on a minority of the members who take part (members who never
interact, lurkers, neither help nor hurt). In the demo world the planted silo has 21–39 %
carriers, every other CoP over 80 %; a share, unlike a count, means the same in a group of
10 and of 1,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np

from analytics.ei import EIResult, GroupCounts, ei_and_counts, group_counts
from analytics.groups import GroupLabels
from analytics.label_sets import (
    LabelSets,
    Measure,
    TieTable,
    label_sets,
    slot_shares,
    tie_table,
)


def _ratio(numerator: np.ndarray | float, denominator: np.ndarray | float) -> np.ndarray:
    """``numerator / denominator``, NaN where the denominator is 0."""
    top, bottom = np.asarray(numerator, float), np.asarray(denominator, float)
    top, bottom = np.broadcast_arrays(top, bottom)
    quotient: np.ndarray = np.divide(top, bottom, out=np.full(top.shape, np.nan), where=bottom != 0)
    return quotient


@dataclass(frozen=True)
class DensityRatio:
    """S2: per group ``rho`` and ``log_rho``; network ``freeman`` segregation."""

    groups: tuple[str, ...]
    rho: np.ndarray
    log_rho: np.ndarray
    freeman: float


def density_ratio(
    graph: ig.Graph, labels: GroupLabels, *, measure: Measure = "ties", pseudo_count: float = 0.0
) -> DensityRatio:
    """Density ratio and Freeman segregation (METRICS.md S2; Freeman 1978; Bojanowski &
    Corten 2014).

    ``ρ_g = ((E_g + c)/E*_g)/((I_g + c)/I*_g)``, with ``I*_g = n_g(n_g−1)/2`` and ``E*_g``
    the member–outsider pairs (``n_g(N−n_g)`` for single labels) and pseudo-count ``c``
    (default 0). ``ρ = 1`` is random mixing, ``ρ < 1`` a silo; NaN when ``n_g < 2``,
    ``E*_g = 0`` or ``I_g + c = 0``; ``log ρ = −inf`` when ``E_g + c = 0``. Freeman:
    ``S = 1 − E/E_exp`` with ``E_exp = T·E*/(E* + I*)`` for ``T`` = all ties.

    Examples
    --------
    >>> g = ig.Graph(n=4, edges=[(0, 1), (2, 3), (1, 2)])
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}, {0}, {1}, {1}])
    >>> d = density_ratio(g, labels)
    >>> d.rho.tolist(), round(d.freeman, 4)
    ([0.25, 0.25], 0.5)
    """
    return _density_ratio(group_counts(tie_table(graph, measure), labels), pseudo_count)


def _density_ratio(counts: GroupCounts, pseudo_count: float) -> DensityRatio:
    outside = _ratio(counts.external + pseudo_count, counts.pairs_external)
    inside = _ratio(counts.internal + pseudo_count, counts.pairs_internal)
    rho = _ratio(outside, inside)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rho = np.log(rho)
    pairs_external = counts.network_pairs - counts.network_pairs_internal
    expected = counts.total * pairs_external / counts.network_pairs if counts.n_vertices > 1 else 0
    external = counts.total - counts.network_internal
    return DensityRatio(counts.groups, rho, log_rho, float(1 - _ratio(external, expected)))


@dataclass(frozen=True)
class Insularity:
    """S3: per group population share ``share`` (w_g), ``h`` (H_g) and ``ih`` (IH_g)."""

    groups: tuple[str, ...]
    share: np.ndarray
    h: np.ndarray
    ih: np.ndarray


def insularity(graph: ig.Graph, labels: GroupLabels, *, measure: Measure = "ties") -> Insularity:
    """Insularity, or inbreeding homophily (METRICS.md S3; Coleman 1958; Currarini et al.
    2009).

    Counting tie ends of members: ``H_g = 2I_g/(2I_g + E_g)`` (an internal tie has two
    ends in ``g``, an external tie one) and ``IH_g = (H_g − w_g)/(1 − w_g)`` with
    ``w_g = n_g/N``; ``IH_g = 0`` is chance, 1 total insularity. NaN without tie ends or
    when ``w_g = 1``.

    Examples
    --------
    >>> g = ig.Graph(n=4, edges=[(0, 1), (2, 3), (1, 2)])
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}, {0}, {1}, {1}])
    >>> s = insularity(g, labels)
    >>> s.h.tolist(), s.ih.tolist()
    ([0.6666666666666666, 0.6666666666666666], [0.33333333333333326, 0.33333333333333326])
    """
    return _insularity(group_counts(tie_table(graph, measure), labels))


def _insularity(counts: GroupCounts) -> Insularity:
    share = _ratio(counts.size, counts.n_vertices)
    h = _ratio(2 * counts.internal, 2 * counts.internal + counts.external)
    return Insularity(counts.groups, share, h, _ratio(h - share, 1 - share))


@dataclass(frozen=True)
class Conductance:
    """S6: per group ``cut``, ``volume``, ``conductance`` (φ) and ``normalized_cut``."""

    groups: tuple[str, ...]
    cut: np.ndarray
    volume: np.ndarray
    conductance: np.ndarray
    normalized_cut: np.ndarray


def conductance(graph: ig.Graph, labels: GroupLabels, *, measure: Measure = "ties") -> Conductance:
    """Conductance and normalised cut of each group's member set ``S`` (METRICS.md S6;
    Shi & Malik 2000; Leskovec et al. 2009).

    ``φ(S) = cut(S, S̄)/min(vol S, vol S̄)`` and ``NCut = cut/vol S + cut/vol S̄``, where
    ``vol`` sums tie values (degree for ``"ties"``) over the set and ``cut`` sums the ties
    with exactly one end in ``S`` (set-based: a tie to a non-member sharing another group
    is cut too). NaN when a volume in the denominator is 0.

    Examples
    --------
    >>> g = ig.Graph(n=4, edges=[(0, 1), (2, 3), (1, 2)])
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}, {0}, {1}, {1}])
    >>> c = conductance(g, labels)
    >>> c.conductance.tolist(), c.normalized_cut.tolist()
    ([0.3333333333333333, 0.3333333333333333], [0.6666666666666666, 0.6666666666666666])
    """
    return _conductance(group_counts(tie_table(graph, measure), labels))


def _conductance(counts: GroupCounts) -> Conductance:
    volume = np.asarray(counts.volume, float)
    rest = 2 * counts.total - volume
    cut = np.maximum(volume - 2 * counts.internal, 0.0)
    phi = _ratio(cut, np.minimum(volume, rest))
    ncut = _ratio(cut, volume) + _ratio(cut, rest)
    return Conductance(counts.groups, cut, volume, phi, ncut)


@dataclass(frozen=True)
class Periphery:
    """S7: per vertex ``coreness`` and ``isolate``; per group ``isolates``,
    ``isolate_share``, ``periphery_share`` (coreness ≤ ``outer_shell``) and ``max_core``."""

    groups: tuple[str, ...]
    outer_shell: int
    coreness: np.ndarray
    isolate: np.ndarray
    isolates: np.ndarray
    isolate_share: np.ndarray
    periphery_share: np.ndarray
    max_core: np.ndarray


def periphery(graph: ig.Graph, labels: GroupLabels, *, outer_shell: int = 1) -> Periphery:
    """Isolates and k-core periphery per group (METRICS.md S7; Seidman 1983; Batagelj &
    Zaversnik 2003).

    Coreness is computed on the undirected tie graph without self-loops. An isolate has no
    tie in the window (coreness 0: a member who did not interact). The outer shell is
    coreness ≤ ``outer_shell`` (default 1: isolates and people hanging on tree-like
    chains); ``periphery_share`` is the share of members in it. A fixed shell, rather than
    each group's own lowest shell, keeps shares comparable across groups (a group's lowest
    shell is never empty). ``max_core`` is the highest coreness among members (−1 if none).

    Examples
    --------
    >>> g = ig.Graph(n=5, edges=[(0, 1), (1, 2), (0, 2), (2, 3)])
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}, {0}, {0}, {1}, {1}])
    >>> p = periphery(g, labels)
    >>> p.coreness.tolist(), p.isolates.tolist(), p.periphery_share.tolist()
    ([2, 2, 2, 1, 0], [0, 1], [0.0, 1.0])
    """
    return _periphery(graph, labels.groups, label_sets(labels), outer_shell)


def _periphery(
    graph: ig.Graph, groups: tuple[str, ...], sets: LabelSets, outer_shell: int
) -> Periphery:
    simple = graph.as_undirected(mode="collapse") if graph.is_directed() else graph
    if not simple.is_simple():
        simple = simple.copy().simplify()
    coreness = np.asarray(simple.coreness(), dtype=np.int64)
    size = sets.per_group(np.ones(len(coreness)))
    isolate = coreness == 0
    isolates = sets.per_group(isolate.astype(float)).astype(np.int64)
    outer = sets.per_group((coreness <= outer_shell).astype(float))
    top = np.full(sets.k, -1)  # highest coreness per label set
    np.maximum.at(top, sets.set_id, coreness)
    max_core = np.full(len(groups), -1)
    holder = np.repeat(np.arange(sets.k), np.diff(sets.member.indptr))
    np.maximum.at(max_core, sets.member.indices, top[holder])
    return Periphery(
        groups=groups,
        outer_shell=outer_shell,
        coreness=coreness,
        isolate=isolate,
        isolates=isolates,
        isolate_share=_ratio(isolates, size),
        periphery_share=_ratio(outer, size),
        max_core=max_core,
    )


def _active_members(ties: TieTable, sets: LabelSets) -> np.ndarray:
    """Per group, the members with at least one tie in the window."""
    has_tie = np.zeros(ties.n)
    has_tie[ties.source] = has_tie[ties.target] = 1.0
    active: np.ndarray = np.rint(sets.per_group(has_tie)).astype(np.int64)
    return active


def _carriers(ties: TieTable, sets: LabelSets) -> np.ndarray:
    """Per group ``g``, the members with at least one tie to a person not holding ``g``."""
    slots = sets.rows[sets.set_id]  # vertex × slot: the groups of each vertex
    carrying = np.zeros(slots.shape, bool)  # has a tie to someone lacking that group
    source_set, target_set = sets.set_id[ties.source], sets.set_id[ties.target]
    apart = np.ones(len(ties.source), bool)  # no group in common
    apart[sets.shared_ties(sets.set_id, ties)] = False
    carrying[ties.source[apart]] = carrying[ties.target[apart]] = True
    mixed = np.flatnonzero(~apart & (source_set != target_set))  # some groups in common
    shares = slot_shares(sets.rows[source_set[mixed]], sets.rows[target_set[mixed]])
    for end, held in zip((ties.source[mixed], ties.target[mixed]), shares, strict=True):
        tie, slot = np.nonzero(~held)
        carrying[end[tie], slot] = True
    carried: np.ndarray = np.bincount(slots[carrying & (slots >= 0)], minlength=sets.n_groups)
    return carried


@dataclass(frozen=True)
class SiloReport:
    """Everything a moderator reads per group: S1 (``ei``), S2, S3, S6, S7, ``carriers``
    and the rule's verdict ``silo`` with a one-line ``reason``."""

    groups: tuple[str, ...]
    ei: EIResult
    density: DensityRatio
    insularity: Insularity
    conductance: Conductance
    periphery: Periphery
    carriers: np.ndarray
    active_members: np.ndarray
    silo: np.ndarray
    reason: tuple[str, ...]
    alpha: float
    max_carrier_share: float


def silo_report(
    graph: ig.Graph,
    labels: GroupLabels,
    *,
    measure: Measure = "ties",
    permutations: int = 199,
    seed: int = 0,
    alpha: float = 0.05,
    max_carrier_share: float = 0.5,
    outer_shell: int = 1,
    pseudo_count: float = 0.0,
) -> SiloReport:
    """Silo and cohesion metrics of every group and the silo rule (METRICS.md S1–S3, S6, S7).

    ``silo_g = EI_g < EI₀,g and p_g < alpha and carriers_g < max_carrier_share · active_g``,
    where ``p_g`` is the one-sided label-permutation p-value of the group E-I (Krackhardt &
    Stern 1988), ``carriers_g`` counts members with a tie to someone outside ``g`` and
    ``active_g`` the members with any tie.
    Groups without members or without ties to assess are never silos; ``reason`` says why.

    Examples
    --------
    >>> g = ig.Graph.Full(6) + ig.Graph.Full(6)
    >>> g.add_edges([(0, 6)])
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}] * 6 + [{1}] * 6)
    >>> r = silo_report(g, labels, permutations=999)
    >>> r.silo.tolist()
    [True, True]
    >>> r.reason[0]
    'E-I −0.88 vs expected +0.41 (p=0.002); 1 of 6 active members (17%) carries cross ties'
    """
    ties, sets = tie_table(graph, measure), label_sets(labels)
    ei, counts = ei_and_counts(ties, labels, sets, permutations=permutations, seed=seed)
    carriers, active = _carriers(ties, sets), _active_members(ties, sets)
    silo = (ei.group_ei < ei.group_ei_expected) & (ei.group_ei_p < alpha)
    silo &= carriers < max_carrier_share * active
    reason = tuple(
        _reason(ei, (int(carriers[g]), int(active[g])), g, bool(silo[g]), alpha, max_carrier_share)
        for g in range(labels.n_groups)
    )
    return SiloReport(
        groups=labels.groups,
        ei=ei,
        density=_density_ratio(counts, pseudo_count),
        insularity=_insularity(counts),
        conductance=_conductance(counts),
        periphery=_periphery(graph, labels.groups, sets, outer_shell),
        carriers=carriers,
        active_members=active,
        silo=silo,
        reason=reason,
        alpha=alpha,
        max_carrier_share=max_carrier_share,
    )


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def _reason(
    ei: EIResult, carried: tuple[int, int], g: int, silo: bool, alpha: float, max_share: float
) -> str:
    """One line: the E-I against chance, the p-value, the carriers, and what failed."""
    if ei.group_size[g] == 0:
        return "no members"
    if np.isnan(ei.group_ei[g]):
        return "no internal or cross-group ties in the window; not assessed"
    p = ei.group_ei_p[g]
    test = "no permutation test" if np.isnan(p) else f"p={p:.2g}"
    count, active = carried
    carry = "carries" if count == 1 else "carry"
    line = (
        f"E-I {_signed(ei.group_ei[g])} vs expected {_signed(ei.group_ei_expected[g])}"
        f" ({test}); {count} of {active} active members ({count / max(active, 1):.0%})"
        f" {carry} cross ties"
    )
    if silo:
        return line
    failed = []
    if not ei.group_ei[g] < ei.group_ei_expected[g]:
        failed.append("E-I not below expected")
    if not p < alpha:
        failed.append(f"p not below {alpha:g}")
    if count >= max_share * active:
        failed.append(f"{max_share:.0%} or more of its active members carry cross ties")
    return f"{line}; not a silo: {', '.join(failed)}"
