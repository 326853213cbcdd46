"""The OpenAPI 3.1 document of ``/api/v1`` (served at ``/api/v1/openapi.json``).

Written by hand from the routes' parameters; a test checks that its paths and methods are
exactly the API blueprint's URL rules, so neither can drift from the other.
"""

from __future__ import annotations

from typing import Any

from graphsvc.model import VALUE_CYCLES, CommunityKind
from web.params import HIGHLIGHTS, MAX_PER_PAGE, SIZE_METRICS, VIEWS

ERROR = {"$ref": "#/components/schemas/Error"}
OBJECTIVE_BODY = {
    "type": "object",
    "required": ["indicator", "baseline", "baseline_at", "target", "deadline"],
    "properties": {
        "id": {"type": "string", "description": "to replace an objective"},
        "community": {"type": "string", "description": "none: the whole network"},
        "indicator": {"type": "string", "description": "e.g. cross_share"},
        "boundary": {"enum": [kind.value for kind in CommunityKind], "default": "cop"},
        "interaction_kind": {"type": "string", "description": "none: all but co_attendance"},
        "baseline": {"type": "number"},
        "baseline_at": {"type": "string", "format": "date"},
        "target": {"type": "number"},
        "deadline": {"type": "string", "format": "date"},
        "min_n": {"type": "integer", "minimum": 1, "default": 30},
        "description": {"type": "string"},
    },
}
STORY_BODY = {
    "type": "object",
    "required": ["text"],
    "properties": {
        "text": {"type": "string"},
        "at": {"type": "string", "format": "date", "description": "default: now"},
        "community": {"type": "string"},
        "value_cycle": {"enum": list(VALUE_CYCLES)},
        "activity": {"type": "string"},
    },
}
FEEDBACK_BODY = {
    "type": "object",
    "required": ["person", "suggested", "verdict"],
    "properties": {
        "person": {"type": "string", "description": "who the suggestion was for"},
        "suggested": {"type": "string", "description": "who was suggested"},
        "verdict": {"enum": ["accepted", "declined", "dismissed"]},
        "reason": {
            "enum": ["already_know", "not_relevant", "overloaded", "wrong_topic"],
            "description": "required when declined",
        },
        "recommender": {"enum": ["collaborator", "mentor"], "default": "collaborator"},
        "community": {"type": "string", "description": "the community acted for"},
    },
}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}  # fmt: skip


WINDOW = [
    _query("start", "window start (ISO 8601 date or datetime), inclusive"),
    _query("end", "window end (ISO 8601 date or datetime), exclusive"),
    _query(
        "boundary",
        "the kind of community whose boundaries count",
        {"type": "string", "enum": [kind.value for kind in CommunityKind], "default": "cop"},
    ),
    _query("kinds", "interaction kinds, comma-separated (default: all but co_attendance)"),
]
VIEW = [
    _query("view", "which graph", {"type": "string", "enum": list(VIEWS), "default": "auto"}),
    _query("size", "node size metric", {"type": "string", "enum": list(SIZE_METRICS)}),
    _query("communities", "community ids, comma-separated: only their people"),
    _query("person", "the ego view's person id"),
    _query("hops", "the ego view's radius", {"type": "integer", "minimum": 1, "maximum": 3}),
    _query("highlight", f"comma-separated subset of {', '.join(HIGHLIGHTS)}"),
]
PAGE = [
    _query("page", "page number, from 1", {"type": "integer", "minimum": 1, "default": 1}),
    _query(
        "per_page",
        "items per page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
    ),
]


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _json_post(summary: str, schema: dict[str, Any], permission: str) -> dict[str, Any]:
    """A POST operation whose body is one JSON object of ``schema``."""
    body = {"required": True, "content": {"application/json": {"schema": schema}}}
    return {**_operation(summary, [], permission=permission), "requestBody": body}


def _operation(
    summary: str,
    parameters: list[dict[str, Any]],
    *,
    content: str = "application/json",
    permission: str = "view_network",
) -> dict[str, Any]:
    ok_body = {"schema": {"$ref": "#/components/schemas/Ok"}} if content.endswith("json") else {}
    return {
        "summary": summary,
        "description": f"Needs the permission `{permission}`.",
        "parameters": parameters,
        "responses": {
            "200": {"description": "success", "content": {content: ok_body}},
            **{
                code: {"description": meaning, "content": {"application/json": {"schema": ERROR}}}
                for code, meaning in (
                    ("400", "a parameter is invalid (the message names it)"),
                    ("401", "not logged in and no API token"),
                    ("403", f"lacks the permission {permission}"),
                    ("404", "unknown id"),
                )
            },
        },
    }


