"""The imports page (admin): runs, their quarantined rows, and an upload form that posts
to ``/api/v1/imports`` with the page's CSRF token."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.pages import page_context
from web.security import requires

imports = Blueprint("imports", __name__, url_prefix="/imports")


@imports.get("")
@requires("view_imports")
def runs() -> str:
    return render_template("imports.html", **page_context("imports"))
