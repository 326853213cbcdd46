"""Cross-community ties: the group × group matrix (METRICS.md X1), the people who carry
each pair's ties (X2, the "bus factor") and the directed knowledge flow between groups (X6).

Issue #4 numbers these metrics differently; the ids used here are those of METRICS.md:
X1 matrix, X2 carriers, X3 bridges (:mod:`analytics.bridges`, the issue's "X5"),
X5 reciprocity (:mod:`analytics.reciprocity`, the issue's "X6"), X6 flow direction.

**Where a tie lies** (multi-membership, METRICS.md §0; :mod:`analytics.tie_cells`). A tie
u–v whose people share groups (M1 internal) lies inside each shared group and nowhere
else; a tie whose people share none lies between every A ∈ M_u and every B ∈ M_v.
Weights, interaction counts and flows follow M2: each tie's value is split evenly over
its cells, 1/|M_u ∩ M_v| each when shared, else 1/(|M_u|·|M_v|). Distinct-dyad counts,
densities and carriers count a dyad once in every cell it lies in. Ties touching an
unaffiliated person lie in no cell. On a directed tie graph the matrix counts dyads:
arcs u→v and v→u form one dyad whose weight and count are the sums of both arcs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import igraph as ig
import numpy as np
import scipy.sparse as sp

from analytics.edges import edge_arrays
from analytics.groups import GroupLabels
from analytics.tie_cells import TieCells
from graphsvc.errors import ValidationError

IntArray = np.ndarray
FloatArray = np.ndarray
BoolArray = np.ndarray


def _symmetric(ordered: FloatArray) -> FloatArray:
    """Unordered pair totals from an ordered matrix (each tie appears once in it)."""
    both: FloatArray = ordered + ordered.T
    np.fill_diagonal(both, np.diag(ordered))
    return both


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """numerator / denominator, NaN where the denominator is 0."""
    out = np.full(np.shape(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=np.asarray(denominator) != 0)
    return out


def _dyads(
    n: int, source: IntArray, target: IntArray, weight: FloatArray, count: FloatArray
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Arcs collapsed to dyads {u, v}, summing weight and count over both directions."""
    key = np.minimum(source, target) * n + np.maximum(source, target)
    unique, inverse = np.unique(key, return_inverse=True)
    size = len(unique)
    return (
        unique // n,
        unique % n,
        np.bincount(inverse, weight, size),
        np.bincount(inverse, count, size),
    )


@dataclass(frozen=True)
class TieMatrix:
    """Group × group tie statistics (X1, X2, X6); g × g arrays indexed like ``groups``.

    Attributes
    ----------
    sizes : n_A, members per group (a multi-member counts in each group).
    dyads : C, distinct dyads per cell (symmetric, integer).
    weight, interactions : W and the "count" attribute, summed with M2 splits (symmetric).
    density : C_AB/(n_A n_B); diagonal C_AA/(n_A(n_A−1)/2); NaN for no possible pair.
    row_share : R_AB = W_AB/Σ_{B'≠A} W_AB'; NaN on the diagonal and for rows without
        cross weight.
    mixing : Newman's e, fractions of the total affiliated weight W = Σ_{A≤B} W_AB:
        e_AA = W_AA/W, e_AB = W_AB/(2W) (so Σ e = 1); ``end_share`` a_A = Σ_B e_AB =
        vol_A/(2W), with vol_A = 2W_AA + Σ_{B≠A} W_AB the M2 strength of A.
    observed_expected : O/E_AB = e_AB/(a_A a_B) (1 under random mixing; NaN if a_A a_B = 0).
    small : fewer than 10 possible pairs (n_A n_B, diagonal n_A(n_A−1)/2).
    carrier_sides : S_AB, members of A with a crossing tie to a member of B (X2).
    carriers : K_AB = min(S_AB, S_BA), 0 on the diagonal; ``fragile`` = K_AB == 1.
    flow : F_AB, M2-split weight of flow arcs from A to B (X6; None without a flow graph);
        ``net_flow`` F − Fᵀ; ``asymmetry`` (F_AB − F_BA)/(F_AB + F_BA), NaN on the
        diagonal or without flow; ``export_share`` out_A/(out_A + in_A) over other groups.
    """

    groups: tuple[str, ...]
    sizes: IntArray
    dyads: IntArray
    weight: FloatArray
    interactions: FloatArray
    density: FloatArray
    row_share: FloatArray
    mixing: FloatArray
    end_share: FloatArray
    observed_expected: FloatArray
    small: BoolArray
    carrier_sides: IntArray
    carriers: IntArray
    fragile: BoolArray
    flow: FloatArray | None = None
    net_flow: FloatArray | None = None
    asymmetry: FloatArray | None = None
    export_share: FloatArray | None = None
    _member: sp.csc_matrix | None = field(default=None, repr=False, compare=False)
    _reach: sp.csc_matrix | None = field(default=None, repr=False, compare=False)

    def index(self, group: str | int) -> int:
        """Index of a group given by id (str) or index (int)."""
        return group if isinstance(group, int) else self.groups.index(group)

    def carriers_of(self, a: str | int, b: str | int) -> tuple[IntArray, IntArray]:
        """The carriers of the A–B ties (X2): sorted vertex indexes of the members of A
        with a crossing tie to a member of B, and of the members of B tied to A."""
        member, reach = self._member, self._reach
        assert member is not None and reach is not None
        i, j = self.index(a), self.index(b)

        def side(own: int, other: int) -> IntArray:
            both = member[:, [own]].multiply(reach[:, [other]])
            return np.unique(sp.coo_matrix(both).row).astype(np.int64)

        return side(i, j), side(j, i)


