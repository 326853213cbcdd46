"""The JSON API on a real SQLite demo world: shapes, validation, privacy, planted truth,
the OpenAPI document, imports, and every route × every role."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from uploads import zip_of

from graphsvc.demo import DemoWorld
from web.roles import ROLE_PERMISSIONS, ROLES

Client = Callable[[str | None], FlaskClient]

#: every route of the app and the permission it needs (None: public)
ROUTE_PERMISSIONS: dict[str, str | None] = {
    "/": "view_network",
    "/communities": "view_network",
    "/communities/cop-open-source": "view_network",
    "/communities/cop-open-source/moderate": "view_recommendations",
    "/people/p0001": "view_person_details",
    "/imports": "view_imports",
    "/api/v1/meta": "view_network",
    "/api/v1/graph": "view_network",
    "/api/v1/people?q=a": "view_network",
    "/api/v1/people/p0001": "view_person_details",
    "/api/v1/communities": "view_network",
    "/api/v1/communities/cop-open-source": "view_network",
    "/api/v1/analytics/brokers": "view_network",
    "/api/v1/analytics/silos": "view_network",
    "/api/v1/analytics/ties": "view_network",
    "/api/v1/recommendations/collaborators?person=p0001": "view_recommendations",
    "/api/v1/recommendations/mentors?person=p0001": "view_recommendations",
    "/api/v1/communities/cop-open-source/moderation": "view_recommendations",
    "/api/v1/communities/cop-open-source/matching": "view_recommendations",
    "/evaluation": "view_evaluation",
    "/communities/cop-open-source/evaluation": "view_evaluation",
    "/evaluation/report.html": "view_evaluation",
    "/api/v1/activities": "view_evaluation",
    "/api/v1/activities/act-cross-cop-workshop/intervention": "view_evaluation",
    "/api/v1/evaluation/indicators": "view_evaluation",
    "/api/v1/evaluation/values": "view_evaluation",
    "/api/v1/evaluation/ties": "view_evaluation",
    "/api/v1/evaluation/benchmark?community=cop-open-source&indicator=cross_share": (
        "view_evaluation"
    ),
    "/api/v1/evaluation/chart.svg?indicator=cross_share": "view_evaluation",
    "/api/v1/objectives": "view_evaluation",
    "/api/v1/stories": "view_evaluation",
    "/api/v1/export.gexf": "export_graph",
    "/api/v1/export.csv": "export_graph",
    "/api/v1/imports": "view_imports",
    "/api/v1/imports/no-such-run": "view_imports",
    "/api/v1/openapi.json": None,
    "/login": None,
    "/vendor/vis-network.min.js": None,
    "/favicon.ico": None,
}
#: URL rules reached other than by GET above (method, rule) → permission
OTHER_METHODS = {
    ("POST", "/api/v1/imports"): "run_imports",
    ("POST", "/api/v1/feedback"): "view_recommendations",
    ("POST", "/api/v1/objectives"): "view_evaluation",
    ("DELETE", "/api/v1/objectives/<id>"): "view_evaluation",
    ("POST", "/api/v1/stories"): "view_evaluation",
    ("DELETE", "/api/v1/stories/<id>"): "view_evaluation",
    ("POST", "/logout"): None,
}


def rule_of(url: str) -> str:
    path = url.split("?")[0]
    ids = "p0001|cop-open-source|no-such-run|act-cross-cop-workshop"
    return re.sub(rf"/({ids})(?=/|$)", "/<id>", path)


def test_the_permission_table_covers_every_route(app: Flask) -> None:
    rules = {
        re.sub(r"<[^>]+>", "<id>", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    }
    rules.discard("/vendor/<id>")
    listed = {rule_of(url) for url in ROUTE_PERMISSIONS} | {r for _m, r in OTHER_METHODS}
    listed.discard("/vendor/vis-network.min.js")
    assert rules == listed


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_page_and_api_route_allows_exactly_the_roles_with_its_permission(
    client_as: Client, role: str | None
) -> None:
    client = client_as(role)
    for url, permission in ROUTE_PERMISSIONS.items():
        response = client.get(url)
        allowed = permission is None or (role is not None and permission in ROLE_PERMISSIONS[role])
        api = url.startswith("/api/")
        if url == "/login" and role is not None:
            expected = {302}  # a signed-in user is sent on
        elif allowed:
            expected = {404} if url.endswith("no-such-run") else {200}
        elif role is None:
            expected = {401} if api else {302}
        else:
            expected = {403}
        assert response.status_code in expected, (url, role, response.status_code)
        if api and response.status_code >= 400:
            assert_error_shape(response.get_json(), response.status_code)
        if response.status_code == 302 and url != "/login":
            assert response.headers["Location"].startswith("/login?next=")


def assert_error_shape(document: object, status: int) -> None:
    assert isinstance(document, dict)
    assert set(document) == {"ok", "error", "status"}
    assert document["ok"] is False and document["status"] == status
    assert isinstance(document["error"], str) and document["error"]


@pytest.mark.parametrize(
    ("url", "status", "names"),
    [
        ("/api/v1/no-such-route", 404, ""),
        ("/api/v1/graph?start=yesterday", 400, "start"),
        ("/api/v1/graph?start=2025-03-01&end=2025-02-01", 400, "start"),
        ("/api/v1/graph?boundary=galaxy", 400, "boundary"),
        ("/api/v1/graph?kinds=gossip", 400, "kinds"),
        ("/api/v1/graph?view=ego", 400, "person"),
        ("/api/v1/graph?view=ego&person=nobody", 404, "nobody"),
        ("/api/v1/graph?view=ego&person=p0001&hops=4", 400, "hops"),
        ("/api/v1/graph?size=charisma", 400, "size"),
        ("/api/v1/people?per_page=1000", 400, "per_page"),
        ("/api/v1/people/nobody", 404, "nobody"),
    ],
)
def test_errors_have_one_shape_and_name_the_problem(
    client_as: Client, url: str, status: int, names: str
) -> None:
    response = client_as("admin").get(url)
    assert response.status_code == status
    document = response.get_json()
    assert_error_shape(document, status)
    assert names in document["error"]


def test_a_wrong_method_is_an_error_in_the_shape_too(app: Flask) -> None:
    _token, secret = app.extensions["graphsvc.accounts"].add_token("t", "admin")
    headers = {"Authorization": f"Bearer {secret}"}
    response = app.test_client().delete("/api/v1/graph", headers=headers)
    assert response.status_code == 405
    assert_error_shape(response.get_json(), 405)


def test_openapi_document_lists_exactly_the_api_routes(app: Flask, client_as: Client) -> None:
    document = client_as(None).get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    routed = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert documented == routed
    for path, operations in document["paths"].items():
        for operation in operations.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path))


def test_meta_lists_the_controls_and_the_months(client_as: Client) -> None:
    meta = client_as("viewer").get("/api/v1/meta").get_json()
    assert meta["ok"] is True
    assert meta["months"] == [f"2025-{month:02d}" for month in range(1, 13)]
    assert "cop" in meta["boundaries"] and "co_attendance" not in meta["default_kinds"]
    assert meta["user"] == {
        "name": "viewer",
        "role": "viewer",
        "permissions": sorted(ROLE_PERMISSIONS["viewer"]),
    }


def test_the_people_view_shows_everyone_who_interacted(
    client_as: Client, demo_world: DemoWorld
) -> None:
    graph = client_as("viewer").get("/api/v1/graph").get_json()
    assert graph["view"] == "people"  # 300 people: below the threshold
    interacting = {i.source_id for i in demo_world.interactions} | {
        i.target_id for i in demo_world.interactions
    }
    assert graph["total_people"] >= len(interacting)
    assert len(graph["nodes"]) == graph["total_people"]
    pairs = {
        frozenset((i.source_id, i.target_id))
        for i in demo_world.interactions
        if i.kind.value != "co_attendance" and i.source_id != i.target_id
    }
    assert len(graph["edges"]) == len(pairs)
    json.dumps(graph, allow_nan=False)


def test_private_people_are_never_named(client_as: Client, demo_world: DemoWorld) -> None:
    named = Counter(p.name for p in demo_world.people if p.consent)
    # a private person may share a name with one who consented (then the name is shown)
    private = [p for p in demo_world.people if not p.consent and p.name not in named]
    assert private, "the demo world has people without consent"
    client = client_as("admin")
    for url in (
        "/api/v1/graph?highlight=brokers,bridges",
        "/api/v1/graph?view=communities",
        "/api/v1/communities",
        f"/api/v1/communities/{demo_world.ground_truth['silo_community']}?per_page=200",
        "/api/v1/analytics/brokers?per_page=200",
        "/api/v1/analytics/silos",
        "/api/v1/analytics/ties",
        f"/api/v1/people/{demo_world.people[0].id}",
        "/api/v1/export.csv?part=nodes",
        "/api/v1/people?q=" + private[0].name.split()[0],
    ):
        text = client.get(url).get_data(as_text=True)
        for person in private:
            assert person.name not in text, (url, person.id)
            assert f'"{person.id}"' not in text, (url, person.id)
    assert client.get(f"/api/v1/people/{private[0].id}").status_code == 404


def test_planted_brokers_and_silo_are_highlighted(client_as: Client, demo_world: DemoWorld) -> None:
    truth = demo_world.ground_truth
    client = client_as("weaver")
    graph = client.get("/api/v1/graph?highlight=brokers,silos").get_json()
    planted = set(truth["brokers"])
    assert planted <= set(graph["brokers"]), (planted, graph["brokers"])
    flagged = {node["id"] for node in graph["nodes"] if node["broker"]}
    assert flagged == set(graph["brokers"])
    communities = client.get("/api/v1/communities").get_json()
    silos = {row["id"] for row in communities["items"] if row["silo"]}
    assert silos == {truth["silo_community"]}
    assert set(graph["silos"]) == silos


def test_the_community_view_aggregates_cross_ties(client_as: Client) -> None:
    graph = client_as("viewer").get("/api/v1/graph?view=communities").get_json()
    assert graph["view"] == "communities"
    ids = {node["id"] for node in graph["nodes"]}
    assert all(edge["from"] in ids and edge["to"] in ids for edge in graph["edges"])
    assert all(edge["count"] >= 1 and edge["carriers"] >= 1 for edge in graph["edges"])


def test_an_ego_view_holds_the_person_and_their_contacts(
    client_as: Client, demo_world: DemoWorld
) -> None:
    broker = demo_world.ground_truth["brokers"][0]
    client = client_as("viewer")
    one = client.get(f"/api/v1/graph?view=ego&person={broker}&hops=1").get_json()
    two = client.get(f"/api/v1/graph?view=ego&person={broker}&hops=2").get_json()
    assert one["view"] == "ego"
    assert broker in {node["id"] for node in one["nodes"]}
    assert 1 < len(one["nodes"]) < len(two["nodes"])


def test_person_document_explains_a_planted_broker(
    client_as: Client, demo_world: DemoWorld
) -> None:
    planted = demo_world.ground_truth["broker_details"][0]
    document = client_as("weaver").get(f"/api/v1/people/{planted['id']}").get_json()
    assert document["person"]["id"] == planted["id"]
    home = planted["home_community"]
    assert any(m["community_id"] == home for m in document["memberships"])
    assert document["metrics"]["cross_betweenness"] > 0
    assert any(s.startswith("Connects ") for s in document["explanations"])
    assert document["ties"] and all(t["count"] >= 1 for t in document["ties"])


def test_exports_hold_the_current_view(client_as: Client, demo_world: DemoWorld) -> None:
    broker = demo_world.ground_truth["brokers"][0]
    client = client_as("weaver")
    gexf = client.get("/api/v1/export.gexf?view=communities")
    assert gexf.status_code == 200 and b"<gexf" in gexf.data
    assert "attachment" in gexf.headers["Content-Disposition"]
    edges = client.get(f"/api/v1/export.csv?view=ego&person={broker}").get_data(as_text=True)
    graph = client.get(f"/api/v1/graph?view=ego&person={broker}").get_json()
    assert edges.splitlines()[0] == "from,to,weight,count,cross,bridge"
    assert len(edges.splitlines()) == len(graph["edges"]) + 1


def test_search_pages_through_people(client_as: Client) -> None:
    client = client_as("viewer")
    first = client.get("/api/v1/people?q=an&per_page=5").get_json()
    second = client.get("/api/v1/people?q=an&per_page=5&page=2").get_json()
    assert first["total"] == second["total"] >= 10
    assert len(first["items"]) == len(second["items"]) == 5
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}


def upload(client: FlaskClient, name: str, payload: bytes, token: str | None = None) -> object:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(payload), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_an_api_token_uploads_a_dataset_once(app: Flask) -> None:
    accounts = app.extensions["graphsvc.accounts"]
    _token, secret = accounts.add_token("nightly", "admin")
    client = app.test_client()
    payload = zip_of({"people.csv": "id,name\nz1,Zed One\nz2,Zed Two\n"})
    first = upload(client, "people.zip", payload, secret)
    assert first.status_code == 200, first.get_data(as_text=True)
    run = first.get_json()["run"]
    assert run["status"] == "succeeded" and run["outcomes"]["people"]["inserted"] == 2
    again = upload(client, "people.zip", payload, secret).get_json()["run"]
    assert again["outcomes"]["people"]["unchanged"] == 2
    listed = client.get("/api/v1/imports", headers={"Authorization": f"Bearer {secret}"})
    assert [r["id"] for r in listed.get_json()["items"][:2]] == [again["id"], run["id"]]


def test_an_upload_with_bad_rows_quarantines_them(app: Flask) -> None:
    _token, secret = app.extensions["graphsvc.accounts"].add_token("t", "admin")
    payload = b"id,name,email\nz3,Zed,not-an-address\nz4,Zoe,\n"
    run = upload(app.test_client(), "people.csv", payload, secret).get_json()["run"]
    assert run["outcomes"]["people"]["rejected"] == 1
    assert any("people.csv:2: email" in message for message in run["errors"])


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("people.txt", b"id,name\n", "expected one of"),
        ("bad.zip", b"not a zip", "not a zip file"),
        ("evil.zip", zip_of({"../people.csv": "id,name\n"}), "unsafe path"),
        ("empty.zip", zip_of({}), "no files"),
    ],
)
def test_unsafe_or_unreadable_uploads_are_refused(
    app: Flask, name: str, payload: bytes, message: str
) -> None:
    _token, secret = app.extensions["graphsvc.accounts"].add_token("t", "admin")
    response = upload(app.test_client(), name, payload, secret)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_a_token_without_run_imports_cannot_upload(app: Flask) -> None:
    _token, secret = app.extensions["graphsvc.accounts"].add_token("reader", "weaver")
    response = upload(app.test_client(), "people.csv", b"id,name\nz9,Z\n", secret)
    assert response.status_code == 403
    assert_error_shape(response.get_json(), 403)
