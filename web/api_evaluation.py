"""``/api/v1`` for evaluators (permission ``view_evaluation``): the stored indicator history
with its intervals, trend charts as SVG, objectives with their status, and stories.

Writes (objectives, stories) record the signed-in user as their author. Values of groups
smaller than ``GRAPHSVC_MIN_GROUP_SIZE`` are never shown (:mod:`web.evaluation_view`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Response, request

from graphsvc.errors import NotFound, ValidationError
from graphsvc.interchange import parse_datetime
from graphsvc.model import Objective, Story
from web import evaluation_view as view
from web import params
from web.api import api, created, json_body, known_community, ok, state, user_name
from web.report import value_rows
from web.report_data import conversion_of
from web.security import requires


@api.get("/evaluation/indicators")
@requires("view_evaluation")
def indicators() -> Response:
    """The stored series of the network (no ``community``) or one community."""
    community = _community(request.args.get("community"))
    document = view.series_document(
        state().store, community, state().settings.min_group_size,
        indicator=request.args.get("indicator") or None,
        definition=request.args.get("definition") or None,
        parameters_id=request.args.get("parameters_id") or None,
    )  # fmt: skip
    return ok(document)


@api.get("/evaluation/chart.svg")
@requires("view_evaluation")
def chart() -> Response:
    """One indicator's trend chart (``objective`` adds its trajectory)."""
    indicator = params.required(request.args, "indicator")
    community = _community(request.args.get("community"))
    objective = _objective(request.args.get("objective"))
    minimum = state().settings.min_group_size
    if objective is not None:
        periods = view.objective_series(state().store, objective, minimum)
    else:
        document = view.series_document(
            state().store, community, minimum, indicator=indicator,
            definition=request.args.get("definition") or None,
            parameters_id=request.args.get("parameters_id") or None,
        )  # fmt: skip
        periods = document["series"].get(indicator, [])
    title = f"{indicator} — {community or 'the whole network'}"
    response = Response(
        view.chart_svg(periods, title, indicator, objective), mimetype="image/svg+xml"
    )
    response.cache_control.no_store = True
    return response


@api.get("/evaluation/benchmark")
@requires("view_evaluation")
def benchmark() -> Response:
    """A community's latest value of ``indicator`` against the network, its peers and its
    own baseline."""
    community = _community(params.required(request.args, "community"))
    assert community is not None
    indicator = params.required(request.args, "indicator")
    minimum = state().settings.min_group_size
    return ok(view.benchmark_document(state().store, community, indicator, minimum))


@api.get("/evaluation/values")
@requires("view_evaluation")
def values() -> Response:
    """The Wenger-Trayner value table: per value cycle the network proxies and the stories."""
    community = _community(request.args.get("community"))
    store = state().store
    series = view.series_document(store, community, state().settings.min_group_size)["series"]
    rows = value_rows(series, store.stories(community), conversion_of(store, community))
    return ok({"items": [{**row, "stories": [_story(s) for s in row["stories"]]} for row in rows]})


@api.get("/objectives")
@requires("view_evaluation")
def objectives() -> Response:
    """Objectives (of ``community``) with their status."""
    community = _community(request.args.get("community"))
    rows = state().store.objectives(community)
    minimum = state().settings.min_group_size
    return ok({"items": [view.objective_document(state().store, o, minimum) for o in rows]})


@api.post("/objectives")
@requires("view_evaluation")
def record_objective() -> Response:
    """Create or replace an objective from JSON ``{id?, community?, indicator, boundary?,
    interaction_kind?, baseline, baseline_at, target, deadline, min_n?, description?}``."""
    body = json_body()
    zone = state().settings.zone
    objective = Objective(
        id=str(body.get("id") or f"obj-{uuid.uuid4().hex[:12]}"),
        indicator=params.required(body, "indicator"),
        baseline=_number(body, "baseline"), target=_number(body, "target"),
        baseline_at=parse_datetime(params.required(body, "baseline_at"), zone, "baseline_at"),
        deadline=parse_datetime(params.required(body, "deadline"), zone, "deadline"),
        community_id=_community(body.get("community")),
        boundary=body.get("boundary") or "cop",  # type: ignore[arg-type]
        interaction_kind=body.get("interaction_kind") or None,
        min_n=int(_number(body, "min_n", 30)),
        description=body.get("description") or None,
        author=user_name(), created_at=datetime.now(UTC),
    )  # fmt: skip
    state().store.upsert_objectives([objective])
    document = view.objective_document(state().store, objective, state().settings.min_group_size)
    return created({"objective": document})


@api.delete("/objectives/<objective_id>")
@requires("view_evaluation")
def delete_objective(objective_id: str) -> Response:
    if not state().store.delete_objective(objective_id):
        raise NotFound("objective", objective_id)
    return ok({"deleted": objective_id})


@api.get("/stories")
@requires("view_evaluation")
def stories() -> Response:
    """Stories (of ``community``), oldest first."""
    community = _community(request.args.get("community"))
    return ok({"items": [_story(s) for s in state().store.stories(community)]})


@api.post("/stories")
@requires("view_evaluation")
def record_story() -> Response:
    """Record a story from JSON ``{text, at?, community?, value_cycle?, activity?}``."""
    body = json_body()
    at = body.get("at")
    story = Story(
        id=f"story-{uuid.uuid4().hex[:12]}", text=params.required(body, "text"),
        at=parse_datetime(str(at), state().settings.zone, "at") if at else datetime.now(UTC),
        author=user_name() or "unknown", community_id=_community(body.get("community")),
        value_cycle=body.get("value_cycle") or None, activity_id=body.get("activity") or None,
    )  # fmt: skip
    state().store.upsert_stories([story])
    return created({"story": _story(story)})


@api.delete("/stories/<story_id>")
@requires("view_evaluation")
def delete_story(story_id: str) -> Response:
    if not state().store.delete_story(story_id):
        raise NotFound("story", story_id)
    return ok({"deleted": story_id})


def _story(s: Story) -> dict[str, Any]:
    return {"id": s.id, "text": s.text, "at": s.at.isoformat(), "author": s.author,
            "community_id": s.community_id, "value_cycle": s.value_cycle,
            "activity_id": s.activity_id}  # fmt: skip


def _community(value: object) -> str | None:
    """A known community id, or None for the whole network."""
    if not value:
        return None
    return known_community(str(value))


def _objective(value: str | None) -> Objective | None:
    if not value:
        return None
    found = next((o for o in state().store.objectives() if o.id == value), None)
    if found is None:
        raise NotFound("objective", value)
    return found


def _number(body: dict[str, Any], name: str, default: float | None = None) -> float:
    raw = body.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ValidationError(name, "required")
        return default
    return params.number({name: str(raw)}, name, default or 0.0, -1e12, 1e12)
