"""E-I index of boundary groups (METRICS.md S1): network, group and person level, with the
random-mixing expectation, the rescaled network value and a label-permutation test.

Everything counts **ties**: an undirected pair with at least one interaction (a directed
graph's ``u→v`` and ``v→u`` collapse into one tie). ``measure="count"`` or ``"weight"``
sums that edge attribute over the tie instead of counting it once. A tie is internal under
rule M1 (the two people share a group), external otherwise; a tie between two unaffiliated
people is external. For a group ``g``:

* ``I_g``: ties whose two ends both hold ``g``;
* ``E_g``: ties with one end in ``g`` whose ends share **no** group at all;
* the remaining ties touching ``g`` (one end in ``g``, the ends sharing another group ``h``)
  are reported as ``group_elsewhere`` and left out of the group's E-I. A tie between a
  member of ``g`` and a member of both ``g`` and ``h`` is internal to ``g`` (shared ``g``).

Expected values count vertex pairs of the same kinds (random mixing; with labels of at most
one group per person they are exactly the METRICS.md S1 formulas, and in general ``EI₀``
is the mean of the network E-I over label permutations).
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import igraph as ig
import numpy as np

from analytics.groups import GroupLabels
from analytics.label_sets import LabelSets, Measure, TieTable, label_sets, tie_table

#: threads counting the permuted E-I values
NULL_THREADS = 2
P_TOLERANCE = 1e-12  # permuted E-I within this of the observed one counts as "as low"


def _tie_counts(
    sets: LabelSets, sigma: np.ndarray, ties: TieTable, strength: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Network internal value and per group ``I_g``, ``E_g`` and elsewhere-internal, vertex
    ``i`` holding set ``sigma[i]``: ``E_g`` is what is left of the members' tie ends,
    ``Σ_{i∋g} strength_i − 2I_g − elsewhere_g``."""
    shared = sets.shared_values(sigma, ties)
    member_ends = sets.per_group(strength, sigma)
    outside = np.maximum(member_ends - 2 * shared.inside - shared.elsewhere, 0.0)
    return shared.internal, shared.inside, outside, shared.elsewhere


@dataclass(frozen=True)
class GroupCounts:
    """Observed tie values and random-mixing pair counts behind S1, S2, S3 and S6.

    ``internal``/``external``/``elsewhere`` are ``I_g``, ``E_g`` and the ties internal to
    another group only; ``volume`` is ``Σ_{u∈g}`` strength; ``pairs_internal`` is
    ``n_g(n_g−1)/2`` and ``pairs_external`` the pairs (member, person sharing no group).
    """

    groups: tuple[str, ...]
    n_vertices: int
    total: float
    network_internal: float
    network_pairs_internal: float
    size: np.ndarray
    internal: np.ndarray
    external: np.ndarray
    elsewhere: np.ndarray
    volume: np.ndarray
    pairs_internal: np.ndarray
    pairs_external: np.ndarray

    @property
    def network_pairs(self) -> float:
        return self.n_vertices * (self.n_vertices - 1) / 2


def _group_counts(ties: TieTable, labels: GroupLabels, sets: LabelSets) -> GroupCounts:
    strength = ties.strength()
    internal, inside, outside, elsewhere = _tie_counts(sets, sets.set_id, ties, strength)
    nonempty = np.diff(sets.member.indptr) > 0
    size = np.asarray(sets.member.T @ sets.count).astype(np.int64)
    disjoint = np.where(nonempty, ties.n - sets.sharing, 0)
    return GroupCounts(
        groups=labels.groups,
        n_vertices=ties.n,
        total=float(ties.value.sum()),
        network_internal=internal,
        network_pairs_internal=float(sets.count @ sets.sharing - sets.count @ nonempty) / 2,
        size=size,
        internal=inside,
        external=outside,
        elsewhere=elsewhere,
        volume=sets.per_group(strength),
        pairs_internal=size * (size - 1) / 2.0,
        pairs_external=np.asarray(sets.member.T @ (sets.count * disjoint), dtype=np.float64),
    )


def group_counts(ties: TieTable, labels: GroupLabels) -> GroupCounts:
    """Observed ``I_g``, ``E_g`` (rule M1) and the pair counts of random mixing.

    Examples
    --------
    >>> g = ig.Graph(n=4, edges=[(0, 1), (1, 2), (2, 3)])
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}, {0}, {1}, {1}])
    >>> c = group_counts(tie_table(g), labels)
    >>> c.internal.tolist(), c.external.tolist(), c.pairs_external.tolist()
    ([1.0, 1.0], [1.0, 1.0], [4.0, 4.0])
    """
    return _group_counts(ties, labels, label_sets(labels))


