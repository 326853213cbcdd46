"""The ``auth`` blueprint: the sign-in form, signing in and signing out.

CSRF is checked before these views run (:mod:`web.security` checks every POST), including
the sign-in form itself, so another site cannot sign a visitor into an account of its
choosing. ``next`` is followed only when it is a path on this site (no open redirect).
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from web.security import (
    accounts,
    current_user,
    log_in,
    log_out,
    login_throttle,
    safe_next,
)

auth = Blueprint("auth", __name__)

WRONG_CREDENTIALS = "Wrong name or password."
LOCKED_OUT = "Too many failed sign-ins for this name: try again in 15 minutes."


def _home() -> str:
    return request.script_root + "/"


def _form(next_path: str | None, name: str = "", error: str = "", status: int = 200) -> Response:
    # csrf_token is the template global (``{{ csrf_token }}`` and ``{{ csrf_token() }}``)
    page = render_template("login.html", next=next_path, name=name, error=error, active="login")
    return Response(page, status=status, mimetype="text/html")


@auth.get("/login")
def login() -> BaseResponse:
    """The sign-in form (a signed-in user goes straight on to ``next``)."""
    target = safe_next(request.args.get("next"))
    if current_user() is not None:
        return redirect(target or _home())
    return _form(target)


@auth.post("/login")
def login_submit() -> BaseResponse:
    """Check the name and password (after the brute-force brake), then start a new session."""
    name = request.form.get("name", "").strip()
    password = request.form.get("password", "")
    target = safe_next(request.form.get("next"))
    throttle = login_throttle()
    if not name or not password:
        return _form(target, name, WRONG_CREDENTIALS, 401)
    if throttle.locked(name):
        return _form(target, name, LOCKED_OUT, 429)
    user = accounts().verify_password(name, password)
    if user is None:
        throttle.failed(name)
        return _form(target, name, WRONG_CREDENTIALS, 401)
    throttle.succeeded(name)
    log_in(user)
    return redirect(target or _home())


@auth.post("/logout")
def logout() -> BaseResponse:
    """End the session (the form carries the CSRF token like every POST)."""
    log_out()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))
