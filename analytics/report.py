"""The analysis report: brokers, silos, cross-community ties and hidden clusters of a window.

:func:`analyze` runs every metric of METRICS.md §1–3 on the projections of one window and
gathers one :class:`Report`, whose :meth:`Report.to_dict` is the ``graphsvc analyze --json``
document (field names are a contract: other tools read them) and whose
:func:`summary` is the readable text. Which graph each metric reads:

* the undirected tie graph (``main``: by default every kind but co-attendance, strength =
  interaction count): betweenness and cross-community betweenness (hops), structural holes,
  participation, spanners, E-I and silos, the tie matrix, bridges, Leiden clusters;
* the directed knowledge flow (``flows``: knowledge exchange and mentoring, over the same
  people): Gould–Fernandez roles and the flow between communities;
* the directed knowledge exchange alone (``exchange``): reciprocity (mentoring is
  one-way by design, METRICS.md X5).

People who withheld consent stay in the graph (their ties are part of others' positions)
but are never named: their rows are left out of ``people``, and clusters count them
without listing them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np

from analytics.betweenness import Betweenness, betweenness, cross_betweenness
from analytics.bridges import Bridges, bridges
from analytics.clusters import ClusterReport, hidden_clusters
from analytics.gould_fernandez import ROLES, BrokerageRoles, brokerage_roles
from analytics.holes import StructuralHoles, structural_holes
from analytics.label_sets import Measure
from analytics.participation import Participation, participation
from analytics.projection import Projection
from analytics.reciprocity import Reciprocity, reciprocity
from analytics.silos import SiloReport, silo_report
from analytics.spanners import Spanners, boundary_spanners
from analytics.ties import TieMatrix, pairs, tie_matrix

T = TypeVar("T")
#: the sections of the JSON document, in order
DOCUMENT_ORDER = ("window", "boundary", "network", "people", "communities", "ties", "bridges",
                  "clusters")  # fmt: skip


@dataclass(frozen=True)
class AnalysisOptions:
    """Knobs of :func:`analyze`: the random seed, the label permutations of the E-I test,
    the silo rule's carrier share, and the rows per summary section."""

    seed: int = 0
    permutations: int = 199
    max_carrier_share: float = 0.5
    top: int = 10
    #: what E-I counts: ties (pairs with an interaction), interaction counts, or weights
    ei_measure: Measure = "ties"


@dataclass(frozen=True)
class Metrics:
    """Every metric's result for one window (indexed by the ``main`` projection's vertices)."""

    betweenness: Betweenness
    cross_betweenness: Betweenness
    holes: StructuralHoles
    participation: Participation
    roles: BrokerageRoles
    spanners: Spanners
    silos: SiloReport
    ties: TieMatrix
    bridges: Bridges
    reciprocity: Reciprocity
    clusters: ClusterReport


