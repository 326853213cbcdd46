"""``/api/v1/analytics/…``: the window's brokers, silos and community × community ties.

The same numbers the explorer highlights and the dashboard shows, as plain lists for
other systems (each takes the window parameters of ``/api/v1/graph``):

* ``brokers``: people ranked by cross-community betweenness (METRICS.md B1x), positive
  scores only, with their metrics (:func:`analytics.report.person_metrics`). ``rank``
  counts everyone; people with consent = no are left out of the list (a gap in the ranks).
* ``silos``: the communities the silo rule flags (METRICS.md S1–S3), with their row of
  the dashboard.
* ``ties``: one row per community pair with ties — distinct ties, carriers (people who
  carry them; 1 = fragile), density and observed/expected (METRICS.md X1, X2, X6) — and
  the matrix.
"""

from __future__ import annotations

import numpy as np
from flask import Response, request

from analytics.report import person_metrics
from analytics.ties import pairs
from web import params
from web.api import api, ok, state
from web.communities_view import communities_document, tie_matrix
from web.security import requires


@api.get("/analytics/brokers")
@requires("view_network")
def brokers() -> Response:
    """One page of the window's brokers, strongest first."""
    key = params.window_key(request.args, state().settings.zone)
    number, per_page = params.page(request.args)
    _window, report = state().analyses.report(key)
    scores = report.metrics.cross_betweenness.scores
    ranked = [v for v in np.argsort(-scores, kind="stable").tolist() if scores[v] > 0]
    listed = [(rank, v) for rank, v in enumerate(ranked, start=1) if report.named(v)]
    page = listed[(number - 1) * per_page : number * per_page]
    items = [{"rank": rank, **person_metrics(report, v)} for rank, v in page]
    return ok(
        {
            "boundary": key.boundary.value,
            "items": items,
            "page": number,
            "per_page": per_page,
            "total": len(listed),
        }
    )


@api.get("/analytics/silos")
@requires("view_network")
def silos() -> Response:
    """The communities flagged as silos in the window, with their dashboard rows."""
    key = params.window_key(request.args, state().settings.zone)
    window, report = state().analyses.report(key)
    rows = communities_document(window, report)["items"]
    return ok({"boundary": key.boundary.value, "items": [row for row in rows if row["silo"]]})


@api.get("/analytics/ties")
@requires("view_network")
def ties() -> Response:
    """Community pairs with ties (distinct ties, carriers, density, O/E) and the matrix."""
    key = params.window_key(request.args, state().settings.zone)
    window, report = state().analyses.report(key)
    names = window.community_names
    rows = [
        {**dict(row), "a_name": names.get(row.a, row.a), "b_name": names.get(row.b, row.b)}
        for row in pairs(report.metrics.ties)
    ]
    return ok({"boundary": key.boundary.value, "pairs": rows, "matrix": tie_matrix(report, names)})
