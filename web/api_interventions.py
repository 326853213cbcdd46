"""``/api/v1`` activities and their before/after evaluation (permission ``view_evaluation``).

``GET /activities`` lists the activities (of a community) with their participant counts;
``GET /activities/<id>/intervention`` runs :func:`analytics.intervention.evaluate_intervention`
on the store's interactions (memberships of the ``boundary`` kind; ``freq`` month or week)
and returns its report, computed once per store version and query.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Response, request

from analytics.intervention import Boundary, Intervention, OutcomeOptions, evaluate_intervention
from graphsvc.errors import NotFound
from graphsvc.store import GraphStore
from web import params
from web.api import api, ok, state
from web.security import requires


@api.get("/activities")
@requires("view_evaluation")
def activities() -> Response:
    """Activities (of ``community``), newest first, with how many took part."""
    community = request.args.get("community") or None
    store = state().store
    taking_part = Counter(p.activity_id for p in store.list_participations())
    rows = [a for a in store.list_activities() if community in (None, a.community_id)]
    rows.sort(key=lambda a: (a.start, a.id), reverse=True)
    return ok({"items": [
        {"id": a.id, "name": a.name, "kind": a.kind.value, "community_id": a.community_id,
         "start": a.start.isoformat(), "end": a.end.isoformat() if a.end else None,
         "participants": taking_part[a.id]}
        for a in rows
    ]})  # fmt: skip


@api.get("/activities/<activity_id>/intervention")
@requires("view_evaluation")
def intervention(activity_id: str) -> Response:
    """The before/after report of one activity (see the module)."""
    freq = params.one_of(request.args, "freq", ("month", "week"), "month")
    boundary = params.window_key(request.args, state().settings.zone).boundary.value
    web = state()
    report = web.report(
        ("intervention", activity_id, freq, boundary),
        lambda: intervention_report(web.store, activity_id, freq, boundary),
    )
    return ok({"report": report})


def intervention_report(
    store: GraphStore, activity_id: str, freq: str = "month", boundary: str = "cop"
) -> dict[str, Any]:
    """The before/after report of ``activity_id`` as JSON values."""
    activity = next((a for a in store.list_activities() if a.id == activity_id), None)
    if activity is None:
        raise NotFound("activity", activity_id)
    arrays = store.interactions()
    crossing = Boundary.from_memberships(arrays, store.memberships(None, kind=boundary))
    event = Intervention.from_activity(activity, store.list_participations())
    options = OutcomeOptions(freq="week" if freq == "week" else "month")
    result = evaluate_intervention(arrays, crossing, event, options)
    return result.to_dict()