def _ei(external: np.ndarray | float, internal: np.ndarray | float) -> np.ndarray:
    """``(E − I)/(E + I)``, NaN where ``E + I = 0``."""
    e, i = np.asarray(external, float), np.asarray(internal, float)
    ei: np.ndarray = np.divide(e - i, e + i, out=np.full(np.shape(e), np.nan), where=(e + i) > 0)
    return ei


def _rescaled(ei: float, ties: float, pairs_internal: float, pairs_external: float) -> float:
    """Map ``[EI_min, EI_max]`` (given ``T`` ties and the pair counts) to ``[−1, 1]``."""
    if ties <= 0:
        return float("nan")
    low = (2 * max(0.0, ties - pairs_internal) - ties) / ties
    high = (2 * min(ties, pairs_external) - ties) / ties
    return float("nan") if high <= low else -1 + 2 * (ei - low) / (high - low)


def _p_value(observed: np.ndarray, null: np.ndarray) -> np.ndarray:
    """One-sided ``(1 + #{EI_perm ≤ EI_obs})/(1 + R)``; permutations leaving the E-I
    undefined (no tie touching the group) are left out of both counts."""
    valid = ~np.isnan(null)
    low = valid & (null <= observed + P_TOLERANCE)
    p = (1.0 + low.sum(axis=0)) / (1.0 + valid.sum(axis=0))
    return np.where(np.isnan(observed) | (null.shape[0] == 0), np.nan, p)


@dataclass(frozen=True)
class EIResult:
    """E-I index at three levels (METRICS.md S1); group rows follow ``groups``.

    Network: ``ei``, its random-mixing value ``ei_expected`` (EI₀), ``ei_rescaled`` (ties
    only, else NaN) and the permutation ``ei_p``; ``internal``/``external`` are I and E.
    Groups: ``group_size``, ``group_internal`` (I_g), ``group_external`` (E_g),
    ``group_elsewhere`` (ties internal only through another group), ``group_ei``,
    ``group_ei_expected``, ``group_ei_p``. People: ``person_ei``, ``person_ei_expected``
    (NaN for the unaffiliated and for people without ties).
    """

    groups: tuple[str, ...]
    measure: str
    permutations: int
    ei: float
    ei_expected: float
    ei_rescaled: float
    ei_p: float
    internal: float
    external: float
    group_size: np.ndarray
    group_internal: np.ndarray
    group_external: np.ndarray
    group_elsewhere: np.ndarray
    group_ei: np.ndarray
    group_ei_expected: np.ndarray
    group_ei_p: np.ndarray
    person_ei: np.ndarray
    person_ei_expected: np.ndarray


def ei_index(
    graph: ig.Graph,
    labels: GroupLabels,
    *,
    measure: Measure = "ties",
    permutations: int = 199,
    seed: int = 0,
) -> EIResult:
    """E-I index (Krackhardt & Stern 1988), METRICS.md S1, over the ties of ``graph``.

    ``EI = (E − I)/(E + I)`` for the network, per group (``E_g``, ``I_g`` as in the module
    docstring) and per person (Everett & Borgatti 2012: ties to people sharing / not
    sharing a group). Random mixing gives, with ``I*`` the vertex pairs sharing a group and
    ``E* = N(N−1)/2 − I*``: ``EI₀ = (E* − I*)/(E* + I*)``; per group
    ``(E*_g − I*_g)/(E*_g + I*_g)`` with ``I*_g = n_g(n_g−1)/2`` and ``E*_g`` the pairs of a
    member and a person sharing no group with them (``n_g(N − n_g)`` for single labels);
    per person ``((N−1−S_i) − S_i)/(N−1)`` with ``S_i`` the others sharing a group with
    ``i`` (``n_g − 1``). The rescaled network value maps ``[EI_min, EI_max]``, with
    ``E_max = min(T, E*)`` and ``E_min = max(0, T − I*)`` for ``T`` ties, onto ``[−1, 1]``.
    The one-sided test permutes whole label sets across people, graph fixed:
    ``p = (1 + #{EI_perm ≤ EI_obs})/(R + 1)`` (small p: more inward-looking than chance).

    Parameters
    ----------
    graph
        People and their ties (directed arcs collapse into undirected ties).
    labels
        Group sets per vertex (rule M1).
    measure
        ``"ties"`` counts each tie once; ``"count"``/``"weight"`` sum that edge attribute.
    permutations
        ``R``; 199 gives a p resolution of 0.005. 0 skips the test (p = NaN).
    seed
        Seed of ``numpy.random.default_rng``; the r-th permutation is the r-th
        ``labels.permuted(rng)`` of that generator.

    Examples
    --------
    >>> g = ig.Graph(n=6, edges=[(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (0, 3)])
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}] * 3 + [{1}] * 3)
    >>> r = ei_index(g, labels, permutations=99)
    >>> round(r.ei, 4), round(r.ei_expected, 4), r.group_ei.tolist()
    (-0.7143, 0.2, [-0.5, -0.5])
    """
    ties, sets = tie_table(graph, measure), label_sets(labels)
    return ei_and_counts(ties, labels, sets, permutations=permutations, seed=seed)[0]


