"""The communities dashboard's document: one row per community and the tie matrix.

Per community (of the window's boundary kind): size and active members, E-I with its
random-mixing expectation and permutation p (METRICS.md S1), the silo verdict and its
reason, the top boundary spanners among its members (by cross-community betweenness,
named people only) and its fragile pairs (K_AB = 1: one person carries every tie between
two communities, METRICS.md X2). The matrix holds distinct ties, density and O/E per pair.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analytics.report import Report
from analytics.ties import pairs
from web.state import WindowAnalysis

TOP_SPANNERS = 3


def communities_document(window: WindowAnalysis, report: Report) -> dict[str, Any]:
    """The ``/api/v1/communities`` document (without ``ok``)."""
    fragile = fragile_pairs(report)
    spanners = top_spanners(report, window)
    items = [
        community_row(window, report, g, spanners[g], fragile.get(group, []))
        for g, group in enumerate(report.metrics.silos.groups)
    ]
    return {"items": items, "matrix": tie_matrix(report, window.community_names)}


def community_row(
    window: WindowAnalysis,
    report: Report,
    g: int,
    spanners: list[dict[str, str]],
    fragile: list[dict[str, Any]],
) -> dict[str, Any]:
    """The dashboard row of group ``g`` of the window's boundary kind."""
    silos = report.metrics.silos
    ei, group = silos.ei, silos.groups[g]
    return {
        "id": group,
        "name": window.community_names.get(group, group),
        "size": int(ei.group_size[g]),
        "active": int(silos.active_members[g]),
        "ei": _number(ei.group_ei[g]),
        "ei_expected": _number(ei.group_ei_expected[g]),
        "ei_p": _number(ei.group_ei_p[g]),
        "silo": bool(silos.silo[g]),
        "silo_reason": silos.reason[g],
        "spanners": spanners,
        "fragile_pairs": fragile,
    }


def top_spanners(report: Report, window: WindowAnalysis) -> list[list[dict[str, str]]]:
    """Per group, up to :data:`TOP_SPANNERS` named members with the highest positive
    cross-community betweenness."""
    scores = report.metrics.cross_betweenness.scores
    labels, ids = report.main.labels, report.main.person_ids
    best: list[list[dict[str, str]]] = [[] for _ in labels.groups]
    for v in np.argsort(-scores, kind="stable").tolist():
        if not scores[v] > 0:
            break
        if not report.named(v):
            continue
        for g in labels.sets[v]:
            if len(best[g]) < TOP_SPANNERS:
                best[g].append({"id": ids[v], "name": window.names.get(ids[v], ids[v])})
    return best


def fragile_pairs(report: Report) -> dict[str, list[dict[str, Any]]]:
    """Community id → the pairs it is in whose every tie one person carries."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in pairs(report.metrics.ties):
        if row.carriers != 1:
            continue
        for this, other in ((row.a, row.b), (row.b, row.a)):
            found.setdefault(this, []).append({"with": other, "ties": int(row.count)})
    return found


def tie_matrix(report: Report, names: dict[str, str]) -> dict[str, Any]:
    """Distinct ties, density and observed/expected per community pair (NaN → null)."""
    ties = report.metrics.ties
    return {
        "ids": list(ties.groups),
        "names": [names.get(group, group) for group in ties.groups],
        "ties": ties.dyads.astype(int).tolist(),
        "density": _matrix(ties.density),
        "oe": _matrix(ties.observed_expected),
    }


def _matrix(values: np.ndarray) -> list[list[float | None]]:
    return [[_number(x) for x in row] for row in np.asarray(values, dtype=float).tolist()]


def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None
