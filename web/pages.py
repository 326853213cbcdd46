"""What every page shares: the template context, and the assets blueprint.

Pages are thin shells that their scripts fill from ``/api/v1``: each area has its own
blueprint (:mod:`web.pages_graph`, :mod:`web.pages_communities`, :mod:`web.pages_people`,
:mod:`web.pages_imports`, :mod:`web.pages_recommendations`) rendering a template that
extends ``base.html`` with the context of :func:`page_context`; data never travels in
inline scripts (the CSP forbids them).
``assets`` serves vis-network from the installed pyvis package (no CDN) and the favicon.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from flask import Blueprint, Flask, Response, abort

from web.security import current_user

assets = Blueprint("assets", __name__)

#: vendor files served from the pyvis package (vis-network 9.1.2): no CDN
VENDOR_FILES = {
    "vis-network.min.js": ("lib/vis-9.1.2/vis-network.min.js", "text/javascript"),
    "vis-network.min.css": ("lib/vis-9.1.2/vis-network.css", "text/css"),
}


def register_pages(app: Flask) -> None:
    """Register the assets and every area's page blueprint."""
    from web.pages_communities import communities
    from web.pages_evaluation import evaluation
    from web.pages_graph import graph
    from web.pages_imports import imports
    from web.pages_people import people
    from web.pages_recommendations import recommendations

    for blueprint in (assets, graph, communities, people, imports, recommendations, evaluation):
        app.register_blueprint(blueprint)


def page_context(active: str, **extra: Any) -> dict[str, Any]:
    """What ``base.html`` needs: the signed-in user and the active navigation entry."""
    return {"user": current_user(), "active": active, **extra}


@assets.get("/vendor/<name>")
def vendor(name: str) -> Response:
    """vis-network's script and stylesheet, from the installed pyvis package."""
    if name not in VENDOR_FILES:
        abort(404)
    relative, mimetype = VENDOR_FILES[name]
    return _cached_file("pyvis", relative, mimetype)


@assets.get("/favicon.ico")
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
