"""What the explorer's graph documents read from a window's analysis, per person and group.

A :class:`~analytics.report.Report` indexes its own projection's vertices; the explorer's
projection is usually that same one, but :func:`window_facts` aligns by person and group
id whatever it gets. Without a report (not computed yet) only degree can size people,
and no one is a broker, no tie a bridge, no group a silo.

Choices (documented in the explorer's help too):

* **broker**: the ``report.options.top`` people (10 by default) with the highest
  positive cross-community betweenness (METRICS.md B1x), the ranking
  :func:`analytics.summary.summary` prints as "top boundary spanners" and under which
  the planted brokers of the demo world come first. It ranks everyone: a private
  person stays a broker, shown under a pseudonym.
* **bridge**: a tie that is a cross-group local bridge (its two people share no
  neighbour and no group; METRICS.md X3), the ties ``graphsvc analyze --json`` lists as
  ``cross_group_local_bridges``.
* **silo**: the report's silo rule (:func:`analytics.silos.silo_report`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analytics.edges import edge_arrays
from analytics.projection import Projection
from analytics.report import Report

SIZE_METRICS = ("degree", "betweenness", "cross_betweenness", "participation")
MIN_SIZE = 10.0
MAX_SIZE = 60.0
EQUAL_SIZE = 20.0


@dataclass(frozen=True)
class TieArrays:
    """The undirected ties of a projection: ``source[k] < target[k]`` (vertex indexes),
    ``weight`` and interaction ``count`` (arcs of a directed graph summed per pair)."""

    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    count: np.ndarray

    def keys(self, n: int) -> np.ndarray:
        """One integer per tie, ``source · n + target``."""
        keys: np.ndarray = self.source * max(n, 1) + self.target
        return keys


@dataclass(frozen=True)
class WindowFacts:
    """Per vertex of the projection: ``value`` of the size metric (NaN when unknown) and
    ``broker``; ``bridge_keys``: sorted :meth:`TieArrays.keys` of the bridge ties;
    per group (``labels.groups`` order) ``silo``; ``size_metric`` actually used."""

    size_metric: str
    value: np.ndarray
    broker: np.ndarray
    bridge_keys: np.ndarray
    silo: np.ndarray


def tie_arrays(projection: Projection) -> TieArrays:
    """The projection's ties as :class:`TieArrays` (directed arcs pooled per pair)."""
    n = projection.graph.vcount()
    edges = edge_arrays(projection.graph)
    low = np.minimum(edges.source, edges.target)
    high = np.maximum(edges.source, edges.target)
    if not projection.graph.is_directed():
        return TieArrays(low, high, edges.weight, edges.interactions)
    keys, inverse = np.unique(low * max(n, 1) + high, return_inverse=True)
    size = len(keys)
    return TieArrays(
        keys // max(n, 1),
        keys % max(n, 1),
        np.bincount(inverse, edges.weight, size),
        np.bincount(inverse, edges.interactions, size),
    )


def window_facts(
    projection: Projection, report: Report | None, size_metric: str, ties: TieArrays
) -> WindowFacts:
    """Size values, brokers, bridges and silos of the projection's people and groups
    (module docstring); a metric other than degree falls back to degree without a report."""
    n = projection.graph.vcount()
    if report is None or size_metric == "degree":
        value = (
            np.bincount(ties.source, minlength=n) + np.bincount(ties.target, minlength=n)
        ).astype(np.float64)
        size_metric = "degree"
    if report is None:
        none = np.zeros(n, dtype=bool)
        silo = np.zeros(len(projection.labels.groups), dtype=bool)
        return WindowFacts(size_metric, value, none, np.zeros(0, np.int64), silo)
    index = _report_vertex(projection, report)
    if size_metric != "degree":
        value = _aligned(_metric(report, size_metric), index, np.nan)
    return WindowFacts(
        size_metric=size_metric,
        value=value,
        broker=_aligned(_brokers(report), index, False),
        bridge_keys=_bridge_keys(report, index, n),
        silo=_silos(projection, report),
    )


