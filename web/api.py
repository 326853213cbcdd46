"""The JSON API under ``/api/v1``: one error shape, input validated at the edge.

Every error — a bad parameter, an unknown id, a missing permission, an unknown route — is
``{"ok": false, "error": str, "status": int}`` with that HTTP status (:func:`error_response`).
Successful documents carry ``"ok": true``. Routes are listed in :mod:`web.openapi`, whose
document a test compares with the app's URL map.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from graphsvc.errors import GraphsvcError, NotFound, StoreUnavailable, ValidationError
from graphsvc.model import CommunityKind, InteractionKind
from web import params
from web.communities_view import communities_document
from web.community_view import community_document
from web.export_view import csv_text, gexf_bytes
from web.graph_view import ViewOptions, graph_document
from web.openapi import openapi_document
from web.people_view import person_document
from web.security import csrf_token, current_user, requires
from web.state import WebState, WindowAnalysis, WindowKey

api = Blueprint("api", __name__, url_prefix="/api/v1")
#: above this many people the explorer opens on the community-level graph
NODE_THRESHOLD = 2000


def state() -> WebState:
    return current_app.extensions["graphsvc"]  # type: ignore[no-any-return]


def error_response(status: int, message: str) -> Response:
    """The API's one error shape."""
    response = jsonify({"ok": False, "error": message, "status": status})
    response.status_code = status
    return response


def ok(document: dict[str, Any]) -> Response:
    return jsonify({"ok": True, **document})


def created(document: dict[str, Any]) -> Response:
    """A ``201 Created`` success document."""
    response = ok(document)
    response.status_code = 201
    return response


def json_body() -> dict[str, Any]:
    """The request's JSON object (anything else is a 400)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("body", "expected a JSON object")
    return body


def known_community(community_id: str) -> str:
    """``community_id`` when the store has it, else :class:`NotFound`."""
    if community_id not in {s.community.id for s in state().store.communities()}:
        raise NotFound("community", community_id)
    return community_id


def user_name() -> str | None:
    """The name of who the request acts for (None when anonymous)."""
    user = current_user()
    return None if user is None else user.name


@api.errorhandler(GraphsvcError)
def _graphsvc_error(exc: GraphsvcError) -> Response:
    if isinstance(exc, NotFound):
        return error_response(404, str(exc))
    if isinstance(exc, ValidationError):
        return error_response(400, str(exc))
    if isinstance(exc, StoreUnavailable):
        return error_response(503, str(exc))
    return error_response(500, str(exc))


@api.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    return error_response(exc.code or 500, exc.description or exc.name)


@api.get("/meta")
@requires("view_network")
def meta() -> Response:
    """What the explorer's controls offer, and who is asking."""
    user = current_user()
    return ok(
        {
            "boundaries": [kind.value for kind in CommunityKind],
            "kinds": [kind.value for kind in InteractionKind],
            "default_kinds": [kind.value for kind in WindowKey().kinds],
            "months": state().analyses.months(),
            "metrics": list(params.SIZE_METRICS),
            "node_threshold": NODE_THRESHOLD,
            "user": None
            if user is None
            else {"name": user.name, "role": user.role, "permissions": sorted(user.permissions)},
            "csrf_token": csrf_token(),
        }
    )


@api.get("/graph")
@requires("view_network")
def graph() -> Response:
    """Nodes and edges of the people, community-level or ego view of a window."""
    key, window, document = _view_document()
    return ok({"window": window_of(window.main), "boundary": key.boundary.value, **document})


def view_options(query: Any) -> ViewOptions:
    view = params.one_of(query, "view", params.VIEWS, "auto")
    person = query.get("person") or None
    if view == "ego" and person is None:
        raise ValidationError("person", "the ego view needs a person id")
    return ViewOptions(
        view=view,
        size_metric=params.one_of(query, "size", params.SIZE_METRICS, "degree"),
        communities=params.word_list(query, "communities"),
        person=person,
        hops=params.integer(query, "hops", 1, 1, 3),
        highlight=params.subset_of(query, "highlight", params.HIGHLIGHTS),
        node_threshold=NODE_THRESHOLD,
    )


def needs_report(options: ViewOptions) -> bool:
    """Sizing by a metric other than degree, highlights and the community view need the
    window's analysis; plain degree-sized people and ego views do not."""
    return (
        options.size_metric != "degree" or bool(options.highlight) or options.view == "communities"
    )


def window_of(main: Any) -> dict[str, str | None]:
    start, end = main.options.start, main.options.end
    return {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
    }


@api.get("/people")
@requires("view_network")
def people() -> Response:
    """People whose id is ``q`` or whose name or topics contain it; private people are
    never listed (their names must not be searchable)."""
    text = request.args.get("q", "").strip()
    number, per_page = params.page(request.args)
    store = state().store
    found = store.search_people(text=text or None, limit=number * per_page + 1_000)
    if text:
        by_topic = store.search_people(topic=text, limit=number * per_page + 1_000)
        seen = {p.id for p in found}
        found += [p for p in by_topic if p.id not in seen]
    visible = [p for p in found if p.consent]
    items = visible[(number - 1) * per_page : number * per_page]
    return ok(
        {
            "items": [{"id": p.id, "name": p.name, "organisation": p.organisation} for p in items],
            "page": number,
            "per_page": per_page,
            "total": len(visible),
        }
    )


@api.get("/people/<person_id>")
@requires("view_person_details")
def person(person_id: str) -> Response:
    """A person's memberships, metrics with explanations, and strongest ties."""
    key = params.window_key(request.args, state().settings.zone)
    return ok(person_document(state(), key, person_id))


@api.get("/communities")
@requires("view_network")
def communities() -> Response:
    """One row per community of the boundary kind, and the community × community matrix."""
    key = params.window_key(request.args, state().settings.zone)
    window, report = state().analyses.report(key)
    return ok({"boundary": key.boundary.value, **communities_document(window, report)})


@api.get("/communities/<community_id>")
@requires("view_network")
def community(community_id: str) -> Response:
    """A community's description, objectives, focus areas, members with roles and metrics
    (its own kind is the boundary)."""
    key = params.window_key(request.args, state().settings.zone)
    page = params.page(request.args)
    return ok(community_document(state(), key, community_id, page))


@api.get("/export.gexf")
@requires("export_graph")
def export_gexf() -> Response:
    """The current view as GEXF (same query as ``/graph``)."""
    _key, _window, document = _view_document()
    return _download(gexf_bytes(document), "graphsvc-view.gexf", "application/gexf+xml")


@api.get("/export.csv")
@requires("export_graph")
def export_csv() -> Response:
    """The current view's edges (``part=edges``) or nodes (``part=nodes``) as CSV."""
    part = params.one_of(request.args, "part", ("edges", "nodes"), "edges")
    _key, _window, document = _view_document()
    text = csv_text(document, part)
    return _download(text.encode("utf-8"), f"graphsvc-{part}.csv", "text/csv; charset=utf-8")


def _view_document() -> tuple[WindowKey, WindowAnalysis, dict[str, Any]]:
    """The request's window key, its analysis and the graph document of its view."""
    key = params.window_key(request.args, state().settings.zone)
    options = view_options(request.args)
    window = state().analyses.window(key)
    report = state().analyses.report(key)[1] if needs_report(options) else window.report
    document = graph_document(
        window.main, report, options,
        names=window.names, consent=window.consent, community_names=window.community_names,
        layout_cache=state().layouts, layout_key=(key, state().analyses.version()),
    )  # fmt: skip
    return key, window, document


def _download(body: bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@api.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API (public: it describes, it reveals no data)."""
    return jsonify(openapi_document())
