"""web.security and web.auth_views on a tiny app whose routes need each permission.

The app renders the real ``web/templates/login.html`` over a minimal ``base.html`` (the
real one is written separately), with real accounts in ``tmp_path`` and Flask's test client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, jsonify, session
from flask.testing import FlaskClient
from jinja2 import ChoiceLoader, FileSystemLoader

import web
from graphsvc.config import Settings
from graphsvc.store import open_store
from web.accounts import Accounts
from web.roles import PERMISSIONS, ROLE_PERMISSIONS, ROLES
from web.security import (
    ACCOUNTS_KEY,
    CONTENT_SECURITY_POLICY,
    LoginThrottle,
    csrf_token,
    current_user,
    init_security,
    login_required,
    requires,
    safe_next,
)

PASSWORD = "a long enough password"
WEB_TEMPLATES = Path(web.__file__).parent / "templates"
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def make_app(accounts: Accounts, templates: Path, settings: Settings | None = None) -> Flask:
    """A page and an API route per permission (GET and POST), plus a few helpers."""
    app = Flask("guarded_app")
    app.jinja_env.loader = ChoiceLoader(
        [FileSystemLoader(templates), FileSystemLoader(WEB_TEMPLATES)]
    )
    init_security(app, accounts, settings or Settings())
    for permission in PERMISSIONS:

        def view(permission: str = permission) -> str:
            return f"<p>{permission} granted</p>"

        def api_view(permission: str = permission) -> object:
            return jsonify({"ok": True, "permission": permission})

        methods = ["GET", "POST"]
        app.add_url_rule(
            f"/page/{permission}", f"page_{permission}", requires(permission)(view), methods=methods
        )
        app.add_url_rule(
            f"/api/v1/{permission}", f"api_{permission}", requires(permission)(api_view),
            methods=methods,
        )  # fmt: skip
    app.add_url_rule("/me", "me", login_required(lambda: str(current_user())))
    app.add_url_rule("/csrf", "csrf", csrf_token)
    app.add_url_rule("/note", "note", lambda: session.setdefault("note", "left before"))
    app.add_url_rule("/", "home", lambda: "home")
    return app


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    (folder / "base.html").write_text(
        "<!doctype html><title>{% block title %}{% endblock %}</title>"
        '<meta name="csrf-token" content="{{ csrf_token() }}">'
        "<main>{% block content %}{% endblock %}</main>",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Accounts]:
    """One user per role (named after it) and one token per role (secret in ``tokens``)."""
    with Accounts.open(tmp_path_factory.mktemp("acc") / "accounts.db") as opened:
        for role in ROLES:
            opened.add_user(role, PASSWORD, role)
        yield opened


@pytest.fixture(scope="module")
def tokens(accounts: Accounts) -> dict[str, str]:
    return {role: accounts.add_token(f"{role}-token", role)[1] for role in ROLES}


@pytest.fixture
def app(accounts: Accounts, templates: Path) -> Flask:
    return make_app(accounts, templates)


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def log_in(
    client: FlaskClient, name: str, password: str = PASSWORD, next_path: str | None = None
) -> tuple[int, str]:
    """Sign in through the form; (status, Location or "")."""
    token = form_token(client.get("/login").get_data(as_text=True))
    form = {"name": name, "password": password, "csrf_token": token}
    if next_path is not None:
        form["next"] = next_path
    response = client.post("/login", data=form)
    return response.status_code, response.headers.get("Location", "")


def assert_error_shape(response: object, status: int) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert body["ok"] is False and body["status"] == status and body["error"]


# -- permissions -------------------------------------------------------------------------


def test_anonymous_pages_redirect_to_login_and_api_says_401(app: Flask) -> None:
    client = app.test_client()
    for permission in PERMISSIONS:
        response = client.get(f"/page/{permission}?x=1")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/login?next=/page/{permission}?x%3D1"
        assert_error_shape(client.get(f"/api/v1/{permission}"), 401)
        assert_error_shape(client.post(f"/api/v1/{permission}"), 401)  # not a CSRF 400
    assert client.get("/me").status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_permission_table(app: Flask, role: str) -> None:
    client = app.test_client()
    assert log_in(client, role) == (302, "/")
    for permission in PERMISSIONS:
        response = client.get(f"/page/{permission}")
        allowed = permission in ROLE_PERMISSIONS[role]
        assert response.status_code == (200 if allowed else 403), (role, permission)
        api = client.get(f"/api/v1/{permission}")  # the session cookie works for the API too
        assert api.status_code == (200 if allowed else 403)
    assert client.get("/me").get_data(as_text=True).startswith(f"User(name='{role}'")


@pytest.mark.parametrize("role", ROLES)
def test_api_tokens_follow_the_permission_table(
    app: Flask, tokens: dict[str, str], role: str
) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    for permission in PERMISSIONS:
        response = client.get(f"/api/v1/{permission}", headers=headers)
        if permission in ROLE_PERMISSIONS[role]:
            assert response.status_code == 200
            assert response.get_json() == {"ok": True, "permission": permission}
        else:
            assert_error_shape(response, 403)


def test_bad_bearer_tokens_are_401_and_tokens_do_not_open_pages(
    app: Flask, tokens: dict[str, str]
) -> None:
    client = app.test_client()
    wrong_scheme = f"Token {tokens['admin']}"
    for header in (
        "Bearer gst_wrong",
        "Bearer ",
        "Basic YWRtaW46eA==",
        tokens["admin"],
        wrong_scheme,
    ):
        response = client.get("/api/v1/view_network", headers={"Authorization": header})
        assert_error_shape(response, 401)
    page = client.get("/page/view_network", headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert page.status_code == 302


def test_a_bearer_header_wins_over_the_session(app: Flask) -> None:
    client = app.test_client()
    log_in(client, "admin")
    response = client.get("/api/v1/view_network", headers={"Authorization": "Bearer gst_x"})
    assert_error_shape(response, 401)


# -- CSRF --------------------------------------------------------------------------------


def test_csrf_is_required_on_session_requests(app: Flask) -> None:
    client = app.test_client()
    log_in(client, "admin")
    token = client.get("/csrf").get_data(as_text=True)
    assert_error_shape(client.post("/api/v1/run_imports"), 400)
    assert_error_shape(client.post("/api/v1/run_imports", headers={"X-CSRF-Token": "x"}), 400)
    wrong = client.post("/api/v1/run_imports", data={"csrf_token": token[:-1]})
    assert_error_shape(wrong, 400)
    ok = client.post("/api/v1/run_imports", headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and ok.get_json()["ok"] is True
    assert client.post("/api/v1/run_imports", data={"csrf_token": token}).status_code == 200
    page = client.post("/page/run_imports")
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert client.post("/page/run_imports", data={"csrf_token": token}).status_code == 200
    for method in (client.put, client.patch, client.delete):
        assert method("/page/run_imports").status_code == 400  # refused before routing


def test_bearer_requests_need_no_csrf(app: Flask, tokens: dict[str, str]) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    assert client.post("/api/v1/run_imports", headers=headers).status_code == 200


def test_the_login_form_itself_needs_csrf(app: Flask) -> None:
    client = app.test_client()
    client.get("/login")
    refused = client.post("/login", data={"name": "admin", "password": PASSWORD})
    assert refused.status_code == 400
    assert client.get("/me").status_code == 302


# -- headers and cookies -----------------------------------------------------------------


def test_security_headers_on_every_response(app: Flask, tokens: dict[str, str]) -> None:
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP
    client = app.test_client()
    auth = {"Authorization": f"Bearer {tokens['viewer']}"}
    responses = [
        client.get("/login"),
        client.get("/api/v1/view_network", headers=auth),
        client.get("/no-such-page"),
        client.get("/page/view_network"),
    ]
    for response in responses:
        assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
        assert "Strict-Transport-Security" not in response.headers
    assert responses[0].headers["Cache-Control"] == "no-store"
    assert responses[1].headers["Cache-Control"] == "no-store"


def session_cookie_header(client: FlaskClient) -> str:
    token = form_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"name": "viewer", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if "graphsvc_session=" in c]
    return cookie


def test_session_cookie_flags(app: Flask) -> None:
    cookie = session_cookie_header(app.test_client())
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Expires=" in cookie  # permanent, for the 12 hours of its lifetime
    assert app.permanent_session_lifetime.total_seconds() == 12 * 3600


def test_secure_cookies_when_configured(accounts: Accounts, templates: Path) -> None:
    app = make_app(accounts, templates, Settings(secure_cookies=True))
    client = app.test_client()
    assert "Secure" in session_cookie_header(client)
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"


# -- signing in and out ------------------------------------------------------------------


def test_the_login_form_is_accessible_and_inline_free(app: Flask) -> None:
    html = app.test_client().get("/login?next=/page/view_network").get_data(as_text=True)
    assert '<label for="login-name">' in html and 'id="login-name"' in html
    assert '<label for="login-password">' in html and 'id="login-password"' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert 'name="next" value="/page/view_network"' in html
    assert "<script" not in html and "<style" not in html and "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_login_rotates_the_session(app: Flask) -> None:
    client = app.test_client()
    before = form_token(client.get("/login").get_data(as_text=True))
    client.get("/note")  # something kept in the anonymous session
    with client.session_transaction() as anonymous:
        assert anonymous["note"] == "left before"
    assert log_in(client, "weaver") == (302, "/")
    with client.session_transaction() as signed_in:
        assert "note" not in signed_in and signed_in["user"] == "weaver"
    after = client.get("/csrf").get_data(as_text=True)
    assert after != before
    stale = client.post("/page/view_network", data={"csrf_token": before})
    assert stale.status_code == 400
    assert client.post("/page/view_network", data={"csrf_token": after}).status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "/ok\r\nLocation: http://evil.example",
        "evil.example",
    ],
)
def test_no_open_redirect_after_login(app: Flask, target: str) -> None:
    assert safe_next(target) is None
    assert log_in(app.test_client(), "viewer", next_path=target) == (302, "/")
    page = app.test_client().get("/login", query_string={"next": target})
    assert "evil" not in page.get_data(as_text=True)


def test_next_is_honoured_when_local(app: Flask) -> None:
    client = app.test_client()
    target = "/page/view_network?window=2025-01"
    assert log_in(client, "viewer", next_path=target) == (302, target)
    assert client.get("/login?next=/page/view_network").headers["Location"] == "/page/view_network"


def test_wrong_credentials_are_refused_alike(app: Flask) -> None:
    client = app.test_client()
    for name, password in (("viewer", "not the password"), ("nobody", PASSWORD), ("", "")):
        token = form_token(client.get("/login").get_data(as_text=True))
        form = {"name": name, "password": password, "csrf_token": token}
        response = client.post("/login", data=form)
        assert response.status_code == 401 and "Location" not in response.headers
        assert "Wrong name or password." in response.get_data(as_text=True)
    assert client.get("/me").status_code == 302


def test_lockout_after_five_failures(accounts: Accounts, templates: Path) -> None:
    app = make_app(accounts, templates)
    client = app.test_client()
    for _ in range(5):
        assert log_in(client, "moderator", "guess guess guess")[0] == 401
    assert log_in(client, "moderator")[0] == 429  # even the right password, for now
    assert log_in(client, "MODERATOR")[0] == 429
    assert log_in(client, "evaluator") == (302, "/")  # other names are not affected


def test_the_throttle_forgets_after_the_window() -> None:
    now = [1000.0]
    throttle = LoginThrottle(limit=5, window=900, clock=lambda: now[0])
    for _ in range(4):
        throttle.failed("alice")
    now[0] += 901  # those four are too old to count
    throttle.failed("alice")
    assert not throttle.locked("alice")
    for _ in range(4):
        throttle.failed("alice")
    assert throttle.locked("alice")
    now[0] += 899
    assert throttle.locked("alice")
    now[0] += 2
    assert not throttle.locked("alice")
    throttle.failed("alice")
    throttle.succeeded("alice")  # a success starts the count again
    for _ in range(4):
        throttle.failed("alice")
    assert not throttle.locked("alice")


def test_logout_needs_csrf_and_ends_the_session(app: Flask) -> None:
    client = app.test_client()
    log_in(client, "viewer")
    assert client.post("/logout").status_code == 400
    assert client.get("/me").status_code == 200
    token = client.get("/csrf").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/me").status_code == 302


def test_account_changes_take_effect_on_the_next_request(accounts: Accounts, app: Flask) -> None:
    for name in ("temp-removed", "temp-demoted", "temp-passwd"):
        accounts.add_user(name, PASSWORD, "admin")
    clients = {name: app.test_client() for name in ("temp-removed", "temp-demoted", "temp-passwd")}
    for name, client in clients.items():
        log_in(client, name)
        assert client.get("/page/manage_users").status_code == 200
    accounts.remove_user("temp-removed")
    accounts.set_role("temp-demoted", "viewer")
    accounts.set_password("temp-passwd", PASSWORD + "!")
    removed = clients["temp-removed"].get("/page/view_network")
    assert removed.status_code == 302
    assert "graphsvc_session=;" in removed.headers["Set-Cookie"]  # and the cookie is dropped
    assert clients["temp-demoted"].get("/page/manage_users").status_code == 403
    assert clients["temp-demoted"].get("/page/view_network").status_code == 200
    assert clients["temp-passwd"].get("/page/view_network").status_code == 302


def test_the_real_app_signs_in_and_out(tmp_path: Path) -> None:
    """The real templates (base.html calls ``csrf_token()``) with the whole flow.

    Skipped only while the graph views of another part of issue #5 are not written yet.
    """
    pytest.importorskip("web.graph_view", reason="web.graph_view is not written yet")
    from web import create_app

    with Accounts.open(tmp_path / "accounts.db") as real_accounts:
        real_accounts.add_user("viewer", PASSWORD, "viewer")
    store = open_store(Settings(store=f"sqlite:///{tmp_path / 'graph.db'}"))
    app = create_app(store=store, accounts_path=tmp_path / "accounts.db", settings=Settings())
    try:
        client = app.test_client()
        assert client.get("/").headers["Location"] == "/login?next=/"
        page = client.get("/login?next=/")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and page.headers["Content-Security-Policy"] == EXPECTED_CSP
        token = form_token(html)
        assert f'<meta name="csrf-token" content="{token}">' in html
        form = {"name": "viewer", "password": PASSWORD, "csrf_token": token, "next": "/"}
        assert client.post("/login", data=form).headers["Location"] == "/"
        home = client.get("/").get_data(as_text=True)
        assert "Sign out" in home
        token = form_token(home)
        assert client.post("/logout", data={"csrf_token": token}).status_code == 302
        assert client.get("/").status_code == 302
    finally:
        app.extensions[ACCOUNTS_KEY].close()
        store.close()
