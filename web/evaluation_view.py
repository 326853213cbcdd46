"""The evaluator's documents, read from the stored indicator history (``graphsvc snapshot``).

A scope (the network or a community) may hold several *variants* of its history: one per
definition version and parameter set (boundary kind, interaction kinds, period). Unless
one is asked for, the variant computed last is shown. Values of groups smaller than the
minimum group size (``GRAPHSVC_MIN_GROUP_SIZE``, 5 by default) are suppressed: the period
stays, its value and interval become null and ``suppressed`` is true.

Objectives are matched to the variant of their boundary and interaction kind (parameters
``boundary`` and ``kinds``) and get their status from :func:`analytics.objectives.objective_status`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from analytics.objectives import objective_status
from graphsvc.model import MetricValue, Objective
from graphsvc.store import GraphStore, MetricQuery
from web.svg_chart import Point, Trajectory, trend_chart

#: indicators shown as percentages
SHARES = frozenset({"cross_share", "cross_share_baseline", "active_spanner_share", "retention",
                    "jaccard", "pairs_connected"})  # fmt: skip


def scope_of(community_id: str | None) -> tuple[str, str]:
    return ("community", community_id) if community_id else ("network", "")


def variants(rows: Sequence[MetricValue]) -> list[dict[str, Any]]:
    """The (definition, parameters) variants of ``rows``, the one computed last first."""
    latest: dict[tuple[str, str], MetricValue] = {}
    for row in rows:
        key = (row.definition, row.parameters_id)
        if key not in latest or _stamp(row) > _stamp(latest[key]):
            latest[key] = row
    ordered = sorted(latest.values(), key=_stamp, reverse=True)
    return [{"definition": r.definition, "parameters_id": r.parameters_id,
             "parameters": json.loads(r.parameters)} for r in ordered]  # fmt: skip


def series_document(
    store: GraphStore,
    community_id: str | None,
    min_group: int,
    *,
    indicator: str | None = None,
    definition: str | None = None,
    parameters_id: str | None = None,
) -> dict[str, Any]:
    """``{scope_kind, scope_id, variant, variants, series: {indicator: [period rows]}}``."""
    scope_kind, scope_id = scope_of(community_id)
    rows = store.metric_values(MetricQuery(scope_kind=scope_kind, scope_id=scope_id,
                                           indicator=indicator))  # fmt: skip
    found = variants(rows)
    chosen = next(
        (v for v in found if (definition in (None, v["definition"]))
         and (parameters_id in (None, v["parameters_id"]))), None,
    )  # fmt: skip
    series: dict[str, list[dict[str, Any]]] = {}
    if chosen is not None:
        for row in rows:
            if (row.definition, row.parameters_id) == (
                chosen["definition"],
                chosen["parameters_id"],
            ):
                series.setdefault(row.indicator, []).append(period_row(row, min_group, scope_kind))
    return {"scope_kind": scope_kind, "scope_id": scope_id, "variant": chosen,
            "variants": found, "series": series}  # fmt: skip


def period_row(row: MetricValue, min_group: int, scope_kind: str) -> dict[str, Any]:
    """One period of a series; a community smaller than ``min_group`` is suppressed."""
    suppressed = scope_kind != "network" and row.n_active < min_group
    return {
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "value": None if suppressed else row.value,
        "low": None if suppressed else row.low,
        "high": None if suppressed else row.high,
        "n_interactions": row.n_interactions,
        "n_active": row.n_active,
        "insufficient": row.insufficient,
        "suppressed": suppressed,
    }


def objective_document(store: GraphStore, objective: Objective, min_group: int) -> dict[str, Any]:
    """The objective with its status against its indicator's stored series."""
    periods = objective_series(store, objective, min_group)
    status = objective_status(
        objective,
        [_moment(p["period_end"]) for p in periods],
        [None if p["insufficient"] else p["value"] for p in periods],
        [p["low"] for p in periods],
        [p["high"] for p in periods],
        [p["n_interactions"] for p in periods],
    )
    return {**objective_fields(objective), "status": status.to_dict(), "periods": len(periods)}


