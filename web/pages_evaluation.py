"""The evaluator's pages: trends with intervals, the objectives board, before/after an
activity, the Wenger-Trayner value table with stories (``evaluation.js`` fills them from
``/api/v1``), and the downloadable self-contained report."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from web.pages import page_context
from web.report_data import build_report
from web.security import requires
from web.state import WebState

evaluation = Blueprint("evaluation", __name__)
#: the report is a stand-alone document: its own inline styles, nothing else at all
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


@evaluation.get("/evaluation")
@requires("view_evaluation")
def network() -> str:
    return render_template("evaluation.html", **page_context("evaluation", community_id=""))


@evaluation.get("/communities/<community_id>/evaluation")
@requires("view_evaluation")
def community(community_id: str) -> str:
    return render_template(
        "evaluation.html", **page_context("communities", community_id=community_id)
    )


@evaluation.get("/evaluation/report.html")
@requires("view_evaluation")
def report() -> Response:
    """The report of ``community`` (none: the network) with the ``activity`` reports asked."""
    from flask import current_app

    web: WebState = current_app.extensions["graphsvc"]
    community_id = request.args.get("community") or None
    html = build_report(web.store, web.settings, community_id, request.args.getlist("activity"))
    response = Response(html, mimetype="text/html")
    name = f"graphsvc-evaluation-{community_id or 'network'}.html"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response