@dataclass(frozen=True)
class Report:
    """One window's analysis: the projections, their metrics and who may be named."""

    main: Projection
    metrics: Metrics
    options: AnalysisOptions
    consent: Mapping[str, bool] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    def named(self, vertex: int) -> bool:
        """True unless the person withheld consent (unknown people count as consenting)."""
        return self.consent.get(self.main.person_ids[vertex], True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``graphsvc analyze --json`` (NaN and ∞ become null)."""
        document: dict[str, Any] = _plain(
            {
                "window": _window(self.main),
                "boundary": self.main.options.boundary.value,
                "network": _network(self),
                "communities": _communities(self),
                "ties": [dict(row) for row in pairs(self.metrics.ties)],
                "bridges": _bridges(self),
                "clusters": _clusters(self),
            }
        )
        document["people"] = _people(self)  # already plain (the largest part)
        return {key: document[key] for key in DOCUMENT_ORDER}


def analyze(
    main: Projection,
    flows: Projection,
    exchange: Projection,
    options: AnalysisOptions | None = None,
    *,
    consent: Mapping[str, bool] | None = None,
    names: Mapping[str, str] | None = None,
    timings: dict[str, float] | None = None,
) -> Report:
    """Run every metric on one window's projections (see the module docstring).

    ``flows`` and ``exchange`` must index the same people as ``main`` (build them with
    ``people=main.person_ids``). ``timings``, when given, receives the seconds of each
    stage (``betweenness (rest)`` is the wait for plain betweenness once everything else
    is done: it runs beside the other metrics).

    Examples
    --------
    >>> from analytics.projection import ProjectionOptions, interaction_arrays, project
    >>> from graphsvc.model import Membership
    >>> rows = [("a", "b", 0), ("b", "c", 1), ("c", "d", 2), ("d", "e", 3)]
    >>> members = [Membership(p, "x") for p in "ab"] + [Membership(p, "y") for p in "de"]
    >>> main = project(interaction_arrays(rows), members)
    >>> flows = project(interaction_arrays([]), members, ProjectionOptions(directed=True),
    ...                 people=main.person_ids)
    >>> report = analyze(main, flows, flows)
    >>> [row["id"] for row in report.to_dict()["people"]][:2]
    ['a', 'b']
    """
    options = options or AnalysisOptions()
    if not (main.person_ids == flows.person_ids == exchange.person_ids):
        raise ValueError("the projections must index the same people (people=main.person_ids)")
    graph, labels, seed = main.graph, main.labels, options.seed
    clock = _Clock(timings)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # above its exact limit betweenness waits on KADABRA in a child process: meanwhile
        # this thread computes the rest (two cores at work)
        pending = pool.submit(betweenness, graph, seed=seed)
        cross = clock("cross-community betweenness", cross_betweenness, graph, labels, seed=seed)
        shares = clock("participation", participation, graph, labels)
        roles = clock("Gould-Fernandez", brokerage_roles, flows.graph, labels, seed=seed)
        metrics = Metrics(
            betweenness=cross,  # replaced below, once the pending result is in
            cross_betweenness=cross,
            holes=clock("structural holes", structural_holes, graph),
            participation=shares,
            roles=roles,
            spanners=clock(
                "spanners", boundary_spanners, graph, labels,
                cross_betweenness=cross.scores, gf_z=roles.perm_z, roles=shares.role,
            ),
            silos=clock(
                "E-I and silos", silo_report, graph, labels, permutations=options.permutations,
                seed=seed, max_carrier_share=options.max_carrier_share, measure=options.ei_measure,
            ),
            ties=clock("tie matrix", tie_matrix, graph, labels, flow_graph=flows.graph),
            bridges=clock("bridges", bridges, graph, labels, cross_spans_only=True),
            reciprocity=clock("reciprocity", reciprocity, exchange.graph),
            clusters=clock("Leiden clusters", hidden_clusters, graph, labels, seed=seed),
        )  # fmt: skip
        metrics = replace(metrics, betweenness=clock("betweenness (rest)", pending.result))
    return Report(main, metrics, options, dict(consent or {}), dict(names or {}))


class _Clock:
    """Calls a function and, when asked to, records its wall time under a stage name."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    def __call__(self, stage: str, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        began = time.perf_counter()
        result = work(*args, **kwargs)
        if self.timings is not None:
            self.timings[stage] = time.perf_counter() - began
        return result


# --- the JSON document ------------------------------------------------------------------


def _window(main: Projection) -> dict[str, Any]:
    start, end = main.options.start, main.options.end
    return {
        "start": None if start is None else start.isoformat(),
        "end": None if end is None else end.isoformat(),
        "kinds": [kind.value for kind in main.options.kinds],
        "coattendance": main.options.include_coattendance,
        "weighting": main.options.weighting,
        "half_life_days": main.options.half_life_days,
    }


def _network(report: Report) -> dict[str, Any]:
    m, graph = report.metrics, report.main.graph
    ei = m.silos.ei
    return {
        "people": graph.vcount(),
        "ties": graph.ecount(),
        "interactions": report.main.interactions,
        "ei": ei.ei,
        "ei_expected": ei.ei_expected,
        "ei_p": ei.ei_p,
        "permutations": ei.permutations,
        "ei_measure": ei.measure,
        "seed": report.options.seed,
        "betweenness_method": m.betweenness.method,
        "betweenness_bound": m.betweenness.bound,
        "cross_betweenness_method": m.cross_betweenness.method,
        "cross_betweenness_bound": m.cross_betweenness.bound,
        "reciprocity": m.reciprocity.reciprocity,
        "reciprocity_rho": m.reciprocity.rho,
        "withheld": sum(1 for v in range(graph.vcount()) if not report.named(v)),
    }


def _people(report: Report) -> list[dict[str, Any]]:
    """One row per named person, built from whole columns (100k people in well under a
    second: no numpy scalar per cell)."""
    columns = {name: _plain_column(values) for name, values in _person_columns(report).items()}
    m = report.metrics
    counts, z = m.roles.counts.tolist(), [_finite(row) for row in m.roles.perm_z]
    return [
        _person_row(
            report, v, {name: values[v] for name, values in columns.items()}, counts[v], z[v]
        )
        for v in range(len(report.main.person_ids))
        if report.named(v)
    ]


def person_metrics(report: Report, vertex: int) -> dict[str, Any]:
    """The JSON row of one person (vertex of ``report.main``), as in ``people`` of
    :meth:`Report.to_dict` (the caller decides whether the person may be named)."""
    values = {
        name: _plain_column(column[vertex : vertex + 1])[0]
        for name, column in _person_columns(report).items()
    }
    m = report.metrics
    counts = m.roles.counts[vertex].tolist()
    return _person_row(report, vertex, values, counts, _finite(m.roles.perm_z[vertex]))


def _person_columns(report: Report) -> dict[str, np.ndarray]:
    m = report.metrics
    return {
        "betweenness": m.betweenness.scores,
        "cross_betweenness": m.cross_betweenness.scores,
        "constraint": m.holes.constraint,
        "effective_size": m.holes.effective_size,
        "participation": m.participation.coefficient,
        "within_z": m.participation.within_z,
        "role": m.participation.role,
        "ei": m.silos.ei.person_ei,
        "spanner": m.spanners.spanner,
    }


def _plain_column(values: np.ndarray) -> list[Any]:
    """Numbers as :func:`_finite`; text columns (roles) as ``str``."""
    if values.dtype.kind in "fiub":
        return _finite(values)
    return [str(value) for value in values.tolist()]


def _person_row(
    report: Report, v: int, values: dict[str, Any], counts: list[int], z: list[Any]
) -> dict[str, Any]:
    person_id, labels = report.main.person_ids[v], report.main.labels
    row: dict[str, Any] = {
        "id": person_id,
        "name": report.names.get(person_id),
        "groups": sorted(labels.groups[g] for g in labels.sets[v]),
    }
    row.update(values)
    row["brokerage"] = dict(zip(ROLES, counts, strict=True))
    row["brokerage_z"] = dict(zip(ROLES, z, strict=True))
    row["degree"] = int(report.metrics.holes.degree[v])
    return row


def _finite(values: np.ndarray) -> list[Any]:
    """Python numbers, None where not finite (NaN, ±∞)."""
    plain = np.asarray(values, dtype=np.float64)
    return [
        x if ok else None for x, ok in zip(plain.tolist(), np.isfinite(plain).tolist(), strict=True)
    ]


def _communities(report: Report) -> list[dict[str, Any]]:
    silos = report.metrics.silos
    ei = silos.ei
    return [
        {
            "id": group,
            "size": int(ei.group_size[g]),
            "internal": ei.group_internal[g],
            "external": ei.group_external[g],
            "ei": ei.group_ei[g],
            "ei_expected": ei.group_ei_expected[g],
            "ei_p": ei.group_ei_p[g],
            "conductance": silos.conductance.conductance[g],
            "carriers": int(silos.carriers[g]),
            "silo": bool(silos.silo[g]),
            "reason": silos.reason[g],
        }
        for g, group in enumerate(silos.groups)
    ]


def _bridges(report: Report) -> dict[str, Any]:
    found, ids = report.metrics.bridges, report.main.person_ids
    novel = np.flatnonzero(found.local_bridge & found.cross_group)
    return {
        "bridges": int(found.bridge.sum()),
        "local_bridges": int(found.local_bridge.sum()),
        "cross_group_local_bridges": [
            {"a": ids[found.source[k]], "b": ids[found.target[k]], "span": found.span[k]}
            for k in novel
            if report.named(int(found.source[k])) and report.named(int(found.target[k]))
        ],
    }


def _clusters(report: Report) -> dict[str, Any]:
    document = report.metrics.clusters.to_dict()
    for cluster in document["hidden"]:
        members = cluster.pop("members")
        cluster["members"] = [report.main.person_ids[v] for v in members if report.named(v)]
        cluster["withheld"] = len(members) - len(cluster["members"])
    return document


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN/∞ to None, containers recursively."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
