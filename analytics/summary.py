"""The readable summary of a :class:`~analytics.report.Report` (``graphsvc analyze``).

Four short sections for a network weaver or moderator: the top boundary spanners (by
cross-community betweenness, METRICS.md B1x, with their role and brokerage), the silos (the
rule of :func:`analytics.silos.silo_report`, with its reason), the fragile community pairs
(held up by one person, X2) and the hidden clusters (S8). People who withheld consent are
never named.
"""

from __future__ import annotations

import numpy as np

from analytics.gould_fernandez import ROLES
from analytics.report import Report
from analytics.ties import pairs

ROLE_NAMES = {
    "R1": "ultra-peripheral", "R2": "peripheral", "R3": "connector", "R4": "kinless",
    "R5": "provincial hub", "R6": "connector hub", "R7": "kinless hub",
}  # fmt: skip


def summary(report: Report) -> str:
    """The report as text: a header line, then spanners, silos, fragile pairs, clusters."""
    sections = (_spanners, _silos, _fragile, _clusters)
    return "\n".join([_header(report), *(line for part in sections for line in part(report))])


def _header(report: Report) -> str:
    options, graph = report.main.options, report.main.graph
    start = options.start.date().isoformat() if options.start else "the beginning"
    end = options.end.date().isoformat() if options.end else "the end"
    ei = report.metrics.silos.ei
    return (
        f"{graph.vcount():,} people, {graph.ecount():,} ties from {report.main.interactions:,}"
        f" interactions, {start} → {end}; boundary: {options.boundary.value}"
        f" ({len(report.main.labels.groups)} groups). Network E-I {ei.ei:+.2f}"
        f" (expected {ei.ei_expected:+.2f} under random mixing, p = {ei.ei_p:.3f})."
    )


def _person(report: Report, vertex: int) -> str:
    person_id = report.main.person_ids[vertex]
    name = report.names.get(person_id)
    return f"{name} ({person_id})" if name else person_id


def _spanners(report: Report) -> list[str]:
    m = report.metrics
    scores = m.cross_betweenness.scores
    order = [v for v in np.argsort(-scores, kind="stable") if scores[v] > 0 and report.named(v)]
    method = m.cross_betweenness.method
    lines = ["", f"Top boundary spanners (cross-community betweenness, {method}):"]
    for rank, v in enumerate(order[: report.options.top], start=1):
        role = str(m.participation.role[v])
        counts = m.roles.counts[v]
        main_role = ROLES[int(np.argmax(counts))] if counts.sum() else "none"
        kind = str(m.spanners.spanner[v]) or ("structural" if m.spanners.structural[v] else "none")
        lines.append(
            f"  {rank:>2}. {_person(report, v)}: {scores[v]:.4f};"
            f" {ROLE_NAMES.get(role, 'no role')} (P {m.participation.coefficient[v]:.2f});"
            f" brokers mostly as {main_role} ({int(counts.max()) if counts.size else 0});"
            f" spanner: {kind}"
        )
    if not order:
        lines.append("  none (no one lies between two communities in this window)")
    return lines


def _silos(report: Report) -> list[str]:
    silos = report.metrics.silos
    flagged = [g for g in range(len(silos.groups)) if silos.silo[g]]
    lines = ["", f"Silos ({len(flagged)} of {len(silos.groups)} communities):"]
    lines += [f"  {silos.groups[g]}: {silos.reason[g]}" for g in flagged] or ["  none"]
    return lines


def _fragile(report: Report) -> list[str]:
    rows = sorted(
        (row for row in pairs(report.metrics.ties) if row.carriers == 1),
        key=lambda row: (-row.count, row.a, row.b),
    )
    lines = ["", f"Fragile community pairs (one person carries every tie): {len(rows)}"]
    for row in rows[: report.options.top]:
        lines.append(f"  {row.a} ↔ {row.b}: {row.count} tie(s), weight {row.weight:g}")
    return lines


def _clusters(report: Report) -> list[str]:
    clusters = report.metrics.clusters
    lines = [
        "",
        f"Hidden clusters: {len(clusters.hidden)} (Leiden vs the formal communities:"
        f" NMI {clusters.nmi:.2f}, ARI {clusters.ari:.2f})",
    ]
    for cluster in clusters.hidden[: report.options.top]:
        where = ", ".join(f"{group} {count}" for group, count in cluster.communities)
        phi = cluster.conductance
        lines.append(f"  {cluster.size} people across {where} (conductance {phi:.2f})")
    return lines
