"""Sign-in state, CSRF, security headers and permission checks of the web app.

- **Who is asking** (:func:`current_user`): under ``/api/`` an ``Authorization: Bearer``
  header decides alone (an API token, see :mod:`web.accounts`); otherwise the session
  cookie names a user, who is read again from the accounts file on every request, so that
  removing a user, changing their role or their password takes effect at once.
- **Sessions**: Flask's signed cookie ``graphsvc_session`` (HttpOnly, SameSite=Lax, Secure
  when ``secure_cookies``), valid 12 hours from sign-in; it holds the user's name, a stamp
  of their password hash and the CSRF token, and is emptied on sign-in and sign-out.
- **CSRF**: every POST/PUT/PATCH/DELETE must carry the session's token (form field
  ``csrf_token`` or header ``X-CSRF-Token``), except API requests with a bearer token (no
  cookie is involved) and anonymous API requests (they are refused with 401 anyway).
- **Headers**: the contract's CSP and the usual hardening headers on every response;
  ``Cache-Control: no-store`` on HTML and API responses.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, jsonify, redirect, request, session
from werkzeug.wrappers import Response as BaseResponse

from graphsvc.config import Settings
from web.accounts import Accounts
from web.principals import User

ACCOUNTS_KEY = "graphsvc.accounts"
THROTTLE_KEY = "graphsvc.login_throttle"
SESSION_COOKIE = "graphsvc_session"
SESSION_LIFETIME = timedelta(hours=12)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
API_PREFIX = "/api/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

View = TypeVar("View", bound=Callable[..., Any])


class LoginThrottle:
    """Brute-force brake: after ``limit`` failed sign-ins for one name within ``window``
    seconds, that name is refused for ``window`` seconds, right password or not.

    Kept in memory, per process: a restart forgets it, and with several server processes
    each counts on its own (still a brake of a few guesses per minute on scrypt hashes).
    Unknown names are counted too, so the brake does not tell which names exist.
    """

    def __init__(
        self,
        limit: int = 5,
        window: float = 15 * 60,
        clock: Callable[[], float] = time.monotonic,
        max_names: int = 10_000,
    ) -> None:
        self.limit, self.window, self.clock, self.max_names = limit, window, clock, max_names
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def locked(self, name: str) -> bool:
        with self._lock:
            until = self._locked_until.get(name.lower())
            if until is None:
                return False
            if until > self.clock():
                return True
            del self._locked_until[name.lower()]
            return False

    def failed(self, name: str) -> None:
        """Count a failed attempt; the ``limit``-th within the window locks the name."""
        now, key = self.clock(), name.lower()
        with self._lock:
            if len(self._failures) >= self.max_names:
                self._forget_old(now)
            recent = self._failures.setdefault(key, deque())
            recent.append(now)
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                self._locked_until[key] = now + self.window
                del self._failures[key]

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name.lower(), None)

    def _forget_old(self, now: float) -> None:
        for key in [k for k, times in self._failures.items() if times[-1] <= now - self.window]:
            del self._failures[key]
        for key in [k for k, until in self._locked_until.items() if until <= now]:
            del self._locked_until[key]


class _CsrfTokenText:
    """The template global ``csrf_token``: ``{{ csrf_token }}`` and ``{{ csrf_token() }}``
    both give the session's token (the contract passes a string, Flask habit is a call)."""

    def __call__(self) -> str:
        return csrf_token()

    def __str__(self) -> str:
        return csrf_token()

    def __html__(self) -> str:  # token_urlsafe's alphabet needs no escaping
        return csrf_token()


def init_security(app: Flask, accounts: Accounts, settings: Settings) -> None:
    """Wire accounts, the session cookie, CSRF, headers and the ``auth`` blueprint into ``app``."""
    from web.auth_views import auth  # the views use this module's helpers

    app.extensions[ACCOUNTS_KEY] = accounts
    app.extensions[THROTTLE_KEY] = LoginThrottle()
    app.secret_key = accounts.secret_key(settings)
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        SESSION_REFRESH_EACH_REQUEST=False,  # 12 hours from sign-in, not from the last click
    )
    app.jinja_env.globals["csrf_token"] = _CsrfTokenText()
    app.context_processor(lambda: {"user": current_user()})
    app.before_request(_check_csrf)
    app.after_request(_add_security_headers)
    if settings.secure_cookies:  # served over TLS: browsers may insist on it from now on
        app.after_request(_add_hsts)
    app.register_blueprint(auth)