def ei_and_counts(
    ties: TieTable,
    labels: GroupLabels,
    sets: LabelSets,
    *,
    permutations: int = 199,
    seed: int = 0,
) -> tuple[EIResult, GroupCounts]:
    """:func:`ei_index` on a tie table, with the :class:`GroupCounts` it rests on.

    For callers that reuse the ties and the label sets (``sets = label_sets(labels)``),
    such as :func:`analytics.silos.silo_report`; same formulas and arguments as
    :func:`ei_index` (METRICS.md S1; Krackhardt & Stern 1988).

    Examples
    --------
    >>> g = ig.Graph(n=4, edges=[(0, 1), (1, 2), (2, 3)])
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}, {0}, {1}, {1}])
    >>> r, c = ei_and_counts(tie_table(g), labels, label_sets(labels), permutations=0)
    >>> round(r.ei, 4), c.internal.tolist(), r.group_ei.tolist()
    (-0.3333, [1.0, 1.0], [0.0, 0.0])
    """
    counts = _group_counts(ties, labels, sets)
    external = counts.total - counts.network_internal
    ei = float(_ei(external, counts.network_internal))
    group_ei = _ei(counts.external, counts.internal)
    null_network, null_groups = _null_ei(ties, sets, permutations, seed)
    pairs_internal = counts.network_pairs_internal
    pairs_external = counts.network_pairs - pairs_internal
    rescaled = _rescaled(ei, counts.total, pairs_internal, pairs_external)
    result = EIResult(
        groups=labels.groups,
        measure=ties.measure,
        permutations=permutations,
        ei=ei,
        ei_expected=float(_ei(pairs_external, pairs_internal)),
        ei_rescaled=rescaled if ties.measure == "ties" else float("nan"),
        ei_p=float(_p_value(np.array(ei), null_network)),
        internal=counts.network_internal,
        external=external,
        group_size=counts.size,
        group_internal=counts.internal,
        group_external=counts.external,
        group_elsewhere=counts.elsewhere,
        group_ei=group_ei,
        group_ei_expected=_ei(counts.pairs_external, counts.pairs_internal),
        group_ei_p=_p_value(group_ei, null_groups),
        **_person_ei(ties, sets),
    )
    return result, counts


def _null_ei(
    ties: TieTable, sets: LabelSets, permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Network and group E-I under ``permutations`` label-set permutations. The draws are
    made in order in this thread (one random stream, as ``labels.permuted(rng)``); their
    counts run on up to :data:`NULL_THREADS` threads (numpy releases the GIL in the
    gathers that dominate), at most a few permutations ahead."""
    rng = np.random.default_rng(seed)
    strength, total = ties.strength(), float(ties.value.sum())
    network = np.empty(permutations)
    groups = np.empty((permutations, sets.member.shape[1]))

    def count(r: int, sigma: np.ndarray) -> None:
        internal, inside, outside, _ = _tie_counts(sets, sigma, ties, strength)
        network[r], groups[r] = _ei(total - internal, internal), _ei(outside, inside)

    workers = max(1, min(NULL_THREADS, os.cpu_count() or 1))
    pending: deque[Future[None]] = deque()
    with ThreadPoolExecutor(workers) as pool:
        for r in range(permutations):
            sigma = sets.set_id[rng.permutation(ties.n)]  # as labels.permuted(rng)
            pending.append(pool.submit(count, r, sigma))
            while len(pending) > 2 * workers:
                pending.popleft().result()
        for future in pending:
            future.result()
    return network, groups


def _person_ei(ties: TieTable, sets: LabelSets) -> dict[str, np.ndarray]:
    """Everett & Borgatti (2012) ego E-I and its random-mixing value, per vertex."""
    sigma = sets.set_id
    inside_value = np.zeros(len(ties.value))
    shared = sets.shared_ties(sigma, ties)
    inside_value[shared] = ties.value[shared]
    inside = np.bincount(ties.source, inside_value, ties.n)
    inside += np.bincount(ties.target, inside_value, ties.n)
    affiliated = sets.affiliated()
    others = sets.sharing[sigma] - affiliated  # people sharing a group with i, i excluded
    return {
        "person_ei": np.where(affiliated, _ei(ties.strength() - inside, inside), np.nan),
        "person_ei_expected": np.where(affiliated, _ei(ties.n - 1 - others, others), np.nan),
    }
