"""Reciprocity of knowledge exchange (METRICS.md X5; issue #4 calls this "X6").

On a directed graph with L arcs (no self-loops) among N people:

* r = L↔/L, the share of arcs whose reverse arc exists (``nx.overall_reciprocity``,
  igraph ``Graph.reciprocity()``);
* ρ = (r − ā)/(1 − ā) with density ā = L/(N(N−1)) (Garlaschelli & Loffredo 2004):
  > 0 reciprocated more than chance, < 0 less;
* r_w = Σ_{i≠j} min(w_ij, w_ji) / Σ_{i≠j} w_ij (Squartini et al. 2013);
* per group pair: the same ratios over the arcs between groups A and B, both ways.

Use the knowledge-exchange layer; leave mentoring out (one-way by design, METRICS.md X5).
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np
import scipy.sparse as sp

from analytics.edges import edge_arrays
from analytics.groups import GroupLabels
from analytics.tie_cells import TieCells
from graphsvc.errors import ValidationError

IntArray = np.ndarray
FloatArray = np.ndarray


@dataclass(frozen=True)
class PairReciprocity:
    """Reciprocity per group pair; g × g arrays indexed like ``groups``.

    An arc u→v lies in cell (A, B) by the rule of :mod:`analytics.tie_cells` (A from the
    source; shared groups make it internal), counted whole in every cell it lies in.

    Attributes
    ----------
    arcs : L_AB, arcs from A to B.
    mutual : L↔_AB, arcs from A to B whose reverse arc exists (so L↔_AB = L↔_BA).
    reciprocity : (L↔_AB + L↔_BA)/(L_AB + L_BA), symmetric; diagonal L↔_AA/L_AA;
        NaN without arcs.
    weighted : Σ min(w_ij, w_ji)/Σ w_ij over the same arcs, symmetric.
    """

    groups: tuple[str, ...]
    arcs: IntArray
    mutual: IntArray
    reciprocity: FloatArray
    weighted: FloatArray


@dataclass(frozen=True)
class Reciprocity:
    """Graph-level reciprocity (X5); ``pairs`` only when labels were given."""

    vertices: int
    arcs: int
    mutual_arcs: int
    reciprocity: float
    density: float
    rho: float
    weighted: float
    pairs: PairReciprocity | None = None


def reciprocity(graph: ig.Graph, labels: GroupLabels | None = None) -> Reciprocity:
    """Reciprocity r, Garlaschelli–Loffredo ρ and weighted r_w of a directed graph (X5).

    r = L↔/L; ρ = (r − ā)/(1 − ā), ā = L/(N(N−1)) with N = ``graph.vcount()``
    (Garlaschelli & Loffredo 2004); r_w = Σ min(w_ij, w_ji)/Σ w_ij over the "weight"
    attribute (Squartini et al. 2013). With ``labels``, also per group pair
    (:class:`PairReciprocity`). Ratios without arcs are NaN.

    Examples
    --------
    >>> g = ig.Graph(4, [(0, 1), (1, 0), (1, 2), (2, 3), (3, 2)], directed=True)
    >>> g.es["weight"] = [2.0, 1.0, 3.0, 1.0, 4.0]
    >>> found = reciprocity(g)
    >>> found.mutual_arcs, found.reciprocity, round(found.rho, 6), round(found.weighted, 6)
    (4, 0.8, 0.657143, 0.363636)
    """
    if not graph.is_directed():
        raise ValidationError("graph", "reciprocity needs a directed graph")
    n = graph.vcount()
    source, target, weight, _ = edge_arrays(graph)
    reverse = _reverse_arc(n, source, target)
    mutual = reverse >= 0
    smaller = np.where(mutual, np.minimum(weight, weight[reverse]), 0.0)
    arcs = len(source)
    r = _ratio(int(mutual.sum()), arcs)
    density = _ratio(arcs, n * (n - 1))
    pairs = None
    if labels is not None:
        pairs = _pairs(labels, source, target, mutual, weight, smaller)
    return Reciprocity(
        vertices=n,
        arcs=arcs,
        mutual_arcs=int(mutual.sum()),
        reciprocity=r,
        density=density,
        rho=_ratio(r - density, 1 - density),
        weighted=_ratio(float(smaller.sum()), float(weight.sum())),
        pairs=pairs,
    )


def _reverse_arc(n: int, source: IntArray, target: IntArray) -> IntArray:
    """Index of the arc v→u for each arc u→v, −1 when there is none."""
    if len(source) == 0:
        return np.zeros(0, dtype=np.int64)
    index = np.arange(1, len(source) + 1, dtype=np.float64)
    lookup = sp.csr_array((index, (source, target)), shape=(n, n))
    return np.asarray(lookup[target, source]).astype(np.int64) - 1


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else float("nan")


def _pairs(
    labels: GroupLabels,
    source: IntArray,
    target: IntArray,
    mutual: np.ndarray,
    weight: FloatArray,
    smaller: FloatArray,
) -> PairReciprocity:
    cells = TieCells.of(labels, source, target)
    arcs = np.rint(cells.sums(np.ones(len(source)), split=False)).astype(np.int64)
    both = np.rint(cells.sums(mutual.astype(float), split=False)).astype(np.int64)
    total = cells.sums(weight, split=False)
    matched = cells.sums(smaller, split=False)

    def ratio(top: np.ndarray, bottom: np.ndarray) -> FloatArray:
        out = np.full(top.shape, np.nan)
        both_ways = bottom + bottom.T - np.diag(np.diag(bottom))
        np.divide(top + top.T - np.diag(np.diag(top)), both_ways, out=out, where=both_ways > 0)
        return out

    return PairReciprocity(
        groups=labels.groups,
        arcs=arcs,
        mutual=both,
        reciprocity=ratio(both.astype(float), arcs.astype(float)),
        weighted=ratio(matched, total),
    )
