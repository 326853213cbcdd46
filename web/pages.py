"""The HTML pages: thin shells that their scripts fill from ``/api/v1``.

Each page is a template extending ``base.html`` with the context of
:func:`page_context`; data never travels in inline scripts (the CSP forbids them).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from flask import Blueprint, Response, abort, render_template

from web.security import current_user, requires

pages = Blueprint("pages", __name__)

#: vendor files served from the pyvis package (vis-network 9.1.2): no CDN
VENDOR_FILES = {
    "vis-network.min.js": ("lib/vis-9.1.2/vis-network.min.js", "text/javascript"),
    "vis-network.min.css": ("lib/vis-9.1.2/vis-network.css", "text/css"),
}


def page_context(active: str, **extra: Any) -> dict[str, Any]:
    return {"user": current_user(), "active": active, **extra}


@pages.get("/")
@requires("view_network")
def explorer() -> str:
    return render_template("explorer.html", **page_context("explorer"))


@pages.get("/communities")
@requires("view_network")
def communities() -> str:
    return render_template("communities.html", **page_context("communities"))


@pages.get("/communities/<community_id>")
@requires("view_network")
def community(community_id: str) -> str:
    return render_template(
        "community.html", **page_context("communities", community_id=community_id)
    )


@pages.get("/people/<person_id>")
@requires("view_person_details")
def person(person_id: str) -> str:
    return render_template("person.html", **page_context("explorer", person_id=person_id))


@pages.get("/imports")
@requires("view_imports")
def imports() -> str:
    return render_template("imports.html", **page_context("imports"))


@pages.get("/vendor/<name>")
def vendor(name: str) -> Response:
    """vis-network's script and stylesheet, from the installed pyvis package."""
    if name not in VENDOR_FILES:
        abort(404)
    relative, mimetype = VENDOR_FILES[name]
    return _cached_file("pyvis", relative, mimetype)


@pages.get("/favicon.ico")
def favicon() -> Response:
    return _cached_file("web", "static/favicon.svg", "image/svg+xml")


def _cached_file(package: str, relative: str, mimetype: str) -> Response:
    response = Response(_package_bytes(package, relative), mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 86_400
    return response


@cache
def _package_bytes(package: str, relative: str) -> bytes:
    """A file shipped in ``package``, read once."""
    return files(package).joinpath(relative).read_bytes()