def objective_series(
    store: GraphStore, objective: Objective, min_group: int
) -> list[dict[str, Any]]:
    """The periods of the variant matching the objective's boundary and interaction kind."""
    scope_kind, scope_id = scope_of(objective.community_id)
    rows = store.metric_values(MetricQuery(scope_kind=scope_kind, scope_id=scope_id,
                                           indicator=objective.indicator))  # fmt: skip
    kinds = objective.interaction_kind.value if objective.interaction_kind else "all"
    for variant in variants(rows):
        parameters = variant["parameters"]
        if parameters.get("boundary", "cop") == objective.boundary.value and (
            parameters.get("kinds", "all") == kinds
        ):
            wanted = (variant["definition"], variant["parameters_id"])
            return [period_row(r, min_group, scope_kind) for r in rows
                    if (r.definition, r.parameters_id) == wanted]  # fmt: skip
    return []


def objective_fields(o: Objective) -> dict[str, Any]:
    return {
        "id": o.id, "community_id": o.community_id, "indicator": o.indicator,
        "boundary": o.boundary.value,
        "interaction_kind": o.interaction_kind.value if o.interaction_kind else None,
        "baseline": o.baseline, "baseline_at": o.baseline_at.isoformat(), "target": o.target,
        "deadline": o.deadline.isoformat(), "min_n": o.min_n, "description": o.description,
        "author": o.author, "created_at": o.created_at.isoformat() if o.created_at else None,
    }  # fmt: skip


def chart_svg(
    periods: Sequence[dict[str, Any]],
    title: str,
    indicator: str,
    objective: Objective | None = None,
) -> str:
    """The trend chart of one series (with the objective's trajectory when given)."""
    points = [
        Point(_moment(p["period_end"]), None if p["insufficient"] else p["value"],
              p["low"], p["high"])
        for p in periods
    ]  # fmt: skip
    line = None
    if objective is not None:
        line = Trajectory(objective.baseline_at, objective.baseline, objective.deadline,
                          objective.target)  # fmt: skip
    return trend_chart(points, title, trajectory=line, percent=indicator in SHARES)


def _stamp(row: MetricValue) -> float:
    return row.computed_at.timestamp() if row.computed_at else float("-inf")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def benchmark_document(
    store: GraphStore, community_id: str, indicator: str, min_group: int
) -> dict[str, Any]:
    """The community's latest value of ``indicator`` against three references (METRICS.md
    §4 "benchmarks"): the network in the same period, the median of its peers (the other
    communities of its kind with a value that period) and its own baseline (the first
    period with data). Each reference comes with the difference; the community's interval
    says whether the difference is beyond its uncertainty."""
    own = series_document(store, community_id, min_group, indicator=indicator)
    periods = [p for p in own["series"].get(indicator, []) if p["value"] is not None]
    if not periods or own["variant"] is None:
        return {"community": community_id, "indicator": indicator, "latest": None,
                "references": []}  # fmt: skip
    latest, first = periods[-1], periods[0]
    variant = (own["variant"]["definition"], own["variant"]["parameters_id"])
    same_period = store.metric_values(MetricQuery(
        indicator=indicator, definition=variant[0], parameters_id=variant[1],
        start=_moment(latest["period_start"]), end=_moment(latest["period_end"]),
    ))  # fmt: skip
    kinds = {s.community.id: s.community.kind for s in store.communities()}
    network = next((m.value for m in same_period if m.scope_kind == "network"), None)
    peers = sorted(
        m.value for m in same_period
        if m.scope_kind == "community" and m.scope_id != community_id and m.value is not None
        and m.n_active >= min_group and kinds.get(m.scope_id) == kinds.get(community_id)
    )  # fmt: skip
    median = None if not peers else (peers[(len(peers) - 1) // 2] + peers[len(peers) // 2]) / 2
    references = [
        _reference("network", "the whole network, same period", network, latest),
        _reference("peers", f"median of {len(peers)} peer communities, same period", median,
                   latest),
        _reference("baseline", f"its own first period ({first['period_start'][:7]})",
                   first["value"], latest),
    ]  # fmt: skip
    return {"community": community_id, "indicator": indicator, "latest": latest,
            "references": [r for r in references if r is not None]}  # fmt: skip


def _reference(
    name: str, label: str, value: float | None, latest: dict[str, Any]
) -> dict[str, Any] | None:
    if value is None:
        return None
    low, high = latest["low"], latest["high"]
    beyond = low is not None and high is not None and not (low <= value <= high)
    return {"name": name, "label": label, "value": value, "difference": latest["value"] - value,
            "beyond_interval": beyond}  # fmt: skip