def _paths() -> dict[str, dict[str, Any]]:
    person = {"name": "person_id", "in": "path", "required": True, "schema": {"type": "string"}}
    community = {**person, "name": "community_id"}
    return {
        "/api/v1/meta": {"get": _operation("Controls of the explorer and the current user", [])},
        "/api/v1/graph": {
            "get": _operation(
                "Nodes and edges of a window (people, communities or ego view)", WINDOW + VIEW
            )  # fmt: skip
        },
        "/api/v1/people": {
            "get": _operation("Search people by id, name or topic", [_query("q", "text"), *PAGE])
        },
        "/api/v1/people/{person_id}": {
            "get": _operation(
                "A person's memberships, metrics, explanations and top ties",
                [person, *WINDOW],
                permission="view_person_details",
            )
        },
        "/api/v1/communities": {
            "get": _operation("Communities with E-I, silo verdicts and the tie matrix", WINDOW)
        },
        "/api/v1/communities/{community_id}": {
            "get": _operation(
                "A community: description, objectives, focus areas, members with roles"
                " (paged) and its dashboard row, with its own kind as the boundary",
                [community, *WINDOW, *PAGE],
            )
        },
        "/api/v1/analytics/brokers": {
            "get": _operation(
                "People ranked by cross-community betweenness (consenting people only)",
                WINDOW + PAGE,
            )
        },
        "/api/v1/analytics/silos": {
            "get": _operation("The communities flagged as silos, with their evidence", WINDOW)
        },
        "/api/v1/analytics/ties": {
            "get": _operation(
                "Community pairs with ties, carriers, density, O/E, and the tie matrix", WINDOW
            )
        },
        "/api/v1/recommendations/collaborators": {
            "get": _operation(
                "Collaborators for a person, each with its reasons (boundary-aware)",
                [
                    _query("person", "the person's id (required)"),
                    _query("k", "how many", {"type": "integer", "minimum": 1, "maximum": 50}),
                    _query("strength", "re-ranking strength β", {"type": "number", "minimum": 0}),
                    _query(
                        "min_cross",
                        "cross-community items wanted in the top k",
                        {"type": "integer", "minimum": 0},
                    ),
                    WINDOW[2],
                ],
                permission="view_recommendations",
            )  # fmt: skip
        },
        "/api/v1/recommendations/mentors": {
            "get": _operation(
                "Mentors with free slots for a person, each with its reasons",
                [
                    _query("person", "the person's id (required)"),
                    _query("k", "how many", {"type": "integer", "minimum": 1, "maximum": 50}),
                ],
                permission="view_recommendations",
            )  # fmt: skip
        },
        "/api/v1/communities/{community_id}/moderation": {
            "get": _operation(
                "Members without a mentor with their best mentors; verdicts, introductions"
                " and conversion rates",
                [community],
                permission="view_recommendations",
            )
        },
        "/api/v1/communities/{community_id}/matching": {
            "get": _operation(
                "Cohort matching of the community's mentees to mentors under capacities",
                [
                    community,
                    _query(
                        "all_members",
                        "every member without a mentor, not only mentees",
                        {"type": "string", "enum": ["true", "false"]},
                    ),
                    _query("balance", "load balance λ", {"type": "number", "minimum": 0}),
                    _query("min_fit", "leave worse pairs unmade", {"type": "number", "minimum": 0}),
                ],
                permission="view_recommendations",
            )  # fmt: skip
        },
        "/api/v1/feedback": {
            "post": _json_post(
                "A moderator's verdict on a suggestion (accepted = an introduction)",
                FEEDBACK_BODY,
                "view_recommendations",
            )
        },
        "/api/v1/evaluation/indicators": {
            "get": _operation(
                "The stored indicator history (per period: value, interval, n, flags) of the"
                " network or a community; small groups suppressed",
                [
                    _query("community", "community id (none: the whole network)"),
                    _query("indicator", "one indicator (default: all)"),
                    _query("definition", "definition version (default: the latest computed)"),
                    _query("parameters_id", "parameter set (default: the latest computed)"),
                ],
                permission="view_evaluation",
            )  # fmt: skip
        },
        "/api/v1/evaluation/chart.svg": {
            "get": _operation(
                "One indicator's trend chart with its interval band (SVG)",
                [
                    _query("indicator", "the indicator (required)"),
                    _query("community", "community id (none: the whole network)"),
                    _query("objective", "draw this objective's trajectory"),
                ],
                content="image/svg+xml",
                permission="view_evaluation",
            )  # fmt: skip
        },
        "/api/v1/evaluation/values": {
            "get": _operation(
                "The Wenger-Trayner value table: network proxies and stories per value cycle",
                [_query("community", "community id (none: the whole network)")],
                permission="view_evaluation",
            )
        },
        "/api/v1/evaluation/ties": {
            "get": _operation(
                "How long ties last: Kaplan–Meier survival of cross-community vs internal ties",
                [
                    _query("community", "community id (none: every community)"),
                    *WINDOW[2:],
                    _query("start", "only the ties first formed on or after this date"),
                    _query("end", "only the ties first formed before this date"),
                    _query(
                        "gap",
                        "days without an interaction that end a tie",
                        {"type": "number", "minimum": 1, "default": 90},
                    ),
                ],
                permission="view_evaluation",
            )  # fmt: skip
        },
        "/api/v1/evaluation/benchmark": {
            "get": _operation(
                "A community's latest value against the network, its peers and its baseline",
                [
                    _query("community", "community id (required)"),
                    _query("indicator", "the indicator (required)"),
                ],
                permission="view_evaluation",
            )  # fmt: skip
        },
        "/api/v1/objectives": {
            "get": _operation(
                "Objectives with their status (green, amber, red, insufficient) and projection",
                [_query("community", "community id")],
                permission="view_evaluation",
            ),
            "post": _json_post("Record or replace an objective", OBJECTIVE_BODY, "view_evaluation"),
        },
        "/api/v1/objectives/{objective_id}": {
            "delete": _operation(
                "Delete an objective", [_path("objective_id")], permission="view_evaluation"
            )
        },
        "/api/v1/activities": {
            "get": _operation(
                "Activities (of a community), newest first, with their participant counts",
                [_query("community", "community id")],
                permission="view_evaluation",
            )
        },
        "/api/v1/activities/{activity_id}/intervention": {
            "get": _operation(
                "Before/after an activity: outcome series, ITS, matched DiD, placebos,"
                " change points",
                [
                    _path("activity_id"),
                    _query("freq", "period", {"type": "string", "enum": ["month", "week"]}),
                    WINDOW[2],
                ],
                permission="view_evaluation",
            )  # fmt: skip
        },
        "/api/v1/stories": {
            "get": _operation(
                "Stories of value created, oldest first",
                [_query("community", "community id")],
                permission="view_evaluation",
            ),
            "post": _json_post("Record a story", STORY_BODY, "view_evaluation"),
        },
        "/api/v1/stories/{story_id}": {
            "delete": _operation(
                "Delete a story", [_path("story_id")], permission="view_evaluation"
            )
        },
        "/api/v1/export.gexf": {
            "get": _operation(
                "The current view as GEXF",
                WINDOW + VIEW,
                content="application/gexf+xml",
                permission="export_graph",
            )  # fmt: skip
        },
        "/api/v1/export.csv": {
            "get": _operation(
                "The current view's edges or nodes as CSV",
                [*WINDOW, *VIEW, _query("part", "edges or nodes", {"enum": ["edges", "nodes"]})],
                content="text/csv",
                permission="export_graph",
            )
        },
        "/api/v1/imports": {
            "get": _operation(
                "Recent import runs",
                [_query("limit", "runs", {"type": "integer", "minimum": 1, "maximum": 500})],
                permission="view_imports",
            ),
            "post": {
                **_operation(
                    "Import an uploaded dataset (multipart field `file`)",
                    [],
                    permission="run_imports",
                ),  # fmt: skip
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "strict": {"type": "string", "enum": ["true", "false"]},
                                },
                            }
                        }
                    },
                },
            },
        },
        "/api/v1/imports/{run_id}": {
            "get": _operation(
                "One import run with its quarantined rows",
                [{"name": "run_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                permission="view_imports",
            )
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "the OpenAPI document"}},
            }
        },
    }


def openapi_document() -> dict[str, Any]:
    """The whole document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "graphsvc API",
            "version": "1",
            "description": "Network and relationship analysis for Communities of Practice."
            " Errors always have the shape {ok: false, error, status}.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an API token (`graphsvc tokens add`)",
                },  # fmt: skip
                "session": {"type": "apiKey", "in": "cookie", "name": "graphsvc_session"},
            },
            "schemas": {
                "Ok": {
                    "type": "object",
                    "required": ["ok"],
                    "properties": {"ok": {"const": True}},
                },
                "Error": {
                    "type": "object",
                    "required": ["ok", "error", "status"],
                    "properties": {
                        "ok": {"const": False},
                        "error": {"type": "string"},
                        "status": {"type": "integer"},
                    },
                },
            },
        },
    }