def _metric(report: Report, name: str) -> np.ndarray:
    m = report.metrics
    scores = {
        "betweenness": lambda: m.betweenness.scores,
        "cross_betweenness": lambda: m.cross_betweenness.scores,
        "participation": lambda: m.participation.coefficient,
    }[name]()
    return np.asarray(scores, dtype=np.float64)


def _report_vertex(projection: Projection, report: Report) -> np.ndarray:
    """Per projection vertex, the report's vertex of the same person (-1 if absent)."""
    theirs = report.main.person_ids
    if theirs == projection.person_ids:
        return np.arange(len(theirs), dtype=np.int64)
    where = {pid: v for v, pid in enumerate(theirs)}
    return np.array([where.get(pid, -1) for pid in projection.person_ids], dtype=np.int64)


def _aligned(values: np.ndarray, index: np.ndarray, missing: float | bool) -> np.ndarray:
    """``values`` (report vertices) read at ``index``; ``missing`` where it is -1."""
    out = np.full(len(index), missing, dtype=values.dtype)
    found = index >= 0
    out[found] = values[index[found]]
    return out


def _brokers(report: Report) -> np.ndarray:
    """The top ``report.options.top`` by positive cross-community betweenness."""
    scores = np.nan_to_num(np.asarray(report.metrics.cross_betweenness.scores, float), nan=0.0)
    ranked = np.argsort(-scores, kind="stable")[: report.options.top]
    flag = np.zeros(len(scores), dtype=bool)
    flag[ranked[scores[ranked] > 0]] = True
    return flag


def _bridge_keys(report: Report, index: np.ndarray, n: int) -> np.ndarray:
    """Sorted tie keys (projection vertices) of the report's cross-group local bridges."""
    found = report.metrics.bridges
    chosen = np.flatnonzero(found.local_bridge & found.cross_group)
    to_projection = np.full(len(report.main.person_ids), -1, dtype=np.int64)
    present = index >= 0
    to_projection[index[present]] = np.flatnonzero(present)
    a = to_projection[found.source[chosen]]
    b = to_projection[found.target[chosen]]
    both = (a >= 0) & (b >= 0)
    keys = np.minimum(a, b)[both] * max(n, 1) + np.maximum(a, b)[both]
    return np.unique(keys)


def _silos(projection: Projection, report: Report) -> np.ndarray:
    """The silo verdict of each of the projection's groups (False if the report lacks it)."""
    silos = report.metrics.silos
    verdict = dict(zip(silos.groups, np.asarray(silos.silo, dtype=bool).tolist(), strict=True))
    return np.array([verdict.get(g, False) for g in projection.labels.groups], dtype=bool)


def scaled_sizes(values: np.ndarray) -> np.ndarray:
    """Node sizes in [10, 60], linear in √value between the smallest and largest value
    (negative and unknown values count as the smallest); all equal → 20 each."""
    plain = np.asarray(values, dtype=np.float64)
    if len(plain) == 0:
        return plain
    finite = np.isfinite(plain)
    if not finite.any():
        return np.full(len(plain), EQUAL_SIZE)
    root = np.sqrt(np.clip(plain, 0.0, None), where=finite, out=np.zeros(len(plain)))
    low = float(root[finite].min())
    root[~finite] = low
    high = float(root.max())
    if math.isclose(high, low, rel_tol=1e-12, abs_tol=1e-15):
        return np.full(len(plain), EQUAL_SIZE)
    sizes: np.ndarray = MIN_SIZE + (MAX_SIZE - MIN_SIZE) * (root - low) / (high - low)
    return sizes


def plain_floats(values: np.ndarray) -> list[float | None]:
    """Python floats, None where not finite (JSON has no NaN)."""
    plain = np.asarray(values, dtype=np.float64)
    return [
        x if ok else None for x, ok in zip(plain.tolist(), np.isfinite(plain).tolist(), strict=True)
    ]