def tie_matrix(
    graph: ig.Graph, labels: GroupLabels, *, flow_graph: ig.Graph | None = None
) -> TieMatrix:
    """Group × group tie matrix (METRICS.md X1), carriers (X2) and knowledge flow (X6).

    W = PᵀWP with M2 splits for crossing ties (see the module docstring for shared
    groups); density D_AB = C_AB/(n_A n_B); O/E_AB = e_AB/(a_A a_B) with a_A = vol_A/2m
    (Newman 2003, fractions of the total weight; :class:`TieMatrix` gives every formula);
    K_AB = min(#A members tied to B, #B members tied to A). ``flow_graph``: directed
    knowledge-exchange and mentoring arcs over the same vertices (METRICS.md §0 direction,
    knowledge source → recipient); F_AB sums their "weight" with M2 splits.

    Examples
    --------
    >>> labels = GroupLabels.from_sets(("A", "B"), [{0}, {0}, {1}, {1}])
    >>> ties = tie_matrix(ig.Graph([(0, 1), (1, 2), (2, 3)]), labels)
    >>> ties.dyads.tolist(), float(ties.density[0, 1]), int(ties.carriers[0, 1])
    ([[1, 1], [1, 1]], 0.25, 1)
    >>> ties.carriers_of("A", "B")[0].tolist(), bool(ties.fragile[0, 1])
    ([1], True)
    """
    n = labels.n_vertices
    if graph.vcount() != n:
        raise ValidationError("graph", f"{graph.vcount()} vertices, labels have {n}")
    source, target, weight, count = edge_arrays(graph)
    if graph.is_directed():
        source, target, weight, count = _dyads(n, source, target, weight, count)
    member = labels.membership()
    cells = TieCells.of(labels, source, target, member)
    sizes = np.asarray(member.sum(axis=0)).ravel().astype(np.int64)
    dyads = np.rint(_symmetric(cells.sums(np.ones(len(source)), split=False))).astype(np.int64)
    weights = _symmetric(cells.sums(weight))
    sides = _carrier_sides(member, source[cells.crossing], target[cells.crossing])
    carriers = np.minimum(sides[0], sides[0].T)
    mixing, end_share = _mixing(weights)
    return TieMatrix(
        groups=labels.groups,
        sizes=sizes,
        dyads=dyads,
        weight=weights,
        interactions=_symmetric(cells.sums(count)),
        density=_ratio(dyads, _possible_pairs(sizes)),
        row_share=_row_share(weights),
        mixing=mixing,
        end_share=end_share,
        observed_expected=_ratio(mixing, np.outer(end_share, end_share)),
        small=_possible_pairs(sizes) < 10,
        carrier_sides=sides[0],
        carriers=carriers,
        fragile=carriers == 1,
        **_flow(flow_graph, labels, member),
        _member=sides[1],
        _reach=sides[2],
    )