def accounts() -> Accounts:
    """The current app's :class:`Accounts`."""
    from flask import current_app

    return cast(Accounts, current_app.extensions[ACCOUNTS_KEY])


def login_throttle() -> LoginThrottle:
    from flask import current_app

    return cast(LoginThrottle, current_app.extensions[THROTTLE_KEY])


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def _bearer_secret() -> str | None:
    """The bearer token of an API request, "" for a malformed header, None without one."""
    if not is_api_request() or "Authorization" not in request.headers:
        return None
    scheme, _, secret = request.headers["Authorization"].partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def current_user() -> User | None:
    """Who this request acts for (computed once per request), or None."""
    if "graphsvc_user" not in g:
        g.graphsvc_user = _find_user()
    return cast(User | None, g.graphsvc_user)


def _find_user() -> User | None:
    bearer = _bearer_secret()
    if bearer is not None:
        return accounts().token_user(bearer) if bearer else None
    name, stamp = session.get("user"), session.get("stamp")
    if not isinstance(name, str) or not isinstance(stamp, str):
        return None
    user = accounts().session_user(name, stamp)
    if user is None:  # removed, or password changed since: the session is over
        session.clear()
    return user


def log_in(user: User) -> None:
    """Start a fresh session for ``user`` (the old one, and its CSRF token, are dropped)."""
    stamp = accounts().session_stamp(user.name)
    session.clear()
    session.permanent = True
    session["user"], session["stamp"] = user.name, stamp
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    g.graphsvc_user = user


def log_out() -> None:
    session.clear()
    g.graphsvc_user = None


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def csrf_valid() -> bool:
    """Whether the request carries this session's CSRF token (field or header)."""
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    if not isinstance(expected, str) or not sent:
        return False
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def _check_csrf() -> Response | None:
    if request.method not in UNSAFE_METHODS or _bearer_secret() is not None:
        return None
    if is_api_request() and current_user() is None:
        return None  # nothing acts on this request's behalf: the view answers 401
    if csrf_valid():
        return None
    return _refuse(400, "CSRF token missing or wrong: reload the page and try again")


def api_error(status: int, message: str) -> Response:
    """The API's one error shape ``{"ok": false, "error", "status"}``."""
    response = jsonify({"ok": False, "error": message, "status": status})
    response.status_code = status
    return response


def _refuse(status: int, message: str) -> Response:
    if is_api_request():
        return api_error(status, message)
    abort(status, description=message)


def login_url() -> str:
    """``/login?next=<this page>``."""
    from flask import url_for

    here = request.script_root + request.path
    if request.query_string:
        here += "?" + request.query_string.decode("latin-1")
    return url_for("auth.login", next=here)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None: no open redirects via ``next``
    (``//host``, ``/\\host``, schemes and control characters are all refused)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def _guard(permissions: tuple[str, ...]) -> BaseResponse | None:
    """None when the user may go on, else the refusal (401/redirect or 403)."""
    user = current_user()
    if user is None:
        if is_api_request():
            return api_error(401, "sign in or send an API token (Authorization: Bearer …)")
        return redirect(login_url())
    missing = [p for p in permissions if not user.can(p)]
    if missing:
        return _refuse(403, f"your role ({user.role}) lacks {', '.join(missing)}")
    return None


def requires(*permissions: str) -> Callable[[View], View]:
    """Decorator: the view needs a signed-in user holding every one of ``permissions``."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refusal = _guard(permissions)
            return refusal if refusal is not None else view(*args, **kwargs)

        return cast(View, guarded)

    return decorate


def login_required(view: View) -> View:
    """Decorator: the view needs a signed-in user (any role)."""
    return requires()(view)


def _add_security_headers(response: Response) -> Response:
    _set_headers(response, SECURITY_HEADERS)
    if response.mimetype == "text/html" or is_api_request():
        response.headers["Cache-Control"] = "no-store"
    return response


def _add_hsts(response: Response) -> Response:
    return _set_headers(response, {"Strict-Transport-Security": "max-age=31536000"})


def _set_headers(response: Response, headers: dict[str, str]) -> Response:
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response