def _possible_pairs(sizes: IntArray) -> IntArray:
    pairs = np.outer(sizes, sizes)
    np.fill_diagonal(pairs, sizes * (sizes - 1) // 2)
    return pairs


def _row_share(weights: FloatArray) -> FloatArray:
    cross = weights.copy()
    np.fill_diagonal(cross, 0.0)
    share = _ratio(cross, np.broadcast_to(cross.sum(axis=1, keepdims=True), cross.shape))
    np.fill_diagonal(share, np.nan)
    return share


def _mixing(weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Newman's symmetric mixing matrix e and the end shares a = e·1."""
    total = (weights.sum() + np.trace(weights)) / 2
    if total == 0:
        return np.zeros_like(weights), np.zeros(len(weights))
    mixing = weights / (2 * total)
    np.fill_diagonal(mixing, np.diag(weights) / total)
    return mixing, mixing.sum(axis=1)


def _carrier_sides(
    member: sp.csr_matrix, source: IntArray, target: IntArray
) -> tuple[IntArray, sp.csc_matrix, sp.csc_matrix]:
    """S_AB = #members of A with a crossing tie to a member of B, plus the membership and
    the n × g "has a crossing tie into group" matrices (for :meth:`TieMatrix.carriers_of`)."""
    n = member.shape[0]
    ones = np.ones(2 * len(source))
    ends = (np.concatenate([source, target]), np.concatenate([target, source]))
    crossing = sp.csr_matrix((ones, ends), shape=(n, n))
    reach = sp.csr_matrix(crossing @ member)
    reach.data[:] = 1.0
    sides = np.rint(np.asarray((member.T @ reach).todense())).astype(np.int64)
    return sides, sp.csc_matrix(member), sp.csc_matrix(reach)


def _flow(
    flow_graph: ig.Graph | None, labels: GroupLabels, member: sp.csr_matrix
) -> dict[str, FloatArray | None]:
    """X6: the ordered flow matrix and what derives from it (all None without a graph)."""
    if flow_graph is None:
        return {}
    n = labels.n_vertices
    if not flow_graph.is_directed() or flow_graph.vcount() != n:
        raise ValidationError("flow_graph", f"must be directed over the same {n} vertices")
    source, target, weight, _ = edge_arrays(flow_graph)
    flow = TieCells.of(labels, source, target, member).sums(weight)
    asymmetry = _ratio(flow - flow.T, flow + flow.T)
    np.fill_diagonal(asymmetry, np.nan)
    between = flow - np.diag(np.diag(flow))
    out, into = between.sum(axis=1), between.sum(axis=0)
    return {
        "flow": flow,
        "net_flow": flow - flow.T,
        "asymmetry": asymmetry,
        "export_share": _ratio(out, out + into),
    }


PAIR_FIELDS = ("a", "b", "count", "weight", "density", "observed_expected", "carriers")
FLOW_FIELDS = ("flow_ab", "flow_ba", "asymmetry")


@dataclass(frozen=True)
class PairRow(Mapping[str, object]):
    """One report row for the unordered group pair a < b; reads like a dict.

    ``count`` is C_AB (distinct dyads), ``weight`` W_AB, ``density`` D_AB,
    ``observed_expected`` O/E_AB, ``carriers`` K_AB; with a flow graph also
    ``flow_ab`` F_AB, ``flow_ba`` F_BA and ``asymmetry`` a_AB (the keys then include them).
    """

    a: str
    b: str
    count: int
    weight: float
    density: float
    observed_expected: float
    carriers: int
    flow_ab: float | None = None
    flow_ba: float | None = None
    asymmetry: float | None = None

    def _keys(self) -> tuple[str, ...]:
        return PAIR_FIELDS if self.flow_ab is None else PAIR_FIELDS + FLOW_FIELDS

    def __getitem__(self, key: str) -> object:
        if key not in self._keys():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


def pairs(ties: TieMatrix, *, include_empty: bool = False) -> tuple[PairRow, ...]:
    """Report rows (X1/X2/X6), one per unordered pair A < B in group order with C_AB > 0,
    or every pair if ``include_empty``.

    Examples
    --------
    >>> labels = GroupLabels.from_sets(("A", "B", "C"), [{0}, {1}, {2}])
    >>> rows = pairs(tie_matrix(ig.Graph(3, [(0, 1)]), labels))
    >>> [dict(row) for row in rows]  # doctest: +NORMALIZE_WHITESPACE
    [{'a': 'A', 'b': 'B', 'count': 1, 'weight': 1.0, 'density': 1.0,
      'observed_expected': 2.0, 'carriers': 1}]
    """
    rows = []
    for i, j in zip(*np.triu_indices(len(ties.groups), 1), strict=True):
        if ties.dyads[i, j] == 0 and not include_empty:
            continue
        flow: dict[str, float] = {}
        if ties.flow is not None and ties.asymmetry is not None:
            flow = {
                "flow_ab": float(ties.flow[i, j]),
                "flow_ba": float(ties.flow[j, i]),
                "asymmetry": float(ties.asymmetry[i, j]),
            }
        rows.append(
            PairRow(
                a=ties.groups[i],
                b=ties.groups[j],
                count=int(ties.dyads[i, j]),
                weight=float(ties.weight[i, j]),
                density=float(ties.density[i, j]),
                observed_expected=float(ties.observed_expected[i, j]),
                carriers=int(ties.carriers[i, j]),
                **flow,
            )
        )
    return tuple(rows)
